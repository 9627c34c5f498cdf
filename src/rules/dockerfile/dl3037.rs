//! DL3037: zypper unpinned.

use crate::rules::Context;

use super::scripts::{ZYPPER_VALUE_FLAGS, report_runs, zypper_installs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `zypper install` of a package without a version (`httpd` rather than
    /// `httpd=2.4.58`; `>=` and `<=` count when quoted).
    ///
    /// ## Why is this bad?
    /// Without a version each build installs whatever the repositories have that day: the
    /// image is not reproducible and an update can break it with no change to the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd && zypper clean
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3037](https://github.com/hadolint/hadolint/wiki/DL3037)
    code: "DL3037",
    name: "zypper-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Specify version with `zypper install -y <package>=<version>`.",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let package = zypper_installs(run.script)
            .flat_map(|command| command.operands(ZYPPER_VALUE_FLAGS))
            .find(|package| !package.value.contains(['=', '<', '>']))?;
        Some((package.range, None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3037", "FROM opensuse/leap:15\nRUN zypper install -y httpd && zypper clean");
        assert_catches("DL3037", "FROM opensuse/leap:15\nRUN zypper install -y httpd>=2 && zypper clean");
        assert_catches("DL3037", "FROM opensuse/leap:15\nRUN zypper install -y -t pattern devel_basis && zypper clean");
    }

    #[test]
    fn pinned() {
        assert_catches_not("DL3037", "FROM opensuse/leap:15\nRUN zypper install -y httpd=2.4 && zypper clean");
        assert_catches_not("DL3037", "FROM opensuse/leap:15\nRUN zypper in -y \"httpd>=2.4\" && zypper clean");
        assert_catches_not("DL3037", "FROM opensuse/leap:15\nRUN zypper remove -y httpd");
    }
}
