//! `--format text`: rustc/ruff-style diagnostics for people.
//!
//! ```text
//! svc/Dockerfile:1:6: DL3006 [warning] Always tag the version of an image explicitly
//!   |
//! 1 | FROM debian
//!   |      ^^^^^^
//!   |
//! ```

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::Reporter;
use crate::finding::{Finding, Severity};
use crate::gate::{FileRun, ImageRun, Run};
use crate::image::facts::HealthcheckFact;
use crate::image::limits::format_size;
use crate::policy::Review;
use crate::source::{LineIndex, TextRange};

/// Snippets longer than this show their first and last lines around a `...`.
const MAX_SNIPPET_LINES: usize = 6;
const TAB_WIDTH: usize = 4;

/// The styles of one run: all plain when colour is off.
struct Styles {
    path: Style,
    rule: Style,
    gutter: Style,
    help: Style,
    summary: Style,
    color: bool,
}

impl Styles {
    fn new(color: bool) -> Styles {
        let style = |style: Style| if color { style } else { Style::new() };
        Styles {
            path: style(Style::new().bold()),
            rule: style(Style::new().bold()),
            gutter: style(AnsiColor::Blue.on_default().bold()),
            help: style(AnsiColor::Cyan.on_default()),
            summary: style(Style::new().bold()),
            color,
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        if !self.color {
            return Style::new();
        }
        match severity {
            Severity::Error => AnsiColor::Red.on_default().bold(),
            Severity::Warning => AnsiColor::Yellow.on_default().bold(),
            Severity::Info => AnsiColor::Cyan.on_default().bold(),
            Severity::Style => AnsiColor::Magenta.on_default().bold(),
        }
    }
}

/// `--format text`; colour only when `color`.
pub struct Text {
    pub color: bool,
}

impl Reporter for Text {
    fn write(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        write_text(out, run, self.color)
    }
}

fn write_text(out: &mut dyn Write, report: &Run, color: bool) -> io::Result<()> {
    let styles = Styles::new(color);
    let mut text = String::new();
    for file in &report.files {
        if file.findings.is_empty() {
            continue;
        }
        // Secret values (tokens, private keys) are shown by their prefix only, and the
        // values of variables named as secrets not at all.
        let source = mask_secret_names(file, crate::image::secrets::mask(file.source()));
        for finding in &file.findings {
            write_finding(&mut text, file, &source, finding, &styles);
        }
        // Write per file so a large run streams instead of building one huge string.
        out.write_all(text.as_bytes())?;
        text.clear();
    }
    for image in &report.images {
        write_image(&mut text, image, &styles);
        out.write_all(text.as_bytes())?;
        text.clear();
    }
    if let Some(review) = &report.policy_changes {
        write_policy_changes(&mut text, review, &styles);
    }
    write_summary(&mut text, report, &styles);
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// `--policy-base`: how many weakenings (each a DG0004 finding above), and who waived
/// what: every exception the change adds or extends, with its owner, reason and expiry.
fn write_policy_changes(text: &mut String, review: &Review, styles: &Styles) {
    let summary = styles.summary;
    let n = review.changes.len();
    let _ = writeln!(
        text,
        "{summary}Policy against {}:{summary:#} {}{}",
        review.base,
        if n == 0 {
            "not weakened.".to_string()
        } else {
            format!("{n} {} (DG0004).", plural(n, "weakening", "weakenings"))
        },
        if review.applied_base {
            " The base's policy applies (pull_request_target); the working tree's is only reviewed."
        } else {
            ""
        }
    );
    let exceptions: Vec<_> = review.exceptions().collect();
    if !exceptions.is_empty() {
        let _ = writeln!(text, "Exceptions this change adds or extends:");
    }
    for (change, exception) in exceptions {
        let _ = writeln!(
            text,
            "  {}:{}: {} {} {}: owner {}, expires {}, reason: {}",
            change.path,
            change.location.line,
            if exception.added { "added" } else { "extended" },
            exception.rules.join(", "),
            exception.scope(),
            exception.owner,
            exception.expires,
            exception.reason
        );
    }
    text.push('\n');
}

/// One finding of `file`, with its snippet from `source` (the file's text, secrets masked).
fn write_finding(
    text: &mut String,
    file: &FileRun,
    source: &str,
    finding: &Finding,
    styles: &Styles,
) {
    let lines = file.lines();
    let severity = styles.severity(finding.severity);
    let _ = writeln!(
        text,
        "{path}{}:{}:{}:{path:#} {rule}{}{rule:#} {severity}[{}]{severity:#} {}",
        finding.path(),
        finding.line(),
        finding.column(),
        finding.rule,
        finding.severity,
        finding.message,
        path = styles.path,
        rule = styles.rule,
    );
    let Some(location) = &finding.location else {
        text.push('\n');
        return;
    };
    write_snippet(
        text,
        source,
        lines,
        location.range,
        finding.severity,
        styles,
    );
    if let Some(fix) = &finding.fix {
        let gutter_width = digits(lines.position(source, location.range.end).line);
        let unsafe_note = match fix.applicability {
            crate::finding::Applicability::Safe => "",
            crate::finding::Applicability::Unsafe => " (unsafe fix)",
        };
        let _ = writeln!(
            text,
            "{:gutter_width$} {help}= help:{help:#} {}{unsafe_note}",
            "",
            fix.title,
            help = styles.help
        );
    }
    text.push('\n');
}

/// The lines of the exact range, each with its part of the range underlined.
fn write_snippet(
    text: &mut String,
    source: &str,
    lines: &LineIndex,
    range: TextRange,
    severity: Severity,
    styles: &Styles,
) {
    let start = lines.position(source, range.start);
    let end = lines.position(source, range.end);
    // A range that ends at the start of a line (after its newline) ends on the line before.
    let last_line = if end.line > start.line && end.column == 1 {
        end.line - 1
    } else {
        end.line
    };
    let width = digits(last_line);
    let gutter = styles.gutter;
    let marker = styles.severity(severity);
    let _ = writeln!(text, "{:width$} {gutter}|{gutter:#}", "");
    let count = last_line - start.line + 1;
    for line in start.line..=last_line {
        let elided = count > MAX_SNIPPET_LINES
            && line >= start.line + MAX_SNIPPET_LINES / 2
            && line <= last_line - MAX_SNIPPET_LINES / 2;
        if elided {
            if line == start.line + MAX_SNIPPET_LINES / 2 {
                let _ = writeln!(text, "{gutter}...{gutter:#}");
            }
            continue;
        }
        let content = lines.line_text(source, line);
        let (shown, columns) = expand_tabs(content);
        let _ = writeln!(text, "{gutter}{line:>width$} |{gutter:#} {shown}");
        let from = if line == start.line { start.column } else { 1 };
        let to = if line == end.line {
            end.column
        } else {
            content.chars().count() + 1
        };
        let from_col = columns[(from - 1).min(columns.len() - 1)];
        let to_col = columns[(to - 1).min(columns.len() - 1)];
        // A blank line inside a multi-line range has nothing to point at.
        if to_col == from_col && line != start.line {
            continue;
        }
        let carets = "^".repeat(to_col.saturating_sub(from_col).max(1));
        let _ = writeln!(
            text,
            "{:width$} {gutter}|{gutter:#} {:from_col$}{marker}{carets}{marker:#}",
            "", ""
        );
    }
    let _ = writeln!(text, "{:width$} {gutter}|{gutter:#}", "");
}

/// The line with tabs expanded, and the display column (0-based) where each character
/// starts, plus one entry for the end of the line.
fn expand_tabs(line: &str) -> (String, Vec<usize>) {
    let mut shown = String::with_capacity(line.len());
    let mut columns = Vec::with_capacity(line.len() + 1);
    let mut column = 0;
    for c in line.chars() {
        columns.push(column);
        if c == '\t' {
            let spaces = TAB_WIDTH - column % TAB_WIDTH;
            shown.extend(std::iter::repeat_n(' ', spaces));
            column += spaces;
        } else {
            shown.push(c);
            column += 1;
        }
    }
    columns.push(column);
    (shown, columns)
}

/// Width of the size bar, in cells.
const BAR_WIDTH: usize = 30;

/// One image: what it is, who it runs as, its size against the budget, its layers, and
/// its findings.
fn write_image(text: &mut String, image: &ImageRun, styles: &Styles) {
    let inspection = &image.inspection;
    let facts = &inspection.facts;
    let path = styles.path;
    let _ = writeln!(text, "{path}{}{path:#}  {}", facts.reference, facts.digest);
    let user = &facts.user;
    let configured = if user.configured.is_empty() {
        "(none: root)".to_string()
    } else {
        format!("`{}`", user.configured)
    };
    let ids = match (user.uid, user.gid) {
        (Some(uid), Some(gid)) => format!("uid {uid}, gid {gid}"),
        (Some(uid), None) => format!("uid {uid}"),
        _ => "unresolved".to_string(),
    };
    let root = if user.runs_as_root {
        ", runs as root"
    } else {
        ""
    };
    let _ = writeln!(text, "  user:  {configured} ({ids}{root})");
    if let Some(live) = inspection.live {
        let root = if live.uid == 0 { ", root" } else { "" };
        let _ = writeln!(
            text,
            "  live:  main process runs as uid {}, gid {}{root}",
            live.uid, live.gid
        );
    }
    if let Some(base) = &facts.base {
        let mut line = base.name.clone().unwrap_or_default();
        if let Some(digest) = &base.digest {
            line.push_str(&format!(" {digest}"));
        }
        if let Some(layers) = base.layers {
            let noun = plural(layers, "layer", "layers");
            line.push_str(&format!(" ({layers} {noun}, from the history)"));
        }
        let _ = writeln!(text, "  base: {line}");
    }
    let uncompressed = facts
        .uncompressed_size
        .map_or_else(|| "not measured".to_string(), format_size);
    let _ = writeln!(
        text,
        "  size:  {uncompressed} uncompressed, {} compressed, {} layers",
        format_size(facts.compressed_size),
        facts.layers.len()
    );
    if let Some(baseline) = &inspection.baseline {
        use crate::image::baseline::{format_growth, growth};
        let growth = growth(facts, baseline);
        let uncompressed = match (baseline.uncompressed_size, growth.uncompressed) {
            (Some(size), Some(grown)) => {
                format!(
                    "{} uncompressed ({})",
                    format_size(size),
                    format_growth(grown)
                )
            }
            _ => "uncompressed not measured".to_string(),
        };
        let _ = writeln!(
            text,
            "  baseline: {}  {uncompressed}, {} compressed ({})",
            baseline.reference,
            format_size(baseline.compressed_size),
            format_growth(growth.compressed)
        );
    }
    let health = match facts.healthcheck {
        HealthcheckFact::NotApplicable => "not applicable (an OCI-format config has none)",
        HealthcheckFact::Disabled => "disabled (HEALTHCHECK NONE)",
        other => other.as_str(),
    };
    let _ = writeln!(text, "  healthcheck: {health}");
    if let Some(provenance) = &inspection.provenance {
        let _ = writeln!(
            text,
            "  dockerfile: {} (stage {}, matched by the history)",
            provenance.path, provenance.stage
        );
    } else if let Some(reason) = &inspection.unplaced {
        let _ = writeln!(text, "  dockerfile: nothing placed on a line: {reason}");
    }
    if let (Some(budget), Some(actual)) = (image.max_size, facts.uncompressed_size) {
        write_bar(text, "uncompressed", actual, budget, styles);
    }
    if let Some(budget) = image.max_compressed_size {
        write_bar(text, "compressed", facts.compressed_size, budget, styles);
    }
    if !facts.layers.is_empty() {
        let lines: Vec<String> = (0..facts.layers.len())
            .map(|index| {
                inspection
                    .provenance
                    .as_ref()
                    .and_then(|provenance| provenance.layer_line(index))
                    .map_or_else(String::new, |line| format!("line {line}"))
            })
            .collect();
        let line_width = lines.iter().map(String::len).max().unwrap_or(0);
        let line_header = if line_width > 0 { "dockerfile" } else { "" };
        let line_width = if line_width > 0 {
            line_width.max(line_header.len())
        } else {
            0
        };
        let _ = writeln!(
            text,
            "\n  {:>3}  {:>12}  {:>12}  {line_header:<line_width$}{}created by",
            "#",
            "uncompressed",
            "compressed",
            if line_width > 0 { "  " } else { "" }
        );
        for (index, layer) in facts.layers.iter().enumerate() {
            let uncompressed = layer
                .uncompressed
                .map_or_else(|| "-".to_string(), format_size);
            // The instruction as the Dockerfile has it, else as the builder recorded it.
            let step = inspection
                .provenance
                .as_ref()
                .and_then(|provenance| provenance.layer_step(index))
                .map(|(text, _)| text)
                .unwrap_or_else(|| {
                    crate::image::facts::display_step(layer.created_by.as_deref().unwrap_or(""))
                });
            let created_by: String = step.chars().take(100).collect();
            let from_base = facts
                .base
                .as_ref()
                .and_then(|base| base.layers)
                .is_some_and(|layers| index < layers);
            let row = format!(
                "  {:>3}  {uncompressed:>12}  {:>12}  {:<line_width$}{}{}{created_by}",
                index + 1,
                format_size(layer.compressed),
                lines[index],
                if line_width > 0 { "  " } else { "" },
                if from_base { "(base) " } else { "" }
            );
            let _ = writeln!(text, "{}", row.trim_end());
        }
    }
    text.push('\n');
    for finding in &image.findings {
        let severity = styles.severity(finding.severity);
        // Placed on a Dockerfile line: `Dockerfile:12:1:`, else the image reference.
        let location = if finding.line() > 0 {
            format!("{}:{}:{}", finding.path(), finding.line(), finding.column())
        } else {
            finding.path().to_string()
        };
        let _ = writeln!(
            text,
            "{path}{}:{path:#} {rule}{}{rule:#} {severity}[{}]{severity:#} {}",
            location,
            finding.rule,
            finding.severity,
            finding.message,
            rule = styles.rule,
        );
    }
    if !image.findings.is_empty() {
        text.push('\n');
    }
}

/// `  budget: [##########..........]  62% of 200.0 MB (uncompressed)`.
fn write_bar(text: &mut String, what: &str, actual: u64, budget: u64, styles: &Styles) {
    let ratio = actual as f64 / budget.max(1) as f64;
    let filled = ((ratio.min(1.0) * BAR_WIDTH as f64).round() as usize).min(BAR_WIDTH);
    let over = actual > budget;
    let style = if over {
        styles.severity(Severity::Error)
    } else {
        Style::new()
    };
    let _ = writeln!(
        text,
        "  budget {style}[{}{}]{style:#} {:>4.0}% of {} ({what}){}",
        "#".repeat(filled),
        ".".repeat(BAR_WIDTH - filled),
        ratio * 100.0,
        format_size(budget),
        if over { ", over budget" } else { "" }
    );
}

fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

fn write_summary(text: &mut String, report: &Run, styles: &Styles) {
    let summary = styles.summary;
    let total = report.findings().count();
    let linted = report.files.len() + report.images.len();
    let files = if report.images.is_empty() {
        plural(linted, "file", "files")
    } else if report.files.is_empty() {
        plural(linted, "image", "images")
    } else {
        plural(linted, "input", "inputs")
    };
    if total == 0 {
        let _ = write!(
            text,
            "{summary}No problems found{summary:#} in {linted} {files}"
        );
    } else {
        let mut counts = Vec::new();
        for severity in Severity::ALL {
            let n = report.findings().filter(|f| f.severity == severity).count();
            if n > 0 {
                let name = match (severity, n) {
                    (Severity::Error, 1) => "error",
                    (Severity::Error, _) => "errors",
                    (Severity::Warning, 1) => "warning",
                    (Severity::Warning, _) => "warnings",
                    (Severity::Info, _) => "info",
                    (Severity::Style, _) => "style",
                };
                counts.push(format!("{n} {name}"));
            }
        }
        let with_findings = report
            .files
            .iter()
            .filter(|f| !f.findings.is_empty())
            .count()
            + report
                .images
                .iter()
                .filter(|i| !i.findings.is_empty())
                .count();
        let _ = write!(
            text,
            "{summary}Found {total} {}{summary:#} ({}) in {with_findings} of {linted} {files}",
            plural(total, "problem", "problems"),
            counts.join(", "),
        );
    }
    if !report.errors.is_empty() {
        let n = report.errors.len();
        let _ = write!(
            text,
            "; {n} {} could not be read",
            plural(n, "input", "inputs")
        );
    }
    let verdict = match report.verdict.fail_on {
        None => "passed (--fail-on never)".to_string(),
        Some(threshold) => {
            let outcome = if report.verdict.passed {
                "passed"
            } else {
                "failed"
            };
            format!("{outcome} (--fail-on {threshold})")
        }
    };
    let _ = writeln!(text, "; {verdict}.");
    if let Some(fixes) = &report.fixes {
        let _ = writeln!(text, "{}", fix_summary(fixes.fixed, total));
    }
}

/// `Fixed 3 findings (2 remaining).`, as ruff words it.
pub fn fix_summary(fixed: usize, remaining: usize) -> String {
    format!(
        "Fixed {fixed} {} ({remaining} remaining).",
        plural(fixed, "finding", "findings")
    )
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// `source` with the values of `ARG`/`ENV` variables named as secrets (`DB_PASSWORD`)
/// replaced by `*`, byte for byte, so columns and underlines stay where they were.
fn mask_secret_names<'a>(
    file: &FileRun,
    source: std::borrow::Cow<'a, str>,
) -> std::borrow::Cow<'a, str> {
    // `lint` keeps no parse tree; the few files with findings are parsed again here.
    let ranges = match file.dockerfile() {
        Some((dockerfile, _)) => crate::rules::dockerfile::secret_value_ranges(dockerfile),
        None => {
            crate::rules::dockerfile::secret_value_ranges(&crate::dockerfile::parse(file.source()))
        }
    };
    if ranges.is_empty() {
        return source;
    }
    let mut bytes = source.into_owned().into_bytes();
    for range in ranges {
        for byte in bytes.get_mut(range.start..range.end).into_iter().flatten() {
            if byte.is_ascii() && !byte.is_ascii_whitespace() && *byte != b'\\' {
                *byte = b'*';
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;

    fn report_of(source: &str, range: TextRange, instruction: TextRange) -> String {
        let mut location = Location::new("Dockerfile", range, instruction);
        location.locate(source, &LineIndex::new(source));
        let finding = Finding::in_file(
            "DL3006",
            Severity::Warning,
            location,
            "Always tag the version of an image explicitly",
        );
        let policy = crate::policy::load(
            &crate::policy::Choice::Explicit("builtin:recommended".into()),
            std::path::Path::new("."),
            crate::policy::GithubFetcher::from_env(),
        )
        .unwrap();
        let run = Run {
            policy,
            files: vec![FileRun::plain(
                "Dockerfile".into(),
                source.into(),
                vec![finding],
            )],
            images: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            policy_changes: None,
            fixes: None,
            verdict: crate::gate::Verdict {
                fail_on: Some(Severity::Warning),
                passed: false,
                input_errors: false,
            },
        };
        let mut out = Vec::new();
        Text { color: false }.write(&run, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn underlines_the_range() {
        let source = "FROM debian\n";
        let text = report_of(source, TextRange::new(5, 11), TextRange::new(0, 11));
        assert_eq!(
            text,
            "Dockerfile:1:6: DL3006 [warning] Always tag the version of an image explicitly\n  \
             |\n1 | FROM debian\n  |      ^^^^^^\n  |\n\n\
             Found 1 problem (1 warning) in 1 of 1 file; failed (--fail-on warning).\n"
        );
    }

    #[test]
    fn blank_lines_inside_a_range_are_not_underlined() {
        let source = "a\n\nb\n";
        let text = report_of(source, TextRange::new(0, 4), TextRange::new(0, 4));
        assert!(
            text.contains("1 | a\n  | ^\n2 | \n3 | b\n  | ^\n"),
            "{text}"
        );
    }

    #[test]
    fn expands_tabs_and_spans_lines() {
        let source = "RUN a \\\n\tb\n";
        let text = report_of(source, TextRange::new(4, 10), TextRange::new(0, 10));
        assert!(text.contains("1 | RUN a \\\n  |     ^^^\n"), "{text}");
        assert!(text.contains("2 |     b\n  | ^^^^^\n"), "{text}");
    }
}
