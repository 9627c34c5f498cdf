//! DL3018: `apk add` without version pins.

use crate::rules::Context;

use super::scripts::{APK_VALUE_FLAGS, report_runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `apk add` of a package without a version (`curl` rather than
    /// `curl=8.5.0-r0`).
    ///
    /// ## Why is this bad?
    /// Without a pin, each build installs whatever the repository has that day: the
    /// image is not reproducible and an upstream change can break it with no change to
    /// the file. A package counts as pinned with `=` or `~` (`curl~8.5`), and a
    /// `.apk` file is a fixed package.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.5.0-r0
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3018](https://github.com/hadolint/hadolint/wiki/DL3018)
    code: "DL3018",
    name: "apk-add-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let package = run
            .script
            .commands_with("apk", &["add"], APK_VALUE_FLAGS)
            .flat_map(|command| command.operands(APK_VALUE_FLAGS))
            .find(|package| !package.value.contains(['=', '~']) && !package.value.ends_with(".apk"))?;
        Some((package.range, None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3018", "FROM alpine:3\nRUN apk add flex=2.6.4-r1 python");
        assert_catches("DL3018", "FROM alpine:3\nRUN apk add --no-cache $PACKAGES");
        assert_catches("DL3018", "FROM alpine:3\nRUN apk add --no-cache foo>1");
        assert_catches("DL3018", "FROM alpine:3\nRUN apk --no-cache add -t .deps foo");
    }

    #[test]
    fn pinned() {
        assert_catches_not("DL3018", "FROM alpine:3\nRUN apk add python=3.12.1-r0");
        assert_catches_not("DL3018", "FROM alpine:3\nRUN apk add --no-cache --virtual .deps foo~1");
        assert_catches_not("DL3018", "FROM alpine:3\nRUN apk add --no-cache -X http://r --allow-untrusted foo=1");
        assert_catches_not("DL3018", "FROM alpine:3\nRUN apk add --no-cache --root /r --arch x86 foo=1");
        assert_catches_not("DL3018", "FROM alpine:3\nRUN apk add --allow-untrusted /tmp/foo.apk");
        assert_catches_not("DL3018", "FROM alpine:3\nRUN apk update && apk upgrade");
    }
}
