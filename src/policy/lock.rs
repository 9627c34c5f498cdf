//! Locked settings: what an organisation's policy fixes for every policy that extends it.
//!
//! A lock may be tightened by a later policy but never weakened. Weakening means:
//! turning a locked rule off or lowering its severity (in `rules` or in an
//! `overrides` entry), changing its options, waiving it with an exception, raising a
//! locked budget, switching a locked requirement off, widening an allowlist, shortening
//! a denylist, raising `fail_on`, or relaxing `pragmas`. The error names both files.

use serde_yaml_ng::Value;

use super::error::PolicyError;
use super::file::{BaseImages, ImageRequirements, Labels};
use super::load::{Document, rule_code};
use super::locate::{Location, Segment, SettingPath, append_items, get};
use super::units::{Percent, Size};
use crate::suggest::suggestion;

/// One locked setting.
#[derive(Debug, Clone)]
pub struct Lock {
    /// `rules.DL3002`, `image.max_size`, `image`, `fail_on`, ...
    pub path: SettingPath,
    /// The policy that locked it, and where.
    pub policy: String,
    pub location: Location,
    /// The merged value when it was locked; `None` means the built-in default.
    pub snapshot: Option<Value>,
    /// Whether the policy that locked it is a required one (`--required-policy`).
    pub required: bool,
}

/// Sections whose keys may be locked one by one.
fn section_keys(section: &str) -> Option<Vec<String>> {
    let schema = match section {
        "image" => schemars::schema_for!(ImageRequirements),
        "base_images" => schemars::schema_for!(BaseImages),
        "labels" => schemars::schema_for!(Labels),
        _ => return None,
    };
    let properties = schema.get("properties")?.as_object()?;
    Some(properties.keys().cloned().collect())
}

const WHOLE_SETTINGS: &[&str] = &[
    "max_exception_days",
    "rules",
    "image",
    "base_images",
    "labels",
    "fail_on",
    "pragmas",
    "exceptions",
];

/// Checks that a `locked` entry names something lockable.
pub fn validate_lock(entry: &str) -> Result<(), String> {
    let (section, key) = match entry.split_once('.') {
        Some((section, key)) => (section, Some(key)),
        None => (entry, None),
    };
    let expected = "expected `rules`, `rules.CODE`, `image`, `image.KEY`, `base_images`, `base_images.KEY`, `labels`, `labels.KEY`, `fail_on`, `pragmas`, `exceptions` or `max_exception_days`";
    match (section, key) {
        (section, None) if WHOLE_SETTINGS.contains(&section) => Ok(()),
        ("rules", Some(code)) => rule_code(code).map(drop),
        (section, Some(key)) => match section_keys(section) {
            Some(keys) if keys.iter().any(|k| k == key) => Ok(()),
            Some(keys) => Err(format!(
                "cannot lock `{entry}`: `{section}` has no setting `{key}`{}",
                suggestion(key, keys.iter().map(String::as_str))
            )),
            None => Err(format!("cannot lock `{entry}`: {expected}")),
        },
        (section, None) => Err(format!(
            "cannot lock `{section}`: {expected}{}",
            suggestion(section, WHOLE_SETTINGS.iter().copied())
        )),
    }
}

/// The locks a `locked` entry of `document` sets, with `merged` as it is after the
/// document was applied.
pub fn expand(entry: &str, document: &Document, location: Location, merged: &Value) -> Vec<Lock> {
    let paths: Vec<SettingPath> = match entry.split_once('.') {
        None if entry == "rules" => document
            .file
            .rules
            .iter()
            .flatten()
            .map(|(code, _)| SettingPath::parse("rules").key(code))
            .collect(),
        Some(("rules", code)) => {
            vec![SettingPath::parse("rules").key(rule_code(code).unwrap_or(code))]
        }
        _ => vec![SettingPath::parse(entry)],
    };
    paths
        .into_iter()
        .map(|path| Lock {
            snapshot: get(merged, &path).cloned(),
            path,
            policy: document.name.clone(),
            location,
            required: false,
        })
        .collect()
}

impl Lock {
    /// Fails when `document` weakens this lock.
    pub fn check(&self, document: &Document) -> Result<(), PolicyError> {
        let fail = |at: &SettingPath, what: &str| {
            Err(document.error(
                at,
                format!(
                    "`{}` is locked by {}{}:{}:{}; {what}",
                    self.path,
                    if self.required {
                        "the required policy "
                    } else {
                        ""
                    },
                    self.policy,
                    self.location.line,
                    self.location.column
                ),
            ))
        };
        match self.path.0.as_slice() {
            [Segment::Key(section), Segment::Key(code)] if section == "rules" => {
                let rules = SettingPath::parse("rules");
                if let Some(setting) = get(&document.value, &rules.key(code))
                    && let Some(reason) = weakens_rule(code, self.snapshot.as_ref(), setting)
                {
                    return fail(&rules.key(code), &reason);
                }
                for (index, entry) in list_items(&document.value, "overrides").iter().enumerate() {
                    if let Some(setting) = get(entry, &rules.key(code))
                        && let Some(reason) = weakens_rule(code, self.snapshot.as_ref(), setting)
                    {
                        let at = SettingPath::parse("overrides")
                            .index(index)
                            .key("rules")
                            .key(code);
                        return fail(&at, &format!("in an override: {reason}"));
                    }
                }
                for (index, exception) in
                    list_items(&document.value, "exceptions").iter().enumerate()
                {
                    let waived = get(exception, &SettingPath::parse("rules"))
                        .and_then(Value::as_sequence)
                        .is_some_and(|codes| codes.iter().any(|c| c.as_str() == Some(code)));
                    if waived {
                        let at = SettingPath::parse("exceptions").index(index);
                        return fail(&at, "an exception cannot waive it");
                    }
                }
                Ok(())
            }
            [Segment::Key(section)] if section == "exceptions" => {
                if list_items(&document.value, "exceptions").is_empty() {
                    Ok(())
                } else {
                    fail(
                        &SettingPath::parse("exceptions"),
                        "no exceptions can be added",
                    )
                }
            }
            _ => {
                // A section or one key of it: compare every key the document sets.
                let Some(written) = get(&document.value, &self.path) else {
                    return Ok(());
                };
                let single_key = self.path.0.len() == 2 || !matches!(written, Value::Mapping(_));
                let entries: Vec<(SettingPath, &Value, Option<&Value>)> = if single_key {
                    vec![(self.path.clone(), written, self.snapshot.as_ref())]
                } else {
                    written
                        .as_mapping()
                        .into_iter()
                        .flatten()
                        .filter_map(|(key, value)| {
                            let key = key.as_str()?;
                            let locked = self.snapshot.as_ref().and_then(|s| s.get(key));
                            Some((self.path.key(key), value, locked))
                        })
                        .collect()
                };
                for (path, value, locked) in entries {
                    if let Some(weakening) = weakens_setting(&path, locked, value) {
                        return fail(&path, &weakening.refused());
                    }
                }
                Ok(())
            }
        }
    }
}

/// The items of a top-level list as written (replaced or appended).
fn list_items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    match value.get(key) {
        Some(Value::Sequence(items)) => items,
        Some(other) => append_items(other).map_or(&[], Vec::as_slice),
        None => &[],
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "off" => 0,
        "style" => 1,
        "info" => 2,
        "warning" => 3,
        _ => 4,
    }
}

/// Why `setting` (a rule's canonical map) weakens the locked `snapshot`, if it does.
fn weakens_rule(code: &str, snapshot: Option<&Value>, setting: &Value) -> Option<String> {
    let default = crate::rules::find(code).map_or("warning", |rule| rule.severity.as_str());
    let locked_level = snapshot
        .and_then(|s| s.get("severity"))
        .and_then(Value::as_str)
        .unwrap_or(default);
    if let Some(level) = setting.get("severity").and_then(Value::as_str)
        && level_rank(level) < level_rank(locked_level)
    {
        return Some(if level == "off" {
            "it cannot be turned off".to_string()
        } else {
            format!("its severity cannot be lowered from {locked_level} to {level}")
        });
    }
    if let Some(Value::Mapping(options)) = setting.get("options") {
        let locked_options = snapshot.and_then(|s| s.get("options"));
        for (key, value) in options {
            if locked_options.and_then(|o| o.get(key)) != Some(value) {
                return Some(format!(
                    "its option `{}` cannot be changed",
                    key.as_str().unwrap_or("?")
                ));
            }
        }
    }
    None
}

/// How a setting's new value weakens its old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakening {
    /// A budget, a threshold: from, to.
    Raised(String, String),
    /// `pragmas`: from, to.
    Relaxed(String, String),
    /// A requirement set to `false`.
    SwitchedOff,
    /// The type of a required label.
    TypeChanged(String),
    /// An item of a denylist.
    Removed(String),
    /// An allowlist emptied (which allows anything).
    Emptied,
    /// An item of an allowlist.
    Added(String),
    /// Some other change to a locked value.
    Changed,
}

impl Weakening {
    /// What a lock refuses.
    fn refused(&self) -> String {
        match self {
            Weakening::Raised(from, to) => format!("it cannot be raised from {from} to {to}"),
            Weakening::Relaxed(from, to) => format!("it cannot be relaxed from {from} to {to}"),
            Weakening::SwitchedOff => "it cannot be switched off".to_string(),
            Weakening::TypeChanged(label) => format!("the type of `{label}` cannot be changed"),
            Weakening::Removed(item) => format!("`{item}` cannot be removed or changed"),
            Weakening::Emptied => {
                "it cannot be emptied (an empty list allows anything)".to_string()
            }
            Weakening::Added(item) => format!("`{item}` cannot be added to it"),
            Weakening::Changed => "it cannot be changed".to_string(),
        }
    }

    /// What a change did, for a review.
    pub fn done(&self) -> String {
        match self {
            Weakening::Raised(from, to) => format!("raised from {from} to {to}"),
            Weakening::Relaxed(from, to) => format!("relaxed from {from} to {to}"),
            Weakening::SwitchedOff => "switched off".to_string(),
            Weakening::TypeChanged(label) => format!("type of `{label}` changed"),
            Weakening::Removed(item) => format!("`{item}` removed"),
            Weakening::Emptied => "emptied (an empty list allows anything)".to_string(),
            Weakening::Added(item) => format!("`{item}` added"),
            Weakening::Changed => "changed".to_string(),
        }
    }
}

/// How `value` weakens the locked (or earlier) value of the setting at `path`, if it
/// does.
pub fn weakens_setting(
    path: &SettingPath,
    locked: Option<&Value>,
    value: &Value,
) -> Option<Weakening> {
    let Some(Segment::Key(key)) = path.0.last() else {
        return None;
    };
    let key = key.as_str();
    match key {
        "fail_on" => {
            let rank = |v: &str| {
                ["style", "info", "warning", "error", "never"]
                    .iter()
                    .position(|x| *x == v)
            };
            let locked = locked.and_then(Value::as_str).unwrap_or("warning");
            let new = value.as_str()?;
            (rank(new) > rank(locked))
                .then(|| Weakening::Raised(locked.to_string(), new.to_string()))
        }
        "pragmas" => {
            let rank = |v: &str| {
                ["allowed", "reason-required", "forbidden"]
                    .iter()
                    .position(|x| *x == v)
            };
            let locked = locked.and_then(Value::as_str).unwrap_or("allowed");
            let new = value.as_str()?;
            (rank(new) < rank(locked))
                .then(|| Weakening::Relaxed(locked.to_string(), new.to_string()))
        }
        "non_root" | "numeric_user" | "distroless" | "require_digest" | "strict" => {
            let locked = locked.and_then(Value::as_bool).unwrap_or(key == "non_root");
            (locked && value.as_bool() == Some(false)).then_some(Weakening::SwitchedOff)
        }
        "max_layers" | "max_exception_days" => {
            let locked = locked?.as_u64()?;
            let new = value.as_u64()?;
            (new > locked).then(|| Weakening::Raised(locked.to_string(), new.to_string()))
        }
        "max_wasted_ratio" => {
            let locked: Percent = locked?.as_str()?.parse().ok()?;
            let new: Percent = value.as_str()?.parse().ok()?;
            (new > locked).then(|| Weakening::Raised(locked.to_string(), new.to_string()))
        }
        key if key.starts_with("max_") => {
            let size = |v: &Value| match v {
                Value::String(text) => text.parse::<Size>().ok(),
                other => other.as_u64().map(Size),
            };
            let locked = size(locked?)?;
            let new = size(value)?;
            (new > locked).then(|| Weakening::Raised(locked.to_string(), new.to_string()))
        }
        "required" => {
            let locked = locked?.as_mapping()?;
            let new = value.as_mapping()?;
            new.iter()
                .find(|(label, kind)| {
                    locked
                        .get(*label)
                        .is_some_and(|locked_kind| locked_kind != *kind)
                })
                .map(|(label, _)| Weakening::TypeChanged(scalar_text(label)))
        }
        "deny" => {
            let locked_items = entries(locked?);
            if append_items(value).is_some() {
                return None;
            }
            let new_items = entries(value);
            locked_items
                .iter()
                .find(|item| !new_items.contains(item))
                .map(|item| Weakening::Removed(item.clone()))
        }
        // Allowlists: empty or unset allows anything.
        _ if matches!(value, Value::Sequence(_)) || append_items(value).is_some() => {
            let locked_items = entries(locked?);
            if locked_items.is_empty() {
                return None;
            }
            let (new_items, replaced) = match append_items(value) {
                Some(items) => (items.iter().map(scalar_text).collect::<Vec<_>>(), false),
                None => (entries(value), true),
            };
            if replaced && new_items.is_empty() {
                return Some(Weakening::Emptied);
            }
            new_items
                .iter()
                .find(|item| !locked_items.contains(item))
                .map(|item| Weakening::Added(item.clone()))
        }
        _ => (locked != Some(value)).then_some(Weakening::Changed),
    }
}

/// A list's items or a map's `key=value` entries, as text.
pub(super) fn entries(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().map(scalar_text).collect(),
        Value::Mapping(mapping) => mapping
            .iter()
            .map(|(key, value)| format!("{}={}", scalar_text(key), scalar_text(value)))
            .collect(),
        other => vec![scalar_text(other)],
    }
}

pub(super) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}
