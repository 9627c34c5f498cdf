//! GET with the registry's authorization, redirects followed by hand so that it never
//! leaves the registry's origin, and errors that never show a URL's query (pre-signed
//! storage URLs hold signatures).

use std::io::Read;

use reqwest::blocking::Response;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LOCATION, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::{Credentials, RegistryClient, RegistryError, RegistryTransport, Result};

const MAX_REDIRECTS: usize = 5;

impl RegistryClient {
    /// GET with authentication and hand-followed redirects; non-2xx is an error.
    pub(super) fn get(&self, url: Url, accept: Option<&str>) -> Result<Response> {
        let mut response = self.send(&url, accept, self.current_authorization())?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let challenge = header_string(response.headers(), WWW_AUTHENTICATE);
            let authorization = self.authenticate(challenge.as_deref())?;
            response = self.send(&url, accept, Some(authorization.clone()))?;
            if response.status() == StatusCode::UNAUTHORIZED {
                return Err(RegistryError::Unauthorized {
                    registry: self.reference.registry.clone(),
                    reason: match self.credentials {
                        Credentials::Anonymous => {
                            "anonymous access denied; no credentials found".into()
                        }
                        _ => "the registry rejected the credentials".into(),
                    },
                });
            }
            *self.authorization.lock().unwrap_or_else(|e| e.into_inner()) = Some(authorization);
        }
        let status = response.status();
        if !status.is_success() {
            let mut body = String::new();
            let _ = response.take(2048).read_to_string(&mut body);
            let detail = registry_error_message(&body)
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            return Err(RegistryError::Status {
                url: strip_query(&url),
                status: status.as_u16(),
                detail,
            });
        }
        Ok(response)
    }

    fn current_authorization(&self) -> Option<String> {
        self.authorization
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One request, following up to [`MAX_REDIRECTS`] redirects; `Authorization` is only
    /// sent to the registry's own scheme, host and port.
    fn send(
        &self,
        url: &Url,
        accept: Option<&str>,
        authorization: Option<String>,
    ) -> Result<Response> {
        let base = self.base()?;
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self.http_for(&url).get(url.clone());
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            if let Some(authorization) = &authorization
                && same_origin(&url, base)
            {
                request = request.header(AUTHORIZATION, authorization);
            }
            let response = request
                .send()
                .map_err(|e| self.connection_error(&url, base, e))?;
            if !response.status().is_redirection() {
                return Ok(response);
            }
            let location = header_string(response.headers(), LOCATION).ok_or_else(|| {
                RegistryError::Status {
                    url: strip_query(&url),
                    status: response.status().as_u16(),
                    detail: ": redirect without Location".into(),
                }
            })?;
            url = url.join(&location).map_err(|e| RegistryError::Status {
                url: strip_query(&url),
                status: response.status().as_u16(),
                detail: format!(": bad redirect: {e}"),
            })?;
        }
        Err(RegistryError::Status {
            url: strip_query(&url),
            status: 310,
            detail: ": too many redirects".into(),
        })
    }

    /// [`http_error`], and when HTTPS to a registry that is not named insecure failed
    /// before any answer (a plain-HTTP server, a self-signed certificate, nothing on
    /// port 443), the way out.
    fn connection_error(&self, url: &Url, base: &Url, error: reqwest::Error) -> RegistryError {
        let mut failed = http_error(url, error);
        if let RegistryError::Http { hint, .. } = &mut failed
            && url.scheme() == "https"
            && same_origin(url, base)
            && self.transport() == RegistryTransport::Https
        {
            let registry = &self.reference.registry;
            *hint = format!(
                " ({registry} is not a local registry, so dockgate speaks HTTPS to it; if it \
                 serves plain HTTP or a certificate that cannot be verified, and the network \
                 to it is trusted, name it with --insecure-registry {registry})"
            );
        }
        failed
    }
}

pub(super) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

pub(super) fn http_error(url: &Url, error: reqwest::Error) -> RegistryError {
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        detail.push_str(": ");
        detail.push_str(&inner.to_string());
        cause = inner.source();
    }
    RegistryError::Http {
        url: strip_query(url),
        detail,
        hint: String::new(),
        source: error,
    }
}

pub(super) fn strip_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

pub(super) fn header_string(
    headers: &HeaderMap,
    name: reqwest::header::HeaderName,
) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The first `errors[].message` of a registry's JSON error body.
fn registry_error_message(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let parsed: Errors = serde_json::from_str(body).ok()?;
    let first = parsed.errors.into_iter().next()?;
    Some(
        format!("{} {}", first.code, first.message)
            .trim()
            .to_owned(),
    )
}
