//! Remote policies, `github:OWNER/REPO/PATH@REF`, read through the GitHub contents API
//! so an organisation keeps one policy in one repository.
//!
//! The API root is `GITHUB_API_URL` (GitHub Enterprise, tests), else
//! `https://api.github.com`; the token is the action's `github-token` input or
//! `GITHUB_TOKEN`. Transient failures (connection errors, 5xx, 429) are retried with
//! backoff; anything else is an error, never a silent fallback to no policy.

use std::fmt;
use std::io::Read;
use std::time::Duration;

/// A parsed `github:OWNER/REPO/PATH@REF`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GithubRef {
    pub owner: String,
    pub repo: String,
    pub path: String,
    pub reference: String,
}

pub const GITHUB_REF_EXPECTED: &str =
    "expected `github:OWNER/REPO/PATH@REF`, e.g. `github:acme/policies/container.yml@v1`";

impl GithubRef {
    pub fn parse(spec: &str) -> Result<GithubRef, String> {
        let rest = spec
            .strip_prefix("github:")
            .ok_or_else(|| GITHUB_REF_EXPECTED.to_string())?;
        let (location, reference) = rest
            .rsplit_once('@')
            .ok_or_else(|| format!("`{spec}` has no `@REF`: {GITHUB_REF_EXPECTED}"))?;
        let mut parts = location.splitn(3, '/');
        let (Some(owner), Some(repo), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "invalid remote policy `{spec}`: {GITHUB_REF_EXPECTED}"
            ));
        };
        let valid_name = |name: &str| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !valid_name(owner)
            || !valid_name(repo)
            || path.is_empty()
            || reference.is_empty()
            || path.split('/').any(|part| part.is_empty() || part == "..")
        {
            return Err(format!(
                "invalid remote policy `{spec}`: {GITHUB_REF_EXPECTED}"
            ));
        }
        Ok(GithubRef {
            owner: owner.to_string(),
            repo: repo.to_string(),
            path: path.to_string(),
            reference: reference.to_string(),
        })
    }

    /// A policy path relative to this one, in the same repository at the same ref.
    pub fn join(&self, relative: &str) -> Result<GithubRef, String> {
        let mut parts: Vec<&str> = self.path.split('/').collect();
        parts.pop();
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop().ok_or_else(|| {
                        format!(
                            "`{relative}` leaves the repository {}/{}",
                            self.owner, self.repo
                        )
                    })?;
                }
                part => parts.push(part),
            }
        }
        Ok(GithubRef {
            path: parts.join("/"),
            ..self.clone()
        })
    }
}

impl fmt::Display for GithubRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "github:{}/{}/{}@{}",
            self.owner, self.repo, self.path, self.reference
        )
    }
}

/// The largest policy file accepted from the API.
const MAX_POLICY_BYTES: u64 = 1 << 20;

/// Reads remote policies; one per run per reference (the loader caches).
pub struct GithubFetcher {
    api_url: String,
    token: Option<String>,
    client: Option<reqwest::blocking::Client>,
    /// Pauses between attempts; the number of attempts is one more.
    backoff: Vec<Duration>,
}

impl fmt::Debug for GithubFetcher {
    // By hand, so the token can never reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubFetcher")
            .field("api_url", &self.api_url)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

impl GithubFetcher {
    /// Configured from the environment of a GitHub Actions run or a shell.
    pub fn from_env() -> GithubFetcher {
        let api_url = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| "https://api.github.com".to_string());
        let token = ["INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN", "GITHUB_TOKEN"]
            .iter()
            .find_map(|name| {
                std::env::var(name)
                    .ok()
                    .filter(|token| !token.trim().is_empty())
            })
            .map(|token| token.trim().to_string());
        GithubFetcher::new(api_url, token)
    }

    pub fn new(api_url: String, token: Option<String>) -> GithubFetcher {
        GithubFetcher {
            api_url: api_url.trim_end_matches('/').to_string(),
            token,
            client: None,
            backoff: vec![
                Duration::from_millis(500),
                Duration::from_secs(2),
                Duration::from_secs(5),
            ],
        }
    }

    /// The policy text, or why it could not be read.
    pub fn fetch(&mut self, policy: &GithubRef) -> Result<String, String> {
        let url = format!(
            "{}/repos/{}/{}/contents/{}",
            self.api_url,
            policy.owner,
            policy.repo,
            policy
                .path
                .split('/')
                .map(encode_path_segment)
                .collect::<Vec<_>>()
                .join("/")
        );
        let client = match &self.client {
            Some(client) => client.clone(),
            None => {
                let client = reqwest::blocking::Client::builder()
                    .dns_resolver(crate::dns::for_reqwest())
                    .user_agent(concat!("dockgate/", env!("CARGO_PKG_VERSION")))
                    .timeout(Duration::from_secs(30))
                    .build()
                    .map_err(|error| format!("cannot start an HTTP client: {error}"))?;
                self.client = Some(client.clone());
                client
            }
        };
        let mut attempt = 0;
        loop {
            let mut request = client
                .get(&url)
                .query(&[("ref", &policy.reference)])
                .header("Accept", "application/vnd.github.raw+json")
                .header("X-GitHub-Api-Version", "2022-11-28");
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let retry_after = match request.send() {
                Ok(response) if response.status().is_success() => return read_body(response),
                Ok(response) => {
                    let status = response.status();
                    let retryable = status.is_server_error() || status.as_u16() == 429;
                    if !retryable || attempt == self.backoff.len() {
                        return Err(self.describe_failure(policy, status));
                    }
                    response
                        .headers()
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
                        .map(|seconds| Duration::from_secs(seconds.min(60)))
                }
                Err(error) if attempt == self.backoff.len() => {
                    return Err(format!(
                        "cannot reach {}: {}",
                        self.api_url,
                        without_url(&error)
                    ));
                }
                Err(_) => None,
            };
            std::thread::sleep(retry_after.unwrap_or(self.backoff[attempt]));
            attempt += 1;
        }
    }

    fn describe_failure(&self, policy: &GithubRef, status: reqwest::StatusCode) -> String {
        let hint = match status.as_u16() {
            401 => " (the token was rejected)",
            403 => " (the token may lack `contents: read`, or the rate limit is exhausted)",
            404 if self.token.is_none() => " (not found; a private repository needs GITHUB_TOKEN)",
            404 => " (no such repository, file or ref, or the token cannot read it)",
            _ => "",
        };
        format!(
            "cannot fetch remote policy {policy}: HTTP {}{hint}",
            status.as_u16()
        )
    }

    #[cfg(test)]
    pub fn without_backoff(mut self) -> GithubFetcher {
        self.backoff = vec![Duration::ZERO; self.backoff.len()];
        self
    }
}

fn read_body(response: reqwest::blocking::Response) -> Result<String, String> {
    let mut bytes = Vec::new();
    response
        .take(MAX_POLICY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("reading the response failed: {error}"))?;
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return Err(format!(
            "the policy is larger than {MAX_POLICY_BYTES} bytes"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "the policy is not UTF-8 text".to_string())
}

/// A reqwest error without the URL, which could carry a query string worth hiding.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "");
    }
    text
}

fn encode_path_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_remote_references() {
        let parsed = GithubRef::parse("github:acme/policies/container/base.yml@v1.2").unwrap();
        assert_eq!(parsed.owner, "acme");
        assert_eq!(parsed.repo, "policies");
        assert_eq!(parsed.path, "container/base.yml");
        assert_eq!(parsed.reference, "v1.2");
        assert_eq!(
            parsed.to_string(),
            "github:acme/policies/container/base.yml@v1.2"
        );
        for bad in [
            "github:acme/policies@v1",
            "github:acme/policies/x.yml",
            "github:/p/x.yml@v1",
            "github:a/b/../x.yml@v1",
            "github:a/b/x.yml@",
        ] {
            assert!(GithubRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn relative_paths_stay_in_the_repository() {
        let base = GithubRef::parse("github:acme/policies/teams/web.yml@main").unwrap();
        assert_eq!(
            base.join("../org.yml").unwrap().to_string(),
            "github:acme/policies/org.yml@main"
        );
        assert_eq!(base.join("./shared.yml").unwrap().path, "teams/shared.yml");
        assert!(base.join("../../x.yml").is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let fetcher = GithubFetcher::new("http://x".into(), Some("ghp_secret".into()));
        assert!(!format!("{fetcher:?}").contains("ghp_secret"));
    }
}
