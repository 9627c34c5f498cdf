//! DL3008: `apt-get install` without version pins.

use crate::rules::Context;

use super::scripts::{APT_GET_VALUE_FLAGS, apt_get_installs, report_runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` of a package without a version (`curl` rather than
    /// `curl=7.88.1-10+deb12u5`).
    ///
    /// ## Why is this bad?
    /// Without a pin, the same Dockerfile installs whatever version the archive has on
    /// the day of the build: builds stop being reproducible and an upstream change can
    /// break the image without any change to the file.
    ///
    /// A package counts as pinned when it has a version (`pkg=1.2`), a release
    /// (`pkg/bookworm-backports`) or is a `.deb` file. The finding points at the first
    /// package without one.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3008](https://github.com/hadolint/hadolint/wiki/DL3008)
    code: "DL3008",
    name: "apt-get-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let package = apt_get_installs(run.script)
            .flat_map(|command| command.operands(APT_GET_VALUE_FLAGS))
            .find(|package| !is_pinned(&package.value))?;
        Some((package.range, None))
    });
}

fn is_pinned(package: &str) -> bool {
    package.contains(['=', '/']) || package.ends_with(".deb")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3008", "FROM debian:12\nRUN apt-get install python");
        assert_catches("DL3008", "FROM debian:12\nRUN apt-get install -y foo=1 bar");
        assert_catches("DL3008", "FROM debian:12\nRUN apt-get -y install $PACKAGES");
        assert_catches("DL3008", "FROM debian:12\nRUN A=1 apt-get install -y curl");
        assert_catches("DL3008", "FROM debian:12\nRUN apt-get -o X=y install -y curl");
        assert_catches("DL3008", "FROM debian:12\nRUN [\"apt-get\", \"install\", \"curl\"]");
    }

    #[test]
    fn pinned() {
        assert_catches_not("DL3008", "FROM debian:12\nRUN apt-get install python=2.7");
        assert_catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y -t stable 'python=2.7'");
        assert_catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y ./app.deb foo/bookworm");
        assert_catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y foo=$VERSION");
        assert_catches_not("DL3008", "FROM debian:12\nRUN apt-get update && apt-get upgrade -y");
        assert_catches_not("DL3008", "FROM debian:12\nRUN echo apt-get install curl");
    }

    #[test]
    fn points_at_the_package() {
        let source = "FROM debian:12\nRUN apt-get install -y \\\n    foo=1 \\\n    bar\n";
        let found = findings("DL3008", source);
        let range = found[0].location.as_ref().unwrap().range;
        assert_eq!(&source[range.start..range.end], "bar");
        assert_eq!(found[0].line(), 2);
    }
}
