//! Where each setting is written in a policy file.
//!
//! serde reports where a *wrong* value is, but the policy also needs the position of
//! every *valid* one: a locked setting names the line that locked it, an expired
//! exception is a finding on its line, and `policy show` says where each value came
//! from. This index reads the file's YAML events once and maps every setting path
//! to its line and column.

use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser};
use serde_yaml_ng::Value;

/// One step into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// The path of a setting: `rules.DL3008.severity`, `exceptions[0].expires`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SettingPath(pub Vec<Segment>);

impl SettingPath {
    pub fn root() -> SettingPath {
        SettingPath(Vec::new())
    }

    /// A path from dotted text (`image.max_size`); keys cannot contain dots here.
    pub fn parse(dotted: &str) -> SettingPath {
        SettingPath(
            dotted
                .split('.')
                .filter(|key| !key.is_empty())
                .map(|key| Segment::Key(key.to_string()))
                .collect(),
        )
    }

    pub fn key(&self, key: &str) -> SettingPath {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_string()));
        path
    }

    pub fn index(&self, index: usize) -> SettingPath {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    pub fn starts_with(&self, prefix: &SettingPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for SettingPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if key.contains(['.', '[', ' ']) => {
                    write!(f, "{}{key:?}", if i > 0 { "." } else { "" })?
                }
                Segment::Key(key) if i > 0 => write!(f, ".{key}")?,
                Segment::Key(key) => f.write_str(key)?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub const START: Location = Location { line: 1, column: 1 };
}

/// The position of every setting in one file: for a mapping entry its key, for a
/// sequence item the item.
#[derive(Debug, Default, Clone)]
pub struct Locations {
    keys: HashMap<SettingPath, Location>,
}

enum Frame {
    Mapping {
        path: SettingPath,
        key: Option<String>,
    },
    Sequence {
        path: SettingPath,
        next: usize,
    },
}

impl Locations {
    /// Indexes `text`. YAML this parser rejects yields what was read before the error;
    /// serde reports the error itself.
    pub fn index(text: &str) -> Locations {
        let mut keys = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            let here = Location {
                line: span.start.line(),
                column: span.start.col() + 1,
            };
            // Where this event sits: a key, or a value at some path.
            let value_path = match stack.last_mut() {
                Some(Frame::Mapping { path, key }) => match key.take() {
                    Some(key) => Some(path.key(&key)),
                    None => {
                        // A key. Only scalar keys name settings; others are skipped.
                        if let Event::Scalar(text, ..) = &event {
                            keys.insert(path.key(text), here);
                            *key = Some(text.to_string());
                            continue;
                        }
                        *key = Some(String::new());
                        None
                    }
                },
                Some(Frame::Sequence { path, next }) => {
                    *next += 1;
                    let item = path.index(*next - 1);
                    keys.insert(item.clone(), here);
                    Some(item)
                }
                None => Some(SettingPath::root()),
            };
            match event {
                Event::MappingStart(..) => stack.push(Frame::Mapping {
                    path: value_path.unwrap_or_default(),
                    key: None,
                }),
                Event::SequenceStart(..) => stack.push(Frame::Sequence {
                    path: value_path.unwrap_or_default(),
                    next: 0,
                }),
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        Locations { keys }
    }

    /// Where `path` is written, or where its nearest written parent is.
    pub fn find(&self, path: &SettingPath) -> Location {
        let mut path = path.0.as_slice();
        loop {
            if let Some(&location) = self.keys.get(&SettingPath(path.to_vec())) {
                return location;
            }
            match path.split_last() {
                Some((_, parent)) => path = parent,
                None => return Location::START,
            }
        }
    }

    /// Makes everything written at or under `from` also found at `to` (a rule named
    /// by its name is stored under its code).
    pub fn alias(&mut self, from: &SettingPath, to: &SettingPath) {
        let moved: Vec<(SettingPath, Location)> = self
            .keys
            .iter()
            .filter(|(path, _)| path.starts_with(from))
            .map(|(path, &location)| {
                let mut target = to.clone();
                target.0.extend(path.0[from.0.len()..].iter().cloned());
                (target, location)
            })
            .collect();
        self.keys.extend(moved);
    }

    /// Where `path` is written, only if it is.
    pub fn get(&self, path: &SettingPath) -> Option<Location> {
        self.keys.get(path).copied()
    }
}

/// The value at `path` inside `value`.
pub fn get<'a>(value: &'a Value, path: &SettingPath) -> Option<&'a Value> {
    let mut value = value;
    for segment in &path.0 {
        value = match (segment, value) {
            (Segment::Key(key), Value::Mapping(mapping)) => mapping.get(key.as_str())?,
            (Segment::Index(index), Value::Sequence(items)) => items.get(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

/// `{append: [...]}`: the items to add to an inherited list.
pub fn append_items(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Mapping(mapping) if mapping.len() == 1 => match mapping.get("append") {
            Some(Value::Sequence(items)) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_keys_and_items() {
        let text = "fail_on: error\nrules:\n  DL3008: off\n  DL3007:\n    severity: error\nexceptions:\n  - rules: [DL3008]\n    owner: me\n";
        let locations = Locations::index(text);
        let at = |dotted: &str| {
            locations
                .get(&SettingPath::parse(dotted))
                .map(|l| (l.line, l.column))
        };
        assert_eq!(at("fail_on"), Some((1, 1)));
        assert_eq!(at("rules.DL3008"), Some((3, 3)));
        assert_eq!(at("rules.DL3007.severity"), Some((5, 5)));
        let item = SettingPath::parse("exceptions").index(0);
        assert_eq!(locations.get(&item).map(|l| l.line), Some(7));
        assert_eq!(
            locations
                .get(&item.key("owner"))
                .map(|l| (l.line, l.column)),
            Some((8, 5))
        );
        assert_eq!(
            locations
                .find(&SettingPath::parse("rules.DL3008.options.x"))
                .line,
            3
        );
    }

    #[test]
    fn display_quotes_dotted_keys() {
        let path = SettingPath::parse("labels.required").key("org.opencontainers.image.source");
        assert_eq!(
            path.to_string(),
            "labels.required.\"org.opencontainers.image.source\""
        );
        assert_eq!(
            SettingPath::parse("exceptions")
                .index(2)
                .key("owner")
                .to_string(),
            "exceptions[2].owner"
        );
    }
}
