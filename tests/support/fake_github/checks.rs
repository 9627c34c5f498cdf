//! Check runs and their annotations.

use serde_json::{Value, json};

use super::http::Response;
use super::state::{CheckRun, State, now_iso};
use super::{Call, Problem, not_found};

/// Annotation limits the schema only states in its descriptions.
const MAX_TITLE_CHARS: usize = 255;
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Why ANNOTATIONS break the limits GitHub documents in prose.
fn annotation_problems(annotations: &[Value]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |index: usize, field: &str, message: String| {
        problems.push(Problem {
            resource: "CheckRun".into(),
            field: format!("output.annotations[{index}].{field}"),
            code: "invalid".into(),
            message,
        })
    };
    for (index, annotation) in annotations.iter().enumerate() {
        if let Some(title) = annotation["title"].as_str()
            && title.chars().count() > MAX_TITLE_CHARS
        {
            problem(
                index,
                "title",
                format!("title is longer than {MAX_TITLE_CHARS} characters"),
            );
        }
        for field in ["message", "raw_details"] {
            if let Some(text) = annotation[field].as_str()
                && text.len() > MAX_MESSAGE_BYTES
            {
                problem(index, field, format!("{field} is larger than 64 KB"));
            }
        }
        let columns =
            annotation.get("start_column").is_some() || annotation.get("end_column").is_some();
        if columns && annotation["start_line"] != annotation["end_line"] {
            problem(
                index,
                "start_column",
                "start_column and end_column are only allowed when start_line equals end_line"
                    .into(),
            );
        }
        if annotation["end_line"].as_u64() < annotation["start_line"].as_u64() {
            problem(index, "end_line", "end_line is before start_line".into());
        }
    }
    problems
}

/// Applies the fields of BODY that create and update share.
fn apply(run: &mut CheckRun, body: &Value) {
    let text = |key: &str| body[key].as_str().map(str::to_string);
    if let Some(name) = text("name") {
        run.name = name;
    }
    if let Some(details_url) = text("details_url") {
        run.details_url = Some(details_url);
    }
    if let Some(external_id) = text("external_id") {
        run.external_id = Some(external_id);
    }
    if let Some(started_at) = text("started_at") {
        run.started_at = Some(started_at);
    }
    if let Some(status) = text("status") {
        run.status = status;
    }
    if let Some(conclusion) = text("conclusion") {
        // "Providing conclusion will automatically set the status to completed."
        run.conclusion = Some(conclusion);
        run.status = "completed".into();
    }
    if let Some(completed_at) = text("completed_at") {
        run.completed_at = Some(completed_at);
    }
    if run.status == "completed" && run.completed_at.is_none() {
        run.completed_at = Some(now_iso());
    }
    let output = &body["output"];
    if output.is_object() {
        if let Some(title) = output["title"].as_str() {
            run.title = Some(title.to_string());
        }
        if let Some(summary) = output["summary"].as_str() {
            run.summary = Some(summary.to_string());
        }
        if let Some(text) = output["text"].as_str() {
            run.text = Some(text.to_string());
        }
        // Annotations add up over updates; GitHub never replaces them.
        if let Some(annotations) = output["annotations"].as_array() {
            run.annotations.extend(annotations.iter().cloned());
        }
    }
    if let Some(actions) = body["actions"].as_array() {
        run.actions = actions.clone();
    }
}

pub fn create(call: &Call, state: &mut State) -> Response {
    let head_sha = call.body["head_sha"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let known = state
        .repos
        .get(&(call.owner().to_string(), call.repo().to_string()))
        .is_some_and(|commits| commits.contains(&head_sha));
    if !known {
        return call.unprocessable(&format!("No commit found for SHA: {head_sha}"), Vec::new());
    }
    let problems = annotation_problems(
        call.body["output"]["annotations"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
    );
    if !problems.is_empty() {
        return call.unprocessable("Validation Failed", problems);
    }
    let mut run = CheckRun {
        id: state.next_id(),
        repo: (call.owner().to_string(), call.repo().to_string()),
        head_sha,
        name: String::new(),
        status: "queued".into(),
        conclusion: None,
        external_id: None,
        details_url: None,
        started_at: Some(now_iso()),
        completed_at: None,
        title: None,
        summary: None,
        text: None,
        annotations: Vec::new(),
        actions: Vec::new(),
    };
    apply(&mut run, &call.body);
    let response = Response::json(201, &state.render_check_run(&run)).with_header(
        "location",
        format!(
            "{}/repos/{}/{}/check-runs/{}",
            state.api_url, run.repo.0, run.repo.1, run.id
        ),
    );
    state.check_runs.push(run);
    response
}

pub fn update(call: &Call, state: &mut State) -> Response {
    let id = call.number("check_run_id");
    let problems = annotation_problems(
        call.body["output"]["annotations"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
    );
    let (owner, repo) = (call.owner().to_string(), call.repo().to_string());
    let Some(run) = state
        .check_runs
        .iter_mut()
        .find(|run| run.id == id && run.repo == (owner.clone(), repo.clone()))
    else {
        return not_found();
    };
    if !problems.is_empty() {
        return call.unprocessable("Validation Failed", problems);
    }
    apply(run, &call.body);
    let run = run.clone();
    Response::json(200, &state.render_check_run(&run))
}

pub fn list_for_ref(call: &Call, state: &mut State) -> Response {
    let reference = call.params["ref"].clone();
    // A ref is a SHA, or a branch of one of the repository's pull requests.
    let branch_heads: Vec<String> = state
        .pulls
        .values()
        .filter(|p| p.spec.owner == call.owner() && p.spec.repo == call.repo())
        .filter(|p| {
            p.spec.head_ref == reference || format!("refs/heads/{}", p.spec.head_ref) == reference
        })
        .map(|p| p.spec.head_sha.clone())
        .collect();
    let mut runs: Vec<&CheckRun> = state
        .check_runs_of(call.owner(), call.repo())
        .filter(|run| run.head_sha == reference || branch_heads.contains(&run.head_sha))
        .filter(|run| {
            call.query
                .get("check_name")
                .is_none_or(|name| &run.name == name)
        })
        .collect();
    if call.query.get("filter").map(String::as_str) != Some("all") {
        // "latest": the most recent run of each name.
        let mut latest: Vec<&CheckRun> = Vec::new();
        for run in runs.into_iter().rev() {
            if !latest.iter().any(|kept| kept.name == run.name) {
                latest.push(run);
            }
        }
        latest.reverse();
        runs = latest;
    }
    runs.retain(|run| {
        call.query
            .get("status")
            .is_none_or(|status| &run.status == status)
    });
    // Newest first, as GitHub lists them.
    runs.reverse();
    let total = runs.len();
    let rendered = runs
        .into_iter()
        .map(|run| state.render_check_run(run))
        .collect();
    call.page(
        &state.api_url,
        rendered,
        |page| json!({"total_count": total, "check_runs": page}),
    )
}
