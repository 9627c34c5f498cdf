//! Reporters: turn a finished [`Run`] into text for people, or into what other tools
//! read: dockgate's JSON, SARIF, hadolint's array, GitHub workflow commands,
//! Checkstyle XML, GitLab Code Quality and JUnit XML.
//!
//! A reporter sees the run (findings, the sources they point into, the images and the
//! verdict) and the rules' metadata (name, category, documentation: what SARIF,
//! GitLab and JUnit name and link); never the parser or the rules' checks. A new
//! format is one file with one [`Reporter`]; what several formats share (a finding's
//! fingerprint, its place, workspace-relative paths, XML escaping) is one file each.

mod checkstyle;
mod fingerprint;
mod github;
mod gitlab;
mod hadolint_json;
mod json;
mod junit;
mod place;
mod sarif;
mod text;
mod workspace;
mod xml;

use std::io::{self, Write};

use crate::gate::Run;

pub use checkstyle::Checkstyle;
pub use fingerprint::{Fingerprinted, fingerprint, fingerprints};
pub use github::{Github, workflow_commands};
pub use gitlab::Gitlab;
pub use hadolint_json::HadolintJson;
pub use json::Json;
pub use junit::Junit;
pub use place::{Place, place};
pub use sarif::Sarif;
pub use text::Text;
pub use workspace::{relative_path, workspace_root};

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: `path:line:col: CODE [severity] message`, the source line with the
    /// span underlined, and a summary.
    Text,
    /// One JSON object: `{"version": 1, "passed": ..., "findings": [...], "images": [...]}`.
    Json,
    /// SARIF 2.1.0 for code scanning (`github/codeql-action/upload-sarif`): rule
    /// metadata, locations relative to `%SRCROOT%`, stable `partialFingerprints`.
    Sarif,
    /// hadolint's `-f json` array, byte for byte: `[{"code": ..., "column": ...,
    /// "file": ..., "level": ..., "line": ..., "message": ...}]`.
    HadolintJson,
    /// GitHub Actions workflow commands (`::error file=...,line=...::message`), which
    /// the runner shows as annotations; worst first, paths relative to
    /// `GITHUB_WORKSPACE`.
    Github,
    /// Checkstyle XML 4.3 (`<checkstyle><file name=...><error line= column= severity=
    /// message= source=/>`), as eslint and hadolint write it.
    Checkstyle,
    /// A GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of
    /// `{description, check_name, fingerprint, severity, location: {path, lines}}`.
    Gitlab,
    /// JUnit XML (Jenkins, Azure Pipelines): a test suite per file and image, a test
    /// case per rule that fired, failing when it reaches `--fail-on`.
    Junit,
}

/// Writes a run in one output format.
pub trait Reporter {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()>;
}

/// The reporter of `format`; `color` applies to text only.
pub fn reporter(format: Format, color: bool) -> Box<dyn Reporter> {
    match format {
        Format::Text => Box::new(Text { color }),
        Format::Json => Box::new(Json),
        Format::HadolintJson => Box::new(HadolintJson),
        Format::Github => Box::new(Github::from_env()),
        Format::Sarif => Box::new(Sarif::from_env()),
        Format::Checkstyle => Box::new(Checkstyle::from_env()),
        Format::Gitlab => Box::new(Gitlab::from_env()),
        Format::Junit => Box::new(Junit::from_env()),
    }
}
