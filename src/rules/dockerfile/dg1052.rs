//! DG1052: the base image's packages upgraded in the build.

use super::scripts::{APK_VALUE_FLAGS, APT_GET_VALUE_FLAGS, RPM_VALUE_FLAGS, command_word, runs};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a full package upgrade in a `RUN` of any stage: `apt-get upgrade`,
    /// `apt-get dist-upgrade`, `apt-get full-upgrade` (also `apt`), `apk upgrade`,
    /// and `dnf`/`yum`/`microdnf upgrade`, `update` or `distro-sync` without package
    /// names. hadolint retired its DL3005 for `apt-get upgrade`; this rule is an
    /// information, so teams that rebuild on a fresh base can decide.
    ///
    /// ## Why is this bad?
    /// The image then depends on the day it was built, not on its base image tag:
    /// two builds of one commit differ, the layer duplicates much of the base, and
    /// the fixes it picks up are better had from a rebuilt, patched base image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get upgrade -y
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12.8-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    /// and let a tool such as Renovate move the base image when it is rebuilt.
    code: "DG1052",
    name: "package-upgrade",
    severity: Info,
    category: Reproducibility,
    fixable: false,
    message: "The base image's packages are upgraded in the build: use a newer base image instead",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let script = run.script;
        let apt = ["upgrade", "dist-upgrade", "full-upgrade"];
        let mut found: Vec<_> = script
            .commands_with("apt-get", &apt, APT_GET_VALUE_FLAGS)
            .chain(script.commands_with("apt", &apt, APT_GET_VALUE_FLAGS))
            .chain(
                script
                    .commands_with("apk", &["upgrade"], APK_VALUE_FLAGS)
                    .filter(|c| c.operands(APK_VALUE_FLAGS).next().is_none()),
            )
            .collect();
        for tool in ["dnf", "yum", "microdnf"] {
            found.extend(
                script
                    .commands_with(tool, &["upgrade", "update", "distro-sync"], RPM_VALUE_FLAGS)
                    .filter(|c| c.operands(RPM_VALUE_FLAGS).next().is_none()),
            );
        }
        for command in found {
            let words: Vec<&str> = command
                .argv
                .iter()
                .take(1)
                .chain(command.subcommand(RPM_VALUE_FLAGS))
                .map(|w| w.value.as_str())
                .collect();
            context.report(run.instruction, command_word(command)).message = format!(
                "`{}` upgrades the base image's packages in the build: use a newer base image instead",
                words.join(" ")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn upgrades() {
        assert_catches("DG1052", "FROM a:1\nRUN apt-get update && apt-get upgrade -y");
        assert_catches("DG1052", "FROM a:1\nRUN apt-get -y dist-upgrade");
        assert_catches("DG1052", "FROM a:1\nRUN apt full-upgrade -y");
        assert_catches("DG1052", "FROM a:1\nRUN apk upgrade --no-cache");
        assert_catches("DG1052", "FROM a:1\nRUN dnf upgrade -y");
        assert_catches("DG1052", "FROM a:1\nRUN yum -y update && yum clean all");
    }

    #[test]
    fn not_upgrades() {
        assert_catches_not("DG1052", "FROM a:1\nRUN apt-get update && apt-get install -y curl");
        assert_catches_not("DG1052", "FROM a:1\nRUN apk add --upgrade curl");
        assert_catches_not("DG1052", "FROM a:1\nRUN apk upgrade openssl");
        assert_catches_not("DG1052", "FROM a:1\nRUN yum update -y openssl");
        assert_catches_not("DG1052", "FROM a:1\nRUN pip install --upgrade pip");
    }
}
