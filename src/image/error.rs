//! Why an image could not be analysed. Every variant is an input problem (exit 2), not a
//! policy failure: the message says what is wrong with which file or blob.

use std::io;

/// An image that cannot be read, or that is malformed or hostile.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("invalid image reference `{reference}`: {reason}")]
    Reference { reference: String, reason: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    /// A manifest, index or config that does not parse or says something impossible.
    #[error("{0}")]
    Malformed(String),
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{what}: size mismatch: the manifest says {expected} bytes, the blob has {actual}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },
    /// Content crafted to escape or exhaust the analyser: path traversal, absolute
    /// paths, symlink loops.
    #[error("{0}")]
    Hostile(String),
    /// A decompression limit was hit (a compression bomb or an absurdly large layer).
    #[error("{0}")]
    Limit(String),
    #[error("no image for platform {wanted} (available: {available})")]
    PlatformNotFound { wanted: String, available: String },
    #[error("{0}")]
    Unsupported(String),
    /// A `docker://` pull failed: unreachable registry, refused credentials, a blob or
    /// manifest that does not match its digest, ... (never with a credential in it).
    #[error(transparent)]
    Registry(super::registry::RegistryError),
    /// The Docker daemon (`docker-daemon:`) is unreachable, or has no such image.
    #[error(transparent)]
    Daemon(#[from] super::daemon::DaemonError),
}

impl From<super::registry::RegistryError> for ImageError {
    fn from(error: super::registry::RegistryError) -> ImageError {
        use super::registry::RegistryError;
        match error {
            RegistryError::NoMatchingPlatform { wanted, available } => {
                ImageError::PlatformNotFound { wanted, available }
            }
            RegistryError::InvalidReference { reference, reason } => {
                ImageError::Reference { reference, reason }
            }
            other => ImageError::Registry(other),
        }
    }
}

impl ImageError {
    pub fn io(context: impl Into<String>, source: io::Error) -> ImageError {
        ImageError::Io {
            context: context.into(),
            source,
        }
    }

    pub fn malformed(message: impl Into<String>) -> ImageError {
        ImageError::Malformed(message.into())
    }
}

pub type Result<T, E = ImageError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::registry::RegistryError;

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
}
