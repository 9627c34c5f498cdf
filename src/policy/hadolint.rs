//! `dockgate policy import-hadolint`: a `.hadolint.yaml` as the equivalent dockgate
//! policy, so a team switching keeps its configuration.
//!
//! hadolint's keys map as: `failure-threshold` -> `fail_on`, `no-fail` -> `fail_on:
//! never`, `ignored` -> `rules.CODE: off`, `override.SEVERITY` -> `rules.CODE:
//! SEVERITY`, `trustedRegistries` -> the option that declares it takes it (DL3026's
//! `trusted_registries`),
//! `label-schema` -> `labels.required`, `strict-labels` -> `labels.strict`,
//! `disable-ignore-pragma` -> `pragmas: forbidden`. Display settings (`format`,
//! `no-color`, `verbose`) have no policy equivalent and are noted, not lost silently.
//! Rules dockgate does not implement yet are kept as comments.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Deserialize;

use super::error::PolicyError;
use super::locate::Location;
use crate::rules;

/// The parts of hadolint's configuration file that carry policy.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct HadolintConfig {
    #[serde(default)]
    failure_threshold: Option<String>,
    #[serde(default)]
    no_fail: Option<bool>,
    #[serde(default)]
    ignored: Vec<String>,
    #[serde(default, rename = "override")]
    overrides: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "trustedRegistries", alias = "trusted-registries")]
    trusted_registries: Vec<String>,
    #[serde(default)]
    label_schema: BTreeMap<String, String>,
    #[serde(default)]
    strict_labels: Option<bool>,
    #[serde(default)]
    disable_ignore_pragma: Option<bool>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    no_color: Option<bool>,
    #[serde(default)]
    verbose: Option<bool>,
}

/// hadolint's key for the registries base images may come from.
const TRUSTED_REGISTRIES: &str = "trustedRegistries";

/// The rule and option that declare they take hadolint's configuration key `key`.
fn rule_option_for(key: &str) -> Option<(&'static rules::Rule, &'static rules::RuleOption)> {
    rules::all().iter().find_map(|rule| {
        let option = rule
            .options
            .iter()
            .find(|option| option.hadolint_key == Some(key))?;
        Some((*rule, option))
    })
}

/// The dockgate policy equivalent to the hadolint configuration `text`.
pub fn import(name: &str, text: &str) -> Result<String, PolicyError> {
    let config: HadolintConfig = if text.trim().is_empty() {
        HadolintConfig::default()
    } else {
        serde_yaml_ng::from_str(text).map_err(|error| {
            let location = error.location().map_or(Location::START, |l| Location {
                line: l.line(),
                column: l.column(),
            });
            PolicyError::new(
                name,
                location,
                format!("not a hadolint configuration: {error}"),
            )
        })?
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://github.com/dockgate/dockgate/raw/main/policies/dockgate.schema.json"
    );
    let _ = writeln!(
        out,
        "# Imported from {name} by `dockgate policy import-hadolint`."
    );
    out.push_str("extends: [builtin:hadolint]\n");

    let fail_on = if config.no_fail == Some(true) {
        Some("never".to_string())
    } else {
        config
            .failure_threshold
            .as_deref()
            .map(|threshold| match threshold {
                "none" => "never".to_string(),
                other => other.to_string(),
            })
    };
    if let Some(fail_on) = fail_on {
        let _ = writeln!(out, "fail_on: {fail_on}");
    }
    if config.disable_ignore_pragma == Some(true) {
        out.push_str("pragmas: forbidden\n");
    }

    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut set = |code: &str, value: String| match rules::find(code) {
        Some(rule) => {
            settings.insert(rule.code.to_string(), value);
        }
        None => unknown.push(format!("{code}: {value}")),
    };
    for code in &config.ignored {
        set(code, "off".to_string());
    }
    for (severity, codes) in &config.overrides {
        for code in codes {
            set(code, severity.clone());
        }
    }
    if !settings.is_empty() || !unknown.is_empty() || !config.trusted_registries.is_empty() {
        out.push_str("rules:\n");
        // The rule option that takes hadolint's `trustedRegistries`, by its declaration.
        let registries_option = (!config.trusted_registries.is_empty())
            .then(|| rule_option_for(TRUSTED_REGISTRIES))
            .flatten();
        for (code, value) in &settings {
            if registries_option.is_some_and(|(rule, _)| rule.code == code) {
                continue;
            }
            let _ = writeln!(out, "  {code}: {value}");
        }
        if !config.trusted_registries.is_empty() {
            let registries = flow_list(&config.trusted_registries);
            match registries_option {
                Some((rule, option)) => {
                    let severity = settings
                        .get(rule.code)
                        .map(|severity| format!("\n    severity: {severity}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  {}:{severity}\n    options:\n      {}: {registries}",
                        rule.code, option.name
                    );
                }
                None => unknown.push(format!("{TRUSTED_REGISTRIES}: {registries}")),
            }
        }
        for line in &unknown {
            let _ = writeln!(
                out,
                "  # {line}  (dockgate does not implement this rule yet)"
            );
        }
    }
    if !config.label_schema.is_empty() || config.strict_labels.is_some() {
        out.push_str("labels:\n");
        if !config.label_schema.is_empty() {
            out.push_str("  required:\n");
            for (label, kind) in &config.label_schema {
                let _ = writeln!(out, "    {}: {kind}", yaml_key(label));
            }
        }
        if let Some(strict) = config.strict_labels {
            let _ = writeln!(out, "  strict: {strict}");
        }
    }
    let display: Vec<&str> = [
        config.format.as_ref().map(|_| "format"),
        config.no_color.map(|_| "no-color"),
        config.verbose.map(|_| "verbose"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !display.is_empty() {
        let _ = writeln!(
            out,
            "# Not imported: {} (display settings; use dockgate's command-line options)",
            display.join(", ")
        );
    }
    // The result must be a valid policy: check it the way any policy is checked.
    super::load::parse(super::Source::Local("imported.yml".into()), &out)?;
    Ok(out)
}

fn flow_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| yaml_key(item)).collect();
    format!("[{}]", quoted.join(", "))
}

/// `text` as a YAML scalar, quoted when plain style would change its meaning.
fn yaml_key(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        && !matches!(
            text,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off"
        );
    if plain {
        text.to_string()
    } else {
        format!("{text:?}")
    }
}
