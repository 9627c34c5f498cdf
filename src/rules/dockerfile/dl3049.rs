//! DL3049: a label the policy requires is not set on the image `docker build` builds.

use super::labels::{SCHEMA, labels};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// For each label of the policy's label schema, checks that the image built by
    /// default (the last stage) sets it: with a `LABEL` in that stage or in an
    /// earlier stage it is built `FROM`, however deep. Label keys are compared as the
    /// build sees them (quotes removed, `ARG`/`ENV` variables expanded). `ONBUILD
    /// LABEL` does not count: it labels the images built from this one. When a key
    /// depends on a build argument without a default, which label it sets cannot be
    /// known, and nothing is reported. Without a schema the rule reports nothing.
    ///
    /// Each missing label is one finding, on the `FROM` of the last stage.
    ///
    /// Unlike hadolint, which reports every stage that no labelled stage builds on or
    /// copies from (so also an unused `FROM ... AS tools` stage), only the image that is
    /// shipped is checked: the labels of an intermediate stage never reach a registry.
    ///
    /// ## Why is this bad?
    /// Labels are how registries, scanners and people find out where an image comes
    /// from: its source repository, revision, licence and owner. An image without the
    /// labels an organisation relies on cannot be traced back.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.source: url}}`:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// FROM gcr.io/distroless/static
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    ///
    /// ## References
    /// - [OCI image annotations](https://github.com/opencontainers/image-spec/blob/main/annotations.md)
    code: "DL3049",
    name: "missing-label",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` is missing.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    let schema = context.option_map("schema");
    if schema.is_empty() {
        return;
    }
    let model = context.model();
    let Some(last) = model.last_stage() else {
        return;
    };
    let chain = model.chain(last.index);
    let mut set = Vec::new();
    for label in labels(context) {
        if label.onbuild || !chain.iter().any(|s| s.instructions.contains(&label.index)) {
            continue;
        }
        match label.key {
            Some(key) => set.push(key),
            // It might set any of them.
            None => return,
        }
    }
    let from = &context.instructions()[last.from];
    for (label, _) in schema {
        if !set.iter().any(|key| key == label) {
            context.report(from, from.range).message = format!("Label `{label}` is missing.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use crate::rules::testing::*;

    fn foo() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("foo", "text")], None)
    }

    #[test]
    fn single_stage() {
        assert_catches_with("DL3049", &foo(), "FROM baseimage");
        assert_catches_with("DL3049", &foo(), "FROM baseimage\nLABEL bar=\"baz\"");
        assert_catches_not_with("DL3049", &foo(), "FROM baseimage\nLABEL foo=\"bar\"");
        // Legacy form, quoted key, several per instruction, continuation lines.
        assert_catches_not_with("DL3049", &foo(), "FROM baseimage\nLABEL foo bar baz");
        assert_catches_not_with("DL3049", &foo(), "FROM baseimage\nLABEL \"foo\"=bar");
        assert_catches_not_with(
            "DL3049",
            &foo(),
            "FROM baseimage\nLABEL a=1 \\\n  foo=2 \\\n  b=3",
        );
        // ONBUILD LABEL labels the children, not this image.
        assert_catches_with("DL3049", &foo(), "FROM baseimage\nONBUILD LABEL foo=bar");
        assert_catches_not("DL3049", "FROM baseimage");
    }

    #[test]
    fn one_finding_per_missing_label() {
        let options = schema(&[("a", "text"), ("b", "url"), ("c", "text")], None);
        let found = findings_with("DL3049", &options, "FROM x\nLABEL b=https://x");
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Label `a` is missing.", "Label `c` is missing."]);
    }

    #[test]
    fn expanded_keys() {
        let options = schema(&[("org.example.name", "text")], None);
        assert_catches_not_with(
            "DL3049",
            &options,
            "FROM x\nARG NS=org.example\nLABEL ${NS}.name=app",
        );
        assert_catches_with(
            "DL3049",
            &options,
            "FROM x\nARG NS=com.example\nLABEL ${NS}.name=app",
        );
        // The key depends on the build: it may be the required one.
        assert_catches_not_with("DL3049", &options, "FROM x\nARG NS\nLABEL ${NS}.name=app");
    }

    #[test]
    fn multi_stage_checks_the_last_stage_and_what_it_builds_on() {
        let options = foo();
        // Label in the last stage only.
        assert_catches_not_with("DL3049", &options, "FROM a AS base\nFROM b\nLABEL foo=bar");
        assert_catches_not_with("DL3049", &options, "FROM a\nFROM b\nLABEL foo=bar");
        // Label in the stage the last one builds on, directly or not.
        assert_catches_not_with("DL3049", &options, "FROM a AS base\nLABEL foo=bar\nFROM base");
        assert_catches_not_with(
            "DL3049",
            &options,
            "FROM a AS one\nLABEL foo=bar\nFROM one AS two\nFROM two",
        );
        // Label in a stage the last one only copies from, or in an unrelated stage.
        assert_catches_with(
            "DL3049",
            &options,
            "FROM a AS build\nLABEL foo=bar\nFROM b\nCOPY --from=build /x /x",
        );
        assert_catches_with("DL3049", &options, "FROM a\nLABEL foo=bar\nFROM b");
        // Reported on the last FROM.
        let found = findings_with("DL3049", &options, "FROM a AS x\nLABEL foo=1\nFROM b\nRUN true");
        assert_eq!(found.iter().map(|f| f.line()).collect::<Vec<_>>(), [3]);
    }
}
