//! [`RegistryClient`]: one repository on one registry, and how it is reached.

use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;

use super::http::http_error;
use super::{
    Credentials, InsecureRegistries, Platform, Reference, RegistryError, RegistryTransport, Result,
};

/// How a [`RegistryClient`] connects.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub credentials: Credentials,
    /// Registries reached with certificates unverified, else over plain HTTP (the user's
    /// `--insecure-registry`); localhost and 127.0.0.0/8 are always plain HTTP.
    pub insecure_registries: InsecureRegistries,
    /// Verify HTTPS certificates (against the bundled Mozilla roots and the system's).
    /// `false` accepts any certificate: for registries with self-signed certificates.
    pub tls_verify: bool,
    /// The platform chosen from an index.
    pub platform: Platform,
    /// Connect timeout, and the longest wait for any single read: a stalled registry
    /// fails, a large blob that keeps streaming does not.
    pub timeout: Duration,
    /// Host names pinned to addresses, like `curl --resolve` (split-horizon DNS, tests).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            credentials: Credentials::Anonymous,
            insecure_registries: InsecureRegistries::default(),
            tls_verify: true,
            platform: Platform::linux_amd64(),
            timeout: Duration::from_secs(60),
            resolve: Vec::new(),
        }
    }
}

/// A client for one repository on one registry.
pub struct RegistryClient {
    pub(super) reference: Reference,
    /// Where the registry may be reached, in the order to try them: one URL, or for a
    /// named insecure registry `https://` then `http://`.
    pub(super) endpoints: Vec<Url>,
    /// The endpoint in use: the only one, else the first that answered [`Self::base`]'s
    /// probe. Set once; the lock serialises the probe so parallel layer reads wait for it.
    pub(super) base: OnceLock<Url>,
    pub(super) probe: Mutex<()>,
    /// Verifies certificates (unless [`ClientOptions::tls_verify`] is off).
    pub(super) http: Client,
    /// Accepts any certificate: for the hosts named in `insecure_registries` only, so
    /// blob storage and token endpoints elsewhere are still verified.
    pub(super) http_unverified: Option<Client>,
    pub(super) insecure_registries: InsecureRegistries,
    pub(super) credentials: Credentials,
    pub(super) platform: Platform,
    /// The `Authorization` value that last worked (a Bearer token or Basic).
    pub(super) authorization: Mutex<Option<String>>,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoints: Vec<&str> = self.endpoints.iter().map(Url::as_str).collect();
        f.debug_struct("RegistryClient")
            .field("reference", &self.reference)
            .field("endpoints", &endpoints)
            .field("credentials", &self.credentials)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

impl RegistryClient {
    pub fn new(reference: Reference, options: ClientOptions) -> Result<RegistryClient> {
        let transport =
            RegistryTransport::for_registry(&reference.registry, &options.insecure_registries);
        let schemes: &[&str] = match transport {
            RegistryTransport::Https => &["https"],
            RegistryTransport::PlainHttp => &["http"],
            RegistryTransport::HttpsUnverifiedThenPlainHttp => &["https", "http"],
        };
        let endpoints = schemes
            .iter()
            .map(|scheme| {
                Url::parse(&format!("{scheme}://{}/", reference.registry)).map_err(|e| {
                    RegistryError::InvalidReference {
                        reference: reference.to_string(),
                        reason: format!("registry `{}`: {e}", reference.registry),
                    }
                })
            })
            .collect::<Result<Vec<Url>>>()?;
        let build = |accept_invalid_certs: bool| {
            let mut builder = Client::builder()
                .dns_resolver(crate::dns::for_reqwest())
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(options.timeout)
                // reqwest's blocking timeout bounds each read of a body, not the whole body.
                .timeout(options.timeout)
                .danger_accept_invalid_certs(accept_invalid_certs)
                .user_agent(concat!("dockgate/", env!("CARGO_PKG_VERSION")));
            for (host, addr) in &options.resolve {
                builder = builder.resolve(host, *addr);
            }
            builder.build().map_err(|e| http_error(&endpoints[0], e))
        };
        let http = build(!options.tls_verify)?;
        let http_unverified = if options.insecure_registries.is_empty() {
            None
        } else {
            Some(build(true)?)
        };
        let base = OnceLock::new();
        if let [only] = endpoints.as_slice() {
            let _ = base.set(only.clone());
        }
        Ok(RegistryClient {
            reference,
            endpoints,
            base,
            probe: Mutex::new(()),
            http,
            http_unverified,
            insecure_registries: options.insecure_registries,
            credentials: options.credentials,
            platform: options.platform,
            authorization: Mutex::new(None),
        })
    }

    /// The usual way in: parse `docker://...`, find credentials as the Docker CLI does
    /// ([`Credentials::for_registry`]), default options otherwise.
    pub fn for_reference(text: &str, platform: Platform) -> Result<RegistryClient> {
        RegistryClient::for_reference_with(
            text,
            ClientOptions {
                platform,
                ..ClientOptions::default()
            },
        )
    }

    /// [`RegistryClient::for_reference`] with `options`; their credentials are replaced
    /// by those the Docker CLI would use.
    pub fn for_reference_with(text: &str, options: ClientOptions) -> Result<RegistryClient> {
        let reference = Reference::parse(text)?;
        let credentials = Credentials::for_registry(&reference.registry)?;
        RegistryClient::new(
            reference,
            ClientOptions {
                credentials,
                ..options
            },
        )
    }

    /// How this client reaches its registry.
    pub fn transport(&self) -> RegistryTransport {
        RegistryTransport::for_registry(&self.reference.registry, &self.insecure_registries)
    }

    /// The endpoint in use. With several (a named insecure registry) the first call
    /// probes `/v2/` on each in turn without credentials: any HTTP answer, even 401 or
    /// 404, means the registry speaks that scheme; only a failed connection or TLS
    /// handshake moves on to the next, as Docker falls back from HTTPS to HTTP.
    pub(super) fn base(&self) -> Result<&Url> {
        if let Some(base) = self.base.get() {
            return Ok(base);
        }
        let _probing = self.probe.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(base) = self.base.get() {
            return Ok(base);
        }
        let mut failures: Vec<(Url, reqwest::Error)> = Vec::new();
        for endpoint in &self.endpoints {
            let ping = endpoint
                .join("v2/")
                .map_err(|e| RegistryError::InvalidReference {
                    reference: self.reference.to_string(),
                    reason: e.to_string(),
                })?;
            match self.http_for(&ping).get(ping.clone()).send() {
                Ok(_) => {
                    return Ok(self.base.get_or_init(|| endpoint.clone()));
                }
                Err(error) => failures.push((ping, error)),
            }
        }
        let (url, error) = failures.pop().expect("at least one endpoint");
        let mut failed = http_error(&url, error);
        if let RegistryError::Http { hint, .. } = &mut failed {
            let earlier: Vec<String> = failures
                .into_iter()
                .map(|(url, error)| http_error(&url, error).to_string())
                .collect();
            *hint = format!(" (tried first: {})", earlier.join("; "));
        }
        Err(failed)
    }

    /// The client for a request to `url`: certificates go unverified only on hosts the
    /// user named insecure.
    pub(super) fn http_for(&self, url: &Url) -> &Client {
        match &self.http_unverified {
            Some(unverified) if self.insecure_registries.contains_url(url) => unverified,
            _ => &self.http,
        }
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::digest::DigestReader;
    use crate::image::registry::tests::{named, reference};
    use reqwest::blocking::Response;

    #[test]
    fn clients_can_be_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        fn sent<T: Send>() {}
        shared::<RegistryClient>();
        sent::<DigestReader<Response>>();
    }

    #[test]
    fn the_scheme_is_chosen_per_registry() {
        let list = named(&["registry.internal", "192.0.2.2:5000"]);
        let transport = |registry: &str| RegistryTransport::for_registry(registry, &list);
        assert_eq!(transport("localhost:5000"), RegistryTransport::PlainHttp);
        assert_eq!(transport("127.0.0.1:5000"), RegistryTransport::PlainHttp);
        assert_eq!(
            transport("registry.internal:5000"),
            RegistryTransport::HttpsUnverifiedThenPlainHttp
        );
        assert_eq!(
            transport("192.0.2.2:5000"),
            RegistryTransport::HttpsUnverifiedThenPlainHttp
        );
        assert_eq!(transport("192.0.2.2:5001"), RegistryTransport::Https);
        assert_eq!(transport("ghcr.io"), RegistryTransport::Https);
        // The client's endpoints follow: HTTPS first, then plain HTTP, for a named one.
        let client = |registry: &str| {
            RegistryClient::new(
                reference(&format!("{registry}/app")),
                ClientOptions {
                    insecure_registries: list.clone(),
                    ..ClientOptions::default()
                },
            )
            .unwrap()
        };
        let endpoints = |client: &RegistryClient| -> Vec<String> {
            client.endpoints.iter().map(Url::to_string).collect()
        };
        assert_eq!(
            endpoints(&client("192.0.2.2:5000")),
            ["https://192.0.2.2:5000/", "http://192.0.2.2:5000/"]
        );
        assert_eq!(
            endpoints(&client("192.0.2.2:5001")),
            ["https://192.0.2.2:5001/"]
        );
        assert_eq!(
            endpoints(&client("localhost:5000")),
            ["http://localhost:5000/"]
        );
    }
}
