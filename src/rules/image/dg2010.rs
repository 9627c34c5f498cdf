//! DG2010: the image is larger than its size budget.

use super::{biggest_layers, size};
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks the image's uncompressed size (all layers' tar streams, as unpacked on a
    /// node) against the policy's `image.max_size`. The finding names the biggest
    /// layers and the steps that made them.
    ///
    /// ## Why is this bad?
    /// Every byte is pulled on every node that runs the image, stored in every
    /// registry and scanned by every scanner; size creeps up one dependency at a time
    /// unless something stops it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Options
    /// `image.max_size`: the budget, e.g. `200MB` or `1.5GiB` (`--max-size`).
    code: "DG2010",
    name: "image-size-over-budget",
    severity: Error,
    category: BestPractice,
    message: "The image is larger than its size budget",
    enabled_by_default: true,
    needs_layers: true,
    options: [
        RuleOption::new("max_size", OptionKind::Size, "The largest uncompressed size of the image.").from_policy("image.max_size"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let (Some(budget), Some(actual)) = (context.options().size("max_size"), facts.uncompressed_size) else {
        return;
    };
    if actual > budget {
        context.report(format!(
            "The image is {} uncompressed, {} over its budget of {}; biggest layers: {}",
            size(actual),
            size(actual - budget),
            size(budget),
            biggest_layers(context.inspection(), 3, false)
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    /// One layer: a 10,000-byte file in a tar of exactly 11,776 bytes (header, content
    /// padded to 10,240, two end blocks of 512).
    fn image() -> Image {
        Image::new().layer(Layer::new().file("data", &[1; 10_000]), GZ, "RUN make data")
    }

    fn budget(bytes: u64) -> serde_json::Value {
        serde_json::json!({ "max_size": bytes })
    }

    #[test]
    fn just_over() {
        assert_image_message_with("DG2010", image(), budget(11_775), "1 bytes) over its budget");
        assert_image_message_with("DG2010", image(), budget(11_775), "`RUN make data`");
    }

    #[test]
    fn just_under_or_at() {
        assert_image_catches_not_with("DG2010", image(), budget(11_776));
        assert_image_catches_not("DG2010", image());
    }
}
