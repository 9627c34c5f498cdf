//! Image references in the transport syntax of containers-transports(5), as skopeo,
//! podman and buildah spell them. Parsed here and nowhere else.

use std::fmt;
use std::path::PathBuf;

use super::error::{ImageError, Result};

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageReference {
    /// `docker-archive:PATH[:REF]`: a `docker save` tarball (legacy layout, or Docker
    /// 25's OCI layout inside the tar); REF picks one of several tagged images.
    DockerArchive { path: PathBuf, name: Option<String> },
    /// `oci:DIR[:REF]`: an OCI image layout directory; REF is a
    /// `org.opencontainers.image.ref.name` in its `index.json`.
    Oci { dir: PathBuf, name: Option<String> },
    /// `oci-archive:PATH[:REF]`: an OCI image layout in a tarball.
    OciArchive { path: PathBuf, name: Option<String> },
    /// `docker://NAME[:TAG|@DIGEST]`: a registry (`src/image/registry*`).
    Registry { name: String },
    /// `docker-daemon:NAME[:TAG]`: the local Docker Engine (`src/image/daemon*`).
    DockerDaemon { name: String },
}

impl ImageReference {
    /// Parses `TRANSPORT:DETAILS`. As in containers/image, the path ends at the first
    /// `:` after the transport, so `oci:/img:v1` is the directory `/img` and the tag
    /// `v1`.
    pub fn parse(text: &str) -> Result<ImageReference> {
        let error = |reason: &str| ImageError::Reference {
            reference: text.to_string(),
            reason: reason.to_string(),
        };
        let Some((transport, rest)) = text.split_once(':') else {
            return Err(error(
                "name a transport: docker-archive:PATH, oci:DIR[:REF], oci-archive:PATH, \
                 docker://NAME or docker-daemon:NAME",
            ));
        };
        let path_and_name = |rest: &str| -> Result<(PathBuf, Option<String>)> {
            let (path, name) = match rest.split_once(':') {
                Some((path, name)) => (path, Some(name)),
                None => (rest, None),
            };
            if path.is_empty() {
                return Err(error("the path is empty"));
            }
            if name.is_some_and(str::is_empty) {
                return Err(error("the reference after the path is empty"));
            }
            Ok((PathBuf::from(path), name.map(str::to_string)))
        };
        match transport {
            "docker-archive" => {
                let (path, name) = path_and_name(rest)?;
                Ok(ImageReference::DockerArchive { path, name })
            }
            "oci" => {
                let (dir, name) = path_and_name(rest)?;
                Ok(ImageReference::Oci { dir, name })
            }
            "oci-archive" => {
                let (path, name) = path_and_name(rest)?;
                Ok(ImageReference::OciArchive { path, name })
            }
            "docker" => match rest.strip_prefix("//") {
                Some(name) if !name.is_empty() => Ok(ImageReference::Registry {
                    name: name.to_string(),
                }),
                _ => Err(error("expected docker://NAME[:TAG|@DIGEST]")),
            },
            "docker-daemon" if !rest.is_empty() => Ok(ImageReference::DockerDaemon {
                name: rest.to_string(),
            }),
            "docker-daemon" => Err(error("expected docker-daemon:NAME[:TAG]")),
            other => Err(error(&format!(
                "unknown transport `{other}` (expected docker-archive, oci, oci-archive, \
                 docker or docker-daemon)"
            ))),
        }
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_name =
            |f: &mut fmt::Formatter<'_>, transport, path: &PathBuf, name: &Option<String>| {
                write!(f, "{transport}:{}", path.display())?;
                match name {
                    Some(name) => write!(f, ":{name}"),
                    None => Ok(()),
                }
            };
        match self {
            ImageReference::DockerArchive { path, name } => {
                with_name(f, "docker-archive", path, name)
            }
            ImageReference::Oci { dir, name } => with_name(f, "oci", dir, name),
            ImageReference::OciArchive { path, name } => with_name(f, "oci-archive", path, name),
            ImageReference::Registry { name } => write!(f, "docker://{name}"),
            ImageReference::DockerDaemon { name } => write!(f, "docker-daemon:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports() {
        assert_eq!(
            ImageReference::parse("docker-archive:img.tar").unwrap(),
            ImageReference::DockerArchive {
                path: "img.tar".into(),
                name: None
            }
        );
        assert_eq!(
            ImageReference::parse("oci:/tmp/layout:v1").unwrap(),
            ImageReference::Oci {
                dir: "/tmp/layout".into(),
                name: Some("v1".into())
            }
        );
        assert_eq!(
            ImageReference::parse("oci-archive:a.tar").unwrap(),
            ImageReference::OciArchive {
                path: "a.tar".into(),
                name: None
            }
        );
        assert_eq!(
            ImageReference::parse("docker://registry.example/app@sha256:ab").unwrap(),
            ImageReference::Registry {
                name: "registry.example/app@sha256:ab".into()
            }
        );
        assert_eq!(
            ImageReference::parse("docker-daemon:app:1.0").unwrap(),
            ImageReference::DockerDaemon {
                name: "app:1.0".into()
            }
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for bad in [
            "img.tar",
            "oci:",
            "docker:app",
            "tarball:x",
            "oci:dir:",
            "docker-daemon:",
        ] {
            assert!(ImageReference::parse(bad).is_err(), "{bad}");
        }
        let message = ImageReference::parse("tarball:x").unwrap_err().to_string();
        assert!(message.contains("unknown transport `tarball`"), "{message}");
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "docker-archive:a.tar:app:1",
            "oci:dir",
            "docker://r/a:1",
            "docker-daemon:a",
        ] {
            assert_eq!(ImageReference::parse(text).unwrap().to_string(), text);
        }
    }
}
