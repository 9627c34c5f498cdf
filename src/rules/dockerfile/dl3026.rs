//! DL3026: a base image from a registry the policy does not trust.

use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// When the policy lists trusted registries, reports each `FROM` whose image comes
    /// from another registry. Images without a registry part come from `docker.io`.
    /// `scratch` and earlier stages are never reported; base images written with build
    /// arguments are expanded first. Without the option the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// A base image is code that runs in production. Pulling it from an arbitrary
    /// registry bypasses the mirror, the scanning and the provenance checks an
    /// organisation puts on its own registries.
    ///
    /// ## Example
    /// With `trusted_registries: [ghcr.io]`:
    /// ```dockerfile
    /// FROM quay.io/someone/tool:1.2
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM ghcr.io/acme/tool:1.2
    /// ```
    ///
    /// ## Options
    /// - `trusted_registries`: registry host names, globs allowed (`*.gcr.io`).
    ///   hadolint's `trustedRegistries`.
    code: "DL3026",
    name: "untrusted-registry",
    severity: Error,
    category: Security,
    fixable: false,
    message: "Use only an allowed registry in the FROM image",
    options: [RuleOption::new("trusted_registries", OptionKind::Globs, "Registries base images may come from (`docker.io`, `ghcr.io`, `*.gcr.io`).").from_hadolint("trustedRegistries")],
    check: check,
}

fn check(context: &mut Context) {
    let trusted = context.option_strings("trusted_registries");
    if trusted.is_empty() {
        return;
    }
    let matchers = context.option_globs("trusted_registries", false);
    let model = context.model();
    for stage in &model.stages {
        let Some(reference) = &stage.base.reference else { continue };
        if !stage.base.is_external() || matchers.iter().any(|m| m.is_match(&reference.registry)) {
            continue;
        }
        let from = &context.instructions()[stage.from];
        let registry = reference.registry.clone();
        context.report(from, stage.base.word.range).message = format!(
            "Use only an allowed registry in the FROM image: `{registry}` is not one of {}",
            trusted.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn trusting(registries: &[&str]) -> serde_json::Map<String, serde_json::Value> {
        let mut options = serde_json::Map::new();
        options.insert("trusted_registries".into(), serde_json::json!(registries));
        options
    }

    #[test]
    fn untrusted_registries() {
        let options = trusting(&["ghcr.io", "*.gcr.io"]);
        assert_catches_with("DL3026", &options, "FROM quay.io/x/y:1");
        assert_catches_with("DL3026", &options, "FROM debian:12");
        assert_catches_with("DL3026", &options, "ARG REG=quay.io\nFROM $REG/x:1");
    }

    #[test]
    fn trusted_or_not_an_image() {
        let options = trusting(&["ghcr.io", "*.gcr.io", "docker.io"]);
        assert_catches_not_with("DL3026", &options, "FROM ghcr.io/acme/x:1");
        assert_catches_not_with("DL3026", &options, "FROM eu.gcr.io/p/x:1");
        assert_catches_not_with("DL3026", &options, "FROM debian:12");
        assert_catches_not_with("DL3026", &options, "FROM scratch");
        assert_catches_not_with("DL3026", &trusting(&["ghcr.io"]), "FROM ghcr.io/a/b AS build\nFROM build");
        assert_catches_not("DL3026", "FROM quay.io/x/y:1");
    }
}
