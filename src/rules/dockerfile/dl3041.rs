//! DL3041: dnf unpinned.

use crate::rules::Context;

use super::scripts::check_rpm_pinned;

crate::declare_rule! {
    /// ## What it does
    /// Reports `dnf install` of a package without a version (`httpd` rather than
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
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3041](https://github.com/hadolint/hadolint/wiki/DL3041)
    code: "DL3041",
    name: "dnf-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Specify version with `dnf install -y <package>-<version>`.",
    check: check,
}

fn check(context: &mut Context) {
    check_rpm_pinned(context, &["dnf", "microdnf"], &["install", "module"]);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3041", "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all");
        assert_catches("DL3041", "FROM fedora:40\nRUN dnf install -y httpd-2.4 python3-pip && dnf clean all");
        assert_catches("DL3041", "FROM fedora:40\nRUN dnf install -y foo-1* && dnf clean all");
    }

    #[test]
    fn pinned() {
        assert_catches_not("DL3041", "FROM fedora:40\nRUN dnf install -y httpd-2.4.62 && dnf clean all");
        assert_catches_not("DL3041", "FROM fedora:40\nRUN dnf install -y httpd-2.4.62-1.fc40.x86_64 && dnf clean all");
        assert_catches_not("DL3041", "FROM fedora:40\nRUN dnf install -y --enablerepo extras httpd-2.4 && dnf clean all");
        assert_catches_not("DL3041", "FROM fedora:40\nRUN dnf update -y && dnf clean all");
        assert_catches("DL3041", "FROM fedora:40\nRUN dnf install -y \"cuda-toolkit-${V//./-}\" && dnf clean all");
    }
}
