//! `--policy-base REF`: how the working tree's policy weakens the base's.
//!
//! Both sides are the *merged effective* policies (required layer, repository chain),
//! so a removed `extends` shows as each weakening it causes, plus the removal itself.
//! A weakening is: a rule turned off or lowered (in `rules` or an `overrides` entry, or
//! by removing an `overrides` entry that made it stricter), a budget raised or removed,
//! a requirement switched off, an allowlist widened, a denylist shortened, a Dockerfile
//! excluded or an image no longer checked, ShellCheck switched off, `fail_on` raised,
//! `pragmas` relaxed, `max_exception_days` raised, an exception added or extended (more
//! rules, wider paths or images, a later expiry), a `locked` entry removed, a policy of
//! the chain (an `extends` entry, the repository's file itself) gone. Tightening is not
//! reported.
//!
//! Each weakening is placed on the line of its key in the working tree's file that sets
//! it; a setting that is gone is placed on its nearest surviving parent key there (the
//! `rules:` line for a rule whose entry was deleted), else on line 1 of the
//! repository's policy file.

use std::sync::Arc;

use serde_yaml_ng::Value;

use super::file::{Exception, FailOn, Glob, Level, Override};
use super::load::{Document, Source};
use super::locate::{Location, SettingPath, get};
use super::lock::{self, Weakening};
use super::{Policy, PolicyFindings};
use crate::finding::Severity;
use crate::rules::{self, Check, RuleSet};

/// What the change under review does to the policy.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// The base revision, as named (`--policy-base`).
    pub base: String,
    /// Every weakening, in the order of the files and lines they are on.
    pub changes: Vec<PolicyChange>,
    /// The DG0004 findings on the policy files, at the base policy's severity for
    /// DG0004 (none when the base turned it off).
    pub findings: Vec<PolicyFindings>,
    /// The base's `fail_on`: the run is judged by the stricter of it and the working
    /// tree's.
    pub base_fail_on: Option<FailOn>,
    /// Whether the run applies the base's policy (`pull_request_target`) rather than
    /// the working tree's.
    pub applied_base: bool,
}

impl Review {
    /// The exceptions the change adds or extends, with who answers for them.
    pub fn exceptions(&self) -> impl Iterator<Item = (&PolicyChange, &ExceptionChange)> {
        self.changes.iter().filter_map(|change| {
            change
                .exception
                .as_ref()
                .map(|exception| (change, exception))
        })
    }
}

/// One weakening.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// The setting (`rules.DL3007`, `image.max_size`, `exceptions[1]`, `extends`).
    pub setting: String,
    /// What changed: "DL3007 turned off (was error)".
    pub message: String,
    /// The policy file it is placed in, and where.
    pub path: String,
    pub location: Location,
    /// For an exception added or extended: the exception.
    pub exception: Option<ExceptionChange>,
}

/// An exception the change adds, or widens or prolongs.
#[derive(Debug, Clone)]
pub struct ExceptionChange {
    /// `true`: new; `false`: an existing one extended.
    pub added: bool,
    pub rules: Vec<String>,
    pub paths: Option<Vec<String>>,
    pub images: Option<Vec<String>>,
    pub owner: String,
    pub reason: String,
    pub expires: String,
}

impl ExceptionChange {
    /// Where it waives: "in nightly/Dockerfile for docker://ghcr.io/acme/*", or
    /// "everywhere".
    pub fn scope(&self) -> String {
        let mut scope = Vec::new();
        if let Some(paths) = &self.paths {
            scope.push(format!("in {}", paths.join(", ")));
        }
        if let Some(images) = &self.images {
            scope.push(format!("for {}", images.join(", ")));
        }
        if scope.is_empty() {
            "everywhere".to_string()
        } else {
            scope.join(" ")
        }
    }

    /// "DL3007 in nightly/Dockerfile, owner @acme/release, expires 2027-06-30: reason".
    pub fn summary(&self) -> String {
        format!(
            "{} {}, owner {}, expires {}: {}",
            self.rules.join(", "),
            self.scope(),
            self.owner,
            self.expires,
            self.reason
        )
    }
}

/// The weakenings of `head` (the working tree's policy) against `base` (the policy at
/// `name`).
pub fn review(base: &Policy, head: &Policy, name: &str) -> Review {
    let mut found = Vec::new();
    rule_changes(base, head, &mut found);
    override_changes(base, head, &mut found);
    setting_changes(base, head, &mut found);
    exception_changes(base, head, &mut found);
    lock_changes(base, head, &mut found);
    chain_changes(base, head, &mut found);
    let placement = Placement::new(base, head);
    let mut changes: Vec<PolicyChange> = found
        .into_iter()
        .map(|found| placement.place(found))
        .collect();
    changes.sort_by(|a, b| (&a.path, a.location).cmp(&(&b.path, b.location)));
    let rule = &rules::policy::dg0004::RULE;
    let severity = base.image_rule_set().severity(rule.code);
    let mut findings: Vec<PolicyFindings> = Vec::new();
    if let Some(severity) = severity {
        for change in &changes {
            let text = placement.text(&change.path);
            let finding = super::finding_on_line(
                &change.path,
                &text,
                change.location,
                rule.code,
                severity,
                format!("{} (against {name})", change.message),
            );
            super::add_policy_finding(&mut findings, &change.path, &text, finding);
        }
    }
    Review {
        base: name.to_string(),
        changes,
        findings,
        base_fail_on: base.fail_on(),
        applied_base: false,
    }
}

/// A weakening before it is placed: the merged setting path it is about.
struct Found {
    at: SettingPath,
    message: String,
    exception: Option<ExceptionChange>,
    /// Place it at this file's key instead (a removed `extends` entry, a removed lock).
    file: Option<String>,
}

fn found(at: SettingPath, message: String) -> Found {
    Found {
        at,
        message,
        exception: None,
        file: None,
    }
}

/// A rule's effect: off, or on at a severity (`None`: ShellCheck's own level).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Effect {
    Off,
    On(Option<Severity>),
}

fn effect(set: &RuleSet, rule: &rules::Rule) -> Effect {
    if matches!(rule.check, Check::External) {
        return match set.external_severity(rule.code, Severity::Style) {
            None => Effect::Off,
            Some(_) => Effect::On(set.severity(rule.code)),
        };
    }
    match set.severity(rule.code) {
        Some(severity) => Effect::On(Some(severity)),
        None => Effect::Off,
    }
}

/// "turned off (was error)", "lowered from error to info", when `head` is weaker.
fn weaker(base: Effect, head: Effect) -> Option<String> {
    let was = |severity: Option<Severity>| severity.map_or("on", Severity::as_str);
    match (base, head) {
        (Effect::On(before), Effect::Off) => Some(format!("turned off (was {})", was(before))),
        (Effect::On(Some(before)), Effect::On(Some(after))) if after < before => Some(format!(
            "lowered from {} to {}",
            before.as_str(),
            after.as_str()
        )),
        _ => None,
    }
}

/// Rules the repository-wide settings weaken. Rules a section switches (DG2031 by
/// `image.distroless`, ...) are left to the section's comparison.
fn rule_changes(base: &Policy, head: &Policy, found_out: &mut Vec<Found>) {
    for rule in rules::all() {
        if rule.switched_by.is_some() {
            continue;
        }
        let before = effect(&base.base_rules, rule);
        let after = effect(&head.base_rules, rule);
        if let Some(what) = weaker(before, after) {
            found_out.push(found(
                SettingPath::parse("rules").key(rule.code),
                format!("{} {what}", rule.code),
            ));
        }
    }
}

/// `overrides` entries the change adds, for what they turn off or lower against the
/// repository-wide setting, and those it removes, for what they made stricter than the
/// setting is now.
fn override_changes(base: &Policy, head: &Policy, found_out: &mut Vec<Found>) {
    let entries = |policy: &'_ Policy| -> Vec<Override> {
        policy
            .settings
            .overrides
            .iter()
            .flat_map(|list| list.items())
            .cloned()
            .collect()
    };
    let (before, after) = (entries(base), entries(head));
    for (index, entry) in after.iter().enumerate() {
        if before.contains(entry) {
            continue;
        }
        for (rule, here) in levels(entry) {
            if let Some(what) = weaker(effect(&head.base_rules, rule), here) {
                let at = SettingPath::parse("overrides").index(index);
                found_out.push(found(
                    at.key("rules").key(rule.code),
                    format!(
                        "{} {what} for {}",
                        rule.code,
                        globs(&entry.paths).join(", ")
                    ),
                ));
            }
        }
    }
    for entry in before.iter().filter(|entry| !after.contains(entry)) {
        for (rule, there) in levels(entry) {
            if let Some(what) = weaker(there, effect(&head.base_rules, rule)) {
                found_out.push(found(
                    SettingPath::parse("overrides"),
                    format!(
                        "{} {what} for {} (its override is gone)",
                        rule.code,
                        globs(&entry.paths).join(", ")
                    ),
                ));
            }
        }
    }
}

/// The rules an `overrides` entry gives a severity (or `off`), with that effect.
fn levels(entry: &Override) -> impl Iterator<Item = (&'static rules::Rule, Effect)> + '_ {
    entry.rules.iter().filter_map(|(code, setting)| {
        let effect = match setting.severity? {
            Level::Off => Effect::Off,
            level => Effect::On(level.severity()),
        };
        Some((rules::find(code)?, effect))
    })
}

fn globs(globs: &[Glob]) -> Vec<String> {
    globs.iter().map(|glob| glob.0.clone()).collect()
}

/// The defaults a removed setting falls back to, as the lock comparison reads them.
fn default_of(key: &str) -> Option<Value> {
    match key {
        "fail_on" => Some(Value::String("warning".into())),
        "pragmas" => Some(Value::String("allowed".into())),
        "non_root" => Some(Value::Bool(true)),
        "numeric_user" | "distroless" | "require_digest" | "strict" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// Scalars, budgets, requirements and lists of the sections.
fn setting_changes(base: &Policy, head: &Policy, found_out: &mut Vec<Found>) {
    let (before, after) = (&base.merged.value, &head.merged.value);
    let mut paths: Vec<SettingPath> = ["fail_on", "pragmas", "max_exception_days"]
        .iter()
        .map(|key| SettingPath::parse(key))
        .collect();
    for section in ["image", "base_images", "labels"] {
        let mut keys: Vec<String> = Vec::new();
        for side in [before, after] {
            for key in get(side, &SettingPath::parse(section))
                .and_then(Value::as_mapping)
                .into_iter()
                .flatten()
                .filter_map(|(key, _)| key.as_str())
            {
                if !keys.iter().any(|known| known == key) {
                    keys.push(key.to_string());
                }
            }
        }
        paths.extend(keys.iter().map(|key| SettingPath::parse(section).key(key)));
    }
    for path in paths {
        let old = get(before, &path);
        let new = get(after, &path);
        if old == new {
            continue;
        }
        let key = path.to_string();
        let last = key.rsplit('.').next().unwrap_or(&key).to_string();
        let Some(old) = old.cloned().or_else(|| default_of(&last)) else {
            continue;
        };
        if last == "required"
            && let Some(gone) = lost_labels(&old, new)
        {
            found_out.push(found(path, format!("`{key}` {gone}")));
            continue;
        }
        let message = match new.cloned().or_else(|| default_of(&last)) {
            Some(new) => match lock::weakens_setting(&path, Some(&old), &new) {
                Some(Weakening::Changed) | None => continue,
                Some(weakening) => format!("`{key}` {}", weakening.done()),
            },
            None => match removed(&last, &old) {
                Some(message) => format!("`{key}` {message}"),
                None => continue,
            },
        };
        found_out.push(found(path, message));
    }
    list_changes(before, after, found_out);
}

/// "`a`, `b` no longer required": the labels of `old` that `new` drops.
fn lost_labels(old: &Value, new: Option<&Value>) -> Option<String> {
    let kept = new.and_then(Value::as_mapping);
    let lost: Vec<String> = old
        .as_mapping()?
        .keys()
        .filter(|label| !kept.is_some_and(|kept| kept.contains_key(*label)))
        .map(lock::scalar_text)
        .collect();
    (!lost.is_empty()).then(|| format!("{} no longer required", lost.join(", ")))
}

/// What removing a setting without a default does: a budget or a list gone.
fn removed(key: &str, old: &Value) -> Option<String> {
    let text = lock::scalar_text(old);
    if key.starts_with("max_") {
        return Some(format!("removed (was {text})"));
    }
    let items = lock::entries(old);
    if items.is_empty() {
        return None;
    }
    Some(match key {
        "deny" => format!("removed (it denied {})", items.join(", ")),
        "required" => format!("removed (it required {})", items.join(", ")),
        _ => format!(
            "removed (it allowed only {}; none allows anything)",
            items.join(", ")
        ),
    })
}

/// `files.exclude` and `images`: fewer Dockerfiles or images checked; and ShellCheck.
fn list_changes(before: &Value, after: &Value, found_out: &mut Vec<Found>) {
    let items = |value: &Value, key: &str| {
        get(value, &SettingPath::parse(key))
            .map(lock::entries)
            .unwrap_or_default()
    };
    for item in items(after, "files.exclude") {
        if !items(before, "files.exclude").contains(&item) {
            found_out.push(found(
                SettingPath::parse("files.exclude"),
                format!("`files.exclude` `{item}` added: fewer Dockerfiles checked"),
            ));
        }
    }
    // `include` unset checks every Dockerfile; a glob gone may leave some out.
    let included =
        |value: &Value| get(value, &SettingPath::parse("files.include")).map(lock::entries);
    match (included(before), included(after)) {
        (None, Some(now)) => found_out.push(found(
            SettingPath::parse("files.include"),
            format!(
                "`files.include` set to {}: only those Dockerfiles checked",
                now.join(", ")
            ),
        )),
        (Some(was), Some(now)) => {
            for glob in was.iter().filter(|glob| !now.contains(glob)) {
                found_out.push(found(
                    SettingPath::parse("files.include"),
                    format!("`files.include` `{glob}` removed: fewer Dockerfiles checked"),
                ));
            }
        }
        _ => {}
    }
    let kept = items(after, "images");
    for image in items(before, "images") {
        if !kept.contains(&image) {
            found_out.push(found(
                SettingPath::parse("images"),
                format!("image `{image}` no longer checked"),
            ));
        }
    }
    let enabled = |value: &Value| {
        get(value, &SettingPath::parse("shellcheck.enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(true)
    };
    if enabled(before) && !enabled(after) {
        found_out.push(found(
            SettingPath::parse("shellcheck.enabled"),
            "ShellCheck switched off".to_string(),
        ));
    }
}

/// Exceptions the base does not have, or that the change widens or prolongs.
fn exception_changes(base: &Policy, head: &Policy, found_out: &mut Vec<Found>) {
    let before: Vec<&Exception> = base
        .settings
        .exceptions
        .iter()
        .flat_map(|list| list.items())
        .collect();
    let after = head
        .settings
        .exceptions
        .iter()
        .flat_map(|list| list.items());
    for (index, exception) in after.enumerate() {
        if before.contains(&exception) {
            continue;
        }
        let overlaps =
            |old: &&&Exception| old.rules.iter().any(|code| exception.rules.contains(code));
        // Its counterpart: the base's entry at the same place if it waives any of the
        // same rules, else the first that does.
        let counterpart = before
            .get(index)
            .filter(overlaps)
            .or_else(|| before.iter().find(overlaps));
        let change = ExceptionChange {
            added: counterpart.is_none(),
            rules: exception.rules.clone(),
            paths: exception.paths.as_deref().map(globs),
            images: exception.images.as_deref().map(globs),
            owner: exception.owner.clone(),
            reason: exception.reason.clone(),
            expires: exception.expires.to_string(),
        };
        let message = match counterpart {
            None => format!("exception added: {}", change.summary()),
            Some(old) => match widened(old, exception) {
                Some(how) => format!("exception extended ({how}): {}", change.summary()),
                None => continue,
            },
        };
        found_out.push(Found {
            exception: Some(change),
            ..found(SettingPath::parse("exceptions").index(index), message)
        });
    }
}

/// How `new` waives more than `old`: more rules, wider paths or images, later expiry.
fn widened(old: &Exception, new: &Exception) -> Option<String> {
    let mut how = Vec::new();
    let more_rules: Vec<&str> = new
        .rules
        .iter()
        .filter(|code| !old.rules.contains(code))
        .map(String::as_str)
        .collect();
    if !more_rules.is_empty() {
        how.push(format!("rules {} added", more_rules.join(", ")));
    }
    for (what, old_globs, new_globs) in [
        ("paths", &old.paths, &new.paths),
        ("images", &old.images, &new.images),
    ] {
        match (old_globs, new_globs) {
            (Some(_), None) => how.push(format!("{what} now every one")),
            (Some(old), Some(new)) => {
                let added: Vec<String> = globs(new)
                    .into_iter()
                    .filter(|glob| !globs(old).contains(glob))
                    .collect();
                if !added.is_empty() {
                    how.push(format!("{what} {} added", added.join(", ")));
                }
            }
            _ => {}
        }
    }
    if new.expires > old.expires {
        how.push(format!("expiry {} -> {}", old.expires, new.expires));
    }
    (!how.is_empty()).then(|| how.join(", "))
}

/// Locks of the base that the working tree's chain no longer sets.
fn lock_changes(base: &Policy, head: &Policy, found_out: &mut Vec<Found>) {
    for lock in &base.merged.locks {
        if head.merged.locks.iter().any(|kept| kept.path == lock.path) {
            continue;
        }
        found_out.push(Found {
            file: Some(lock.policy.clone()),
            ..found(
                SettingPath::parse("locked"),
                format!(
                    "`{}` no longer locked (was locked by {}:{})",
                    lock.path, lock.policy, lock.location.line
                ),
            )
        });
    }
}

/// Policies of the base's chain the working tree's no longer applies: an `extends`
/// entry removed, or the repository's policy file itself gone.
fn chain_changes(base: &Policy, head: &Policy, found_out: &mut Vec<Found>) {
    let applied = |name: &str| head.chain.iter().any(|document| document.name == name);
    for (position, document) in base.chain.iter().enumerate() {
        if applied(&document.name) {
            continue;
        }
        // The policy that extended it at the base, to place the removal on.
        let extender = base.chain[position + 1..]
            .iter()
            .find(|later| extends(later, &document.source));
        // The default preset the base ran without a policy file sets the defaults:
        // leaving it is not a weakening by itself (what the new file sets is compared).
        if extender.is_none() && !editable(base, document) {
            continue;
        }
        let message = match extender {
            Some(later) => format!(
                "`{}` no longer extended by {}: nothing it sets or locks applies",
                document.name, later.name
            ),
            None => format!(
                "`{}` no longer applies: the repository's policy at the base, gone",
                document.name
            ),
        };
        found_out.push(Found {
            file: extender.map(|later| later.name.clone()),
            ..found(SettingPath::parse("extends"), message)
        });
    }
}

/// Whether `document` names `source` in its `extends`.
fn extends(document: &Document, source: &Source) -> bool {
    document
        .file
        .extends
        .iter()
        .flatten()
        .any(|spec| match (&document.source, source) {
            (Source::Local(path), Source::Local(target)) => {
                path.parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(spec)
                    == *target
            }
            _ => spec == &source.name(),
        })
}

/// Where findings go: the working tree's local policy files.
struct Placement<'a> {
    head: &'a Policy,
    /// The repository's own policy file in the working tree, if it has one.
    repository: Option<&'a Arc<Document>>,
    /// The repository's policy file at the base, for when it is gone.
    base_repository: Option<&'a Arc<Document>>,
}

/// A document the repository edits: a local file that is not a required policy.
fn editable(policy: &Policy, document: &Document) -> bool {
    matches!(document.source, Source::Local(_))
        && !document.name.starts_with('$')
        && !policy.required().contains(&document.name)
}

impl<'a> Placement<'a> {
    fn new(base: &'a Policy, head: &'a Policy) -> Placement<'a> {
        Placement {
            head,
            repository: head
                .chain
                .last()
                .filter(|document| editable(head, document)),
            base_repository: base
                .chain
                .last()
                .filter(|document| editable(base, document)),
        }
    }

    fn document(&self, name: &str) -> Option<&'a Arc<Document>> {
        self.head
            .chain
            .iter()
            .find(|document| document.name == name && editable(self.head, document))
    }

    fn place(&self, found: Found) -> PolicyChange {
        let setting = found.at.to_string();
        let (path, location) = self.locate(&found);
        PolicyChange {
            setting,
            message: found.message,
            path,
            location,
            exception: found.exception,
        }
    }

    fn locate(&self, found: &Found) -> (String, Location) {
        // A named file still applied: its key (or nearest parent key).
        if let Some(document) = found.file.as_deref().and_then(|name| self.document(name)) {
            return (document.name.clone(), document.locations.find(&found.at));
        }
        // The file that sets the value now, when the repository edits it.
        if found.file.is_none()
            && let Some(origin) = self.head.merged.origins.get(&found.at)
            && let Some(document) = self.document(&origin.policy)
        {
            return (document.name.clone(), origin.location);
        }
        if let Some(document) = self.repository {
            return (document.name.clone(), document.locations.find(&found.at));
        }
        let name = self.base_repository.map_or_else(
            || super::POLICY_FILE_NAMES[0].to_string(),
            |document| document.name.clone(),
        );
        (name, Location::START)
    }

    /// The working tree's text of the file at `name` (empty when it is gone).
    fn text(&self, name: &str) -> String {
        self.head
            .chain
            .iter()
            .find(|document| document.name == name)
            .map(|document| document.text.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exception(rules: &[&str], paths: Option<&[&str]>, expires: &str) -> Exception {
        Exception {
            rules: rules.iter().map(|code| code.to_string()).collect(),
            paths: paths.map(|paths| paths.iter().map(|path| Glob(path.to_string())).collect()),
            images: None,
            owner: "@acme/one".into(),
            reason: "why".into(),
            expires: expires.parse().unwrap(),
        }
    }

    #[test]
    fn weaker_is_off_or_lower_only() {
        let on = |severity| Effect::On(Some(severity));
        assert_eq!(
            weaker(on(Severity::Error), Effect::Off).as_deref(),
            Some("turned off (was error)")
        );
        assert_eq!(
            weaker(on(Severity::Error), on(Severity::Info)).as_deref(),
            Some("lowered from error to info")
        );
        assert_eq!(weaker(on(Severity::Info), on(Severity::Error)), None);
        assert_eq!(weaker(Effect::Off, on(Severity::Style)), None);
        assert_eq!(weaker(Effect::Off, Effect::Off), None);
        // ShellCheck's own level, then a policy severity: not comparable, not reported.
        assert_eq!(weaker(Effect::On(None), on(Severity::Style)), None);
        assert_eq!(
            weaker(Effect::On(None), Effect::Off).as_deref(),
            Some("turned off (was on)")
        );
    }

    #[test]
    fn widened_names_each_way_an_exception_grows() {
        let old = exception(&["DL3007"], Some(&["a/Dockerfile"]), "2027-01-01");
        assert_eq!(widened(&old, &old), None);
        let narrower = exception(&["DL3007"], Some(&["a/Dockerfile"]), "2026-06-01");
        assert_eq!(widened(&old, &narrower), None);
        let wider = exception(
            &["DL3007", "DL3008"],
            Some(&["a/Dockerfile", "b/**"]),
            "2027-02-01",
        );
        assert_eq!(
            widened(&old, &wider).as_deref(),
            Some("rules DL3008 added, paths b/** added, expiry 2027-01-01 -> 2027-02-01")
        );
        let everywhere = exception(&["DL3007"], None, "2027-01-01");
        assert_eq!(
            widened(&old, &everywhere).as_deref(),
            Some("paths now every one")
        );
    }

    #[test]
    fn removed_settings_say_what_they_held() {
        let list =
            |items: &[&str]| Value::Sequence(items.iter().map(|item| Value::from(*item)).collect());
        assert_eq!(
            removed("max_size", &Value::from("200MB")).as_deref(),
            Some("removed (was 200MB)")
        );
        assert_eq!(
            removed("deny", &list(&["centos"])).as_deref(),
            Some("removed (it denied centos)")
        );
        assert_eq!(removed("allow", &list(&[])), None);
        let labels: Value = serde_yaml_ng::from_str("{a: url, b: text}").unwrap();
        let kept: Value = serde_yaml_ng::from_str("{b: text}").unwrap();
        assert_eq!(
            lost_labels(&labels, Some(&kept)).as_deref(),
            Some("a no longer required")
        );
        assert_eq!(lost_labels(&kept, Some(&labels)), None);
    }
}
