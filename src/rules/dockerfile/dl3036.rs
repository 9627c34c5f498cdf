//! DL3036: zypper cache not cleaned.

use crate::rules::Context;

use super::scripts::{ZYPPER_VALUE_FLAGS, command_word, report_runs, zypper_installs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `zypper install` not followed by `zypper clean` (`zypper cc`) in the same `RUN`.
    ///
    /// ## Why is this bad?
    /// The repository metadata and downloaded packages stay in the layer, which the image
    /// never uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3036](https://github.com/hadolint/hadolint/wiki/DL3036)
    code: "DL3036",
    name: "zypper-cache-not-cleaned",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "`zypper clean` missing after zypper use.",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let command = zypper_installs(run.script).find(|install| {
            !run.script.commands_named("zypper").any(|later| {
                later.range.start > install.range.start
                    && later
                        .subcommand(ZYPPER_VALUE_FLAGS)
                        .is_some_and(|sub| matches!(sub.value.as_str(), "clean" | "cc"))
            })
        })?;
        Some((command_word(command), None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn not_cleaned() {
        assert_catches("DL3036", "FROM opensuse/leap:15\nRUN zypper install -y httpd=2");
        assert_catches("DL3036", "FROM opensuse/leap:15\nRUN zypper clean && zypper -n in httpd=2");
    }

    #[test]
    fn cleaned() {
        assert_catches_not("DL3036", "FROM opensuse/leap:15\nRUN zypper install -y httpd=2 && zypper clean -a");
        assert_catches_not("DL3036", "FROM opensuse/leap:15\nRUN zypper -n in httpd=2 && zypper cc");
        assert_catches_not("DL3036", "FROM opensuse/leap:15\nRUN zypper refresh");
    }
}
