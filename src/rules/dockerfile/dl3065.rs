//! DL3065: FROM --platform=$TARGETPLATFORM, which is the default.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform anyway: the flag says nothing, and a
    /// reader may take it for the `$BUILDPLATFORM` a cross-compiling stage needs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM debian:12
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ```
    ///
    /// This is BuildKit's build check
    /// [`RedundantTargetPlatform`](https://docs.docker.com/reference/build-checks/redundant-target-platform/)
    /// too. BuildKit (`dockerfile2llb/validations.go`, `reportRedundantTargetPlatform`)
    /// also reports a value whose only variable is `TARGETPLATFORM` and that expands to
    /// it, such as `${TARGETPLATFORM:-linux/amd64}`; this rule keeps hadolint's two
    /// spellings, so `builtin:hadolint` stays hadolint's.
    ///
    /// ## Fix
    /// Removes the flag.
    code: "DL3065",
    name: "redundant-target-platform",
    severity: Warning,
    category: BestPractice,
    fixable: true,
    fix: Safe("Remove `--platform=$TARGETPLATFORM`"),
    message: "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior",
    buildkit: "RedundantTargetPlatform",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for stage in &model.stages {
        let Some(platform) = &stage.platform else { continue };
        if !matches!(platform.raw.trim(), "$TARGETPLATFORM" | "${TARGETPLATFORM}") {
            continue;
        }
        let from = &context.instructions()[stage.from];
        // The flag and the blanks after it.
        let source = context.source();
        let mut end = platform.range.end;
        while source[end..].starts_with([' ', '\t']) {
            end += 1;
        }
        let range = crate::source::TextRange::new(platform.range.start, end);
        let fix = crate::finding::Fix::replace("Remove `--platform=$TARGETPLATFORM`", range, "");
        context.report(from, platform.range).fix = Some(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn target_platform() {
        assert_catches("DL3065", "FROM --platform=$TARGETPLATFORM debian:12");
        assert_catches("DL3065", "FROM --platform=${TARGETPLATFORM} debian:12 AS a");
        assert_catches_not("DL3065", "FROM --platform=$BUILDPLATFORM debian:12");
        assert_catches_not("DL3065", "FROM --platform=linux/amd64 debian:12");
        assert_catches_not("DL3065", "FROM debian:12");
    }

    #[test]
    fn fix_removes_the_flag() {
        assert_fix(
            "DL3065",
            "FROM --platform=$TARGETPLATFORM debian:12 AS a\n",
            "FROM debian:12 AS a\n",
        );
    }
}
