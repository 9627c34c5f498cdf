//! DL3040: dnf cache not cleaned.

use crate::rules::Context;

use super::scripts::check_rpm_clean;

crate::declare_rule! {
    /// ## What it does
    /// Reports `dnf install` not followed by `dnf clean` (or removing
    /// `/var/cache/dnf`) in the same `RUN`.
    ///
    /// ## Why is this bad?
    /// The package metadata and downloaded packages stay in the layer: tens or hundreds
    /// of megabytes the image never uses. A cache mount on the cache folder keeps them out
    /// too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3040](https://github.com/hadolint/hadolint/wiki/DL3040)
    code: "DL3040",
    name: "dnf-cache-not-cleaned",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "`dnf clean all` missing after dnf command.",
    check: check,
}

fn check(context: &mut Context) {
    check_rpm_clean(context, &["dnf", "microdnf"], &["install", "reinstall", "upgrade"]);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn not_cleaned() {
        assert_catches("DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4");
        assert_catches("DL3040", "FROM fedora:40\nRUN dnf clean all; dnf install -y httpd-2.4");
    }

    #[test]
    fn cleaned() {
        assert_catches_not("DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4 && dnf clean all");
        assert_catches_not("DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4; dnf clean packages");
        assert_catches_not("DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4 && rm -rf /var/cache/dnf");
        assert_catches_not("DL3040", "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd-2.4");
        assert_catches_not("DL3040", "FROM fedora:40\nRUN dnf remove -y httpd");
    }
}
