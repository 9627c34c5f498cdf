//! DL3030: yum without yes.

use crate::rules::Context;

use super::scripts::check_rpm_yes;

crate::declare_rule! {
    /// ## What it does
    /// Reports `yum install` without `-y` (`--assumeyes`).
    ///
    /// ## Why is this bad?
    /// A build has no terminal to answer the confirmation prompt: without `-y` the
    /// install aborts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN yum install httpd-2.4.62 && yum clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN yum install -y httpd-2.4.62 && yum clean all
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after the subcommand.
    ///
    /// ## References
    /// - [hadolint DL3030](https://github.com/hadolint/hadolint/wiki/DL3030)
    code: "DL3030",
    name: "yum-without-yes",
    severity: Warning,
    category: Correctness,
    fixable: true,
    fix: Safe("Add `-y`"),
    message: "Use the -y switch to avoid manual input `yum install -y <package>`",
    check: check,
}

fn check(context: &mut Context) {
    check_rpm_yes(context, &["yum"], &["install", "groupinstall", "localinstall"]);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn without_yes() {
        assert_catches("DL3030", "FROM fedora:40\nRUN yum install httpd-2.4 && yum clean all");
    }

    #[test]
    fn with_yes() {
        assert_catches_not("DL3030", "FROM fedora:40\nRUN yum install -y httpd-2.4 && yum clean all");
        assert_catches_not("DL3030", "FROM fedora:40\nRUN yum -y install httpd-2.4 && yum clean all");
        assert_catches_not("DL3030", "FROM fedora:40\nRUN yum install --assumeyes httpd-2.4 && yum clean all");
        assert_catches_not("DL3030", "FROM fedora:40\nRUN yum remove httpd");
    }

    #[test]
    fn fix_adds_yes() {
        assert_fix("DL3030", "FROM fedora:40\nRUN yum install httpd-2.4\n", "FROM fedora:40\nRUN yum install -y httpd-2.4\n");
    }
}
