//! `--format sarif`: a SARIF 2.1.0 log that `github/codeql-action/upload-sarif` and
//! other code-scanning tools read.
//!
//! - One run; `tool.driver` has dockgate's name, version and home page, and full
//!   metadata for every rule that fired (in code order; a SARIF log that lists rules
//!   nothing reported only makes code scanning's rule list longer): id, kebab-case
//!   name, the message as `shortDescription`, the doc's *What it does* as
//!   `fullDescription`, the whole doc as `help` (text and Markdown), `helpUri` (the
//!   rule's section of docs/rules.md, ShellCheck's wiki for `SC` codes), the default
//!   level, `tags` (category and kind; `security` for security rules, which also get a
//!   `security-severity` from the most severe of their findings in the run: error 8.0,
//!   warning 5.5, info 3.0, style 1.0, so a policy that raises a rule raises its alerts).
//! - Levels: error `error`, warning `warning`, info and style `note`; the dockgate
//!   severity is in the result's `properties.severity`.
//! - Locations are relative to `%SRCROOT%`, the workspace (`GITHUB_WORKSPACE`, else
//!   the current directory), whose absolute `file:` URI is in `originalUriBaseIds`;
//!   regions are 1-based with `endColumn` just past the end, columns in code points.
//! - An image finding placed on a Dockerfile line is located there; one about the whole
//!   image is located on the `FROM` of the Dockerfile that made the image when that is
//!   known, else on the image reference itself (percent-encoded, as code scanning needs
//!   a location for every result). Either way its `logicalLocations` names the image.
//! - `partialFingerprints` carries the shared fingerprint (rule, path, normalised
//!   instruction text; see `fingerprint.rs`) as `dockgate/v1`, and as
//!   `primaryLocationLineHash` so upload-sarif keeps it instead of hashing the line.
//! - A fix becomes a SARIF `fix` with its replacements.
//! - Inputs that could not be read are `toolExecutionNotifications` of the invocation,
//!   whose `executionSuccessful` is then false; the run's warnings (a setting with no
//!   effect, ...) are its `toolConfigurationNotifications`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::Reporter;
use super::fingerprint::{Fingerprinted, fingerprints};
use super::place::{Place, message, place};
use super::workspace::{relative_path, workspace_root};
use crate::finding::{Finding, Severity, Span};
use crate::gate::{FileRun, Run};
use crate::rules::{self, Category, Check, Rule, docs};

/// dockgate's home page.
const INFORMATION_URI: &str = "https://github.com/dockgate/dockgate";

/// `--format sarif`.
pub struct Sarif {
    /// `%SRCROOT%`: the locations are relative to it.
    pub workspace: PathBuf,
}

impl Sarif {
    pub fn from_env() -> Sarif {
        Sarif {
            workspace: workspace_root(),
        }
    }
}

impl Reporter for Sarif {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &log(run, &self.workspace))?;
        writeln!(out)
    }
}

/// The SARIF log of `run`.
fn log(run: &Run, workspace: &Path) -> Value {
    let findings = fingerprints(run);
    // The rules that fired, in code order, with the most severe of their findings.
    let mut fired: BTreeMap<&str, Severity> = BTreeMap::new();
    for item in &findings {
        let severity = fired
            .entry(&item.finding.rule)
            .or_insert(item.finding.severity);
        *severity = (*severity).max(item.finding.severity);
    }
    let index: BTreeMap<&str, usize> = fired
        .keys()
        .enumerate()
        .map(|(i, code)| (*code, i))
        .collect();
    let rules: Vec<Value> = fired
        .iter()
        .map(|(code, severity)| match rules::find(code) {
            Some(rule) => rule_descriptor(rule, *severity),
            None => json!({ "id": code, "shortDescription": { "text": code } }),
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|item| result(item, index[item.finding.rule.as_ref()], run, workspace))
        .collect();
    let notifications: Vec<Value> = run
        .errors
        .iter()
        .map(|error| {
            json!({
                "level": "error",
                "message": { "text": error.message },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": artifact(&error.path, workspace)
                } }],
            })
        })
        .collect();
    // Settings that have no effect, and the like: what stderr says as warnings.
    let configuration: Vec<Value> = run
        .warnings
        .iter()
        .map(|warning| json!({ "level": "warning", "message": { "text": warning } }))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "dockgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            } },
            "invocations": [{
                "executionSuccessful": run.errors.is_empty(),
                "toolExecutionNotifications": notifications,
                "toolConfigurationNotifications": configuration,
            }],
            "originalUriBaseIds": { "%SRCROOT%": { "uri": directory_uri(workspace) } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

/// GitHub's `security-severity` (0.0 to 10.0; 7.0 and up is high, 4.0 medium).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "3.0",
        Severity::Style => "1.0",
    }
}

fn rule_descriptor(rule: &Rule, most_severe: Severity) -> Value {
    let kind = match rule.check {
        Check::Dockerfile(_) => "dockerfile",
        Check::Image { .. } => "image",
        Check::Policy => "policy",
        Check::External => "shellcheck",
    };
    let mut properties = json!({ "tags": [rule.category.as_str(), kind] });
    if rule.category == Category::Security {
        properties["security-severity"] = json!(security_severity(most_severe));
    }
    let doc = rule.doc();
    let full = docs::section(rule, "What it does").unwrap_or_else(|| rule.message.to_string());
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.message },
        "fullDescription": { "text": full },
        "help": { "text": doc, "markdown": docs::rule_page(rule) },
        "helpUri": docs::help_uri(rule),
        "defaultConfiguration": {
            "level": level(rule.severity),
            "enabled": rule.enabled_by_default,
        },
        "properties": properties,
    })
}

fn result(item: &Fingerprinted, rule_index: usize, run: &Run, workspace: &Path) -> Value {
    let finding = item.finding;
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": message(finding) },
        "locations": [location(finding, run, workspace)],
        "partialFingerprints": {
            "dockgate/v1": item.fingerprint,
            "primaryLocationLineHash": item.fingerprint,
        },
        "properties": { "severity": finding.severity.as_str() },
    });
    if let (Some(fix), Some(file)) = (&finding.fix, item.file) {
        result["fixes"] = json!([sarif_fix(fix, file, workspace)]);
    }
    result
}

/// Where a result is (see `place.rs`), with the image in `logicalLocations`.
fn location(finding: &Finding, run: &Run, workspace: &Path) -> Value {
    let mut location = match place(finding, run) {
        Place::File { path, span } => physical(path, span, workspace),
        Place::Image { reference } => json!({ "physicalLocation": {
            "artifactLocation": { "uri": encode_uri_path(reference) },
            "region": { "startLine": 1 },
        } }),
    };
    if let Some(image) = &finding.image {
        location["logicalLocations"] = json!([{ "name": image, "kind": "resource" }]);
    }
    location
}

fn physical(path: &str, span: Span, workspace: &Path) -> Value {
    json!({ "physicalLocation": {
        "artifactLocation": artifact(path, workspace),
        "region": region(span),
    } })
}

fn region(span: Span) -> Value {
    json!({
        "startLine": span.line.max(1),
        "startColumn": span.column.max(1),
        "endLine": span.end_line.max(span.line).max(1),
        "endColumn": span.end_column.max(1),
    })
}

/// A file as an artifact location: relative to `%SRCROOT%` when it is in the
/// workspace, else an absolute `file:` URI.
fn artifact(path: &str, workspace: &Path) -> Value {
    let relative = relative_path(path, workspace);
    if relative.starts_with('/') {
        json!({ "uri": format!("file://{}", encode_uri_path(&relative)) })
    } else {
        json!({ "uri": encode_uri_path(&relative), "uriBaseId": "%SRCROOT%" })
    }
}

/// The absolute `file:` URI of a directory, ending in `/` as SARIF wants base URIs.
fn directory_uri(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut path = absolute.to_string_lossy().replace('\\', "/");
    if !path.ends_with('/') {
        path.push('/');
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    format!("file://{}", encode_uri_path(&path))
}

/// `path` as the path of a URI: every byte but unreserved characters and `/`
/// percent-encoded (so `a b:c` is `a%20b%3Ac`, and never reads as a scheme).
fn encode_uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// A fix as SARIF's replacements of regions in the finding's file.
fn sarif_fix(fix: &crate::finding::Fix, file: &FileRun, workspace: &Path) -> Value {
    let (source, lines) = (file.source(), file.lines());
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|edit| {
            let start = lines.position(source, edit.range.start);
            let end = lines.position(source, edit.range.end);
            json!({
                "deletedRegion": {
                    "startLine": start.line,
                    "startColumn": start.column,
                    "endLine": end.line,
                    "endColumn": end.column,
                },
                "insertedContent": { "text": edit.content },
            })
        })
        .collect();
    json!({
        "description": { "text": fix.title },
        // `safe` fixes `dockgate lint --fix` applies; `unsafe` ones need `--unsafe-fixes`.
        "properties": { "applicability": fix.applicability.as_str() },
        "artifactChanges": [{
            "artifactLocation": artifact(&file.path, workspace),
            "replacements": replacements,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(encode_uri_path("a b:c/Dockerfile"), "a%20b%3Ac/Dockerfile");
        assert_eq!(encode_uri_path("é"), "%C3%A9");
        assert_eq!(directory_uri(Path::new("/w s")), "file:///w%20s/");
    }
}
