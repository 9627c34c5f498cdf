//! DG1002: a base image not pinned by digest, where the policy requires it.

use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// With `base_images.require_digest: true` in the policy, reports each external
    /// base image that is not pinned by digest (`@sha256:...`). `scratch` and earlier
    /// stages are never reported. Without the setting the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// A tag is a pointer the publisher can move: `python:3.12-slim` is rebuilt every
    /// few days. Only a digest names exactly one image, so the build that passed review
    /// is the build that ships, and a compromised tag cannot slip in.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
    /// ```
    /// Keep the tag for humans; tools such as Renovate update both together.
    ///
    /// ## Options
    /// - `require`: report unpinned base images (set by `base_images.require_digest`).
    code: "DG1002",
    name: "base-image-without-digest",
    severity: Error,
    category: Reproducibility,
    fixable: false,
    message: "Pin the base image by digest (`image:tag@sha256:...`), as the policy requires",
    options: [RuleOption::new("require", OptionKind::Bool, "Report base images without a digest.").from_policy("base_images.require_digest")],
    check: check,
}

fn check(context: &mut Context) {
    if !context.option_bool("require") {
        return;
    }
    let model = context.model();
    for stage in &model.stages {
        let Some(reference) = &stage.base.reference else { continue };
        if stage.base.is_external() && reference.digest.is_none() {
            let from = &context.instructions()[stage.from];
            context.report(from, stage.base.word.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn required() -> serde_json::Map<String, serde_json::Value> {
        let mut options = serde_json::Map::new();
        options.insert("require".into(), serde_json::json!(true));
        options
    }

    #[test]
    fn unpinned() {
        assert_catches_with("DG1002", &required(), "FROM python:3.12-slim");
        assert_catches_with("DG1002", &required(), "FROM ghcr.io/a/b");
    }

    #[test]
    fn pinned_or_not_required() {
        let digest = "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
        assert_catches_not_with("DG1002", &required(), &format!("FROM python:3.12-slim@{digest}"));
        assert_catches_not_with("DG1002", &required(), "FROM scratch");
        assert_catches_not_with("DG1002", &required(), &format!("FROM a/b@{digest} AS x\nFROM x"));
        assert_catches_not("DG1002", "FROM python:3.12-slim");
    }
}
