//! A fake GitHub REST API on 127.0.0.1 for tests: a real HTTP server that behaves like
//! GitHub where a client can get it wrong, for the operations of GitHub's own OpenAPI
//! description vendored in tests/fixtures/github-openapi/ (see its README).
//!
//! - **Routing and validation.** Requests are routed by the vendored operations; an
//!   unknown route is 404, an operation of the subset the fake does not serve is 501.
//!   Path and query parameters are checked against their schemas and every JSON body
//!   against the operation's `requestBodySchema` (OpenAPI `nullable` rewritten as JSON
//!   Schema): an invalid one is 422 `{"message": "Validation Failed", "errors": [...]}`
//!   naming the field and the reason (`errors` are strings for `pulls/create-review`,
//!   whose schema says so, objects elsewhere); unparsable JSON is 400 "Problems parsing
//!   JSON". Every response the fake builds is checked against the operation's response
//!   schema: a mismatch is a bug in the fake and is answered 500 with the reasons.
//! - **Identity.** A missing User-Agent is 403, an unknown `X-GitHub-Api-Version` 400, a
//!   wrong token 401 "Bad credentials", no token 404 on reads (private repositories look
//!   absent) and 401 on writes. [`FakeGithub::read_only_token`] (a fork PR's token) gets
//!   403 "Resource not accessible by integration" on every write.
//! - **Pull requests** ([`FakeGithub::put_pull`]): `GET /pulls/{n}`, `/pulls/{n}/files`
//!   (paginated by `per_page` ≤ 100 and `page` with a `Link` header; at most 3,000 files;
//!   no `patch` for a file whose [`PullFile::patch`] is `None`, GitHub's "too large").
//! - **Reviews**: `POST /pulls/{n}/reviews` fails whole with 422 when any comment's line
//!   is not a line of that side inside the file's hunks, a start line is outside the
//!   line's hunk, the path is not in the pull request, or the file has no patch; nothing
//!   is stored then. `commit_id` must be a head the pull request had. `line`, `side`,
//!   `start_line`, `start_side` and the deprecated `position` are understood. Without an
//!   `event` the review is PENDING (one per user).
//! - **Review comments**: list (paginated), create (also as a reply with `in_reply_to`,
//!   which joins the thread's root), update, delete. When the pull request moves to a new
//!   head ([`FakeGithub::put_pull`] again), a comment follows its line's text to the new
//!   diff, or becomes outdated (`line` and `position` absent: the schema types them
//!   as integers, so the fake leaves them out where GitHub sends null).
//! - **Issue comments** (the sticky summary comment): list, create, update. Review,
//!   review-comment and issue-comment bodies are at most 65,536 characters (422).
//! - **Check runs**: create, update, list for a ref (`check_name`, `status`, `filter`
//!   latest/all). Annotations accumulate over updates; at most 50 per request (schema),
//!   summary/text at most 65,535 characters (schema), annotation `title` at most 255
//!   and `message`/`raw_details` at most 64 KiB, and columns only on a one-line
//!   annotation (all three from the descriptions, enforced with 422). `head_sha` must be
//!   a commit of the repository (422 "No commit found for SHA").
//! - **Contents**: `GET /contents/{path}` with `ref`, raw or JSON (base64).
//! - **Code scanning**: `POST /code-scanning/sarifs` takes a gzip-compressed, base64
//!   SARIF 2.1.0 log of at most 10 MB compressed (413 above; 400 when it does not
//!   decode); [`FakeGithub::sarif_uploads`] returns the decoded logs.
//! - **Rate limit**: `GET /rate_limit`, and `x-ratelimit-*` headers on every answer.
//!   A media type the fake cannot serve (`application/vnd.github.diff`, `.patch`,
//!   `.sha`) is 501.
//! - **Faults** ([`Fault`]): the Nth request matching METHOD PATTERN answered with 502
//!   after or before applying it, 429 or a secondary rate limit with `retry-after`, a
//!   primary rate limit with `x-ratelimit-reset`, or 403; [`FakeGithub::forbid_writes`].
//! - **Inspection**: every request (method, path, query, headers, body, status), counts
//!   by operation, the reviews, comments, check runs and annotations as GitHub would
//!   serve them, and `GET /_fake/state` with all of it for scripts (a route GitHub lacks,
//!   so only under `/_fake/`; `POST /_fake/faults` and `/_fake/forbid-writes` script
//!   faults from a shell, and `/_fake/` requests are not recorded).
//! - **Fixtures**: [`fixture_repo`] makes a real git repository per pull request and
//!   the runner's event payloads and `GITHUB_*` environment; [`scenarios`] holds the
//!   end-to-end scenarios; [`standalone`] serves one from a JSON file
//!   (examples/fake_github.rs).
//!
//! What the subset lacks, so the fake cannot serve (a client must not need them):
//! `POST /pulls/{n}/comments/{id}/replies` (use `in_reply_to`), `DELETE` of an issue
//! comment, `GET /check-runs/{id}` and `/check-runs/{id}/annotations` (the inspection API
//! reads annotations), review dismissal, `GET /pulls/{n}/reviews/{id}/comments`.
//! `Link` headers repeat the request's own path; GitHub's use `/repositories/{id}/…`.

#![allow(dead_code)]

mod call;
mod checks;
pub mod code_scanning;
mod faults;
pub mod fixture_repo;
mod http;
mod issues;
pub mod openapi;
pub mod patch;
mod pulls;
mod repos;
pub mod scenarios;
pub mod standalone;
mod state;

use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::{Value, json};

use call::{Call, Problem, error, forbidden_integration, not_found, unprocessable};
// Part of the module's API; a test binary that scripts no fault does not name them.
#[allow(unused_imports)]
pub use faults::{Fault, FaultKind};
use http::Response;
use openapi::Operation;
use state::{State, User};

/// One request the server received, and the status it answered.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The vendored operation it matched (`pulls/create-review`), if any.
    pub operation: Option<String>,
    pub status: u16,
    /// The response body the fake sent.
    pub response: String,
}

impl Request {
    /// The body as JSON (`null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn is_write(&self) -> bool {
        is_write(&self.method)
    }

    /// Whether this is METHOD on a path matching PATTERN (see [`Fault::new`]).
    pub fn matches(&self, method: &str, pattern: &str) -> bool {
        (method == "*" || method.eq_ignore_ascii_case(&self.method))
            && (pattern == "*" || openapi::match_template(pattern, &self.path).is_some())
    }

    fn to_json(&self) -> Value {
        let mut headers = self.headers.clone();
        // The state dump may be printed: never the token.
        if headers.contains_key("authorization") {
            headers.insert("authorization".into(), "[redacted]".into());
        }
        json!({
            "method": self.method, "path": self.path, "query": self.query,
            "headers": headers, "body": self.json(), "operation": self.operation,
            "status": self.status,
        })
    }
}

fn is_write(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS")
}

/// A file of a pull request, as `GET /pulls/{n}/files` serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFile {
    pub filename: String,
    /// added, removed, modified, renamed, copied, changed, unchanged.
    pub status: String,
    /// The unified-diff hunks (from the first `@@`); `None` for a diff too large for
    /// GitHub to show, which also takes no review comments.
    pub patch: Option<String>,
    pub previous_filename: Option<String>,
    pub additions: u64,
    pub deletions: u64,
    /// Blob SHA of the file at the head (of the old file when removed).
    pub sha: String,
}

impl PullFile {
    /// A file with PATCH; additions and deletions are counted from it.
    pub fn new(filename: &str, status: &str, patch: Option<&str>) -> PullFile {
        let (additions, deletions) = patch.map(patch::line_counts).unwrap_or((0, 0));
        PullFile {
            filename: filename.to_string(),
            status: status.to_string(),
            patch: patch.map(str::to_string),
            previous_filename: None,
            additions,
            deletions,
            sha: format!("{:040x}", state::repo_id(filename, status)),
        }
    }
}

/// A pull request of OWNER/REPO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub owner: String,
    pub repo: String,
    pub number: u64,
    pub title: String,
    pub body: String,
    pub author: String,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    pub base_sha: String,
    /// The merge commit GitHub made (`GITHUB_SHA` of a `pull_request` run).
    pub merge_sha: Option<String>,
    /// `owner/repo` of the fork the head lives in; `None` for a branch of the same
    /// repository.
    pub head_repo: Option<String>,
    pub files: Vec<PullFile>,
}

impl PullRequest {
    /// A same-repository pull request from `feature` into `main`.
    pub fn new(owner: &str, repo: &str, number: u64, base_sha: &str, head_sha: &str) -> Self {
        PullRequest {
            owner: owner.into(),
            repo: repo.into(),
            number,
            title: format!("Pull request {number}"),
            body: String::new(),
            author: "octocat".into(),
            head_ref: "feature".into(),
            head_sha: head_sha.into(),
            base_ref: "main".into(),
            base_sha: base_sha.into(),
            merge_sha: None,
            head_repo: None,
            files: Vec::new(),
        }
    }
}

/// The longest body GitHub takes for a comment or review, in characters.
pub const MAX_COMMENT_CHARS: usize = 65_536;

fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_COMMENT_CHARS
}

/// The most files `GET /pulls/{n}/files` lists.
pub const MAX_PULL_FILES: usize = 3000;

pub struct FakeGithub {
    pub url: String,
    /// A token with `checks: write`, `pull-requests: write`, `contents: read`.
    pub token: String,
    /// A read-only token, like a fork pull request's `GITHUB_TOKEN`.
    pub read_only_token: String,
    state: Arc<Mutex<State>>,
}

impl FakeGithub {
    pub fn start() -> FakeGithub {
        FakeGithub::start_on("127.0.0.1:0")
    }

    /// Serves on ADDRESS (`127.0.0.1:0` picks a free port).
    pub fn start_on(address: &str) -> FakeGithub {
        let listener = TcpListener::bind(address).expect("bind the fake GitHub's address");
        // Parse the OpenAPI description now, not on the first request.
        openapi::operations();
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            api_url: url.clone(),
            ..State::default()
        }));
        let tokens = Tokens {
            write: "ghs_faketoken0123456789".to_string(),
            read_only: "ghs_readonlytoken98765".to_string(),
        };
        let (server_state, server_tokens) = (state.clone(), tokens.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (state, tokens) = (server_state.clone(), server_tokens.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &state, &tokens);
                });
            }
        });
        FakeGithub {
            url,
            token: tokens.write,
            read_only_token: tokens.read_only,
            state,
        }
    }

    /// Makes `text` the content of OWNER/REPO/PATH at REF.
    pub fn put_file(&self, owner: &str, repo: &str, path: &str, reference: &str, text: &str) {
        let mut state = self.state.lock().unwrap();
        state.add_repo(owner, repo);
        state.files.insert(
            (owner.into(), repo.into(), path.into(), reference.into()),
            text.into(),
        );
    }

    /// Makes SHA a commit of OWNER/REPO (a `push` run's check runs go on it).
    pub fn add_commit(&self, owner: &str, repo: &str, sha: &str) {
        self.state
            .lock()
            .unwrap()
            .add_repo(owner, repo)
            .insert(sha.into());
    }

    /// Opens PULL, or moves it to its new head and files (a push or a rebase).
    pub fn put_pull(&self, pull: PullRequest) {
        self.state.lock().unwrap().put_pull(pull);
    }

    /// The pull request as `GET /pulls/{n}` serves it (and a `pull_request` event
    /// carries it).
    pub fn pull_json(&self, owner: &str, repo: &str, number: u64) -> Option<Value> {
        let state = self.state.lock().unwrap();
        state
            .pull(owner, repo, number)
            .map(|p| state.render_pull(p))
    }

    /// The repository as the API and event payloads show it.
    pub fn repo_json(&self, owner: &str, repo: &str) -> Value {
        let state = self.state.lock().unwrap();
        state::render_repo(&state.api_url, owner, repo, false)
    }

    /// An issue comment by LOGIN on pull request NUMBER (a human's, or an old run's);
    /// returns its id.
    pub fn seed_issue_comment(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        login: &str,
        body: &str,
    ) -> u64 {
        let mut state = self.state.lock().unwrap();
        let user = if login == User::actions_bot().login {
            User::actions_bot()
        } else {
            User::human(login)
        };
        issues::add_comment(&mut state, owner, repo, number, user, body)
    }

    /// The next `count` requests fail with 502 Bad Gateway before taking effect.
    pub fn fail_next(&self, count: usize) {
        self.state.lock().unwrap().failures_left = count;
    }

    /// Scripts FAULT (see [`Fault`]); faults are checked in the order they were added.
    pub fn inject(&self, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .push(state::ScriptedFault {
                fault,
                seen: 0,
                fired: 0,
            });
    }

    /// Every write from now on is 403 "Resource not accessible by integration".
    pub fn forbid_writes(&self) {
        self.state.lock().unwrap().writes_forbidden = true;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests that were writes (POST, PATCH, PUT, DELETE).
    pub fn writes(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(Request::is_write)
            .collect()
    }

    /// How many requests were METHOD on a path matching PATTERN.
    pub fn count(&self, method: &str, pattern: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.matches(method, pattern))
            .count()
    }

    /// Requests by operation id (`checks/create`); unrouted ones by `METHOD path`.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for request in self.requests() {
            let key = request
                .operation
                .clone()
                .unwrap_or_else(|| format!("{} {}", request.method, request.path));
            *counts.entry(key).or_insert(0) += 1;
        }
        counts
    }

    /// The reviews of a pull request, as `GET /pulls/{n}/reviews` serves them.
    pub fn reviews(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .reviews
            .iter()
            .filter(|r| r.repo.0 == owner && r.repo.1 == repo && r.number == number)
            .map(|r| state.render_review(r))
            .collect()
    }

    /// The review comments of a pull request, oldest first.
    pub fn review_comments(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .review_comments
            .iter()
            .filter(|c| c.repo.0 == owner && c.repo.1 == repo && c.number == number)
            .map(|c| state.render_review_comment(c))
            .collect()
    }

    /// The issue comments of a pull request, oldest first.
    pub fn issue_comments(&self, owner: &str, repo: &str, number: u64) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .issue_comments
            .iter()
            .filter(|c| c.repo.0 == owner && c.repo.1 == repo && c.number == number)
            .map(|c| state.render_issue_comment(c))
            .collect()
    }

    /// The check runs of a repository, oldest first.
    pub fn check_runs(&self, owner: &str, repo: &str) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .check_runs_of(owner, repo)
            .map(|run| state.render_check_run(run))
            .collect()
    }

    /// Every annotation of check run ID, in the order they were sent.
    pub fn annotations(&self, check_run_id: u64) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .check_runs
            .iter()
            .find(|run| run.id == check_run_id)
            .map(|run| run.annotations.clone())
            .unwrap_or_default()
    }

    /// The SARIF uploads to OWNER/REPO, decoded, oldest first.
    pub fn sarif_uploads(&self, owner: &str, repo: &str) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .sarif_uploads
            .iter()
            .filter(|upload| upload.repo.0 == owner && upload.repo.1 == repo)
            .map(code_scanning::SarifUpload::to_json)
            .collect()
    }

    /// Everything, as `GET /_fake/state` serves it.
    pub fn state_json(&self) -> Value {
        self.state.lock().unwrap().dump()
    }
}

#[derive(Clone)]
struct Tokens {
    write: String,
    read_only: String,
}

fn serve(stream: TcpStream, state: &Mutex<State>, tokens: &Tokens) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    while let Some(raw) = http::read_request(&mut reader)? {
        let close = raw
            .headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let (path, query) = http::split_target(&raw.target);
        let mut request = Request {
            method: raw.method,
            path,
            query,
            headers: raw.headers,
            body: String::from_utf8_lossy(&raw.body).into_owned(),
            operation: None,
            status: 0,
            response: String::new(),
        };
        let response = respond(&mut request, state, tokens);
        let is_api_call = !request.path.starts_with("/_fake/");
        let response = with_common_headers(response, state, is_api_call);
        request.status = response.status;
        request.response = String::from_utf8_lossy(&response.body).into_owned();
        // The `/_fake/` routes are the test's, not API calls: they are not recorded.
        if is_api_call {
            state.lock().unwrap().requests.push(request);
        }
        let response = if close {
            response.with_header("connection", "close")
        } else {
            response
        };
        http::write_response(&mut stream, &response)?;
        if close {
            break;
        }
    }
    Ok(())
}

fn with_common_headers(response: Response, state: &Mutex<State>, is_api_call: bool) -> Response {
    let mut state = state.lock().unwrap();
    if is_api_call {
        state.rate_limit_used += 1;
    }
    let used = state.rate_limit_used;
    let id = state.requests.len();
    let reset = unix_now() + 3600;
    let mut response = response;
    let mut add = |name: &str, value: String| {
        if response.header(name).is_none() {
            response.headers.push((name.to_string(), value));
        }
    };
    add("x-github-api-version-selected", "2022-11-28".into());
    add("x-github-request-id", format!("FAKE:{id:08X}"));
    add("x-ratelimit-limit", "5000".into());
    add(
        "x-ratelimit-remaining",
        5000u64.saturating_sub(used).to_string(),
    );
    add("x-ratelimit-reset", reset.to_string());
    add("x-ratelimit-used", used.to_string());
    add("x-ratelimit-resource", "core".into());
    response
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn respond(request: &mut Request, state: &Mutex<State>, tokens: &Tokens) -> Response {
    if let Some(route) = request.path.strip_prefix("/_fake/") {
        return fake_control(route, request, state);
    }
    if request
        .headers
        .get("user-agent")
        .is_none_or(|agent| agent.is_empty())
    {
        return error(
            403,
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
        );
    }
    if let Some(version) = request.headers.get("x-github-api-version")
        && version != "2022-11-28"
    {
        return error(400, &format!("API version '{version}' is not supported"));
    }
    let read_only = match request.headers.get("authorization") {
        Some(value) => {
            let presented = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("token "))
                .unwrap_or_default();
            if presented == tokens.write {
                false
            } else if presented == tokens.read_only {
                true
            } else {
                return error(401, "Bad credentials");
            }
        }
        None if is_write(&request.method) => return error(401, "Requires authentication"),
        // Private repositories look absent without a token.
        None => return not_found(),
    };
    let Some((operation, params)) = openapi::route(&request.method, &request.path) else {
        return not_found();
    };
    request.operation = Some(operation.id.clone());
    if let Some(owner) = params.get("owner")
        && let Some(repo) = params.get("repo")
        && !state.lock().unwrap().repo_exists(owner, repo)
    {
        return not_found();
    }
    if is_write(&request.method) && (read_only || state.lock().unwrap().writes_forbidden) {
        return forbidden_integration();
    }
    let (before, after) = faults::scripted_fault(request, state);
    if let Some(response) = before {
        return response;
    }
    if let Some(accept) = request.headers.get("accept")
        && ["diff", "patch", "sha"].iter().any(|kind| {
            accept.contains(&format!("vnd.github.{kind}"))
                || accept.contains(&format!("vnd.github.v3.{kind}"))
        })
    {
        return error(
            501,
            &format!(
                "the fake GitHub does not serve the media type {accept} (not in the vendored subset)"
            ),
        );
    }
    let problems = operation.parameter_errors(&params, &request.query);
    if !problems.is_empty() {
        return schema_problems(operation, problems);
    }
    let body = if request.body.trim().is_empty() {
        json!({})
    } else {
        match serde_json::from_str::<Value>(&request.body) {
            Ok(body) => body,
            Err(_) if operation.has_request_schema() => {
                return error(400, "Problems parsing JSON");
            }
            Err(_) => Value::Null,
        }
    };
    let problems = operation.request_errors(&body);
    if !problems.is_empty() {
        return schema_problems(operation, problems);
    }
    let call = Call {
        operation,
        params,
        query: &request.query,
        body,
        path: &request.path,
        user: User::actions_bot(),
    };
    let response = {
        let mut state = state.lock().unwrap();
        dispatch(&call, &mut state, request)
    };
    if let Some(problems) = response_problems(operation, &response) {
        return error(
            500,
            &format!("the fake GitHub built a response its schema rejects: {problems}"),
        );
    }
    after.unwrap_or(response)
}

/// The routes under `/_fake/` that scripts use: `GET state`, `POST faults` (a
/// [`Fault`] as JSON, see [`Fault::from_json`]), `POST forbid-writes`.
fn fake_control(route: &str, request: &Request, state: &Mutex<State>) -> Response {
    let mut state = state.lock().unwrap();
    match (request.method.as_str(), route) {
        ("GET", "state") => Response::json(200, &state.dump()),
        ("POST", "faults") => match Fault::from_json(&request.json()) {
            Ok(fault) => {
                state.faults.push(state::ScriptedFault {
                    fault,
                    seen: 0,
                    fired: 0,
                });
                Response::empty(204)
            }
            Err(message) => error(422, &message),
        },
        ("POST", "forbid-writes") => {
            state.writes_forbidden = true;
            Response::empty(204)
        }
        _ => not_found(),
    }
}

/// Why RESPONSE does not match what OPERATION documents, if it does not.
fn response_problems(operation: &Operation, response: &Response) -> Option<String> {
    if !response
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
    {
        return None;
    }
    let body: Value = serde_json::from_slice(&response.body).ok()?;
    let problems = operation.response_errors(response.status, &body);
    (!problems.is_empty()).then(|| {
        problems
            .iter()
            .map(|p| format!("{}: {}", p.pointer, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn schema_problems(operation: &Operation, problems: Vec<openapi::SchemaError>) -> Response {
    let resource = operation
        .id
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    unprocessable(
        operation,
        "Validation Failed",
        problems
            .into_iter()
            .map(|p| Problem {
                resource: resource.clone(),
                field: p.pointer,
                code: "invalid".into(),
                message: p.message,
            })
            .collect(),
    )
}

fn dispatch(call: &Call, state: &mut State, request: &Request) -> Response {
    match call.operation.id.as_str() {
        "pulls/get" => pulls::get(call, state),
        "pulls/list-files" => pulls::list_files(call, state),
        "pulls/create-review" => pulls::create_review(call, state),
        "pulls/list-reviews" => pulls::list_reviews(call, state),
        "pulls/list-review-comments" => pulls::list_review_comments(call, state),
        "pulls/create-review-comment" => pulls::create_review_comment(call, state),
        "pulls/update-review-comment" => pulls::update_review_comment(call, state),
        "pulls/delete-review-comment" => pulls::delete_review_comment(call, state),
        "issues/list-comments" => issues::list(call, state),
        "issues/create-comment" => issues::create(call, state),
        "issues/update-comment" => issues::update(call, state),
        "checks/create" => checks::create(call, state),
        "checks/update" => checks::update(call, state),
        "checks/list-for-ref" => checks::list_for_ref(call, state),
        "repos/get-content" => repos::get_content(call, state, request),
        "code-scanning/upload-sarif" => code_scanning::upload(call, state),
        "rate-limit/get" => repos::rate_limit(state),
        other => error(
            501,
            &format!("the fake GitHub does not serve {other} (it is in the vendored subset)"),
        ),
    }
}
