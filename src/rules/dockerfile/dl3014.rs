//! DL3014: `apt-get install` without `-y`.

use crate::dockerfile::shell::Command;
use crate::rules::Context;

use super::scripts::{APT_GET_VALUE_FLAGS, apt_get_installs, insert_after_subcommand, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` without `-y` (`--yes`, `--assume-yes`, or `-qq`,
    /// which implies it).
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer apt's "Do you want to continue?": without `-y`
    /// apt aborts as soon as the install needs more than the named packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after `install`.
    ///
    /// ## References
    /// - [hadolint DL3014](https://github.com/hadolint/hadolint/wiki/DL3014)
    code: "DL3014",
    name: "apt-get-without-yes",
    severity: Warning,
    category: Correctness,
    fixable: true,
    fix: Safe("Add `-y`"),
    message: "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let missing = apt_get_installs(run.script).find(|command| !assumes_yes(command));
        if let Some(command) = missing {
            let fix = insert_after_subcommand(command, APT_GET_VALUE_FLAGS, "Add `-y`", "-y");
            let range = command.name().map_or(command.range, |word| word.range);
            context.report(run.instruction, range).fix = fix;
        }
    }
}

/// `-y`, `--yes`, `--assume-yes`, or quiet level 2 (`-qq`, `-q -q`, `-q=2`).
fn assumes_yes(command: &Command) -> bool {
    if command.has_flag(&["-y", "--yes", "--assume-yes"]) {
        return true;
    }
    let mut quiet = 0;
    for word in command.args() {
        let value = word.value.as_str();
        if let Some(level) = value.strip_prefix("-q=").or(value.strip_prefix("--quiet=")) {
            quiet += level.parse::<usize>().unwrap_or(0);
        } else if value == "--quiet" {
            quiet += 1;
        } else if value.starts_with('-') && !value.starts_with("--") {
            quiet += value.matches('q').count();
        }
    }
    quiet >= 2
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn without_yes() {
        assert_catches("DL3014", "FROM debian:12\nRUN apt-get install python");
        assert_catches("DL3014", "FROM debian:12\nRUN apt-get install -q python");
    }

    #[test]
    fn with_yes() {
        for flags in ["-y", "--yes", "--assume-yes", "-qy", "-qq", "-q -q", "-q=2", "--quiet --quiet", "--yes=true"] {
            assert_catches_not("DL3014", &format!("FROM debian:12\nRUN apt-get install {flags} python"));
        }
        assert_catches_not("DL3014", "FROM debian:12\nRUN apt-get -y install python");
        assert_catches_not("DL3014", "FROM debian:12\nRUN apt-get update");
    }

    #[test]
    fn fix_adds_yes() {
        assert_fix(
            "DL3014",
            "FROM debian:12\nRUN apt-get install curl\n",
            "FROM debian:12\nRUN apt-get install -y curl\n",
        );
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3014", "FROM debian:12\nONBUILD RUN apt-get install --no-install-recommends curl=1");
    }
}
