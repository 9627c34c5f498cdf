//! What a finding says on GitHub: the inline comment's body (rule, severity, the
//! one-sentence why, the doc link, a suggested change, the hidden fingerprint) and the
//! markers that let a later run recognise its own comments.

use crate::finding::{Finding, Severity};
use crate::gate::FileRun;
use crate::rules::{self, docs};

/// Starts the hidden marker each inline comment ends with.
const FINGERPRINT_MARKER: &str = "<!-- dockgate:fingerprint=";
/// Marks the "fixed" reply left under a stale comment someone answered.
pub const FIXED_MARKER: &str = "<!-- dockgate:fixed -->";
/// Marks the review body.
pub const REVIEW_MARKER: &str = "<!-- dockgate:review -->";
/// Marks the sticky pull-request comment.
pub const STICKY_MARKER: &str = "<!-- dockgate:summary -->";

/// The marker carrying `fingerprint`.
pub fn marker(fingerprint: &str) -> String {
    format!("{FINGERPRINT_MARKER}{fingerprint} -->")
}

/// The fingerprint a comment body carries, when dockgate wrote it.
pub fn fingerprint_of(body: &str) -> Option<&str> {
    let start = body.find(FINGERPRINT_MARKER)? + FINGERPRINT_MARKER.len();
    let rest = &body[start..];
    let end = rest.find(" -->")?;
    Some(&rest[..end])
}

/// Where the rule's documentation is published (what SARIF's `helpUri` says too).
pub fn doc_url(code: &str) -> String {
    match rules::find(code) {
        Some(rule) => docs::help_uri(rule),
        None => docs::RULES_URL.to_string(),
    }
}

/// The first sentence of the rule's *Why is this bad?* section.
pub fn why(code: &str) -> Option<String> {
    let section = docs::section(rules::find(code)?, "Why is this bad?")?;
    let paragraph = section.split("\n\n").next()?;
    let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = text
        .match_indices(". ")
        .map(|(index, _)| index + 1)
        .next()
        .unwrap_or(text.len());
    let sentence = text[..end].trim();
    (!sentence.is_empty()).then(|| sentence.to_string())
}

pub fn severity_badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Info => "🔵 info",
        Severity::Style => "⚪ style",
    }
}

/// A suggested change: the new text of lines `start..=end` of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The finding's fix as a replacement of whole lines, when it has one.
pub fn suggestion(finding: &Finding, file: &FileRun) -> Option<Suggestion> {
    let fix = finding.fix.as_ref()?;
    let source = file.source();
    let lines = file.lines();
    let first = fix.edits.iter().map(|edit| edit.range.start).min()?;
    let last = fix.edits.iter().map(|edit| edit.range.end).max()?;
    let start = lines.position(source, first).line;
    let end = lines.position(source, last).line;
    // The byte range of lines start..=end, line ending excluded.
    let block_start = source[..first].rfind('\n').map_or(0, |i| i + 1);
    let block_end = source[last..].find('\n').map_or(source.len(), |i| last + i);
    let block_end = if source[..block_end].ends_with('\r') {
        block_end - 1
    } else {
        block_end
    };
    if last > block_end {
        return None;
    }
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|edit| edit.range);
    let mut text = String::new();
    let mut cursor = block_start;
    for edit in edits {
        text.push_str(source.get(cursor..edit.range.start)?);
        text.push_str(&edit.content);
        cursor = edit.range.end;
    }
    text.push_str(source.get(cursor..block_end)?);
    Some(Suggestion { start, end, text })
}

/// The body of the inline comment on `finding`.
pub fn body(finding: &Finding, fingerprint: &str, suggestion: Option<&Suggestion>) -> String {
    let name = rules::find(&finding.rule).map_or("", |rule| rule.name);
    let mut body = format!(
        "**[{}]({})** {} · {}\n\n{}",
        finding.rule,
        doc_url(&finding.rule),
        name,
        severity_badge(finding.severity),
        finding.message
    );
    if let Some(image) = &finding.image {
        body.push_str(&format!(" (image `{image}`)"));
    }
    if let Some(why) = why(&finding.rule) {
        body.push_str(&format!("\n\n*Why:* {why}"));
    }
    if let (Some(suggestion), Some(fix)) = (suggestion, &finding.fix) {
        // As `dockgate lint --fix` sees it: an unsafe fix needs `--unsafe-fixes`.
        let applicability = match fix.applicability {
            crate::finding::Applicability::Safe => "",
            crate::finding::Applicability::Unsafe => " (unsafe fix: it may change the image)",
        };
        body.push_str(&format!(
            "\n\n{}{applicability}:\n\n```suggestion\n{}\n```",
            fix.title, suggestion.text
        ));
    }
    body.push_str("\n\n");
    body.push_str(&marker(fingerprint));
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        let body = format!("text\n\n{}", marker("abc123"));
        assert_eq!(fingerprint_of(&body), Some("abc123"));
        assert_eq!(fingerprint_of("no marker"), None);
    }

    #[test]
    fn why_is_one_sentence_of_the_rule_doc() {
        let why = why("DL3008").unwrap();
        assert!(why.starts_with("Without a pin"), "{why}");
        assert!(why.ends_with('.') && !why.contains(". "), "{why}");
        assert!(doc_url("DL3008").ends_with("rules.md#dl3008-apt-get-unpinned"));
    }

    #[test]
    fn an_unsafe_suggestion_says_so() {
        let source = "FROM debian:12\nRUN apt-get install -y curl\n";
        let dockerfile = crate::dockerfile::parse(source);
        let findings = crate::rules::lint(
            "Dockerfile",
            &dockerfile,
            &crate::rules::RuleSet::only("DL3015"),
        );
        let file = FileRun::plain("Dockerfile".into(), source.into(), findings.clone());
        let suggestion = suggestion(&findings[0], &file);
        let body = body(&findings[0], "f", suggestion.as_ref());
        assert!(
            body.contains(
                "Add `--no-install-recommends` (unsafe fix: it may change the image):\n\n```suggestion\n"
            ),
            "{body}"
        );
    }
}
