//! DL4004: more than one ENTRYPOINT in a stage.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports every `ENTRYPOINT` of a stage after its first one.
    ///
    /// This is also BuildKit's build check
    /// [`MultipleInstructionsDisallowed`](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/),
    /// which `# check=skip=MultipleInstructionsDisallowed` skips. BuildKit
    /// (`dockerfile2llb/validations.go`, `validateUsedOnce`) reports the same stages and
    /// instructions, but on the `ENTRYPOINT` that is overridden, where this rule, like
    /// hadolint, reports each later one.
    ///
    /// ## Why is this bad?
    /// Only the last `ENTRYPOINT` of a stage takes effect; the others are dead code a
    /// reader may take for what the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ENTRYPOINT ["/usr/bin/tini", "--"]
    /// ENTRYPOINT ["/app/server"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ENTRYPOINT ["/usr/bin/tini", "--", "/app/server"]
    /// ```
    code: "DL4004",
    name: "multiple-entrypoint",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
    buildkit: "MultipleInstructionsDisallowed",
    check: check,
}

fn check(context: &mut Context) {
    super::dl4003::report_repeats(context, Keyword::Entrypoint);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn several_in_a_stage() {
        assert_lines("DL4004", "FROM debian:12\nENTRYPOINT a\nENTRYPOINT b\nENTRYPOINT c", &[3, 4]);
    }

    #[test]
    fn one_per_stage() {
        assert_catches_not("DL4004", "FROM debian:12\nENTRYPOINT a\nFROM debian:12\nENTRYPOINT b");
        assert_catches_not("DL4004", "FROM debian:12\nENTRYPOINT a\nCMD b");
    }
}
