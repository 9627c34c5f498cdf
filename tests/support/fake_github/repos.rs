//! The contents API and the rate limit.

use base64::Engine as _;
use serde_json::{Value, json};

use super::http::Response;
use super::state::{self, State};
use super::{Call, Request, not_found, openapi, unix_now};

pub fn rate_limit(state: &State) -> Response {
    let mut value = openapi::operation("rate-limit/get").example(200);
    let core = json!({
        "limit": 5000,
        "used": state.rate_limit_used,
        "remaining": 5000u64.saturating_sub(state.rate_limit_used),
        "reset": unix_now() + 3600,
    });
    value["resources"]["core"] = core.clone();
    value["rate"] = core;
    Response::json(200, &value)
}

pub fn get_content(call: &Call, state: &State, request: &Request) -> Response {
    let reference = call
        .query
        .get("ref")
        .cloned()
        .unwrap_or_else(|| "main".to_string());
    let path = call.params["path"].clone();
    let key = (
        call.owner().to_string(),
        call.repo().to_string(),
        path.clone(),
        reference,
    );
    let Some(text) = state.files.get(&key) else {
        return not_found();
    };
    let accept = request
        .headers
        .get("accept")
        .map(String::as_str)
        .unwrap_or("application/json");
    if accept.contains("application/vnd.github.raw") {
        return Response {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "application/vnd.github.raw; charset=utf-8".into(),
            )],
            body: text.clone().into_bytes(),
        };
    }
    let (owner, repo) = (call.owner(), call.repo());
    let api = &state.api_url;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let url = format!("{api}/repos/{owner}/{repo}/contents/{path}");
    let html = format!("https://github.com/{owner}/{repo}/blob/{}/{path}", key.3);
    let sha = format!("{:040x}", state::repo_id(&path, text));
    Response::json(
        200,
        &json!({
            "type": "file", "encoding": "base64", "size": text.len(),
            "name": path.rsplit('/').next(), "path": path, "content": encoded,
            "sha": sha, "url": url, "git_url": Value::Null, "html_url": html,
            "download_url": Value::Null,
            "_links": {"self": url, "git": Value::Null, "html": html},
        }),
    )
}
