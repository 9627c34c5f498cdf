//! The registry's view of an image reference: the shared parse of [`crate::reference`],
//! with the two things a client needs on top of Docker's normalisation.

use std::fmt;

use super::{DOCKER_HUB, RegistryError, Result};
use crate::reference::DOCKER_HUB_DOMAIN;

/// `REGISTRY/NAME[:TAG|@DIGEST]`, normalised as Docker normalises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`; Docker Hub is `registry-1.docker.io`, the host its API is on.
    pub registry: String,
    /// `library/nginx`, `org/team/app`.
    pub repository: String,
    /// `latest` when neither a tag nor a digest is given.
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Accepts `docker://...` and `//...` as containers-transports(5) write it, and a bare
    /// reference as `docker pull` takes it. A tag next to a digest is kept (for messages);
    /// the digest is what is pulled.
    pub fn parse(text: &str) -> Result<Reference> {
        let rest = text.strip_prefix("docker:").unwrap_or(text);
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let parsed = crate::reference::Reference::parse(rest)
            .map_err(|error| RegistryError::InvalidReference {
                reference: text.to_owned(),
                reason: error.to_string(),
            })?
            .with_default_tag();
        let registry = if parsed.registry == DOCKER_HUB_DOMAIN {
            DOCKER_HUB.to_owned()
        } else {
            parsed.registry
        };
        Ok(Reference {
            registry,
            repository: parsed.repository,
            tag: parsed.tag,
            digest: parsed.digest,
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
        // The reasons are Docker's, from the shared parse.
        assert_eq!(
            Reference::parse("docker://Nginx").unwrap_err().to_string(),
            "invalid image reference `docker://Nginx`: invalid reference format: repository \
             name (library/Nginx) must be lowercase"
        );
    }
}
