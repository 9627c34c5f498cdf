//! DL3019: `apk add` without `--no-cache`.

use crate::rules::Context;

use super::scripts::{APK_VALUE_FLAGS, command_word, insert_after_subcommand, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `apk add` without `--no-cache`.
    ///
    /// ## Why is this bad?
    /// Without it apk keeps its index in `/var/cache/apk` and the layer keeps it;
    /// `apk update` beforehand and `rm -rf /var/cache/apk/*` afterwards are the long way
    /// round to the same result. A cache mount on `/var/cache/apk` also keeps the cache
    /// out of the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk update && apk add curl=8.5.0-r0 && rm -rf /var/cache/apk/*
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.5.0-r0
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-cache` after `add`.
    ///
    /// ## References
    /// - [hadolint DL3019](https://github.com/hadolint/hadolint/wiki/DL3019)
    code: "DL3019",
    name: "apk-add-cache",
    severity: Info,
    category: BestPractice,
    fixable: true,
    fix: Unsafe("Add `--no-cache`"),
    message: "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        if run.has_cache_mount("/var/cache/apk") {
            continue;
        }
        let missing = run
            .script
            .commands_with("apk", &["add"], APK_VALUE_FLAGS)
            .find(|command| !command.has_flag(&["--no-cache"]));
        if let Some(command) = missing {
            // Without the local index a later `apk add` in the image needs an update first.
            let fix = insert_after_subcommand(command, APK_VALUE_FLAGS, "Add `--no-cache`", "--no-cache")
                .map(crate::finding::Fix::unsafe_fix);
            context.report(run.instruction, command_word(command)).fix = fix;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cache_kept() {
        assert_catches("DL3019", "FROM alpine:3\nRUN apk add py2-pip=10.0.1-r0");
        assert_catches("DL3019", "FROM alpine:3\nRUN apk update && apk add foo=1 && rm -rf /var/cache/apk/*");
        assert_catches("DL3019", "FROM alpine:3\nRUN apk -U add foo=1");
    }

    #[test]
    fn no_cache() {
        assert_catches_not("DL3019", "FROM alpine:3\nRUN apk add --no-cache py2-pip=10.0.1-r0");
        assert_catches_not("DL3019", "FROM alpine:3\nRUN apk --no-cache add foo=1");
        assert_catches_not("DL3019", "FROM alpine:3\nRUN --mount=type=cache,target=/var/cache/apk apk add foo=1");
        assert_catches_not("DL3019", "FROM alpine:3\nRUN apk del foo");
    }

    #[test]
    fn fix_adds_the_flag() {
        assert_fix(
            "DL3019",
            "FROM alpine:3\nRUN apk add foo=1\n",
            "FROM alpine:3\nRUN apk add --no-cache foo=1\n",
        );
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3019", "FROM alpine:3.20\nONBUILD RUN apk add curl=1");
    }
}
