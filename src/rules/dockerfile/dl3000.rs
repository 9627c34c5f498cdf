//! DL3000: WORKDIR with a relative path.

use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks that `WORKDIR` is given an absolute path.
    ///
    /// This is also BuildKit's build check
    /// [`WorkdirRelativePath`](https://docs.docker.com/reference/build-checks/workdir-relative-path/),
    /// which `# check=skip=WorkdirRelativePath` skips. BuildKit
    /// (`dockerfile2llb/convert.go`, `dispatchWorkdir`) reports only the first `WORKDIR` of
    /// a stage, and only when it is relative: a relative `WORKDIR` after an absolute one
    /// passes there and is reported here, as hadolint reports it.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is resolved against the previous working directory, which
    /// the base image chooses. When the base image changes its `WORKDIR`, files land
    /// somewhere else and `RUN`, `CMD` and `COPY` silently use another directory.
    ///
    /// Variables are expanded first where the Dockerfile says what they hold, so
    /// `ARG APP_DIR=app` + `WORKDIR $APP_DIR` is reported. Paths that start with a
    /// variable only the build knows (`$HOME/app`, where `HOME` comes from the base
    /// image) and Windows paths with a drive letter (`C:\app`) are accepted, as
    /// hadolint accepts them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// WORKDIR app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// WORKDIR /app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    code: "DL3000",
    name: "relative-workdir",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "Use absolute WORKDIR",
    buildkit: "WorkdirRelativePath",
    check: check,
}

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        if instruction.keyword != Keyword::Workdir {
            continue;
        }
        let Args::Shell(path) = &instruction.args else {
            continue;
        };
        let relative = match context.expand(index, &path.value) {
            // Expanded to nothing: BuildKit rejects it, not this rule's business.
            Some(expanded) if expanded.trim().is_empty() => false,
            Some(expanded) => !is_absolute(&expanded),
            None => !is_absolute(&path.value),
        };
        if relative {
            context.report(instruction, path.range);
        }
    }
}

fn is_absolute(path: &str) -> bool {
    let path = unquote(path.trim());
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some('/' | '$'), _) => true,
        (Some(drive), Some(':')) => drive.is_ascii_alphabetic(),
        _ => false,
    }
}

/// `path` without one pair of surrounding quotes, as the shell would read it.
fn unquote(path: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = path.strip_prefix(quote) {
            return inner.strip_suffix(quote).unwrap_or(inner);
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn relative_paths() {
        assert_catches("DL3000", "FROM debian:12\nWORKDIR foo");
        assert_catches("DL3000", "FROM debian:12\nWORKDIR ./foo");
        assert_catches("DL3000", "FROM debian:12\nWORKDIR \"foo\"");
        assert_catches("DL3000", "FROM debian:12\nWORKDIR ~/foo");
        assert_catches("DL3000", "FROM debian:12\nWORKDIR \\\\server\\share");
    }

    #[test]
    fn absolute_paths() {
        assert_catches_not("DL3000", "FROM debian:12\nWORKDIR /foo");
        assert_catches_not("DL3000", "FROM debian:12\nWORKDIR \"/foo\"");
        assert_catches_not("DL3000", "FROM debian:12\nWORKDIR '/foo'");
        assert_catches_not("DL3000", "FROM debian:12\nWORKDIR $HOME/x");
        assert_catches_not("DL3000", "FROM debian:12\nWORKDIR ${HOME}");
    }

    #[test]
    fn known_variables_are_expanded() {
        assert_catches("DL3000", "FROM debian:12\nARG DIR=app\nWORKDIR $DIR");
        assert_catches("DL3000", "FROM debian:12\nENV DIR=app\nWORKDIR ${DIR}/src");
        assert_catches_not("DL3000", "FROM debian:12\nENV DIR=/app\nWORKDIR $DIR/src");
        assert_catches_not("DL3000", "FROM debian:12\nARG DIR\nWORKDIR $DIR");
    }

    #[test]
    fn windows_paths() {
        assert_catches_not(
            "DL3000",
            "FROM mcr.microsoft.com/windows:1\nWORKDIR C:\\app",
        );
        assert_catches_not("DL3000", "FROM mcr.microsoft.com/windows:1\nWORKDIR c:/app");
        assert_catches_not("DL3000", "# escape=`\nFROM windows:1\nWORKDIR D:\\app");
    }

    #[test]
    fn onbuild_is_not_checked() {
        // As hadolint: triggers run in another build, with another WORKDIR.
        assert_catches_not("DL3000", "FROM debian:12\nONBUILD WORKDIR foo");
    }
}
