//! Rule documentation rendered from the rules' doc comments: the text of
//! `dockgate rules [CODE]` and the generated `docs/rules.md`.

use std::fmt::Write;

use super::Rule;

/// The command that regenerates `docs/rules.md` (the test that compares it says so).
pub const REGENERATE: &str = "DOCKGATE_UPDATE_DOCS=1 cargo test --test rules";

/// Where `docs/rules.md` is published: reports link each rule's section there.
pub const RULES_URL: &str = "https://github.com/dockgate/dockgate/blob/main/docs/rules.md";

/// The page that documents `rule`: its section of the published `docs/rules.md`, or
/// ShellCheck's wiki page for an `SC` code (docs/rules.md does not list them).
pub fn help_uri(rule: &Rule) -> String {
    if super::shellcheck::is_code(rule.code) {
        crate::shellcheck::wiki(rule.code)
    } else {
        format!("{RULES_URL}#{}", anchor(rule))
    }
}

/// The text of the doc's `## {heading}` section (without the heading), when the rule
/// has one.
pub fn section(rule: &Rule, heading: &str) -> Option<String> {
    let doc = rule.doc();
    let mut lines = doc.lines();
    lines.find(|line| line.strip_prefix("## ") == Some(heading))?;
    let mut text = String::new();
    let mut in_code = false;
    for line in lines {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with("## ") {
            break;
        }
        text.push_str(line);
        text.push('\n');
    }
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// One rule's page: a title line, its metadata, then its documentation.
pub fn rule_page(rule: &Rule) -> String {
    let mut page = format!("# {}: {}\n\n", rule.code, rule.name);
    let _ = writeln!(page, "{}\n", metadata(rule));
    let _ = writeln!(page, "Message: {}\n", rule.message);
    page.push_str(&fixes(rule));
    page.push_str(&settings(rule));
    page.push_str(&rule.doc());
    page
}

/// The fixes the rule declares, one line each: `Fix (safe): Replace `ADD` with `COPY``.
fn fixes(rule: &Rule) -> String {
    let mut text = String::new();
    for fix in rule.fixes {
        let _ = writeln!(text, "Fix ({}): {}", fix.applicability, fix.title);
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

/// What the fixes of `rule` are: `safe`, `unsafe`, `safe, unsafe`, or empty.
fn applicabilities(rule: &Rule) -> String {
    let mut kinds: Vec<&str> = rule
        .fixes
        .iter()
        .map(|fix| fix.applicability.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.join(", ")
}

/// Where the rule comes from: hadolint (`DL` codes), ShellCheck (`SC`), BuildKit's
/// build checks (a rule with `buildkit` set), or dockgate's own.
pub fn origin(rule: &Rule) -> String {
    let hadolint = rule.code.starts_with("DL");
    match (hadolint, rule.buildkit) {
        _ if super::shellcheck::is_code(rule.code) => "ShellCheck".to_string(),
        (true, Some(check)) => format!("hadolint; BuildKit `{check}`"),
        (true, None) => "hadolint".to_string(),
        (false, Some(check)) => format!("BuildKit `{check}`"),
        (false, None) => "dockgate".to_string(),
    }
}

/// What a policy can set for the rule, from its declarations: each option (in
/// `rules.CODE.options`, or through its policy key) and the key that switches it on.
fn settings(rule: &Rule) -> String {
    let mut text = String::new();
    if let Some(key) = rule.switched_by {
        let _ = writeln!(text, "Switched on by `{key}: true` in the policy.\n");
    }
    if rule.options.is_empty() {
        return text;
    }
    let _ = writeln!(text, "Settings (`rules.{}.options.NAME`):\n", rule.code);
    for option in rule.options {
        let key = option
            .policy_key
            .map(|key| format!("; also the policy's `{key}`"))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "- `{}` ({}{key}): {}",
            option.name,
            option.kind.expected(),
            option.description
        );
    }
    text.push('\n');
    text
}

/// The one-line metadata summary: `Severity: warning · Category: ... · Fix: ...`.
fn metadata(rule: &Rule) -> String {
    let mut line = format!(
        "Default severity: {} · Category: {} · Fix: {} · From: {}",
        rule.severity,
        rule.category,
        match applicabilities(rule) {
            kinds if kinds.is_empty() => "none".to_string(),
            kinds => kinds,
        },
        origin(rule)
    );
    if !rule.enabled_by_default {
        line.push_str(" · Off by default");
    }
    line
}

/// The rule list as an aligned table, one rule per line.
pub fn rule_list(rules: &[&Rule]) -> String {
    let name_width = rules.iter().map(|rule| rule.name.len()).max().unwrap_or(0);
    let mut list = String::new();
    for rule in rules {
        let _ = writeln!(
            list,
            "{:<6}  {:<name_width$}  {:<7}  {:<15}  {}  {}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.category.as_str(),
            if rule.fixable { "fix" } else { "   " },
            rule.message,
        );
        if !rule.enabled_by_default {
            // Replace the line break to keep one rule per line.
            list.pop();
            list.push_str("  (off by default)\n");
        }
    }
    list
}

/// The whole of `docs/rules.md`.
pub fn markdown(rules: &[&Rule]) -> String {
    let mut doc = String::from(
        "# Rules\n\n\
         <!-- Generated from the rules' doc comments in src/rules/; do not edit by hand. \
         Regenerate with: ",
    );
    let _ = writeln!(doc, "{REGENERATE} -->\n");
    doc.push_str(
        "Every rule dockgate checks, with its default severity. `dockgate rules CODE` \
         prints the same page in the terminal. Codes `DLxxxx` mean what they mean in \
         hadolint, so `# hadolint ignore=...` pragmas keep working.\n\n\
         *From* says where a rule comes from: **hadolint** (its `DL` rules, same code \
         and meaning; ShellCheck's `SC` codes run through a `shellcheck` program and are \
         not listed here), **BuildKit** (the build check of that name, as \
         `docker build --check` runs it; `# check=skip=NAME` skips it) or **dockgate** \
         (its own `DG` rules). *Fix* says whether `dockgate lint --fix` applies the \
         rule's fix (`safe`) or only with `--unsafe-fixes` (`unsafe`: it may change \
         the image).\n\n",
    );
    doc.push_str("| Code | Name | Severity | Category | From | Fix | Message |\n");
    doc.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
    for rule in rules {
        let _ = writeln!(
            doc,
            "| [{code}](#{anchor}) | `{name}` | {severity} | {category} | {origin} | {fix} | {message} |",
            code = rule.code,
            anchor = anchor(rule),
            name = rule.name,
            severity = rule.severity,
            category = rule.category,
            origin = origin(rule),
            fix = applicabilities(rule),
            message = rule.message.replace('|', "\\|"),
        );
    }
    for rule in rules {
        let _ = write!(
            doc,
            "\n## {}: {}\n\n{}\n\n",
            rule.code,
            rule.name,
            metadata(rule)
        );
        let _ = writeln!(doc, "Message: {}\n", rule.message);
        doc.push_str(&fixes(rule));
        // The rule's own sections are `##`; nest them under the rule's heading (but
        // leave `#` comments in code examples alone).
        let mut in_code = false;
        for line in rule.doc().lines() {
            if line.starts_with("```") {
                in_code = !in_code;
            } else if !in_code && line.starts_with('#') {
                doc.push('#');
            }
            doc.push_str(line);
            doc.push('\n');
        }
    }
    doc
}

/// The GitHub anchor of a rule's heading `## DL3006: untagged-base-image`.
fn anchor(rule: &Rule) -> String {
    format!("{}-{}", rule.code.to_ascii_lowercase(), rule.name)
}
