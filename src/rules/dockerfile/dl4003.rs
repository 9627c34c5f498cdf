//! DL4003: more than one CMD in a stage.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports every `CMD` of a stage after its first one.
    ///
    /// This is also BuildKit's build check
    /// [`MultipleInstructionsDisallowed`](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/),
    /// which `# check=skip=MultipleInstructionsDisallowed` skips. BuildKit
    /// (`dockerfile2llb/validations.go`, `validateUsedOnce`) reports the same stages and
    /// instructions, but on the `CMD` that is overridden, where this rule, like hadolint,
    /// reports each later one.
    ///
    /// ## Why is this bad?
    /// Only the last `CMD` of a stage takes effect; the others are dead code a reader
    /// may take for what the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// CMD ["python", "manage.py", "migrate"]
    /// CMD ["gunicorn", "app:app"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12
    /// CMD ["gunicorn", "app:app"]
    /// ```
    code: "DL4003",
    name: "multiple-cmd",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
    buildkit: "MultipleInstructionsDisallowed",
    check: check,
}

fn check(context: &mut Context) {
    report_repeats(context, Keyword::Cmd);
}

/// Reports each `keyword` instruction of a stage after the stage's first.
pub(super) fn report_repeats(context: &mut Context, keyword: Keyword) {
    let model = context.model();
    // Instructions before the first FROM are an invalid file (DL3061), counted alike.
    let before_from = 0..model.stages.first().map_or(context.instructions().len(), |s| s.from);
    let groups = std::iter::once(before_from).chain(model.stages.iter().map(|s| s.instructions.clone()));
    for group in groups {
        let mut seen = false;
        for instruction in &context.instructions()[group] {
            if instruction.keyword != keyword {
                continue;
            }
            if seen {
                context.report(instruction, instruction.range);
            }
            seen = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn several_in_a_stage() {
        assert_catches("DL4003", "FROM debian:12\nCMD a\nCMD b");
        assert_lines("DL4003", "CMD []\nCMD [\"a\"]\nCMD b", &[2, 3]);
        assert_lines("DL4003", "FROM debian:12\nCMD a\nCMD b\nFROM debian:12\nCMD c\nCMD [\"d\"]", &[3, 6]);
    }

    #[test]
    fn one_per_stage() {
        assert_catches_not("DL4003", "FROM debian:12\nCMD a\nFROM debian:12\nCMD b");
        assert_catches_not("DL4003", "FROM debian:12\nCMD a\nONBUILD CMD b");
        assert_catches_not("DL4003", "FROM debian:12\nCMD a\nENTRYPOINT b");
    }
}
