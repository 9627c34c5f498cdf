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
    /// A transport failed: a `docker://` pull (unreachable registry, refused
    /// credentials, ...), the Docker daemon (unreachable, no such image). The transport
    /// words the message, never with a credential in it; it converts its own errors,
    /// so this module depends on none of them.
    #[error(transparent)]
    Transport(Box<dyn std::error::Error + Send + Sync>),
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
