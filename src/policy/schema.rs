//! The JSON Schema of policy files, generated from the Rust types of [`super::file`]
//! plus each rule's declared options, so editors (yaml-language-server) complete and
//! check policy files exactly as dockgate reads them.

use serde_json::{Map, Value, json};

use super::file::PolicyFile;
use crate::rules;

/// The schema as pretty JSON with a trailing newline (the committed file's form).
pub fn schema_json() -> String {
    let mut schema = serde_json::to_value(schemars::schema_for!(PolicyFile)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".into(),
            json!("https://github.com/dockgate/dockgate/raw/main/policies/dockgate.schema.json"),
        );
    }
    // `rules` and `overrides[].rules` are maps from a rule code or name to its setting:
    // list every rule so editors can complete codes and options.
    let rule_map = rule_map_schema();
    if let Some(definitions) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        definitions.insert("RuleMap".into(), rule_map);
        definitions.insert(
            "RuleLevel".into(),
            json!({
                "description": "`off`, `on` (the rule's default severity), or a severity.",
                "enum": ["off", "on", "error", "warning", "info", "style"]
            }),
        );
        if let Some(properties) = definitions
            .get_mut("Override")
            .and_then(|o| o.get_mut("properties"))
        {
            properties["rules"] = json!({ "$ref": "#/$defs/RuleMap" });
        }
    }
    if let Some(properties) = schema.get_mut("properties") {
        properties["rules"] = json!({ "$ref": "#/$defs/RuleMap" });
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

fn rule_map_schema() -> Value {
    let mut properties = Map::new();
    for rule in rules::all() {
        let mut options = Map::new();
        for option in rule.options {
            let mut option_schema = option.kind.schema();
            option_schema["description"] = json!(option.description);
            options.insert(option.name.to_string(), option_schema);
        }
        let setting = json!({
            "description": format!("{}: {}", rule.name, rule.message),
            "anyOf": [
                { "$ref": "#/$defs/RuleLevel" },
                { "type": "boolean" },
                {
                    "type": "object",
                    "properties": {
                        "severity": { "$ref": "#/$defs/Level" },
                        "options": { "type": "object", "properties": options, "additionalProperties": false }
                    },
                    "additionalProperties": false
                }
            ]
        });
        properties.insert(rule.code.to_string(), setting.clone());
        properties.insert(rule.name.to_string(), setting);
    }
    let shellcheck = json!({
        "description": "A ShellCheck code: its findings' severity, or `off`.",
        "anyOf": [
            { "$ref": "#/$defs/RuleLevel" },
            { "type": "boolean" },
            {
                "type": "object",
                "properties": { "severity": { "$ref": "#/$defs/Level" } },
                "additionalProperties": false
            }
        ]
    });
    json!({
        "description": "Rule settings by code (`DL3008`) or name; ShellCheck's codes (`SC2086`) too.",
        "type": "object",
        "properties": properties,
        "patternProperties": { "^SC[0-9]{4}$": shellcheck },
        "additionalProperties": false,
    })
}
