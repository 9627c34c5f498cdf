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

use std::path::{Path, PathBuf};

use super::error::PolicyError;
use super::file::LabelType;
use super::load::{Document, Source};
use super::locate::{Location, Locations, SettingPath};
use crate::rules;

/// The parts of hadolint's configuration file that carry policy. Values are checked
/// here, against hadolint's vocabulary, so that a mistake is reported at its place in
/// the hadolint file rather than in the policy it becomes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct HadolintConfig {
    #[serde(default)]
    failure_threshold: Option<Threshold>,
    #[serde(default)]
    no_fail: Option<bool>,
    #[serde(default)]
    ignored: Vec<String>,
    #[serde(default, rename = "override")]
    overrides: Overrides,
    #[serde(default, rename = "trustedRegistries", alias = "trusted-registries")]
    trusted_registries: OneOrMany,
    #[serde(default)]
    label_schema: BTreeMap<String, LabelType>,
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

/// `override:`, by hadolint's severity names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    #[serde(default)]
    error: Vec<String>,
    #[serde(default)]
    warning: Vec<String>,
    #[serde(default)]
    info: Vec<String>,
    #[serde(default)]
    style: Vec<String>,
}

impl Overrides {
    fn by_severity(&self) -> [(&'static str, &[String]); 4] {
        [
            ("error", &self.error),
            ("warning", &self.warning),
            ("info", &self.info),
            ("style", &self.style),
        ]
    }
}

/// `failure-threshold`. hadolint 2.15.1 fails on every finding with `ignore` and
/// `none` alike (measured: a style finding exits 1), so both are `fail_on: style`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Threshold {
    Error,
    Warning,
    Info,
    Style,
    Ignore,
    None,
}

impl Threshold {
    const NAMES: &[&str] = &["error", "warning", "info", "style", "ignore", "none"];

    fn fail_on(self) -> &'static str {
        match self {
            Threshold::Error => "error",
            Threshold::Warning => "warning",
            Threshold::Info => "info",
            Threshold::Style | Threshold::Ignore | Threshold::None => "style",
        }
    }

    fn parse(text: &str) -> Option<Threshold> {
        serde_yaml_ng::from_str(text.trim()).ok()
    }
}

/// `trustedRegistries: docker.io` or a list of them.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "trustedRegistries: expected a registry or a list of registries"
)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Default for OneOrMany {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl OneOrMany {
    fn items(&self) -> &[String] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
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
    let config = parse(name, text)?;
    let out = to_policy(
        &config,
        &format!("Imported from {name} by `dockgate policy import-hadolint`."),
    );
    // The result must be a valid policy: check it the way any policy is checked.
    super::load::parse(super::Source::Local("imported.yml".into()), &out)?;
    Ok(out)
}

/// Reads hadolint's configuration file `text` (named `name` in errors).
fn parse(name: &str, text: &str) -> Result<HadolintConfig, PolicyError> {
    if text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
    {
        return Ok(HadolintConfig::default());
    }
    serde_yaml_ng::from_str(text).map_err(|error| {
        let mut message = error.to_string();
        let location = match error.location() {
            // An untagged value's error is placed at the document; its key has a place.
            _ if message.starts_with(TRUSTED_REGISTRIES) => {
                Locations::index(text).find(&SettingPath::parse(TRUSTED_REGISTRIES))
            }
            Some(l) => Location {
                line: l.line(),
                column: l.column(),
            },
            None => Location::START,
        };
        if let Some(at) = message.find(" at line ") {
            message.truncate(at);
        }
        PolicyError::new(
            name,
            location,
            format!("not a hadolint configuration: {message}"),
        )
    })
}

/// The dockgate policy text of `config`, headed by the comment `origin`.
fn to_policy(config: &HadolintConfig, origin: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://github.com/dockgate/dockgate/raw/main/policies/dockgate.schema.json"
    );
    let _ = writeln!(out, "# {origin}");
    out.push_str("extends: [builtin:hadolint]\n");

    let fail_on = if config.no_fail == Some(true) {
        Some("never")
    } else {
        config.failure_threshold.map(Threshold::fail_on)
    };
    if let Some(fail_on) = fail_on {
        let _ = writeln!(out, "fail_on: {fail_on}");
    }
    if config.disable_ignore_pragma == Some(true) {
        out.push_str("pragmas: forbidden\n");
    }

    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut set = |code: &str, value: &str| match rules::find(code) {
        Some(rule) => {
            settings.insert(rule.code.to_string(), value.to_string());
        }
        None => unknown.push(format!("{code}: {value}")),
    };
    // `ignored` wins over `override`, as in hadolint 2.15.1 (measured).
    for (severity, codes) in config.overrides.by_severity() {
        for code in codes {
            set(code, severity);
        }
    }
    for code in &config.ignored {
        set(code, "off");
    }
    let trusted = config.trusted_registries.items();
    if !settings.is_empty() || !unknown.is_empty() || !trusted.is_empty() {
        out.push_str("rules:\n");
        // The rule option that takes hadolint's `trustedRegistries`, by its declaration.
        let registries_option = (!trusted.is_empty())
            .then(|| rule_option_for(TRUSTED_REGISTRIES))
            .flatten();
        for (code, value) in &settings {
            if registries_option.is_some_and(|(rule, _)| rule.code == code) {
                continue;
            }
            let _ = writeln!(out, "  {code}: {value}");
        }
        if !trusted.is_empty() {
            let registries = flow_list(trusted);
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
                let kind = serde_json::to_value(kind).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {}: {}",
                    yaml_key(label),
                    kind.as_str().unwrap_or("text")
                );
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
    out
}

/// Whether `path` is named as hadolint names its configuration (`.hadolint.yaml`,
/// `hadolint.yml`, ...): `--config` then reads it as hadolint's.
pub fn is_config_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            matches!(
                name,
                ".hadolint.yaml" | ".hadolint.yml" | "hadolint.yaml" | "hadolint.yml"
            )
        })
}

/// Where hadolint 2.15.1 looks for its configuration, in its order (the first file
/// found is used, `.yaml` before `.yml`): the working directory, then
/// `$XDG_CONFIG_HOME`, `~/.config`, `~/.hadolint/hadolint.yaml`,
/// `~/hadolint/config.yaml` and `~/.hadolint.yaml`.
pub fn find_config(
    root: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    tree: &super::tree::Tree,
) -> Option<PathBuf> {
    let home = env("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from);
    let xdg = env("XDG_CONFIG_HOME")
        .filter(|xdg| !xdg.is_empty())
        .map(PathBuf::from);
    let mut stems: Vec<PathBuf> = vec![root.join(".hadolint")];
    stems.extend(xdg.map(|xdg| xdg.join("hadolint")));
    if let Some(home) = &home {
        stems.push(home.join(".config").join("hadolint"));
        stems.push(home.join(".hadolint").join("hadolint"));
        stems.push(home.join("hadolint").join("config"));
        stems.push(home.join(".hadolint"));
    }
    stems
        .iter()
        .flat_map(|stem| ["yaml", "yml"].map(|ext| stem.with_extension(ext)))
        .find(|path| tree.is_file(path))
}

/// hadolint's environment variables (its README's list). `HADOLINT_FORMAT` is the
/// default output format; `HADOLINT_VERBOSE` has no effect.
pub const VARIABLES: &[&str] = &[
    "HADOLINT_NOFAIL",
    "HADOLINT_VERBOSE",
    "HADOLINT_FORMAT",
    "HADOLINT_FAILURE_THRESHOLD",
    "HADOLINT_OVERRIDE_ERROR",
    "HADOLINT_OVERRIDE_WARNING",
    "HADOLINT_OVERRIDE_INFO",
    "HADOLINT_OVERRIDE_STYLE",
    "HADOLINT_IGNORE",
    "HADOLINT_STRICT_LABELS",
    "HADOLINT_DISABLE_IGNORE_PRAGMA",
    "HADOLINT_TRUSTED_REGISTRIES",
    "HADOLINT_REQUIRE_LABELS",
];

/// The hadolint variables set in `env`, in [`VARIABLES`] order.
pub fn variables_set(env: &dyn Fn(&str) -> Option<String>) -> Vec<&'static str> {
    VARIABLES
        .iter()
        .copied()
        .filter(|name| env(name).is_some())
        .collect()
}

/// The policy documents a hadolint configuration is, applied after `builtin:hadolint`
/// in this order, as hadolint 2.15.1 lets its file win over its environment (measured:
/// the file's `failure-threshold` and `override` beat the variables, and
/// `HADOLINT_IGNORE` adds to the file's `ignored`): one document per variable set
/// (named `$HADOLINT_...`), then the file, named by its path, whose every value points
/// at its place in that file.
///
/// Also returns the output format the configuration asks for (`format`, else
/// `HADOLINT_FORMAT`), for `--format` to default to.
pub fn documents(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    tree: &super::tree::Tree,
) -> Result<(Vec<Document>, Option<String>), PolicyError> {
    let mut documents = Vec::new();
    let mut format = env("HADOLINT_FORMAT").filter(|format| !format.trim().is_empty());
    for name in variables_set(env) {
        let value = env(name).unwrap_or_default();
        let label = format!("${name}");
        let config = from_variable(name, &value).map_err(|(column, message)| {
            PolicyError::new(&label, Location { line: 1, column }, message)
        })?;
        let text = to_policy(&config, &format!("From the environment: {name}={value}"));
        let mut document = super::load::parse(Source::Local(PathBuf::from(&label)), &text)?;
        document.name = label;
        document.locations = Locations::default();
        document.text = format!("{name}={value}\n");
        documents.push(document);
    }
    if let Some(path) = file {
        let source = Source::Local(path.to_path_buf());
        let name = source.name();
        let text = tree
            .read(path)
            .and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other))
            .map_err(|error| {
                PolicyError::new(&name, Location::START, format!("cannot read it: {error}"))
            })?;
        let config = parse(&name, &text)?;
        format = config.format.clone().or(format);
        let policy = to_policy(&config, &format!("From {name}, hadolint's configuration."));
        let mut document = super::load::parse(source, &policy)?;
        document.locations = locations(&config, &text);
        document.text = text;
        documents.push(document);
    }
    Ok((documents, format.map(|format| format.trim().to_string())))
}

/// Where each policy setting of `config` is written in its hadolint file `text`.
fn locations(config: &HadolintConfig, text: &str) -> Locations {
    let mut locations = Locations::index(text);
    let key = SettingPath::parse;
    let mut alias = |from: SettingPath, to: SettingPath| locations.alias(&from, &to);
    alias(key("failure-threshold"), key("fail_on"));
    if config.no_fail == Some(true) {
        alias(key("no-fail"), key("fail_on"));
    }
    alias(key("disable-ignore-pragma"), key("pragmas"));
    alias(key("label-schema"), key("labels.required"));
    alias(key("strict-labels"), key("labels.strict"));
    if let Some((rule, option)) = rule_option_for(TRUSTED_REGISTRIES) {
        alias(
            key(TRUSTED_REGISTRIES),
            key("rules").key(rule.code).key("options").key(option.name),
        );
    }
    let mut lists: Vec<(String, &[String])> = Vec::new();
    for (severity, codes) in config.overrides.by_severity() {
        lists.push((format!("override.{severity}"), codes));
    }
    lists.push(("ignored".to_string(), &config.ignored));
    for (list, codes) in lists {
        for (index, code) in codes.iter().enumerate() {
            if let Some(rule) = rules::find(code) {
                alias(key(&list).index(index), key("rules").key(rule.code));
            }
        }
    }
    locations
}

/// The configuration one hadolint variable sets; an error is the column in the value
/// and what was expected.
fn from_variable(name: &str, value: &str) -> Result<HadolintConfig, (usize, String)> {
    let truthy = || {
        let value = value.trim().to_ascii_lowercase();
        Some(matches!(value.as_str(), "1" | "true" | "yes" | "on"))
    };
    let list = || -> Vec<String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut config = HadolintConfig::default();
    match name {
        "HADOLINT_NOFAIL" => config.no_fail = truthy(),
        "HADOLINT_VERBOSE" => config.verbose = truthy(),
        "HADOLINT_FORMAT" => config.format = Some(value.to_string()),
        "HADOLINT_STRICT_LABELS" => config.strict_labels = truthy(),
        "HADOLINT_DISABLE_IGNORE_PRAGMA" => config.disable_ignore_pragma = truthy(),
        "HADOLINT_FAILURE_THRESHOLD" => {
            config.failure_threshold = Some(Threshold::parse(value).ok_or_else(|| {
                (
                    1,
                    format!(
                        "unknown failure threshold `{value}`, expected one of {}",
                        Threshold::NAMES.join(", ")
                    ),
                )
            })?);
        }
        "HADOLINT_OVERRIDE_ERROR" => config.overrides.error = list(),
        "HADOLINT_OVERRIDE_WARNING" => config.overrides.warning = list(),
        "HADOLINT_OVERRIDE_INFO" => config.overrides.info = list(),
        "HADOLINT_OVERRIDE_STYLE" => config.overrides.style = list(),
        "HADOLINT_IGNORE" => config.ignored = list(),
        "HADOLINT_TRUSTED_REGISTRIES" => config.trusted_registries = OneOrMany::Many(list()),
        "HADOLINT_REQUIRE_LABELS" => {
            let mut column = 1;
            for item in value.split(',') {
                let at = column + (item.len() - item.trim_start().len());
                column += item.chars().count() + 1;
                let item = item.trim();
                if item.is_empty() {
                    continue;
                }
                let (label, kind) = item.split_once(':').ok_or_else(|| {
                    (
                        at,
                        format!("`{item}` is not LABEL:TYPE (as in `maintainer:text`)"),
                    )
                })?;
                let kind: LabelType = serde_yaml_ng::from_str(kind.trim()).map_err(|_| {
                    (
                        at,
                        format!(
                            "unknown label type `{}` for `{label}`, expected one of text, url, spdx, rfc3339, semver, hash, email",
                            kind.trim()
                        ),
                    )
                })?;
                config.label_schema.insert(label.trim().to_string(), kind);
            }
        }
        _ => {}
    }
    Ok(config)
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
