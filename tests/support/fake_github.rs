//! A fake GitHub REST API on 127.0.0.1 for tests: a real HTTP server that routes
//! requests by GitHub's own OpenAPI description (vendored in
//! tests/fixtures/github-openapi/) and rejects what GitHub would reject: unknown
//! routes (404), a missing User-Agent (403), a wrong token (401), an unknown API
//! version (400). It serves repository files through the contents API and records
//! every request so tests can count them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::Engine as _;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    /// (owner, repo, path, ref) -> file text.
    files: HashMap<(String, String, String, String), String>,
    requests: Vec<Request>,
    /// Requests to answer with 502 before serving normally (retry tests).
    failures_left: usize,
}

pub struct FakeGithub {
    pub url: String,
    pub token: String,
    state: Arc<Mutex<State>>,
}

/// One operation of the OpenAPI description: method, path template, and its
/// parameters as (name, `in`, required).
type Operation = (String, String, Vec<(String, String, bool)>);

/// The operations of the vendored OpenAPI subset.
fn operations() -> Vec<Operation> {
    let text = include_str!("../fixtures/github-openapi/github-rest-subset.json");
    let spec: serde_json::Value =
        serde_json::from_str(text).expect("vendored OpenAPI subset is JSON");
    spec["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|operation| {
            let parameters = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or_default().to_string(),
                        p["in"].as_str().unwrap_or_default().to_string(),
                        p["required"].as_bool().unwrap_or(false),
                    )
                })
                .collect();
            (
                operation["method"].as_str().unwrap_or_default().to_string(),
                operation["path"].as_str().unwrap_or_default().to_string(),
                parameters,
            )
        })
        .collect()
}

/// Matches `path` against an OpenAPI template; `{path}` may span slashes, as in the
/// contents API.
fn match_template(template: &str, path: &str) -> Option<HashMap<String, String>> {
    let template_parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut values = HashMap::new();
    for (index, template_part) in template_parts.iter().enumerate() {
        let is_last = index == template_parts.len() - 1;
        if let Some(name) = template_part
            .strip_prefix('{')
            .and_then(|p| p.strip_suffix('}'))
        {
            let value = if is_last && name == "path" {
                parts.get(index..).map(|rest| rest.join("/"))?
            } else {
                parts.get(index)?.to_string()
            };
            if value.is_empty() {
                return None;
            }
            values.insert(name.to_string(), percent_decode(&value));
        } else if parts.get(index) != Some(template_part) {
            return None;
        }
    }
    (template_parts.last().is_some_and(|p| *p == "{path}") || parts.len() == template_parts.len())
        .then_some(values)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl FakeGithub {
    pub fn start() -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State::default()));
        let token = "ghs_faketoken0123456789".to_string();
        let (server_state, server_token) = (state.clone(), token.clone());
        thread::spawn(move || {
            let operations = operations();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (state, token, operations) = (
                    server_state.clone(),
                    server_token.clone(),
                    operations.clone(),
                );
                thread::spawn(move || {
                    let _ = serve(stream, &state, &token, &operations);
                });
            }
        });
        FakeGithub { url, token, state }
    }

    /// Makes `text` the content of OWNER/REPO/PATH at REF.
    pub fn put_file(&self, owner: &str, repo: &str, path: &str, reference: &str, text: &str) {
        self.state.lock().unwrap().files.insert(
            (owner.into(), repo.into(), path.into(), reference.into()),
            text.into(),
        );
    }

    /// The next `count` requests fail with 502 Bad Gateway.
    pub fn fail_next(&self, count: usize) {
        self.state.lock().unwrap().failures_left = count;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }
}

fn serve(
    stream: TcpStream,
    state: &Mutex<State>,
    token: &str,
    operations: &[Operation],
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut parts = request_line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return Ok(());
        };
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let (path, query_text) = target.split_once('?').unwrap_or((target, ""));
        let query = query_text
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (percent_decode(k), percent_decode(v)))
            .collect();
        let request = Request {
            method: method.to_string(),
            path: path.to_string(),
            query,
            headers,
        };
        let (status, content_type, body) = respond(&request, state, token, operations);
        state.lock().unwrap().requests.push(request);
        write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )?;
        stream.write_all(body.as_bytes())?;
        stream.flush()?;
    }
}

fn json_error(status: &str, message: &str) -> (String, &'static str, String) {
    (
        status.to_string(),
        "application/json; charset=utf-8",
        serde_json::json!({ "message": message, "documentation_url": "https://docs.github.com/rest" }).to_string(),
    )
}

fn respond(
    request: &Request,
    state: &Mutex<State>,
    token: &str,
    operations: &[Operation],
) -> (String, &'static str, String) {
    if !request.headers.contains_key("user-agent") {
        return json_error(
            "403 Forbidden",
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
        );
    }
    if let Some(version) = request.headers.get("x-github-api-version")
        && version != "2022-11-28"
    {
        return json_error(
            "400 Bad Request",
            &format!("API version '{version}' is not supported"),
        );
    }
    match request.headers.get("authorization") {
        Some(value)
            if value != &format!("Bearer {token}") && value != &format!("token {token}") =>
        {
            return json_error("401 Unauthorized", "Bad credentials");
        }
        // Private repositories look absent without a token.
        None => return json_error("404 Not Found", "Not Found"),
        Some(_) => {}
    }
    let Some((params, parameters)) =
        operations
            .iter()
            .find_map(|(method, template, parameters)| {
                (method == &request.method)
                    .then(|| match_template(template, &request.path))
                    .flatten()
                    .map(|p| (p, parameters))
            })
    else {
        return json_error("404 Not Found", "Not Found");
    };
    for (name, location, required) in parameters {
        let present = match location.as_str() {
            "path" => params.contains_key(name),
            "query" => request.query.contains_key(name),
            _ => true,
        };
        if *required && !present {
            return json_error(
                "422 Unprocessable Entity",
                &format!("missing required parameter {name}"),
            );
        }
    }
    {
        let mut state = state.lock().unwrap();
        if state.failures_left > 0 {
            state.failures_left -= 1;
            return (
                "502 Bad Gateway".to_string(),
                "text/html",
                "<html>502</html>".to_string(),
            );
        }
    }
    if !request.path.contains("/contents/") {
        return json_error("404 Not Found", "Not Found");
    }
    let reference = request
        .query
        .get("ref")
        .cloned()
        .unwrap_or_else(|| "main".to_string());
    let key = (
        params["owner"].clone(),
        params["repo"].clone(),
        params["path"].clone(),
        reference,
    );
    let Some(text) = state.lock().unwrap().files.get(&key).cloned() else {
        return json_error("404 Not Found", "Not Found");
    };
    let accept = request
        .headers
        .get("accept")
        .map(String::as_str)
        .unwrap_or("application/json");
    if accept.contains("application/vnd.github.raw") {
        return (
            "200 OK".to_string(),
            "application/vnd.github.raw; charset=utf-8",
            text,
        );
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let body = serde_json::json!({
        "type": "file", "encoding": "base64", "size": text.len(),
        "name": key.2.rsplit('/').next(), "path": key.2, "content": encoded,
    });
    (
        "200 OK".to_string(),
        "application/json; charset=utf-8",
        body.to_string(),
    )
}
