//! Policies: the YAML files that say which rules run, how strictly, where, and what
//! the built image must satisfy.
//!
//! Loading goes file -> [`load::Document`] (validated, every error `FILE:LINE:COL`)
//! -> `extends` chain -> [`merge::Merged`] (with the origin of every value, locks
//! checked as each file is applied) -> [`Policy`], the effective settings the rest of
//! dockgate asks questions of. The whole policy is validated before any linting starts.

pub mod file;
pub mod hadolint;

mod error;
mod load;
mod locate;
mod lock;
mod merge;
mod presets;
mod remote;
mod review;
mod schema;
mod show;
mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::suggest::{did_you_mean, suggestion};
pub use crate::units;
pub use error::PolicyError;
pub use file::{Date, FailOn, Level, PolicyFile, PragmaPolicy};
pub use load::{Document, Source};
pub use locate::{Location, SettingPath};
pub use presets::NAMES as PRESETS;
pub use remote::{GithubFetcher, GithubRef};
pub use review::{ExceptionChange, PolicyChange, Review};
pub use schema::schema_json;

use crate::finding::Finding;
use crate::rules::{self, PragmaMode, RuleSet};
use crate::source::{LineIndex, TextRange};
use file::{Exception, Glob, RuleSetting};
use merge::Merged;

/// The names a repository's policy file may have, in the order they are looked for.
pub const POLICY_FILE_NAMES: &[&str] = &["dockgate.yml", ".dockgate.yml", ".github/dockgate.yml"];

/// The policy used when there is neither `--config` nor a policy file.
pub const DEFAULT_POLICY: &str = "builtin:recommended";

/// The effective policy of a run.
#[derive(Debug)]
pub struct Policy {
    /// Every policy applied, in merge order, the repository's own last.
    pub chain: Vec<std::sync::Arc<Document>>,
    /// The merged settings.
    pub settings: PolicyFile,
    merged: Merged,
    /// Where path globs are relative to: the repository root.
    pub root: PathBuf,
    overrides: Vec<(globset::GlobSet, BTreeMap<String, RuleSetting>)>,
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
    exceptions: Vec<ActiveException>,
    /// The rules for every path before its `overrides`: the defaults, what the sections
    /// say through the rules' declarations, then `rules`. Built once; each file's set
    /// starts from a copy.
    base_rules: RuleSet,
    /// Exceptions past their date, as findings on the policy file that holds each.
    pub expired: Vec<PolicyFindings>,
    /// Things the user should know about how the policy was chosen (hadolint variables
    /// that a dockgate policy makes ineffective).
    pub notes: Vec<String>,
    /// The output format hadolint's configuration names (`format`, `HADOLINT_FORMAT`:
    /// `tty`, `json`, ...), when it is the policy; `--format` wins over it.
    pub hadolint_format: Option<String>,
    /// With `--policy-base`: how the working tree's policy differs from the base's.
    pub review: Option<Review>,
}

/// Findings about one policy file (its expired exceptions), with its text for snippets.
#[derive(Debug, Clone)]
pub struct PolicyFindings {
    /// The policy's name as the chain shows it (a path, `builtin:NAME`, `github:...`).
    pub path: String,
    pub text: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug)]
struct ActiveException {
    rules: Vec<String>,
    paths: Option<globset::GlobSet>,
    images: Option<globset::GlobSet>,
}

/// Which policy a run uses.
#[derive(Debug, Clone)]
pub enum Choice {
    /// `--config FILE` or `--config builtin:NAME`.
    Explicit(String),
    /// Look for a policy file at the repository root, else the default preset.
    Discover,
}

/// How a run uses ShellCheck ([`Policy::shellcheck`]).
#[derive(Debug, Clone)]
pub struct ShellcheckSettings {
    pub enabled: bool,
    /// The program found, if any.
    pub program: Option<PathBuf>,
    /// The policy's `shellcheck.path`, as written.
    pub configured: Option<String>,
}

/// Loads, merges and validates the policy for a run rooted at `root`.
pub fn load(choice: &Choice, root: &Path, fetcher: GithubFetcher) -> Result<Policy, PolicyError> {
    load_on(choice, root, fetcher, Date::today())
}

/// [`load`] as if today were `today` (exception expiry).
pub fn load_on(
    choice: &Choice,
    root: &Path,
    fetcher: GithubFetcher,
    today: Date,
) -> Result<Policy, PolicyError> {
    let mut loader = load::Loader::new(fetcher);
    layers(choice, root, &mut loader, &[], today)
}

/// What a run asks of the policy: the repository's, the required ones under it, and
/// the revision whose policy the change is reviewed against.
#[derive(Debug, Clone)]
pub struct Request {
    pub choice: Choice,
    /// `--required-policy`: sources applied first, in order, whatever the repository's
    /// policy says or omits.
    pub required: Vec<String>,
    /// `--policy-base`: a git revision.
    pub base: Option<String>,
    /// With a base: apply the base's policy and only review the working tree's (a
    /// `pull_request_target` run, whose working tree is the untrusted head).
    pub apply_base: bool,
}

impl Request {
    /// The repository's policy `config` names (`--config`), else the one found.
    pub fn new(config: Option<&str>) -> Request {
        Request {
            choice: match config {
                Some(spec) => Choice::Explicit(spec.to_string()),
                None => Choice::Discover,
            },
            required: Vec::new(),
            base: None,
            apply_base: false,
        }
    }
}

/// Loads the policy `request` names for a run rooted at `root`. With a base, the
/// base's policy is loaded too (its files read at that revision, under the same
/// required policies), and the weakenings of the working tree's are in
/// [`Policy::review`].
pub fn load_request(
    request: &Request,
    root: &Path,
    fetcher: GithubFetcher,
    today: Date,
) -> anyhow::Result<Policy> {
    let mut loader = load::Loader::new(fetcher);
    let mut required: Vec<std::sync::Arc<Document>> = Vec::new();
    for spec in &request.required {
        for document in loader.chain(source_for(spec)?)? {
            if !required.iter().any(|known| known.name == document.name) {
                required.push(document);
            }
        }
    }
    loader.pin(&required);
    let mut policy = layers(&request.choice, root, &mut loader, &required, today)?;
    if let Some(name) = &request.base {
        let revision = tree::Revision::open(root, name).map_err(anyhow::Error::msg)?;
        let mut base_loader = loader.reading(tree::Tree::Revision(revision));
        // A base whose policy does not load (an organisation tightened its required
        // policy, and the change brings the repository in line) gated nothing: the
        // change is reviewed against the default instead of being blocked by it.
        let mut base = match layers(&request.choice, root, &mut base_loader, &required, today) {
            Ok(base) => base,
            Err(error) => {
                policy.notes.push(format!(
                    "the policy at --policy-base {name} does not load ({error}): the change is reviewed against {}",
                    if required.is_empty() { DEFAULT_POLICY } else { "the required policies alone" }
                ));
                assemble(
                    default_choice(&required)?,
                    &mut base_loader,
                    &required,
                    root,
                    today,
                )?
            }
        };
        let mut review = review::review(&base, &policy, name);
        review.applied_base = request.apply_base;
        if request.apply_base {
            base.review = Some(review);
            return Ok(base);
        }
        policy.review = Some(review);
    }
    Ok(policy)
}

/// The policy of a run: the `required` documents, then the repository's chain (what
/// `choice` names, found in the loader's tree) on top, merged and validated.
fn layers(
    choice: &Choice,
    root: &Path,
    loader: &mut load::Loader,
    required: &[std::sync::Arc<Document>],
    today: Date,
) -> Result<Policy, PolicyError> {
    let env = |name: &str| std::env::var(name).ok();
    let tree = loader.tree().clone();
    let source = match choice {
        // At the base, a policy file the change adds did not exist yet: the base is
        // what the run would have used without it.
        Choice::Explicit(spec)
            if tree.revision().is_some()
                && matches!(source_for(spec)?, Source::Local(ref path) if !tree.is_file(path)) =>
        {
            default_choice(required)?
        }
        Choice::Explicit(spec) if hadolint::is_config_name(Path::new(spec)) => {
            Chosen::Hadolint(Some(PathBuf::from(spec)))
        }
        Choice::Explicit(spec) => Chosen::Policy(source_for(spec)?),
        Choice::Discover => match discover_in(root, &tree)? {
            Some(path) => Chosen::Policy(Source::Local(path)),
            None => match hadolint::find_config(root, &env, &tree) {
                Some(path) => Chosen::Hadolint(Some(path)),
                None if !hadolint::variables_set(&env).is_empty() => Chosen::Hadolint(None),
                None => default_choice(required)?,
            },
        },
    };
    assemble(source, loader, required, root, today)
}

/// The policy of `chosen` on top of the `required` documents, merged and validated.
fn assemble(
    chosen: Chosen,
    loader: &mut load::Loader,
    required: &[std::sync::Arc<Document>],
    root: &Path,
    today: Date,
) -> Result<Policy, PolicyError> {
    let env = |name: &str| std::env::var(name).ok();
    let tree = loader.tree().clone();
    let mut notes = Vec::new();
    let mut hadolint_format = None;
    let repository = match chosen {
        Chosen::Policy(source) => {
            let variables = hadolint::variables_set(&env);
            if !variables.is_empty() {
                notes.push(format!(
                    "{} {} no effect: the policy is {}, and hadolint's variables apply only where hadolint's configuration is the policy",
                    variables.join(", "),
                    if variables.len() == 1 { "has" } else { "have" },
                    source.name()
                ));
            }
            loader.chain(source)?
        }
        // hadolint's configuration (a file, its variables, or both) on top of
        // hadolint's defaults.
        Chosen::Hadolint(file) => {
            let mut chain = loader.chain(Source::Builtin("hadolint"))?;
            let (documents, format) = hadolint::documents(file.as_deref(), &env, &tree)?;
            chain.extend(documents.into_iter().map(std::sync::Arc::new));
            hadolint_format = format;
            chain
        }
        Chosen::RequiredOnly => Vec::new(),
    };
    // The required layer is at the bottom; what the repository's chain shares with it
    // (it may extend the same organisation policy) is applied once, there. Names are
    // compared: `org.yml` on the command line and `./org.yml` extended by the
    // repository's file are one file, and both are named `org.yml`.
    let mut chain = required.to_vec();
    for document in repository {
        if !chain.iter().any(|known| known.name == document.name) {
            chain.push(document);
        }
    }
    let mut merged = Merged::new();
    merged.required = required
        .iter()
        .map(|document| document.name.clone())
        .collect();
    for document in &chain {
        merged.apply(document)?;
    }
    let mut policy = Policy::new(chain, merged, root, today)?;
    policy.notes = notes;
    policy.hadolint_format = hadolint_format;
    Ok(policy)
}

/// The policy without a repository policy file: the required policies alone when there
/// are some (the default preset on top could only weaken what they lock), else the
/// default preset.
fn default_choice(required: &[std::sync::Arc<Document>]) -> Result<Chosen, PolicyError> {
    if required.is_empty() {
        Ok(Chosen::Policy(source_for(DEFAULT_POLICY)?))
    } else {
        Ok(Chosen::RequiredOnly)
    }
}

/// What a run's policy is made of.
enum Chosen {
    /// A dockgate policy and what it extends.
    Policy(Source),
    /// hadolint's configuration: its file (when there is one) and its variables.
    Hadolint(Option<PathBuf>),
    /// No repository policy: the required policies alone.
    RequiredOnly,
}

/// Parses and validates one policy text on its own, without reading what it extends.
pub fn parse_document(name: &str, text: &str) -> Result<Document, PolicyError> {
    load::parse(Source::Local(PathBuf::from(name)), text)
}

/// The source a `--config` value names.
pub fn source_for(spec: &str) -> Result<Source, PolicyError> {
    if let Some(name) = spec.strip_prefix("builtin:") {
        return presets::find(name).map(Source::Builtin).ok_or_else(|| {
            PolicyError::new(
                spec,
                Location::START,
                format!(
                    "unknown built-in policy `{spec}` (available: {}){}",
                    PRESETS
                        .iter()
                        .map(|n| format!("builtin:{n}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    suggestion(name, PRESETS.iter().copied())
                ),
            )
        });
    }
    if spec.starts_with("github:") {
        return GithubRef::parse(spec)
            .map(Source::Remote)
            .map_err(|message| PolicyError::new(spec, Location::START, message));
    }
    Ok(Source::Local(PathBuf::from(spec)))
}

/// The repository's policy file, if it has one. Two of them is an error: which one
/// applies would be a guess.
pub fn discover(root: &Path) -> Result<Option<PathBuf>, PolicyError> {
    discover_in(root, &tree::Tree::Working)
}

/// [`discover`] in `tree` (the working tree or a revision).
fn discover_in(root: &Path, tree: &tree::Tree) -> Result<Option<PathBuf>, PolicyError> {
    let found: Vec<PathBuf> = POLICY_FILE_NAMES
        .iter()
        .map(|name| root.join(name))
        .filter(|path| tree.is_file(path))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, second, ..] => Err(PolicyError::new(
            second.display().to_string(),
            Location::START,
            format!(
                "two policy files: `{}` and `{}`; keep one, or choose with --config",
                first.display(),
                second.display()
            ),
        )),
    }
}

fn glob_set<'a>(globs: impl IntoIterator<Item = &'a Glob>) -> globset::GlobSet {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        builder.add(
            globset::GlobBuilder::new(&glob.0)
                .literal_separator(true)
                .build()
                .expect("globs are validated when the policy is read"),
        );
    }
    builder.build().expect("a set of valid globs builds")
}

impl Policy {
    fn new(
        chain: Vec<std::sync::Arc<Document>>,
        merged: Merged,
        root: &Path,
        today: Date,
    ) -> Result<Policy, PolicyError> {
        let name = chain
            .last()
            .map(|document| document.name.clone())
            .unwrap_or_default();
        let settings: PolicyFile =
            serde_yaml_ng::from_value(merged.value.clone()).map_err(|error| {
                PolicyError::new(
                    name,
                    Location::START,
                    format!("the merged policy is invalid: {error}"),
                )
            })?;
        let overrides = settings
            .overrides
            .iter()
            .flat_map(|list| list.items())
            .map(|entry| (glob_set(&entry.paths), entry.rules.clone()))
            .collect();
        let files = settings.files.clone().unwrap_or_default();
        let include = files.include.as_ref().map(|globs| glob_set(globs.items()));
        let exclude = files.exclude.as_ref().map(|globs| glob_set(globs.items()));
        let mut exceptions = Vec::new();
        let mut expired: Vec<PolicyFindings> = Vec::new();
        for (index, exception) in settings
            .exceptions
            .iter()
            .flat_map(|list| list.items())
            .enumerate()
        {
            if exception.expires >= today {
                exceptions.push(ActiveException {
                    rules: exception.rules.clone(),
                    paths: exception.paths.as_ref().map(glob_set),
                    images: exception.images.as_ref().map(glob_set),
                });
                continue;
            }
            let path = SettingPath::parse("exceptions").index(index);
            if let Some(origin) = merged.origin(&path) {
                expired_finding(&chain, origin, exception, &mut expired);
            }
        }
        if let Some(max_days) = settings.max_exception_days {
            refuse_distant_exceptions(&settings, &merged, max_days, today)?;
        }
        let mut base_rules = RuleSet::defaults();
        apply_rule_settings(&section_settings(&settings), &mut base_rules);
        if let Some(rules) = &settings.rules {
            apply_rule_settings(rules, &mut base_rules);
        }
        Ok(Policy {
            chain,
            settings,
            merged,
            root: root.to_path_buf(),
            overrides,
            include,
            exclude,
            exceptions,
            base_rules,
            expired,
            notes: Vec::new(),
            hadolint_format: None,
            review: None,
        })
    }

    /// The name of the repository's own policy (the last one applied).
    pub fn name(&self) -> &str {
        self.chain
            .last()
            .map_or(DEFAULT_POLICY, |document| document.name.as_str())
    }

    /// The threshold the policy sets, if it sets one.
    pub fn fail_on(&self) -> Option<FailOn> {
        self.settings.fail_on
    }

    /// Whether the policy's `files` selection keeps `path` (relative to the root).
    pub fn includes(&self, path: &str) -> bool {
        let path = path.strip_prefix("./").unwrap_or(path);
        self.include.as_ref().is_none_or(|set| set.is_match(path))
            && !self.exclude.as_ref().is_some_and(|set| set.is_match(path))
    }

    /// The rules for the Dockerfile at `path` (relative to the root): `rules`, then the
    /// `overrides` that match, in order.
    pub fn rule_set(&self, path: &str) -> RuleSet {
        self.rules_for(Some(path.strip_prefix("./").unwrap_or(path)))
    }

    /// The rules for images: `rules` (path overrides are for Dockerfiles).
    pub fn image_rule_set(&self) -> RuleSet {
        self.rules_for(None)
    }

    fn rules_for(&self, path: Option<&str>) -> RuleSet {
        let mut set = self.base_rules.clone();
        for (paths, settings) in &self.overrides {
            if path.is_some_and(|path| paths.is_match(path)) {
                apply_rule_settings(settings, &mut set);
            }
        }
        set
    }

    /// Whether ShellCheck runs, and the program (`shellcheck.path`, relative to the
    /// root, else the first `shellcheck` on `PATH`).
    pub fn shellcheck(&self) -> ShellcheckSettings {
        let section = self.settings.shellcheck.as_ref();
        let configured = section.and_then(|section| section.path.clone());
        let resolved = configured
            .as_ref()
            .map(|path| self.root.join(path).to_string_lossy().into_owned());
        ShellcheckSettings {
            enabled: section.and_then(|section| section.enabled).unwrap_or(true),
            program: crate::shellcheck::locate(resolved.as_deref()),
            configured,
        }
    }

    /// What inline ignore pragmas may do.
    pub fn pragma_mode(&self) -> PragmaMode {
        match self.settings.pragmas.unwrap_or(PragmaPolicy::Allowed) {
            PragmaPolicy::Allowed => PragmaMode::Allowed,
            PragmaPolicy::ReasonRequired => PragmaMode::ReasonRequired,
            PragmaPolicy::Forbidden => PragmaMode::Forbidden,
        }
    }

    /// The rules some policy of the chain locked.
    pub fn locked_rules(&self) -> Vec<&'static str> {
        self.merged
            .locks
            .iter()
            .filter_map(|lock| match lock.path.0.as_slice() {
                [locate::Segment::Key(section), locate::Segment::Key(code)]
                    if section == "rules" =>
                {
                    rules::find(code).map(|rule| rule.code)
                }
                _ => None,
            })
            .collect()
    }

    /// Whether an unexpired exception waives `rule` for a finding located in the
    /// Dockerfile at `path` (relative to the root) and about the image `image`. An
    /// exception's `paths` need the finding to be in a matching file, its `images` to
    /// be about a matching image; one with neither waives the rule everywhere.
    pub fn waives(&self, rule: &str, path: Option<&str>, image: Option<&str>) -> bool {
        let path = path.map(|path| path.strip_prefix("./").unwrap_or(path));
        self.exceptions.iter().any(|exception| {
            exception.rules.iter().any(|code| code == rule)
                && covers(&exception.paths, path)
                && covers(&exception.images, image)
        })
    }

    /// The name of the policy that set the dotted `key` (`reporting.check_name`), when
    /// one did.
    pub fn set_by(&self, key: &str) -> Option<&str> {
        self.merged
            .origin(&SettingPath::parse(key))
            .map(|origin| origin.policy.as_str())
    }

    /// The merged policy as YAML, each value annotated with the policy that set it.
    pub fn show(&self) -> String {
        show::annotated(&self.merged, &self.chain)
    }

    /// The names of the required policies (`--required-policy` and what they extend),
    /// the bottom of [`Policy::chain`].
    pub fn required(&self) -> &[String] {
        &self.merged.required
    }
}

/// What the policy's sections (`image`, `base_images`, `labels`) say to the rules,
/// read through the rules' own declarations: a declared option's `policy_key` that
/// the policy sets becomes that option, a `switched_by` key set to `true` turns the
/// rule on. Explicit `rules.CODE.options` override these.
fn section_settings(settings: &PolicyFile) -> BTreeMap<String, RuleSetting> {
    let sections = serde_json::to_value(settings).unwrap_or_default();
    let mut rule_settings: BTreeMap<String, RuleSetting> = BTreeMap::new();
    for rule in rules::all() {
        let switched_on = rule
            .switched_by
            .and_then(|key| section_value(&sections, key));
        if switched_on == Some(serde_json::Value::Bool(true)) {
            rule_settings.entry(rule.code.to_string()).or_default();
        }
        for option in rule.options {
            let Some(value) = option
                .policy_key
                .and_then(|key| section_value(&sections, key))
            else {
                continue;
            };
            rule_settings
                .entry(rule.code.to_string())
                .or_default()
                .options
                .get_or_insert_with(Default::default)
                .insert(option.name.to_string(), value);
        }
    }
    rule_settings
}

/// Applies `settings` (a policy's `rules`, an override's, or what the sections say) to
/// `set`: a severity, `off`, options merged over the current ones.
fn apply_rule_settings(settings: &BTreeMap<String, RuleSetting>, set: &mut RuleSet) {
    for (code, setting) in settings {
        let Some(rule) = rules::find(code) else {
            continue;
        };
        if matches!(rule.check, rules::Check::External) && setting.severity.is_none() {
            // `SC2086: on`: ShellCheck's own level again.
            set.restore(rule.code);
            continue;
        }
        let current = set.get(code);
        let severity = match setting.severity {
            Some(level) => level.severity(),
            None => current
                .as_ref()
                .map(|(severity, _)| *severity)
                .or(Some(rule.severity)),
        };
        let mut options = current
            .map(|(_, options)| (**options).clone())
            .unwrap_or_default();
        for (name, value) in setting.options.iter().flatten() {
            options.insert(name.clone(), value.clone());
        }
        match severity {
            Some(severity) => set.set(rule, severity, rules::Options::new(options)),
            None => set.remove(rule.code),
        }
    }
}

/// The value at the dotted `key` of the merged settings, with a list's `{append: [...]}`
/// form flattened to the list (after merging, it is the whole list).
fn section_value(sections: &serde_json::Value, key: &str) -> Option<serde_json::Value> {
    let value = key
        .split('.')
        .try_fold(sections, |value, segment| value.get(segment))?;
    let value = match value.as_object().and_then(|map| map.get("append")) {
        Some(items) if value.as_object().is_some_and(|map| map.len() == 1) => items,
        _ => value,
    };
    (!value.is_null()).then(|| value.clone())
}

/// Whether `globs` (none: everything) cover `text` (none: only when there are no globs).
fn covers(globs: &Option<globset::GlobSet>, text: Option<&str>) -> bool {
    match (globs, text) {
        (None, _) => true,
        (Some(set), Some(text)) => set.is_match(text),
        (Some(_), None) => false,
    }
}

/// Fails at the first exception whose `expires` is more than `max_days` after `today`.
fn refuse_distant_exceptions(
    settings: &PolicyFile,
    merged: &Merged,
    max_days: u32,
    today: Date,
) -> Result<(), PolicyError> {
    let latest = today.plus_days(i64::from(max_days));
    let items = settings.exceptions.iter().flat_map(|list| list.items());
    for (index, exception) in items.enumerate() {
        if exception.expires <= latest {
            continue;
        }
        let at = SettingPath::parse("exceptions").index(index).key("expires");
        let (file, location) = merged
            .origin(&at)
            .map_or((String::new(), Location::START), |origin| {
                (origin.policy.clone(), origin.location)
            });
        let set_by = merged
            .origin(&SettingPath::parse("max_exception_days"))
            .map(|origin| {
                format!(
                    " (max_exception_days: {max_days} at {}:{}:{})",
                    origin.policy, origin.location.line, origin.location.column
                )
            })
            .unwrap_or_default();
        return Err(PolicyError::new(
            file,
            location,
            format!(
                "the exception for {} expires {}, more than {max_days} days from today ({today}): refused; the latest date allowed is {latest}{set_by}",
                exception.rules.join(", "),
                exception.expires
            ),
        ));
    }
    Ok(())
}

/// A DG0001 finding on the exception at `origin`, in that policy file's report.
fn expired_finding(
    chain: &[std::sync::Arc<Document>],
    origin: &merge::Origin,
    exception: &Exception,
    reports: &mut Vec<PolicyFindings>,
) {
    let Some(document) = chain.iter().find(|document| document.name == origin.policy) else {
        return;
    };
    let rule = &rules::policy::dg0001::RULE;
    let finding = finding_on_line(
        &document.name,
        &document.text,
        origin.location,
        rule.code,
        rule.severity,
        format!(
            "The exception for {} (owner {}) expired on {}: {}",
            exception.rules.join(", "),
            exception.owner,
            exception.expires,
            exception.reason
        ),
    );
    add_policy_finding(reports, &document.name, &document.text, finding);
}

/// A finding in the policy file `name` (its `text`) from `location` to the end of its
/// line.
fn finding_on_line(
    name: &str,
    text: &str,
    location: Location,
    code: &'static str,
    severity: crate::finding::Severity,
    message: String,
) -> Finding {
    let offset = offset_of(text, location);
    let line_end = text[offset..]
        .find('\n')
        .map_or(text.len(), |end| offset + end);
    let range = TextRange::new(offset, line_end);
    let mut place = crate::finding::Location::new(name.to_string(), range, range);
    place.locate(text, &LineIndex::new(text));
    Finding::in_file(code, severity, place, message)
}

/// Adds `finding` to the report of the policy file `name`.
fn add_policy_finding(reports: &mut Vec<PolicyFindings>, name: &str, text: &str, finding: Finding) {
    match reports.iter_mut().find(|report| report.path == name) {
        Some(report) => report.findings.push(finding),
        None => reports.push(PolicyFindings {
            path: name.to_string(),
            text: text.to_string(),
            findings: vec![finding],
        }),
    }
}

/// The byte offset of a 1-based line and character column in `text`.
fn offset_of(text: &str, location: Location) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(location.line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        .min(text.len());
    let line = &text[line_start..];
    line_start
        + line
            .char_indices()
            .nth(location.column.saturating_sub(1))
            .map_or(line.find('\n').unwrap_or(line.len()), |(offset, _)| offset)
}
