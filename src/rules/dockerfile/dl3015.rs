//! DL3015: `apt-get install` without `--no-install-recommends`.

use crate::finding::Fix;
use crate::rules::Context;

use super::scripts::{APT_GET_VALUE_FLAGS, apt_get_installs, insert_after_subcommand, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` without `--no-install-recommends`.
    ///
    /// ## Why is this bad?
    /// By default apt also installs every package the requested ones *recommend*:
    /// documentation, optional tools, whole desktop stacks. The image grows and carries
    /// more software to patch. `-o APT::Install-Recommends=false` counts too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-install-recommends` after `install`.
    ///
    /// ## References
    /// - [hadolint DL3015](https://github.com/hadolint/hadolint/wiki/DL3015)
    code: "DL3015",
    name: "apt-get-recommends",
    severity: Info,
    category: BestPractice,
    fixable: true,
    fix: Unsafe("Add `--no-install-recommends`"),
    message: "Avoid additional packages by specifying `--no-install-recommends`",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let missing = apt_get_installs(run.script).find(|command| {
            !command.has_flag(&["--no-install-recommends"])
                && !command
                    .args()
                    .iter()
                    .any(|word| word.value.contains("APT::Install-Recommends=false"))
        });
        if let Some(command) = missing {
            // Fewer packages: what a recommended package provided may be missing.
            let fix = insert_after_subcommand(
                command,
                APT_GET_VALUE_FLAGS,
                "Add `--no-install-recommends`",
                "--no-install-recommends",
            )
            .map(Fix::unsafe_fix);
            let range = command.name().map_or(command.range, |word| word.range);
            context.report(run.instruction, range).fix = fix;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn without_the_flag() {
        assert_catches("DL3015", "FROM debian:12\nRUN apt-get install -y python=2.7");
        assert_catches("DL3015", "FROM debian:12\nRUN apt-get install -y --no-install-recommends a && apt-get install b");
    }

    #[test]
    fn with_the_flag() {
        assert_catches_not("DL3015", "FROM debian:12\nRUN apt-get install -y --no-install-recommends python=2.7");
        assert_catches_not("DL3015", "FROM debian:12\nRUN apt-get -y --no-install-recommends install python=2.7");
        assert_catches_not("DL3015", "FROM debian:12\nRUN apt-get install -y -o APT::Install-Recommends=false python=2.7");
        assert_catches_not("DL3015", "FROM debian:12\nRUN apt-get update");
    }

    #[test]
    fn fix_adds_the_flag() {
        assert_fix(
            "DL3015",
            "FROM debian:12\nRUN apt-get update && apt-get -y install curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get -y install --no-install-recommends curl\n",
        );
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3015", "FROM debian:12\nONBUILD RUN apt-get install -y curl=1");
    }
}
