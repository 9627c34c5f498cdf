//! Issue comments of pull requests (a pull request is an issue): the sticky summary.

use serde_json::Value;

use super::http::Response;
use super::state::{IssueComment, State, User, now_iso};
use super::{Call, not_found};

pub fn add_comment(
    state: &mut State,
    owner: &str,
    repo: &str,
    number: u64,
    user: User,
    body: &str,
) -> u64 {
    let now = now_iso();
    let id = state.next_id();
    state.issue_comments.push(IssueComment {
        id,
        repo: (owner.to_string(), repo.to_string()),
        number,
        user,
        body: body.to_string(),
        created_at: now.clone(),
        updated_at: now,
    });
    id
}

/// GitHub's 422 for an empty comment or one over [`super::MAX_COMMENT_CHARS`].
fn invalid_body(call: &Call, body: &str) -> Option<Response> {
    if body.trim().is_empty() {
        return Some(call.invalid("IssueComment", "body", "body can't be blank"));
    }
    super::too_long(body).then(|| {
        call.invalid(
            "IssueComment",
            "body",
            "body is too long (maximum is 65536 characters)",
        )
    })
}

pub fn list(call: &Call, state: &mut State) -> Response {
    let number = call.number("issue_number");
    if state.pull(call.owner(), call.repo(), number).is_none() {
        return not_found();
    }
    let since = call.query.get("since").cloned().unwrap_or_default();
    let comments = state
        .issue_comments
        .iter()
        .filter(|c| c.repo.0 == call.owner() && c.repo.1 == call.repo() && c.number == number)
        .filter(|c| c.updated_at >= since)
        .map(|c| state.render_issue_comment(c))
        .collect();
    call.page(&state.api_url, comments, Value::Array)
}

pub fn create(call: &Call, state: &mut State) -> Response {
    let number = call.number("issue_number");
    if state.pull(call.owner(), call.repo(), number).is_none() {
        return not_found();
    }
    let body = call.body["body"].as_str().unwrap_or_default();
    if let Some(invalid) = invalid_body(call, body) {
        return invalid;
    }
    let id = add_comment(
        state,
        call.owner(),
        call.repo(),
        number,
        call.user.clone(),
        body,
    );
    let comment = state.issue_comments.iter().find(|c| c.id == id).unwrap();
    Response::json(201, &state.render_issue_comment(comment))
}

pub fn update(call: &Call, state: &mut State) -> Response {
    let id = call.number("comment_id");
    let body = call.body["body"].as_str().unwrap_or_default().to_string();
    if let Some(invalid) = invalid_body(call, &body) {
        return invalid;
    }
    let (owner, repo) = (call.owner().to_string(), call.repo().to_string());
    let Some(comment) = state
        .issue_comments
        .iter_mut()
        .find(|c| c.id == id && c.repo == (owner.clone(), repo.clone()))
    else {
        return not_found();
    };
    comment.body = body;
    comment.updated_at = now_iso();
    let comment = comment.clone();
    Response::json(200, &state.render_issue_comment(&comment))
}
