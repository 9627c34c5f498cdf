//! The check run: created `in_progress` on the head commit when the run starts (or,
//! on a re-run of the same workflow job, found again by name and `external_id` and
//! reset), then completed with the verdict's conclusion, the summary and every
//! annotation, 50 per request as GitHub requires.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::client::{Api, ApiError};
use crate::finding::{Finding, Severity};
use crate::report::relative_path;

/// GitHub takes at most this many annotations per request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// GitHub's limit on a check run's title.
const MAX_TITLE: usize = 255;

#[derive(Debug, Deserialize)]
struct CheckRunList {
    check_runs: Vec<ExistingCheckRun>,
}

#[derive(Debug, Deserialize)]
struct ExistingCheckRun {
    id: u64,
    name: String,
    external_id: Option<String>,
}

#[derive(Debug, Serialize)]
struct NewCheckRun<'a> {
    name: &'a str,
    head_sha: &'a str,
    external_id: &'a str,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct Update<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conclusion: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<Output<'a>>,
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    title: &'a str,
    summary: &'a str,
    annotations: &'a [Annotation],
}

/// One annotation as the checks API takes it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Annotation {
    pub path: String,
    pub start_line: usize,
    pub end_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    pub annotation_level: &'static str,
    pub title: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
struct Created {
    id: u64,
}

/// Which check run, on which commit.
pub struct Target<'a> {
    pub repo_route: &'a str,
    pub head_sha: &'a str,
    pub name: &'a str,
    pub external_id: &'a str,
}

/// How many times a lost creation is looked for and sent again.
const CREATE_ROUNDS: usize = 3;

/// The id of this job's check run, now `in_progress`: the one a previous run of the job
/// left (by name and `external_id`), else a new one. A creation whose answer was lost
/// is looked for before it is sent again, so it never makes two.
pub fn start(api: &Api, target: &Target<'_>) -> Result<u64, ApiError> {
    if let Some(id) = find(api, target)? {
        let reset = Update {
            status: Some("in_progress"),
            conclusion: None,
            output: None,
        };
        let _: serde_json::Value =
            api.patch(&format!("{}/check-runs/{id}", target.repo_route), &reset)?;
        return Ok(id);
    }
    let body = NewCheckRun {
        name: target.name,
        head_sha: target.head_sha,
        external_id: target.external_id,
        status: "in_progress",
    };
    let mut round = 0;
    loop {
        round += 1;
        match api.post::<_, Created>(&format!("{}/check-runs", target.repo_route), &body) {
            Ok(created) => return Ok(created.id),
            Err(error) if error.is_unknown_outcome() && round < CREATE_ROUNDS => {
                api.debug(&format!(
                    "{error}: looking for the check run before creating it again"
                ));
                if let Some(id) = find(api, target)? {
                    return Ok(id);
                }
            }
            Err(error) => return Err(error),
        }
    }
}

fn find(api: &Api, target: &Target<'_>) -> Result<Option<u64>, ApiError> {
    let list: CheckRunList = api.get(&format!(
        "{}/commits/{}/check-runs?check_name={}&filter=all&per_page=100",
        target.repo_route,
        target.head_sha,
        encode(target.name)
    ))?;
    Ok(list
        .check_runs
        .into_iter()
        .find(|run| {
            run.name == target.name && run.external_id.as_deref() == Some(target.external_id)
        })
        .map(|run| run.id))
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The conclusion, title and summary the check run completes with.
pub struct Completion<'a> {
    pub conclusion: &'static str,
    pub title: &'a str,
    pub summary: &'a str,
}

/// Completes check run `id`: the annotations go 50 per request, the last request also
/// sets the conclusion (so a run never shows completed with annotations missing).
pub fn finish(
    api: &Api,
    target: &Target<'_>,
    id: u64,
    completion: &Completion<'_>,
    annotations: &[Annotation],
) -> Result<(), ApiError> {
    let title: String = completion.title.chars().take(MAX_TITLE).collect();
    let batches: Vec<&[Annotation]> = if annotations.is_empty() {
        vec![&[]]
    } else {
        annotations.chunks(ANNOTATIONS_PER_REQUEST).collect()
    };
    let last = batches.len() - 1;
    for (index, batch) in batches.into_iter().enumerate() {
        let done = index == last;
        let update = Update {
            status: done.then_some("completed"),
            conclusion: done.then_some(completion.conclusion),
            output: Some(Output {
                title: &title,
                summary: completion.summary,
                annotations: batch,
            }),
        };
        let _: serde_json::Value =
            api.patch(&format!("{}/check-runs/{id}", target.repo_route), &update)?;
    }
    Ok(())
}

/// The annotations of the findings that are on a line of a file, worst first.
pub fn annotations<'a>(
    findings: impl Iterator<Item = &'a Finding>,
    workspace: &Path,
) -> Vec<Annotation> {
    let mut annotations: Vec<(Severity, Annotation)> = findings
        .filter_map(|finding| {
            let location = finding.location.as_ref()?;
            let span = location.span;
            let one_line = span.line == span.end_line;
            let end_line = span.end_line.max(span.line);
            let title = match &finding.image {
                Some(image) => format!("{} ({image})", finding.rule),
                None => finding.rule.to_string(),
            };
            Some((
                finding.severity,
                Annotation {
                    path: relative_path(&location.path, workspace),
                    start_line: span.line.max(1),
                    end_line: end_line.max(1),
                    start_column: one_line.then_some(span.column.max(1)),
                    end_column: one_line.then_some(span.end_column.max(span.column).max(1)),
                    annotation_level: level(finding.severity),
                    title,
                    message: finding.message.clone(),
                },
            ))
        })
        .collect();
    annotations.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| (&a.1.path, a.1.start_line).cmp(&(&b.1.path, b.1.start_line)))
    });
    annotations
        .into_iter()
        .map(|(_, annotation)| annotation)
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "failure",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "notice",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_percent_encoded() {
        assert_eq!(encode("dockgate / lint"), "dockgate%20%2F%20lint");
    }
}
