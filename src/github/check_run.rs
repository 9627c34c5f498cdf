//! The check run: created `in_progress` on the head commit when the run starts (or,
//! on a re-run of the same workflow job, found again by name and `external_id` and
//! reset), then completed with the verdict's conclusion, the summary and every
//! annotation, 50 per request as GitHub requires.
//!
//! GitHub appends annotations on every update and has no way to remove one, so a
//! re-run must not send again what the run already has: the fingerprints of the
//! annotations sent are kept in the run's `output.text`, hidden, and a re-run sends
//! only the others.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::client::{Api, ApiError};
use crate::finding::Severity;
use crate::report::{Fingerprinted, relative_path};

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
    output: Option<ExistingOutput>,
}

#[derive(Debug, Deserialize)]
struct ExistingOutput {
    text: Option<String>,
}

/// Starts the hidden list of the annotations a check run has.
const ANNOTATED_MARKER: &str = "<!-- dockgate:annotated=";

/// The check run this job reports to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub id: u64,
    /// Fingerprints of the annotations an earlier run of the job sent it.
    pub annotated: Vec<String>,
}

/// The fingerprints `text` lists as annotated.
fn annotated(text: &str) -> Vec<String> {
    let Some(start) = text.find(ANNOTATED_MARKER) else {
        return Vec::new();
    };
    let rest = &text[start + ANNOTATED_MARKER.len()..];
    let end = rest.find(" -->").unwrap_or(rest.len());
    rest[..end]
        .split(',')
        .filter(|fingerprint| !fingerprint.is_empty())
        .map(str::to_string)
        .collect()
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
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    annotations: Vec<&'a Annotation>,
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
    /// The finding's fingerprint, so a re-run does not send it again (not sent).
    #[serde(skip)]
    pub fingerprint: String,
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
pub fn start(api: &Api, target: &Target<'_>) -> Result<Started, ApiError> {
    if let Some(started) = find(api, target)? {
        let reset = Update {
            status: Some("in_progress"),
            conclusion: None,
            output: None,
        };
        let _: serde_json::Value = api.patch(
            &format!("{}/check-runs/{}", target.repo_route, started.id),
            &reset,
        )?;
        return Ok(started);
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
            Ok(created) => {
                return Ok(Started {
                    id: created.id,
                    annotated: Vec::new(),
                });
            }
            Err(error) if error.is_unknown_outcome() && round < CREATE_ROUNDS => {
                api.debug(&format!(
                    "{error}: looking for the check run before creating it again"
                ));
                if let Some(started) = find(api, target)? {
                    return Ok(started);
                }
            }
            Err(error) => return Err(error),
        }
    }
}

fn find(api: &Api, target: &Target<'_>) -> Result<Option<Started>, ApiError> {
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
        .map(|run| Started {
            id: run.id,
            annotated: run
                .output
                .and_then(|output| output.text)
                .map(|text| annotated(&text))
                .unwrap_or_default(),
        }))
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

/// Completes the check run: the annotations it does not have yet go 50 per request,
/// the last request also sets the conclusion (so a run never shows completed with
/// annotations missing).
pub fn finish(
    api: &Api,
    target: &Target<'_>,
    started: &Started,
    completion: &Completion<'_>,
    annotations: &[Annotation],
) -> Result<(), ApiError> {
    let title: String = completion.title.chars().take(MAX_TITLE).collect();
    let new: Vec<&Annotation> = annotations
        .iter()
        .filter(|annotation| !started.annotated.contains(&annotation.fingerprint))
        .collect();
    let mut all: Vec<&str> = started.annotated.iter().map(String::as_str).collect();
    all.extend(new.iter().map(|annotation| annotation.fingerprint.as_str()));
    let text = format!("{ANNOTATED_MARKER}{} -->", all.join(","));
    // Past GitHub's limit the list is left out: a later re-run may then repeat some.
    let text = (text.len() <= super::summary::CHECK_RUN_LIMIT).then_some(text.as_str());
    let batches: Vec<&[&Annotation]> = if new.is_empty() {
        vec![&[]]
    } else {
        new.chunks(ANNOTATIONS_PER_REQUEST).collect()
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
                text,
                annotations: batch.to_vec(),
            }),
        };
        let _: serde_json::Value = api.patch(
            &format!("{}/check-runs/{}", target.repo_route, started.id),
            &update,
        )?;
    }
    Ok(())
}

/// The annotations of the findings that are on a line of a file, worst first.
pub fn annotations(fingerprinted: &[Fingerprinted<'_>], workspace: &Path) -> Vec<Annotation> {
    let mut annotations: Vec<(Severity, Annotation)> = fingerprinted
        .iter()
        .filter_map(|entry| {
            let finding = entry.finding;
            let location = finding.location.as_ref()?;
            let path = relative_path(&location.path, workspace);
            // GitHub takes annotations on the repository's files only (a `--dockerfile`
            // outside the checkout would fail the whole update).
            if path.starts_with('/') || path.starts_with("../") {
                return None;
            }
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
                    path,
                    start_line: span.line.max(1),
                    end_line: end_line.max(1),
                    start_column: one_line.then_some(span.column.max(1)),
                    end_column: one_line.then_some(span.end_column.max(span.column).max(1)),
                    annotation_level: level(finding.severity),
                    title: title.chars().take(MAX_TITLE).collect(),
                    message: finding.message.clone(),
                    fingerprint: entry.fingerprint.clone(),
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
    fn the_annotated_list_round_trips() {
        let text = format!("{ANNOTATED_MARKER}ab,cd:2 -->");
        assert_eq!(annotated(&text), ["ab", "cd:2"]);
        assert!(annotated("no list").is_empty());
    }

    #[test]
    fn names_are_percent_encoded() {
        assert_eq!(encode("dockgate / lint"), "dockgate%20%2F%20lint");
    }
}
