//! hadolint-style one-line rule tests:
//!
//! ```
//! use dockgate::rules::testing::{assert_catches, assert_catches_not};
//! assert_catches("DL4000", "FROM debian:12\nMAINTAINER me");
//! assert_catches_not("DL4000", "FROM debian:12\nLABEL maintainer=me");
//! ```
//!
//! Each helper runs only the named rule on a file called `Dockerfile`; pragmas are the
//! gate's suppression step (tested there).

use crate::dockerfile::parse;
use crate::finding::Finding;
use crate::image::testing::Scratch;
pub use crate::image::testing::{Compression, Image, Layer};
use crate::image::{AnalyzeOptions, Inspection, analyze_reference};
use crate::rules::{self, RuleSet};

/// The findings of rule `code` alone on `source`.
pub fn findings(code: &str, source: &str) -> Vec<Finding> {
    findings_with(code, &serde_json::Map::new(), source)
}

/// The findings of rule `code` alone, with `options`, on `source`.
pub fn findings_with(
    code: &str,
    options: &serde_json::Map<String, serde_json::Value>,
    source: &str,
) -> Vec<Finding> {
    let dockerfile = parse(source);
    rules::lint(
        "Dockerfile",
        &dockerfile,
        &RuleSet::only_with(code, options.clone()),
    )
}

/// The findings of rule `code` alone, with `options`, on `source` built from the
/// workspace that `build_context` describes (its ignore files).
pub fn findings_in(
    code: &str,
    options: &serde_json::Map<String, serde_json::Value>,
    source: &str,
    build_context: &crate::workspace::BuildContext,
) -> Vec<Finding> {
    let dockerfile = parse(source);
    let model = crate::dockerfile::model::Model::new(&dockerfile);
    rules::lint_in_context(
        "Dockerfile",
        &dockerfile,
        &model,
        Some(build_context),
        &RuleSet::only_with(code, options.clone()),
    )
}

/// A build context whose directory has a `.dockerignore` with `patterns` (none: no
/// ignore file at all).
pub fn context_with_ignore(patterns: Option<&str>) -> crate::workspace::BuildContext {
    let ignore = patterns.map(|text| {
        std::sync::Arc::new(crate::workspace::Dockerignore::parse(".dockerignore", text))
    });
    crate::workspace::BuildContext {
        dir_ignore: ignore.clone(),
        root_ignore: ignore,
        ..Default::default()
    }
}

/// Rule options with the boolean option `name` on, for the `_with` helpers.
pub fn switched_on(name: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut options = serde_json::Map::new();
    options.insert(name.into(), serde_json::Value::Bool(true));
    options
}

/// [`assert_catches`] with rule options.
#[track_caller]
pub fn assert_catches_with(
    code: &str,
    options: &serde_json::Map<String, serde_json::Value>,
    source: &str,
) {
    let found = findings_with(code, options, source);
    assert!(
        found.iter().any(|finding| finding.rule == code),
        "expected {code} with {options:?} to catch:\n{source}\n"
    );
}

/// [`assert_catches_not`] with rule options.
#[track_caller]
pub fn assert_catches_not_with(
    code: &str,
    options: &serde_json::Map<String, serde_json::Value>,
    source: &str,
) {
    let found = findings_with(code, options, source);
    assert!(
        found.is_empty(),
        "expected {code} with {options:?} not to catch:\n{source}\nbut it reported:\n{}",
        describe(&found)
    );
}

/// Asserts that rule `code` reports at least one finding on `source`.
#[track_caller]
pub fn assert_catches(code: &str, source: &str) {
    assert_catches_with(code, &serde_json::Map::new(), source);
}

/// Asserts that rule `code` reports nothing on `source`.
#[track_caller]
pub fn assert_catches_not(code: &str, source: &str) {
    assert_catches_not_with(code, &serde_json::Map::new(), source);
}

/// Asserts the 1-based lines rule `code` reports on `source`, in order.
#[track_caller]
pub fn assert_lines(code: &str, source: &str, lines: &[usize]) {
    let found = findings(code, source);
    let actual: Vec<usize> = found.iter().map(Finding::line).collect();
    assert_eq!(
        actual,
        lines,
        "lines of {code} on:\n{source}\n{}",
        describe(&found)
    );
}

/// Asserts that applying the fix of the single finding of `code` turns `source` into
/// `fixed`, and that `code` no longer reports the fixed file.
#[track_caller]
pub fn assert_fix(code: &str, source: &str, fixed: &str) {
    let found = findings(code, source);
    let [finding] = found.as_slice() else {
        panic!(
            "expected one {code} finding on:\n{source}\ngot:\n{}",
            describe(&found)
        );
    };
    let fix = finding
        .fix
        .as_ref()
        .unwrap_or_else(|| panic!("{code} offered no fix on:\n{source}"));
    assert_eq!(
        fix.apply(source),
        fixed,
        "fix `{}` on:\n{source}",
        fix.title
    );
    assert_declared(code, fix);
    let again = findings(code, fixed);
    assert!(
        again.is_empty(),
        "{code} still reports the fixed file:\n{fixed}\n{}",
        describe(&again)
    );
}

/// Asserts that `fix` is one the rule `code` declares (`fix: Safe("title")`), with the
/// same applicability, so `dockgate rules CODE` tells the truth about it.
#[track_caller]
pub fn assert_declared(code: &str, fix: &crate::finding::Fix) {
    let rule = rules::find(code).unwrap_or_else(|| panic!("no rule {code}"));
    let declared = rule
        .fixes
        .iter()
        .any(|declared| declared.title == fix.title && declared.applicability == fix.applicability);
    assert!(
        declared,
        "{code} offers the {} fix `{}`, which it does not declare (declared: {:?})",
        fix.applicability, fix.title, rule.fixes
    );
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {}:{}: {} {}\n", f.line(), f.column(), f.rule, f.message))
        .collect()
}

/// Gzip, for short image-rule tests.
pub const GZ: Compression = Compression::Gzip;

/// The findings of image rule `code` alone on `image` (written as an OCI layout and
/// analysed as `dockgate image` would, reading layers only if the rule needs them),
/// with `options` as a policy's `rules.CODE.options` would set them (each validated
/// against the rule's declaration).
pub fn image_findings(code: &str, image: &Image, options: serde_json::Value) -> Vec<Finding> {
    let options = match options {
        serde_json::Value::Object(map) => map,
        other => panic!("options are a JSON object, not {other}"),
    };
    let rule = rules::find(code).unwrap_or_else(|| panic!("no rule {code}"));
    for (name, value) in &options {
        rule.validate_option(name, value)
            .unwrap_or_else(|error| panic!("{code}: {error}"));
    }
    let rules = RuleSet::only_with(code, options);
    let scratch = Scratch::new();
    image.write_oci_dir(scratch.path());
    let analyze = AnalyzeOptions {
        read_layers: rules.needs_layers(),
        ..AnalyzeOptions::default()
    };
    let facts = analyze_reference(&format!("oci:{}", scratch.path().display()), &analyze)
        .unwrap_or_else(|error| panic!("the test image cannot be analysed: {error}"));
    rules::check_image(&Inspection::new(facts), &rules)
}

/// No options: the rule's defaults.
fn defaults() -> serde_json::Value {
    serde_json::json!({})
}

#[track_caller]
pub fn assert_image_catches(code: &str, image: Image) {
    assert_image_catches_with(code, image, defaults());
}

#[track_caller]
pub fn assert_image_catches_with(code: &str, image: Image, options: serde_json::Value) {
    let found = image_findings(code, &image, options);
    assert!(!found.is_empty(), "expected {code} to catch the image");
}

#[track_caller]
pub fn assert_image_catches_not(code: &str, image: Image) {
    assert_image_catches_not_with(code, image, defaults());
}

#[track_caller]
pub fn assert_image_catches_not_with(code: &str, image: Image, options: serde_json::Value) {
    let found = image_findings(code, &image, options);
    assert!(
        found.is_empty(),
        "expected {code} not to catch the image, but:\n{}",
        describe(&found)
    );
}

/// Asserts that rule `code` reports on `image` with a message containing `text`.
#[track_caller]
pub fn assert_image_message(code: &str, image: Image, text: &str) {
    assert_image_message_with(code, image, defaults(), text);
}

#[track_caller]
pub fn assert_image_message_with(code: &str, image: Image, options: serde_json::Value, text: &str) {
    let found = image_findings(code, &image, options);
    assert!(
        found.iter().any(|finding| finding.message.contains(text)),
        "expected a {code} message containing `{text}`, got:\n{}",
        describe(&found)
    );
}
