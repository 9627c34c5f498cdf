//! DL3020: ADD used for local files and folders.

use crate::dockerfile::{Args, Keyword};
use crate::finding::Fix;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports `ADD` instructions that copy local files or folders, which `COPY` does.
    /// `ADD` of a URL, a Git repository or a local tar archive (which `ADD` unpacks) is
    /// left alone.
    ///
    /// ## Why is this bad?
    /// `ADD` does more than copy: it downloads URLs and unpacks archives. Using it for
    /// plain files hides which of these the author meant, and a file that later happens
    /// to be an archive gets unpacked instead of copied. `COPY` says exactly what
    /// happens.
    ///
    /// Archives are recognised by extension: `.tar`, `.tgz`, `.gz`, `.bz2`, `.xz`,
    /// `.Z`, `.lz`, `.lzma`, `.tb2`, `.tbz`, `.tbz2`, `.txz`, `.tlz` as in hadolint,
    /// plus `.zst` and `.tzst`, which BuildKit unpacks too. `git@host:repo` sources
    /// count as Git repositories (hadolint reports them). Sources are expanded where
    /// the Dockerfile says what their variables hold (`ARG URL=https://...` +
    /// `ADD $URL /x` is a download); a source only the build knows counts as a file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ADD app.py requirements.txt /app/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// COPY app.py requirements.txt /app/
    /// ```
    ///
    /// ## Fix
    /// Replaces `ADD` with `COPY` when every source is a local file and every flag is
    /// one `COPY` accepts too.
    ///
    /// ## References
    /// - [Dockerfile best practices: ADD or COPY](https://docs.docker.com/build/building/best-practices/#add-or-copy)
    code: "DL3020",
    name: "add-instead-of-copy",
    severity: Error,
    category: BestPractice,
    fixable: true,
    fix: Safe("Replace `ADD` with `COPY`"),
    message: "Use COPY instead of ADD for files and folders",
    check: check,
}

/// Flags `ADD` and `COPY` both accept, so `ADD` can become `COPY` without change.
const COPY_COMPATIBLE_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude"];

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        if instruction.keyword != Keyword::Add {
            continue;
        }
        let words = match &instruction.args {
            Args::List(words) | Args::Exec(words) => words,
            _ => continue,
        };
        let Some((_destination, sources)) = words.split_last() else {
            continue;
        };
        let kinds: Vec<Source> = sources
            .iter()
            .map(|source| {
                // A heredoc is inline content, whatever variables its name holds.
                let path = match source.value.starts_with("<<") {
                    true => None,
                    false => context.expand(index, &source.value),
                };
                classify(path.as_deref().unwrap_or_else(|| unquote(&source.value)))
            })
            .collect();
        if !kinds.contains(&Source::Local) {
            continue;
        }
        let copy_would_do = kinds.iter().all(|&kind| kind == Source::Local)
            && instruction
                .flags
                .iter()
                .all(|flag| COPY_COMPATIBLE_FLAGS.contains(&flag.name.as_str()));
        let fix = copy_would_do
            .then(|| Fix::replace("Replace `ADD` with `COPY`", instruction.name_range, "COPY"));
        context.report(instruction, instruction.name_range).fix = fix;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A URL or a Git repository: `ADD` downloads it.
    Remote,
    /// A local archive: `ADD` unpacks it.
    Archive,
    /// Anything else, including heredocs: `COPY` does the same.
    Local,
}

fn classify(path: &str) -> Source {
    const REMOTE_PREFIXES: &[&str] = &["http://", "https://", "git://", "ssh://", "git@"];
    const ARCHIVE_EXTENSIONS: &[&str] = &[
        ".tar", ".tgz", ".gz", ".bz2", ".xz", ".z", ".lz", ".lzma", ".tb2", ".tbz", ".tbz2",
        ".txz", ".tlz", ".zst", ".tzst",
    ];
    if REMOTE_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
    {
        return Source::Remote;
    }
    let lower = path.to_ascii_lowercase();
    if ARCHIVE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) {
        return Source::Archive;
    }
    Source::Local
}

/// The raw text of a source whose value only the build knows, without the quotes
/// that would have been removed with its variables expanded.
fn unquote(raw: &str) -> &str {
    raw.trim_matches(['"', '\''])
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn local_files() {
        assert_catches("DL3020", "FROM debian:12\nADD foo /bar");
        assert_catches("DL3020", "FROM debian:12\nADD [\"foo\", \"/bar\"]");
        assert_catches("DL3020", "FROM debian:12\nADD --chown=a foo /bar");
        assert_catches("DL3020", "FROM debian:12\nADD foo.zip /bar");
        assert_catches("DL3020", "FROM debian:12\nADD foo.tar.gz bar.txt /bar/");
        assert_catches("DL3020", "FROM debian:12\nADD ftp://host/file /bar/");
        assert_catches("DL3020", "FROM debian:12\nADD <<EOF /bar\nhi\nEOF\n");
    }

    #[test]
    fn urls_and_archives() {
        assert_catches_not("DL3020", "FROM debian:12\nADD http://x/foo.txt /bar");
        assert_catches_not(
            "DL3020",
            "FROM debian:12\nADD https://github.com/a/b.git#v1 /b",
        );
        assert_catches_not("DL3020", "FROM debian:12\nADD git@github.com:a/b.git /b");
        assert_catches_not("DL3020", "FROM debian:12\nADD foo.tar.gz /bar");
        assert_catches_not("DL3020", "FROM debian:12\nADD foo.tgz /bar");
        assert_catches_not("DL3020", "FROM debian:12\nADD foo.tar.zst /bar");
        assert_catches_not("DL3020", "FROM debian:12\nADD *.tar.xz /bar/");
        assert_catches_not("DL3020", "FROM debian:12\nADD foo.tar.gz http://x/y /bar/");
        assert_catches_not("DL3020", "FROM debian:12\nCOPY foo /bar");
    }

    #[test]
    fn known_variables_are_expanded() {
        assert_catches_not(
            "DL3020",
            "FROM debian:12\nARG URL=https://x/y\nADD $URL /bar",
        );
        assert_catches_not(
            "DL3020",
            "FROM debian:12\nARG V=1\nADD app-${V}.tar.gz /bar",
        );
        assert_catches("DL3020", "FROM debian:12\nARG URL\nADD ${URL} /bar");
        assert_catches_not(
            "DL3020",
            "FROM debian:12\nARG V\nADD \"https://x/$V.deb\" /b",
        );
        assert_catches("DL3020", "FROM debian:12\nARG F=app.py\nADD $F /bar");
    }

    #[test]
    fn fix_replaces_add_with_copy() {
        assert_fix(
            "DL3020",
            "FROM debian:12\nADD --chown=app foo /bar\n",
            "FROM debian:12\nCOPY --chown=app foo /bar\n",
        );
        // COPY has no --checksum, and cannot fetch the URL.
        assert_no_fix(
            "DL3020",
            "FROM debian:12\nADD --checksum=sha256:0 foo /bar\n",
        );
        assert_no_fix("DL3020", "FROM debian:12\nADD foo http://x/y /bar/\n");
    }

    fn assert_no_fix(code: &str, source: &str) {
        let found = findings(code, source);
        assert_eq!(found.len(), 1, "{source}");
        assert!(found[0].fix.is_none(), "{source}");
    }
}
