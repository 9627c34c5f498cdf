//! DL3034: zypper without yes.

use crate::rules::Context;

use super::scripts::{ZYPPER_VALUE_FLAGS, command_word, insert_after_subcommand, report_runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports a zypper command that changes packages (`install`, `remove`, `update`,
    /// `patch`, `dist-upgrade`, ...) without `-y` (`-n`, `--non-interactive`, `--no-confirm`).
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer zypper's prompt: without a non-interactive switch
    /// the install aborts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after the subcommand.
    ///
    /// ## References
    /// - [hadolint DL3034](https://github.com/hadolint/hadolint/wiki/DL3034)
    code: "DL3034",
    name: "zypper-without-yes",
    severity: Warning,
    category: Correctness,
    fixable: true,
    fix: Safe("Add `-y`"),
    message: "Non-interactive switch missing from `zypper` command: `zypper install -y`",
    check: check,
}

/// The zypper subcommands that ask for confirmation.
const CHANGING: &[&str] = &[
    "install", "in", "remove", "rm", "source-install", "si", "patch", "update", "up",
    "dist-upgrade", "dup",
];

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let command = run
            .script
            .commands_with("zypper", CHANGING, ZYPPER_VALUE_FLAGS)
            .find(|command| {
            !command.has_flag(&["-y", "-n", "--non-interactive", "--no-confirm"])
        })?;
        let fix = insert_after_subcommand(command, ZYPPER_VALUE_FLAGS, "Add `-y`", "-y");
        Some((command_word(command), fix))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn interactive() {
        assert_catches("DL3034", "FROM opensuse/leap:15\nRUN zypper install httpd=2 && zypper clean");
        assert_catches("DL3034", "FROM opensuse/leap:15\nRUN zypper in httpd=2 && zypper clean");
        assert_catches("DL3034", "FROM opensuse/leap:15\nRUN zypper patch --cve=cve-2015-7547");
    }

    #[test]
    fn non_interactive() {
        for flags in ["install -y", "-n install", "--non-interactive in", "install --no-confirm"] {
            assert_catches_not("DL3034", &format!("FROM opensuse/leap:15\nRUN zypper {flags} httpd=2 && zypper clean"));
        }
        assert_catches_not("DL3034", "FROM opensuse/leap:15\nRUN zypper refresh");
    }

    #[test]
    fn fix_adds_yes() {
        assert_fix("DL3034", "FROM opensuse/leap:15\nRUN zypper in httpd=2\n", "FROM opensuse/leap:15\nRUN zypper in -y httpd=2\n");
    }
}
