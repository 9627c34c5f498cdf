//! `dockgate policy show`: the merged policy as YAML, each value annotated with the
//! policy (and line) that set it.

use std::fmt::Write;
use std::sync::Arc;

use serde_yaml_ng::Value;

use super::load::Document;
use super::locate::SettingPath;
use super::merge::Merged;

pub fn annotated(merged: &Merged, chain: &[Arc<Document>]) -> String {
    let required = &merged.required;
    let mut out = String::from("# The effective policy, merged in this order:\n");
    for document in chain {
        let mark = if required.contains(&document.name) {
            "  (required: --required-policy)"
        } else {
            ""
        };
        let _ = writeln!(out, "#   {}{mark}", document.name);
    }
    out.push_str("# Each value says which policy set it (FILE:LINE:COLUMN).\n");
    if !required.is_empty() {
        out.push_str(
            "# `(required)`: set by a required policy, which the repository's cannot weaken.\n",
        );
    }
    emit_mapping(merged, &merged.value, &SettingPath::root(), 0, &mut out);
    if !merged.locks.is_empty() {
        out.push_str("locked:\n");
        for lock in &merged.locks {
            let _ = writeln!(
                out,
                "  - {}  # {}:{}:{}{}",
                scalar(&Value::String(lock.path.to_string())),
                lock.policy,
                lock.location.line,
                lock.location.column,
                required_mark(required, &lock.policy)
            );
        }
    }
    out
}

fn emit_mapping(
    merged: &Merged,
    value: &Value,
    path: &SettingPath,
    indent: usize,
    out: &mut String,
) {
    let Value::Mapping(mapping) = value else {
        return;
    };
    for (key, value) in mapping {
        let Some(key) = key.as_str() else { continue };
        let child = path.key(key);
        let _ = write!(
            out,
            "{:indent$}{}:",
            "",
            scalar(&Value::String(key.to_string()))
        );
        emit_value(merged, value, &child, indent, out);
    }
}

fn emit_value(merged: &Merged, value: &Value, path: &SettingPath, indent: usize, out: &mut String) {
    match value {
        Value::Mapping(mapping) if !mapping.is_empty() => {
            out.push('\n');
            emit_mapping(merged, value, path, indent + 2, out);
        }
        Value::Sequence(items) if !items.is_empty() => {
            out.push('\n');
            for (index, item) in items.iter().enumerate() {
                let item_path = path.index(index);
                let _ = write!(out, "{:indent$}  -", "");
                emit_value(merged, item, &item_path, indent + 2, out);
            }
        }
        scalar_value => {
            let _ = write!(out, " {}", scalar(scalar_value));
            annotate(merged, path, out);
        }
    }
}

fn annotate(merged: &Merged, path: &SettingPath, out: &mut String) {
    match merged.origin(path) {
        Some(origin) => {
            let _ = writeln!(
                out,
                "  # {}:{}:{}{}",
                origin.policy,
                origin.location.line,
                origin.location.column,
                required_mark(&merged.required, &origin.policy)
            );
        }
        None => out.push('\n'),
    }
}

fn required_mark(required: &[String], policy: &str) -> &'static str {
    if required.iter().any(|name| name == policy) {
        " (required)"
    } else {
        ""
    }
}

/// A scalar as YAML writes it (quoted where it has to be).
fn scalar(value: &Value) -> String {
    match value {
        Value::Mapping(_) => "{}".to_string(),
        Value::Sequence(_) => "[]".to_string(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}
