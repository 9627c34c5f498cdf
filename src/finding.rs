//! Findings: what a rule reports, where (a file location, an image, or both), how bad
//! it is, and how it could be fixed.
//!
//! A rule reports a byte range in the decoded source; the engine then fills in the
//! 1-based positions every reporter uses, so no reporter needs the source to place a
//! finding.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::source::{LineIndex, TextRange};

/// How bad a finding is. Ordered: `Style < Info < Warning < Error`, so a threshold
/// such as `--fail-on warning` is `severity >= Severity::Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Every severity, most severe first (the order reports list them in).
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected error, warning, info or style)")
            })
    }
}

/// One replacement of a source range; an empty range inserts, an empty text deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

/// Whether applying a fix keeps the image as it was (ruff's applicability).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The fix may change the image or the build (`--no-install-recommends` installs
    /// fewer packages, removing the apt lists breaks a later `apt-get install`):
    /// `--fix` applies it only with `--unsafe-fixes`.
    Unsafe,
    /// The image is built the same (`MAINTAINER` -> `LABEL`, `ADD` -> `COPY` of a
    /// local file, `-y`): `--fix` applies it.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A suggested fix: a title for humans ("Replace `ADD` with `COPY`"), the edits that
/// carry it out, and whether it is safe. Several edits apply together or not at all;
/// they never overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    /// A safe fix made of one replacement; [`Fix::with_applicability`] marks an unsafe
    /// one.
    pub fn replace(title: impl Into<String>, range: TextRange, content: impl Into<String>) -> Fix {
        Fix {
            title: title.into(),
            edits: vec![Edit {
                range,
                content: content.into(),
            }],
            applicability: Applicability::Safe,
        }
    }

    /// The same fix, with `applicability`.
    pub fn with_applicability(self, applicability: Applicability) -> Fix {
        Fix {
            applicability,
            ..self
        }
    }

    /// The same fix, marked unsafe (it may change the image).
    pub fn unsafe_fix(self) -> Fix {
        self.with_applicability(Applicability::Unsafe)
    }

    /// Whether two fixes touch the same text: they cannot be applied in one round.
    /// Insertions at the same place overlap too (their order would matter).
    pub fn overlaps(&self, other: &Fix) -> bool {
        self.edits.iter().any(|a| {
            other.edits.iter().any(|b| {
                a.range.start < b.range.end && b.range.start < a.range.end
                    || a.range.start == b.range.start
                    || a.range.is_empty() && (b.range.start..=b.range.end).contains(&a.range.start)
                    || b.range.is_empty() && (a.range.start..=a.range.end).contains(&b.range.start)
            })
        })
    }

    /// Applies the edits to `source` (they must come from findings on that source).
    pub fn apply(&self, source: &str) -> String {
        let mut edits: Vec<&Edit> = self.edits.iter().collect();
        edits.sort_by_key(|edit| edit.range);
        let mut out = String::with_capacity(source.len());
        let mut cursor = 0;
        for edit in edits {
            out.push_str(&source[cursor..edit.range.start]);
            out.push_str(&edit.content);
            cursor = edit.range.end;
        }
        out.push_str(&source[cursor..]);
        out
    }
}

/// A 1-based span: the start is the finding's anchor (see [`Finding::line`]), the end is
/// exclusive-of-nothing: `end_column` is the column just past the last character, as
/// rustc and ruff report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Where in a file a finding is: the file, the exact byte range, the instruction it
/// belongs to, and (once located) the 1-based positions reporters print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (relative paths stay relative).
    pub path: String,
    /// The exact byte range the finding is about.
    pub range: TextRange,
    /// The range of the whole instruction the finding belongs to; pragmas and the
    /// hadolint-compatible `line` refer to it.
    pub instruction_range: TextRange,
    /// Positions, filled in by [`Location::locate`]. `line` is the first line of the
    /// instruction (as hadolint reports it, so existing tooling keeps matching lines);
    /// `column` is where the exact range starts when it starts on that line, else the
    /// instruction's column, so `line:column`..`end_line:end_column` always covers the
    /// exact range.
    pub span: Span,
}

impl Location {
    /// A location in `path` whose positions are not filled in yet.
    pub fn new(path: impl Into<String>, range: TextRange, instruction_range: TextRange) -> Self {
        Location {
            path: path.into(),
            range,
            instruction_range,
            span: Span::default(),
        }
    }

    /// Fills in [`Location::span`] from the byte ranges.
    pub fn locate(&mut self, source: &str, lines: &LineIndex) {
        let instruction = lines.position(source, self.instruction_range.start);
        let start = lines.position(source, self.range.start);
        let end = lines.position(source, self.range.end);
        let column = if start.line == instruction.line {
            start.column
        } else {
            instruction.column
        };
        self.span = Span {
            line: instruction.line.min(start.line),
            column,
            end_line: end.line,
            end_column: end.column,
        };
    }
}

/// One problem: found in a file, about an image, or both (an image finding placed on
/// the Dockerfile line that caused it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule code: `DL3006`, `DG0001`, ...
    pub rule: Cow<'static, str>,
    pub severity: Severity,
    /// Where in a file it is; `None` for a finding about a whole image.
    pub location: Option<Location>,
    /// The image it is about (the reference as the user wrote it); `None` for a finding
    /// that only concerns a file.
    pub image: Option<String>,
    pub message: String,
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding in a file at `range`, inside the instruction at `instruction_range`.
    pub fn in_file(
        rule: impl Into<Cow<'static, str>>,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            location: Some(location),
            image: None,
            message: message.into(),
            fix: None,
        }
    }

    /// A finding about the image `reference`, not (yet) placed on a Dockerfile line.
    pub fn about_image(
        rule: &'static str,
        severity: Severity,
        reference: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: Cow::Borrowed(rule),
            severity,
            location: None,
            image: Some(reference.into()),
            message: message.into(),
            fix: None,
        }
    }

    /// What reports name as the finding's place: the file, else the image.
    pub fn path(&self) -> &str {
        match (&self.location, &self.image) {
            (Some(location), _) => &location.path,
            (None, Some(image)) => image,
            (None, None) => "",
        }
    }

    /// The 1-based positions; all 0 for a finding about a whole image.
    pub fn span(&self) -> Span {
        self.location
            .as_ref()
            .map(|location| location.span)
            .unwrap_or_default()
    }

    pub fn line(&self) -> usize {
        self.span().line
    }

    pub fn column(&self) -> usize {
        self.span().column
    }

    pub fn end_line(&self) -> usize {
        self.span().end_line
    }

    pub fn end_column(&self) -> usize {
        self.span().end_column
    }

    /// The order reports list findings in: by path, then position, then rule.
    pub fn sort_key(&self) -> (&str, Span, &str) {
        (self.path(), self.span(), &self.rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(range: TextRange, instruction_range: TextRange) -> Location {
        Location::new("Dockerfile", range, instruction_range)
    }

    #[test]
    fn severities_are_ordered_and_parse() {
        assert!(Severity::Error > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
        assert!(Severity::Info > Severity::Style);
        assert_eq!("Warning".parse::<Severity>(), Ok(Severity::Warning));
        assert!("fatal".parse::<Severity>().is_err());
    }

    #[test]
    fn line_is_the_instruction_line_and_end_is_exact() {
        let source = "FROM a\nRUN x \\\n  && y\n";
        let lines = LineIndex::new(source);
        let run = TextRange::new(7, source.len() - 1);
        let y = source.rfind('y').unwrap();

        let mut on_second_line = finding(TextRange::new(y, y + 1), run);
        on_second_line.locate(source, &lines);
        assert_eq!(
            on_second_line.span,
            Span {
                line: 2,
                column: 1,
                end_line: 3,
                end_column: 7
            }
        );

        let x = source.find('x').unwrap();
        let mut on_first_line = finding(TextRange::new(x, x + 1), run);
        on_first_line.locate(source, &lines);
        let span = on_first_line.span;
        assert_eq!((span.line, span.column), (2, 5));
        assert_eq!((span.end_line, span.end_column), (2, 6));
    }

    #[test]
    fn fixes_apply_edits_in_order() {
        let fix = Fix {
            title: "t".into(),
            edits: vec![
                Edit {
                    range: TextRange::new(4, 5),
                    content: "B".into(),
                },
                Edit {
                    range: TextRange::new(0, 3),
                    content: "COPY".into(),
                },
            ],
            applicability: Applicability::Safe,
        };
        assert_eq!(fix.apply("ADD b c"), "COPY B c");
    }
}
