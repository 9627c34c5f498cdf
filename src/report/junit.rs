//! `--format junit`: JUnit XML as Jenkins, Azure Pipelines, GitLab and CircleCI read
//! test reports, so the gate's result shows up among the build's tests:
//!
//! ```xml
//! <testsuites name="dockgate" tests="3" failures="1" errors="0">
//!   <testsuite name="svc/Dockerfile" tests="2" failures="1" errors="0" skipped="0">
//!     <testcase classname="svc/Dockerfile" name="DL3008 pin-apt-versions" file="svc/Dockerfile" line="3">
//!       <failure type="warning" message="Pin versions in apt get install...">svc/Dockerfile:3:5: ...</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! - One `<testsuite>` per linted file (relative to the workspace) and per image (its
//!   reference), in the run's order; one per input that could not be read, whose one
//!   test case has an `<error>`.
//! - In a suite, one `<testcase>` per rule that reported something there, named by its
//!   code and name (stable across runs, so CI keeps the test's history when lines move),
//!   with every finding of that rule listed, `path:line:column: message`, one per line,
//!   and `file`/`line` attributes for the first. A suite without findings has one
//!   passing test case, `no findings`.
//! - A test case fails (`<failure type="SEVERITY">`) when a finding reaches the
//!   `--fail-on` threshold; findings below it are listed in `<system-out>` of a passing
//!   test case. So the report has failures exactly when the policy failed.
//! - Image findings are in the image's suite; the location of each (the Dockerfile line
//!   it was placed on, the `FROM` of the Dockerfile that made the image, or the image)
//!   is in its line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Reporter;
use super::place::{Place, message, place};
use super::workspace::{relative_path, workspace_root};
use super::xml::{escape, escape_text};
use crate::finding::Finding;
use crate::gate::Run;

/// `--format junit`.
pub struct Junit {
    /// The paths are relative to it.
    pub workspace: PathBuf,
}

impl Junit {
    pub fn from_env() -> Junit {
        Junit {
            workspace: workspace_root(),
        }
    }
}

/// One test case: its name, where its first finding is, and its outcome.
struct Case {
    name: String,
    file: Option<(String, usize)>,
    outcome: Outcome,
}

enum Outcome {
    Passed {
        output: Option<String>,
    },
    Failed {
        kind: String,
        message: String,
        text: String,
    },
    Error {
        message: String,
    },
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

impl Reporter for Junit {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        let mut suites = Vec::new();
        for file in &run.files {
            let name = relative_path(&file.path, &self.workspace);
            suites.push(suite(name, &file.findings, run, &self.workspace));
        }
        for image in &run.images {
            let name = image.inspection.facts.reference.clone();
            suites.push(suite(name, &image.findings, run, &self.workspace));
        }
        for error in &run.errors {
            suites.push(Suite {
                name: relative_path(&error.path, &self.workspace),
                cases: vec![Case {
                    name: "read".to_string(),
                    file: None,
                    outcome: Outcome::Error {
                        message: error.message.clone(),
                    },
                }],
            });
        }
        out.write_all(xml(&suites).as_bytes())
    }
}

/// The suite of one file or image: a case per rule that fired, else `no findings`.
fn suite(name: String, findings: &[Finding], run: &Run, workspace: &Path) -> Suite {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        by_rule.entry(&finding.rule).or_default().push(finding);
    }
    let mut cases: Vec<Case> = by_rule
        .into_iter()
        .map(|(code, mut findings)| {
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            case(code, &findings, run, workspace)
        })
        .collect();
    if cases.is_empty() {
        cases.push(Case {
            name: "no findings".to_string(),
            file: None,
            outcome: Outcome::Passed { output: None },
        });
    }
    Suite { name, cases }
}

fn case(code: &str, findings: &[&Finding], run: &Run, workspace: &Path) -> Case {
    let name = match crate::rules::find(code) {
        Some(rule) if rule.name != rule.code => format!("{code} {}", rule.name),
        _ => code.to_string(),
    };
    let mut file = None;
    let mut text = String::new();
    for finding in findings {
        match place(finding, run) {
            Place::File { path, span } => {
                let path = relative_path(path, workspace);
                let _ = writeln!(
                    text,
                    "{path}:{}:{}: {}",
                    span.line,
                    span.column,
                    message(finding)
                );
                file.get_or_insert((path, span.line));
            }
            Place::Image { reference } => {
                let _ = writeln!(text, "{reference}: {}", message(finding));
            }
        }
    }
    let worst = findings
        .iter()
        .max_by_key(|finding| finding.severity)
        .expect("a case has findings");
    let fails = run
        .verdict
        .fail_on
        .is_some_and(|threshold| worst.severity >= threshold);
    let outcome = if fails {
        let message = match findings.len() {
            1 => message(worst),
            n => format!("{} ({n} findings)", message(worst)),
        };
        Outcome::Failed {
            kind: worst.severity.as_str().to_string(),
            message,
            text,
        }
    } else {
        Outcome::Passed { output: Some(text) }
    };
    Case {
        name,
        file,
        outcome,
    }
}

fn xml(suites: &[Suite]) -> String {
    let count = |f: fn(&Outcome) -> bool| -> usize {
        suites
            .iter()
            .flat_map(|suite| &suite.cases)
            .filter(|case| f(&case.outcome))
            .count()
    };
    let failed = |outcome: &Outcome| matches!(outcome, Outcome::Failed { .. });
    let errored = |outcome: &Outcome| matches!(outcome, Outcome::Error { .. });
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"dockgate\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        count(|_| true),
        count(failed),
        count(errored)
    );
    for suite in suites {
        let failures = suite.cases.iter().filter(|c| failed(&c.outcome)).count();
        let errors = suite.cases.iter().filter(|c| errored(&c.outcome)).count();
        let name = escape(&suite.name);
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
            suite.cases.len()
        );
        for case in &suite.cases {
            let _ = write!(
                xml,
                "    <testcase classname=\"{name}\" name=\"{}\"",
                escape(&case.name)
            );
            if let Some((path, line)) = &case.file {
                let _ = write!(xml, " file=\"{}\" line=\"{line}\"", escape(path));
            }
            match &case.outcome {
                Outcome::Passed { output: None } => xml.push_str("/>\n"),
                Outcome::Passed { output: Some(text) } => {
                    let _ = writeln!(
                        xml,
                        ">\n      <system-out>{}</system-out>\n    </testcase>",
                        escape_text(text)
                    );
                }
                Outcome::Failed {
                    kind,
                    message,
                    text,
                } => {
                    let _ = writeln!(
                        xml,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                        escape(kind),
                        escape(message),
                        escape_text(text)
                    );
                }
                Outcome::Error { message } => {
                    let _ = writeln!(
                        xml,
                        ">\n      <error type=\"input error\" message=\"{}\">{}</error>\n    </testcase>",
                        escape(message),
                        escape_text(message)
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
