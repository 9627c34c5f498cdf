//! Reporters: turn a finished [`Run`] into text for people or JSON for tools
//! (dockgate's own, or hadolint's array).
//!
//! A reporter sees the run (findings, the sources they point into, the images and the
//! verdict); never the parser or the rules. A new format is one file with one
//! [`Reporter`].

mod hadolint_json;
mod json;
mod text;

use std::io::{self, Write};

use crate::gate::Run;

pub use hadolint_json::HadolintJson;
pub use json::Json;
pub use text::Text;

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: `path:line:col: CODE [severity] message`, the source line with the
    /// span underlined, and a summary.
    Text,
    /// One JSON object: `{"version": 1, "passed": ..., "findings": [...], "images": [...]}`.
    Json,
    /// hadolint's `-f json` array, byte for byte: `[{"code": ..., "column": ...,
    /// "file": ..., "level": ..., "line": ..., "message": ...}]`.
    HadolintJson,
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
    }
}
