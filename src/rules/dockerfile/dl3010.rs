//! DL3010: an archive copied in, then extracted by `tar` in a later `RUN`.

use crate::dockerfile::shell::{Command, Script};
use crate::rules::Context;

use super::copies::copies;
use super::scripts::runs;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `COPY` of a local tar archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`,
    /// `.tar.xz`, ...) that a later `RUN` of the same stage unpacks with `tar -x`.
    /// The values are expanded first; the archive's path is the destination, or the
    /// destination directory and the archive's name.
    ///
    /// ## Why is this bad?
    /// The archive stays in the `COPY`'s layer even if the `RUN` deletes it afterwards,
    /// so the image ships the files twice. `ADD` unpacks a local tar archive itself, in
    /// one layer, without `tar` in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ADD app.tar.gz /opt/
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3010](https://github.com/hadolint/hadolint/wiki/DL3010)
    code: "DL3010",
    name: "copied-archive-extracted",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "Use `ADD` for extracting archives into an image",
    check: check,
}

/// The endings `ADD` unpacks (its formats: tar, plain or gzip, bzip2, xz, zstd).
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
];

fn check(context: &mut Context) {
    let runs = runs(context);
    for copy in copies(context) {
        let [sources @ .., destination] = copy.words else {
            continue;
        };
        if copy.from.is_some() || sources.is_empty() {
            continue;
        }
        let Some(destination) = context.expand(copy.index, &destination.value) else {
            continue;
        };
        let later_runs: Vec<&Script> = runs
            .iter()
            .filter(|run| run.index > copy.index && copy.stage.instructions.contains(&run.index))
            .map(|run| run.script)
            .collect();
        let extracted = sources.iter().find(|source| {
            let Some(source) = context.expand(copy.index, &source.value) else {
                return false;
            };
            let name = source.rsplit('/').next().unwrap_or(&source);
            if !ARCHIVES.iter().any(|ending| name.ends_with(ending)) {
                return false;
            }
            let path = if destination.ends_with('/') {
                format!("{destination}{name}")
            } else if sources.len() == 1 {
                destination.clone()
            } else {
                return false;
            };
            later_runs.iter().any(|script| extracts(script, &path))
        });
        if let Some(source) = extracted {
            context.report(copy.instruction, source.range);
        }
    }
}

/// Whether `script` runs `tar` to extract the archive at `path`.
fn extracts(script: &Script, path: &str) -> bool {
    script
        .commands_named("tar")
        .any(|tar| is_extract(tar) && names_archive(tar, path))
}

/// `tar -x...`, `tar --extract`, or the old bundled form `tar xzf`.
fn is_extract(tar: &Command) -> bool {
    let args = tar.args();
    let bundled = args.first().is_some_and(|word| {
        let value = word.value.as_str();
        !value.starts_with('-') && value.contains('x') && value.chars().all(|c| c.is_ascii_alphabetic())
    });
    bundled
        || tar.has_flag(&["--extract", "--get"])
        || args.iter().any(|word| {
            let value = word.value.as_str();
            value.starts_with('-') && !value.starts_with("--") && value[1..].contains('x')
        })
}

/// Whether an argument of `tar` is the archive `path`: the value of `-f`, the operand
/// after a bundled `f`, or `--file=PATH`.
fn names_archive(tar: &Command, path: &str) -> bool {
    tar.args().iter().any(|word| {
        let value = word.value.as_str();
        value == path || value.strip_prefix("--file=") == Some(path)
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn copied_then_extracted() {
        assert_catches("DL3010", "FROM debian:12\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz");
        assert_catches("DL3010", "FROM debian:12\nCOPY a.tar /tmp/\nRUN tar -xf /tmp/a.tar");
        assert_catches("DL3010", "FROM debian:12\nCOPY a.tgz /x/\nRUN tar xzf /x/a.tgz -C /opt");
        assert_catches("DL3010", "FROM debian:12\nCOPY a.tar.xz /x/\nRUN tar --extract --file=/x/a.tar.xz");
        // hadolint misses a destination that is the archive's own path.
        assert_catches("DL3010", "FROM debian:12\nCOPY app.tar.gz /tmp/app.tar.gz\nRUN tar xf /tmp/app.tar.gz -C /app");
        assert_catches("DL3010", "FROM debian:12\nARG D=/tmp\nCOPY app.tar.gz ${D}/\nRUN tar -xzf /tmp/app.tar.gz");
    }

    #[test]
    fn not_extracted_or_not_a_tar() {
        assert_catches_not("DL3010", "FROM debian:12\nCOPY app.tar.gz /app/");
        assert_catches_not("DL3010", "FROM debian:12\nCOPY app.zip /tmp/\nRUN unzip /tmp/app.zip");
        assert_catches_not("DL3010", "FROM debian:12\nCOPY a.tar /tmp/\nRUN tar -cf /tmp/b.tar /etc");
        assert_catches_not("DL3010", "FROM debian:12\nCOPY a.tar /tmp/\nRUN tar -tf /tmp/a.tar");
        assert_catches_not("DL3010", "FROM debian:12\nCOPY --from=build /a.tar /tmp/\nRUN tar -xf /tmp/a.tar");
        assert_catches_not("DL3010", "FROM debian:12\nCOPY a.tar /tmp/\nFROM debian:12\nRUN tar -xf /tmp/a.tar");
        assert_catches_not("DL3010", "FROM debian:12\nRUN tar -xf /tmp/a.tar\nCOPY a.tar /tmp/");
    }

    /// hadolint does not follow archives copied by ONBUILD triggers; neither does dockgate.
    #[test]
    fn onbuild_run() {
        assert_catches_not("DL3010", "FROM debian:12\nONBUILD COPY a.tar /tmp/\nONBUILD RUN tar -xf /tmp/a.tar");
    }
}
