//! DG2015: the image grew more than allowed against its baseline.

use super::size;
use crate::image::baseline::{grew_most, growth};
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Compares the image with a baseline image given with `--baseline` (typically
    /// the image built from the base branch) and checks the growth of its
    /// uncompressed size against the policy's `image.max_growth`. The finding names
    /// the layers that grew most: layers are matched after the base layers both images
    /// share (identical diff IDs), by the step that made them, else by position.
    /// Silent without a baseline or without `image.max_growth`; a shrink never fails.
    ///
    /// ## Why is this bad?
    /// An absolute size budget is set once and then raised whenever it is hit; a
    /// budget on growth catches the one change that adds a compiler, a second copy of
    /// the dependencies or a forgotten cache, in the pull request that adds it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y build-essential
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y build-essential
    /// RUN pip wheel --wheel-dir /wheels -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// COPY --from=build /wheels /wheels
    /// RUN pip install --no-cache-dir /wheels/*
    /// ```
    ///
    /// ## Options
    /// `image.max_growth`: the largest uncompressed growth allowed, e.g. `10MB`;
    /// `--baseline REFERENCE` names the image to compare with.
    code: "DG2015",
    name: "image-growth-over-budget",
    severity: Error,
    category: BestPractice,
    message: "The image grew more than its growth budget",
    enabled_by_default: true,
    needs_layers: false,
    options: [
        RuleOption::new("max_growth", OptionKind::Size, "The largest uncompressed growth against the `--baseline` image.").from_policy("image.max_growth"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let (Some(budget), Some(baseline)) = (context.options().size("max_growth"), &context.inspection().baseline) else {
        return;
    };
    let Some(grown) = growth(facts, baseline).uncompressed else {
        return;
    };
    let Ok(grown) = u64::try_from(grown) else {
        return; // It shrank.
    };
    if grown <= budget {
        return;
    }
    let most = grew_most(facts, baseline, 3);
    let layers = if most.is_empty() {
        String::new()
    } else {
        format!("; grew most: {}", most.join("; "))
    };
    context.report(format!(
        "The image grew by {} uncompressed against the baseline `{}`, {} over its growth budget of {}{layers}",
        size(grown),
        baseline.reference,
        size(grown - budget),
        size(budget),
    ));
}

#[cfg(test)]
mod tests {
    use crate::finding::Finding;
    use crate::image::baseline::Baseline;
    use crate::image::testing::{Image, Layer, Scratch};
    use crate::image::{AnalyzeOptions, Inspection, analyze_reference};
    use crate::rules::testing::GZ;
    use crate::rules::{self, RuleSet};

    /// The shared base layer: a 5,000-byte file (a 6,144-byte tar).
    fn base() -> Layer {
        Layer::new().file("etc/base", &[7; 5000])
    }

    /// The base plus an app layer of one `bytes`-byte file: its tar is `bytes` rounded
    /// up to 512, plus 1,536 (header and end blocks).
    fn image(app: usize) -> Image {
        Image::new()
            .layer(base(), GZ, "ADD rootfs /")
            .layer(Layer::new().file("app", &vec![1; app]), GZ, "COPY app /app")
    }

    fn findings(image: &Image, baseline: Option<&Image>, budget: Option<u64>) -> Vec<Finding> {
        let scratch = Scratch::new();
        let options = AnalyzeOptions {
            read_layers: true,
            ..AnalyzeOptions::default()
        };
        let analyze = |image: &Image, name: &str| {
            let dir = scratch.path().join(name);
            image.write_oci_dir(&dir);
            analyze_reference(&format!("oci:{}", dir.display()), &options).expect("analysed")
        };
        let mut inspection = Inspection::new(analyze(image, "new"));
        inspection.baseline = baseline.map(|old| Baseline::new(analyze(old, "old")));
        let mut options = serde_json::Map::new();
        if let Some(budget) = budget {
            options.insert("max_growth".into(), budget.into());
        }
        rules::check_image(&inspection, &RuleSet::only_with("DG2015", options))
    }

    #[test]
    fn just_over_names_the_layer_that_grew() {
        // 10,000 -> 20,000 bytes: the tar grows from 11,776 to 22,016, by 10,240.
        let found = findings(&image(20_000), Some(&image(10_000)), Some(10_239));
        assert_eq!(found.len(), 1, "{found:?}");
        let message = &found[0].message;
        assert!(message.contains("grew by 10.2 kB (10240 bytes)"), "{message}");
        assert!(message.contains("1 bytes) over its growth budget"), "{message}");
        assert!(
            message.contains("grew most: layer 2 +10.2 kB (was layer 2) `COPY app /app`"),
            "{message}"
        );
        // The shared base layer did not grow and is not named.
        assert!(!message.contains("layer 1"), "{message}");
    }

    #[test]
    fn just_under_or_at_the_budget() {
        assert!(findings(&image(20_000), Some(&image(10_000)), Some(10_240)).is_empty());
    }

    #[test]
    fn a_shrink_never_fails() {
        assert!(findings(&image(10_000), Some(&image(20_000)), Some(0)).is_empty());
    }

    #[test]
    fn silent_without_a_baseline_or_a_budget() {
        assert!(findings(&image(20_000), None, Some(0)).is_empty());
        assert!(findings(&image(20_000), Some(&image(10_000)), None).is_empty());
    }

    #[test]
    fn a_new_layer_above_the_shared_base() {
        let grown = image(10_000).layer(
            Layer::new().file("tool", &[2; 3000]),
            GZ,
            "RUN install-tool",
        );
        let found = findings(&grown, Some(&image(10_000)), Some(0));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("grew most: layer 3 +4.6 kB (new) `RUN install-tool`"),
            "{}",
            found[0].message
        );
    }
}
