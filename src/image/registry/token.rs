//! Answers to `401` challenges: Basic auth, and the Bearer token flow (anonymous, with
//! a user and password, or with an identity token's OAuth2 refresh grant).

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use base64::Engine as _;
use reqwest::Url;
use reqwest::blocking::RequestBuilder;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde::Deserialize;

use super::http::{http_error, strip_query};
use super::{Credentials, RegistryClient, RegistryError, Result, is_local_registry};

impl RegistryClient {
    /// Answers a `WWW-Authenticate` challenge; returns the `Authorization` value to use.
    pub(super) fn authenticate(&self, challenge: Option<&str>) -> Result<String> {
        let challenge = challenge.ok_or_else(|| {
            self.unauthorized("HTTP 401 without a WWW-Authenticate challenge".into())
        })?;
        let (scheme, params) = parse_challenge(challenge);
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => match &self.credentials {
                Credentials::Basic { username, password } => Ok(basic_header(username, password)),
                Credentials::IdentityToken(_) => Err(self.unauthorized(
                    "Basic auth requested, but only an identity token is configured".into(),
                )),
                Credentials::Anonymous => {
                    Err(self.unauthorized("anonymous access denied; no credentials found".into()))
                }
            },
            "bearer" => self.bearer_token(&params),
            other => Err(self.unauthorized(format!("unsupported auth scheme `{other}`"))),
        }
    }

    fn unauthorized(&self, reason: String) -> RegistryError {
        RegistryError::Unauthorized {
            registry: self.reference.registry.clone(),
            reason,
        }
    }

    /// The token flow: the credentials (if any) go to the challenge's realm, which answers
    /// with a token for the scope asked (this repository, pull, unless the challenge
    /// names another).
    fn bearer_token(&self, params: &BTreeMap<String, String>) -> Result<String> {
        let realm = params
            .get("realm")
            .ok_or_else(|| self.unauthorized("Bearer challenge without realm".into()))?;
        let mut token_url = Url::parse(realm)
            .map_err(|e| self.unauthorized(format!("bad token realm `{realm}`: {e}")))?;
        {
            let mut query = token_url.query_pairs_mut();
            if let Some(service) = params.get("service") {
                query.append_pair("service", service);
            }
            let scope = params
                .get("scope")
                .cloned()
                .unwrap_or_else(|| format!("repository:{}:pull", self.reference.repository));
            query.append_pair("scope", &scope);
        }
        if self.credentials != Credentials::Anonymous && !self.may_send_credentials_to(&token_url) {
            return Err(self.unauthorized(format!(
                "the token endpoint {} is plain HTTP on a host that is neither local nor named \
                 with --insecure-registry; the credentials were not sent",
                strip_query(&token_url)
            )));
        }
        let response = self
            .token_request(&token_url)
            .timeout(Duration::from_secs(60))
            .send()
            .map_err(|e| http_error(&token_url, e))?;
        if !response.status().is_success() {
            return Err(self.unauthorized(format!(
                "token endpoint {} answered HTTP {}",
                strip_query(&token_url),
                response.status().as_u16()
            )));
        }
        #[derive(Deserialize)]
        struct TokenResponse {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let mut body = Vec::new();
        response
            .take(1 << 20)
            .read_to_end(&mut body)
            .map_err(|e| RegistryError::Io {
                what: strip_query(&token_url),
                source: e,
            })?;
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| self.unauthorized("the token endpoint's answer is not JSON".into()))?;
        let token = parsed
            .token
            .or(parsed.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.unauthorized("the token endpoint returned no token".into()))?;
        Ok(format!("Bearer {token}"))
    }

    /// The request for a token, as the credentials ask for it.
    fn token_request(&self, token_url: &Url) -> RequestBuilder {
        let http = self.http_for(token_url);
        match &self.credentials {
            Credentials::Anonymous => http.get(token_url.clone()),
            Credentials::Basic { username, password } => http
                .get(token_url.clone())
                .header(AUTHORIZATION, basic_header(username, password)),
            Credentials::IdentityToken(token) => {
                // The OAuth2 refresh-token grant Docker uses for identity tokens.
                let mut form = vec![
                    ("grant_type".to_owned(), "refresh_token".to_owned()),
                    ("refresh_token".to_owned(), token.clone()),
                    ("client_id".to_owned(), "dockgate".to_owned()),
                ];
                form.extend(token_url.query_pairs().into_owned());
                let body = form
                    .iter()
                    .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                let mut post_url = token_url.clone();
                post_url.set_query(None);
                http.post(post_url)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body)
            }
        }
    }

    /// Credentials travel over HTTPS, or over plain HTTP to a local host or one the user
    /// named insecure: never in clear text to a host the user did not choose (a token
    /// realm is whatever URL the registry's challenge names).
    fn may_send_credentials_to(&self, url: &Url) -> bool {
        url.scheme() == "https"
            || url.host_str().is_some_and(is_local_registry)
            || self.insecure_registries.contains_url(url)
    }
}

fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn basic_header(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
    )
}

/// `Bearer realm="...",service="...",scope="..."` → ("Bearer", params). Quoted values may
/// contain commas (scopes with several actions: `pull,push`).
pub fn parse_challenge(header: &str) -> (String, BTreeMap<String, String>) {
    let header = header.trim();
    let (scheme, rest) = header
        .split_once(char::is_whitespace)
        .unwrap_or((header, ""));
    let mut params = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(escaped) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' {
                    break;
                }
                value.push(*c);
                chars.next();
            }
            value = value.trim().to_owned();
        }
        params.insert(key, value);
    }
    (scheme.to_owned(), params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::registry::ClientOptions;
    use crate::image::registry::tests::{named, reference};

    #[test]
    fn credentials_go_over_plain_http_only_to_local_or_named_hosts() {
        let client = RegistryClient::new(
            reference("registry.internal/app"),
            ClientOptions {
                insecure_registries: named(&["registry.internal", "auth.internal:9000"]),
                ..ClientOptions::default()
            },
        )
        .unwrap();
        let may = |text: &str| client.may_send_credentials_to(&Url::parse(text).unwrap());
        assert!(may("https://auth.example.com/token"));
        assert!(may("http://registry.internal/token"));
        assert!(may("http://auth.internal:9000/token"));
        assert!(may("http://127.0.0.1:9000/token"));
        assert!(may("http://[::1]:9000/token"));
        assert!(!may("http://auth.internal:9001/token"));
        assert!(!may("http://auth.example.com/token"));
        assert!(!may("http://192.0.2.9/token"));
    }

    #[test]
    fn challenges_parse_with_quoted_commas() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#,
        );
        assert_eq!(scheme, "Bearer");
        assert_eq!(params["realm"], "https://auth.docker.io/token");
        assert_eq!(params["service"], "registry.docker.io");
        assert_eq!(params["scope"], "repository:library/nginx:pull,push");
        let (scheme, params) = parse_challenge(r#"Basic realm="dockgate-test""#);
        assert_eq!(
            (scheme.as_str(), params["realm"].as_str()),
            ("Basic", "dockgate-test")
        );
        let (_, params) = parse_challenge("Bearer realm=unquoted, service=svc");
        assert_eq!(
            (params["realm"].as_str(), params["service"].as_str()),
            ("unquoted", "svc")
        );
    }
}
