//! DL3055: a `hash`-typed label that is not a git commit hash.

use super::labels::{SCHEMA, check_values};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks the value of each label the policy's label schema types `hash`: it must
    /// be a git commit hash written in lower-case hexadecimal, either in full (40
    /// digits) or abbreviated to git's default 7. Values are checked after quotes are
    /// removed and variables expanded; a value that depends on a build argument
    /// without a default is not judged. Without a schema the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// A revision label is how an image is traced back to the commit it was built
    /// from. A branch name, a tag or a placeholder cannot be resolved to one commit.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.revision: hash}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.revision="main"
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
    code: "DL3055",
    name: "invalid-hash-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` is not a valid git hash.",
    options: [SCHEMA],
    check: check,
}

/// 40 or 7 lower-case hexadecimal digits, as hadolint accepts.
fn is_git_hash(value: &str) -> bool {
    matches!(value.len(), 7 | 40) && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn check(context: &mut Context) {
    check_values(context, "hash", is_git_hash, |label| {
        format!("Label `{label}` is not a valid git hash.")
    });
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("hashlabel", "hash"), ("other", "text")], None)
    }

    #[test]
    fn not_hashes() {
        assert_catches_with("DL3055", &options(), "FROM a\nLABEL hashlabel=\"not-a-hash\"");
        assert_catches_with("DL3055", &options(), "FROM a\nLABEL hashlabel=\"\"");
        assert_catches_with("DL3055", &options(), "FROM a\nLABEL hashlabel=2f4c0b2d");
        assert_catches_with("DL3055", &options(), "FROM a\nLABEL hashlabel=2F4C0B2");
        assert_catches_with(
            "DL3055",
            &options(),
            "FROM a\nLABEL hashlabel=\"ad5ad5d0a2b3b13d1be2b1ca0d3df18d3c1ae5a1b\"",
        );
        assert_catches_with("DL3055", &options(), "FROM a\nLABEL other=x \\\n  hashlabel=main");
        assert_catches_with("DL3055", &options(), "FROM a\nLABEL hashlabel main");
        assert_catches_with("DL3055", &options(), "FROM a\nARG R=HEAD\nLABEL hashlabel=$R");
        assert_catches_with("DL3055", &options(), "FROM a AS b\nLABEL hashlabel=x\nFROM b");
        let found = findings_with("DL3055", &options(), "FROM a\nLABEL hashlabel=x");
        assert_eq!(found[0].message, "Label `hashlabel` is not a valid git hash.");
    }

    #[test]
    fn hashes_and_unknowable_values() {
        assert_catches_not_with(
            "DL3055",
            &options(),
            "FROM a\nLABEL hashlabel=\"2f4c0b2d1e0fb6dbd3a7e5d4c2b1a09876543210\"",
        );
        assert_catches_not_with("DL3055", &options(), "FROM a\nLABEL \"hashlabel\"='2f4c0b2'");
        assert_catches_not_with("DL3055", &options(), "FROM a\nARG R\nLABEL hashlabel=$R");
        assert_catches_not_with("DL3055", &options(), "FROM a\nLABEL other=main");
        assert_catches_not("DL3055", "FROM a\nLABEL hashlabel=main");
    }
}
