//! DG1001: a base image the policy's `base_images` allow/deny lists reject.

use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks each external base image against the policy's `base_images.allow` and
    /// `base_images.deny` globs. The globs match the full image name without tag or
    /// digest, as Docker normalises it: `docker.io/library/debian`,
    /// `ghcr.io/acme/base`. `*` stays within one path segment, `**` spans several.
    /// A denied image is reported even when an allow glob matches it. Without either
    /// list the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// Platform teams maintain a small set of hardened, patched base images. An image
    /// outside that set misses the patches and the scanning, and is one more thing to
    /// track when a vulnerability lands.
    ///
    /// ## Example
    /// With `base_images: {allow: ["ghcr.io/acme/**", "docker.io/library/debian"]}`:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM ghcr.io/acme/base/ubuntu:24.04
    /// ```
    ///
    /// ## Options
    /// Set through the policy's `base_images` section (or directly here):
    /// - `allow`: globs of the images that may be used;
    /// - `deny`: globs of the images that may never be used.
    code: "DG1001",
    name: "base-image-not-allowed",
    severity: Error,
    category: Security,
    fixable: false,
    message: "This base image is not allowed by the policy",
    options: [
        RuleOption::new("allow", OptionKind::Globs, "Globs of the base images that may be used (`docker.io/library/*`, `ghcr.io/acme/**`).").from_policy("base_images.allow"),
        RuleOption::new("deny", OptionKind::Globs, "Globs of the base images that may never be used.").from_policy("base_images.deny"),
    ],
    check: check,
}

fn check(context: &mut Context) {
    let (allow, deny) = (context.option_strings("allow"), context.option_strings("deny"));
    if allow.is_empty() && deny.is_empty() {
        return;
    }
    let (allowed, denied) = (context.option_globs("allow", true), context.option_globs("deny", true));
    let model = context.model();
    for stage in &model.stages {
        let Some(reference) = &stage.base.reference else { continue };
        if !stage.base.is_external() {
            continue;
        }
        let name = format!("{}/{}", reference.registry, reference.repository);
        let message = if let Some(index) = denied.iter().position(|m| m.is_match(&name)) {
            format!("The base image `{name}` is denied by the policy (`{}`)", deny[index])
        } else if !allowed.is_empty() && !allowed.iter().any(|m| m.is_match(&name)) {
            format!("The base image `{name}` is not in the policy's allowed base images ({})", allow.join(", "))
        } else {
            continue;
        };
        let from = &context.instructions()[stage.from];
        context.report(from, stage.base.word.range).message = message;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn lists(allow: &[&str], deny: &[&str]) -> serde_json::Map<String, serde_json::Value> {
        let mut options = serde_json::Map::new();
        options.insert("allow".into(), serde_json::json!(allow));
        options.insert("deny".into(), serde_json::json!(deny));
        options
    }

    #[test]
    fn rejected_images() {
        let options = lists(&["ghcr.io/acme/**", "docker.io/library/debian"], &["docker.io/library/debian"]);
        assert_catches_with("DG1001", &options, "FROM ubuntu:24.04");
        assert_catches_with("DG1001", &options, "FROM debian:12");
        assert_catches_with("DG1001", &lists(&["ghcr.io/acme/*"], &[]), "FROM ghcr.io/acme/team/base:1");
    }

    #[test]
    fn accepted_images() {
        let options = lists(&["ghcr.io/acme/**", "docker.io/library/*"], &[]);
        assert_catches_not_with("DG1001", &options, "FROM ghcr.io/acme/team/base:1");
        assert_catches_not_with("DG1001", &options, "FROM python:3.12-slim");
        assert_catches_not_with("DG1001", &options, "FROM scratch");
        assert_catches_not("DG1001", "FROM anything:1");
    }
}
