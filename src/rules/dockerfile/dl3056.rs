//! DL3056: a `semver`-typed label that is not a semantic version.

use super::labels::{SCHEMA, check_values};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks the value of each label the policy's label schema types `semver`: it
    /// must be a version as Semantic Versioning 2.0.0 defines it, `MAJOR.MINOR.PATCH`
    /// with optional pre-release and build parts (`1.4.0`, `2.0.0-rc.1+build.5`), no
    /// leading `v` and no leading zeros. Values are checked after quotes are removed
    /// and variables expanded; a value that depends on a build argument without a
    /// default is not judged. Without a schema the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// Deployment tools compare versions to decide what is newer and whether an
    /// upgrade may break things. `v1.2`, `latest` or a date cannot be compared that
    /// way.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.version: semver}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.version="v1.2"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.version="1.2.0"
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    ///
    /// ## References
    /// - [Semantic Versioning 2.0.0](https://semver.org/spec/v2.0.0.html)
    code: "DL3056",
    name: "invalid-semver-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` does not conform to semantic versioning.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    check_values(
        context,
        "semver",
        |value| semver::Version::parse(value).is_ok(),
        |label| format!("Label `{label}` does not conform to semantic versioning."),
    );
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("semver", "semver"), ("other", "text")], None)
    }

    #[test]
    fn not_versions() {
        for value in ["not-semver", "", "v1.0.0", "1.2", "01.2.3", "1.2.3-01", "latest"] {
            let source = format!("FROM a\nLABEL semver=\"{value}\"");
            assert_catches_with("DL3056", &options(), &source);
        }
        assert_catches_with("DL3056", &options(), "FROM a\nLABEL semver 1.0");
        assert_catches_with("DL3056", &options(), "FROM a\nLABEL other=x \\\n  semver=1");
        assert_catches_with("DL3056", &options(), "FROM a\nARG V=1.0\nLABEL semver=$V");
        assert_catches_with("DL3056", &options(), "FROM a AS b\nLABEL semver=x\nFROM b");
        let found = findings_with("DL3056", &options(), "FROM a\nLABEL semver=x");
        assert_eq!(found[0].message, "Label `semver` does not conform to semantic versioning.");
    }

    #[test]
    fn versions_and_unknowable_values() {
        for value in ["1.0.0", "0.0.1", "1.0.0-rc1", "2.0.0-rc.1+build.5", "1.2.3+20240501"] {
            let source = format!("FROM a\nLABEL \"semver\"='{value}'");
            assert_catches_not_with("DL3056", &options(), &source);
        }
        assert_catches_not_with("DL3056", &options(), "FROM a\nARG V=1.4.0\nLABEL semver=$V");
        assert_catches_not_with("DL3056", &options(), "FROM a\nARG V\nLABEL semver=$V");
        assert_catches_not_with("DL3056", &options(), "FROM a\nLABEL other=x");
        assert_catches_not("DL3056", "FROM a\nLABEL semver=x");
    }
}
