//! DL3033: yum unpinned.

use crate::rules::Context;

use super::scripts::check_rpm_pinned;

crate::declare_rule! {
    /// ## What it does
    /// Reports `yum install` of a package without a version (`httpd` rather than
    /// `httpd-2.4.62`).
    ///
    /// ## Why is this bad?
    /// Without a version each build installs whatever the repositories have that day:
    /// the image is not reproducible and an update can break it with no change to the file.
    /// A version is a `-` followed by a digit (`httpd-2.4.62`, `httpd-2.4.62-1.fc40.x86_64`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN yum install -y httpd-2.4.62 && yum clean all
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3033](https://github.com/hadolint/hadolint/wiki/DL3033)
    code: "DL3033",
    name: "yum-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Specify version with `yum install -y <package>-<version>`.",
    check: check,
}

fn check(context: &mut Context) {
    check_rpm_pinned(context, &["yum"], &["install"]);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3033", "FROM fedora:40\nRUN yum install -y httpd && yum clean all");
        assert_catches("DL3033", "FROM fedora:40\nRUN yum install -y httpd-2.4 python3-pip && yum clean all");
        assert_catches("DL3033", "FROM fedora:40\nRUN yum install -y foo-1* && yum clean all");
    }

    #[test]
    fn pinned() {
        assert_catches_not("DL3033", "FROM fedora:40\nRUN yum install -y httpd-2.4.62 && yum clean all");
        assert_catches_not("DL3033", "FROM fedora:40\nRUN yum install -y httpd-2.4.62-1.fc40.x86_64 && yum clean all");
        assert_catches_not("DL3033", "FROM fedora:40\nRUN yum install -y --enablerepo extras httpd-2.4 && yum clean all");
        assert_catches_not("DL3033", "FROM fedora:40\nRUN yum update -y && yum clean all");
        assert_catches("DL3033", "FROM fedora:40\nRUN yum install -y \"cuda-toolkit-${V//./-}\" && yum clean all");
    }
}
