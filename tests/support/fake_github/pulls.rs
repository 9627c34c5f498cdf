//! Pull requests, their files, reviews and review comments.

use serde_json::Value;

use super::http::Response;
use super::patch;
use super::state::{Review, ReviewComment, State, now_iso, render_file};
use super::{Call, MAX_PULL_FILES, Problem, PullFile, not_found, too_long};

const BODY_TOO_LONG: &str = "Body is too long (maximum is 65536 characters)";

pub fn get(call: &Call, state: &mut State) -> Response {
    let pull_number = call.number("pull_number");
    match state.pull(call.owner(), call.repo(), pull_number) {
        Some(pull) => Response::json(200, &state.render_pull(pull)),
        None => not_found(),
    }
}

pub fn list_files(call: &Call, state: &mut State) -> Response {
    let Some(pull) = state.pull(call.owner(), call.repo(), call.number("pull_number")) else {
        return not_found();
    };
    let files: Vec<Value> = pull
        .spec
        .files
        .iter()
        .take(MAX_PULL_FILES)
        .map(|file| render_file(&state.api_url, &pull.spec, file))
        .collect();
    call.page(&state.api_url, files, Value::Array)
}

pub fn list_reviews(call: &Call, state: &mut State) -> Response {
    let number = call.number("pull_number");
    if state.pull(call.owner(), call.repo(), number).is_none() {
        return not_found();
    }
    let reviews = state
        .reviews
        .iter()
        .filter(|r| r.repo.0 == call.owner() && r.repo.1 == call.repo() && r.number == number)
        .map(|r| state.render_review(r))
        .collect();
    call.page(&state.api_url, reviews, Value::Array)
}

pub fn list_review_comments(call: &Call, state: &mut State) -> Response {
    let number = call.number("pull_number");
    if state.pull(call.owner(), call.repo(), number).is_none() {
        return not_found();
    }
    let since = call.query.get("since").cloned().unwrap_or_default();
    let mut comments: Vec<&ReviewComment> = state
        .review_comments
        .iter()
        .filter(|c| c.repo.0 == call.owner() && c.repo.1 == call.repo() && c.number == number)
        .filter(|c| c.updated_at >= since)
        .collect();
    if call.query.get("sort").map(String::as_str) == Some("updated") {
        comments.sort_by(|a, b| a.updated_at.cmp(&b.updated_at).then(a.id.cmp(&b.id)));
    }
    if call.query.contains_key("sort")
        && call.query.get("direction").map(String::as_str) == Some("desc")
    {
        comments.reverse();
    }
    let comments = comments
        .into_iter()
        .map(|c| state.render_review_comment(c))
        .collect();
    call.page(&state.api_url, comments, Value::Array)
}

/// Where a comment lands in the diff.
struct Placement {
    path: String,
    subject_type: String,
    line: Option<u64>,
    side: String,
    start_line: Option<u64>,
    start_side: Option<String>,
    position: Option<usize>,
    diff_hunk: String,
    line_text: Option<String>,
}

/// Why a comment cannot be placed: the field GitHub names and its sentence for it.
struct Misplaced {
    field: &'static str,
    /// How a failed review words it.
    sentence: &'static str,
    /// How a failed single comment words it.
    message: &'static str,
}

const LINE_NOT_IN_DIFF: Misplaced = Misplaced {
    field: "pull_request_review_thread.line",
    sentence: "Pull request review thread line must be part of the diff",
    message: "pull_request_review_thread.line must be part of the diff",
};

/// Places COMMENT (`path`, `line`/`side`, `start_line`/`start_side`, `position`,
/// `subject_type`) on FILES the way GitHub does, or says why it cannot.
fn place(files: &[PullFile], comment: &Value) -> Result<Placement, Misplaced> {
    let path = comment["path"].as_str().unwrap_or_default();
    let Some(file) = files.iter().find(|f| f.filename == path) else {
        return Err(Misplaced {
            field: "pull_request_review_thread.path",
            sentence: "Path could not be resolved",
            message: "pull_request_review_thread.path could not be resolved",
        });
    };
    if comment["subject_type"] == "file" {
        return Ok(Placement {
            path: path.to_string(),
            subject_type: "file".into(),
            line: None,
            side: "RIGHT".into(),
            start_line: None,
            start_side: None,
            position: None,
            diff_hunk: file.patch.clone().unwrap_or_default(),
            line_text: None,
        });
    }
    let Some(patch_text) = file.patch.as_deref() else {
        return Err(Misplaced {
            field: "pull_request_review_thread.diff_hunk",
            sentence: "Pull request review thread diff hunk can't be blank",
            message: "pull_request_review_thread.diff_hunk can't be blank",
        });
    };
    let hunks = patch::hunks(patch_text);
    let (side, line) = match (comment["line"].as_u64(), comment["position"].as_u64()) {
        (Some(line), _) => (
            comment["side"].as_str().unwrap_or("RIGHT").to_string(),
            line,
        ),
        (None, Some(position)) => {
            // The deprecated `position`: the line the diff shows there, new side first.
            let position = position as usize;
            let found = hunks.iter().find_map(|hunk| {
                let at: Vec<_> = hunk
                    .lines
                    .iter()
                    .filter(|(p, _, _)| *p == position)
                    .collect();
                at.iter()
                    .find(|(_, side, _)| *side == "RIGHT")
                    .or(at.first())
                    .map(|(_, side, line)| (side.to_string(), *line))
            });
            found.ok_or(Misplaced {
                field: "pull_request_review_thread.position",
                sentence: "Position could not be resolved",
                message: "pull_request_review_thread.position could not be resolved",
            })?
        }
        (None, None) => {
            return Err(Misplaced {
                field: "pull_request_review_thread.line",
                sentence: "Line could not be resolved",
                message: "pull_request_review_thread.line could not be resolved",
            });
        }
    };
    if side != "RIGHT" && side != "LEFT" {
        return Err(Misplaced {
            field: "pull_request_review_thread.side",
            sentence: "Pull request review thread side is not included in the list",
            message: "pull_request_review_thread.side is not included in the list",
        });
    }
    let Some(hunk) = hunks.iter().find(|hunk| hunk.shows(&side, line)) else {
        return Err(LINE_NOT_IN_DIFF);
    };
    let start_side = comment["start_side"].as_str().unwrap_or(&side).to_string();
    let start_line = comment["start_line"].as_u64();
    if let Some(start) = start_line {
        if start >= line && start_side == side {
            return Err(Misplaced {
                field: "pull_request_review_thread.start_line",
                sentence: "Pull request review thread start line must precede the end line",
                message: "pull_request_review_thread.start_line must precede the end line",
            });
        }
        if !hunk.shows(&start_side, start) {
            return Err(Misplaced {
                field: "pull_request_review_thread.start_line",
                sentence: "Pull request review thread start line must be part of the same hunk as the line.",
                message: "pull_request_review_thread.start_line must be part of the same hunk as the line.",
            });
        }
    }
    let position = hunk.position_of(&side, line);
    let line_text = position.and_then(|p| {
        hunk.text[p - hunk.header_position]
            .get(1..)
            .map(str::to_string)
    });
    Ok(Placement {
        path: path.to_string(),
        subject_type: "line".into(),
        line: Some(line),
        side: side.clone(),
        start_line,
        start_side: start_line.map(|_| start_side),
        position,
        diff_hunk: hunk.excerpt_to(&side, line),
        line_text,
    })
}

/// "A", "A and B", "A, B, and C": how GitHub joins the reasons of a failed review.
fn join_sentences(sentences: &[&str]) -> String {
    match sentences {
        [] => String::new(),
        [one] => one.to_string(),
        [first, second] => format!("{first} and {second}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn new_comment(
    state: &mut State,
    call: &Call,
    review_id: u64,
    commit_id: &str,
    placement: Placement,
    body: &str,
    in_reply_to: Option<u64>,
) -> ReviewComment {
    let now = now_iso();
    ReviewComment {
        id: state.next_id(),
        repo: (call.owner().to_string(), call.repo().to_string()),
        number: call.number("pull_number"),
        review_id,
        user: call.user.clone(),
        body: body.to_string(),
        path: placement.path,
        subject_type: placement.subject_type,
        line: placement.line,
        original_line: placement.line,
        side: placement.side,
        start_line: placement.start_line,
        original_start_line: placement.start_line,
        start_side: placement.start_side,
        position: placement.position,
        original_position: placement.position,
        line_text: placement.line_text,
        commit_id: commit_id.to_string(),
        original_commit_id: commit_id.to_string(),
        in_reply_to,
        diff_hunk: placement.diff_hunk,
        created_at: now.clone(),
        updated_at: now,
    }
}

fn simple_error(call: &Call, sentences: &[&str]) -> Response {
    call.unprocessable(
        "Unprocessable Entity",
        vec![Problem {
            resource: "PullRequestReview".into(),
            field: String::new(),
            code: "custom".into(),
            message: join_sentences(sentences),
        }],
    )
}

pub fn create_review(call: &Call, state: &mut State) -> Response {
    let number = call.number("pull_number");
    let Some(pull) = state.pull(call.owner(), call.repo(), number) else {
        return not_found();
    };
    let commit_id = call.body["commit_id"]
        .as_str()
        .unwrap_or(&pull.spec.head_sha)
        .to_string();
    let Some(files) = pull.files_at.get(&commit_id).cloned() else {
        return simple_error(call, &["Commit id is not part of the pull request"]);
    };
    let body = call.body["body"].as_str().unwrap_or_default().to_string();
    let comments = call.body["comments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let review_state = match call.body["event"].as_str() {
        Some("APPROVE") => "APPROVED",
        Some("REQUEST_CHANGES") => "CHANGES_REQUESTED",
        Some("COMMENT") => "COMMENTED",
        _ => "PENDING",
    };
    if body.trim().is_empty()
        && (review_state == "CHANGES_REQUESTED"
            || (review_state == "COMMENTED" && comments.is_empty()))
    {
        return simple_error(call, &["Review body can't be blank"]);
    }
    if review_state == "PENDING"
        && state.reviews.iter().any(|r| {
            r.repo.0 == call.owner()
                && r.repo.1 == call.repo()
                && r.number == number
                && r.state == "PENDING"
                && r.user == call.user
        })
    {
        return simple_error(
            call,
            &["User can only have one pending review per pull request"],
        );
    }
    // All or nothing: one comment off the diff fails the whole review.
    let mut placements = Vec::new();
    let mut sentences: Vec<&str> = Vec::new();
    if too_long(&body)
        || comments
            .iter()
            .any(|c| too_long(c["body"].as_str().unwrap_or_default()))
    {
        sentences.push(BODY_TOO_LONG);
    }
    for comment in &comments {
        match place(&files, comment) {
            Ok(placement) => placements.push((placement, comment)),
            Err(misplaced) => {
                if !sentences.contains(&misplaced.sentence) {
                    sentences.push(misplaced.sentence);
                }
            }
        }
    }
    if !sentences.is_empty() {
        return simple_error(call, &sentences);
    }
    let review = Review {
        id: state.next_id(),
        repo: (call.owner().to_string(), call.repo().to_string()),
        number,
        user: call.user.clone(),
        body,
        state: review_state.to_string(),
        commit_id: commit_id.clone(),
        submitted_at: (review_state != "PENDING").then(now_iso),
    };
    for (placement, comment) in placements {
        let text = comment["body"].as_str().unwrap_or_default();
        let comment = new_comment(state, call, review.id, &commit_id, placement, text, None);
        state.review_comments.push(comment);
    }
    let response = Response::json(200, &state.render_review(&review));
    state.reviews.push(review);
    response
}

pub fn create_review_comment(call: &Call, state: &mut State) -> Response {
    let number = call.number("pull_number");
    let Some(pull) = state.pull(call.owner(), call.repo(), number) else {
        return not_found();
    };
    let head = pull.spec.head_sha.clone();
    let body = call.body["body"].as_str().unwrap_or_default().to_string();
    if too_long(&body) {
        return call.invalid("PullRequestReviewComment", "body", BODY_TOO_LONG);
    }
    let (commit_id, placement, in_reply_to) =
        if let Some(parent_id) = call.body["in_reply_to"].as_u64() {
            // A reply joins the thread of the comment it answers; its own location fields
            // are ignored, as on GitHub.
            let Some(parent) = state.review_comments.iter().find(|c| {
                c.id == parent_id
                    && c.repo.0 == call.owner()
                    && c.repo.1 == call.repo()
                    && c.number == number
            }) else {
                return not_found();
            };
            let root_id = parent.in_reply_to.unwrap_or(parent.id);
            let root = state
                .review_comments
                .iter()
                .find(|c| c.id == root_id)
                .unwrap_or(parent)
                .clone();
            let placement = Placement {
                path: root.path.clone(),
                subject_type: root.subject_type.clone(),
                line: root.line,
                side: root.side.clone(),
                start_line: root.start_line,
                start_side: root.start_side.clone(),
                position: root.position,
                diff_hunk: root.diff_hunk.clone(),
                line_text: root.line_text.clone(),
            };
            (root.commit_id.clone(), placement, Some(root_id))
        } else {
            let commit_id = call.body["commit_id"].as_str().unwrap_or(&head).to_string();
            let Some(files) = pull.files_at.get(&commit_id) else {
                return call.invalid(
                    "PullRequestReviewComment",
                    "commit_id",
                    "commit_id is not part of the pull request",
                );
            };
            match place(files, &call.body) {
                Ok(placement) => (commit_id, placement, None),
                Err(misplaced) => {
                    return call.invalid(
                        "PullRequestReviewComment",
                        misplaced.field,
                        misplaced.message,
                    );
                }
            }
        };
    // Every single comment is a review of its own on GitHub.
    let review = Review {
        id: state.next_id(),
        repo: (call.owner().to_string(), call.repo().to_string()),
        number,
        user: call.user.clone(),
        body: String::new(),
        state: "COMMENTED".into(),
        commit_id: commit_id.clone(),
        submitted_at: Some(now_iso()),
    };
    let comment = new_comment(
        state,
        call,
        review.id,
        &commit_id,
        placement,
        &body,
        in_reply_to,
    );
    state.reviews.push(review);
    let response = Response::json(201, &state.render_review_comment(&comment));
    state.review_comments.push(comment);
    response
}

fn own_comment<'a>(call: &Call, state: &'a mut State) -> Option<&'a mut ReviewComment> {
    let id = call.number("comment_id");
    let (owner, repo) = (call.owner().to_string(), call.repo().to_string());
    state
        .review_comments
        .iter_mut()
        .find(|c| c.id == id && c.repo == (owner.clone(), repo.clone()))
}

pub fn update_review_comment(call: &Call, state: &mut State) -> Response {
    let body = call.body["body"].as_str().unwrap_or_default().to_string();
    if too_long(&body) {
        return call.invalid("PullRequestReviewComment", "body", BODY_TOO_LONG);
    }
    let Some(comment) = own_comment(call, state) else {
        return not_found();
    };
    comment.body = body;
    comment.updated_at = now_iso();
    let comment = comment.clone();
    Response::json(200, &state.render_review_comment(&comment))
}

pub fn delete_review_comment(call: &Call, state: &mut State) -> Response {
    let Some(id) = own_comment(call, state).map(|c| c.id) else {
        return not_found();
    };
    state.review_comments.retain(|c| c.id != id);
    Response::empty(204)
}
