//! ShellCheck's codes as rules: `SC2086` and every other `SC` followed by four digits
//! is a rule a policy can turn off or give a severity, a pragma can ignore and an
//! exception can waive, though its findings come from the `shellcheck` program (see
//! `crate::shellcheck`) rather than from a check of dockgate's.
//!
//! ShellCheck has hundreds of codes and adds more with each release, so they are not
//! listed one by one: [`find`] makes the rule for a code the first time it is asked
//! for, and keeps it for the rest of the process.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

use super::{Category, Check, Rule};
use crate::finding::Severity;

/// Whether `code` is a ShellCheck code: `SC` and four digits (any case).
pub fn is_code(code: &str) -> bool {
    code.len() == 6
        && code[..2].eq_ignore_ascii_case("SC")
        && code[2..].bytes().all(|b| b.is_ascii_digit())
}

/// The rule for the ShellCheck code `code`, when it is one.
pub fn find(code: &str) -> Option<&'static Rule> {
    if !is_code(code) {
        return None;
    }
    let number: u16 = code[2..].parse().ok()?;
    static RULES: LazyLock<Mutex<BTreeMap<u16, &'static Rule>>> =
        LazyLock::new(|| Mutex::new(BTreeMap::new()));
    let mut rules = RULES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Some(*rules.entry(number).or_insert_with(|| {
        let code: &'static str = Box::leak(format!("SC{number:04}").into_boxed_str());
        let doc = format!(
            " ## What it does\n\n ShellCheck's check {code}, run on the shell-form `RUN` commands when a\n `shellcheck` program is found; see <{}>.\n",
            crate::shellcheck::wiki(code)
        );
        Box::leak(Box::new(Rule {
            code,
            name: code,
            // Each finding carries ShellCheck's own level; a policy may set one.
            severity: Severity::Warning,
            category: Category::Correctness,
            fixable: false,
            fixes: &[],
            message: "ShellCheck finding",
            raw_doc: Box::leak(doc.into_boxed_str()),
            options: &[],
            enabled_by_default: true,
            switched_by: None,
            buildkit: None,
            check: Check::External,
        }))
    }))
}
