//! The pull-request review: one `COMMENT` review per run with at most `max` inline
//! comments, worst first, each carrying its finding's fingerprint; what is already on
//! the pull request is not posted again, and a comment whose finding is gone is
//! deleted, or answered "fixed" when someone replied to it.
//!
//! Lost answers never duplicate: after a POST that failed with a 5xx or got no answer,
//! the comments are listed again and only the missing ones are posted. A 422 (a line
//! GitHub does not count as part of the diff) reloads the diff, and the comments no
//! longer in it move to the summary; should GitHub still refuse, all of them do.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::client::{Api, ApiError};
use super::comment::{self, FIXED_MARKER, REVIEW_MARKER, Suggestion};
use super::diff::Diff;
use crate::finding::Finding;
use crate::policy::file::ReviewComments;
use crate::report::{Fingerprinted, relative_path};

/// A finding that may become an inline comment, and where.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    pub finding: &'a Finding,
    pub fingerprint: String,
    /// Relative to the repository root.
    pub path: String,
    pub start_line: usize,
    pub line: usize,
    pub suggestion: Option<Suggestion>,
}

impl Planned<'_> {
    fn body(&self) -> String {
        comment::body(self.finding, &self.fingerprint, self.suggestion.as_ref())
    }

    fn to_comment(&self) -> ReviewComment {
        ReviewComment {
            path: self.path.clone(),
            line: self.line as u64,
            side: "RIGHT",
            start_line: (self.start_line < self.line).then_some(self.start_line as u64),
            start_side: (self.start_line < self.line).then_some("RIGHT"),
            body: self.body(),
        }
    }
}

/// The inline comments of a run, worst first and cut at `max`; `overflow` counts the
/// commentable findings left out by the cap.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    pub inline: Vec<Planned<'a>>,
    pub overflow: usize,
}

/// Which findings become inline comments: in `changed-lines` mode those whose
/// instruction has an added line, in `all` mode any inside a hunk (GitHub accepts no
/// other), worst first, at most `max`.
pub fn plan<'a>(
    fingerprinted: &[Fingerprinted<'a>],
    diff: &Diff,
    mode: ReviewComments,
    max: usize,
    workspace: &Path,
) -> Plan<'a> {
    if mode == ReviewComments::Off {
        return Plan::default();
    }
    let mut candidates: Vec<Planned<'a>> = fingerprinted
        .iter()
        .filter_map(|entry| {
            let finding = entry.finding;
            let location = finding.location.as_ref()?;
            let path = relative_path(&location.path, workspace);
            let (start, end) = (finding.line(), finding.end_line().max(finding.line()));
            if mode == ReviewComments::ChangedLines && !diff.touches_added(&path, start, end) {
                return None;
            }
            let suggestion = entry
                .file
                .and_then(|file| comment::suggestion(finding, file))
                .filter(|s| diff.in_one_hunk(&path, s.start, s.end));
            let (start_line, line) = match &suggestion {
                Some(s) => (s.start, s.end),
                None if diff.in_one_hunk(&path, start, end) => (start, end),
                None if diff.in_one_hunk(&path, start, start) => (start, start),
                None if diff.in_one_hunk(&path, end, end) => (end, end),
                None => return None,
            };
            Some(Planned {
                finding,
                fingerprint: entry.fingerprint.clone(),
                path,
                start_line,
                line,
                suggestion,
            })
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.finding.severity.cmp(&a.finding.severity).then_with(|| {
            (&a.path, a.line, &a.finding.rule).cmp(&(&b.path, b.line, &b.finding.rule))
        })
    });
    let overflow = candidates.len().saturating_sub(max);
    candidates.truncate(max);
    Plan {
        inline: candidates,
        overflow,
    }
}

#[derive(Debug, Serialize)]
struct ReviewComment {
    path: String,
    line: u64,
    side: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_side: Option<&'static str>,
    body: String,
}

#[derive(Debug, Serialize)]
struct NewReview<'a> {
    commit_id: &'a str,
    event: &'static str,
    body: String,
    comments: Vec<ReviewComment>,
}

/// A reply in a thread. GitHub's schema requires `commit_id` and `path` even though the
/// thread decides where it goes.
#[derive(Debug, Serialize)]
struct Reply<'a> {
    body: &'a str,
    commit_id: &'a str,
    path: &'a str,
    in_reply_to: u64,
}

#[derive(Debug, Deserialize)]
struct ExistingComment {
    id: u64,
    #[serde(default)]
    body: String,
    #[serde(default)]
    path: String,
    in_reply_to_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Created {
    #[allow(dead_code)]
    id: u64,
}

/// What the review did, for the summary and the debug log.
#[derive(Debug, Default)]
pub struct Outcome {
    pub posted: usize,
    pub already_there: usize,
    pub deleted: usize,
    pub answered_fixed: usize,
    /// Comments GitHub refused (422): the summary lists them instead.
    pub moved_to_summary: Vec<String>,
    pub notes: Vec<String>,
}

/// Where the review goes.
pub struct Target<'a> {
    pub repo_route: &'a str,
    pub number: u64,
    pub head_sha: &'a str,
}

/// How many times a lost POST is reconciled and sent again.
const POST_ROUNDS: usize = 3;

/// Posts the review for `plan` and cleans up stale comments. `current` holds the
/// fingerprints of every finding of the run (commented or not): a comment is stale
/// only when its finding is gone. `reload` gives the diff again after a 422.
pub fn publish(
    api: &Api,
    target: &Target<'_>,
    plan: &Plan<'_>,
    current: &HashSet<String>,
    reload: &dyn Fn() -> Result<Diff, ApiError>,
) -> Result<Outcome, ApiError> {
    let mut outcome = Outcome::default();
    let existing = list(api, target)?;
    let ours = ours(&existing);
    let mut pending: Vec<&Planned<'_>> = plan
        .inline
        .iter()
        .filter(|planned| !ours.contains_key(planned.fingerprint.as_str()))
        .collect();
    outcome.already_there = plan.inline.len() - pending.len();
    let mut reloaded = false;
    let mut round = 0;
    while !pending.is_empty() {
        round += 1;
        match post_review(api, target, &pending, plan.overflow) {
            Ok(()) => {
                outcome.posted += pending.len();
                break;
            }
            Err(error) if error.is_unknown_outcome() && round < POST_ROUNDS => {
                api.debug(&format!(
                    "{error}: listing the comments again before posting"
                ));
                let now = ours_fingerprints(&list(api, target)?);
                let before = pending.len();
                pending.retain(|planned| !now.contains(&planned.fingerprint));
                outcome.posted += before - pending.len();
            }
            Err(error) if error.is_unprocessable() && !reloaded => {
                // GitHub does not say which comment it refused. Suspects: lines that left
                // the diff since it was read (a push in between) and files whose lines
                // only git could tell; they move to the summary and the rest is posted.
                reloaded = true;
                let diff = reload()?;
                let (keep, drop): (Vec<_>, Vec<_>) = pending.into_iter().partition(|planned| {
                    !diff.is_from_git(&planned.path)
                        && diff.in_one_hunk(&planned.path, planned.start_line, planned.line)
                });
                outcome
                    .moved_to_summary
                    .extend(drop.iter().map(|planned| describe(planned)));
                if drop.is_empty() {
                    // No suspect: there is no telling which line GitHub refused, so none
                    // is posted and all are listed instead.
                    outcome
                        .notes
                        .push(format!("GitHub refused the review ({error})"));
                    outcome
                        .moved_to_summary
                        .extend(keep.iter().map(|planned| describe(planned)));
                    pending = Vec::new();
                } else {
                    pending = keep;
                }
            }
            Err(error) if error.is_unprocessable() => {
                outcome
                    .notes
                    .push(format!("GitHub refused the review ({error})"));
                outcome
                    .moved_to_summary
                    .extend(pending.iter().map(|planned| describe(planned)));
                break;
            }
            Err(error) => return Err(error),
        }
    }
    clean_stale(api, target, &existing, current, &mut outcome)?;
    Ok(outcome)
}

/// `path:line RULE message`, for the summary's list of comments GitHub refused.
fn describe(planned: &Planned<'_>) -> String {
    format!(
        "`{}:{}` {}: {}",
        planned.path, planned.line, planned.finding.rule, planned.finding.message
    )
}

fn list(api: &Api, target: &Target<'_>) -> Result<Vec<ExistingComment>, ApiError> {
    api.get_all(
        &format!("{}/pulls/{}/comments", target.repo_route, target.number),
        100,
    )
}

/// dockgate's own top-level comments, by fingerprint.
fn ours(existing: &[ExistingComment]) -> HashMap<&str, &ExistingComment> {
    existing
        .iter()
        .filter(|comment| comment.in_reply_to_id.is_none())
        .filter_map(|comment| Some((comment::fingerprint_of(&comment.body)?, comment)))
        .collect()
}

fn ours_fingerprints(existing: &[ExistingComment]) -> HashSet<String> {
    ours(existing).keys().map(|fp| fp.to_string()).collect()
}

fn post_review(
    api: &Api,
    target: &Target<'_>,
    pending: &[&Planned<'_>],
    overflow: usize,
) -> Result<(), ApiError> {
    let mut body = format!(
        "dockgate: {} new inline comment{}.",
        pending.len(),
        if pending.len() == 1 { "" } else { "s" }
    );
    if overflow > 0 {
        body.push_str(&format!(
            " {overflow} more finding{} on changed lines {} in the check run and the job summary (at most {} inline per run).",
            if overflow == 1 { "" } else { "s" },
            if overflow == 1 { "is" } else { "are" },
            pending.len() + overflow
        ));
    }
    body.push_str("\n\n");
    body.push_str(REVIEW_MARKER);
    let review = NewReview {
        commit_id: target.head_sha,
        event: "COMMENT",
        body,
        comments: pending.iter().map(|planned| planned.to_comment()).collect(),
    };
    let _: Created = api.post(
        &format!("{}/pulls/{}/reviews", target.repo_route, target.number),
        &review,
    )?;
    Ok(())
}

/// Deletes dockgate's comments whose finding is gone; one someone answered gets a
/// "fixed" reply instead (once) and stays, so the conversation is not lost.
fn clean_stale(
    api: &Api,
    target: &Target<'_>,
    existing: &[ExistingComment],
    current: &HashSet<String>,
    outcome: &mut Outcome,
) -> Result<(), ApiError> {
    for (fingerprint, comment) in ours(existing) {
        if current.contains(fingerprint) {
            continue;
        }
        let replies: Vec<&ExistingComment> = existing
            .iter()
            .filter(|reply| reply.in_reply_to_id == Some(comment.id))
            .collect();
        if replies.is_empty() {
            api.delete(&format!(
                "{}/pulls/comments/{}",
                target.repo_route, comment.id
            ))?;
            outcome.deleted += 1;
        } else if !replies
            .iter()
            .any(|reply| reply.body.contains(FIXED_MARKER))
        {
            let body = format!("Fixed: dockgate no longer reports this.\n\n{FIXED_MARKER}");
            let reply = Reply {
                body: &body,
                commit_id: target.head_sha,
                path: &comment.path,
                in_reply_to: comment.id,
            };
            let _: Created = api.post(
                &format!("{}/pulls/{}/comments", target.repo_route, target.number),
                &reply,
            )?;
            outcome.answered_fixed += 1;
        }
    }
    Ok(())
}
