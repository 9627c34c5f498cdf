//! DG1050: `ADD` of a remote URL without `--checksum`.

use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports an `ADD` whose source is an `http://` or `https://` URL and that has no
    /// `--checksum=sha256:...`, in every stage. DL3020 is about the other `ADD`, of
    /// local files, which `COPY` should do; a URL is what `ADD` is for, but only a
    /// checksum makes it safe.
    ///
    /// ## Why is this bad?
    /// Whatever the server returns today goes into the image: a moved release, a
    /// compromised mirror or a man in the middle changes the build without a change
    /// to the Dockerfile. With `--checksum`, BuildKit fails the build instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD https://example.com/tool-1.2.tar.gz /tmp/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    ///     https://example.com/tool-1.2.tar.gz /tmp/
    /// ```
    code: "DG1050",
    name: "remote-add-without-checksum",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "`ADD` of a URL without `--checksum`: the download is not verified",
    check: check,
}

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        if instruction.keyword != Keyword::Add || instruction.flags.iter().any(|flag| flag.name == "checksum") {
            continue;
        }
        let (Args::List(words) | Args::Exec(words)) = &instruction.args else {
            continue;
        };
        let Some((_, sources)) = words.split_last() else { continue };
        for source in sources {
            let url = context.expand(index, &source.value).unwrap_or_else(|| source.value.clone());
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http://") || lower.starts_with("https://") {
                context.report(instruction, source.range).message = format!(
                    "`ADD {url}` downloads without `--checksum`: add `--checksum=sha256:...` so a changed file fails the build"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unverified_downloads() {
        assert_catches("DG1050", "FROM a:1\nADD https://example.com/x.tgz /tmp/");
        assert_catches("DG1050", "FROM a:1\nADD http://example.com/x /x");
        assert_catches("DG1050", "FROM a:1\nARG V=1\nADD https://example.com/x-${V}.tgz /tmp/");
        assert_catches("DG1050", "FROM a:1 AS b\nADD [\"https://e.com/x\", \"/x\"]\nFROM c:1");
    }

    #[test]
    fn verified_or_local() {
        assert_catches_not("DG1050", "FROM a:1\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x.tgz /tmp/");
        assert_catches_not("DG1050", "FROM a:1\nADD app.tgz /app/");
        assert_catches_not("DG1050", "FROM a:1\nCOPY https.txt /x");
        assert_catches_not("DG1050", "FROM a:1\nADD git@github.com:acme/repo.git /src");
    }
}
