//! ShellCheck on the `RUN` commands, as a separate process (`shellcheck` is GPL; it is
//! run, never linked), with each `SCxxxx` finding placed at its real line and column
//! in the Dockerfile.
//!
//! The scripts of all files ([`script::scripts`]) are written to a temporary folder and
//! checked in batches, one `shellcheck --format=json1` process per batch and one batch
//! per core, since starting the process costs more than checking a script. Positions
//! come back per script and are mapped through the prelude and the joined continuation
//! lines to byte ranges of the Dockerfile.

pub mod script;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Deserialize;

use crate::finding::{Finding, Location, Severity, Span};
use crate::source::{LineIndex, TextRange};

pub use script::Script;

/// The codes hadolint never reports, because they are about the way scripts reach
/// ShellCheck rather than about the script: SC2187 (ash is checked as sh), SC1090 and
/// SC1091 (`source` of a file that cannot be followed).
pub const EXCLUDED: &[&str] = &["SC1090", "SC1091", "SC2187"];

/// The longest script given to ShellCheck, in bytes: its time grows faster than the
/// script (a 1 MB heredoc takes minutes), and real RUNs are a few kB.
pub const MAX_SCRIPT: usize = 64_000;

/// The `shellcheck` to run: `configured` (the policy's `shellcheck.path`), else the
/// first on `PATH`. `None` when there is none.
pub fn locate(configured: Option<&str>) -> Option<PathBuf> {
    if let Some(path) = configured {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join("shellcheck"))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[derive(Deserialize)]
struct Report {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    file: String,
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
}

/// One script of one file, as the run knows it: the file (an index the caller
/// chooses) and the script.
pub struct Job<'a> {
    pub file: usize,
    pub script: &'a Script,
}

/// What ShellCheck found in one script, as a finding located in the Dockerfile.
pub struct Found {
    pub file: usize,
    pub finding: Finding,
}

/// Checks every job with `shellcheck` at `program`, in one batch per thread of the
/// pool; a script that several jobs share (the same RUN in files that differ
/// elsewhere) is checked once. A batch whose process cannot be run or answers with
/// something other than a json1 report yields an error message, and nothing else.
pub fn check(program: &Path, jobs: &[Job]) -> (Vec<Found>, Vec<String>) {
    if jobs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut unique: Vec<&str> = Vec::new();
    let mut users: Vec<Vec<usize>> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, job) in jobs.iter().enumerate() {
        let text = job.script.text.as_str();
        let at = *seen.entry(text).or_insert_with(|| {
            unique.push(text);
            users.push(Vec::new());
            unique.len() - 1
        });
        users[at].push(index);
    }
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dockgate-shellcheck-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return (
            Vec::new(),
            vec![format!("cannot create {}: {error}", dir.display())],
        );
    }
    let batches = rayon::current_num_threads().max(1);
    let size = unique.len().div_ceil(batches);
    let results: Vec<Result<Vec<(usize, Comment)>, String>> = unique
        .chunks(size)
        .enumerate()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(batch, chunk)| run_batch(program, &dir, batch * size, chunk))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(comments) => {
                for (script, comment) in comments {
                    for &index in users.get(script).into_iter().flatten() {
                        let job = &jobs[index];
                        found.push(Found {
                            file: job.file,
                            finding: finding(job.script, &comment),
                        });
                    }
                }
            }
            Err(error) => errors.push(error),
        }
    }
    (found, errors)
}

/// Runs one `shellcheck` over `scripts` (numbered from `first`): each comment with the
/// number of its script.
fn run_batch(
    program: &Path,
    dir: &Path,
    first: usize,
    scripts: &[&str],
) -> Result<Vec<(usize, Comment)>, String> {
    let mut names = Vec::with_capacity(scripts.len());
    for (offset, text) in scripts.iter().enumerate() {
        let name = format!("{}.sh", first + offset);
        std::fs::write(dir.join(&name), text)
            .map_err(|error| format!("cannot write a script to {}: {error}", dir.display()))?;
        names.push(name);
    }
    let output = Command::new(program)
        .current_dir(dir)
        .args(["--format=json1", "--norc"])
        .arg(format!(
            "--exclude={}",
            EXCLUDED
                .iter()
                .map(|code| &code[2..])
                .collect::<Vec<_>>()
                .join(",")
        ))
        .arg("--")
        .args(&names)
        .output()
        .map_err(|error| format!("cannot run {}: {error}", program.display()))?;
    let report: Report = serde_json::from_slice(&output.stdout).map_err(|_| {
        format!(
            "{} exited {} without a json1 report: {}",
            program.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    Ok(report
        .comments
        .into_iter()
        .filter_map(|comment| {
            let script = comment.file.strip_suffix(".sh")?.parse::<usize>().ok()?;
            Some((script, comment))
        })
        .collect())
}

/// ShellCheck's levels are dockgate's severities.
fn severity(level: &str) -> Severity {
    match level {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => Severity::Style,
    }
}

/// The finding for `comment`, with its byte range in the source (the instruction's
/// name for a comment about the prelude); its span is filled in by [`locate_exact`].
fn finding(script: &Script, comment: &Comment) -> Finding {
    let start = script.offset_of(comment.line, comment.column);
    let end = script
        .offset_of(comment.end_line, comment.end_column)
        .max(start);
    // A parse error at the end of the script (an unterminated quote) is placed on the
    // instruction's last character rather than past it.
    let last = script
        .instruction
        .end
        .saturating_sub(1)
        .max(script.instruction.start);
    let clamp = |offset: usize| offset.clamp(script.instruction.start, last);
    let clamp_end = |offset: usize| offset.clamp(script.instruction.start, script.instruction.end);
    let range = match (script.source_offset(start), script.source_offset(end)) {
        (Some(start), Some(end)) if clamp_end(end) > clamp(start) => {
            TextRange::new(clamp(start), clamp_end(end))
        }
        (Some(start), _) => TextRange::new(clamp(start), clamp(start) + 1),
        _ => script.anchor,
    };
    Finding::in_file(
        format!("SC{:04}", comment.code),
        severity(&comment.level),
        Location::new(String::new(), range, script.instruction),
        comment.message.clone(),
    )
}

/// Fills in the positions of an SC finding: unlike other rules' findings, whose `line`
/// is the instruction's first line (as hadolint reports it), an SC finding is at its
/// exact line and column.
pub fn locate_exact(location: &mut Location, source: &str, lines: &LineIndex) {
    // Snap the range to character boundaries (a one-byte range may have been made at a
    // multi-byte character).
    let boundary = |mut offset: usize| {
        offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset += 1;
        }
        offset
    };
    let end = boundary(location.range.end);
    let start = boundary(location.range.start).min(end);
    location.range = TextRange::new(start, end);
    let start = lines.position(source, start);
    let end = lines.position(source, end);
    location.span = Span {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    };
}

/// A link to the ShellCheck wiki page of `code` (`SC2086`).
pub fn wiki(code: &str) -> String {
    format!("https://www.shellcheck.net/wiki/{code}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::model::Model;
    use crate::dockerfile::parse;

    #[test]
    fn any_position_lands_inside_the_instruction() {
        let sources = [
            "FROM a\nRUN echo é && \\\n  ünï $x\n",
            "# escape=`\nFROM a\r\nRUN echo 1 `\r\n  && echo $y\r\n",
            "FROM a\nRUN cat <<EOF\nnever closed é\n",
            "FROM a\nONBUILD RUN \\\n",
        ];
        for source in sources {
            let dockerfile = parse(source);
            let model = Model::new(&dockerfile);
            for script in script::scripts(&dockerfile, &model, script::ScriptOptions::default()) {
                for (line, column) in [(1, 1), (3, 1), (3, 4), (4, 2), (999, 999), (0, 0)] {
                    let comment = Comment {
                        file: "0.sh".into(),
                        line,
                        end_line: line,
                        column,
                        end_column: column + 1,
                        level: "style".into(),
                        code: 2086,
                        message: String::new(),
                    };
                    let mut found = finding(&script, &comment);
                    let location = found.location.as_mut().unwrap();
                    locate_exact(location, &dockerfile.source, &dockerfile.lines);
                    let range = location.range;
                    assert!(range.start <= range.end && range.end <= source.len());
                    assert!(source.get(range.start..range.end).is_some(), "{source:?}");
                    assert!(
                        range.start >= script.instruction.start
                            && range.end <= script.instruction.end.max(script.anchor.end)
                    );
                }
            }
        }
    }
}
