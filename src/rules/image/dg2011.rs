//! DG2011: the compressed image is larger than its budget.

use super::{biggest_layers, size};
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks the sum of the compressed layer blobs (what a registry stores and a node
    /// pulls) against the policy's `image.max_compressed_size`. Read from the manifest
    /// alone: no layer is downloaded or unpacked for this check.
    ///
    /// ## Why is this bad?
    /// Pull time is start-up time: a large image slows every scale-up, every new node
    /// and every CI job that uses it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY . .
    /// RUN npm install
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package*.json ./
    /// RUN npm ci --omit=dev
    /// COPY . .
    /// ```
    ///
    /// ## Options
    /// `image.max_compressed_size`: the budget, e.g. `80MB` (`--max-compressed-size`).
    code: "DG2011",
    name: "image-compressed-size-over-budget",
    severity: Error,
    category: BestPractice,
    message: "The compressed image is larger than its budget",
    enabled_by_default: true,
    needs_layers: false,
    options: [
        RuleOption::new("max_compressed_size", OptionKind::Size, "The largest sum of the compressed layer blobs (what a pull downloads).").from_policy("image.max_compressed_size"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let Some(budget) = context.options().size("max_compressed_size") else {
        return;
    };
    let actual = facts.compressed_size;
    if actual > budget {
        context.report(format!(
            "The image is {} compressed, {} over its budget of {}; biggest layers: {}",
            size(actual),
            size(actual - budget),
            size(budget),
            biggest_layers(context.inspection(), 3, true)
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Compression, Image, Layer};
    use crate::rules::testing::*;

    fn image() -> Image {
        // Uncompressed: the blob is exactly the 11,776-byte tar.
        Image::new().layer(Layer::new().file("data", &[1; 10_000]), Compression::None, "COPY data")
    }

    fn budget(bytes: u64) -> serde_json::Value {
        serde_json::json!({ "max_compressed_size": bytes })
    }

    #[test]
    fn over() {
        assert_image_message_with("DG2011", image(), budget(11_775), "over its budget");
    }

    #[test]
    fn under() {
        assert_image_catches_not_with("DG2011", image(), budget(11_776));
    }
}
