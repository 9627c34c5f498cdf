//! The summary a reviewer reads in ten seconds, as GitHub-flavoured Markdown: the
//! verdict, counts by severity, a table per Dockerfile, a table per image (user, root
//! or not, size against the budget with a bar, the biggest layers with their Dockerfile
//! lines, growth against the baseline) and the rules that fired, with links.
//!
//! The same text is the check run's summary (at most 65,535 characters) and the job
//! summary (at most 1 MiB): past the limit whole rows are dropped and a last line says
//! how many.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::comment::{doc_url, severity_badge};
use crate::finding::{Finding, Severity};
use crate::gate::{ImageRun, Run};
use crate::image::baseline::{format_growth, growth};
use crate::image::facts::display_step;
use crate::policy::Review;
use crate::report::relative_path;
use crate::units::Size;

/// The check run summary's limit.
pub const CHECK_RUN_LIMIT: usize = 65_535;
/// The job summary's limit (1 MiB).
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// What the GitHub side adds to the run: how the review went, why it degraded.
#[derive(Debug, Default)]
pub struct Extras {
    pub notes: Vec<String>,
    /// Inline comments GitHub refused, listed here instead.
    pub moved: Vec<String>,
}

/// One line of the summary; rows of a table may be dropped to fit, other lines not.
enum Line {
    Text(String),
    Row(String),
}

/// The verdict's one-line title: `dockgate: failed: 2 errors, 1 warning`.
pub fn title(run: &Run) -> String {
    let counts = counts(run);
    let total: usize = counts.values().sum();
    let verdict = verdict_word(run);
    if total == 0 {
        return format!("dockgate: {verdict}: no findings");
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|severity| {
            let count = counts.get(severity).copied().unwrap_or(0);
            (count > 0).then(|| plural(count, severity.as_str()))
        })
        .collect();
    format!("dockgate: {verdict}: {}", parts.join(", "))
}

fn verdict_word(run: &Run) -> &'static str {
    if run.verdict.input_errors {
        "input error"
    } else if run.verdict.passed {
        "passed"
    } else {
        "failed"
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 || word == "info" || word == "style" {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn counts(run: &Run) -> BTreeMap<Severity, usize> {
    let mut counts = BTreeMap::new();
    for finding in run.findings() {
        *counts.entry(finding.severity).or_insert(0) += 1;
    }
    counts
}

/// The summary of `run`, at most `limit` bytes (so at most `limit` characters).
pub fn markdown(run: &Run, extras: &Extras, workspace: &Path, limit: usize) -> String {
    fit(lines(run, extras, workspace), limit)
}

fn lines(run: &Run, extras: &Extras, workspace: &Path) -> Vec<Line> {
    let mut lines = Vec::new();
    let text = |lines: &mut Vec<Line>, line: String| lines.push(Line::Text(line));
    let icon = if run.verdict.passed { "✅" } else { "❌" };
    text(&mut lines, format!("## {icon} {}", title(run)));
    text(&mut lines, String::new());
    let threshold = match run.verdict.fail_on {
        Some(severity) => format!("fails on {severity} and above"),
        None => "never fails on findings".to_string(),
    };
    let counts = counts(run);
    let cells: Vec<String> = Severity::ALL
        .iter()
        .map(|severity| counts.get(severity).copied().unwrap_or(0).to_string())
        .collect();
    text(
        &mut lines,
        "| error | warning | info | style | policy |".to_string(),
    );
    text(
        &mut lines,
        "| ---: | ---: | ---: | ---: | --- |".to_string(),
    );
    text(
        &mut lines,
        format!(
            "| {} | `{}`: {threshold} |",
            cells.join(" | "),
            run.policy.name()
        ),
    );
    for note in &extras.notes {
        text(&mut lines, String::new());
        text(&mut lines, format!("> {}", one_line(note)));
    }
    if !run.errors.is_empty() {
        text(&mut lines, String::new());
        text(&mut lines, "### Inputs that could not be read".to_string());
        text(&mut lines, String::new());
        text(&mut lines, "| File | Error |".to_string());
        text(&mut lines, "| --- | --- |".to_string());
        for error in &run.errors {
            lines.push(Line::Row(format!(
                "| `{}` | {} |",
                relative_path(&error.path, workspace),
                cell(&error.to_string())
            )));
        }
    }
    if let Some(review) = &run.policy_changes {
        policy_change_lines(&mut lines, review);
    }
    for file in &run.files {
        let mut findings: Vec<&Finding> = file.findings.iter().collect();
        findings.extend(
            run.images
                .iter()
                .flat_map(|image| &image.findings)
                .filter(|finding| {
                    finding
                        .location
                        .as_ref()
                        .is_some_and(|location| location.path == file.path)
                }),
        );
        if findings.is_empty() {
            continue;
        }
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line().cmp(&b.line())));
        text(&mut lines, String::new());
        text(
            &mut lines,
            format!("### `{}`", relative_path(&file.path, workspace)),
        );
        text(&mut lines, String::new());
        text(
            &mut lines,
            "| Line | Rule | Severity | Message |".to_string(),
        );
        text(&mut lines, "| ---: | --- | --- | --- |".to_string());
        for finding in findings {
            lines.push(Line::Row(format!(
                "| {} | [{}]({}) | {} | {} |",
                finding.line(),
                finding.rule,
                doc_url(&finding.rule),
                severity_badge(finding.severity),
                cell(&finding.message)
            )));
        }
    }
    for image in &run.images {
        image_lines(&mut lines, image);
    }
    if !extras.moved.is_empty() {
        text(&mut lines, String::new());
        text(
            &mut lines,
            "### Comments GitHub did not accept inline".to_string(),
        );
        text(&mut lines, String::new());
        for moved in &extras.moved {
            lines.push(Line::Row(format!("- {}", one_line(moved))));
        }
    }
    let mut fired: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
    for finding in run.findings() {
        let entry = fired.entry(&finding.rule).or_insert((finding.severity, 0));
        entry.0 = entry.0.max(finding.severity);
        entry.1 += 1;
    }
    if !fired.is_empty() {
        text(&mut lines, String::new());
        text(&mut lines, "### Rules that fired".to_string());
        text(&mut lines, String::new());
        text(&mut lines, "| Rule | Name | Findings |".to_string());
        text(&mut lines, "| --- | --- | ---: |".to_string());
        for (code, (_, count)) in fired {
            let name = crate::rules::find(code).map_or("", |rule| rule.name);
            lines.push(Line::Row(format!(
                "| [{code}]({}) | {name} | {count} |",
                doc_url(code)
            )));
        }
    }
    lines
}

/// The policy change under review: how many weakenings (each a DG0004 finding in the
/// policy file's table), and who waived what, so a reviewer sees every exception the
/// change adds or extends with its owner, reason and expiry.
fn policy_change_lines(lines: &mut Vec<Line>, review: &Review) {
    let weakenings = review.changes.len();
    lines.push(Line::Text(String::new()));
    lines.push(Line::Text(format!("### Policy against `{}`", review.base)));
    lines.push(Line::Text(String::new()));
    lines.push(Line::Text(if weakenings == 0 {
        "Not weakened.".to_string()
    } else {
        format!(
            "{}: each is a DG0004 finding on its line.",
            plural(weakenings, "weakening")
        )
    }));
    if review.applied_base {
        lines.push(Line::Text(
            "The base's policy applies (`pull_request_target`); this pull request's is only reviewed."
                .to_string(),
        ));
    }
    let exceptions: Vec<_> = review.exceptions().collect();
    if exceptions.is_empty() {
        return;
    }
    lines.push(Line::Text(String::new()));
    lines.push(Line::Text(
        "| Exception | Rules | Where | Owner | Expires | Reason |".to_string(),
    ));
    lines.push(Line::Text(
        "| --- | --- | --- | --- | --- | --- |".to_string(),
    ));
    for (change, exception) in exceptions {
        lines.push(Line::Row(format!(
            "| {} `{}:{}` | {} | {} | {} | {} | {} |",
            if exception.added { "added" } else { "extended" },
            change.path,
            change.location.line,
            cell(&exception.rules.join(", ")),
            cell(&exception.scope()),
            cell(&exception.owner),
            cell(&exception.expires),
            cell(&exception.reason)
        )));
    }
}

fn image_lines(lines: &mut Vec<Line>, image: &ImageRun) {
    let inspection = &image.inspection;
    let facts = &inspection.facts;
    let text = |lines: &mut Vec<Line>, line: String| lines.push(Line::Text(line));
    text(lines, String::new());
    text(lines, format!("### Image `{}`", facts.reference));
    text(lines, String::new());
    text(lines, "| | |".to_string());
    text(lines, "| --- | --- |".to_string());
    let user = &facts.user;
    let who = match (user.configured.as_str(), user.uid) {
        ("", _) => "not set (root)".to_string(),
        (name, Some(uid)) => format!("`{}` (UID {uid})", cell(name)),
        (name, None) => format!("`{}`", cell(name)),
    };
    let root = if user.runs_as_root {
        "❌ runs as root"
    } else {
        "✅ not root"
    };
    text(lines, format!("| User | {who}: {root} |"));
    if let Some(size) = facts.uncompressed_size {
        text(
            lines,
            format!("| Size | {} |", against(size, image.max_size)),
        );
    }
    text(
        lines,
        format!(
            "| Compressed | {} |",
            against(facts.compressed_size, image.max_compressed_size)
        ),
    );
    if let Some(baseline) = &inspection.baseline {
        let grown = growth(facts, baseline);
        let uncompressed = grown
            .uncompressed
            .map(|bytes| format!(", {} uncompressed", format_growth(bytes)))
            .unwrap_or_default();
        text(
            lines,
            format!(
                "| Growth against `{}` | {} compressed{uncompressed} |",
                baseline.reference,
                format_growth(grown.compressed)
            ),
        );
    }
    let mut layers: Vec<(usize, u64)> = facts
        .layers
        .iter()
        .enumerate()
        .map(|(index, layer)| (index, layer.uncompressed.unwrap_or(layer.compressed)))
        .collect();
    layers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !layers.is_empty() {
        text(lines, String::new());
        text(lines, "| Biggest layers | Size | Made by |".to_string());
        text(lines, "| ---: | ---: | --- |".to_string());
        for (index, size) in layers.into_iter().take(5) {
            let step = inspection
                .provenance
                .as_ref()
                .and_then(|provenance| provenance.layer_step(index))
                .map(|(text, line)| {
                    let path = inspection
                        .provenance
                        .as_ref()
                        .map_or("", |provenance| provenance.path.as_str());
                    format!("`{}` ({path}:{line})", cell(&shorten(&text)))
                })
                .or_else(|| {
                    facts.layers[index].created_by.as_deref().map(|created_by| {
                        format!("`{}`", cell(&shorten(&display_step(created_by))))
                    })
                })
                .unwrap_or_else(|| "base image".to_string());
            lines.push(Line::Row(format!(
                "| {} | {} | {step} |",
                index + 1,
                Size::human(size)
            )));
        }
    }
    let mut findings: Vec<&Finding> = image
        .findings
        .iter()
        .filter(|finding| finding.location.is_none())
        .collect();
    if !findings.is_empty() {
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)));
        text(lines, String::new());
        text(lines, "| Rule | Severity | Message |".to_string());
        text(lines, "| --- | --- | --- |".to_string());
        for finding in findings {
            lines.push(Line::Row(format!(
                "| [{}]({}) | {} | {} |",
                finding.rule,
                doc_url(&finding.rule),
                severity_badge(finding.severity),
                cell(&finding.message)
            )));
        }
    }
}

/// `45.1 MB of 200.0 MB ▓▓░░░░░░░░ 22%`, or the size alone without a budget.
fn against(size: u64, budget: Option<u64>) -> String {
    match budget {
        Some(budget) if budget > 0 => {
            let share = size as f64 / budget as f64;
            let filled = ((share * 10.0).round() as usize).min(10);
            let mark = if size > budget {
                " ❌ over budget"
            } else {
                ""
            };
            format!(
                "{} of {} `{}{}` {:.0}%{mark}",
                Size::human(size),
                Size::human(budget),
                "▓".repeat(filled),
                "░".repeat(10 - filled),
                share * 100.0
            )
        }
        _ => Size::human(size),
    }
}

fn shorten(text: &str) -> String {
    let one = one_line(text);
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(79).collect::<String>())
    } else {
        one
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// Joins `lines` within `limit` bytes: when they do not fit, rows are dropped from the
/// end (whole rows, never the headings) and a last line says how many.
fn fit(lines: Vec<Line>, limit: usize) -> String {
    let full: usize = lines.iter().map(|line| line_len(line) + 1).sum();
    if full <= limit {
        return join(lines.iter());
    }
    let rows = lines
        .iter()
        .filter(|line| matches!(line, Line::Row(_)))
        .count();
    // Room for the closing line, whatever the count.
    let reserve = 200;
    let mut fixed: usize = lines
        .iter()
        .filter(|line| matches!(line, Line::Text(_)))
        .map(|line| line_len(line) + 1)
        .sum();
    let mut kept = Vec::with_capacity(lines.len());
    let mut dropped = 0;
    for line in &lines {
        match line {
            Line::Text(_) => kept.push(line),
            Line::Row(row) if dropped == 0 && fixed + row.len() + 1 + reserve <= limit => {
                fixed += row.len() + 1;
                kept.push(line);
            }
            Line::Row(_) => dropped += 1,
        }
    }
    let mut out = join(kept.into_iter());
    let _ = write!(
        out,
        "\n*… and {dropped} more of {rows} rows: the summary is limited to {limit} characters. Every finding is in the annotations and the JSON report.*\n"
    );
    if out.len() > limit {
        // Headings alone overflow (thousands of files): cut at a line boundary.
        let cut = out[..limit.saturating_sub(reserve)]
            .rfind('\n')
            .unwrap_or(0);
        out.truncate(cut);
        out.push_str("\n\n*… truncated to fit GitHub's limit.*\n");
    }
    out
}

fn line_len(line: &Line) -> usize {
    match line {
        Line::Text(text) | Line::Row(text) => text.len(),
    }
}

fn join<'a>(lines: impl Iterator<Item = &'a Line>) -> String {
    let mut out = String::new();
    for line in lines {
        match line {
            Line::Text(text) | Line::Row(text) => out.push_str(text),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_past_the_limit_keeps_whole_rows_and_says_how_many_are_left() {
        let mut lines = vec![Line::Text("## title".into()), Line::Text("| a |".into())];
        for index in 0..1000 {
            lines.push(Line::Row(format!("| row {index} |")));
        }
        lines.push(Line::Text("### Rules that fired".into()));
        let out = fit(lines, 2000);
        assert!(out.len() <= 2000, "{}", out.len());
        assert!(out.contains("### Rules that fired"));
        let kept = out.lines().filter(|line| line.starts_with("| row")).count();
        assert!(kept > 50, "{kept}");
        assert!(
            out.contains(&format!("and {} more of 1000 rows", 1000 - kept)),
            "{out}"
        );
        assert!(
            out.lines()
                .all(|line| !line.starts_with("| row") || line.ends_with(" |"))
        );
    }

    #[test]
    fn sizes_against_a_budget_have_a_bar() {
        assert_eq!(
            against(50_000_000, Some(200_000_000)),
            "50.0 MB of 200.0 MB `▓▓▓░░░░░░░` 25%"
        );
        assert!(against(300, Some(200)).ends_with("❌ over budget"));
        assert_eq!(against(1500, None), "1.5 kB");
    }
}
