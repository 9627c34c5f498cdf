//! The JSON documents of an image, as serde structs: OCI image index and manifest, Docker
//! v2 schema 2 manifest and manifest list (the same shapes with other media types), the
//! image config, and the legacy `docker save` `manifest.json`.
//!
//! Own structs rather than `oci-spec`: only the fields dockgate reads, every field
//! optional where real images omit it, and unknown fields ignored, so a config from any
//! builder parses.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::{ImageError, Result};

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// The media type dockgate gives the uncompressed `layer.tar` of a legacy `docker save`.
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";

/// dockgate's own annotation on the layers of a legacy `docker save` archive: where the
/// layer is in the archive. Such a layer's digest is its diff ID, the digest of the
/// *uncompressed* tar, so that is what gets verified.
pub const LEGACY_LAYER_PATH: &str = "dockgate.legacy-layer-path";

/// The annotation BuildKit and Docker put on attestation manifests in an index.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";
/// The tag of a manifest inside an OCI layout's `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// A content descriptor: what a blob is, its digest and its size.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// BuildKit's provenance/SBOM manifests: listed in an index, never an image to run.
    pub fn is_attestation(&self) -> bool {
        self.annotations
            .get(REFERENCE_TYPE)
            .is_some_and(|t| t == ATTESTATION_MANIFEST)
            || self
                .platform
                .as_ref()
                .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
    }
}

/// An OS/architecture pair, as an index names it and `--platform` selects it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`.
    pub fn parse(text: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = text.split('/').collect();
        let invalid = || format!("invalid platform `{text}` (expected OS/ARCH[/VARIANT])");
        match parts.as_slice() {
            [os, arch] | [os, arch, _]
                if !os.is_empty() && !arch.is_empty() && parts.iter().all(|p| !p.is_empty()) =>
            {
                Ok(Platform {
                    os: os.to_ascii_lowercase(),
                    architecture: arch.to_ascii_lowercase(),
                    variant: parts.get(2).map(|v| v.to_ascii_lowercase()),
                })
            }
            _ => Err(invalid()),
        }
    }

    /// Whether an index entry for `self` serves a request for `wanted`: OS and
    /// architecture equal, and the variant equal when the request names one (`arm64`
    /// without a variant is `arm64/v8`).
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        let normal = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_string()),
            (_, variant) => variant.map(str::to_string),
        };
        self.os == wanted.os
            && self.architecture == wanted.architecture
            && (wanted.variant.is_none() || normal(self) == normal(wanted))
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl Platform {
    /// The default platform, as `docker pull` picks it on an amd64 host.
    pub fn linux_amd64() -> Platform {
        Platform::default()
    }
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

/// An image index or a manifest: which one is told by `mediaType`, or by which of
/// `manifests` / `layers` is present (`mediaType` is optional in OCI).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestOrIndex {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl ManifestOrIndex {
    pub fn parse(bytes: &[u8], what: &str) -> Result<ManifestOrIndex> {
        serde_json::from_slice(bytes)
            .map_err(|error| ImageError::malformed(format!("{what}: invalid JSON: {error}")))
    }

    pub fn is_index(&self) -> bool {
        match self.media_type.as_deref() {
            Some(OCI_INDEX | DOCKER_MANIFEST_LIST) => true,
            Some(OCI_MANIFEST | DOCKER_MANIFEST) => false,
            _ => self.manifests.is_some() && self.layers.is_none(),
        }
    }
}

/// One entry of a legacy `docker save` `manifest.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DockerSaveEntry {
    pub config: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    pub layers: Vec<String>,
}

/// The image config (`application/vnd.oci.image.config.v1+json` or Docker's).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Vec<History>,
    /// Only Docker writes these; their presence marks a Docker-format config.
    #[serde(default)]
    pub docker_version: Option<String>,
}

/// The part of the config that becomes the container's settings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContainerConfig {
    #[serde(rename = "User", default)]
    pub user: Option<String>,
    #[serde(rename = "Env", default)]
    pub env: Option<Vec<String>>,
    #[serde(rename = "ExposedPorts", default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "Healthcheck", default)]
    pub healthcheck: Option<Healthcheck>,
    #[serde(rename = "WorkingDir", default)]
    pub working_dir: Option<String>,
    #[serde(rename = "Labels", default)]
    pub labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Healthcheck {
    #[serde(rename = "Test", default)]
    pub test: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

impl ImageConfig {
    pub fn parse(bytes: &[u8], what: &str) -> Result<ImageConfig> {
        serde_json::from_slice(bytes).map_err(|error| {
            ImageError::malformed(format!("{what}: invalid image config: {error}"))
        })
    }
}

/// Checks that `digest` is `sha256:` and 64 lowercase hex digits. Digests become file
/// names (`blobs/sha256/HEX`), so anything else could name a path outside the image.
pub fn validate_digest(digest: &str) -> Result<&str> {
    let hex = digest.strip_prefix("sha256:").ok_or_else(|| {
        ImageError::Unsupported(format!(
            "unsupported digest `{digest}` (only sha256 is supported)"
        ))
    })?;
    if hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(hex)
    } else {
        Err(ImageError::Hostile(format!("invalid digest `{digest}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_parse_and_match() {
        let arm64 = Platform::parse("linux/arm64").unwrap();
        let arm64_v8 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(arm64_v8.satisfies(&arm64));
        assert!(arm64.satisfies(&arm64_v8));
        assert!(!Platform::default().satisfies(&arm64));
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//v7").is_err());
        assert_eq!(arm64_v8.to_string(), "linux/arm64/v8");
    }

    #[test]
    fn digests_must_be_sha256_hex() {
        let good = format!("sha256:{}", "a".repeat(64));
        assert!(validate_digest(&good).is_ok());
        assert!(validate_digest("sha256:../../etc/passwd").is_err());
        assert!(validate_digest(&format!("sha512:{}", "a".repeat(128))).is_err());
        assert!(validate_digest(&format!("sha256:{}", "A".repeat(64))).is_err());
    }
}
