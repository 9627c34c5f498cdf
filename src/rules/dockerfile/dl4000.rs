//! DL4000: MAINTAINER is deprecated.

use crate::dockerfile::{Args, Keyword};
use crate::finding::Fix;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports the `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13. A label records the same
    /// information, can be read with `docker inspect`, and follows the OCI annotation
    /// conventions.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL maintainer="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix
    /// Replaces the instruction with a `maintainer` label of the same value.
    ///
    /// ## References
    /// - [Dockerfile reference: MAINTAINER (deprecated)](https://docs.docker.com/reference/dockerfile/#maintainer-deprecated)
    code: "DL4000",
    name: "maintainer-deprecated",
    severity: Error,
    category: Deprecation,
    fixable: true,
    fix: Safe("Replace `MAINTAINER` with `LABEL maintainer=...`"),
    message: "MAINTAINER is deprecated",
    buildkit: "MaintainerDeprecated",
    check: check,
}

fn check(context: &mut Context) {
    for instruction in context.instructions() {
        if instruction.keyword != Keyword::Maintainer {
            continue;
        }
        let fix = match &instruction.args {
            Args::Shell(maintainer) => Some(Fix::replace(
                "Replace `MAINTAINER` with `LABEL maintainer=...`",
                instruction.range,
                format!("LABEL maintainer=\"{}\"", escape(maintainer.value.trim())),
            )),
            _ => None,
        };
        context.report(instruction, instruction.range).fix = fix;
    }
}

/// Escapes a value for a double-quoted LABEL value, where `\`, `"` and `$` are special.
fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn maintainer() {
        assert_catches("DL4000", "FROM debian:12\nMAINTAINER Jane Doe");
        assert_catches("DL4000", "maintainer jane");
        assert_catches_not("DL4000", "FROM debian:12\nLABEL maintainer=jane");
    }

    #[test]
    fn fix_turns_it_into_a_label() {
        assert_fix(
            "DL4000",
            "FROM debian:12\nMAINTAINER Jane \"JD\" Doe <jane@example.com>\nRUN true\n",
            "FROM debian:12\nLABEL maintainer=\"Jane \\\"JD\\\" Doe <jane@example.com>\"\nRUN true\n",
        );
    }
}
