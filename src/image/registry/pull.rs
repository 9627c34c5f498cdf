//! What a pull fetches: the manifest (through the index, if any), the config and the
//! blobs, each checked against its digest.

use std::io::Read;

use reqwest::Url;
use reqwest::blocking::Response;
use serde::Deserialize;

use super::http::header_string;
use super::reference::validate_digest;
use super::{
    DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, Descriptor, OCI_INDEX, OCI_MANIFEST, Platform,
    RegistryClient, RegistryError, Result, select_platform,
};
use crate::image::digest::{DigestReader, sha256};
use crate::reference::is_tag;

/// Manifests and configs are small; a larger one is hostile or broken, not an image.
const MAX_MANIFEST_BYTES: u64 = 4 << 20;
const MAX_CONFIG_BYTES: u64 = 32 << 20;

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

impl RegistryClient {
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
        if !is_tag(reference) && validate_digest(reference).is_err() {
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
