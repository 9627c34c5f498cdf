//! DL3038: dnf without yes.

use crate::rules::Context;

use super::scripts::check_rpm_yes;

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
    fix: Safe("Add `-y`"),
    message: "Use the -y switch to avoid manual input `dnf install -y <package>`",
    check: check,
}

fn check(context: &mut Context) {
    check_rpm_yes(context, &["dnf", "microdnf"], &["install", "groupinstall", "localinstall", "reinstall"]);
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
