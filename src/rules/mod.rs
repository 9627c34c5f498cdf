//! The rule engine: the registry of every rule, the [`Context`] a rule checks a file
//! through, and [`lint`], which runs the enabled rules over one Dockerfile.
//!
//! A rule is one file under `dockerfile/` (later `image/`), named by its code. The file
//! holds the rule's documentation (a doc comment with the sections *What it does*, *Why
//! is this bad?*, *Example*, *Use instead*), its metadata and its check, declared with
//! [`declare_rule!`]. The doc comment is the single source of `dockgate rules CODE` and
//! of `docs/rules.md`, so the two cannot drift. Adding a rule is one new file plus its
//! name in the `register_rules!` list of its folder.

pub mod check_directive;
pub mod dockerfile;
pub mod docs;
pub mod image;
pub mod policy;
mod pragma;
pub mod shellcheck;
pub mod testing;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::dockerfile::model::Model;
use crate::dockerfile::shell::{Script, Scripts};
use crate::dockerfile::{Dockerfile, Instruction};
use crate::finding::{Finding, Location, Severity};
use crate::image::provenance::Subject;
use crate::image::{ImageFacts, Inspection};
use crate::source::{LineIndex, TextRange};
use crate::workspace::BuildContext;

pub use pragma::{PragmaComment, PragmaMode, Pragmas};

/// What a rule is about; groups the rule list and lets policies select by theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// The file cannot be parsed as BuildKit parses it.
    Syntax,
    /// The build fails or does something other than what the file says.
    Correctness,
    /// The same file may build a different image tomorrow.
    Reproducibility,
    /// The image is larger, slower or harder to operate than it needs to be.
    BestPractice,
    /// Instructions Docker has deprecated.
    Deprecation,
    /// The image or the build is less safe than it could be.
    Security,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Correctness => "correctness",
            Category::Reproducibility => "reproducibility",
            Category::BestPractice => "best-practice",
            Category::Deprecation => "deprecation",
            Category::Security => "security",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rule looks at its input.
#[derive(Clone, Copy)]
pub enum Check {
    /// Runs once per Dockerfile.
    Dockerfile(fn(&mut Context)),
    /// About the policy itself (an expired exception, a pragma without a reason): the
    /// policy engine reports these; there is nothing to run per file.
    Policy,
    /// Runs once per image, on its facts.
    Image {
        check: fn(&mut ImageContext),
        /// Whether the check needs the layers read (file facts, uncompressed sizes);
        /// when no enabled rule does, only the manifest and config are read.
        needs_layers: bool,
    },
    /// Found by another program (ShellCheck's `SCxxxx`); nothing to run here.
    External,
}

/// One option a rule takes from `rules.CODE.options` in a policy, and, when it has a
/// `policy_key`, from that key of the policy (`image.max_size`): the policy reads its
/// sections through these declarations, so a rule with an option is one file.
#[derive(Debug, Clone, Copy)]
pub struct RuleOption {
    pub name: &'static str,
    pub kind: OptionKind,
    /// One line for `dockgate rules CODE` and the docs.
    pub description: &'static str,
    /// The policy key that sets this option (`image.max_size`, `labels.required`),
    /// besides `rules.CODE.options.NAME`, which wins.
    pub policy_key: Option<&'static str>,
    /// The `.hadolint.yaml` key that `policy import-hadolint` turns into this option.
    pub hadolint_key: Option<&'static str>,
}

impl RuleOption {
    pub const fn new(name: &'static str, kind: OptionKind, description: &'static str) -> Self {
        RuleOption {
            name,
            kind,
            description,
            policy_key: None,
            hadolint_key: None,
        }
    }

    /// `policy import-hadolint` turns hadolint's configuration key `key` into this option.
    pub const fn from_hadolint(self, key: &'static str) -> Self {
        RuleOption {
            hadolint_key: Some(key),
            ..self
        }
    }

    /// The option is also set by the policy key `key`.
    pub const fn from_policy(self, key: &'static str) -> Self {
        RuleOption {
            policy_key: Some(key),
            ..self
        }
    }
}

/// The type of a rule option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A list of strings.
    Strings,
    /// A list of globs (`*` within a path segment, `**` across).
    Globs,
    Bool,
    /// A map from names to strings (a label schema: label -> type).
    StringMap,
    /// A size: bytes, or a number with a unit (`200MB`, `1.5GiB`).
    Size,
    /// A share, `10%`.
    Percent,
    /// A whole number.
    Count,
}

impl OptionKind {
    pub fn expected(self) -> &'static str {
        match self {
            OptionKind::Strings => "a list of strings",
            OptionKind::Globs => "a list of globs",
            OptionKind::Bool => "true or false",
            OptionKind::StringMap => "a map of names to strings",
            OptionKind::Size => "a size such as `200MB`",
            OptionKind::Percent => "a percentage such as `10%`",
            OptionKind::Count => "a whole number",
        }
    }

    /// The JSON Schema of a value of this kind.
    pub fn schema(self) -> serde_json::Value {
        match self {
            OptionKind::Strings | OptionKind::Globs => {
                serde_json::json!({ "type": "array", "items": { "type": "string" } })
            }
            OptionKind::Bool => serde_json::json!({ "type": "boolean" }),
            OptionKind::StringMap => {
                serde_json::json!({ "type": "object", "additionalProperties": { "type": "string" } })
            }
            OptionKind::Size => serde_json::json!({ "type": ["integer", "string"] }),
            OptionKind::Percent => serde_json::json!({ "type": "string" }),
            OptionKind::Count => serde_json::json!({ "type": "integer", "minimum": 0 }),
        }
    }

    /// Whether `value` is one of this kind.
    fn accepts(self, value: &serde_json::Value) -> bool {
        match self {
            OptionKind::Bool => value.is_boolean(),
            OptionKind::StringMap => value
                .as_object()
                .is_some_and(|map| map.values().all(serde_json::Value::is_string)),
            OptionKind::Strings => value
                .as_array()
                .is_some_and(|items| items.iter().all(|item| item.is_string())),
            OptionKind::Globs => value.as_array().is_some_and(|items| {
                items.iter().all(|item| {
                    item.as_str()
                        .is_some_and(|glob| globset::Glob::new(glob).is_ok())
                })
            }),
            OptionKind::Size => OptionValues::size_of(value).is_some(),
            OptionKind::Percent => OptionValues::share_of(value).is_some(),
            OptionKind::Count => value.as_u64().is_some(),
        }
    }
}

/// A rule: its metadata, documentation and check. Declared with [`declare_rule!`].
pub struct Rule {
    /// `DL3006` for hadolint's rules, `DG....` for dockgate's own.
    pub code: &'static str,
    /// A kebab-case name that says what is wrong: `untagged-base-image`.
    pub name: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// Whether the rule's findings carry a [`crate::finding::Fix`].
    pub fixable: bool,
    /// The fixes the rule offers, declared with it (`fix: Safe("Add `-y`")`), so the
    /// docs name them without running the rule; every fix a finding carries is one of
    /// these (the rule's fix tests check it).
    pub fixes: &'static [DeclaredFix],
    /// The message of a finding, unless the check words it itself.
    pub message: &'static str,
    /// The doc comment, one `#[doc]` line per line (each with rustdoc's leading space).
    pub raw_doc: &'static str,
    /// What a policy may set in `rules.CODE.options`.
    pub options: &'static [RuleOption],
    /// Whether the recommended policy runs it; others run when a policy enables them.
    pub enabled_by_default: bool,
    /// A policy key that, when `true`, turns the rule on (`image.numeric_user`).
    pub switched_by: Option<&'static str>,
    /// The name of the BuildKit build check (`docker build --check`) this rule is,
    /// when it is one: `# check=skip=NAME` skips it and `# check=error=true` makes it
    /// an error, as BuildKit does.
    pub buildkit: Option<&'static str>,
    pub check: Check,
}

impl Rule {
    /// Checks one option a policy sets for this rule.
    pub fn validate_option(&self, name: &str, value: &serde_json::Value) -> Result<(), String> {
        let Some(option) = self.options.iter().find(|option| option.name == name) else {
            return Err(if self.options.is_empty() {
                format!(
                    "rule {} takes no options (unknown option `{name}`)",
                    self.code
                )
            } else {
                let names: Vec<&str> = self.options.iter().map(|option| option.name).collect();
                format!(
                    "unknown option `{name}`; {} takes {}{}",
                    self.code,
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    crate::suggest::suggestion(name, names.iter().copied())
                )
            });
        };
        let valid = option.kind.accepts(value);
        if valid {
            Ok(())
        } else {
            Err(format!(
                "option `{name}` expects {}",
                option.kind.expected()
            ))
        }
    }

    /// The documentation as Markdown, from the rule's doc comment.
    pub fn doc(&self) -> String {
        let mut doc = String::with_capacity(self.raw_doc.len());
        for line in self.raw_doc.lines() {
            doc.push_str(line.strip_prefix(' ').unwrap_or(line));
            doc.push('\n');
        }
        doc.trim().to_string() + "\n"
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A fix a rule declares: its title and whether it is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredFix {
    pub applicability: crate::finding::Applicability,
    pub title: &'static str,
}

/// Declares a rule: the doc comment above it becomes the rule's documentation.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     code: "DL4000",
///     name: "maintainer-deprecated",
///     severity: Error,
///     category: Deprecation,
///     fixable: true,
///     fix: Safe("Replace `MAINTAINER` with `LABEL maintainer=...`"),
///     message: "MAINTAINER is deprecated",
///     check: check,
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (@switch) => { None };
    (@switch $key:literal) => { Some($key) };
    (@enabled) => { true };
    (@enabled $enabled:literal) => { $enabled };
    (
        $(#[doc = $doc:expr])*
        code: $code:literal,
        name: $name:literal,
        severity: $severity:ident,
        category: $category:ident,
        fixable: $fixable:literal,
        message: $message:literal,
        check: policy $(,)?
    ) => {
        $crate::declare_rule! {
            @rule
            $(#[doc = $doc])*
            code: $code,
            name: $name,
            severity: $severity,
            category: $category,
            fixable: $fixable,
            fixes: &[],
            message: $message,
            options: &[],
            enabled_by_default: true,
            buildkit: None,
            check: $crate::rules::Check::Policy,
        }
    };
    (
        $(#[doc = $doc:expr])*
        code: $code:literal,
        name: $name:literal,
        severity: $severity:ident,
        category: $category:ident,
        fixable: $fixable:literal,
        $(fix: $applicability:ident($title:literal),)*
        message: $message:literal,
        $(buildkit: $buildkit:literal,)?
        $(enabled_by_default: $enabled:literal,)?
        $(options: [$($option:expr),* $(,)?],)?
        check: $check:path $(,)?
    ) => {
        $crate::declare_rule! {
            @rule
            $(#[doc = $doc])*
            code: $code,
            name: $name,
            severity: $severity,
            category: $category,
            fixable: $fixable,
            fixes: &[$($crate::rules::DeclaredFix {
                applicability: $crate::finding::Applicability::$applicability,
                title: $title,
            }),*],
            message: $message,
            options: &[$($($option),*)?],
            enabled_by_default: $crate::declare_rule!(@enabled $($enabled)?),
            buildkit: $crate::declare_rule!(@switch $($buildkit)?),
            check: $crate::rules::Check::Dockerfile($check),
        }
    };
    (
        @rule
        $(#[doc = $doc:expr])*
        code: $code:literal,
        name: $name:literal,
        severity: $severity:ident,
        category: $category:ident,
        fixable: $fixable:literal,
        fixes: $fixes:expr,
        message: $message:literal,
        options: $options:expr,
        enabled_by_default: $enabled:expr,
        buildkit: $buildkit:expr,
        check: $check:expr,
    ) => {
        /// The rule declared in this file (see the module documentation).
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::finding::Severity::$severity,
            category: $crate::rules::Category::$category,
            fixable: $fixable,
            fixes: $fixes,
            message: $message,
            raw_doc: concat!($($doc, "\n"),*),
            options: $options,
            enabled_by_default: $enabled,
            switched_by: None,
            buildkit: $buildkit,
            check: $check,
        };
    };
    (
        $(#[doc = $doc:expr])*
        code: $code:literal,
        name: $name:literal,
        severity: $severity:ident,
        category: $category:ident,
        message: $message:literal,
        enabled_by_default: $enabled:literal,
        needs_layers: $needs_layers:literal,
        $(options: [$($option:expr),* $(,)?],)?
        $(switched_by: $switch:literal,)?
        image_check: $check:path $(,)?
    ) => {
        /// The rule declared in this file (see the module documentation).
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::finding::Severity::$severity,
            category: $crate::rules::Category::$category,
            fixable: false,
            fixes: &[],
            message: $message,
            raw_doc: concat!($($doc, "\n"),*),
            options: &[$($($option),*)?],
            enabled_by_default: $enabled,
            switched_by: $crate::declare_rule!(@switch $($switch)?),
            buildkit: None,
            check: $crate::rules::Check::Image {
                check: $check,
                needs_layers: $needs_layers,
            },
        };
    };
}

/// Every rule dockgate knows, in code order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: std::sync::LazyLock<Vec<&'static Rule>> = std::sync::LazyLock::new(|| {
        let mut rules: Vec<&'static Rule> = policy::RULES
            .iter()
            .chain(dockerfile::RULES)
            .chain(image::RULES)
            .copied()
            .collect();
        rules.sort_by_key(|rule| rule.code);
        rules
    });
    &ALL
}

/// The rule with this code (case-insensitive) or kebab-case name; ShellCheck's codes
/// (`SC2086`) are rules too.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    let rules = all();
    // A finding names its rule by the exact code: every finding is looked up, so the
    // common case is a binary search, not a scan.
    if let Ok(index) = rules.binary_search_by(|rule| rule.code.cmp(code_or_name)) {
        return Some(rules[index]);
    }
    rules
        .iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
        .or_else(|| shellcheck::find(code_or_name))
}

/// A rule's options as a policy sets them.
pub type Options = std::sync::Arc<serde_json::Map<String, serde_json::Value>>;

/// Typed reads of a rule's options: what a check asks for, with the defaults it
/// documents when the policy says nothing.
#[derive(Debug, Clone, Copy)]
pub struct OptionValues<'a>(&'a Options);

impl<'a> OptionValues<'a> {
    /// A boolean option; `default` when unset.
    pub fn bool_or(&self, name: &str, default: bool) -> bool {
        self.0
            .get(name)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(default)
    }

    /// The strings of a list option, or none.
    pub fn strings(&self, name: &str) -> Vec<&'a str> {
        self.0
            .get(name)
            .and_then(serde_json::Value::as_array)
            .map(|items| items.iter().filter_map(serde_json::Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether the list option is set at all (an empty list is set).
    pub fn is_set(&self, name: &str) -> bool {
        self.0.get(name).is_some_and(|value| !value.is_null())
    }

    /// A map option (a label schema), or an empty one.
    pub fn map(&self, name: &str) -> Vec<(&'a str, &'a str)> {
        self.0
            .get(name)
            .and_then(serde_json::Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A size option in bytes, or none.
    pub fn size(&self, name: &str) -> Option<u64> {
        self.0.get(name).and_then(OptionValues::size_of)
    }

    /// A percentage option as a share (0.0 to 1.0), or none.
    pub fn share(&self, name: &str) -> Option<f64> {
        self.0.get(name).and_then(OptionValues::share_of)
    }

    /// A whole-number option, or none.
    pub fn count(&self, name: &str) -> Option<u64> {
        self.0.get(name).and_then(serde_json::Value::as_u64)
    }

    fn size_of(value: &serde_json::Value) -> Option<u64> {
        serde_json::from_value::<crate::units::Size>(value.clone())
            .ok()
            .map(|size| size.0)
    }

    fn share_of(value: &serde_json::Value) -> Option<f64> {
        value
            .as_str()?
            .parse::<crate::units::Percent>()
            .ok()
            .map(|share| share.0)
    }
}

/// Which rules run, at what severity and with which options: what a policy boils
/// down to for one file.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<(&'static Rule, Severity, Options)>,
    /// Rules the policy turned off, for those on unless the set says otherwise
    /// (ShellCheck's codes, which are not listed).
    off: Vec<&'static str>,
}

impl RuleSet {
    /// Every rule at its default severity, including those off by default.
    pub fn all() -> RuleSet {
        RuleSet {
            rules: all()
                .iter()
                .map(|&rule| (rule, rule.severity, Options::default()))
                .collect(),
            off: Vec::new(),
        }
    }

    /// The rules that are on by default, at their default severity.
    pub fn defaults() -> RuleSet {
        RuleSet {
            rules: all()
                .iter()
                .filter(|rule| rule.enabled_by_default)
                .map(|&rule| (rule, rule.severity, Options::default()))
                .collect(),
            off: Vec::new(),
        }
    }

    /// Whether any image rule of the set needs the layers read.
    pub fn needs_layers(&self) -> bool {
        self.rules.iter().any(|(rule, ..)| {
            matches!(
                rule.check,
                Check::Image {
                    needs_layers: true,
                    ..
                }
            )
        })
    }

    /// Only the rule with `code`, at its default severity (used by tests).
    pub fn only(code: &str) -> RuleSet {
        RuleSet::only_with(code, serde_json::Map::new())
    }

    /// Only the rule with `code`, with these options (used by tests).
    pub fn only_with(code: &str, options: serde_json::Map<String, serde_json::Value>) -> RuleSet {
        let rule = find(code).unwrap_or_else(|| panic!("no rule {code}"));
        RuleSet {
            rules: vec![(rule, rule.severity, Options::new(options))],
            off: Vec::new(),
        }
    }

    /// Adds `rule` (or replaces its entry).
    pub fn set(&mut self, rule: &'static Rule, severity: Severity, options: Options) {
        self.rules.retain(|(known, ..)| known.code != rule.code);
        self.off.retain(|code| *code != rule.code);
        self.rules.push((rule, severity, options));
    }

    pub fn rules(&self) -> impl Iterator<Item = (&'static Rule, Severity, &Options)> + '_ {
        self.rules
            .iter()
            .map(|(rule, severity, options)| (*rule, *severity, options))
    }

    /// Removes `code` (the policy turned it off).
    pub fn remove(&mut self, code: &str) {
        if let Some(rule) = find(code) {
            self.off.push(rule.code);
        }
        self.rules.retain(|(rule, ..)| rule.code != code);
    }

    /// Whether the policy turned `code` off (not merely left an off-by-default rule
    /// off).
    pub fn turned_off(&self, code: &str) -> bool {
        self.off.contains(&code)
    }

    /// Undoes what the set says about `code`: a ShellCheck code is then on at
    /// ShellCheck's level.
    pub fn restore(&mut self, code: &str) {
        self.off.retain(|known| *known != code);
        self.rules.retain(|(rule, ..)| rule.code != code);
    }

    /// The severity of a finding of ShellCheck's `code` at ShellCheck's `level`: the
    /// policy's, else ShellCheck's; `None` when the policy turned the code off.
    pub fn external_severity(&self, code: &str, level: Severity) -> Option<Severity> {
        if self.off.contains(&code) {
            return None;
        }
        Some(self.severity(code).unwrap_or(level))
    }

    /// The severity and options of `code`, when it runs.
    pub fn get(&self, code: &str) -> Option<(Severity, &Options)> {
        self.rules
            .iter()
            .find(|(rule, ..)| rule.code == code)
            .map(|(_, severity, options)| (*severity, options))
    }

    /// Sets the option that `policy_key` feeds on every rule of the set that declares
    /// one (a run's `--max-size` is `image.max_size` for this run).
    pub fn set_policy_value(&mut self, policy_key: &str, value: serde_json::Value) {
        for (rule, _, options) in &mut self.rules {
            for option in rule.options {
                if option.policy_key == Some(policy_key) {
                    std::sync::Arc::make_mut(options)
                        .insert(option.name.to_string(), value.clone());
                }
            }
        }
    }

    /// The value of the option `policy_key` feeds, from the first rule of the set that
    /// declares one and has it set.
    pub fn policy_value(&self, policy_key: &str) -> Option<&serde_json::Value> {
        self.rules.iter().find_map(|(rule, _, options)| {
            let option = rule
                .options
                .iter()
                .find(|option| option.policy_key == Some(policy_key))?;
            options.get(option.name)
        })
    }

    pub fn severity(&self, code: &str) -> Option<Severity> {
        self.rules
            .iter()
            .find(|(rule, ..)| rule.code == code)
            .map(|&(_, severity, _)| severity)
    }
}

/// What a rule sees while it checks one Dockerfile, and where it reports.
pub struct Context<'a> {
    dockerfile: &'a Dockerfile,
    model: &'a Model,
    scripts: &'a Scripts,
    lines: &'a LineIndex,
    build_context: Option<&'a BuildContext>,
    rule: &'static Rule,
    severity: Severity,
    options: &'a Options,
    findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    pub fn dockerfile(&self) -> &'a Dockerfile {
        self.dockerfile
    }

    /// Stages, base images and the variables in scope at each instruction.
    pub fn model(&self) -> &'a Model {
        self.model
    }

    /// The build context the Dockerfile is built from (its `.dockerignore`), when the
    /// Dockerfile was read from disk; `None` for text linted on its own.
    pub fn build_context(&self) -> Option<&'a BuildContext> {
        self.build_context
    }

    /// `text` as BuildKit expands it at instruction `index` (an index into
    /// [`Context::instructions`]): variables substituted, quotes and escapes removed.
    /// `None` when it depends on a value only the build knows.
    pub fn expand(&self, index: usize, text: &str) -> Option<String> {
        self.model.expand(index, text)
    }

    /// The decoded source text every range points into.
    /// The shell script of instruction `index` (a RUN or ONBUILD RUN), parsed once per
    /// file; `None` when it is not a RUN, runs in a non-POSIX SHELL, or cannot be read.
    pub fn script(&self, index: usize) -> Option<&'a Script> {
        self.scripts.get(self.dockerfile, self.model, index)
    }

    /// The shell in effect at instruction `index`.
    pub fn shell(&self, index: usize) -> crate::dockerfile::shell::ShellSetting {
        self.scripts.shell(self.dockerfile, self.model, index)
    }

    pub fn source(&self) -> &'a str {
        &self.dockerfile.source
    }

    /// The source text of `range`.
    pub fn text(&self, range: TextRange) -> &'a str {
        self.source().get(range.start..range.end).unwrap_or("")
    }

    pub fn lines(&self) -> &'a LineIndex {
        self.lines
    }

    /// The rule's options, as the policy set them.
    pub fn options(&self) -> OptionValues<'a> {
        OptionValues(self.options)
    }

    /// A boolean option the policy set; `false` when unset.
    pub fn option_bool(&self, name: &str) -> bool {
        self.options().bool_or(name, false)
    }

    /// A map option the policy set (a label schema), or an empty one.
    pub fn option_map(&self, name: &str) -> Vec<(&'a str, &'a str)> {
        self.options().map(name)
    }

    /// The strings of a list option the policy set, or none.
    pub fn option_strings(&self, name: &str) -> Vec<&'a str> {
        self.options().strings(name)
    }

    /// The option `name`'s globs, compiled (patterns that are no glob are left out).
    /// `*` stays within one `/` segment when `literal_separator` is set.
    pub fn option_globs(&self, name: &str, literal_separator: bool) -> Rc<[globset::GlobMatcher]> {
        compiled_globs(&self.option_strings(name), literal_separator)
    }

    /// The top-level instructions (ONBUILD triggers stay wrapped in their ONBUILD).
    pub fn instructions(&self) -> &'a [Instruction] {
        &self.dockerfile.instructions
    }

    /// Reports a finding about `range` inside `instruction`, with the rule's message.
    /// The returned finding can be given another message or a fix.
    pub fn report(&mut self, instruction: &Instruction, range: TextRange) -> &mut Finding {
        self.report_at(instruction.range, range)
    }

    /// Reports a finding that belongs to `anchor` rather than to an instruction (a
    /// syntax error between instructions, say).
    pub fn report_at(&mut self, anchor: TextRange, range: TextRange) -> &mut Finding {
        self.findings.push(Finding::in_file(
            self.rule.code,
            self.severity,
            Location::new(String::new(), range, anchor),
            self.rule.message,
        ));
        self.findings.last_mut().expect("just pushed")
    }
}

/// Runs `rules` over one parsed Dockerfile. Findings come back located in `path` and
/// sorted by position and rule; nothing is suppressed yet (pragmas, exceptions and
/// locks are the gate's one suppression step).
pub fn lint(path: &str, dockerfile: &Dockerfile, rules: &RuleSet) -> Vec<Finding> {
    lint_model(path, dockerfile, &Model::new(dockerfile), rules)
}

/// [`lint`] with the model already built.
pub fn lint_model(
    path: &str,
    dockerfile: &Dockerfile,
    model: &Model,
    rules: &RuleSet,
) -> Vec<Finding> {
    lint_in_context(path, dockerfile, model, None, rules)
}

/// [`lint_model`] for a Dockerfile of the workspace, with the build context it is built
/// from (for the rules about the context and its `.dockerignore`).
pub fn lint_in_context(
    path: &str,
    dockerfile: &Dockerfile,
    model: &Model,
    build_context: Option<&BuildContext>,
    rules: &RuleSet,
) -> Vec<Finding> {
    let lines = &dockerfile.lines;
    let scripts = &Scripts::new(dockerfile);
    let mut findings = Vec::new();
    for (rule, severity, options) in rules.rules() {
        let Check::Dockerfile(check) = rule.check else {
            continue;
        };
        let before = findings.len();
        let mut context = Context {
            dockerfile,
            model,
            scripts,
            lines,
            build_context,
            rule,
            severity,
            options,
            findings: std::mem::take(&mut findings),
        };
        check(&mut context);
        findings = context.findings;
        // A message that quotes the Dockerfile never carries a secret value in full (the
        // rule's own message quotes nothing).
        for finding in &mut findings[before..] {
            if finding.message != rule.message
                && let std::borrow::Cow::Owned(redacted) =
                    crate::image::secrets::redact_all(&finding.message)
            {
                finding.message = redacted;
            }
        }
    }
    for finding in &mut findings {
        if let Some(location) = &mut finding.location {
            location.path = path.to_string();
            location.locate(&dockerfile.source, lines);
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}

/// What an image rule sees: the image's facts and the policy's limits.
pub struct ImageContext<'a> {
    inspection: &'a Inspection,
    options: &'a Options,
    rule: &'static Rule,
    severity: Severity,
    findings: Vec<(Finding, Subject)>,
}

impl<'a> ImageContext<'a> {
    pub fn facts(&self) -> &'a ImageFacts {
        &self.inspection.facts
    }

    /// The facts with what the run learned about the image (baseline, live user, the
    /// Dockerfile that made it).
    pub fn inspection(&self) -> &'a Inspection {
        self.inspection
    }

    /// The rule's options, as the policy set them.
    pub fn options(&self) -> OptionValues<'a> {
        OptionValues(self.options)
    }

    /// Reports a finding about the image as a whole, with `message` (the rule's own
    /// message is the short form for lists; image findings say what was found).
    pub fn report(&mut self, message: impl Into<String>) -> &mut Finding {
        self.report_about(Subject::Image, message)
    }

    /// Reports a finding about a part of the image (a layer, the user, a variable, a
    /// port), which can then be placed on the Dockerfile instruction that made it.
    pub fn report_about(&mut self, subject: Subject, message: impl Into<String>) -> &mut Finding {
        let finding = Finding::about_image(
            self.rule.code,
            self.severity,
            &self.inspection.facts.reference,
            message,
        );
        self.findings.push((finding, subject));
        &mut self.findings.last_mut().expect("just pushed").0
    }
}

/// Runs the image rules of `rules` over one image's facts. Findings carry the image
/// reference as their path and no position (line 0), in rule order.
pub fn check_image(inspection: &Inspection, rules: &RuleSet) -> Vec<Finding> {
    check_image_subjects(inspection, rules)
        .into_iter()
        .map(|(finding, _)| finding)
        .collect()
}

/// [`check_image`], with what each finding is about.
pub fn check_image_subjects(inspection: &Inspection, rules: &RuleSet) -> Vec<(Finding, Subject)> {
    let mut findings = Vec::new();
    for (rule, severity, options) in rules.rules() {
        let Check::Image { check, .. } = rule.check else {
            continue;
        };
        let mut context = ImageContext {
            inspection,
            options,
            rule,
            severity,
            findings: std::mem::take(&mut findings),
        };
        check(&mut context);
        findings = context.findings;
    }
    findings
}

thread_local! {
    // Every file of a run asks with the same lists, and compiling a glob costs far more
    // than matching it: on the corpus, compiling them per file was 15% of the lint.
    static COMPILED_GLOBS: RefCell<HashMap<GlobList, Rc<[globset::GlobMatcher]>>> =
        RefCell::new(HashMap::new());
}

/// A list of glob patterns, and whether `*` stays within a `/` segment.
type GlobList = (Vec<String>, bool);

/// `patterns` compiled, once per thread and list.
fn compiled_globs(patterns: &[&str], literal_separator: bool) -> Rc<[globset::GlobMatcher]> {
    let key = (
        patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        literal_separator,
    );
    COMPILED_GLOBS.with(|cache| {
        cache
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                patterns
                    .iter()
                    .filter_map(|pattern| {
                        globset::GlobBuilder::new(pattern)
                            .literal_separator(literal_separator)
                            .build()
                            .ok()
                    })
                    .map(|glob| glob.compile_matcher())
                    .collect()
            })
            .clone()
    })
}
