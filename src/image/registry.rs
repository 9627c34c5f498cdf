//! The `docker://REGISTRY/NAME[:TAG|@DIGEST]` transport: an OCI distribution client.
//!
//! What it does, in the order a pull needs it:
//!
//! - [`Reference::parse`] names the image the way Docker does (`nginx` is
//!   `registry-1.docker.io/library/nginx:latest`).
//! - [`Credentials::for_registry`] finds credentials the way the Docker CLI does:
//!   `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`) `auths` (base64 `auth` or
//!   `username`/`password`, `identitytoken`), `credHelpers` and `credsStore` through
//!   `docker-credential-NAME get`, and `GITHUB_TOKEN` for `ghcr.io`.
//! - [`RegistryClient::fetch_image`] fetches the manifest (choosing a platform from an
//!   index, never an attestation manifest) and the config, answering `401` challenges
//!   with the Bearer token flow or Basic auth.
//! - [`RegistryClient::open_blob`] streams a layer and checks its sha256 digest and size
//!   while it streams ([`DigestReader::verifying`]): the error comes at end of stream, so
//!   a caller that summarises a layer as it reads must drop the summary when reading
//!   fails, and a caller that stops before the end (tar and gzip readers do) calls
//!   [`DigestReader::finish`].
//!
//! Registries on `localhost` and 127.0.0.0/8 are spoken to over plain HTTP, as Docker
//! does; any other over HTTPS unless it is one of the [`InsecureRegistries`]
//! (`--insecure-registry`, Docker's `insecure-registries`): those are tried over HTTPS
//! without verifying the certificate, then over plain HTTP, as Docker tries them.
//! Redirects are followed by hand so the `Authorization` header only ever goes to the
//! registry's own origin (blob storage on another host gets a pre-signed URL and must not
//! see it), and credentials go to a plain-HTTP token endpoint only on a local or named
//! host.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LOCATION, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::digest::{DigestReader, sha256};
pub use super::spec::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};

/// Docker Hub's registry host; `docker.io` in a reference means this.
const DOCKER_HUB: &str = "registry-1.docker.io";
/// The key Docker Hub credentials have in config.json and credential helpers.
const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";
/// Manifests and configs are small; a larger one is hostile or broken, not an image.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;
const MAX_CONFIG_BYTES: u64 = 32 << 20;
const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("invalid image reference `{reference}`: {reason}")]
    InvalidReference { reference: String, reason: String },
    /// Connection-level failure; `detail` is the whole cause chain (TLS errors live deep
    /// in it). URLs never carry their query: pre-signed storage URLs hold signatures.
    /// `hint` is empty, or says what to do about it (` (...)`).
    #[error("{url}: {detail}{hint}")]
    Http {
        url: String,
        detail: String,
        hint: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url}: HTTP {status}{detail}")]
    Status {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{registry}: authentication failed ({reason})")]
    Unauthorized { registry: String, reason: String },
    #[error("{what}: expected digest {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{what}: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error("{what} is larger than {limit} bytes")]
    TooLarge { what: String, limit: u64 },
    #[error("{what}: unsupported media type `{media_type}`")]
    UnsupportedMediaType { what: String, media_type: String },
    #[error("{what}: malformed JSON: {reason}")]
    Malformed { what: String, reason: String },
    #[error("no image for platform {wanted} in the index (it has: {available})")]
    NoMatchingPlatform { wanted: String, available: String },
    #[error("credentials for {registry}: {reason}")]
    Credentials { registry: String, reason: String },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

/// `REGISTRY/NAME[:TAG|@DIGEST]`, normalised as Docker normalises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`; Docker Hub is `registry-1.docker.io`.
    pub registry: String,
    /// `library/nginx`, `org/team/app`.
    pub repository: String,
    /// `latest` when neither a tag nor a digest is given.
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Accepts `docker://...` and `//...` as containers-transports(5) write it, and a bare
    /// reference as `docker pull` takes it.
    pub fn parse(text: &str) -> Result<Reference> {
        let invalid = |reason: &str| RegistryError::InvalidReference {
            reference: text.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = text.strip_prefix("docker:").unwrap_or(text);
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        if rest.is_empty() {
            return Err(invalid("empty"));
        }
        if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("contains whitespace"));
        }
        let (name, digest) = match rest.split_once('@') {
            Some((name, digest)) => {
                validate_digest(digest).map_err(|reason| invalid(&reason))?;
                (name, Some(digest.to_owned()))
            }
            None => (rest, None),
        };
        // A tag is after the last colon that follows the last slash (a colon before it
        // is a registry port).
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => {
                let (n, t) = name.split_at(last_slash + i);
                (n, Some(t[1..].to_owned()))
            }
            None => (name, None),
        };
        if let Some(tag) = &tag {
            let valid = !tag.is_empty()
                && tag.len() <= 128
                && !tag.starts_with(['.', '-'])
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
            if !valid {
                return Err(invalid("invalid tag"));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_owned(), rest.to_owned())
            }
            _ => ("docker.io".to_owned(), name.to_owned()),
        };
        let registry = match registry.as_str() {
            "docker.io" | "index.docker.io" => DOCKER_HUB.to_owned(),
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let component_ok = |c: &str| {
            !c.is_empty()
                && c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch))
                && !c.starts_with(['.', '_', '-'])
                && !c.ends_with(['.', '_', '-'])
        };
        if !repository.split('/').all(component_ok) {
            return Err(invalid(
                "invalid repository name (lowercase letters, digits and . _ - only)",
            ));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_owned())
        } else {
            tag
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// What the manifest endpoint is asked for: the digest when there is one.
    pub fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn validate_digest(digest: &str) -> Result<(), String> {
    match digest.split_once(':') {
        Some(("sha256", hex))
            if hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(())
        }
        Some(("sha256", _)) => Err(format!(
            "`{digest}` is not a sha256 digest (64 lowercase hex digits)"
        )),
        Some((algorithm, _)) => Err(format!(
            "unsupported digest algorithm `{algorithm}` (only sha256)"
        )),
        None => Err(format!("`{digest}` is not a digest (sha256:...)")),
    }
}

// The descriptor and platform types are the image core's (`spec.rs`): a pulled manifest
// is handed to it without conversion.
pub use super::spec::{Descriptor, Platform};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestJson {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

/// A manifest or index exactly as the registry served it.
#[derive(Debug, Clone)]
pub struct RawManifest {
    pub media_type: String,
    /// sha256 of `bytes` (checked against the reference's digest when pulled by digest).
    pub digest: String,
    pub bytes: Vec<u8>,
}

/// What [`RegistryClient::fetch_image`] resolves: everything but the layer contents.
#[derive(Debug, Clone)]
pub struct PulledImage {
    /// The index the manifest was chosen from, if the reference named one.
    pub index: Option<RawManifest>,
    pub manifest: RawManifest,
    pub config_descriptor: Descriptor,
    /// The config blob, digest-verified.
    pub config: Vec<u8>,
    /// Lowest layer first, as in the manifest.
    pub layers: Vec<Descriptor>,
    /// The platform chosen from the index (`None` for a single-platform reference).
    pub platform: Option<Platform>,
}

/// Credentials for one registry. `Debug` never shows a secret.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    #[default]
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken` in config.json, or a credential helper's
    /// `<token>` user), exchanged at the token endpoint.
    IdentityToken(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

#[derive(Deserialize, Default)]
struct DockerConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct DockerAuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

impl Credentials {
    /// The Docker CLI's lookup for `registry` (a `host[:port]` as in [`Reference`]):
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; then `GITHUB_TOKEN`
    /// for `ghcr.io`; else anonymous. A config file that exists but cannot be read or
    /// parsed is an error, not a silent anonymous pull.
    pub fn for_registry(registry: &str) -> Result<Credentials> {
        Credentials::for_registry_with_env(registry, |name| std::env::var(name).ok())
    }

    /// [`Credentials::for_registry`] with the environment read through `var` (the
    /// process environment is global; tests and embedders pass their own).
    pub fn for_registry_with_env(
        registry: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials> {
        let dir = var("DOCKER_CONFIG")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".docker")));
        let from_file = match dir {
            Some(dir) => Credentials::from_docker_config_dir(&dir, registry)?,
            None => Credentials::Anonymous,
        };
        if from_file != Credentials::Anonymous {
            return Ok(from_file);
        }
        if registry == "ghcr.io"
            && let Some(token) = var("GITHUB_TOKEN").filter(|t| !t.is_empty())
        {
            // ghcr.io's token endpoint takes any user name with a GitHub token as password.
            let username = var("GITHUB_ACTOR")
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "x-access-token".into());
            return Ok(Credentials::Basic {
                username,
                password: token,
            });
        }
        Ok(Credentials::Anonymous)
    }

    /// Looks `registry` up in `dir/config.json` only (missing file: anonymous).
    pub fn from_docker_config_dir(dir: &Path, registry: &str) -> Result<Credentials> {
        let path = dir.join("config.json");
        let fail = |reason: String| RegistryError::Credentials {
            registry: registry.to_owned(),
            reason,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Credentials::Anonymous),
            Err(e) => return Err(fail(format!("cannot read {}: {e}", path.display()))),
        };
        let config: DockerConfigFile =
            serde_json::from_str(&text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let key = auth_key(registry);
        if let Some(helper) = config
            .cred_helpers
            .get(&key)
            .or_else(|| config.cred_helpers.get(registry))
        {
            return credential_helper(helper, &key, registry);
        }
        if let Some(entry) = config
            .auths
            .iter()
            .find(|(k, _)| normalise_auth_key(k) == normalise_auth_key(&key))
            .map(|(_, v)| v)
        {
            if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
                return Ok(Credentials::IdentityToken(token.to_owned()));
            }
            if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .map_err(|_| fail(format!("{}: `auth` is not base64", path.display())))?;
                let decoded = String::from_utf8(decoded)
                    .map_err(|_| fail(format!("{}: `auth` is not UTF-8", path.display())))?;
                let (username, password) = decoded.split_once(':').ok_or_else(|| {
                    fail(format!(
                        "{}: `auth` is not base64(user:password)",
                        path.display()
                    ))
                })?;
                return Ok(Credentials::Basic {
                    username: username.into(),
                    password: password.into(),
                });
            }
            if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
                return Ok(Credentials::Basic {
                    username: username.clone(),
                    password: password.clone(),
                });
            }
        }
        if let Some(store) = config.creds_store.as_deref().filter(|s| !s.is_empty()) {
            return credential_helper(store, &key, registry);
        }
        Ok(Credentials::Anonymous)
    }
}

/// The key the Docker CLI stores a registry's credentials under.
fn auth_key(registry: &str) -> String {
    if registry == DOCKER_HUB || registry == "docker.io" || registry == "index.docker.io" {
        DOCKER_HUB_AUTH_KEY.to_owned()
    } else {
        registry.to_owned()
    }
}

/// `https://host:port/v1/` and `host:port` are the same entry.
fn normalise_auth_key(key: &str) -> String {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key).to_ascii_lowercase()
}

/// Runs `docker-credential-NAME get` with the server URL on stdin (the helper protocol).
fn credential_helper(name: &str, key: &str, registry: &str) -> Result<Credentials> {
    let fail = |reason: String| RegistryError::Credentials {
        registry: registry.to_owned(),
        reason,
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(fail(format!("invalid credential helper name `{name}`")));
    }
    run_credential_helper(
        Path::new(&format!("docker-credential-{name}")),
        key,
        registry,
    )
}

fn run_credential_helper(program: &Path, key: &str, registry: &str) -> Result<Credentials> {
    let fail = |reason: String| RegistryError::Credentials {
        registry: registry.to_owned(),
        reason,
    };
    let program_name = program.display().to_string();
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run {program_name}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write as _;
        // A helper that exits without reading stdin closes the pipe; its exit status says why.
        let _ = stdin.write_all(key.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| fail(format!("{program_name}: {e}")))?;
    if !output.status.success() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        // "credentials not found in native keychain": the helper has nothing for it.
        if stdout.contains("credentials not found") {
            return Ok(Credentials::Anonymous);
        }
        // The helper's own message only; it never contains the secret it failed to find.
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(format!(
            "{program_name} get failed ({}): {}",
            output.status,
            stderr.trim()
        )));
    }
    let parsed: HelperOutput = serde_json::from_slice(&output.stdout).map_err(|_| {
        fail(format!(
            "{program_name} get printed something other than its JSON"
        ))
    })?;
    if parsed.username == "<token>" {
        return Ok(Credentials::IdentityToken(parsed.secret));
    }
    Ok(Credentials::Basic {
        username: parsed.username,
        password: parsed.secret,
    })
}

/// One `--insecure-registry HOST[:PORT]`: a registry the user trusts the network path to,
/// reached like Docker reaches its `insecure-registries` (see [`InsecureRegistries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsecureRegistry {
    /// Lowercase (host names are case-insensitive); an IPv6 address without brackets.
    host: String,
    /// `None`: every port of the host.
    port: Option<u16>,
}

impl InsecureRegistry {
    /// Whether `host` (as [`split_host_port`] returns it) and `port` are this entry's.
    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        self.host.eq_ignore_ascii_case(host) && (self.port.is_none() || self.port == port)
    }
}

impl FromStr for InsecureRegistry {
    type Err = String;

    /// `host`, `host:port`, `1.2.3.4:5000`, `[fd00::2]:5000` or a bare IPv6 address; no
    /// scheme and no path, since the entry names a registry, not a URL.
    fn from_str(text: &str) -> Result<InsecureRegistry, String> {
        let invalid = |reason: &str| format!("`{text}` is not HOST[:PORT]: {reason}");
        if text.contains("://") {
            return Err(invalid("give the registry without a scheme"));
        }
        if text.contains('/') {
            return Err(invalid("give the registry without a path"));
        }
        let (host, port) = if text.parse::<std::net::Ipv6Addr>().is_ok() {
            (text, None)
        } else if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| invalid("unclosed `[`"))?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid("only an IPv6 address goes in brackets"));
            }
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(
                        after
                            .strip_prefix(':')
                            .ok_or_else(|| invalid("expected `:PORT` after `]`"))?,
                    ),
                ),
            }
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        let port = port
            .map(|port| {
                port.parse::<u16>()
                    .ok()
                    .filter(|port| *port != 0)
                    .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))
            })
            .transpose()?;
        let host_ok = !host.is_empty()
            && (host.parse::<IpAddr>().is_ok()
                || host.split('.').all(|label| {
                    !label.is_empty()
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                }));
        if !host_ok {
            return Err(invalid("not a host name or IP address"));
        }
        Ok(InsecureRegistry {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl fmt::Display for InsecureRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.host.contains(':'), self.port) {
            (true, Some(port)) => write!(f, "[{}]:{port}", self.host),
            (false, Some(port)) => write!(f, "{}:{port}", self.host),
            (_, None) => f.write_str(&self.host),
        }
    }
}

/// The registries named with `--insecure-registry`, as Docker's `insecure-registries`:
/// each is tried over HTTPS without verifying its certificate (a self-signed or private
/// CA's certificate is accepted), then, if no HTTPS connection can be made, over plain
/// HTTP. Matched by host, and by port when the entry gives one: `registry.internal`
/// covers every port of that host, `registry.internal:5000` only that port (Docker
/// matches the exact `host:port` text; a host without a port covering all of them is the
/// less surprising rule for `registry.internal:5000/app` references).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsecureRegistries(Vec<InsecureRegistry>);

impl InsecureRegistries {
    pub fn new(entries: impl IntoIterator<Item = InsecureRegistry>) -> InsecureRegistries {
        InsecureRegistries(entries.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `registry` (`host[:port]` as in [`Reference::registry`]) was named.
    pub fn contains(&self, registry: &str) -> bool {
        let (host, port) = split_host_port(registry);
        let port = port.and_then(|port| port.parse::<u16>().ok());
        self.0.iter().any(|entry| entry.matches(host, port))
    }

    /// Whether `url`'s host was named (its port being the scheme's default if not given).
    fn contains_url(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = url.port_or_known_default();
        self.0.iter().any(|entry| entry.matches(host, port))
    }
}

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
    reference: Reference,
    /// Where the registry may be reached, in the order to try them: one URL, or for a
    /// named insecure registry `https://` then `http://`.
    endpoints: Vec<Url>,
    /// The endpoint in use: the only one, else the first that answered [`Self::base`]'s
    /// probe. Set once; the lock serialises the probe so parallel layer reads wait for it.
    base: OnceLock<Url>,
    probe: Mutex<()>,
    /// Verifies certificates (unless [`ClientOptions::tls_verify`] is off).
    http: Client,
    /// Accepts any certificate: for the hosts named in `insecure_registries` only, so
    /// blob storage and token endpoints elsewhere are still verified.
    http_unverified: Option<Client>,
    insecure_registries: InsecureRegistries,
    credentials: Credentials,
    platform: Platform,
    /// The `Authorization` value that last worked (a Bearer token or Basic).
    authorization: Mutex<Option<String>>,
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

/// `host[:port]` (an IPv6 address in brackets) → (host without brackets, port text). A
/// colon not followed by digits only is no port (a bare IPv6 address).
fn split_host_port(registry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = registry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => (rest, None),
        };
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (host, Some(port))
        }
        _ => (registry, None),
    }
}

/// Docker's rule: these registries are local, so TLS buys nothing and is not expected.
pub fn is_local_registry(registry: &str) -> bool {
    let (host, _) = split_host_port(registry);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// How a registry is reached: the scheme choice of the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryTransport {
    /// Certificates verified (unless [`ClientOptions::tls_verify`] is off).
    Https,
    /// localhost and 127.0.0.0/8.
    PlainHttp,
    /// A named insecure registry: HTTPS with any certificate, else plain HTTP.
    HttpsUnverifiedThenPlainHttp,
}

impl RegistryTransport {
    pub fn for_registry(registry: &str, insecure: &InsecureRegistries) -> RegistryTransport {
        if is_local_registry(registry) {
            RegistryTransport::PlainHttp
        } else if insecure.contains(registry) {
            RegistryTransport::HttpsUnverifiedThenPlainHttp
        } else {
            RegistryTransport::Https
        }
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
    fn base(&self) -> Result<&Url> {
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
    fn http_for(&self, url: &Url) -> &Client {
        match &self.http_unverified {
            Some(unverified) if self.insecure_registries.contains_url(url) => unverified,
            _ => &self.http,
        }
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// Fetches the manifest (through the index, if any) and the config.
    pub fn fetch_image(&self) -> Result<PulledImage> {
        self.fetch_image_for(&self.platform)
    }

    /// [`RegistryClient::fetch_image`] choosing `platform` from an index instead of the
    /// client's own.
    pub fn fetch_image_for(&self, platform: &Platform) -> Result<PulledImage> {
        let top = self.fetch_manifest(self.reference.manifest_reference())?;
        if let Some(expected) = &self.reference.digest
            && &top.digest != expected
        {
            return Err(RegistryError::DigestMismatch {
                what: format!("manifest of {}", self.reference),
                expected: expected.clone(),
                actual: top.digest,
            });
        }
        let parsed = parse_manifest(&top.bytes, &format!("manifest of {}", self.reference))?;
        let (index, manifest, parsed, platform) = if is_index(&top.media_type, &parsed) {
            let entries = parsed.manifests.unwrap_or_default();
            let chosen = select_platform(&entries, platform)?.clone();
            let manifest = self.fetch_manifest(&chosen.digest)?;
            if manifest.digest != chosen.digest {
                return Err(RegistryError::DigestMismatch {
                    what: format!("manifest for {platform} of {}", self.reference),
                    expected: chosen.digest,
                    actual: manifest.digest,
                });
            }
            let inner = parse_manifest(&manifest.bytes, &format!("manifest {}", manifest.digest))?;
            if is_index(&manifest.media_type, &inner) {
                return Err(RegistryError::UnsupportedMediaType {
                    what: format!("manifest {}", manifest.digest),
                    media_type: "an index inside an index".into(),
                });
            }
            (Some(top), manifest, inner, chosen.platform)
        } else {
            (None, top, parsed, None)
        };
        let what = format!("manifest {}", manifest.digest);
        if parsed.schema_version == Some(1) {
            return Err(RegistryError::UnsupportedMediaType {
                what,
                media_type: "Docker schema 1 (deprecated)".into(),
            });
        }
        let config_descriptor = parsed.config.ok_or_else(|| RegistryError::Malformed {
            what: what.clone(),
            reason: "no config".into(),
        })?;
        let layers = parsed.layers.unwrap_or_default();
        for descriptor in std::iter::once(&config_descriptor).chain(&layers) {
            validate_digest(&descriptor.digest).map_err(|reason| RegistryError::Malformed {
                what: what.clone(),
                reason,
            })?;
        }
        if config_descriptor.size > MAX_CONFIG_BYTES {
            return Err(RegistryError::TooLarge {
                what: format!("config {}", config_descriptor.digest),
                limit: MAX_CONFIG_BYTES,
            });
        }
        let mut config = Vec::new();
        self.open_blob(&config_descriptor)?
            .read_to_end(&mut config)
            .map_err(|e| RegistryError::Io {
                what: format!("config {}", config_descriptor.digest),
                source: e,
            })?;
        Ok(PulledImage {
            index,
            manifest,
            config_descriptor,
            config,
            layers,
            platform,
        })
    }

    /// Fetches one manifest or index by tag or digest, exactly as served.
    pub fn fetch_manifest(&self, reference: &str) -> Result<RawManifest> {
        let is_tag = !reference.is_empty()
            && reference.len() <= 128
            && !reference.starts_with(['.', '-'])
            && reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !is_tag && validate_digest(reference).is_err() {
            return Err(RegistryError::InvalidReference {
                reference: reference.to_owned(),
                reason: "not a tag or a sha256 digest".into(),
            });
        }
        let url = self.url(&format!("manifests/{reference}"))?;
        let accept = [
            OCI_INDEX,
            DOCKER_MANIFEST_LIST,
            OCI_MANIFEST,
            DOCKER_MANIFEST,
        ]
        .join(", ");
        let response = self.get(url.clone(), Some(&accept))?;
        let served_digest = header_string(
            response.headers(),
            "docker-content-digest".parse().expect("header name"),
        );
        let media_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned())
            .unwrap_or_default();
        let mut bytes = Vec::new();
        response
            .take(MAX_MANIFEST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| RegistryError::Io {
                what: url.to_string(),
                source: e,
            })?;
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(RegistryError::TooLarge {
                what: url.to_string(),
                limit: MAX_MANIFEST_BYTES,
            });
        }
        let digest = sha256(&bytes);
        // The registry names what it meant to send; a proxy that changed it is caught here.
        if let Some(served) = served_digest.filter(|d| d.starts_with("sha256:"))
            && served != digest
        {
            return Err(RegistryError::DigestMismatch {
                what: url.to_string(),
                expected: served,
                actual: digest,
            });
        }
        Ok(RawManifest {
            media_type,
            digest,
            bytes,
        })
    }

    /// Streams a blob; reading returns an error at the end if the bytes do not match the
    /// descriptor's size and sha256 digest (or early, as soon as there are too many).
    pub fn open_blob(&self, descriptor: &Descriptor) -> Result<DigestReader<Response>> {
        validate_digest(&descriptor.digest).map_err(|reason| RegistryError::Malformed {
            what: format!("blob {}", descriptor.digest),
            reason,
        })?;
        let url = self.url(&format!("blobs/{}", descriptor.digest))?;
        let response = self.get(url, None)?;
        Ok(DigestReader::verifying(
            response,
            &descriptor.digest,
            descriptor.size,
        ))
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base()?
            .join(&format!("v2/{}/{path}", self.reference.repository))
            .map_err(|e| RegistryError::InvalidReference {
                reference: self.reference.to_string(),
                reason: e.to_string(),
            })
    }

    /// GET with authentication and hand-followed redirects; non-2xx is an error.
    fn get(&self, url: Url, accept: Option<&str>) -> Result<Response> {
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

    /// Answers a `WWW-Authenticate` challenge; returns the `Authorization` value to use.
    fn authenticate(&self, challenge: Option<&str>) -> Result<String> {
        let unauthorized = |reason: String| RegistryError::Unauthorized {
            registry: self.reference.registry.clone(),
            reason,
        };
        let challenge = challenge
            .ok_or_else(|| unauthorized("HTTP 401 without a WWW-Authenticate challenge".into()))?;
        let (scheme, params) = parse_challenge(challenge);
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => match &self.credentials {
                Credentials::Basic { username, password } => Ok(basic_header(username, password)),
                Credentials::IdentityToken(_) => Err(unauthorized(
                    "Basic auth requested, but only an identity token is configured".into(),
                )),
                Credentials::Anonymous => Err(unauthorized(
                    "anonymous access denied; no credentials found".into(),
                )),
            },
            "bearer" => {
                let realm = params
                    .get("realm")
                    .ok_or_else(|| unauthorized("Bearer challenge without realm".into()))?;
                let mut token_url = Url::parse(realm)
                    .map_err(|e| unauthorized(format!("bad token realm `{realm}`: {e}")))?;
                {
                    let mut query = token_url.query_pairs_mut();
                    if let Some(service) = params.get("service") {
                        query.append_pair("service", service);
                    }
                    let scope = params.get("scope").cloned().unwrap_or_else(|| {
                        format!("repository:{}:pull", self.reference.repository)
                    });
                    query.append_pair("scope", &scope);
                }
                if self.credentials != Credentials::Anonymous
                    && !self.may_send_credentials_to(&token_url)
                {
                    return Err(unauthorized(format!(
                        "the token endpoint {} is plain HTTP on a host that is neither local \
                         nor named with --insecure-registry; the credentials were not sent",
                        strip_query(&token_url)
                    )));
                }
                let http = self.http_for(&token_url);
                let request = match &self.credentials {
                    Credentials::Anonymous => http.get(token_url.clone()),
                    Credentials::Basic { username, password } => http
                        .get(token_url.clone())
                        .header(AUTHORIZATION, basic_header(username, password)),
                    Credentials::IdentityToken(token) => {
                        // The OAuth2 refresh-token grant Docker uses for identity tokens.
                        let pairs = token_url.query_pairs().into_owned().collect::<Vec<_>>();
                        let mut form = vec![
                            ("grant_type".to_owned(), "refresh_token".to_owned()),
                            ("refresh_token".to_owned(), token.clone()),
                            ("client_id".to_owned(), "dockgate".to_owned()),
                        ];
                        form.extend(pairs);
                        let body = form
                            .iter()
                            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                            .collect::<Vec<_>>()
                            .join("&");
                        let mut post_url = token_url.clone();
                        post_url.set_query(None);
                        http.post(post_url)
                            .header(
                                reqwest::header::CONTENT_TYPE,
                                "application/x-www-form-urlencoded",
                            )
                            .body(body)
                    }
                };
                let response = request
                    .timeout(Duration::from_secs(60))
                    .send()
                    .map_err(|e| http_error(&token_url, e))?;
                if !response.status().is_success() {
                    return Err(unauthorized(format!(
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
                    .map_err(|_| unauthorized("the token endpoint's answer is not JSON".into()))?;
                let token = parsed
                    .token
                    .or(parsed.access_token)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| unauthorized("the token endpoint returned no token".into()))?;
                Ok(format!("Bearer {token}"))
            }
            other => Err(unauthorized(format!("unsupported auth scheme `{other}`"))),
        }
    }
}

impl RegistryClient {
    /// Credentials travel over HTTPS, or over plain HTTP to a local host or one the user
    /// named insecure: never in clear text to a host the user did not choose (a token
    /// realm is whatever URL the registry's challenge names).
    fn may_send_credentials_to(&self, url: &Url) -> bool {
        url.scheme() == "https"
            || url.host_str().is_some_and(is_local_registry)
            || self.insecure_registries.contains_url(url)
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

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn http_error(url: &Url, error: reqwest::Error) -> RegistryError {
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

fn strip_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
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

fn header_string(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
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

fn parse_manifest(bytes: &[u8], what: &str) -> Result<ManifestJson> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Malformed {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

fn is_index(media_type: &str, parsed: &ManifestJson) -> bool {
    let declared = parsed.media_type.as_deref().unwrap_or(media_type);
    declared == OCI_INDEX
        || declared == DOCKER_MANIFEST_LIST
        || (parsed.manifests.is_some() && parsed.config.is_none())
}

/// The index entry for `wanted`, never an attestation manifest.
pub fn select_platform<'a>(entries: &'a [Descriptor], wanted: &Platform) -> Result<&'a Descriptor> {
    let candidates = entries.iter().filter(|d| !d.is_attestation());
    let matching: Vec<&Descriptor> = candidates
        .clone()
        .filter(|d| d.platform.as_ref().is_some_and(|p| p.satisfies(wanted)))
        .collect();
    // linux/arm64 without a variant takes v8 before any other variant, as Docker does.
    let chosen = matching
        .iter()
        .find(|d| {
            d.platform.as_ref().is_some_and(|p| {
                wanted.variant.is_some()
                    || p.variant.is_none()
                    || p.variant.as_deref() == Some("v8")
            })
        })
        .or(matching.first());
    chosen
        .copied()
        .ok_or_else(|| RegistryError::NoMatchingPlatform {
            wanted: wanted.to_string(),
            available: {
                let list: Vec<String> = candidates
                    .map(|d| {
                        d.platform
                            .as_ref()
                            .map_or_else(|| "(no platform)".to_owned(), Platform::to_string)
                    })
                    .collect();
                if list.is_empty() {
                    "nothing".to_owned()
                } else {
                    list.join(", ")
                }
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The image core's sources are `Send + Sync` and read layers from rayon threads.
    #[test]
    fn clients_can_be_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        fn sent<T: Send>() {}
        shared::<RegistryClient>();
        sent::<DigestReader<Response>>();
    }

    fn reference(text: &str) -> Reference {
        Reference::parse(text).unwrap()
    }

    #[test]
    fn references_normalise_like_docker() {
        let r = reference("nginx");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            (DOCKER_HUB, "library/nginx", Some("latest"))
        );
        let r = reference("docker://docker.io/org/app:1.2");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            (DOCKER_HUB, "org/app", Some("1.2"))
        );
        let r = reference("127.0.0.1:5000/dockgate-test/user-app:1");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("127.0.0.1:5000", "dockgate-test/user-app", Some("1"))
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = reference(&format!("//localhost:5000/app@{digest}"));
        assert_eq!(
            (r.registry.as_str(), r.tag.as_deref(), r.digest.as_deref()),
            ("localhost:5000", None, Some(digest.as_str()))
        );
        assert_eq!(r.manifest_reference(), digest);
        let r = reference("ghcr.io/o/r:v1");
        assert_eq!(r.to_string(), "ghcr.io/o/r:v1");
    }

    #[test]
    fn bad_references_are_errors_not_panics() {
        for bad in [
            "",
            "docker://",
            "App/Name",
            "a b",
            "x@sha256:zz",
            "x@md5:abc",
            "x:",
            "x:-bad",
            "reg:5000/",
            "a//b",
            "/a",
            "é",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_references_and_challenges_never_panic(text in "\\PC{0,80}") {
            let _ = Reference::parse(&text);
            let _ = parse_challenge(&text);
            let _ = Platform::parse(&text);
            let _ = is_local_registry(&text);
            let _ = normalise_auth_key(&text);
        }

        #[test]
        fn reference_like_text_never_panics(text in "[a-zA-Z0-9./:@_-]{0,60}") {
            if let Ok(reference) = Reference::parse(&text) {
                // What parses prints back to something that parses to the same thing.
                let again = Reference::parse(&reference.to_string()).unwrap();
                proptest::prop_assert_eq!(again, reference);
            }
        }
    }

    #[test]
    fn local_registries_are_plain_http() {
        for local in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
        ] {
            assert!(is_local_registry(local), "{local}");
        }
        for remote in [
            "ghcr.io",
            "10.0.0.1:5000",
            "registry-1.docker.io",
            "localhost.example.com",
        ] {
            assert!(!is_local_registry(remote), "{remote}");
        }
    }

    fn named(entries: &[&str]) -> InsecureRegistries {
        InsecureRegistries::new(entries.iter().map(|e| e.parse().unwrap()))
    }

    #[test]
    fn insecure_registries_parse_host_and_optional_port() {
        for (text, shown) in [
            ("registry.internal", "registry.internal"),
            ("Registry.Internal:5000", "registry.internal:5000"),
            ("10.0.0.7:5000", "10.0.0.7:5000"),
            ("[fd00::2]:5000", "[fd00::2]:5000"),
            ("[fd00::2]", "fd00::2"),
            ("fd00::2", "fd00::2"),
        ] {
            let entry: InsecureRegistry = text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(entry.to_string(), shown, "{text}");
        }
        for (bad, why) in [
            ("http://registry.internal", "scheme"),
            ("registry.internal/path", "path"),
            ("registry.internal:", "port"),
            ("registry.internal:http", "port"),
            ("registry.internal:0", "port"),
            ("registry.internal:70000", "port"),
            ("", "host"),
            ("reg_istry", "host"),
            ("[registry.internal]:5000", "IPv6"),
            ("[fd00::2", "unclosed"),
        ] {
            let err = bad.parse::<InsecureRegistry>().unwrap_err();
            assert!(
                err.contains(why) && err.contains("HOST[:PORT]"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn insecure_registries_match_per_host_and_port_when_given() {
        let list = named(&["registry.internal", "mirror.internal:5000", "[fd00::2]:443"]);
        // A host without a port: every port of it, case-insensitively.
        assert!(list.contains("registry.internal"));
        assert!(list.contains("registry.internal:5000"));
        assert!(list.contains("REGISTRY.internal:8443"));
        // A host with a port: that port only.
        assert!(list.contains("mirror.internal:5000"));
        assert!(!list.contains("mirror.internal:5001"));
        assert!(!list.contains("mirror.internal"));
        assert!(list.contains("[fd00::2]:443"));
        assert!(!list.contains("[fd00::2]:5000"));
        // Other hosts, and names that only contain a named one.
        for other in [
            "ghcr.io",
            "registry.internal.example.com",
            "evil-registry.internal",
            "internal",
        ] {
            assert!(!list.contains(other), "{other}");
        }
        assert!(!InsecureRegistries::default().contains("registry.internal"));
        // URLs (redirects, token realms): a missing port is the scheme's default.
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(list.contains_url(&url("http://registry.internal:9000/token")));
        assert!(list.contains_url(&url("https://[fd00::2]/v2/")));
        assert!(!list.contains_url(&url("http://[fd00::2]/v2/")));
        assert!(!list.contains_url(&url("http://mirror.internal/v2/")));
        assert!(!list.contains_url(&url("http://storage.example.com/blob")));
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

    fn entry(platform: &str, attestation: bool) -> Descriptor {
        let mut annotations = BTreeMap::new();
        if attestation {
            annotations.insert(
                "vnd.docker.reference.type".to_owned(),
                "attestation-manifest".to_owned(),
            );
        }
        Descriptor {
            media_type: OCI_MANIFEST.into(),
            digest: format!("sha256:{:064}", platform.len()),
            size: 1,
            platform: Some(Platform::parse(platform).unwrap()),
            annotations,
        }
    }

    #[test]
    fn platform_selection_skips_attestations() {
        let entries = vec![
            entry("unknown/unknown", true),
            entry("linux/arm64/v8", false),
            entry("linux/amd64", false),
        ];
        let chosen = select_platform(&entries, &Platform::linux_amd64()).unwrap();
        assert_eq!(chosen.platform.as_ref().unwrap().architecture, "amd64");
        let chosen = select_platform(&entries, &Platform::parse("linux/arm64").unwrap()).unwrap();
        assert_eq!(
            chosen.platform.as_ref().unwrap().variant.as_deref(),
            Some("v8")
        );
        let err = select_platform(&entries, &Platform::parse("linux/s390x").unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("linux/arm64/v8, linux/amd64"), "{err}");
        // An attestation claiming a real platform is still not an image.
        let only_attestation = vec![entry("linux/amd64", true)];
        assert!(select_platform(&only_attestation, &Platform::linux_amd64()).is_err());
    }

    #[test]
    fn credentials_never_show_in_debug() {
        let basic = Credentials::Basic {
            username: "me".into(),
            password: "hunter2-secret".into(),
        };
        let token = Credentials::IdentityToken("tok-secret".into());
        let text = format!("{basic:?} {token:?}");
        assert!(
            text.contains("me") && !text.contains("hunter2") && !text.contains("tok-secret"),
            "{text}"
        );
        let client = RegistryClient::new(
            reference("127.0.0.1:1/a"),
            ClientOptions {
                credentials: basic,
                ..ClientOptions::default()
            },
        )
        .unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("http://127.0.0.1:1/"), "{debug}");
    }

    #[test]
    fn docker_config_auths_helpers_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("user:pa:ss");
        let config = serde_json::json!({
            "auths": {
                "https://index.docker.io/v1/": { "auth": auth },
                "http://127.0.0.1:5000": { "username": "u2", "password": "p2" },
                "id.example.com": { "identitytoken": "refresh" }
            },
            "credHelpers": { "helped.example.com": "dockgate-test-missing-helper" }
        });
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        let get = |registry: &str| Credentials::from_docker_config_dir(dir.path(), registry);
        assert_eq!(
            get(DOCKER_HUB).unwrap(),
            Credentials::Basic {
                username: "user".into(),
                password: "pa:ss".into()
            }
        );
        assert_eq!(
            get("127.0.0.1:5000").unwrap(),
            Credentials::Basic {
                username: "u2".into(),
                password: "p2".into()
            }
        );
        assert_eq!(
            get("id.example.com").unwrap(),
            Credentials::IdentityToken("refresh".into())
        );
        assert_eq!(get("other.example.com").unwrap(), Credentials::Anonymous);
        let err = get("helped.example.com").unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-dockgate-test-missing-helper"),
            "{err}"
        );

        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths": {"x.io": {"auth": "%%%"}}}"#,
        )
        .unwrap();
        assert!(get("x.io").unwrap_err().to_string().contains("not base64"));
        std::fs::write(dir.path().join("config.json"), "{ not json").unwrap();
        assert!(get("x.io").is_err());
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            Credentials::from_docker_config_dir(empty.path(), "x.io").unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn github_token_is_the_fallback_for_ghcr_only() {
        let empty = tempfile::tempdir().unwrap();
        let empty_dir = empty.path().to_str().unwrap().to_owned();
        let env = |name: &str| match name {
            "DOCKER_CONFIG" => Some(empty_dir.clone()),
            "GITHUB_TOKEN" => Some("ghs_token".to_owned()),
            "GITHUB_ACTOR" => Some("octocat".to_owned()),
            _ => None,
        };
        assert_eq!(
            Credentials::for_registry_with_env("ghcr.io", env).unwrap(),
            Credentials::Basic {
                username: "octocat".into(),
                password: "ghs_token".into()
            }
        );
        assert_eq!(
            Credentials::for_registry_with_env("quay.io", env).unwrap(),
            Credentials::Anonymous
        );
        // config.json wins over GITHUB_TOKEN, as for the Docker CLI.
        let configured = tempfile::tempdir().unwrap();
        std::fs::write(
            configured.path().join("config.json"),
            r#"{"auths": {"ghcr.io": {"username": "me", "password": "pat"}}}"#,
        )
        .unwrap();
        let configured_dir = configured.path().to_str().unwrap().to_owned();
        let env = |name: &str| match name {
            "DOCKER_CONFIG" => Some(configured_dir.clone()),
            "GITHUB_TOKEN" => Some("ghs_token".to_owned()),
            _ => None,
        };
        assert_eq!(
            Credentials::for_registry_with_env("ghcr.io", env).unwrap(),
            Credentials::Basic {
                username: "me".into(),
                password: "pat".into()
            }
        );
        let home = |name: &str| (name == "HOME").then(|| "/nonexistent-home".to_owned());
        assert_eq!(
            Credentials::for_registry_with_env("ghcr.io", home).unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn a_credential_helper_is_run_with_the_server_on_stdin() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("docker-credential-test");
        // Echoes the server it was asked about as the user name, so the test sees stdin.
        std::fs::write(
            &helper,
            "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"s3cret\"}' \"$server\" \"$server\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let got = run_credential_helper(&helper, "x.io:5000", "x.io:5000").unwrap();
        assert_eq!(
            got,
            Credentials::Basic {
                username: "x.io:5000".into(),
                password: "s3cret".into()
            }
        );

        std::fs::write(
            &helper,
            "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n",
        )
        .unwrap();
        assert_eq!(
            run_credential_helper(&helper, "x.io", "x.io").unwrap(),
            Credentials::Anonymous
        );
        std::fs::write(
            &helper,
            "#!/bin/sh\necho '{\"Username\":\"<token>\",\"Secret\":\"rt\"}'\n",
        )
        .unwrap();
        assert_eq!(
            run_credential_helper(&helper, "x.io", "x.io").unwrap(),
            Credentials::IdentityToken("rt".into())
        );
        std::fs::write(&helper, "#!/bin/sh\necho broken >&2\nexit 1\n").unwrap();
        let err = run_credential_helper(&helper, "x.io", "x.io")
            .unwrap_err()
            .to_string();
        assert!(err.contains("broken"), "{err}");

        let err = credential_helper("no-such-helper-dockgate", "x.io", "x.io")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cannot run docker-credential-no-such-helper-dockgate"),
            "{err}"
        );
        assert!(
            credential_helper("../evil", "x.io", "x.io")
                .unwrap_err()
                .to_string()
                .contains("invalid credential helper")
        );
    }
}
