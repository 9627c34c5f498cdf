//! DL3021: COPY of several sources to a destination that is no directory.

use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` with more than one source whose destination does not
    /// end with `/`. The destination is expanded first; one that depends on a value
    /// only the build knows is not reported. hadolint checks `COPY` only, though
    /// BuildKit rejects both.
    ///
    /// ## Why is this bad?
    /// With several sources the destination must be a directory, written with a
    /// trailing `/`; BuildKit fails the build otherwise.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json package-lock.json /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Fix
    /// Appends `/` to a plain destination.
    code: "DL3021",
    name: "copy-multiple-sources-to-file",
    severity: Error,
    category: Correctness,
    fixable: true,
    fix: Safe("Add a trailing `/` to the destination"),
    message: "COPY with more than 2 arguments requires the last argument to end with /",
    check: check,
}

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add) {
            continue;
        }
        let (words, exec) = match &instruction.args {
            Args::List(words) => (words, false),
            Args::Exec(words) => (words, true),
            _ => continue,
        };
        let [_, _, .., destination] = words.as_slice() else { continue };
        let Some(path) = context.expand(index, &destination.value) else {
            continue;
        };
        if path.ends_with('/') || path.ends_with('\\') {
            continue;
        }
        let plain = !exec
            && destination
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        let fix = plain.then(|| {
            crate::finding::Fix::replace(
                "Add a trailing `/` to the destination",
                destination.range,
                format!("{}/", destination.value),
            )
        });
        let finding = context.report(instruction, destination.range);
        finding.fix = fix;
        if instruction.keyword == Keyword::Add {
            finding.message = finding.message.replacen("COPY", "ADD", 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn several_sources_to_a_file() {
        assert_catches("DL3021", "FROM debian:12\nCOPY a b /c");
        assert_catches("DL3021", "FROM debian:12\nCOPY [\"a\", \"b\", \"/c\"]");
        assert_catches("DL3021", "FROM debian:12\nCOPY --from=x a b /c");
        assert_catches("DL3021", "FROM debian:12\nCOPY go.mod go.sum .");
        assert_catches("DL3021", "FROM debian:12\nADD a b /c");
        let found = findings("DL3021", "FROM debian:12\nADD a b /c");
        assert!(found[0].message.starts_with("ADD with more than 2 arguments"));
        assert_catches("DL3021", "FROM debian:12\nARG D=/app\nCOPY a b $D");
    }

    #[test]
    fn one_source_or_a_directory() {
        assert_catches_not("DL3021", "FROM debian:12\nCOPY a b c/");
        assert_catches_not("DL3021", "FROM debian:12\nCOPY a /c");
        assert_catches_not("DL3021", "FROM debian:12\nCOPY a* /c");
        assert_catches_not("DL3021", "FROM debian:12\nCOPY a b $D");
        assert_catches_not("DL3021", "FROM debian:12\nARG D=/app/\nCOPY a b $D");
    }

    #[test]
    fn fix_adds_the_slash() {
        assert_fix("DL3021", "FROM debian:12\nCOPY a b /app\n", "FROM debian:12\nCOPY a b /app/\n");
        assert_fix("DL3021", "FROM debian:12\nCOPY a b .\n", "FROM debian:12\nCOPY a b ./\n");
    }
}
