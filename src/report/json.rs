//! `--format json`: the object design.md fixes. Fields may be added, never renamed.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::Reporter;
use crate::finding::{Applicability, Finding, Severity};
use crate::gate::{FileRun, Run};
use crate::policy::Review;

/// The version of the JSON shape; bumped only if a field changes meaning.
const VERSION: u32 = 1;

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

/// serde_json's pretty layout (an indent of two spaces) for a value `depth` levels
/// into a document, so that parts of one document can be rendered apart.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn line<W: ?Sized + Write>(&self, writer: &mut W, comma: bool) -> io::Result<()> {
        writer.write_all(if comma { b",\n" } else { b"\n" })?;
        self.indent(writer)
    }

    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        (0..self.depth).try_for_each(|_| writer.write_all(b"  "))
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Appends `value` as pretty JSON `depth` levels into a document.
fn render_at(out: &mut Vec<u8>, depth: usize, value: &impl Serialize) -> serde_json::Result<()> {
    let formatter = Nested {
        depth,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// The report object, entry by entry, laid out as `serde_json::to_writer_pretty` lays
/// it out: its entries are rendered apart (the findings in parallel) and joined here.
struct Document {
    out: Vec<u8>,
    entries: usize,
}

impl Document {
    fn new() -> Document {
        Document {
            out: b"{".to_vec(),
            entries: 0,
        }
    }

    fn key(&mut self, key: &str) {
        let separator: &[u8] = if self.entries == 0 { b"\n  " } else { b",\n  " };
        self.out.extend_from_slice(separator);
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self.entries += 1;
    }

    fn entry(&mut self, key: &str, value: &impl Serialize) -> serde_json::Result<()> {
        self.key(key);
        render_at(&mut self.out, 1, value)
    }

    /// An array entry of elements already rendered two levels deep.
    fn rendered_array(&mut self, key: &str, elements: &[Vec<u8>]) {
        self.key(key);
        self.out.push(b'[');
        for (index, element) in elements.iter().enumerate() {
            self.out
                .extend_from_slice(if index == 0 { b"\n    " } else { b",\n    " });
            self.out.extend_from_slice(element);
        }
        if !elements.is_empty() {
            self.out.extend_from_slice(b"\n  ");
        }
        self.out.push(b']');
    }

    fn finish(mut self) -> Vec<u8> {
        self.out
            .extend_from_slice(if self.entries == 0 { b"}" } else { b"\n}" });
        self.out
    }
}

/// A finding rendered as an element of the report's `findings`.
fn rendered_finding(finding: &Finding, fix: Option<JsonFix>) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(512);
    render_at(&mut out, 2, &JsonFinding::new(finding, fix))?;
    Ok(out)
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
    // A tree's report is mostly its findings: rendered file by file in parallel.
    let mut findings: Vec<Vec<u8>> = report
        .files
        .par_iter()
        .flat_map_iter(|file| {
            file.findings.iter().map(move |finding| {
                rendered_finding(finding, finding.fix.as_ref().map(|fix| json_fix(file, fix)))
            })
        })
        .collect::<serde_json::Result<_>>()?;
    let mut images = Vec::with_capacity(report.images.len());
    for image in &report.images {
        let inspection = &image.inspection;
        let facts = &inspection.facts;
        for finding in &image.findings {
            // Line and column are 0 unless the finding was placed on a Dockerfile line.
            findings.push(rendered_finding(finding, None)?);
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
    let errors: Vec<JsonError> = report
        .errors
        .iter()
        .map(|error| JsonError {
            path: &error.path,
            message: &error.message,
        })
        .collect();
    let mut document = Document::new();
    document.entry("version", &VERSION)?;
    document.entry("passed", &report.verdict.passed)?;
    document.rendered_array("findings", &findings);
    // One entry per image checked (`dockgate image`, later `check`).
    document.entry("images", &images)?;
    // Inputs that could not be read (each also makes the exit code 2).
    document.entry("errors", &errors)?;
    // Added to design.md's shape, with `--policy-base` only: the weakenings of the
    // policy (each also a DG0004 finding) and the exceptions the change adds.
    if let Some(review) = &report.policy_changes {
        document.entry("policy_changes", &policy_changes(review))?;
    }
    // Added to design.md's shape, with `--fix` only: how many fixes were applied, how
    // many findings remain (those above), and the fixes refused because the file
    // would not have parsed or another rule would have reported more.
    if let Some(fixes) = &report.fixes {
        let refused: Vec<JsonRefusedFix> = fixes
            .refused
            .iter()
            .map(|refused| JsonRefusedFix {
                path: &refused.path,
                line: refused.line,
                rule: &refused.rule,
                title: &refused.title,
                reason: &refused.reason,
            })
            .collect();
        document.entry(
            "fixes",
            &JsonFixes {
                fixed: fixes.fixed,
                remaining: report.findings().count(),
                refused,
            },
        )?;
    }
    out.write_all(&document.finish())?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        number: u32,
        text: &'static str,
        children: Vec<Sample>,
        empty: Vec<u32>,
        nothing: Option<u32>,
    }

    fn sample(number: u32, children: Vec<Sample>) -> Sample {
        Sample {
            number,
            text: "quote \" newline \n tab \t",
            children,
            empty: Vec::new(),
            nothing: None,
        }
    }

    fn rendered(depth: usize, value: &impl Serialize) -> Vec<u8> {
        let mut out = Vec::new();
        render_at(&mut out, depth, value).unwrap();
        out
    }

    #[test]
    fn parts_rendered_apart_join_into_serde_jsons_pretty_layout() {
        let nested = sample(
            1,
            vec![
                sample(2, vec![sample(3, Vec::new())]),
                sample(4, Vec::new()),
            ],
        );
        assert_eq!(
            rendered(0, &nested),
            serde_json::to_vec_pretty(&nested).unwrap()
        );

        #[derive(Serialize)]
        struct Whole<'a> {
            version: u32,
            items: &'a [Sample],
            none: &'a [Sample],
            rest: &'a Sample,
        }
        let items = [
            sample(5, vec![sample(6, Vec::new())]),
            sample(7, Vec::new()),
        ];
        let mut document = Document::new();
        document.entry("version", &1).unwrap();
        let elements: Vec<Vec<u8>> = items.iter().map(|item| rendered(2, item)).collect();
        document.rendered_array("items", &elements);
        document.rendered_array("none", &[]);
        document.entry("rest", &nested).unwrap();
        let whole = Whole {
            version: 1,
            items: &items,
            none: &[],
            rest: &nested,
        };
        assert_eq!(
            String::from_utf8(document.finish()).unwrap(),
            serde_json::to_string_pretty(&whole).unwrap()
        );
        assert_eq!(Document::new().finish(), b"{}");
    }
}
