//! DL3035: `zypper dist-upgrade` in a build.

use crate::rules::Context;

use super::scripts::{ZYPPER_VALUE_FLAGS, command_word, report_runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `zypper dist-upgrade` (`zypper dup`) in a `RUN`.
    ///
    /// ## Why is this bad?
    /// A distribution upgrade replaces the base image's packages with whatever the
    /// repositories have on the day of the build, possibly a new release of the
    /// distribution: the image no longer is the base it names, and two builds of the same
    /// file differ. Upgrade by moving to a newer base image instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.5
    /// RUN zypper dist-upgrade -y
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3035](https://github.com/hadolint/hadolint/wiki/DL3035)
    code: "DL3035",
    name: "zypper-dist-upgrade",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Do not use `zypper dist-upgrade`.",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let command = run
            .script
            .commands_with("zypper", &["dist-upgrade", "dup"], ZYPPER_VALUE_FLAGS)
            .next()?;
        Some((command_word(command), None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn dist_upgrade() {
        assert_catches("DL3035", "FROM opensuse/leap:15\nRUN zypper dist-upgrade -y");
        assert_catches("DL3035", "FROM opensuse/leap:15\nRUN zypper dup");
        assert_catches("DL3035", "FROM opensuse/leap:15\nRUN zypper -n dup");
        assert_catches("DL3035", "FROM opensuse/leap:15\nRUN zypper refresh && zypper --non-interactive dist-upgrade");
    }

    #[test]
    fn other_subcommands() {
        assert_catches_not("DL3035", "FROM opensuse/leap:15\nRUN zypper update -y");
        assert_catches_not("DL3035", "FROM opensuse/leap:15\nRUN zypper install -y dup=1");
        assert_catches_not("DL3035", "FROM opensuse/leap:15\nRUN echo zypper dup");
    }
}
