//! DL3032: yum cache not cleaned.

use crate::rules::Context;

use super::scripts::check_rpm_clean;

crate::declare_rule! {
    /// ## What it does
    /// Reports `yum install` not followed by `yum clean` (or removing
    /// `/var/cache/yum`) in the same `RUN`.
    ///
    /// ## Why is this bad?
    /// The package metadata and downloaded packages stay in the layer: tens or hundreds
    /// of megabytes the image never uses. A cache mount on the cache folder keeps them out
    /// too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN yum install -y httpd-2.4.62
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN yum install -y httpd-2.4.62 && yum clean all
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3032](https://github.com/hadolint/hadolint/wiki/DL3032)
    code: "DL3032",
    name: "yum-cache-not-cleaned",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "`yum clean all` missing after yum command.",
    check: check,
}

fn check(context: &mut Context) {
    check_rpm_clean(context, &["yum"], &["install"]);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn not_cleaned() {
        assert_catches("DL3032", "FROM fedora:40\nRUN yum install -y httpd-2.4");
        assert_catches("DL3032", "FROM fedora:40\nRUN yum clean all; yum install -y httpd-2.4");
    }

    #[test]
    fn cleaned() {
        assert_catches_not("DL3032", "FROM fedora:40\nRUN yum install -y httpd-2.4 && yum clean all");
        assert_catches_not("DL3032", "FROM fedora:40\nRUN yum install -y httpd-2.4; yum clean packages");
        assert_catches_not("DL3032", "FROM fedora:40\nRUN yum install -y httpd-2.4 && rm -rf /var/cache/yum");
        assert_catches_not("DL3032", "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/yum yum install -y httpd-2.4");
        assert_catches_not("DL3032", "FROM fedora:40\nRUN yum remove -y httpd");
    }
}
