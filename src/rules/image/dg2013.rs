//! DG2013: the image has more layers than allowed.

use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks the number of layers in the manifest against the policy's
    /// `image.max_layers`. Read from the manifest alone.
    ///
    /// ## Why is this bad?
    /// Each layer is a separate download and a separate overlay mount; very deep
    /// images pull and start slower, and overlayfs has a hard limit (127 layers on
    /// many kernels).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y curl
    /// RUN apt-get install -y git
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl git && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Options
    /// `image.max_layers`: the largest number of layers allowed.
    code: "DG2013",
    name: "image-too-many-layers",
    severity: Warning,
    category: BestPractice,
    message: "The image has more layers than allowed",
    enabled_by_default: true,
    needs_layers: false,
    options: [
        RuleOption::new("max_layers", OptionKind::Count, "The most layers the image may have.").from_policy("image.max_layers"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let count = context.facts().layers.len();
    if let Some(max) = context.options().count("max_layers")
        && count as u64 > max
    {
        context.report(format!("The image has {count} layers, more than the {max} allowed"));
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn image(layers: usize) -> Image {
        (0..layers).fold(Image::new(), |image, i| image.layer(Layer::new().file(&format!("f{i}"), b"x"), GZ, "RUN step"))
    }

    #[test]
    fn too_many() {
        let limits = || serde_json::json!({"max_layers": 2});
        assert_image_message_with("DG2013", image(3), limits(), "3 layers, more than the 2");
        assert_image_catches_not_with("DG2013", image(2), limits());
        assert_image_catches_not("DG2013", image(3));
    }
}
