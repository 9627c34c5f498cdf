//! `docker-daemon:NAME[:TAG]` as an [`ImageSource`]: the adapter between the Engine API
//! client of `daemon.rs` and the image core.
//!
//! The image's facts come from the same bytes `docker save` writes, so `docker-daemon:X`
//! and `docker-archive:` of `docker save X` agree whatever the daemon's version or the
//! builder. [`ImageSource::resolve`] asks the daemon only for what is needed before the
//! export (`inspect`: the image ID, the user, the platform, the diff IDs) and gives a
//! provisional config without history. [`ImageSource::read_layers`] then streams
//! `docker save` of the image *by its ID* (so a tag moved in between cannot mix two
//! images) and hands each layer to the sink as it passes in the stream: a legacy
//! `<id>/layer.tar` (Docker before 25, Debian's 20.10) through
//! [`LayerSink::unnamed_layer`], a Docker 25 `blobs/sha256/HEX` when HEX is a layer's
//! diff ID. The image's own config (the legacy `<id>.json`, Docker 25's config blob),
//! checked against the image ID, goes to [`LayerSink::config`], and replaces the
//! provisional one when the stream is done: its history says exactly which steps made
//! a layer, which the history API cannot. Nothing else is buffered: the stream is read
//! once, front to back, and the tar reader skips what is neither a layer nor the config.
//!
//! The daemon keeps no blob sizes (its layers are stored unpacked): the size of a layer
//! "as stored" is the size of its tar in the export, so this source always reads the
//! layers ([`ImageSource::blob_sizes_known`] is false).

use std::io::Read;

use serde_json::{Value, json};

use super::daemon::{DaemonClient, DaemonImage, parse_reference};
use super::digest::sha256;
use super::error::{ImageError, Result};
use super::source::{ImageSource, LayerSink, ResolvedImage};
use super::spec::{self, DOCKER_CONFIG, DOCKER_LAYER_TAR, Descriptor, ImageConfig, Platform};
use super::walker::normalize_path;

/// Configs larger than this in the export are refused (real ones are KiBs).
const MAX_CONFIG_BYTES: u64 = 32 << 20;

/// An image in the local Docker Engine (`DOCKER_HOST`, else /var/run/docker.sock).
#[derive(Debug)]
pub struct DaemonSource {
    client: DaemonClient,
    /// The name as the Engine API takes it (`app:latest`).
    name: String,
}

impl DaemonSource {
    /// Connects to the daemon (an unreachable daemon is an error here, naming the socket).
    pub fn open(text: &str) -> Result<DaemonSource> {
        let name = parse_reference(text)?;
        Ok(DaemonSource {
            client: DaemonClient::connect()?,
            name,
        })
    }

    pub fn new(client: DaemonClient, name: &str) -> Result<DaemonSource> {
        Ok(DaemonSource {
            client,
            name: parse_reference(name)?,
        })
    }
}

/// The live check (`--live`): runs `docker-daemon:` image `text` with its own entrypoint
/// (no network, removed afterwards) and reads the real UID and GID of its main process.
pub fn live_user(text: &str, timeout: std::time::Duration) -> Result<super::daemon::LiveUser> {
    let name = parse_reference(text)?;
    Ok(DaemonClient::connect()?.live_user(&name, timeout)?)
}

/// A stand-in for the config until the export delivers the real one: what the inspect
/// answer says (`Config`, `Os`, `Architecture`, `RootFS`), which is all that is needed
/// before the layers are read (the user, the platform, the diff IDs). It has no history:
/// the history API cannot say which steps made a layer (it reports 0 bytes both for a
/// step that made none and for one that made an empty or nearly empty layer), and the
/// export's config says exactly.
fn provisional_config(image: &DaemonImage) -> Value {
    let raw = &image.raw;
    let mut config = json!({
        "architecture": image.architecture,
        "os": image.os,
        "config": raw.get("Config").cloned().unwrap_or(Value::Null),
        "rootfs": { "type": "layers", "diff_ids": image.diff_ids },
    });
    if let Some(variant) = &image.variant {
        config["variant"] = json!(variant);
    }
    if let Some(version) = raw.get("DockerVersion").and_then(Value::as_str)
        && !version.is_empty()
    {
        config["docker_version"] = json!(version);
    }
    config
}

impl ImageSource for DaemonSource {
    fn resolve(&self, _platform: &Platform) -> Result<ResolvedImage> {
        // The daemon stores one platform per name; `analyze` checks it against an
        // explicit --platform.
        let image = self.client.inspect(&self.name)?;
        spec::validate_digest(&image.id)?;
        let raw_config = serde_json::to_vec(&provisional_config(&image))
            .map_err(|error| ImageError::malformed(format!("{}: {error}", self.name)))?;
        let config = ImageConfig::parse(&raw_config, &format!("config {}", image.id))?;
        let mut layers = Vec::with_capacity(image.diff_ids.len());
        for diff_id in &image.diff_ids {
            spec::validate_digest(diff_id)?;
            layers.push(Descriptor {
                media_type: DOCKER_LAYER_TAR.to_string(),
                digest: diff_id.clone(),
                // Known once the export is read (blob_sizes_known is false).
                size: 0,
                platform: None,
                annotations: Default::default(),
            });
        }
        Ok(ResolvedImage {
            digest: image.id.clone(),
            annotations: Default::default(),
            config_media_type: DOCKER_CONFIG.to_string(),
            config_digest: image.id,
            raw_config,
            config,
            layers,
            platform: None,
        })
    }

    fn read_layers(&self, image: &ResolvedImage, sink: &LayerSink) -> Result<()> {
        let export = self.client.export(&image.config_digest)?;
        read_save_stream(export, image, sink, &format!("docker save {}", self.name))
    }

    fn blob_sizes_known(&self) -> bool {
        false
    }
}

/// Walks a `docker save` tar stream once, front to back, handing every layer of `image`
/// to `sink` as it passes (either layout: legacy `<id>/layer.tar`, or Docker 25's
/// `blobs/sha256/HEX` named by diff ID) and the image's config, checked against the
/// image ID, to [`LayerSink::config`]. The members come in the order the daemon writes
/// them (Docker 20.10: sorted by name, so the `<id>.json` config may come before,
/// between or after the layers), which does not matter: layers are summarised on their
/// own and kept by digest, and the config's history is attached to them once the stream
/// is done. Nothing is buffered but the config. `what` names the stream in errors.
pub fn read_save_stream(
    stream: impl Read,
    image: &ResolvedImage,
    sink: &LayerSink,
    what: &str,
) -> Result<()> {
    let io_error = |error| ImageError::io(what.to_string(), error);
    let config_hex = spec::validate_digest(&image.config_digest)?.to_string();
    let mut archive = tar::Archive::new(stream);
    let mut config_seen = false;
    for entry in archive.entries().map_err(io_error)? {
        let mut entry = entry.map_err(io_error)?;
        // Links (legacy `docker save` writes a repeated layer as a symlink to the first)
        // and directories carry no blob of their own.
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(io_error)?
            .to_string_lossy()
            .into_owned();
        let Some(path) = normalize_path(&path)
            .map_err(|error| ImageError::Hostile(format!("{what}: {error}")))?
        else {
            continue;
        };
        match classify(&path) {
            Member::LegacyLayer => {
                if !sink.unnamed_layer(&mut entry)? {
                    return Err(ImageError::malformed(format!(
                        "{what}: `{path}` is no layer of image {}",
                        image.config_digest
                    )));
                }
            }
            Member::Blob(hex) | Member::LegacyConfig(hex) if hex == config_hex => {
                sink.config(read_config(&mut entry, &image.config_digest, what)?);
                config_seen = true;
            }
            Member::Blob(hex) => {
                // Manifests live there too; only layers go to the sink.
                if sink
                    .index_of(&format!("sha256:{hex}"))
                    .is_some_and(|i| sink.wants(i))
                {
                    sink.unnamed_layer(&mut entry)?;
                }
            }
            Member::LegacyConfig(_) | Member::Other => {}
        }
    }
    if !config_seen {
        return Err(ImageError::malformed(format!(
            "{what}: the export has no config {}",
            image.config_digest
        )));
    }
    Ok(())
}

/// What a member of a `docker save` stream is, by its path.
enum Member<'a> {
    /// `<id>/layer.tar`.
    LegacyLayer,
    /// `<hex>.json` at the top: the legacy layout's config.
    LegacyConfig(&'a str),
    /// `blobs/sha256/<hex>`: Docker 25's OCI layout.
    Blob(&'a str),
    Other,
}

fn classify(path: &str) -> Member<'_> {
    let is_hex =
        |s: &str| s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if let Some(hex) = path.strip_prefix("blobs/sha256/")
        && is_hex(hex)
    {
        return Member::Blob(hex);
    }
    if let Some(hex) = path.strip_suffix(".json")
        && is_hex(hex)
    {
        return Member::LegacyConfig(hex);
    }
    match path.split('/').collect::<Vec<_>>().as_slice() {
        [_, "layer.tar"] => Member::LegacyLayer,
        _ => Member::Other,
    }
}

/// The config in the stream, which must be the one the image ID names.
fn read_config(entry: &mut dyn Read, expected: &str, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    entry
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ImageError::io(what.to_string(), error))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ImageError::Limit(format!(
            "{what}: the config is larger than {MAX_CONFIG_BYTES} bytes"
        )));
    }
    let actual = sha256(&bytes);
    if actual != expected {
        return Err(ImageError::DigestMismatch {
            what: format!("{what}: config"),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_members_are_told_apart_by_path() {
        let hex = "a".repeat(64);
        assert!(matches!(
            classify(&format!("{hex}/layer.tar")),
            Member::LegacyLayer
        ));
        assert!(matches!(classify(&format!("{hex}.json")), Member::LegacyConfig(h) if h == hex));
        assert!(matches!(classify(&format!("blobs/sha256/{hex}")), Member::Blob(h) if h == hex));
        for other in [
            "manifest.json",
            "repositories",
            "index.json",
            "oci-layout",
            "layer.tar",
            "a/b/layer.tar",
            "blobs/sha256/zz",
            &format!("{hex}/json"),
            &format!("{hex}/VERSION"),
        ] {
            assert!(matches!(classify(other), Member::Other), "{other}");
        }
    }

    #[test]
    fn the_provisional_config_comes_from_inspect_without_history() {
        let image = DaemonImage {
            id: sha256(b"config"),
            repo_tags: Vec::new(),
            repo_digests: Vec::new(),
            user: String::new(),
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
            diff_ids: (0..2u8).map(|i| sha256(&[i])).collect(),
            size: 0,
            raw: json!({
                "Config": { "User": "app", "Healthcheck": { "Test": ["CMD", "true"] } },
                "DockerVersion": "20.10.24",
            }),
        };
        let bytes = serde_json::to_vec(&provisional_config(&image)).unwrap();
        let config = ImageConfig::parse(&bytes, "t").unwrap();
        let container = config.config.unwrap();
        assert_eq!(container.user.as_deref(), Some("app"));
        assert!(container.healthcheck.is_some());
        assert_eq!(config.rootfs.unwrap().diff_ids.len(), 2);
        assert_eq!(config.docker_version.as_deref(), Some("20.10.24"));
        assert!(config.history.is_empty());
    }

    #[test]
    fn the_config_is_checked_against_the_image_id() {
        let config = br#"{"os":"linux"}"#;
        let id = sha256(config);
        assert_eq!(read_config(&mut &config[..], &id, "t").unwrap(), config);
        let err = read_config(&mut &b"{}"[..], &id, "t").unwrap_err();
        assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
    }
}
