//! The registry's view of an image reference.

use std::fmt;

use super::{DOCKER_HUB, RegistryError, Result};

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

pub(super) fn validate_digest(digest: &str) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::registry::tests::reference;

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
}
