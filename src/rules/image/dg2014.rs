//! DG2014: later layers overwrite or delete too many bytes.

use super::size;
use crate::image::limits::format_size;
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Adds up the bytes of files that one layer adds and a later layer overwrites or
    /// deletes (with a whiteout or an opaque directory), and checks them against the
    /// policy's `image.max_wasted` (default 20 MB). The finding lists the largest such
    /// files and the steps that added and removed them.
    ///
    /// ## Why is this bad?
    /// Deleting a file in a later step does not make the image smaller: the bytes stay
    /// in the earlier layer's blob and are pulled by everyone. (dive calls this
    /// wasted space; unlike dive, opaque directories are counted correctly.)
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -o /tmp/sdk.tgz https://example.com/sdk.tgz && tar -xzf /tmp/sdk.tgz -C /opt
    /// RUN rm /tmp/sdk.tgz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN curl -o /tmp/sdk.tgz https://example.com/sdk.tgz && tar -xzf /tmp/sdk.tgz -C /opt \
    ///     && rm /tmp/sdk.tgz
    /// ```
    ///
    /// ## Options
    /// - `image.max_wasted`: the bytes allowed (default 20 MB);
    /// - `image.max_wasted_ratio`: the share of the uncompressed image they may be
    ///   (`5%`); either limit being exceeded is reported.
    code: "DG2014",
    name: "image-wasted-space",
    severity: Warning,
    category: BestPractice,
    message: "Later layers overwrite or delete too many bytes",
    enabled_by_default: true,
    needs_layers: true,
    options: [
        RuleOption::new("max_wasted", OptionKind::Size, "The bytes of overwritten or deleted files allowed (default 20MB).").from_policy("image.max_wasted"),
        RuleOption::new("max_wasted_ratio", OptionKind::Percent, "The share of the uncompressed image those bytes may be (`5%`).").from_policy("image.max_wasted_ratio"),
    ],
    image_check: check,
}

/// `image.max_wasted` when the policy does not set it: 20 MB.
const DEFAULT_MAX_WASTED: u64 = 20_000_000;

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let Some(files) = &facts.files else {
        return;
    };
    let limit = context.options().size("max_wasted").unwrap_or(DEFAULT_MAX_WASTED);
    let total = facts.uncompressed_size.unwrap_or(0);
    let ratio_limit = context.options().share("max_wasted_ratio");
    let over_ratio = ratio_limit
        .is_some_and(|ratio| total > 0 && files.wasted_bytes as f64 > ratio * total as f64);
    if files.wasted_bytes <= limit && !over_ratio {
        return;
    }
    let limit_text = match ratio_limit {
        Some(ratio) => format!("{}, or {:.1}% of the image", size(limit), ratio * 100.0),
        None => size(limit),
    };
    let largest: Vec<String> = files
        .wasted
        .iter()
        .take(3)
        .map(|file| {
            format!(
                "/{} ({}, added by {}, removed by {})",
                file.path,
                format_size(file.size),
                super::created_by(context.inspection(), file.added_in),
                super::created_by(context.inspection(), file.removed_in)
            )
        })
        .collect();
    context.report(format!(
        "{} in {} overwritten or deleted by later layers but still shipped (limit {}); largest: {}",
        size(files.wasted_bytes),
        super::files(files.wasted.len()),
        limit_text,
        largest.join("; ")
    ));
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn limits() -> serde_json::Value {
        serde_json::json!({"max_wasted": 1000})
    }

    #[test]
    fn deleted_later() {
        let image = Image::new()
            .layer(Layer::new().file("tmp/sdk.tgz", &[1; 5000]), GZ, "RUN curl sdk")
            .layer(Layer::new().whiteout("tmp/sdk.tgz"), GZ, "RUN rm sdk");
        assert_image_message_with("DG2014", image, limits(), "/tmp/sdk.tgz (5.0 kB, added by `RUN curl sdk`, removed by `RUN rm sdk`)");
    }

    #[test]
    fn hidden_by_an_opaque_directory() {
        let image = Image::new()
            .layer(Layer::new().dir("app").file("app/old", &[1; 5000]), GZ, "COPY old")
            .layer(Layer::new().dir("app").opaque("app").file("app/new", &[1; 5000]), GZ, "COPY new");
        assert_image_message_with("DG2014", image, limits(), "5.0 kB (5000 bytes) in 1 file overwritten");
    }

    #[test]
    fn over_the_share_of_the_image() {
        let image = || {
            Image::new()
                .layer(Layer::new().file("a", &[1; 20_000]), GZ, "COPY a")
                .layer(Layer::new().file("tmp/x", &[1; 2000]), GZ, "COPY x")
                .layer(Layer::new().whiteout("tmp/x"), GZ, "RUN rm x")
        };
        let ratio = |share: &str| serde_json::json!({"max_wasted_ratio": share});
        assert_image_message_with("DG2014", image(), ratio("5%"), "or 5.0% of the image");
        assert_image_catches_not_with("DG2014", image(), ratio("50%"));
    }

    #[test]
    fn nothing_removed_or_under_the_limit() {
        let image = Image::new().layer(Layer::new().file("a", &[1; 5000]), GZ, "COPY a").layer(Layer::new().file("b", &[1; 5000]), GZ, "COPY b");
        assert_image_catches_not_with("DG2014", image, limits());
        let small = Image::new().layer(Layer::new().file("a", &[1; 500]), GZ, "COPY a").layer(Layer::new().whiteout("a"), GZ, "RUN rm a");
        assert_image_catches_not_with("DG2014", small, limits());
    }
}
