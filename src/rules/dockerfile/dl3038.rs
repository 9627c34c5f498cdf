//! DL3038: dnf without yes.

use crate::rules::Context;

use super::scripts::{command_word, insert_after_subcommand, rpm_commands, runs, RPM_VALUE_FLAGS};

crate::declare_rule! {
    /// ## What it does
    /// Reports `dnf install` without `-y` (`--assumeyes`).
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer the confirmation prompt: without `-y` the
    /// install aborts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after the subcommand.
    ///
    /// ## References
    /// - [hadolint DL3038](https://github.com/hadolint/hadolint/wiki/DL3038)
    code: "DL3038",
    name: "dnf-without-yes",
    severity: Warning,
    category: Correctness,
    fixable: true,
    message: "Use the -y switch to avoid manual input `dnf install -y <package>`",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let missing = rpm_commands(run.script, &["dnf", "microdnf"], &["install", "groupinstall", "localinstall", "reinstall"])
            .find(|command| !command.has_flag(&["-y", "--assumeyes"]));
        if let Some(command) = missing {
            let fix = insert_after_subcommand(command, RPM_VALUE_FLAGS, "Add `-y`", "-y");
            context.report(run.instruction, command_word(command)).fix = fix;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn without_yes() {
        assert_catches("DL3038", "FROM fedora:40\nRUN dnf install httpd-2.4 && dnf clean all");
    }

    #[test]
    fn with_yes() {
        assert_catches_not("DL3038", "FROM fedora:40\nRUN dnf install -y httpd-2.4 && dnf clean all");
        assert_catches_not("DL3038", "FROM fedora:40\nRUN dnf -y install httpd-2.4 && dnf clean all");
        assert_catches_not("DL3038", "FROM fedora:40\nRUN dnf install --assumeyes httpd-2.4 && dnf clean all");
        assert_catches_not("DL3038", "FROM fedora:40\nRUN dnf remove httpd");
    }

    #[test]
    fn fix_adds_yes() {
        assert_fix("DL3038", "FROM fedora:40\nRUN dnf install httpd-2.4\n", "FROM fedora:40\nRUN dnf install -y httpd-2.4\n");
    }
}
