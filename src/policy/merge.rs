//! Merging an `extends` chain into one policy, remembering where every value came from.
//!
//! The rules, applied file by file in chain order (extended policies first):
//!
//! - scalars (severities, sizes, booleans): the later file wins;
//! - maps (`rules`, `image`, `labels.required`, a rule's `options`): merged key by key;
//! - lists (`images`, `exceptions`, `base_images.allow`, ...): the later file replaces
//!   the list, unless it writes `{append: [...]}`, which adds to it;
//! - `locked` accumulates: a lock, once set, holds for every later file.

use std::collections::BTreeMap;

use serde_yaml_ng::{Mapping, Value};

use super::error::PolicyError;
use super::load::Document;
use super::locate::{Location, SettingPath, append_items};
use super::lock::{self, Lock};

/// Which policy set a value, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub policy: String,
    pub location: Location,
}

/// The chain merged so far.
#[derive(Debug, Default)]
pub struct Merged {
    pub value: Value,
    pub origins: BTreeMap<SettingPath, Origin>,
    pub locks: Vec<Lock>,
    /// The names of the required policies (`--required-policy`), which locks name as
    /// such.
    pub required: Vec<String>,
}

impl Merged {
    pub fn new() -> Merged {
        Merged {
            value: Value::Mapping(Mapping::new()),
            origins: BTreeMap::new(),
            locks: Vec::new(),
            required: Vec::new(),
        }
    }

    /// Applies the next document of the chain. Fails, naming both files, when the
    /// document weakens a setting an earlier one locked.
    pub fn apply(&mut self, document: &Document) -> Result<(), PolicyError> {
        for lock in &self.locks {
            lock.check(document)?;
        }
        merge_value(
            &mut self.value,
            &document.value,
            &SettingPath::root(),
            &SettingPath::root(),
            document,
            &mut self.origins,
        );
        for (index, entry) in document.file.locked.iter().flatten().enumerate() {
            let location = document
                .locations
                .find(&SettingPath::parse("locked").index(index));
            let required = self.required.contains(&document.name);
            self.locks.extend(
                lock::expand(entry, document, location, &self.value)
                    .into_iter()
                    .map(|lock| Lock { required, ..lock }),
            );
        }
        Ok(())
    }

    /// The origin of the value at `path`, or of its nearest parent with one.
    pub fn origin(&self, path: &SettingPath) -> Option<&Origin> {
        let mut path = path.0.as_slice();
        loop {
            if let Some(origin) = self.origins.get(&SettingPath(path.to_vec())) {
                return Some(origin);
            }
            path = path.split_last()?.1;
        }
    }
}

/// Merges `overlay` (at `file_path` in `document`) into `base` (at `path`).
fn merge_value(
    base: &mut Value,
    overlay: &Value,
    path: &SettingPath,
    file_path: &SettingPath,
    document: &Document,
    origins: &mut BTreeMap<SettingPath, Origin>,
) {
    if let Some(items) = append_items(overlay)
        && matches!(base, Value::Sequence(_) | Value::Null)
    {
        if base.is_null() {
            *base = Value::Sequence(Vec::new());
            record(overlay, path, file_path, document, origins);
        }
        let Value::Sequence(list) = base else {
            unreachable!("made a sequence above")
        };
        let append_path = file_path.key("append");
        for (index, item) in items.iter().enumerate() {
            let item_path = path.index(list.len());
            record(
                item,
                &item_path,
                &append_path.index(index),
                document,
                origins,
            );
            list.push(item.clone());
        }
        return;
    }
    match (base, overlay) {
        (Value::Mapping(base), Value::Mapping(overlay)) => {
            for (key, value) in overlay {
                let Some(key_text) = key.as_str() else {
                    continue;
                };
                let entry = base.entry(key.clone()).or_insert(Value::Null);
                merge_value(
                    entry,
                    value,
                    &path.key(key_text),
                    &file_path.key(key_text),
                    document,
                    origins,
                );
            }
        }
        (base, overlay) => {
            origins.retain(|known, _| !known.starts_with(path));
            *base = overlay.clone();
            record(overlay, path, file_path, document, origins);
        }
    }
}

/// Records `document` as the origin of `value` and everything inside it.
fn record(
    value: &Value,
    path: &SettingPath,
    file_path: &SettingPath,
    document: &Document,
    origins: &mut BTreeMap<SettingPath, Origin>,
) {
    origins.insert(
        path.clone(),
        Origin {
            policy: document.name.clone(),
            location: document.locations.find(file_path),
        },
    );
    match value {
        Value::Mapping(mapping) => {
            for (key, value) in mapping {
                if let Some(key) = key.as_str() {
                    record(
                        value,
                        &path.key(key),
                        &file_path.key(key),
                        document,
                        origins,
                    );
                }
            }
        }
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                record(
                    item,
                    &path.index(index),
                    &file_path.index(index),
                    document,
                    origins,
                );
            }
        }
        _ => {}
    }
}
