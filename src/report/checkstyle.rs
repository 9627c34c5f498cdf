//! `--format checkstyle`: Checkstyle's XML report (version 4.3), as eslint and hadolint
//! write it, for the tools that read it (Jenkins' warnings-ng, reviewdog, danger,
//! SonarQube's external issues):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <checkstyle version="4.3">
//!   <file name="svc/Dockerfile">
//!     <error line="3" column="1" severity="error" message="..." source="DL3020"/>
//!   </file>
//! </checkstyle>
//! ```
//!
//! - One `<file>` per path (relative to the workspace: `GITHUB_WORKSPACE`,
//!   `CI_PROJECT_DIR`, else the current directory), in path order; its findings by
//!   position. A file without findings has no `<file>`.
//! - `severity` is Checkstyle's: `error`, `warning`, or `info` (for info and style,
//!   Checkstyle has no `style`); `source` is the rule code, as hadolint writes it.
//! - A finding about an image names the image in its message. One placed on a
//!   Dockerfile line is in that file's `<file>`; one about the whole image is on the
//!   `FROM` of the Dockerfile that made the image when the run knows it, else in a
//!   `<file>` named by the image reference, at line and column 1 (Checkstyle readers
//!   want positive positions).
//! - Input errors are not in the report (Checkstyle readers have no place for them):
//!   they are on stderr, and the exit code is 2.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use super::Reporter;
use super::place::{Place, message, place};
use super::workspace::{relative_path, workspace_root};
use super::xml::escape;
use crate::finding::{Finding, Severity};
use crate::gate::Run;

/// `--format checkstyle`.
pub struct Checkstyle {
    /// The file names are relative to it.
    pub workspace: PathBuf,
}

impl Checkstyle {
    pub fn from_env() -> Checkstyle {
        Checkstyle {
            workspace: workspace_root(),
        }
    }
}

impl Reporter for Checkstyle {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        // Each file's errors: (line, column, finding).
        let mut files: BTreeMap<String, Vec<(usize, usize, &Finding)>> = BTreeMap::new();
        for finding in run.findings() {
            let (name, line, column) = match place(finding, run) {
                Place::File { path, span } => (
                    relative_path(path, &self.workspace),
                    span.line,
                    span.column.max(1),
                ),
                Place::Image { reference } => (reference.to_string(), 1, 1),
            };
            files.entry(name).or_default().push((line, column, finding));
        }
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n",
        );
        for (name, mut errors) in files {
            errors.sort_by(|a, b| (a.0, a.1, &a.2.rule).cmp(&(b.0, b.1, &b.2.rule)));
            xml.push_str(&format!("  <file name=\"{}\">\n", escape(&name)));
            for (line, column, finding) in errors {
                xml.push_str(&format!(
                    "    <error line=\"{line}\" column=\"{column}\" severity=\"{}\" message=\"{}\" source=\"{}\"/>\n",
                    severity(finding.severity),
                    escape(&message(finding)),
                    escape(&finding.rule),
                ));
            }
            xml.push_str("  </file>\n");
        }
        xml.push_str("</checkstyle>\n");
        out.write_all(xml.as_bytes())
    }
}

/// Checkstyle's severity levels: `error`, `warning`, `info` (and `ignore`).
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "info",
    }
}
