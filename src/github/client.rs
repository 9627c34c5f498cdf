//! The REST client: octocrab's generic calls with dockgate's own serde types, retries
//! that never duplicate a write, a count of the calls made, and a token that never
//! reaches any output.
//!
//! Reads, PATCHes and DELETEs are idempotent, so a 5xx, a 429, a secondary rate limit or
//! a lost connection is retried with exponential backoff and jitter, honouring
//! `retry-after` and `x-ratelimit-reset`. A POST is sent once: when its answer is a
//! 5xx or never comes, GitHub may have acted on it anyway, so [`Api::post`] reports
//! [`ApiError::is_unknown_outcome`] and the caller lists again and posts only what is
//! missing. Only an answer that proves the request was refused before it ran (a rate
//! limit) is retried.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderValue;
use http::{HeaderMap, Method, StatusCode};
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::service::middleware::extra_headers::ExtraHeadersLayer;
use octocrab::{AuthState, Octocrab, OctocrabBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::connector;

/// How often and how long to retry an idempotent request.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first backoff; each retry doubles it, plus up to half of it as jitter.
    pub base: Duration,
    /// The longest a single wait may be (a `retry-after` beyond it gives up instead).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// A request GitHub refused or that got no answer. Its text names the method, the
/// route and GitHub's message, never the token.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub method: Method,
    pub route: String,
    /// `None` when no answer came (connection refused, reset, timeout).
    pub status: Option<StatusCode>,
    pub message: String,
}

impl ApiError {
    /// The token may not write here: a fork's read-only token, missing permissions, or
    /// a repository the token cannot see.
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self.status,
            Some(StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED)
        )
    }

    /// GitHub validated the body and rejected it (a review line outside the diff).
    pub fn is_unprocessable(&self) -> bool {
        self.status == Some(StatusCode::UNPROCESSABLE_ENTITY)
    }

    /// The request may or may not have been carried out: a server error or no answer.
    pub fn is_unknown_outcome(&self) -> bool {
        self.status.is_none_or(|status| status.is_server_error())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(
                f,
                "{} {}: {} {}",
                self.method,
                self.route,
                status.as_u16(),
                self.message
            ),
            None => write!(
                f,
                "{} {}: no answer: {}",
                self.method, self.route, self.message
            ),
        }
    }
}

impl std::error::Error for ApiError {}

/// One answer, read in full.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

/// What one call did, for the debug log and the call count.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CallCount {
    pub get: usize,
    pub post: usize,
    pub patch: usize,
    pub delete: usize,
}

impl CallCount {
    pub fn total(&self) -> usize {
        self.get + self.post + self.patch + self.delete
    }
}

impl fmt::Display for CallCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} API calls ({} GET, {} POST, {} PATCH, {} DELETE)",
            self.total(),
            self.get,
            self.post,
            self.patch,
            self.delete
        )
    }
}

/// The client of one run. Calls are made one at a time (writes are serialised).
pub struct Api {
    octocrab: Octocrab,
    runtime: tokio::runtime::Runtime,
    /// Kept only to scrub it from any text that leaves this module.
    token: String,
    retry: RetryPolicy,
    debug: bool,
    calls: RefCell<CallCount>,
}

impl fmt::Debug for Api {
    // By hand, so the token can never reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("token", &"***")
            .field("calls", &self.calls.borrow())
            .finish_non_exhaustive()
    }
}

/// How long a GET may take before it counts as unanswered.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How long a TCP (and TLS) connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// GitHub refuses requests without one.
const USER_AGENT: &str = concat!("dockgate/", env!("CARGO_PKG_VERSION"));

impl Api {
    /// A client of the API at `api_url` (`GITHUB_API_URL`: github.com or a GitHub
    /// Enterprise Server's `https://HOST/api/v3`).
    pub fn new(api_url: &str, token: &str, debug: bool) -> Result<Api, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("cannot start the HTTP client: {error}"))?;
        let url = api_url.trim_end_matches('/').to_string();
        let base_uri: http::Uri = url
            .parse()
            .ok()
            .filter(|uri: &http::Uri| uri.scheme().is_some() && uri.authority().is_some())
            .ok_or_else(|| format!("`GITHUB_API_URL` is not a URL: `{url}`"))?;
        let octocrab = {
            // The connector's resolver needs the runtime that will drive it.
            let _guard = runtime.enter();
            let connector = connector::connector(CONNECT_TIMEOUT, TIMEOUT)
                .map_err(|error| format!("cannot start the HTTP client: {error}"))?;
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build(connector);
            let authorization = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| "the GitHub token has characters a header cannot carry".to_string())?;
            let headers = vec![
                (
                    http::header::USER_AGENT,
                    HeaderValue::from_static(USER_AGENT),
                ),
                (
                    http::header::ACCEPT,
                    HeaderValue::from_static("application/vnd.github+json"),
                ),
            ];
            // As octocrab's own builder stacks them: the token only goes to the API's
            // host, whatever URL a call names.
            OctocrabBuilder::new_empty()
                .with_service(client)
                .with_layer(&BaseUriLayer::new(base_uri.clone()))
                .with_layer(&ExtraHeadersLayer::new(Arc::new(headers)))
                .with_layer(&AuthHeaderLayer::new(
                    Some(authorization),
                    base_uri.clone(),
                    base_uri,
                ))
                .with_auth(AuthState::None)
                .build()
                .map_err(|error| format!("cannot start the HTTP client: {error}"))?
        };
        Ok(Api {
            octocrab,
            runtime,
            token: token.to_string(),
            retry: RetryPolicy::default(),
            debug,
            calls: RefCell::new(CallCount::default()),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Api {
        self.retry = retry;
        self
    }

    /// The calls made so far.
    pub fn calls(&self) -> CallCount {
        *self.calls.borrow()
    }

    /// Writes a debug line to stderr when debugging, the token scrubbed.
    pub fn debug(&self, text: &str) {
        if self.debug {
            eprintln!("dockgate: debug: {}", self.redact(text));
        }
    }

    fn redact(&self, text: &str) -> String {
        redact(text, &self.token)
    }

    /// GET `route` (relative to the API root, query included), retried when transient.
    pub fn get<T: DeserializeOwned>(&self, route: &str) -> Result<T, ApiError> {
        let answer = self.retried(Method::GET, route, None::<&()>)?;
        self.decode(&Method::GET, route, &answer.body)
    }

    /// Every page of a list: `per_page=100`, following `rel="next"` (or, without a
    /// `link` header, until a short page), at most `max_pages` pages.
    pub fn get_all<T: DeserializeOwned>(
        &self,
        route: &str,
        max_pages: usize,
    ) -> Result<Vec<T>, ApiError> {
        let separator = if route.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        for page in 1..=max_pages {
            let paged = format!("{route}{separator}per_page=100&page={page}");
            let answer = self.retried(Method::GET, &paged, None::<&()>)?;
            let batch: Vec<T> = self.decode(&Method::GET, &paged, &answer.body)?;
            let count = batch.len();
            items.extend(batch);
            let more = match answer.headers.get(http::header::LINK) {
                Some(link) => link.to_str().unwrap_or_default().contains("rel=\"next\""),
                None => count == 100,
            };
            if !more {
                break;
            }
        }
        Ok(items)
    }

    /// POST once. See the module doc for why it is not retried on a 5xx.
    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        route: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let answer = self.send(Method::POST, route, Some(body))?;
            if answer.status.is_success() {
                return self.decode(&Method::POST, route, &answer.body);
            }
            // A rate limit refused the request before anything ran: safe to send again.
            match rate_limit_wait(&answer, attempt, &self.retry) {
                Some(wait) if attempt < self.retry.attempts => self.sleep(wait),
                _ => return Err(self.error(Method::POST, route, &answer)),
            }
        }
    }

    /// PATCH, retried when transient (sending the same fields twice is harmless).
    pub fn patch<B: Serialize, T: DeserializeOwned>(
        &self,
        route: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let answer = self.retried(Method::PATCH, route, Some(body))?;
        self.decode(&Method::PATCH, route, &answer.body)
    }

    /// DELETE, retried when transient; a 404 after a lost answer means it is gone.
    pub fn delete(&self, route: &str) -> Result<(), ApiError> {
        match self.retried(Method::DELETE, route, None::<&()>) {
            Ok(_) => Ok(()),
            Err(error) => Err(error),
        }
    }

    fn retried<B: Serialize>(
        &self,
        method: Method,
        route: &str,
        body: Option<&B>,
    ) -> Result<Answer, ApiError> {
        let mut attempt = 0;
        let mut lost_answer = false;
        loop {
            attempt += 1;
            let result = self.send(method.clone(), route, body);
            let wait = match &result {
                Ok(answer) if answer.status.is_success() => {
                    return result;
                }
                Ok(answer)
                    if method == Method::DELETE
                        && lost_answer
                        && answer.status == StatusCode::NOT_FOUND =>
                {
                    // The first try deleted it; its answer was what got lost.
                    return result;
                }
                Ok(answer) => {
                    lost_answer = answer.status.is_server_error();
                    transient_wait(answer, attempt, &self.retry)
                }
                Err(_) => {
                    lost_answer = true;
                    Some(backoff(attempt, &self.retry))
                }
            };
            match (wait, result) {
                (Some(wait), _) if attempt < self.retry.attempts => self.sleep(wait),
                (_, Ok(answer)) => return Err(self.error(method, route, &answer)),
                (_, Err(error)) => return Err(error),
            }
        }
    }

    fn sleep(&self, wait: Duration) {
        self.debug(&format!("retrying in {} ms", wait.as_millis()));
        std::thread::sleep(wait);
    }

    /// One request, one answer read in full; counted and logged.
    fn send<B: Serialize>(
        &self,
        method: Method,
        route: &str,
        body: Option<&B>,
    ) -> Result<Answer, ApiError> {
        {
            let mut calls = self.calls.borrow_mut();
            match method {
                Method::POST => calls.post += 1,
                Method::PATCH => calls.patch += 1,
                Method::DELETE => calls.delete += 1,
                _ => calls.get += 1,
            }
        }
        let started = Instant::now();
        let no_answer = |message: String| ApiError {
            method: method.clone(),
            route: route.to_string(),
            status: None,
            message: self.redact(&message),
        };
        let result = self.runtime.block_on(async {
            let request = async {
                let response = match method {
                    Method::POST => self.octocrab._post(route, body).await,
                    Method::PATCH => self.octocrab._patch(route, body).await,
                    Method::DELETE => self.octocrab._delete(route, body).await,
                    _ => self.octocrab._get(route).await,
                }?;
                let status = response.status();
                let headers = response.headers().clone();
                let body = self.octocrab.body_to_string(response).await?;
                Ok::<_, octocrab::Error>(Answer {
                    status,
                    headers,
                    body,
                })
            };
            tokio::time::timeout(TIMEOUT, request).await
        });
        let answer = match result {
            Err(_) => Err(no_answer(format!("no answer in {} s", TIMEOUT.as_secs()))),
            Ok(Err(error)) => Err(no_answer(error_text(&error))),
            Ok(Ok(answer)) => Ok(answer),
        };
        let elapsed = started.elapsed().as_millis();
        match &answer {
            Ok(answer) => self.debug(&format!(
                "{method} {route} -> {} ({elapsed} ms)",
                answer.status.as_u16()
            )),
            Err(error) => self.debug(&format!("{error} ({elapsed} ms)")),
        }
        answer
    }

    fn decode<T: DeserializeOwned>(
        &self,
        method: &Method,
        route: &str,
        body: &str,
    ) -> Result<T, ApiError> {
        let body = if body.trim().is_empty() { "null" } else { body };
        serde_json::from_str(body).map_err(|error| ApiError {
            method: method.clone(),
            route: route.to_string(),
            status: None,
            message: format!("unexpected answer: {error}"),
        })
    }

    fn error(&self, method: Method, route: &str, answer: &Answer) -> ApiError {
        ApiError {
            method,
            route: route.to_string(),
            status: Some(answer.status),
            message: self.redact(&github_message(&answer.body)),
        }
    }
}

/// GitHub's `message` (and the `errors` it lists), else the start of the body.
fn github_message(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.chars().take(200).collect();
    };
    let mut message = value["message"].as_str().unwrap_or_default().to_string();
    if let Some(errors) = value["errors"].as_array() {
        let details: Vec<String> = errors
            .iter()
            .map(|error| match error {
                serde_json::Value::String(text) => text.clone(),
                other => other["message"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| other.to_string()),
            })
            .collect();
        if !details.is_empty() {
            message.push_str(&format!(" ({})", details.join("; ")));
        }
    }
    message
}

/// An octocrab error with its causes, on one line.
fn error_text(error: &octocrab::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `text` with every occurrence of `token` replaced by `***`.
pub fn redact(text: &str, token: &str) -> String {
    if token.len() < 4 {
        return text.to_string();
    }
    text.replace(token, "***")
}

/// The wait before retrying after `answer`, when it is worth retrying at all.
fn transient_wait(answer: &Answer, attempt: u32, retry: &RetryPolicy) -> Option<Duration> {
    if let Some(wait) = rate_limit_wait(answer, attempt, retry) {
        return Some(wait);
    }
    answer
        .status
        .is_server_error()
        .then(|| backoff(attempt, retry))
}

/// The wait a rate-limit answer asks for: `retry-after` seconds, else until
/// `x-ratelimit-reset` when none are left, else the backoff for a secondary limit.
/// `None` when `answer` is not a rate limit, or asks for longer than `max_wait`.
fn rate_limit_wait(answer: &Answer, attempt: u32, retry: &RetryPolicy) -> Option<Duration> {
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
    };
    let secondary = answer.status == StatusCode::FORBIDDEN
        && answer.body.to_ascii_lowercase().contains("rate limit");
    let limited = answer.status == StatusCode::TOO_MANY_REQUESTS
        || secondary
        || (answer.status == StatusCode::FORBIDDEN && header("x-ratelimit-remaining") == Some("0"));
    if !limited {
        return None;
    }
    let wait = if let Some(seconds) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        Duration::from_secs(seconds)
    } else if let (Some("0"), Some(reset)) = (
        header("x-ratelimit-remaining"),
        header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok()),
    ) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        Duration::from_secs(reset.saturating_sub(now) + 1)
    } else {
        backoff(attempt, retry)
    };
    (wait <= retry.max_wait).then_some(wait)
}

/// `base * 2^(attempt-1)` plus up to half of it as jitter, so parallel jobs that failed
/// together do not retry together.
fn backoff(attempt: u32, retry: &RetryPolicy) -> Duration {
    let exponential = retry.base * 2u32.saturating_pow(attempt.saturating_sub(1));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let jitter = exponential.mul_f64(f64::from(nanos % 1000) / 2000.0);
    (exponential + jitter).min(retry.max_wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&'static str, &str)], body: &str) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.to_string(),
        }
    }

    #[test]
    fn server_errors_back_off_exponentially_with_bounded_jitter() {
        let retry = RetryPolicy::default();
        let first = transient_wait(&answer(502, &[], ""), 1, &retry).unwrap();
        let third = transient_wait(&answer(503, &[], ""), 3, &retry).unwrap();
        assert!(
            first >= retry.base && first <= retry.base.mul_f64(1.5),
            "{first:?}"
        );
        assert!(third >= retry.base * 4 && third <= (retry.base * 4).mul_f64(1.5));
        assert_eq!(transient_wait(&answer(404, &[], ""), 1, &retry), None);
        assert_eq!(transient_wait(&answer(422, &[], ""), 1, &retry), None);
    }

    #[test]
    fn rate_limits_honour_retry_after_and_reset() {
        let retry = RetryPolicy::default();
        let after = answer(429, &[("retry-after", "3")], "");
        assert_eq!(
            rate_limit_wait(&after, 1, &retry),
            Some(Duration::from_secs(3))
        );
        let secondary = answer(
            403,
            &[("retry-after", "2")],
            r#"{"message":"You have exceeded a secondary rate limit"}"#,
        );
        assert_eq!(
            rate_limit_wait(&secondary, 1, &retry),
            Some(Duration::from_secs(2))
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = (now + 5).to_string();
        let primary = answer(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset),
            ],
            "{}",
        );
        let wait = rate_limit_wait(&primary, 1, &retry).unwrap();
        assert!(wait >= Duration::from_secs(5) && wait <= Duration::from_secs(6));
        // An hour away is not worth waiting for: give up and report.
        let later = answer(429, &[("retry-after", "3600")], "");
        assert_eq!(rate_limit_wait(&later, 1, &retry), None);
        // A plain 403 is a permission, not a limit.
        let forbidden = answer(
            403,
            &[],
            r#"{"message":"Resource not accessible by integration"}"#,
        );
        assert_eq!(rate_limit_wait(&forbidden, 1, &retry), None);
    }

    #[test]
    fn errors_carry_github_message_and_never_the_token() {
        let body = r#"{"message":"Validation Failed","errors":["line must be part of the diff"]}"#;
        assert_eq!(
            github_message(body),
            "Validation Failed (line must be part of the diff)"
        );
        assert_eq!(
            redact("Bearer ghs_secret123 failed", "ghs_secret123"),
            "Bearer *** failed"
        );
    }
}
