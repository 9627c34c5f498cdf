//! Scripted faults: the Nth request matching METHOD PATTERN answered with a 502, a
//! rate limit or a 403, before or after it takes effect.

use serde_json::Value;

use super::Request;
use super::http::Response;
use super::state::State;
use super::{error, forbidden_integration, unix_now};

/// What a scripted fault answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 502 after the request took effect: the response is lost, the change is not.
    BadGatewayAfter,
    /// 502 before the request took effect.
    BadGatewayBefore,
    /// 429 with `retry-after: SECONDS`; nothing applied.
    TooManyRequests { retry_after: u64 },
    /// 403 "You have exceeded a secondary rate limit" with `retry-after: SECONDS`.
    SecondaryRateLimit { retry_after: u64 },
    /// 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` SECONDS from now.
    PrimaryRateLimit { reset_in: u64 },
    /// 403 "Resource not accessible by integration".
    Forbidden,
}

/// "Answer the NTH request matching METHOD PATTERN with KIND", TIMES times in a row.
#[derive(Debug, Clone)]
pub struct Fault {
    pub kind: FaultKind,
    pub method: String,
    pub pattern: String,
    pub nth: usize,
    pub times: usize,
}

impl Fault {
    /// METHOD is `POST` (any case) or `*`; PATTERN is a path where `{name}` or `*`
    /// matches one segment (`/repos/{owner}/{repo}/pulls/{pull_number}/reviews`), or
    /// `*` for every path.
    /// Fires on the first matching request, once, unless told otherwise.
    pub fn new(kind: FaultKind, method: &str, pattern: &str) -> Fault {
        Fault {
            kind,
            method: method.to_string(),
            pattern: pattern.to_string(),
            nth: 1,
            times: 1,
        }
    }

    /// A fault as scripts send it to `POST /_fake/faults`: `{"kind":
    /// "bad_gateway_after", "method": "POST", "pattern": "/repos/*/*/check-runs",
    /// "nth": 1, "times": 1, "seconds": 5}` (`seconds`: retry-after or reset delay).
    pub fn from_json(value: &Value) -> Result<Fault, String> {
        let seconds = value["seconds"].as_u64().unwrap_or(1);
        let kind = match value["kind"].as_str().unwrap_or_default() {
            "bad_gateway_after" => FaultKind::BadGatewayAfter,
            "bad_gateway_before" => FaultKind::BadGatewayBefore,
            "too_many_requests" => FaultKind::TooManyRequests {
                retry_after: seconds,
            },
            "secondary_rate_limit" => FaultKind::SecondaryRateLimit {
                retry_after: seconds,
            },
            "primary_rate_limit" => FaultKind::PrimaryRateLimit { reset_in: seconds },
            "forbidden" => FaultKind::Forbidden,
            other => {
                return Err(format!(
                    "kind {other:?} is not bad_gateway_after, bad_gateway_before, too_many_requests, secondary_rate_limit, primary_rate_limit or forbidden"
                ));
            }
        };
        let (Some(method), Some(pattern)) = (value["method"].as_str(), value["pattern"].as_str())
        else {
            return Err("a fault needs a method and a pattern".into());
        };
        let times = match value.get("times") {
            None => 1,
            Some(times) => times
                .as_u64()
                .map(|t| t as usize)
                .ok_or("times must be a number")?,
        };
        Ok(Fault::new(kind, method, pattern)
            .nth(value["nth"].as_u64().unwrap_or(1) as usize)
            .times(times))
    }

    /// Fires on the NTH matching request (1 is the first).
    pub fn nth(mut self, nth: usize) -> Fault {
        self.nth = nth.max(1);
        self
    }

    /// Fires on TIMES matching requests in a row (`usize::MAX`: from then on).
    pub fn times(mut self, times: usize) -> Fault {
        self.times = times;
        self
    }
}

/// The scripted fault this request triggers: a response instead of applying it, or one
/// to send after applying it.
pub fn scripted_fault(
    request: &Request,
    state: &std::sync::Mutex<State>,
) -> (Option<Response>, Option<Response>) {
    let mut state = state.lock().unwrap();
    if state.failures_left > 0 {
        state.failures_left -= 1;
        return (Some(bad_gateway()), None);
    }
    let mut fired = None;
    for scripted in &mut state.faults {
        if !request.matches(&scripted.fault.method, &scripted.fault.pattern) {
            continue;
        }
        scripted.seen += 1;
        if fired.is_none()
            && scripted.seen >= scripted.fault.nth
            && scripted.fired < scripted.fault.times
        {
            scripted.fired += 1;
            fired = Some(scripted.fault.kind.clone());
        }
    }
    let Some(kind) = fired else {
        return (None, None);
    };
    let response = match kind {
        FaultKind::BadGatewayAfter => return (None, Some(bad_gateway())),
        FaultKind::BadGatewayBefore => bad_gateway(),
        FaultKind::TooManyRequests { retry_after } => {
            error(429, "Too Many Requests").with_header("retry-after", retry_after.to_string())
        }
        FaultKind::SecondaryRateLimit { retry_after } => error(
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.",
        )
        .with_header("retry-after", retry_after.to_string()),
        FaultKind::PrimaryRateLimit { reset_in } => {
            error(403, "API rate limit exceeded for installation ID 1.")
                .with_header("x-ratelimit-remaining", "0")
                .with_header("x-ratelimit-reset", (unix_now() + reset_in).to_string())
        }
        FaultKind::Forbidden => forbidden_integration(),
    };
    (Some(response), None)
}

fn bad_gateway() -> Response {
    Response {
        status: 502,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
    }
}
