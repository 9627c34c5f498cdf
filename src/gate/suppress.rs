//! The one suppression step, and the verdict.
//!
//! Every finding, from a Dockerfile rule or an image rule, passes here once, in this
//! order:
//!
//! 1. **Path overrides** set the severity of an image finding placed in a Dockerfile
//!    (Dockerfile rules already ran with their path's settings), or turn it off.
//! 2. **Pragmas** of the file the finding is located in silence it, as the policy's
//!    `pragmas` mode allows (an image finding placed on a line is silenced by the
//!    pragma above that line, like any other).
//! 3. **Exceptions** waive it by the path it is located in and the image it is about.
//! 4. **`# check=error=true`** makes what is left of the file's findings of BuildKit's
//!    checks (rules with a [`crate::rules::Rule::buildkit`] name) errors, as BuildKit
//!    fails the build on them. BuildKit's `# check=skip=...` is a pragma (step 2).
//!
//! A rule an organisation's policy locked passes 2 and 3 untouched, and findings of the
//! policy's own rules (an expired exception, a pragma without a reason) are never
//! silenced. What is left is judged against the fail threshold in [`verdict`].

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{FileRun, ImageRun, Settings, Verdict};
use crate::finding::{Finding, Location};
use crate::policy::{FailOn, Policy, Review};
use crate::rules::{self, Check, PragmaMode, RuleSet};
use crate::workspace::InputError;

/// Applies overrides, pragmas and exceptions to every finding of the run, and adds the
/// findings about pragmas the policy does not honour. `named` is the Dockerfile
/// `--dockerfile` named, when image findings may be placed in it.
pub(super) fn apply(
    policy: &Policy,
    files: &mut [FileRun],
    images: &mut [ImageRun],
    named: Option<&FileRun>,
) {
    let suppression = Suppression {
        policy,
        locked: policy.locked_rules(),
        pragmas: policy.pragma_mode(),
    };
    files.par_iter_mut().for_each(|file| {
        let mut findings = std::mem::take(&mut file.findings);
        findings.retain(|finding| suppression.keeps(finding, Some(file)));
        if file.pragmas.check_error {
            suppression.raise_buildkit_checks(&mut findings);
        }
        findings.extend(suppression.pragma_findings(file));
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        file.findings = findings;
    });
    let mut rule_sets: BTreeMap<String, RuleSet> = BTreeMap::new();
    let files: &[FileRun] = files;
    let file_of = |location: &Location| {
        named
            .filter(|named| named.path == location.path)
            .or_else(|| {
                files
                    .binary_search_by(|file| file.path.as_str().cmp(&location.path))
                    .ok()
                    .map(|index| &files[index])
            })
    };
    for image in images.iter_mut() {
        let mut findings = std::mem::take(&mut image.findings);
        findings.retain_mut(|finding| {
            let file = finding.location.as_ref().and_then(file_of);
            if let Some(file) = file {
                let rules = rule_sets
                    .entry(file.relative.clone())
                    .or_insert_with(|| policy.rule_set(&file.relative));
                match rules.severity(&finding.rule) {
                    Some(severity) => finding.severity = severity,
                    None => return false,
                }
            }
            suppression.keeps(finding, file)
        });
        findings.sort_by(|a, b| a.rule.cmp(&b.rule));
        image.findings = findings;
    }
}

struct Suppression<'a> {
    policy: &'a Policy,
    locked: Vec<&'static str>,
    pragmas: PragmaMode,
}

impl Suppression<'_> {
    /// Whether `finding` survives pragmas and exceptions; `file` is the file its
    /// location points into, when the run has it.
    fn keeps(&self, finding: &Finding, file: Option<&FileRun>) -> bool {
        let rule = finding.rule.as_ref();
        if self.locked.contains(&rule) || is_policy_rule(rule) {
            return true;
        }
        if let (Some(location), Some(file)) = (&finding.location, file)
            && file.pragmas.ignores(
                rule,
                location.instruction_range,
                file.source(),
                file.lines(),
                self.pragmas,
            )
        {
            return false;
        }
        let path = file.map(|file| file.relative.as_str());
        !self.policy.waives(rule, path, finding.image.as_deref())
    }

    /// `# check=error=true`: BuildKit's checks fail the build, so their findings are
    /// errors (a locked rule keeps the severity its organisation set).
    fn raise_buildkit_checks(&self, findings: &mut [Finding]) {
        for finding in findings {
            let rule = finding.rule.as_ref();
            if !self.locked.contains(&rule)
                && rules::find(rule).is_some_and(|rule| rule.buildkit.is_some())
            {
                finding.severity = crate::finding::Severity::Error;
            }
        }
    }

    /// Findings about the pragma comments of `file` that the policy does not honour:
    /// DG0002 for a missing reason, DG0003 where pragmas are forbidden.
    fn pragma_findings(&self, file: &FileRun) -> Vec<Finding> {
        let rule = match self.pragmas {
            PragmaMode::Allowed => return Vec::new(),
            PragmaMode::ReasonRequired => &rules::policy::dg0002::RULE,
            PragmaMode::Forbidden => &rules::policy::dg0003::RULE,
        };
        if file.pragmas.comments.is_empty() {
            return Vec::new();
        }
        let Some(severity) = self.policy.rule_set(&file.relative).severity(rule.code) else {
            return Vec::new();
        };
        file.pragmas
            .comments
            .iter()
            .filter(|pragma| !self.pragmas.honours(pragma))
            .map(|pragma| {
                let mut location = Location::new(file.path.clone(), pragma.range, pragma.range);
                location.locate(file.source(), file.lines());
                Finding::in_file(rule.code, severity, location, rule.message)
            })
            .collect()
    }
}

/// Findings of the policy's own rules are how the policy is enforced: nothing waives
/// them.
fn is_policy_rule(code: &str) -> bool {
    rules::find(code).is_some_and(|rule| matches!(rule.check, Check::Policy))
}

/// The threshold (`--fail-on`, else the policy's `fail_on`, else `warning`) and
/// whether anything reaches it. Under review (`--policy-base`) the policy's threshold
/// is the stricter of the base's and the working tree's: a change cannot raise the
/// threshold its own run is judged by.
pub(super) fn verdict(
    settings: &Settings,
    policy: &Policy,
    review: Option<&Review>,
    files: &[FileRun],
    images: &[ImageRun],
    errors: &[InputError],
) -> Verdict {
    let threshold = |fail_on: Option<FailOn>| fail_on.unwrap_or(FailOn::Warning).threshold();
    let fail_on = match (settings.fail_on, review) {
        (Some(fail_on), _) => fail_on.threshold(),
        (None, None) => threshold(policy.fail_on()),
        (None, Some(review)) => {
            match (threshold(policy.fail_on()), threshold(review.base_fail_on)) {
                (Some(head), Some(base)) => Some(head.min(base)),
                (head, base) => head.or(base),
            }
        }
    };
    let failing = files
        .iter()
        .flat_map(|file| &file.findings)
        .chain(images.iter().flat_map(|image| &image.findings))
        .any(|finding| fail_on.is_some_and(|threshold| finding.severity >= threshold));
    Verdict {
        fail_on,
        passed: errors.is_empty() && !failing,
        input_errors: !errors.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::model::Model;
    use crate::dockerfile::parse;
    use crate::policy::{Choice, GithubFetcher};

    /// The DL3006 findings on `source` that survive suppression under the default policy.
    fn kept(source: &str) -> usize {
        let policy = crate::policy::load(
            &Choice::Explicit("builtin:recommended".into()),
            std::path::Path::new("."),
            GithubFetcher::from_env(),
        )
        .unwrap();
        let dockerfile = parse(source);
        let model = Model::new(&dockerfile);
        let findings =
            rules::lint_model("Dockerfile", &dockerfile, &model, &RuleSet::only("DL3006"));
        let mut files = vec![FileRun::dockerfile_file(
            "Dockerfile".into(),
            "Dockerfile".into(),
            (dockerfile, model),
            findings,
            false,
        )];
        apply(&policy, &mut files, &mut [], None);
        files[0].findings.len()
    }

    #[test]
    fn pragmas_silence_the_instruction_below_them() {
        assert_eq!(kept("# hadolint ignore=DL3006\nFROM debian"), 0);
        assert_eq!(kept("# dockgate ignore=DL3006\nFROM debian"), 0);
        assert_eq!(kept("# hadolint ignore=DL3007,DL3006\nFROM debian"), 0);
        assert_eq!(kept("# hadolint ignore=DL3006\n# why\nFROM debian"), 0);
        assert_eq!(
            kept("FROM debian:1\n# hadolint global ignore=DL3006\nFROM x"),
            0
        );
        assert_eq!(kept("# hadolint ignore=DL3006\n\nFROM debian"), 1);
        assert_eq!(
            kept("# hadolint ignore=DL3006\nFROM debian:12\nFROM debian"),
            1
        );
        assert_eq!(kept("# hadolint ignore=DL3007\nFROM debian"), 1);
    }
}
