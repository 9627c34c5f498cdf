//! Docker image references, `[DOMAIN/]PATH[:TAG][@DIGEST]`, parsed and normalised as
//! Docker's `distribution/reference` library does it: one parser for the Dockerfile model
//! (`FROM` images) and the registry client (`docker://`).
//!
//! It depends on nothing else in the crate, so neither [`crate::dockerfile`] nor
//! [`crate::image`] needs the other for it.
//!
//! The grammar (distribution/reference's `regexp.go`):
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] component ( "/" component )*
//! domain     := host [ ":" port ]
//! host       := label ( "." label )* | "[" ipv6-hex-and-colons "]"
//! label      := [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [\w] [\w.-]{0,127}
//! digest     := algorithm ":" hex{32,}, algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.] ...)*
//! ```
//!
//! A digest must also be one go-digest can verify: only `sha256` (64 lowercase hex
//! digits) is, as dockgate's image sources verify.

use std::fmt;

/// Docker Hub's name in a normalised reference (its API host is another matter, for the
/// registry client to decide).
pub const DOCKER_HUB_DOMAIN: &str = "docker.io";
/// What Docker Hub was called; normalised to [`DOCKER_HUB_DOMAIN`].
const LEGACY_DOCKER_HUB_DOMAIN: &str = "index.docker.io";
/// The namespace of Docker Hub's official images: `ubuntu` is `library/ubuntu`.
const OFFICIAL_REPOSITORY_PREFIX: &str = "library/";
pub const DEFAULT_TAG: &str = "latest";
/// The longest path (the name without its domain) a registry must accept.
pub const PATH_MAX_LENGTH: usize = 255;

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The domain (`docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`), never empty
    /// but from [`Reference::parse_as_written`], for a name without one.
    pub registry: String,
    /// The path: `library/debian`, `org/team/app`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Why a reference is invalid. The message is the library's (and so Docker's) own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("repository name must have at least one component")]
    NameEmpty,
    #[error("repository name must not be more than {PATH_MAX_LENGTH} characters")]
    NameTooLong,
    #[error("repository name must be lowercase")]
    NameContainsUppercase,
    #[error("repository name must be canonical")]
    NameNotCanonical,
    /// The normalised path (up to its first `:`) has an upper-case letter.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    RepositoryNotLowercase(String),
    /// The whole reference is 64 hex digits: an image ID, not a name.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    ImageId(String),
    #[error("invalid checksum digest format")]
    DigestInvalidFormat,
    #[error("invalid checksum digest length")]
    DigestInvalidLength,
    #[error("unsupported digest algorithm")]
    DigestUnsupported,
}

impl Reference {
    /// Docker's `ParseNormalizedNamed`, what `docker pull` and BuildKit's `FROM` do with
    /// a name: `debian:12` is `docker.io/library/debian:12`, `index.docker.io/x/y` is
    /// `docker.io/x/y`. A first component with a `.` or `:`, `localhost`, or an
    /// upper-case letter is a domain.
    pub fn parse(text: &str) -> Result<Reference, ReferenceError> {
        if is_image_id(text) {
            return Err(ReferenceError::ImageId(text.to_owned()));
        }
        let (domain, remainder) = split_docker_domain(text);
        let repository = remainder.split(':').next().unwrap_or_default();
        if repository.to_lowercase() != repository {
            return Err(ReferenceError::RepositoryNotLowercase(
                repository.to_owned(),
            ));
        }
        let reference = Reference::parse_as_written(&format!("{domain}/{remainder}"))?;
        // Docker's own parse lets `a_b.com/x` through as the path `a_b.com/x` on no
        // domain at all: a name no registry serves, so it is refused here.
        if reference.registry.is_empty() {
            return Err(ReferenceError::InvalidFormat);
        }
        Ok(reference)
    }

    /// Docker's `Parse`: the grammar only, no defaults. `test_com` has no domain and
    /// `ubuntu` no `library/`.
    pub fn parse_as_written(text: &str) -> Result<Reference, ReferenceError> {
        if text.is_empty() {
            return Err(ReferenceError::NameEmpty);
        }
        let Some(parts) = split_grammar(text) else {
            let lower = text.to_lowercase();
            return Err(if lower != text && split_grammar(&lower).is_some() {
                ReferenceError::NameContainsUppercase
            } else {
                ReferenceError::InvalidFormat
            });
        };
        if parts.path.len() > PATH_MAX_LENGTH {
            return Err(ReferenceError::NameTooLong);
        }
        if let Some(digest) = parts.digest {
            validate_digest(digest)?;
        }
        Ok(Reference {
            registry: parts.domain.to_owned(),
            repository: parts.path.to_owned(),
            tag: parts.tag.map(str::to_owned),
            digest: parts.digest.map(str::to_owned),
        })
    }

    /// Docker's `ParseNamed`: [`Reference::parse`], refusing a reference that is not
    /// already in its normalised form (`ubuntu`, `docker.io/ubuntu`).
    pub fn parse_canonical(text: &str) -> Result<Reference, ReferenceError> {
        let reference = Reference::parse(text)?;
        if reference.to_string() != text {
            return Err(ReferenceError::NameNotCanonical);
        }
        Ok(reference)
    }

    /// Docker's `ParseDockerRef`, the image a pull means: the tag is dropped when there
    /// is a digest, and is `latest` when there is neither.
    pub fn parse_docker_ref(text: &str) -> Result<Reference, ReferenceError> {
        let mut reference = Reference::parse(text)?;
        if reference.digest.is_some() {
            reference.tag = None;
        }
        Ok(reference.with_default_tag())
    }

    /// Docker's `TagNameOnly`: `latest` when neither a tag nor a digest is given.
    pub fn with_default_tag(mut self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some(DEFAULT_TAG.to_owned());
        }
        self
    }

    /// `DOMAIN/PATH`, or the path alone when there is no domain.
    pub fn name(&self) -> String {
        if self.registry.is_empty() {
            self.repository.clone()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The name as Docker abbreviates it: `debian`, `bitnami/redis`, `ghcr.io/o/i`.
    pub fn familiar_name(&self) -> String {
        if self.registry != DOCKER_HUB_DOMAIN {
            return self.name();
        }
        self.repository
            .strip_prefix(OFFICIAL_REPOSITORY_PREFIX)
            .filter(|rest| !rest.contains('/'))
            .unwrap_or(&self.repository)
            .to_owned()
    }

    /// The whole reference as Docker abbreviates it: `debian:12`.
    pub fn familiar_string(&self) -> String {
        let mut text = self.familiar_name();
        self.push_tag_and_digest(&mut text);
        text
    }

    fn push_tag_and_digest(&self, text: &mut String) {
        if let Some(tag) = &self.tag {
            text.push(':');
            text.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            text.push('@');
            text.push_str(digest);
        }
    }
}

/// The canonical form: `docker.io/library/debian:12`.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.name();
        self.push_tag_and_digest(&mut text);
        f.write_str(&text)
    }
}

/// `[a-f0-9]{64}`: what `docker images` shows as an image ID.
fn is_image_id(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Docker's `splitDockerDomain`: the domain, and the rest with `library/` added for an
/// official image. A single component is never a domain (`localhost:5000` alone is the
/// image `localhost` with the tag `5000`).
fn split_docker_domain(name: &str) -> (&str, String) {
    let Some((first, rest)) = name.split_once('/') else {
        return (
            DOCKER_HUB_DOMAIN,
            format!("{OFFICIAL_REPOSITORY_PREFIX}{name}"),
        );
    };
    let (domain, remainder) = if first == LEGACY_DOCKER_HUB_DOMAIN {
        (DOCKER_HUB_DOMAIN, rest)
    } else if first == "localhost" || first.contains(['.', ':']) || first.to_lowercase() != first {
        (first, rest)
    } else {
        (DOCKER_HUB_DOMAIN, name)
    };
    if domain == DOCKER_HUB_DOMAIN && !remainder.contains('/') {
        return (domain, format!("{OFFICIAL_REPOSITORY_PREFIX}{remainder}"));
    }
    (domain, remainder.to_owned())
}

struct Parts<'a> {
    domain: &'a str,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// The grammar of the module documentation, without the digest's algorithm check.
///
/// It is unambiguous without backtracking: a tag and a digest have no `/`, a path no
/// `:`, so the tag is after the last `:` that follows the last `/`; and the domain, as
/// the library's greedy optional group has it, is the first component whenever that is
/// a valid `host[:port]` followed by more.
fn split_grammar(text: &str) -> Option<Parts<'_>> {
    let (name_and_tag, digest) = match text.split_once('@') {
        Some((name_and_tag, digest)) => (name_and_tag, Some(digest)),
        None => (text, None),
    };
    if digest.is_some_and(|digest| !is_digest_syntax(digest)) {
        return None;
    }
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_and_tag[..last_slash + i],
            Some(&name_and_tag[last_slash + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    if tag.is_some_and(|tag| !is_tag(tag)) {
        return None;
    }
    let (domain, path) = match name.split_once('/') {
        Some((first, rest)) if is_domain(first) && is_path(rest) => (first, rest),
        _ => ("", name),
    };
    is_path(path).then_some(Parts {
        domain,
        path,
        tag,
        digest,
    })
}

/// `component ( "/" component )*`
fn is_path(path: &str) -> bool {
    path.split('/').all(is_path_component)
}

/// `[a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*`
fn is_path_component(component: &str) -> bool {
    let alphanumeric = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        while bytes.get(i).is_some_and(alphanumeric) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        let separator_start = i;
        while bytes.get(i).is_some_and(|b| !alphanumeric(b)) {
            i += 1;
        }
        let separator = &component[separator_start..i];
        if !matches!(separator, "." | "_" | "__") && !separator.bytes().all(|b| b == b'-') {
            return false;
        }
    }
}

/// `host [ ":" port ]`, the host a name of labels or a bracketed IPv6 address.
fn is_domain(domain: &str) -> bool {
    let (host_ok, rest) = match domain.strip_prefix('[') {
        Some(inner) => match inner.split_once(']') {
            Some((address, rest)) => (
                !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'),
                rest,
            ),
            None => return false,
        },
        None => {
            let end = domain.find(':').unwrap_or(domain.len());
            let label_ok = |label: &str| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            };
            (domain[..end].split('.').all(label_ok), &domain[end..])
        }
    };
    let port_ok = rest.is_empty()
        || rest
            .strip_prefix(':')
            .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// `[\w][\w.-]{0,127}`
pub fn is_tag(tag: &str) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let bytes = tag.as_bytes();
    bytes.first().is_some_and(word)
        && bytes.len() <= 128
        && bytes[1..].iter().all(|b| word(b) || b".-".contains(b))
}

/// The reference grammar's digest: `algorithm:hex` with `[A-Za-z][A-Za-z0-9]*` parts
/// joined by `- _ + .`, and at least 32 hex digits of either case.
fn is_digest_syntax(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let part_ok = |part: &str| {
        part.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && part.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    algorithm.split(['-', '_', '+', '.']).all(part_ok)
        && hex.len() >= 32
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// go-digest's `Digest.Validate`, with sha256 the one algorithm it can verify.
fn validate_digest(digest: &str) -> Result<(), ReferenceError> {
    let (algorithm, hex) = digest
        .split_once(':')
        .ok_or(ReferenceError::DigestInvalidFormat)?;
    if algorithm != "sha256" {
        // go-digest's own syntax for an algorithm it does not know.
        let algorithm_ok = !algorithm.is_empty()
            && algorithm.split(['.', '+', '_', '-']).all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        let hex_ok = !hex.is_empty()
            && hex
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b));
        return Err(if algorithm_ok && hex_ok {
            ReferenceError::DigestUnsupported
        } else {
            ReferenceError::DigestInvalidFormat
        });
    }
    if hex.len() != 64 {
        return Err(ReferenceError::DigestInvalidLength);
    }
    if !hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(ReferenceError::DigestInvalidFormat);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
