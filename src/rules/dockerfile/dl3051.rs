//! DL3051: a label of the policy's schema set to an empty value.

use super::labels::{SCHEMA, labels};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports each label of the policy's label schema (whatever its type) that a
    /// LABEL instruction sets to the empty string, after quotes are removed and
    /// variables expanded (`LABEL version=$VERSION` with `ARG VERSION=` is empty).
    /// A value that depends on a build argument without a default is not judged.
    /// Without a schema the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// An empty label passes a check that the label exists while carrying none of the
    /// information it is required for; it usually means a build argument was not
    /// passed.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.revision: hash}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// ARG REVISION=""
    /// LABEL org.opencontainers.image.revision="$REVISION"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ARG REVISION
    /// LABEL org.opencontainers.image.revision="$REVISION"
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    code: "DL3051",
    name: "empty-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "label `<label>` is empty.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    let schema = context.option_map("schema");
    if schema.is_empty() {
        return;
    }
    for label in labels(context) {
        let (Some(key), Some(value)) = (&label.key, &label.value) else {
            continue;
        };
        if value.is_empty() && schema.iter().any(|(name, _)| name == key) {
            let message = format!("label `{key}` is empty.");
            context.report(label.instruction, label.pair.value.range).message = message;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("emptylabel", "text"), ("other", "url")], None)
    }

    #[test]
    fn empty_values() {
        assert_catches_with("DL3051", &options(), "FROM a\nLABEL emptylabel=\"\"");
        assert_catches_with("DL3051", &options(), "FROM a\nLABEL emptylabel=");
        assert_catches_with("DL3051", &options(), "FROM a\nLABEL x=1 other=''");
        assert_catches_with("DL3051", &options(), "FROM a\nLABEL \"emptylabel\"=\"\" \\\n  x=1");
        assert_catches_with("DL3051", &options(), "FROM a\nARG V=\nLABEL emptylabel=$V");
        assert_catches_with("DL3051", &options(), "FROM a\nONBUILD LABEL emptylabel=\"\"");
        assert_catches_with("DL3051", &options(), "FROM a AS b\nFROM b\nLABEL emptylabel=\"\"");
        let found = findings_with("DL3051", &options(), "FROM a\nLABEL emptylabel=\"\"");
        assert_eq!(found[0].message, "label `emptylabel` is empty.");
    }

    #[test]
    fn non_empty_unknown_or_not_in_the_schema() {
        assert_catches_not_with("DL3051", &options(), "FROM a\nLABEL emptylabel=\"foo\"");
        assert_catches_not_with("DL3051", &options(), "FROM a\nLABEL emptylabel foo bar");
        assert_catches_not_with("DL3051", &options(), "FROM a\nLABEL emptylabel=\" \"");
        assert_catches_not_with("DL3051", &options(), "FROM a\nLABEL notinschema=\"\"");
        assert_catches_not_with("DL3051", &options(), "FROM a\nARG V\nLABEL emptylabel=$V");
        assert_catches_not("DL3051", "FROM a\nLABEL emptylabel=\"\"");
    }
}
