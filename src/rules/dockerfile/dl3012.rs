//! DL3012: more than one HEALTHCHECK in a stage.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports every `HEALTHCHECK` of a stage after its first one.
    ///
    /// This is also BuildKit's build check
    /// [`MultipleInstructionsDisallowed`](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/),
    /// which `# check=skip=MultipleInstructionsDisallowed` skips. BuildKit
    /// (`dockerfile2llb/validations.go`, `validateUsedOnce`) reports the same stages and
    /// instructions, but on the `HEALTHCHECK` that is overridden, where this rule, like
    /// hadolint, reports each later one.
    ///
    /// ## Why is this bad?
    /// Only the last `HEALTHCHECK` of a stage takes effect; the others are dead code.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// HEALTHCHECK CMD curl -f http://localhost/health || exit 1
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/health || exit 1
    /// ```
    code: "DL3012",
    name: "multiple-healthcheck",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "Multiple `HEALTHCHECK` instructions",
    buildkit: "MultipleInstructionsDisallowed",
    check: check,
}

fn check(context: &mut Context) {
    super::dl4003::report_repeats(context, Keyword::Healthcheck);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn several_in_a_stage() {
        assert_catches("DL3012", "FROM debian:12\nHEALTHCHECK CMD a\nHEALTHCHECK NONE");
    }

    #[test]
    fn one_per_stage() {
        assert_catches_not("DL3012", "FROM debian:12\nHEALTHCHECK CMD a\nFROM debian:12\nHEALTHCHECK CMD b");
    }
}
