//! DG2012: one layer is larger than the per-layer budget.

use super::{created_by, size};
use crate::image::provenance::Subject;
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks each layer's uncompressed size against the policy's
    /// `image.max_layer_size`, and names the step that made an oversized layer.
    ///
    /// ## Why is this bad?
    /// One huge layer usually means one step that downloads, builds and forgets to
    /// clean up, or a `COPY . .` that takes the whole repository (with `.git` and
    /// `node_modules`) into the image. Large layers also defeat layer caching: any
    /// change re-ships all of it.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # with a .dockerignore that excludes .git, node_modules, build output
    /// COPY src/ /app/src/
    /// ```
    ///
    /// ## Options
    /// `image.max_layer_size`: the per-layer budget.
    code: "DG2012",
    name: "image-layer-over-budget",
    severity: Warning,
    category: BestPractice,
    message: "A layer is larger than the per-layer budget",
    enabled_by_default: true,
    needs_layers: true,
    options: [
        RuleOption::new("max_layer_size", OptionKind::Size, "The largest uncompressed size of one layer.").from_policy("image.max_layer_size"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let Some(budget) = context.options().size("max_layer_size") else {
        return;
    };
    for (index, layer) in facts.layers.iter().enumerate() {
        if let Some(bytes) = layer.uncompressed
            && bytes > budget
        {
            context.report_about(Subject::Layer(index), format!(
                "Layer {} is {} uncompressed, over the per-layer budget of {}; made by {}",
                index + 1,
                size(bytes),
                size(budget),
                created_by(context.inspection(), index)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn image() -> Image {
        Image::new()
            .layer(Layer::new().file("small", b"x"), GZ, "COPY small")
            .layer(Layer::new().file("big", &[1; 10_000]), GZ, "COPY big")
    }

    fn budget(bytes: u64) -> serde_json::Value {
        serde_json::json!({ "max_layer_size": bytes })
    }

    #[test]
    fn over() {
        assert_image_message_with("DG2012", image(), budget(5000), "Layer 2 is");
        assert_image_message_with("DG2012", image(), budget(5000), "`COPY big`");
    }

    #[test]
    fn under() {
        assert_image_catches_not_with("DG2012", image(), budget(20_000));
    }
}
