//! The one identity of a finding that survives edits elsewhere in the file: SARIF's
//! `partialFingerprints`, GitLab's `fingerprint` and the GitHub side's hidden
//! review-comment markers all use it, so a finding is the same finding everywhere.
//!
//! A fingerprint hashes the rule, the file (relative to the repository root) and the
//! instruction's text with whitespace and line continuations collapsed, plus the text
//! of the exact range the finding marks (so two findings of one rule in one `RUN` are
//! told apart). The line number is not part of it: a line added above, or an
//! instruction re-wrapped over more lines, keeps the fingerprint; a changed instruction
//! changes it. An image finding that is not on a Dockerfile line hashes the rule and
//! the image's name without its tag or digest (a tag per commit must not make every
//! finding new). Findings that would still hash the same get `:2`, `:3`, ... in run
//! order, as GitHub numbers its own `primaryLocationLineHash`.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::finding::Finding;
use crate::gate::{FileRun, Run};

/// A finding of a run with the file it points into (when the run has it) and its
/// fingerprint.
#[derive(Debug, Clone)]
pub struct Fingerprinted<'a> {
    pub finding: &'a Finding,
    /// The file the finding's location is in; `None` for a finding about a whole image
    /// or in a file the run did not lint (`dockgate image --dockerfile`).
    pub file: Option<&'a FileRun>,
    pub fingerprint: String,
}

/// Every finding of `run` (in [`Run::findings`] order) with its fingerprint.
pub fn fingerprints(run: &Run) -> Vec<Fingerprinted<'_>> {
    let files: HashMap<&str, &FileRun> = run
        .files
        .iter()
        .map(|file| (file.path.as_str(), file))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    run.findings()
        .map(|finding| {
            let file = finding
                .location
                .as_ref()
                .and_then(|location| files.get(location.path.as_str()).copied());
            let base = base_fingerprint(finding, file);
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            let fingerprint = match *count {
                1 => base,
                n => format!("{base}:{n}"),
            };
            Fingerprinted {
                finding,
                file,
                fingerprint,
            }
        })
        .collect()
}

/// The fingerprint before duplicates are numbered.
fn base_fingerprint(finding: &Finding, file: Option<&FileRun>) -> String {
    match (&finding.location, file) {
        (Some(location), Some(file)) => {
            let source = file.source();
            let text = |range: crate::source::TextRange| {
                source.get(range.start..range.end).unwrap_or_default()
            };
            fingerprint(
                &finding.rule,
                &file.relative,
                text(location.instruction_range),
                text(location.range),
            )
        }
        // In a file the run does not hold: the file is all that is known.
        (Some(location), None) => fingerprint(&finding.rule, &location.path, "", ""),
        (None, _) => fingerprint(&finding.rule, &image_name(finding.path()), "", ""),
    }
}

/// The fingerprint of a finding of `rule` in `path` (relative to the repository root,
/// or an image name) on the instruction `instruction`, marking `text` in it.
pub fn fingerprint(rule: &str, path: &str, instruction: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule, path, &normalise(instruction), &normalise(text)] {
        hasher.update(part.as_bytes());
        // A separator no part contains, so ("ab", "c") and ("a", "bc") differ.
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    // 128 bits are plenty to tell a repository's findings apart.
    digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `text` with line continuations (`\` or `` ` `` at the end of a line), comment
/// lines inside the instruction and runs of whitespace collapsed to single spaces.
pub fn normalise(text: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if index > 0 && line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_suffix('\\')
            .or_else(|| line.strip_suffix('`'))
            .unwrap_or(line);
        words.extend(line.split_whitespace());
    }
    words.join(" ")
}

/// An image reference without its tag or digest, so `app:1.2` and `app:1.3` are one
/// image. References to files or directories (`docker-archive:`, `oci:`, ...) stay
/// whole: their path is the name.
fn image_name(reference: &str) -> String {
    let name = reference
        .strip_prefix("docker://")
        .or_else(|| reference.strip_prefix("docker-daemon:"));
    let name = match name {
        Some(name) => name,
        None if reference.contains(':') && !is_registry_name(reference) => {
            return reference.to_string();
        }
        None => reference,
    };
    let name = name.split('@').next().unwrap_or(name);
    let last_slash = name.rfind('/').map_or(0, |slash| slash + 1);
    match name[last_slash..].find(':') {
        Some(colon) => name[..last_slash + colon].to_string(),
        None => name.to_string(),
    }
}

/// Whether a reference without a transport prefix is a registry name (`app:1`,
/// `ghcr.io/o/app:1`, `localhost:5000/app`) rather than `transport:path`.
fn is_registry_name(reference: &str) -> bool {
    let known = [
        "docker-archive:",
        "oci:",
        "oci-archive:",
        "containers-storage:",
    ];
    !known.iter().any(|prefix| reference.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_continuations_and_comments_are_collapsed() {
        assert_eq!(
            normalise("RUN apt-get update \\\n    # refresh\n    && apt-get install -y curl"),
            "RUN apt-get update && apt-get install -y curl"
        );
        assert_eq!(normalise("RUN a `\r\n  b"), "RUN a b");
        assert_eq!(normalise("RUN  a\tb"), normalise("RUN a b"));
    }

    #[test]
    fn rewrapping_keeps_the_fingerprint_and_a_change_changes_it() {
        let one_line = fingerprint("DL3008", "Dockerfile", "RUN apt-get install curl", "");
        let wrapped = fingerprint("DL3008", "Dockerfile", "RUN apt-get \\\n  install curl", "");
        assert_eq!(one_line, wrapped);
        assert_eq!(one_line.len(), 32);
        for other in [
            fingerprint("DL3009", "Dockerfile", "RUN apt-get install curl", ""),
            fingerprint("DL3008", "svc/Dockerfile", "RUN apt-get install curl", ""),
            fingerprint("DL3008", "Dockerfile", "RUN apt-get install wget", ""),
            fingerprint("DL3008", "Dockerfile", "RUN apt-get install curl", "curl"),
        ] {
            assert_ne!(one_line, other);
        }
    }

    #[test]
    fn image_names_lose_tags_and_digests_but_paths_stay() {
        assert_eq!(image_name("ghcr.io/o/app:1.2"), "ghcr.io/o/app");
        assert_eq!(
            image_name("docker://localhost:5000/app@sha256:ab"),
            "localhost:5000/app"
        );
        assert_eq!(image_name("docker-daemon:app:latest"), "app");
        assert_eq!(image_name("app"), "app");
        assert_eq!(
            image_name("docker-archive:out/app.tar"),
            "docker-archive:out/app.tar"
        );
        assert_eq!(image_name("oci:layout:v1"), "oci:layout:v1");
    }
}
