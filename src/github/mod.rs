//! The GitHub side: `dockgate github` inside a GitHub Actions job.
//!
//! ```text
//! env + event -> context, inputs -> check run (in_progress) -> gate::run -> diff of the PR
//!   -> review (new comments only, stale ones removed) -> check run (annotations, summary,
//!   conclusion) -> sticky comment -> job summary, outputs
//! ```
//!
//! Degraded but never silent: with a read-only token (a `pull_request` from a fork), no
//! token, or a 403/404 on a write, no (further) write is attempted; the findings go to
//! the log as workflow-command annotations (`--format github`'s reporter) and to the
//! job summary, and the exit code still follows the policy.

pub mod check_run;
pub mod client;
pub mod comment;
mod connector;
pub mod context;
pub mod diff;
pub mod inputs;
pub mod outputs;
pub mod review;
pub mod summary;

use std::collections::HashSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::gate::Run;
use crate::policy::file::{Reporting, ReviewComments};
use crate::report::{self, Fingerprinted};
use client::{Api, ApiError};
pub use context::Context;
pub use inputs::Inputs;

/// How this run reports, once flags, inputs, the policy's `reporting` section and the
/// defaults are combined (in that order of precedence).
#[derive(Clone)]
pub struct Options {
    pub comment_mode: ReviewComments,
    pub max_comments: usize,
    pub check_name: String,
    pub summary_comment: bool,
    pub token: Option<String>,
    pub debug: bool,
}

impl std::fmt::Debug for Options {
    // By hand, so the token can never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("comment_mode", &self.comment_mode)
            .field("max_comments", &self.max_comments)
            .field("check_name", &self.check_name)
            .field("summary_comment", &self.summary_comment)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The inline-comment cap when nothing sets one (reviewdog's, too).
pub const DEFAULT_MAX_COMMENTS: usize = 30;

/// Settings for one run that the command line may override.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub comment_mode: Option<ReviewComments>,
    pub max_comments: Option<u32>,
    pub check_name: Option<String>,
    pub summary_comment: Option<bool>,
}

impl Options {
    pub fn resolve(
        overrides: &Overrides,
        inputs: &Inputs,
        reporting: Option<&Reporting>,
        token: Option<String>,
        debug: bool,
    ) -> Options {
        let reporting = reporting.cloned().unwrap_or_default();
        Options {
            comment_mode: overrides
                .comment_mode
                .or(inputs.comment_mode)
                .or(reporting.review_comments)
                .unwrap_or(ReviewComments::ChangedLines),
            max_comments: overrides
                .max_comments
                .or(inputs.max_comments)
                .or(reporting.max_inline_comments)
                .map_or(DEFAULT_MAX_COMMENTS, |max| max as usize),
            check_name: overrides
                .check_name
                .clone()
                .or_else(|| inputs.check_name.clone())
                .or(reporting.check_name)
                .unwrap_or_else(|| "dockgate".to_string()),
            summary_comment: overrides
                .summary_comment
                .or(inputs.summary_comment)
                .or(reporting.summary_comment)
                .unwrap_or(false),
            token,
            debug,
        }
    }
}

/// A finished run and how it was reported.
pub struct Finished {
    pub run: Run,
    /// Why the findings could not (all) be written to GitHub; they must then be
    /// printed as workflow-command annotations.
    pub degraded: Option<String>,
    /// What went wrong on the way that the user should know (stderr).
    pub notes: Vec<String>,
    /// The markdown written to the job summary.
    pub summary: String,
}

/// Where writes stand: allowed, or refused (and why) so none is tried again.
struct Writes {
    refused: Option<String>,
}

impl Writes {
    fn allowed(&self) -> bool {
        self.refused.is_none()
    }

    /// Records a failed write: a refusal stops all writes; anything else is a note.
    fn failed(&mut self, what: &str, error: &ApiError, notes: &mut Vec<String>) {
        if error.is_forbidden() {
            if self.refused.is_none() {
                self.refused = Some(format!(
                    "GitHub refused to {what} ({error}): the token cannot write here (give the job `checks: write` and `pull-requests: write`)"
                ));
            }
        } else {
            notes.push(format!("cannot {what}: {error}"));
        }
    }
}

/// Runs the gate (`gate`) and reports it to GitHub as `context` and `options` say.
pub fn run(context: &Context, options: &Options, gate: impl FnOnce() -> Run) -> Finished {
    let mut notes = Vec::new();
    let mut writes = Writes { refused: None };
    let api = if context.read_only {
        writes.refused = Some(
            "a pull request from a fork gets a read-only token: nothing is written to GitHub"
                .to_string(),
        );
        None
    } else {
        match &options.token {
            None => {
                writes.refused = Some(
                    "no token (the `github-token` input or GITHUB_TOKEN): nothing is written to GitHub"
                        .to_string(),
                );
                None
            }
            Some(token) => match Api::new(&context.api_url, token, options.debug) {
                Ok(api) => Some(api),
                Err(error) => {
                    writes.refused = Some(error);
                    None
                }
            },
        }
    };
    let repo_route = context.repo_route();
    let check_target = check_run::Target {
        repo_route: &repo_route,
        head_sha: &context.head_sha,
        name: &options.check_name,
        external_id: &context.external_id,
    };
    let mut check_run = None;
    if let Some(api) = &api {
        match check_run::start(api, &check_target) {
            Ok(started) => check_run = Some(started),
            Err(error) => writes.failed("create the check run", &error, &mut notes),
        }
    }

    let run = gate();
    let fingerprinted = report::fingerprints(&run);
    let mut extras = summary::Extras::default();

    if let (Some(api), Some(pr), true) = (&api, &context.pull_request, writes.allowed())
        && options.comment_mode != ReviewComments::Off
    {
        review(
            api,
            context,
            pr,
            options,
            &fingerprinted,
            &mut extras,
            &mut writes,
            &mut notes,
        );
    }

    let check_summary =
        summary::markdown(&run, &extras, &context.workspace, summary::CHECK_RUN_LIMIT);
    let mut check_completed = false;
    let mut annotations_refused = false;
    if let (Some(api), Some(started), true) = (&api, &check_run, writes.allowed()) {
        let annotations = check_run::annotations(&fingerprinted, &context.workspace);
        let title = summary::title(&run);
        let completion = check_run::Completion {
            conclusion: conclusion(&run),
            title: &title,
            summary: &check_summary,
        };
        let mut result = check_run::finish(api, &check_target, started, &completion, &annotations);
        if let Err(error) = &result
            && error.is_unprocessable()
        {
            // An annotation GitHub would not take must not leave the run in progress:
            // complete it without them (the log still has them, see `degraded`).
            notes.push(format!("GitHub refused the annotations ({error})"));
            result = check_run::finish(api, &check_target, started, &completion, &[])
                .map(|()| annotations_refused = true);
        }
        match result {
            Ok(()) => check_completed = true,
            Err(error) => writes.failed("complete the check run", &error, &mut notes),
        }
    }

    if let (Some(api), Some(pr), true) = (&api, &context.pull_request, writes.allowed())
        && options.summary_comment
        && let Err(error) = sticky_comment(api, &repo_route, pr.number, &check_summary)
    {
        writes.failed("update the summary comment", &error, &mut notes);
    }

    if let Some(reason) = &writes.refused {
        extras.notes.push(format!(
            "{reason}. The findings are in this summary and the log's annotations."
        ));
    }
    let job_summary = summary::markdown(
        &run,
        &extras,
        &context.workspace,
        summary::STEP_SUMMARY_LIMIT,
    );
    if let Some(api) = &api {
        api.debug(&api.calls().to_string());
    }
    let degraded = match writes.refused {
        Some(reason) => Some(reason),
        None if !check_completed && api.is_some() => {
            Some("the check run could not be completed".to_string())
        }
        None if annotations_refused => {
            Some("the check run has no annotations (GitHub refused them)".to_string())
        }
        None => None,
    };
    Finished {
        run,
        degraded,
        notes,
        summary: job_summary,
    }
}

#[allow(clippy::too_many_arguments)]
fn review(
    api: &Api,
    context: &Context,
    pr: &context::PullRequest,
    options: &Options,
    fingerprinted: &[Fingerprinted<'_>],
    extras: &mut summary::Extras,
    writes: &mut Writes,
    notes: &mut Vec<String>,
) {
    let repo_route = context.repo_route();
    let load = || {
        diff::load(
            api,
            &repo_route,
            pr.number,
            (&pr.base_sha, &pr.head_sha),
            &context.workspace,
        )
    };
    let diff = match load() {
        Ok((diff, diff_notes)) => {
            notes.extend(diff_notes);
            diff
        }
        Err(error) => {
            writes.failed("read the pull request's files", &error, notes);
            return;
        }
    };
    let plan = review::plan(
        fingerprinted,
        &diff,
        options.comment_mode,
        options.max_comments,
        &context.workspace,
    );
    let current: HashSet<String> = fingerprinted
        .iter()
        .map(|entry| entry.fingerprint.clone())
        .collect();
    let target = review::Target {
        repo_route: &repo_route,
        number: pr.number,
        head_sha: &pr.head_sha,
    };
    let reload = || load().map(|(diff, _)| diff);
    match review::publish(api, &target, &plan, &current, &reload) {
        Ok(outcome) => {
            api.debug(&format!(
                "review: {} posted, {} already there, {} stale deleted, {} answered fixed, {} over the cap",
                outcome.posted,
                outcome.already_there,
                outcome.deleted,
                outcome.answered_fixed,
                plan.overflow
            ));
            notes.extend(outcome.notes.iter().cloned());
            extras.notes.extend(outcome.notes);
            extras.moved = outcome.moved_to_summary;
        }
        Err(error) => writes.failed("post the review", &error, notes),
    }
}

/// The check run's conclusion: `failure` when the policy fails, `neutral` when it
/// passes with findings below the threshold, `success` when there is nothing.
fn conclusion(run: &Run) -> &'static str {
    if !run.verdict.passed {
        "failure"
    } else if run.findings().next().is_some() {
        "neutral"
    } else {
        "success"
    }
}

#[derive(Deserialize)]
struct IssueComment {
    id: u64,
    #[serde(default)]
    body: String,
}

#[derive(Serialize)]
struct CommentBody<'a> {
    body: &'a str,
}

/// The one summary comment on the pull request, found by its marker and updated in
/// place. A creation whose answer was lost is looked for before it is sent again.
fn sticky_comment(api: &Api, repo_route: &str, number: u64, summary: &str) -> Result<(), ApiError> {
    let body = format!("{summary}\n{}", comment::STICKY_MARKER);
    let list_route = format!("{repo_route}/issues/{number}/comments");
    let find = || -> Result<Option<u64>, ApiError> {
        let comments: Vec<IssueComment> = api.get_all(&list_route, 100)?;
        Ok(comments
            .into_iter()
            .find(|comment| comment.body.contains(comment::STICKY_MARKER))
            .map(|comment| comment.id))
    };
    let mut existing = find()?;
    for round in 1..=3 {
        if let Some(id) = existing {
            let _: serde_json::Value = api.patch(
                &format!("{repo_route}/issues/comments/{id}"),
                &CommentBody { body: &body },
            )?;
            return Ok(());
        }
        match api.post::<_, serde_json::Value>(&list_route, &CommentBody { body: &body }) {
            Ok(_) => return Ok(()),
            Err(error) if error.is_unknown_outcome() && round < 3 => existing = find()?,
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// The outputs of the step.
pub fn outputs(
    run: &Run,
    report_json: String,
    sarif_file: Option<&PathBuf>,
) -> Vec<(&'static str, String)> {
    let count = |severity| {
        run.findings()
            .filter(|finding| finding.severity == severity)
            .count()
            .to_string()
    };
    vec![
        ("passed", run.verdict.passed.to_string()),
        ("errors", count(crate::finding::Severity::Error)),
        ("warnings", count(crate::finding::Severity::Warning)),
        ("report-json", report_json),
        (
            "sarif-file",
            sarif_file
                .map(|path| path.display().to_string())
                .unwrap_or_default(),
        ),
    ]
}
