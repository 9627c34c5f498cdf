//! What the label rules (DL3048 to DL3058) share: every label a Dockerfile sets, with
//! its key and value as the build sees them, the policy's label schema, and the check
//! all the typed-value rules run.

use crate::dockerfile::{Args, Instruction, KeyValue, Keyword};
use crate::rules::{Context, OptionKind, RuleOption};

/// The `schema` option every label-schema rule takes (the policy's `labels.required`).
pub(super) const SCHEMA: RuleOption = RuleOption::new("schema", OptionKind::StringMap, "Label name to the type of its value (`text`, `url`, `spdx`, `rfc3339`, `semver`, `hash`, `email`).").from_policy("labels.required");

/// One `key=value` pair of a LABEL instruction.
pub(super) struct Label<'a> {
    /// The top-level instruction: the LABEL, or the ONBUILD that wraps it.
    pub instruction: &'a Instruction,
    pub pair: &'a KeyValue,
    /// The key as the build sees it (quotes removed, variables expanded); `None` when
    /// it depends on a value only the build knows.
    pub key: Option<String>,
    /// The value, likewise.
    pub value: Option<String>,
    /// Set by an `ONBUILD LABEL`: it labels the images built from this one, not this
    /// one.
    pub onbuild: bool,
    /// The index of [`Label::instruction`].
    pub index: usize,
}

/// Every label the file sets, in order, ONBUILD triggers included.
pub(super) fn labels<'a>(context: &Context<'a>) -> Vec<Label<'a>> {
    let mut labels = Vec::new();
    for (index, instruction) in context.instructions().iter().enumerate() {
        let (inner, onbuild) = match (&instruction.keyword, &instruction.args) {
            (Keyword::Label, _) => (instruction, false),
            (Keyword::Onbuild, Args::Onbuild(inner)) if inner.keyword == Keyword::Label => {
                (inner.as_ref(), true)
            }
            _ => continue,
        };
        let Args::KeyValues(pairs) = &inner.args else {
            continue;
        };
        for pair in pairs {
            let expand = |text: &str| {
                // A trigger runs in the scope of a later build: its variables are
                // unknown here.
                if onbuild && text.contains('$') {
                    None
                } else {
                    context.expand(index, text)
                }
            };
            labels.push(Label {
                instruction,
                pair,
                key: expand(&pair.key.value),
                value: expand(&pair.value.value),
                onbuild,
                index,
            });
        }
    }
    labels
}

/// The labels of the schema whose type is `kind`.
pub(super) fn typed<'a>(context: &Context<'a>, kind: &str) -> Vec<&'a str> {
    context
        .option_map("schema")
        .into_iter()
        .filter(|(_, label_type)| *label_type == kind)
        .map(|(label, _)| label)
        .collect()
}

/// Reports each value of a `kind`-typed schema label that `valid` rejects, with
/// `message(label)`. Values that depend on the build are not judged.
pub(super) fn check_values(
    context: &mut Context,
    kind: &str,
    valid: fn(&str) -> bool,
    message: fn(&str) -> String,
) {
    let labels_of_kind = typed(context, kind);
    if labels_of_kind.is_empty() {
        return;
    }
    for label in labels(context) {
        let (Some(key), Some(value)) = (&label.key, &label.value) else {
            continue;
        };
        if !labels_of_kind.contains(&key.as_str()) || valid(value) {
            continue;
        }
        context
            .report(label.instruction, label.pair.value.range)
            .message = message(key);
    }
}

#[cfg(test)]
pub(super) mod test_support {
    /// Rule options with this label schema (and `strict`, when given).
    pub fn schema(
        labels: &[(&str, &str)],
        strict: Option<bool>,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut options = serde_json::Map::new();
        let map: serde_json::Map<String, serde_json::Value> = labels
            .iter()
            .map(|(label, kind)| (label.to_string(), serde_json::json!(kind)))
            .collect();
        options.insert("schema".into(), serde_json::Value::Object(map));
        if let Some(strict) = strict {
            options.insert("strict".into(), serde_json::Value::Bool(strict));
        }
        options
    }
}
