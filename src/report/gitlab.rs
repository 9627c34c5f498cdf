//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`),
//! the subset of the Code Climate issue format GitLab reads, shown in the merge request
//! widget and the pipeline's Code Quality tab:
//!
//! ```json
//! [ { "type": "issue", "check_name": "DL3008", "description": "...",
//!     "categories": ["Bug Risk"], "severity": "major", "fingerprint": "...",
//!     "location": { "path": "svc/Dockerfile", "lines": { "begin": 3, "end": 5 } } } ]
//! ```
//!
//! - `severity`: error `critical`, warning `major`, info `minor`, style `info`
//!   (`blocker` is left for nothing dockgate reports).
//! - `fingerprint` is the shared one (rule, path, normalised instruction text; see
//!   `fingerprint.rs`), so GitLab matches a finding across pipelines when lines move,
//!   and each is unique in the report (GitLab drops repeated fingerprints).
//! - `location.path` is relative to the workspace (`CI_PROJECT_DIR` in GitLab CI, else
//!   the current directory), without `./`. A finding about an image names the image in
//!   its description; a whole-image one is on the `FROM` of the Dockerfile that made
//!   the image when known, else its path is the image reference, at line 1.
//! - `categories` are Code Climate's: security rules `Security`, deprecations
//!   `Compatibility`, best practices `Style`, the others `Bug Risk`.
//! - Input errors are not in the report (GitLab has no place for them): they are on
//!   stderr, and the exit code is 2.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::Reporter;
use super::fingerprint::fingerprints;
use super::place::{Place, message, place};
use super::workspace::{relative_path, workspace_root};
use crate::finding::Severity;
use crate::gate::Run;
use crate::rules::{self, Category};

/// `--format gitlab`.
pub struct Gitlab {
    /// The paths are relative to it.
    pub workspace: PathBuf,
}

impl Gitlab {
    pub fn from_env() -> Gitlab {
        Gitlab {
            workspace: workspace_root(),
        }
    }
}

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

impl Reporter for Gitlab {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        let issues: Vec<Issue> = fingerprints(run)
            .into_iter()
            .map(|item| {
                let finding = item.finding;
                let location = match place(finding, run) {
                    Place::File { path, span } => Location {
                        path: relative_path(path, &self.workspace),
                        lines: Lines {
                            begin: span.line.max(1),
                            end: span.end_line.max(span.line).max(1),
                        },
                    },
                    Place::Image { reference } => Location {
                        path: reference.to_string(),
                        lines: Lines { begin: 1, end: 1 },
                    },
                };
                Issue {
                    kind: "issue",
                    check_name: &finding.rule,
                    description: message(finding),
                    categories: [category(&finding.rule)],
                    severity: severity(finding.severity),
                    fingerprint: item.fingerprint,
                    location,
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

/// GitLab's severities: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Style => "info",
    }
}

/// The Code Climate category of the rule `code`.
fn category(code: &str) -> &'static str {
    match rules::find(code).map(|rule| rule.category) {
        Some(Category::Security) => "Security",
        Some(Category::Deprecation) => "Compatibility",
        Some(Category::BestPractice) => "Style",
        _ => "Bug Risk",
    }
}
