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
//! [`DigestReader::verifying`]: crate::image::digest::DigestReader::verifying
//! [`DigestReader::finish`]: crate::image::digest::DigestReader::finish
//!
//! Registries on `localhost` and 127.0.0.0/8 are spoken to over plain HTTP, as Docker
//! does; any other over HTTPS unless it is one of the [`InsecureRegistries`]
//! (`--insecure-registry`, Docker's `insecure-registries`): those are tried over HTTPS
//! without verifying the certificate, then over plain HTTP, as Docker tries them.
//! Redirects are followed by hand so the `Authorization` header only ever goes to the
//! registry's own origin (blob storage on another host gets a pre-signed URL and must not
//! see it), and credentials go to a plain-HTTP token endpoint only on a local or named
//! host.
//!
//! One concern a file:
//!
//! ```text
//! reference.rs    Reference: the shared image-reference parse, as the client needs it
//! credentials.rs  Credentials: config.json, credential helpers, GITHUB_TOKEN
//! insecure.rs     InsecureRegistries, is_local_registry, RegistryTransport: which scheme
//! client.rs       RegistryClient: options, endpoints, the HTTPS-then-HTTP probe
//! http.rs         GET with hand-followed redirects, errors without query strings
//! token.rs        401 challenges: Basic, and the Bearer token flow
//! pull.rs         manifests, the index, the config, blobs (verified as they stream)
//! platform.rs     select_platform: the index entry for a platform
//! ```

use std::io;

mod client;
mod credentials;
mod http;
mod insecure;
mod platform;
mod pull;
mod reference;
mod token;

pub use client::{ClientOptions, RegistryClient};
pub use credentials::Credentials;
pub use insecure::{InsecureRegistries, InsecureRegistry, RegistryTransport, is_local_registry};
pub use platform::select_platform;
pub use pull::{PulledImage, RawManifest};
pub use reference::Reference;
// The descriptor and platform types are the image core's (`spec.rs`): a pulled manifest
// is handed to it without conversion.
pub use super::spec::{
    DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, Descriptor, OCI_INDEX, OCI_MANIFEST, Platform,
};
pub use token::parse_challenge;

/// Docker Hub's registry host; `docker.io` in a reference means this.
const DOCKER_HUB: &str = "registry-1.docker.io";

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

use super::error::ImageError;

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

impl From<RegistryError> for ImageError {
    fn from(error: RegistryError) -> ImageError {
        match error {
            RegistryError::NoMatchingPlatform { wanted, available } => {
                ImageError::PlatformNotFound { wanted, available }
            }
            RegistryError::InvalidReference { reference, reason } => {
                ImageError::Reference { reference, reason }
            }
            other => ImageError::Transport(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_errors_keep_their_message_and_meaning() {
        let error = ImageError::from(RegistryError::NoMatchingPlatform {
            wanted: "linux/s390x".into(),
            available: "linux/amd64".into(),
        });
        assert!(
            matches!(error, ImageError::PlatformNotFound { .. }),
            "{error}"
        );
        let error = ImageError::from(RegistryError::Unauthorized {
            registry: "ghcr.io".into(),
            reason: "the registry rejected the credentials".into(),
        });
        assert_eq!(
            error.to_string(),
            "ghcr.io: authentication failed (the registry rejected the credentials)"
        );
    }

    pub(super) fn reference(text: &str) -> Reference {
        Reference::parse(text).unwrap()
    }

    pub(super) fn named(entries: &[&str]) -> InsecureRegistries {
        InsecureRegistries::new(entries.iter().map(|e| e.parse().unwrap()))
    }

    proptest::proptest! {
        #[test]
        fn untrusted_text_never_panics(text in "\\PC{0,80}") {
            let _ = Reference::parse(&text);
            let _ = parse_challenge(&text);
            let _ = Platform::parse(&text);
            let _ = is_local_registry(&text);
            let _ = credentials::normalise_auth_key(&text);
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
}
