//! Reading policies: one file into a validated [`Document`], and a file's `extends`
//! chain into the ordered list of documents to merge.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_yaml_ng::Value;

use super::error::PolicyError;
use super::file::{Exception, PolicyFile, RuleSetting};
use super::locate::{Location, Locations, SettingPath};
use super::remote::{GithubFetcher, GithubRef};
use super::tree::Tree;
use super::{lock, presets};
use crate::rules;
use crate::suggest::{did_you_mean, suggestion};

/// How deep `extends` may nest; deeper chains are almost certainly a mistake.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// Where a policy comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    Builtin(&'static str),
    Local(PathBuf),
    Remote(GithubRef),
}

impl Source {
    /// The policy as users name it in messages.
    pub fn name(&self) -> String {
        match self {
            Source::Builtin(name) => format!("builtin:{name}"),
            Source::Local(path) => display_path(path),
            Source::Remote(remote) => remote.to_string(),
        }
    }

    /// What an `extends` entry of this policy refers to.
    fn resolve(&self, spec: &str) -> Result<Source, String> {
        if let Some(name) = spec.strip_prefix("builtin:") {
            return presets::find(name).map(Source::Builtin).ok_or_else(|| {
                format!(
                    "unknown built-in policy `{spec}` (available: {}){}",
                    presets::NAMES
                        .iter()
                        .map(|name| format!("builtin:{name}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    suggestion(name, presets::NAMES.iter().copied())
                )
            });
        }
        if spec.starts_with("github:") {
            return GithubRef::parse(spec).map(Source::Remote);
        }
        if spec.contains("://") {
            return Err(format!(
                "`{spec}` is not a policy reference: expected `builtin:NAME`, a path, or `github:OWNER/REPO/PATH@REF`"
            ));
        }
        match self {
            Source::Builtin(name) => Err(format!(
                "built-in policy builtin:{name} cannot extend a file (`{spec}`)"
            )),
            Source::Local(path) => Ok(Source::Local(
                path.parent().unwrap_or(Path::new(".")).join(spec),
            )),
            // A relative path inside a remote policy stays in its repository and ref.
            Source::Remote(remote) => remote.join(spec).map(Source::Remote),
        }
    }
}

/// Shortens a path for messages: relative to the working directory when inside it.
fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    let path = relative.as_deref().unwrap_or(path);
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// One validated policy file.
#[derive(Debug)]
pub struct Document {
    pub source: Source,
    pub name: String,
    /// The file's text, for findings placed on it.
    pub text: String,
    pub locations: Locations,
    /// The file as written, rule names replaced by their codes.
    pub file: PolicyFile,
    /// The same settings as a YAML tree in canonical form (every rule setting a map,
    /// every size canonical), without `extends` and `locked`: what merging works on.
    pub value: Value,
}

impl Document {
    pub fn error(&self, path: &SettingPath, message: impl Into<String>) -> PolicyError {
        PolicyError::new(self.name.clone(), self.locations.find(path), message)
    }
}

/// Parses and validates one policy file's text.
pub fn parse(source: Source, text: &str) -> Result<Document, PolicyError> {
    let name = source.name();
    let locations = Locations::index(text);
    let mut file = if is_blank(text) {
        PolicyFile::default()
    } else {
        serde_yaml_ng::from_str::<PolicyFile>(text)
            .map_err(|error| serde_error(&name, text, &error))?
    };
    let document_error = |path: &SettingPath, message: String| {
        PolicyError::new(name.clone(), locations.find(path), message)
    };
    let renamed = normalize_rules(&mut file, &document_error)?;
    let mut locations = locations.clone();
    for (from, to) in renamed {
        locations.alias(&from, &to);
    }
    validate_locks(&file, &document_error)?;
    let mut value = serde_yaml_ng::to_value(&file)
        .map_err(|error| PolicyError::new(name.clone(), Location::START, error.to_string()))?;
    if let Value::Mapping(mapping) = &mut value {
        mapping.shift_remove("extends");
        mapping.shift_remove("locked");
    }
    Ok(Document {
        source,
        name,
        text: text.to_string(),
        locations,
        file,
        value,
    })
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---"
    })
}

/// A serde error as `FILE:LINE:COL: message`, with a suggestion for a misspelled key.
fn serde_error(name: &str, text: &str, error: &serde_yaml_ng::Error) -> PolicyError {
    let mut location = error
        .location()
        .map(|location| Location {
            line: location.line(),
            column: location.column(),
        })
        .unwrap_or(Location::START);
    let mut message = error.to_string();
    // serde places errors raised inside a value type (a date, a glob) at the start of
    // the enclosing map; point at the offending value itself when it can be found.
    if let (Some(start), Some(found)) =
        (error.location().map(|l| l.index()), quoted_value(&message))
        && let Some(offset) = text
            .get(start..)
            .and_then(|rest| rest.find(found))
            .map(|at| start + at)
    {
        let before = &text[..offset];
        location = Location {
            line: before.matches('\n').count() + 1,
            column: before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1,
        };
    }
    if let Some(at) = message.find(" at line ") {
        let rest = &message[at + " at line ".len()..];
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let after = rest[number_end..]
            .strip_prefix(" column ")
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
        if let Some(after) = after {
            message = format!("{}{after}", &message[..at]);
        }
    }
    message = message.replace("invalid type: string", "invalid type: text");
    PolicyError::new(name, location, add_suggestion(&message))
}

/// The offending value of an "invalid date `x`" or "invalid glob `x`" message.
fn quoted_value(message: &str) -> Option<&str> {
    let rest = &message[message.find(": invalid ")?..];
    let start = rest.find('`')? + 1;
    let end = rest[start..].find('`')?;
    Some(&rest[start..start + end]).filter(|value| !value.is_empty())
}

/// Appends "did you mean" to serde's "unknown field `x`, expected one of `a`, `b`".
fn add_suggestion(message: &str) -> String {
    for marker in ["unknown field `", "unknown variant `"] {
        let Some(start) = message.find(marker) else {
            continue;
        };
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.find('`') else { continue };
        let word = &rest[..end];
        let candidates: Vec<&str> = rest[end..].split('`').skip(2).step_by(2).collect();
        if let Some(candidate) = did_you_mean(word, candidates) {
            return format!("{message} (did you mean `{candidate}`?)");
        }
    }
    message.to_string()
}

/// Rule keys may be codes or names; keep codes only, and reject unknown ones. Returns
/// the renamed setting paths (name -> code), so locations follow the rename.
fn normalize_rules(
    file: &mut PolicyFile,
    error: &impl Fn(&SettingPath, String) -> PolicyError,
) -> Result<Vec<(SettingPath, SettingPath)>, PolicyError> {
    let mut renamed = Vec::new();
    if let Some(settings) = file.rules.take() {
        file.rules = Some(normalize_rule_map(
            settings,
            &SettingPath::parse("rules"),
            error,
            &mut renamed,
        )?);
    }
    if let Some(overrides) = &mut file.overrides {
        let list = match overrides {
            super::file::ListValue::Replace(list) | super::file::ListValue::Append(list) => list,
        };
        for (index, entry) in list.iter_mut().enumerate() {
            let path = SettingPath::parse("overrides").index(index).key("rules");
            entry.rules =
                normalize_rule_map(std::mem::take(&mut entry.rules), &path, error, &mut renamed)?;
        }
    }
    if let Some(exceptions) = &mut file.exceptions {
        let list = match exceptions {
            super::file::ListValue::Replace(list) | super::file::ListValue::Append(list) => list,
        };
        for (index, Exception { rules: codes, .. }) in list.iter_mut().enumerate() {
            let path = SettingPath::parse("exceptions").index(index).key("rules");
            if codes.is_empty() {
                return Err(error(
                    &path,
                    "an exception must name at least one rule".to_string(),
                ));
            }
            for (i, code) in codes.iter_mut().enumerate() {
                *code = rule_code(code)
                    .map_err(|message| error(&path.index(i), message))?
                    .to_string();
            }
        }
    }
    Ok(renamed)
}

fn normalize_rule_map(
    settings: std::collections::BTreeMap<String, RuleSetting>,
    path: &SettingPath,
    error: &impl Fn(&SettingPath, String) -> PolicyError,
    renamed: &mut Vec<(SettingPath, SettingPath)>,
) -> Result<std::collections::BTreeMap<String, RuleSetting>, PolicyError> {
    let mut normalized = std::collections::BTreeMap::new();
    for (key, setting) in settings {
        let key_path = path.key(&key);
        let rule = rules::find(&key).ok_or_else(|| error(&key_path, unknown_rule(&key)))?;
        if let Some(options) = &setting.options {
            for (option, value) in options {
                rule.validate_option(option, value).map_err(|message| {
                    error(
                        &key_path.key("options").key(option),
                        format!("rules.{}: {message}", rule.code),
                    )
                })?;
            }
        }
        if key != rule.code {
            renamed.push((key_path.clone(), path.key(rule.code)));
        }
        if normalized.insert(rule.code.to_string(), setting).is_some() {
            return Err(error(
                &key_path,
                format!(
                    "rule {} is configured twice (by code and by name)",
                    rule.code
                ),
            ));
        }
    }
    Ok(normalized)
}

/// The code of a rule named by code or name.
pub fn rule_code(code_or_name: &str) -> Result<&'static str, String> {
    rules::find(code_or_name)
        .map(|rule| rule.code)
        .ok_or_else(|| unknown_rule(code_or_name))
}

fn unknown_rule(key: &str) -> String {
    let candidates = rules::all().iter().flat_map(|rule| [rule.code, rule.name]);
    format!(
        "unknown rule `{key}`{} (`dockgate rules` lists them)",
        suggestion(key, candidates)
    )
}

fn validate_locks(
    file: &PolicyFile,
    error: &impl Fn(&SettingPath, String) -> PolicyError,
) -> Result<(), PolicyError> {
    for (index, entry) in file.locked.iter().flatten().enumerate() {
        lock::validate_lock(entry)
            .map_err(|message| error(&SettingPath::parse("locked").index(index), message))?;
    }
    Ok(())
}

/// Reads policies and their `extends` chains; each policy once per run.
pub struct Loader {
    fetcher: GithubFetcher,
    documents: HashMap<Source, Arc<Document>>,
    /// Where local files are read: the working tree or a git revision.
    tree: Tree,
    /// Documents that stand for any policy of the same name (the required policies:
    /// `--required-policy org.yml` and a repository's `extends: [./org.yml]` are one
    /// file, read once, from the working tree even when the rest is read at a base).
    pinned: Vec<Arc<Document>>,
}

impl Loader {
    pub fn new(fetcher: GithubFetcher) -> Loader {
        Loader {
            fetcher,
            documents: HashMap::new(),
            tree: Tree::Working,
            pinned: Vec::new(),
        }
    }

    /// Makes `documents` stand for every policy of the same name this loader reads.
    pub fn pin(&mut self, documents: &[Arc<Document>]) {
        self.pinned = documents.to_vec();
    }

    /// This loader reading local files from `tree` instead; what it read from elsewhere
    /// (presets, remote policies) stays read.
    pub fn reading(mut self, tree: Tree) -> Loader {
        self.documents
            .retain(|source, _| !matches!(source, Source::Local(_)));
        self.tree = tree;
        self
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// `root` and everything it extends, in merge order: extended policies first (each
    /// one once, at its first place), `root` last.
    pub fn chain(&mut self, root: Source) -> Result<Vec<Arc<Document>>, PolicyError> {
        let mut order = Vec::new();
        let root_document = self.read(&root).map_err(|error| {
            error.placed(|message| PolicyError::new(root.name(), Location::START, message))
        })?;
        self.visit(root_document, &mut Vec::new(), &mut order)?;
        Ok(order)
    }

    fn visit(
        &mut self,
        document: Arc<Document>,
        stack: &mut Vec<Source>,
        order: &mut Vec<Arc<Document>>,
    ) -> Result<(), PolicyError> {
        stack.push(document.source.clone());
        for (index, spec) in document.file.extends.iter().flatten().enumerate() {
            let path = SettingPath::parse("extends").index(index);
            let source = document
                .source
                .resolve(spec)
                .map_err(|message| document.error(&path, message))?;
            if let Some(start) = stack.iter().position(|seen| *seen == source) {
                let cycle: Vec<String> = stack[start..]
                    .iter()
                    .chain([&source])
                    .map(Source::name)
                    .collect();
                return Err(
                    document.error(&path, format!("`extends` cycle: {}", cycle.join(" -> ")))
                );
            }
            if stack.len() >= MAX_EXTENDS_DEPTH {
                return Err(document.error(
                    &path,
                    format!("`extends` nests deeper than {MAX_EXTENDS_DEPTH} policies"),
                ));
            }
            if order
                .iter()
                .any(|done: &Arc<Document>| done.source == source)
            {
                continue;
            }
            let extended = self.read(&source).map_err(|error| {
                error.placed(|message| {
                    document.error(&path, format!("cannot read `{spec}`: {message}"))
                })
            })?;
            self.visit(extended, stack, order)?;
        }
        stack.pop();
        if !order.iter().any(|done| done.source == document.source) {
            order.push(document);
        }
        Ok(())
    }

    /// One policy, parsed and validated.
    fn read(&mut self, source: &Source) -> Result<Arc<Document>, ReadError> {
        if let Some(document) = self.documents.get(source) {
            return Ok(document.clone());
        }
        let name = source.name();
        if let Some(document) = self.pinned.iter().find(|document| document.name == name) {
            return Ok(document.clone());
        }
        let text = match source {
            Source::Builtin(name) => presets::text(name).to_string(),
            Source::Local(path) => read_local(&self.tree, path)?,
            Source::Remote(remote) => self.fetcher.fetch(remote).map_err(ReadError::Unreadable)?,
        };
        let document = Arc::new(parse(source.clone(), &text).map_err(ReadError::Invalid)?);
        self.documents.insert(source.clone(), document.clone());
        Ok(document)
    }
}

/// Why a policy could not be read.
enum ReadError {
    /// It is not there or not readable: the error belongs where it was named.
    Unreadable(String),
    /// It was read and is wrong: the error is located inside it.
    Invalid(PolicyError),
}

impl ReadError {
    /// The error, placed at `named_at` when it is about reading the policy at all.
    fn placed(self, named_at: impl FnOnce(String) -> PolicyError) -> PolicyError {
        match self {
            ReadError::Unreadable(message) => named_at(message),
            ReadError::Invalid(error) => error,
        }
    }
}

fn read_local(tree: &Tree, path: &Path) -> Result<String, ReadError> {
    let at = tree
        .revision()
        .map(|revision| format!(" at {}", revision.name))
        .unwrap_or_default();
    let bytes = tree.read(path).map_err(|error| {
        ReadError::Unreadable(match error.kind() {
            std::io::ErrorKind::NotFound => format!("no such file{at}"),
            std::io::ErrorKind::IsADirectory => "it is a directory, not a policy file".to_string(),
            _ => format!("{error}{at}"),
        })
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = offset
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        ReadError::Invalid(PolicyError::new(
            display_path(path),
            Location { line, column },
            "not UTF-8 text: a policy file must be YAML",
        ))
    })
}
