//! DL3048: a label key outside Docker's key format, or in a namespace Docker reserves.

use super::labels::labels;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks every label key, `ONBUILD LABEL` included, against Docker's
    /// recommendations: it starts with a lower-case letter, ends with a lower-case
    /// letter or a digit, contains only lower-case letters, digits, `.`, `-`, `_` and
    /// `/` (the last two as hadolint 2.15 accepts them, since Docker's key syntax
    /// allows them), has no `..` or `--`, and is not in a namespace Docker reserves
    /// (`com.docker.*`, `io.docker.*`, `org.dockerproject.*`). Reports one finding per
    /// LABEL instruction, on its first invalid key. Keys are checked as the build sees
    /// them: quotes removed, variables expanded; a key that depends on a build
    /// argument without a default is not judged (hadolint checks keys as written, so
    /// it reports every key with a `$`).
    ///
    /// ## Why is this bad?
    /// Tools that read labels (registries, scanners, orchestrators) expect
    /// reverse-DNS keys such as `org.opencontainers.image.source`. Keys in another
    /// format are hard to query and easy to collide, and Docker's own namespaces may
    /// be given a meaning by Docker at any time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL Maintainer="jane@example.com" com.docker.version="1"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.authors="jane@example.com" com.example.version="1"
    /// ```
    ///
    /// ## References
    /// - [Docker object labels: key format recommendations](https://docs.docker.com/engine/manage-resources/labels/#key-format-recommendations)
    code: "DL3048",
    name: "invalid-label-key",
    severity: Style,
    category: BestPractice,
    fixable: false,
    message: "Invalid label key.",
    check: check,
}

const RESERVED_NAMESPACES: &[&str] = &["com.docker.", "io.docker.", "org.dockerproject."];

/// Docker's recommended key format, as hadolint checks it.
pub(super) fn is_valid_key(key: &str) -> bool {
    let lower_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.ends_with(lower_alnum)
        && key.chars().all(|c| lower_alnum(c) || matches!(c, '.' | '-' | '_' | '/'))
        && !key.contains("..")
        && !key.contains("--")
        && !RESERVED_NAMESPACES
            .iter()
            .any(|namespace| key.starts_with(namespace))
}

fn check(context: &mut Context) {
    let mut reported = None;
    for label in labels(context) {
        let Some(key) = &label.key else { continue };
        if reported == Some(label.index) || is_valid_key(key) {
            continue;
        }
        reported = Some(label.index);
        context.report(label.instruction, label.pair.key.range);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn reserved_namespaces() {
        assert_catches("DL3048", "FROM a\nLABEL com.docker.label=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL io.docker.label=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL org.dockerproject.label=\"foo\"");
        assert_catches("DL3048", "FROM a\nONBUILD LABEL com.docker.label=\"foo\"");
    }

    #[test]
    fn invalid_characters_and_boundaries() {
        assert_catches("DL3048", "FROM a\nLABEL Maintainer=jane");
        assert_catches("DL3048", "FROM a\nLABEL org+name=x");
        assert_catches("DL3048", "FROM a\nLABEL _name=x");
        assert_catches("DL3048", "FROM a\nLABEL name/=x");
        assert_catches("DL3048", "FROM a\nLABEL \"with space\"=x");
        assert_catches("DL3048", "FROM a\nLABEL .invalid=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL -invalid=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL 1invalid=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL invalid.=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL invalid..character=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL invalid--character=\"foo\"");
        assert_catches("DL3048", "FROM a\nLABEL \"\"=\"foo\"");
    }

    #[test]
    fn forms_and_positions() {
        // Legacy `LABEL key value` form.
        assert_catches("DL3048", "FROM a\nLABEL Version 1.0");
        assert_catches_not("DL3048", "FROM a\nLABEL version 1.0 with spaces");
        // One finding per instruction (on its first line, as hadolint reports it, the
        // range being the first bad key), continuation lines.
        assert_lines(
            "DL3048",
            "FROM a\nLABEL good=1 \\\n  Bad=2 \\\n  Worse=3\nLABEL Also=bad",
            &[2, 5],
        );
        // Expanded keys: the build sees `org.example.name`.
        assert_catches_not(
            "DL3048",
            "FROM a\nARG NS=org.example\nLABEL ${NS}.name=x",
        );
        assert_catches("DL3048", "FROM a\nARG NS=Org\nLABEL ${NS}.name=x");
        // A key only the build knows is not judged.
        assert_catches_not("DL3048", "FROM a\nARG NS\nLABEL ${NS}.name=x");
        // Multi-stage: every stage is checked.
        assert_lines("DL3048", "FROM a AS b\nLABEL A=1\nFROM b\nLABEL B=2", &[2, 4]);
    }

    #[test]
    fn valid_keys() {
        assert_catches_not("DL3048", "FROM a\nLABEL org.valid-key.label3=\"foo\"");
        assert_catches_not("DL3048", "FROM a\nLABEL validlabel=\"foo\"");
        assert_catches_not("DL3048", "FROM a\nLABEL build_version=1 com.example/team=x");
        assert_catches_not(
            "DL3048",
            "FROM a\nLABEL \"org.opencontainers.image.source\"=\"https://x\" \\\n  maintainer=me",
        );
        assert_catches_not("DL3048", "FROM a\nLABEL com.dockerhub.x=1 io.dockerx=2");
    }
}
