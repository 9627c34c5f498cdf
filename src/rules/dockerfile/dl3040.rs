//! DL3040: dnf cache not cleaned.

use crate::rules::Context;

use super::scripts::{cleaned_after, command_word, rpm_commands, runs};

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
    for run in runs(context) {
        if run.has_cache_mount("/var/cache/dnf") || run.has_cache_mount("/var/cache/yum") {
            continue;
        }
        let unclean = rpm_commands(run.script, &["dnf", "microdnf"], &["install", "reinstall", "upgrade"]).find(|command| {
            let tool = command.name().map_or("", |w| w.value.rsplit('/').next().unwrap_or(""));
            !cleaned_after(run.script, command, tool, &["/var/cache/yum", "/var/cache/dnf"])
        });
        if let Some(command) = unclean {
            context.report(run.instruction, command_word(command));
        }
    }
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
