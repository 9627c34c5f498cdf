//! DL3045: COPY to a relative destination without a WORKDIR.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `COPY` whose destination is a relative path when no `WORKDIR` is in
    /// effect: none earlier in the stage, nor in the stages it is built `FROM`. The
    /// destination is expanded first; one that depends on a value only the build knows
    /// (`$HOME/app`) is not reported. Windows paths (`C:\app`) are absolute.
    ///
    /// ## Why is this bad?
    /// A relative destination is relative to the working directory of the base image,
    /// which the Dockerfile does not show and a new version of the image may change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json .
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY package.json .
    /// ```
    code: "DL3045",
    name: "copy-relative-without-workdir",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "`COPY` to a relative destination without `WORKDIR` set.",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for copy in super::copies::copies(context) {
        let [_, .., destination] = copy.words else { continue };
        let Some(path) = context.expand(copy.index, &destination.value) else {
            continue;
        };
        if is_absolute(&path) || model.last_before(copy.index, Keyword::Workdir).is_some() {
            continue;
        }
        context.report(copy.instruction, destination.range);
    }
}

/// A Unix absolute path, or a Windows one (`C:\x`, `c:/x`, `\x`).
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with(['/', '\\'])
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn relative_without_workdir() {
        assert_catches("DL3045", "FROM debian:12\nCOPY a b");
        assert_catches("DL3045", "FROM debian:12\nCOPY a .");
        assert_catches("DL3045", "FROM debian:12\nCOPY a ./");
        assert_catches("DL3045", "FROM debian:12\nCOPY a \"b\"");
        assert_catches("DL3045", "FROM debian:12\nCOPY [\"a\", \"b\"]");
        assert_catches("DL3045", "FROM debian:12\nCOPY a ~/b");
        assert_catches("DL3045", "FROM debian:12\nCOPY <<EOF b\nhi\nEOF\n");
        assert_catches("DL3045", "FROM debian:12 AS x\nWORKDIR /x\nFROM debian:12\nCOPY a b");
        assert_catches("DL3045", "FROM debian:12\nCOPY a b\nWORKDIR /x");
        assert_catches("DL3045", "FROM debian:12\nENV D=app\nCOPY a $D");
    }

    #[test]
    fn absolute_or_workdir_set() {
        assert_catches_not("DL3045", "FROM debian:12\nCOPY a /b");
        assert_catches_not("DL3045", "FROM debian:12\nWORKDIR /x\nCOPY a b");
        assert_catches_not("DL3045", "FROM debian:12 AS a\nWORKDIR /x\nFROM a\nCOPY a b");
        assert_catches_not("DL3045", "FROM debian:12\nCOPY a $HOME/b");
        assert_catches_not("DL3045", "FROM debian:12\nENV D=/app\nCOPY a $D");
        assert_catches_not("DL3045", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY a C:\\\\b");
        assert_catches_not("DL3045", "FROM debian:12\nADD a b");
    }
}
