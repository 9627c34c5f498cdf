//! Reporters: turn the results of a run into text for people or JSON for tools.
//!
//! Reporters see findings, the sources they point into (for snippets) and the verdict;
//! never the parser or the rules.

mod json;
mod text;

use crate::source::LineIndex;
use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::image::ImageFacts;
use crate::workspace::InputError;

pub use json::write_json;
pub use text::write_text;

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: `path:line:col: CODE [severity] message`, the source line with the
    /// span underlined, and a summary.
    Text,
    /// One JSON object: `{"version": 1, "passed": ..., "findings": [...], "images": [...]}`.
    Json,
}

/// One linted file: its path as the user named it, its decoded text and its findings.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    pub source: String,
    /// Line starts of `source`, as the parser built them.
    pub lines: LineIndex,
    pub findings: Vec<Finding>,
}

/// One checked image: its facts, its findings, and the budgets it was held to (for the
/// size bar).
#[derive(Debug, Clone)]
pub struct ImageReport {
    pub facts: ImageFacts,
    pub findings: Vec<Finding>,
    pub max_size: Option<u64>,
    pub max_compressed_size: Option<u64>,
}

/// Everything a reporter needs about one run.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Sorted by path.
    pub files: &'a [FileReport],
    /// In the order given on the command line.
    pub images: &'a [ImageReport],
    /// Inputs that could not be read.
    pub errors: &'a [InputError],
    /// The lowest severity that fails the run; `None` for `--fail-on never`.
    pub fail_on: Option<Severity>,
    pub passed: bool,
}

impl Report<'_> {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files
            .iter()
            .flat_map(|file| &file.findings)
            .chain(self.images.iter().flat_map(|image| &image.findings))
    }
}

/// Writes `report` in `format`. `color` applies to text only.
pub fn write(out: &mut dyn Write, report: &Report, format: Format, color: bool) -> io::Result<()> {
    match format {
        Format::Text => write_text(out, report, color),
        Format::Json => write_json(out, report),
    }
}
