//! DL3027: `apt` instead of `apt-get`.

use crate::finding::Fix;
use crate::rules::Context;

use super::scripts::{APT_GET_VALUE_FLAGS, command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports the `apt` command.
    ///
    /// ## Why is this bad?
    /// `apt` is the interactive front end: its output and behaviour may change between
    /// releases, and it warns that it "does not have a stable CLI interface". Scripts
    /// should use `apt-get` and `apt-cache`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt update && apt install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Fix
    /// Replaces `apt` with `apt-get` when the subcommand means the same to both
    /// (`install`, `remove`, `purge`, `update`, `autoremove`, `clean`); `apt upgrade`
    /// and `apt list` have no exact `apt-get` twin and are left to you.
    ///
    /// ## References
    /// - [hadolint DL3027](https://github.com/hadolint/hadolint/wiki/DL3027)
    code: "DL3027",
    name: "apt-instead-of-apt-get",
    severity: Warning,
    category: BestPractice,
    fixable: true,
    fix: Safe("Use `apt-get`"),
    message: "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
    check: check,
}

const SAME_IN_APT_GET: &[&str] = &["install", "remove", "purge", "update", "autoremove", "clean"];

fn check(context: &mut Context) {
    for run in runs(context) {
        let Some(apt) = run.script.commands.iter().find(|c| c.name().is_some_and(|w| w.value == "apt")) else {
            continue;
        };
        let word = command_word(apt);
        let fix = apt
            .subcommand(APT_GET_VALUE_FLAGS)
            .filter(|sub| SAME_IN_APT_GET.contains(&sub.value.as_str()))
            .map(|_| Fix::replace("Use `apt-get`", word, "apt-get"));
        context.report(run.instruction, word).fix = fix;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn apt() {
        assert_catches("DL3027", "FROM debian:12\nRUN apt install -y python");
        assert_catches("DL3027", "FROM debian:12\nRUN apt-get update && apt list");
    }

    #[test]
    fn apt_get() {
        assert_catches_not("DL3027", "FROM debian:12\nRUN apt-get install -y python");
        assert_catches_not("DL3027", "FROM debian:12\nRUN apt-cache policy python && echo apt");
    }

    #[test]
    fn fix_when_the_same() {
        assert_fix(
            "DL3027",
            "FROM debian:12\nRUN apt install -y curl\n",
            "FROM debian:12\nRUN apt-get install -y curl\n",
        );
        assert!(findings("DL3027", "FROM debian:12\nRUN apt upgrade -y\n")[0].fix.is_none());
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3027", "FROM debian:12\nONBUILD RUN apt install curl");
    }
}
