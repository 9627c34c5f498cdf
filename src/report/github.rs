//! `--format github`: GitHub Actions workflow commands, one per finding, which the
//! runner turns into annotations on the files and lines (as ruff's
//! `--output-format github` does):
//!
//! ```text
//! ::error file=svc/Dockerfile,line=3,col=5,endLine=3,endColumn=20,title=DL3008::Pin versions in apt get install
//! ```
//!
//! - Levels: `error` for errors, `warning` for warnings, `notice` for info and style.
//! - Paths are relative to the workspace (`GITHUB_WORKSPACE`, else the current
//!   directory), as GitHub matches them against the repository. `col` and `endColumn`
//!   are given when the finding is on one line (GitHub ignores columns across lines);
//!   `endColumn` is the column just past the last character, as in every dockgate
//!   format.
//! - A finding about an image names the image in its message. One placed on a
//!   Dockerfile line is annotated there; one about the whole image on the `FROM` of the
//!   Dockerfile that made the image when the run knows it, else it has no `file`.
//! - An input that could not be read is an `error` annotation titled `input error`.
//! - GitHub shows at most 10 annotations per level in a step. Commands come worst
//!   first (errors, then warnings, then notices; each by path and position) so the
//!   ones shown are the worst; every command still prints in the step's log. When a
//!   level has more than 10, a `notice` titled `dockgate` comes before the other
//!   notices (so it is always one of those shown) and says how many of each level
//!   there are and how many GitHub did not show.
//! - Data and properties are escaped as the Actions toolkit escapes them: `%`, `\r`
//!   and `\n` everywhere, `:` and `,` in properties too.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Reporter;
use super::place::{Place, message, place};
use super::workspace::{relative_path, workspace_root};
use crate::finding::{Finding, Severity};
use crate::gate::Run;

/// How many annotations of one level GitHub shows for a step.
pub const SHOWN_PER_LEVEL: usize = 10;

/// `--format github`.
pub struct Github {
    /// The paths of the annotations are relative to it.
    pub workspace: PathBuf,
}

impl Github {
    /// Paths relative to `GITHUB_WORKSPACE`, else the current directory.
    pub fn from_env() -> Github {
        Github {
            workspace: workspace_root(),
        }
    }
}

impl Reporter for Github {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(workflow_commands(run, &self.workspace).as_bytes())
    }
}

/// The annotation levels of workflow commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn of(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info | Severity::Style => Level::Notice,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One annotation: its level, the properties after the command and the message.
struct Annotation {
    level: Level,
    properties: Vec<(&'static str, String)>,
    message: String,
}

impl Annotation {
    fn line(&self) -> String {
        let mut line = format!("::{}", self.level.command());
        for (index, (name, value)) in self.properties.iter().enumerate() {
            line.push(if index == 0 { ' ' } else { ',' });
            line.push_str(name);
            line.push('=');
            line.push_str(&escape_property(value));
        }
        line.push_str("::");
        line.push_str(&escape_data(&self.message));
        line.push('\n');
        line
    }
}

/// Every workflow command for `run`, one per line, worst first, with paths relative
/// to `workspace`: what `--format github` prints. The GitHub side prints the same
/// lines when it cannot write to the API.
pub fn workflow_commands(run: &Run, workspace: &Path) -> String {
    let mut annotations: Vec<Annotation> = run
        .errors
        .iter()
        .map(|error| Annotation {
            level: Level::Error,
            properties: vec![
                ("file", relative_path(&error.path, workspace)),
                ("title", "input error".to_string()),
            ],
            message: error.message.clone(),
        })
        .collect();
    let mut findings: Vec<&Finding> = run.findings().collect();
    findings.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), a.sort_key())
            .cmp(&(std::cmp::Reverse(b.severity), b.sort_key()))
    });
    annotations.extend(
        findings
            .into_iter()
            .map(|finding| annotation(finding, run, workspace)),
    );

    let count = |level| annotations.iter().filter(|a| a.level == level).count();
    let counts = [Level::Error, Level::Warning, Level::Notice].map(|level| (level, count(level)));
    let mut text = String::new();
    let mut summarised = false;
    for annotation in &annotations {
        if annotation.level == Level::Notice && !summarised {
            summarised = true;
            text.push_str(&summary(&counts).map(|s| s.line()).unwrap_or_default());
        }
        text.push_str(&annotation.line());
    }
    if !summarised {
        text.push_str(&summary(&counts).map(|s| s.line()).unwrap_or_default());
    }
    text
}

/// The `dockgate` notice that counts what GitHub does not show, when any level has
/// more than it shows.
fn summary(counts: &[(Level, usize)]) -> Option<Annotation> {
    if counts.iter().all(|&(_, count)| count <= SHOWN_PER_LEVEL) {
        return None;
    }
    let notices_with_summary = |level, count| {
        if level == Level::Notice {
            count + 1
        } else {
            count
        }
    };
    let parts: Vec<String> = counts
        .iter()
        .filter(|&&(_, count)| count > 0)
        .map(|&(level, count)| {
            let hidden = notices_with_summary(level, count).saturating_sub(SHOWN_PER_LEVEL);
            let name = level.command();
            let plural = if count == 1 { "" } else { "s" };
            match hidden {
                0 => format!("{count} {name}{plural}"),
                hidden => format!("{count} {name}{plural} ({hidden} not shown)"),
            }
        })
        .collect();
    Some(Annotation {
        level: Level::Notice,
        properties: vec![("title", "dockgate".to_string())],
        message: format!(
            "{}; GitHub shows {SHOWN_PER_LEVEL} annotations per level, worst first: the step log lists them all",
            parts.join(", ")
        ),
    })
}

fn annotation(finding: &Finding, run: &Run, workspace: &Path) -> Annotation {
    let mut properties = Vec::new();
    if let Place::File { path, span } = place(finding, run) {
        properties.push(("file", relative_path(path, workspace)));
        properties.push(("line", span.line.to_string()));
        if span.line == span.end_line {
            properties.push(("col", span.column.to_string()));
        }
        properties.push(("endLine", span.end_line.to_string()));
        if span.line == span.end_line {
            properties.push(("endColumn", span.end_column.to_string()));
        }
    }
    properties.push(("title", finding.rule.to_string()));
    Annotation {
        level: Level::of(finding.severity),
        properties,
        message: message(finding),
    }
}

/// Workflow-command data as the Actions toolkit escapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow-command property as the Actions toolkit escapes it.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_toolkit_escapes_them() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
