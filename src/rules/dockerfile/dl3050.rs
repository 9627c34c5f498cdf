//! DL3050: with strict labels, a label the policy's schema does not list.

use super::labels::{SCHEMA, labels};
use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// When the policy sets `labels.strict: true`, reports every LABEL instruction
    /// (`ONBUILD LABEL` included) that sets a label the label schema does not list:
    /// one finding per instruction, on its first such key. Keys are compared as the
    /// build sees them (quotes removed, variables expanded); a key that depends on a
    /// build argument without a default is not judged. Without `strict` the rule
    /// reports nothing; with `strict` and no schema, every label is superfluous.
    ///
    /// ## Why is this bad?
    /// Some organisations publish only a fixed set of labels: to keep internal
    /// information (host names, ticket numbers, people) out of public images, or so
    /// that the tools reading labels see one consistent set.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.source: url}, strict: true}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app" \
    ///       build-host="ci-runner-17.internal"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    /// - `strict`: report labels outside the schema; the policy's `labels.strict`
    ///   sets it (hadolint's `strict-labels`).
    code: "DL3050",
    name: "superfluous-label",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "Superfluous label(s) present.",
    options: [
        SCHEMA,
        RuleOption::new("strict", OptionKind::Bool, "Report labels the schema does not list.").from_policy("labels.strict"),
    ],
    check: check,
}

fn check(context: &mut Context) {
    if !context.option_bool("strict") {
        return;
    }
    let schema = context.option_map("schema");
    let mut reported = None;
    for label in labels(context) {
        let Some(key) = &label.key else { continue };
        if reported == Some(label.index) || schema.iter().any(|(name, _)| name == key) {
            continue;
        }
        reported = Some(label.index);
        context.report(label.instruction, label.pair.key.range);
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use crate::rules::testing::*;

    fn strict() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("required", "text")], Some(true))
    }

    #[test]
    fn superfluous_labels() {
        assert_catches_with("DL3050", &strict(), "FROM a\nLABEL other=\"bar\"");
        assert_catches_with("DL3050", &strict(), "FROM a\nLABEL required=\"foo\" other=\"bar\"");
        assert_catches_with("DL3050", &strict(), "FROM a\nLABEL other bar baz");
        assert_catches_with("DL3050", &strict(), "FROM a\nONBUILD LABEL other=bar");
        assert_catches_with(
            "DL3050",
            &strict(),
            "FROM a\nARG K=other\nLABEL $K=bar",
        );
        assert_catches_with(
            "DL3050",
            &schema(&[], Some(true)),
            "FROM a\nLABEL required=\"foo\"",
        );
        // One per instruction, continuation lines, every stage.
        let found = findings_with(
            "DL3050",
            &strict(),
            "FROM a AS b\nLABEL x=1 \\\n  y=2\nFROM b\nLABEL required=1 \\\n  z=3",
        );
        assert_eq!(found.iter().map(|f| f.line()).collect::<Vec<_>>(), [2, 5]);
    }

    #[test]
    fn listed_labels_or_not_strict() {
        assert_catches_not_with("DL3050", &strict(), "");
        assert_catches_not_with("DL3050", &strict(), "FROM a\nLABEL required=\"foo\"");
        assert_catches_not_with("DL3050", &strict(), "FROM a\nLABEL \"required\"=\"foo\"");
        assert_catches_not_with("DL3050", &strict(), "FROM a\nARG K=required\nLABEL ${K}=x");
        assert_catches_not_with("DL3050", &strict(), "FROM a\nARG K\nLABEL ${K}=x");
        assert_catches_not_with(
            "DL3050",
            &schema(&[("required", "text")], Some(false)),
            "FROM a\nLABEL other=\"bar\"",
        );
        assert_catches_not_with(
            "DL3050",
            &schema(&[("required", "text")], None),
            "FROM a\nLABEL other=\"bar\"",
        );
    }
}
