//! `--fix`, `--unsafe-fixes` and `--diff`: the fixes of the findings the report would
//! show, applied to the Dockerfiles in rounds until none applies.
//!
//! Each round lints the current text (with the suppression step, so a silenced
//! finding or a rule the policy turned off is not fixed), takes the fixes allowed
//! (safe ones, and unsafe ones with `--unsafe-fixes`) in position order, skipping one
//! that overlaps a fix already taken (the next round gets it), and applies them. A
//! fixed file always parses: when the round's text has more syntax errors than
//! before, each fix is tried alone and those that break the file are refused (and
//! reported). The file is written once, at the end, atomically, with its byte order
//! mark and line endings.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::dockerfile::parser::instruction_errors;
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::policy::Policy;
use crate::workspace::{IgnoreFiles, InputError};

/// At most this many rounds per file: each round applies at least one fix, and a fix
/// that keeps reappearing must not loop for ever.
pub const MAX_ROUNDS: usize = 10;

/// What `--fix` is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixMode {
    /// `--unsafe-fixes`: apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// `--diff`: change nothing on disk.
    pub write: bool,
}

impl FixMode {
    fn allows(self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// A fix not applied: it would have broken the file or added a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFix {
    pub path: String,
    /// The line of the finding's instruction, in the text the fix was tried on.
    pub line: usize,
    pub rule: String,
    pub title: String,
    /// Why: `the file would not parse`, `it would add a DL3008 finding`.
    pub reason: String,
}

impl std::fmt::Display for RefusedFix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} fix `{}` not applied: {}",
            self.path, self.line, self.rule, self.title, self.reason
        )
    }
}

/// One file `--fix` changed.
#[derive(Debug, Clone)]
pub struct FixedFile {
    pub path: String,
    /// The decoded text before and after.
    pub before: String,
    pub after: String,
    /// How many fixes were applied.
    pub fixed: usize,
}

/// What `--fix` did over all files.
#[derive(Debug, Clone, Default)]
pub struct FixOutcome {
    pub files: Vec<FixedFile>,
    pub refused: Vec<RefusedFix>,
    /// Files that could not be read or written.
    pub errors: Vec<InputError>,
    /// Files left alone, and why (not UTF-8).
    pub notes: Vec<String>,
}

impl FixOutcome {
    /// How many fixes were applied (or, with `--diff`, would be).
    pub fn fixed(&self) -> usize {
        self.files.iter().map(|file| file.fixed).sum()
    }

    /// The unified diff of every changed file, `a/PATH` against `b/PATH`.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for file in &self.files {
            let diff = similar::TextDiff::from_lines(&file.before, &file.after);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                    .to_string(),
            );
        }
        out
    }
}

/// The summary a `--fix` run reports with its findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixSummary {
    pub fixed: usize,
    pub refused: Vec<RefusedFix>,
}

/// Applies the allowed fixes to every Dockerfile under `paths` the policy selects.
pub fn fix_paths(paths: &[PathBuf], policy: &Policy, mode: FixMode) -> FixOutcome {
    let mut discovery = super::lint::discover(paths, policy);
    // A file named twice (`Dockerfile ./Dockerfile`) is fixed once.
    let mut seen = HashSet::new();
    discovery
        .files
        .retain(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())));
    // Every round of every file lints in the same build contexts: read them once.
    let ignore_files = IgnoreFiles::default();
    let results: Vec<Result<FileOutcome, InputError>> = discovery
        .files
        .par_iter()
        .map(|path| fix_file(path, policy, &ignore_files, mode))
        .collect();
    let mut outcome = FixOutcome {
        errors: discovery.errors,
        ..FixOutcome::default()
    };
    for result in results {
        match result {
            Ok(FileOutcome::Fixed(file, refused)) => {
                outcome.refused.extend(refused);
                if let Some(file) = file {
                    outcome.files.push(file);
                }
            }
            Ok(FileOutcome::Skipped(note)) => outcome.notes.push(note),
            Err(error) => outcome.errors.push(error),
        }
    }
    outcome
}

enum FileOutcome {
    Fixed(Option<FixedFile>, Vec<RefusedFix>),
    Skipped(String),
}

/// The text of a Dockerfile as `--fix` may rewrite it: UTF-8, with or without a BOM.
struct Encoded<'a> {
    bom: bool,
    text: &'a str,
}

impl<'a> Encoded<'a> {
    /// `None` for UTF-16, UTF-32 or invalid UTF-8, which `--fix` leaves alone rather
    /// than rewrite in another encoding or lose bytes it cannot decode.
    fn of(bytes: &'a [u8]) -> Option<Encoded<'a>> {
        let utf16_or_32 = [&[0xFF, 0xFE][..], &[0xFE, 0xFF], &[0x00, 0x00, 0xFE, 0xFF]];
        if utf16_or_32.iter().any(|bom| bytes.starts_with(bom)) {
            return None;
        }
        let (bom, rest) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            Some(rest) => (true, rest),
            None => (false, bytes),
        };
        Some(Encoded {
            bom,
            text: std::str::from_utf8(rest).ok()?,
        })
    }
}

fn fix_file(
    path: &Path,
    policy: &Policy,
    ignore_files: &IgnoreFiles,
    mode: FixMode,
) -> Result<FileOutcome, InputError> {
    let bytes = std::fs::read(path).map_err(|error| InputError::io(path, &error))?;
    let Some(encoded) = Encoded::of(&bytes) else {
        return Ok(FileOutcome::Skipped(format!(
            "{}: not fixed: only UTF-8 files are rewritten",
            path.display()
        )));
    };
    let (after, fixed, refused) = fix_text(path, encoded.text, policy, ignore_files, mode);
    if fixed == 0 {
        return Ok(FileOutcome::Fixed(None, refused));
    }
    if mode.write {
        let mut out = Vec::with_capacity(after.len() + 3);
        if encoded.bom {
            out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
        }
        out.extend_from_slice(after.as_bytes());
        write_atomically(path, &out).map_err(|error| InputError::io(path, &error))?;
    }
    let file = FixedFile {
        path: path.display().to_string(),
        before: encoded.text.to_string(),
        after,
        fixed,
    };
    Ok(FileOutcome::Fixed(Some(file), refused))
}

/// The rounds over one file's text: the fixed text, how many fixes were applied, and
/// the fixes refused because they broke the file or added a finding.
fn fix_text(
    path: &Path,
    original: &str,
    policy: &Policy,
    ignore_files: &IgnoreFiles,
    mode: FixMode,
) -> (String, usize, Vec<RefusedFix>) {
    let crlf = original.contains("\r\n");
    let mut source = original.to_string();
    let mut file = super::lint::lint_text(path, &source, policy, ignore_files);
    let mut fixed = 0;
    let mut refused = Vec::new();
    let mut refused_keys: HashSet<(String, String, String)> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let mut chosen: Vec<Candidate> = Vec::new();
        for finding in &file.findings {
            let Some(fix) = &finding.fix else { continue };
            let key = candidate_key(&source, finding, fix);
            if !mode.allows(fix) || refused_keys.contains(&key) {
                continue;
            }
            let fix = with_line_endings(fix, crlf);
            if chosen.iter().any(|taken| taken.fix.overlaps(&fix)) {
                continue;
            }
            chosen.push(Candidate {
                key,
                line: finding.line(),
                fix,
            });
        }
        if chosen.is_empty() {
            break;
        }
        let before = Baseline {
            syntax_errors: syntax_errors(&source),
            counts: rule_counts(&file.findings),
        };
        let check = |text: &str| before.check(path, text, policy, ignore_files);
        let all = apply_all(&source, chosen.iter().map(|candidate| &candidate.fix));
        if let Ok(linted) = check(&all) {
            (source, file) = (all, linted);
            fixed += chosen.len();
            continue;
        }
        // Some fix breaks the file or adds a finding: keep those that do not.
        let mut good: Vec<&Fix> = Vec::new();
        for candidate in &chosen {
            match check(&candidate.fix.apply(&source)) {
                Ok(_) => good.push(&candidate.fix),
                Err(reason) => {
                    refused.push(RefusedFix {
                        path: path.display().to_string(),
                        line: candidate.line,
                        rule: candidate.key.0.clone(),
                        title: candidate.fix.title.clone(),
                        reason,
                    });
                    refused_keys.insert(candidate.key.clone());
                }
            }
        }
        let together = apply_all(&source, good.iter().copied());
        if let Ok(linted) = check(&together) {
            fixed += good.len();
            (source, file) = (together, linted);
        } else if let Some(first) = good.first() {
            // Each is fine alone but not together: the first now, the rest next round.
            source = first.apply(&source);
            file = super::lint::lint_text(path, &source, policy, ignore_files);
            fixed += 1;
        }
    }
    (source, fixed, refused)
}

/// A fix taken for a round, with what identifies its finding across rounds (rule,
/// title and the instruction's text, which positions do not survive).
struct Candidate {
    key: (String, String, String),
    line: usize,
    fix: Fix,
}

fn candidate_key(source: &str, finding: &Finding, fix: &Fix) -> (String, String, String) {
    let instruction = finding
        .location
        .as_ref()
        .and_then(|location| {
            source.get(location.instruction_range.start..location.instruction_range.end)
        })
        .unwrap_or("");
    (
        finding.rule.to_string(),
        fix.title.clone(),
        instruction.to_string(),
    )
}

/// What a round's text is held to: no more syntax errors than before, and no rule
/// reporting more findings than before (a fix that exposes another rule's finding,
/// `apt` -> `apt-get` now seen by DL3008, is refused: `--fix` never adds a finding).
struct Baseline {
    syntax_errors: usize,
    counts: HashMap<String, usize>,
}

impl Baseline {
    /// The text linted when it passes; else why not.
    fn check(
        &self,
        path: &Path,
        text: &str,
        policy: &Policy,
        ignore_files: &IgnoreFiles,
    ) -> Result<super::FileRun, String> {
        if syntax_errors(text) > self.syntax_errors {
            return Err("the file would not parse".to_string());
        }
        let linted = super::lint::lint_text(path, text, policy, ignore_files);
        let counts = rule_counts(&linted.findings);
        let mut grown: Vec<&str> = counts
            .iter()
            .filter(|&(rule, &count)| count > self.counts.get(rule).copied().unwrap_or(0))
            .map(|(rule, _)| rule.as_str())
            .collect();
        if grown.is_empty() {
            return Ok(linted);
        }
        grown.sort_unstable();
        Err(format!("it would add a {} finding", grown.join(", ")))
    }
}

fn rule_counts(findings: &[Finding]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for finding in findings {
        *counts.entry(finding.rule.to_string()).or_insert(0) += 1;
    }
    counts
}

/// `fix` with its inserted line breaks as the file writes them.
fn with_line_endings(fix: &Fix, crlf: bool) -> Fix {
    let mut fix = fix.clone();
    if crlf {
        for edit in &mut fix.edits {
            if edit.content.contains('\n') && !edit.content.contains("\r\n") {
                edit.content = edit.content.replace('\n', "\r\n");
            }
        }
    }
    fix
}

/// `source` with the edits of `fixes` (which do not overlap) applied.
fn apply_all<'a>(source: &str, fixes: impl Iterator<Item = &'a Fix>) -> String {
    let edits: Vec<Edit> = fixes.flat_map(|fix| fix.edits.iter().cloned()).collect();
    Fix {
        title: String::new(),
        edits,
        applicability: Applicability::Safe,
    }
    .apply(source)
}

/// How many syntax errors (DL1000's) the text has, as BuildKit's parser and builder
/// see them.
fn syntax_errors(source: &str) -> usize {
    let dockerfile = crate::dockerfile::parse(source);
    dockerfile.errors.len() + instruction_errors(&dockerfile).len()
}

/// Replaces the file at `path` with `bytes` through a temporary file in the same
/// directory and a rename, so a crash leaves the old or the new file, never half of
/// one; the permissions stay the file's. A symbolic link is followed: its target is
/// replaced and the link stays.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    let directory = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = directory.join(format!(".{name}.dockgate-fix.{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::set_permissions(&temporary, permissions)?;
        std::fs::rename(&temporary, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_fix_keeps_or_refuses() {
        let with_bom = Encoded::of(b"\xEF\xBB\xBFFROM a\n").unwrap();
        assert!(with_bom.bom);
        assert_eq!(with_bom.text, "FROM a\n");
        assert!(!Encoded::of(b"FROM a\n").unwrap().bom);
        assert!(Encoded::of(b"\xFF\xFEF\x00").is_none());
        assert!(Encoded::of(b"FROM \xFFa\n").is_none());
    }

    #[test]
    fn inserted_line_breaks_follow_the_file() {
        let fix = Fix::replace("t", crate::source::TextRange::empty(0), "a\nb");
        assert_eq!(with_line_endings(&fix, true).edits[0].content, "a\r\nb");
        assert_eq!(with_line_endings(&fix, false).edits[0].content, "a\nb");
    }

    #[test]
    fn a_text_that_parses_worse_or_reports_more_is_refused() {
        let policy = crate::policy::load(
            &crate::policy::Choice::Explicit("builtin:recommended".into()),
            Path::new("."),
            crate::policy::GithubFetcher::from_env(),
        )
        .unwrap();
        let path = Path::new("Dockerfile");
        let ignore_files = IgnoreFiles::default();
        let source = "FROM debian:12\nUSER 10001\n";
        let before = Baseline {
            syntax_errors: syntax_errors(source),
            counts: rule_counts(
                &super::super::lint::lint_text(path, source, &policy, &ignore_files).findings,
            ),
        };
        assert!(before.check(path, source, &policy, &ignore_files).is_ok());
        assert_eq!(
            before
                .check(
                    path,
                    "FROM debian:12\nUSER 10001\nRUN <<EOF\nx\n",
                    &policy,
                    &ignore_files
                )
                .err()
                .as_deref(),
            Some("the file would not parse")
        );
        assert_eq!(
            before
                .check(
                    path,
                    "FROM debian:12\nUSER 10001\nMAINTAINER me\n",
                    &policy,
                    &ignore_files
                )
                .err()
                .as_deref(),
            Some("it would add a DL4000 finding")
        );
    }

    #[test]
    fn syntax_errors_are_counted() {
        assert_eq!(syntax_errors("FROM a\nRUN x\n"), 0);
        assert!(syntax_errors("FROM a\nRUN <<EOF\nx\n") > 0);
    }
}
