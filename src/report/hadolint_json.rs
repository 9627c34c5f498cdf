//! `--format hadolint-json`: the array `hadolint -f json` prints, byte for byte, so the
//! tools that read hadolint's output keep working.
//!
//! One compact array, no trailing newline, one object per finding with hadolint's keys
//! in hadolint's order (`code`, `column`, `file`, `level`, `line`, `message`), strings
//! escaped as hadolint escapes them (`\"`, `\\`, `\n`, `\r`, `\t`, other control
//! characters as `\u00xx`; everything else, non-ASCII included, as is).
//!
//! - `line` is the first line of the instruction (as in `--format json`); `column` is
//!   1, as hadolint reports every rule's finding, except for DL1000 (a syntax error),
//!   where it is the column of the error.
//! - Files come in path order, each file's findings by line, then code.
//! - An image finding placed on a Dockerfile line is one of that file's findings; one
//!   about the whole image comes last, with the image reference as its `file` and line
//!   and column 1 (consumers of hadolint's JSON expect positive positions).
//! - Input errors are not in the array: they are on stderr, and the exit code is 2.

use std::io::{self, Write};

use super::Reporter;
use crate::finding::Finding;
use crate::gate::Run;

/// `--format hadolint-json`.
pub struct HadolintJson;

impl Reporter for HadolintJson {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        let mut placed: Vec<&Finding> = run.files.iter().flat_map(|file| &file.findings).collect();
        let mut unplaced: Vec<&Finding> = Vec::new();
        for finding in run.images.iter().flat_map(|image| &image.findings) {
            match finding.location {
                Some(_) => placed.push(finding),
                None => unplaced.push(finding),
            }
        }
        placed.sort_by(|a, b| (a.path(), a.line(), &a.rule).cmp(&(b.path(), b.line(), &b.rule)));
        let mut text = String::from("[");
        for (index, finding) in placed.iter().chain(&unplaced).enumerate() {
            if index > 0 {
                text.push(',');
            }
            entry(finding, &mut text);
        }
        text.push(']');
        out.write_all(text.as_bytes())
    }
}

/// One finding as hadolint writes it.
fn entry(finding: &Finding, out: &mut String) {
    let (line, column) = match finding.location {
        None => (1, 1),
        Some(_) if finding.rule == "DL1000" => (finding.line(), finding.column().max(1)),
        Some(_) => (finding.line(), 1),
    };
    out.push_str("{\"code\":");
    string(&finding.rule, out);
    out.push_str(&format!(",\"column\":{column},\"file\":"));
    string(finding.path(), out);
    out.push_str(",\"level\":");
    string(finding.severity.as_str(), out);
    out.push_str(&format!(",\"line\":{line},\"message\":"));
    string(&finding.message, out);
    out.push('}');
}

/// `text` as a JSON string, escaped as hadolint (aeson) escapes it.
fn string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_hadolint_escapes_them() {
        let mut out = String::new();
        string(
            "x\u{1}\u{7f}\u{8}\u{c}\u{1f}é<>&'\"\\y/\r\n\t\u{2028}",
            &mut out,
        );
        assert_eq!(
            out,
            "\"x\\u0001\u{7f}\\u0008\\u000c\\u001fé<>&'\\\"\\\\y/\\r\\n\\t\u{2028}\""
        );
    }
}
