//! `--format json`: the object design.md fixes. Fields may be added, never renamed.

use std::io::{self, Write};

use serde::Serialize;

use super::Reporter;
use crate::finding::{Applicability, Finding, Severity};
use crate::gate::{FileRun, Run};
use crate::policy::Review;

/// The version of the JSON shape; bumped only if a field changes meaning.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    passed: bool,
    findings: Vec<JsonFinding<'a>>,
    /// One entry per image checked (`dockgate image`, later `check`).
    images: Vec<JsonImage<'a>>,
    /// Inputs that could not be read (each also makes the exit code 2).
    errors: Vec<JsonError<'a>>,
    /// Added to design.md's shape, with `--policy-base` only: the weakenings of the
    /// policy (each also a DG0004 finding) and the exceptions the change adds.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_changes: Option<JsonPolicyChanges<'a>>,
    /// Added to design.md's shape, with `--fix` only: how many fixes were applied, how
    /// many findings remain (those above), and the fixes refused because the file
    /// would not have parsed or another rule would have reported more.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<JsonFixes<'a>>,
}

#[derive(Serialize)]
struct JsonFixes<'a> {
    fixed: usize,
    remaining: usize,
    refused: Vec<JsonRefusedFix<'a>>,
}

#[derive(Serialize)]
struct JsonRefusedFix<'a> {
    path: &'a str,
    line: usize,
    rule: &'a str,
    title: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonPolicyChanges<'a> {
    base: &'a str,
    /// The policy the run applied: `working-tree`, or `base` (a `pull_request_target`
    /// run).
    applied: &'static str,
    weakenings: Vec<JsonWeakening<'a>>,
    /// The exceptions added or extended, with who answers for them.
    exceptions: Vec<JsonException<'a>>,
}

#[derive(Serialize)]
struct JsonWeakening<'a> {
    setting: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonException<'a> {
    /// `added` or `extended`.
    change: &'static str,
    rules: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    images: Option<&'a [String]>,
    owner: &'a str,
    reason: &'a str,
    expires: &'a str,
    path: &'a str,
    line: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
    /// Added to design.md's shape: for a finding about an image, its reference (the
    /// `path` is the Dockerfile when the finding could be placed on a line there).
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    /// Added: `safe` (`--fix` applies it) or `unsafe` (only with `--unsafe-fixes`).
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

/// A replacement of `line:column` up to (not including) `end_line:end_column`.
#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

/// An image as design.md's Interface fixes it. `uncompressed` sizes are `null` when no
/// enabled check needed the layers read.
#[derive(Serialize)]
struct JsonImage<'a> {
    reference: &'a str,
    digest: &'a str,
    user: &'a str,
    uid: Option<u32>,
    gid: Option<u32>,
    runs_as_root: bool,
    size: JsonSize,
    layers: Vec<JsonLayer<'a>>,
    /// Added to design.md's shape: `present`, `disabled`, `missing` or `not-applicable`.
    healthcheck: &'static str,
    /// Added to design.md's shape: the base image, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<JsonBase<'a>>,
    /// Added to design.md's shape: the `--baseline` image and the growth against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
    /// Added to design.md's shape: the real IDs of the main process (`--live`).
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<JsonLive>,
    /// Added to design.md's shape: the Dockerfile (and stage) that made the image, when
    /// its history matches one; each layer then has the `line` that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    dockerfile: Option<JsonDockerfile<'a>>,
}

#[derive(Serialize)]
struct JsonDockerfile<'a> {
    path: &'a str,
    stage: &'a str,
}

#[derive(Serialize)]
struct JsonLive {
    uid: u32,
    gid: u32,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    reference: &'a str,
    size: JsonSize,
    /// Bytes; negative when the image shrank.
    growth: JsonGrowth,
}

#[derive(Serialize)]
struct JsonGrowth {
    compressed: i64,
    uncompressed: Option<i64>,
}

#[derive(Serialize)]
struct JsonBase<'a> {
    name: Option<&'a str>,
    digest: Option<&'a str>,
    layers: Option<usize>,
}

#[derive(Serialize)]
struct JsonSize {
    compressed: u64,
    uncompressed: Option<u64>,
}

#[derive(Serialize)]
struct JsonLayer<'a> {
    digest: &'a str,
    compressed: u64,
    uncompressed: Option<u64>,
    created_by: Option<&'a str>,
    /// Added to design.md's shape: the line of the Dockerfile instruction that made the
    /// layer; absent for the base image's layers or when the Dockerfile is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

impl<'a> JsonFinding<'a> {
    fn new(finding: &'a Finding, fix: Option<JsonFix<'a>>) -> Self {
        JsonFinding {
            rule: &finding.rule,
            severity: finding.severity,
            path: finding.path(),
            line: finding.line(),
            column: finding.column(),
            end_line: finding.end_line(),
            end_column: finding.end_column(),
            message: &finding.message,
            fix,
            image: finding.image.as_deref(),
        }
    }
}

/// `--format json`.
pub struct Json;

impl Reporter for Json {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        write_json(out, run)
    }
}

/// A fix's edits as positions in `file`.
fn json_fix<'a>(file: &FileRun, fix: &'a crate::finding::Fix) -> JsonFix<'a> {
    let (source, lines) = (file.source(), file.lines());
    JsonFix {
        title: &fix.title,
        applicability: fix.applicability,
        edits: fix
            .edits
            .iter()
            .map(|edit| {
                let start = lines.position(source, edit.range.start);
                let end = lines.position(source, edit.range.end);
                JsonEdit {
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    content: &edit.content,
                }
            })
            .collect(),
    }
}

fn policy_changes(review: &Review) -> JsonPolicyChanges<'_> {
    JsonPolicyChanges {
        base: &review.base,
        applied: if review.applied_base {
            "base"
        } else {
            "working-tree"
        },
        weakenings: review
            .changes
            .iter()
            .map(|change| JsonWeakening {
                setting: &change.setting,
                message: &change.message,
                path: &change.path,
                line: change.location.line,
                column: change.location.column,
            })
            .collect(),
        exceptions: review
            .exceptions()
            .map(|(change, exception)| JsonException {
                change: if exception.added { "added" } else { "extended" },
                rules: &exception.rules,
                paths: exception.paths.as_deref(),
                images: exception.images.as_deref(),
                owner: &exception.owner,
                reason: &exception.reason,
                expires: &exception.expires,
                path: &change.path,
                line: change.location.line,
            })
            .collect(),
    }
}

fn write_json(out: &mut dyn Write, report: &Run) -> io::Result<()> {
    let mut findings = Vec::new();
    for file in &report.files {
        for finding in &file.findings {
            let fix = finding.fix.as_ref().map(|fix| json_fix(file, fix));
            findings.push(JsonFinding::new(finding, fix));
        }
    }
    let mut images = Vec::with_capacity(report.images.len());
    for image in &report.images {
        let inspection = &image.inspection;
        let facts = &inspection.facts;
        for finding in &image.findings {
            // Line and column are 0 unless the finding was placed on a Dockerfile line.
            findings.push(JsonFinding::new(finding, None));
        }
        images.push(JsonImage {
            reference: &facts.reference,
            digest: &facts.digest,
            user: &facts.user.configured,
            uid: facts.user.uid,
            gid: facts.user.gid,
            runs_as_root: facts.user.runs_as_root,
            size: JsonSize {
                compressed: facts.compressed_size,
                uncompressed: facts.uncompressed_size,
            },
            layers: facts
                .layers
                .iter()
                .enumerate()
                .map(|(index, layer)| JsonLayer {
                    digest: &layer.digest,
                    compressed: layer.compressed,
                    uncompressed: layer.uncompressed,
                    created_by: layer.created_by.as_deref(),
                    line: inspection
                        .provenance
                        .as_ref()
                        .and_then(|provenance| provenance.layer_line(index)),
                })
                .collect(),
            healthcheck: facts.healthcheck.as_str(),
            base: facts.base.as_ref().map(|base| JsonBase {
                name: base.name.as_deref(),
                digest: base.digest.as_deref(),
                layers: base.layers,
            }),
            baseline: inspection.baseline.as_ref().map(|baseline| {
                let growth = crate::image::baseline::growth(facts, baseline);
                JsonBaseline {
                    reference: &baseline.reference,
                    size: JsonSize {
                        compressed: baseline.compressed_size,
                        uncompressed: baseline.uncompressed_size,
                    },
                    growth: JsonGrowth {
                        compressed: growth.compressed,
                        uncompressed: growth.uncompressed,
                    },
                }
            }),
            live: inspection.live.map(|live| JsonLive {
                uid: live.uid,
                gid: live.gid,
            }),
            dockerfile: inspection
                .provenance
                .as_ref()
                .map(|provenance| JsonDockerfile {
                    path: &provenance.path,
                    stage: &provenance.stage,
                }),
        });
    }
    let json = JsonReport {
        version: VERSION,
        passed: report.verdict.passed,
        findings,
        images,
        errors: report
            .errors
            .iter()
            .map(|error| JsonError {
                path: &error.path,
                message: &error.message,
            })
            .collect(),
        policy_changes: report.policy_changes.as_ref().map(policy_changes),
        fixes: report.fixes.as_ref().map(|fixes| JsonFixes {
            fixed: fixes.fixed,
            remaining: report.findings().count(),
            refused: fixes
                .refused
                .iter()
                .map(|refused| JsonRefusedFix {
                    path: &refused.path,
                    line: refused.line,
                    rule: &refused.rule,
                    title: &refused.title,
                    reason: &refused.reason,
                })
                .collect(),
        }),
    };
    // One buffer, one write: token by token through `dyn Write` was most of the cost.
    out.write_all(&serde_json::to_vec_pretty(&json)?)?;
    writeln!(out)
}
