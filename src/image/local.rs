//! The local transports: `oci:DIR[:REF]`, `oci-archive:PATH[:REF]` and
//! `docker-archive:PATH[:REF]` (both the legacy `docker save` layout and Docker 25's OCI
//! layout inside the tar).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::digest::{DigestReader, Mismatch, sha256};
use super::error::{ImageError, Result};
use super::source::{Blob, ImageSource, LayerSink, ResolvedImage, read_layers_in_parallel};
use super::spec::{
    self, DOCKER_CONFIG, DOCKER_LAYER_TAR, Descriptor, DockerSaveEntry, ImageConfig,
    ManifestOrIndex, Platform, REF_NAME,
};
use super::tarfile::TarFile;

/// Manifests, indexes and configs larger than this are refused (real ones are KiBs).
const MAX_METADATA_BYTES: u64 = 16 << 20;
/// Indexes nest (an index entry may be an index); deeper than this is hostile.
const MAX_INDEX_DEPTH: usize = 4;

/// Where the files of an image live: a directory or a tar archive.
enum Store {
    Dir(PathBuf),
    Tar(TarFile),
}

impl Store {
    fn describe(&self) -> String {
        match self {
            Store::Dir(dir) => format!("`{}`", dir.display()),
            Store::Tar(_) => "the archive".to_string(),
        }
    }

    fn exists(&self, name: &str) -> bool {
        match self {
            Store::Dir(dir) => dir.join(name).is_file(),
            Store::Tar(tar) => tar.contains(name),
        }
    }

    fn read(&self, name: &str) -> Result<Vec<u8>> {
        match self {
            Store::Dir(dir) => {
                let path = dir.join(name);
                let context = || format!("cannot read `{}`", path.display());
                let file = File::open(&path).map_err(|error| ImageError::io(context(), error))?;
                let mut bytes = Vec::new();
                file.take(MAX_METADATA_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|error| ImageError::io(context(), error))?;
                if bytes.len() as u64 > MAX_METADATA_BYTES {
                    return Err(ImageError::Limit(format!(
                        "`{}` is larger than {MAX_METADATA_BYTES} bytes",
                        path.display()
                    )));
                }
                Ok(bytes)
            }
            Store::Tar(tar) => tar.read_member(name, MAX_METADATA_BYTES),
        }
    }

    fn open(&self, name: &str) -> Result<Blob<'_>> {
        match self {
            Store::Dir(dir) => {
                let path = dir.join(name);
                let file = File::open(&path).map_err(|error| {
                    ImageError::io(format!("cannot read `{}`", path.display()), error)
                })?;
                Ok(Box::new(file))
            }
            Store::Tar(tar) => Ok(Box::new(tar.open_member(name)?)),
        }
    }

    /// A blob named by digest, checked against its digest and size as it is read (never
    /// more than the size its descriptor declares).
    fn read_blob(&self, descriptor: &Descriptor, what: &str) -> Result<Vec<u8>> {
        let name = blob_path(&descriptor.digest)?;
        if descriptor.size > MAX_METADATA_BYTES {
            return Err(ImageError::Limit(format!(
                "{what} {} claims {} bytes",
                descriptor.digest, descriptor.size
            )));
        }
        let what = format!("{what} {}", descriptor.digest);
        let mut bytes = Vec::new();
        DigestReader::verifying(self.open(&name)?, &descriptor.digest, descriptor.size)
            .read_to_end(&mut bytes)
            .map_err(|error| match Mismatch::of(&error) {
                Some(Mismatch::Digest { expected, actual }) => ImageError::DigestMismatch {
                    what: what.clone(),
                    expected: expected.clone(),
                    actual: actual.clone(),
                },
                Some(Mismatch::Size {
                    expected, actual, ..
                }) => ImageError::SizeMismatch {
                    what: what.clone(),
                    expected: *expected,
                    actual: *actual,
                },
                Some(too_long @ Mismatch::TooLong { .. }) => {
                    ImageError::malformed(format!("{what}: {too_long}"))
                }
                None => ImageError::io(format!("cannot read {what}"), error),
            })?;
        Ok(bytes)
    }
}

fn blob_path(digest: &str) -> Result<String> {
    Ok(format!("blobs/sha256/{}", spec::validate_digest(digest)?))
}

/// An OCI image layout (`oci:`, `oci-archive:`, Docker 25's `docker save`) or a legacy
/// `docker save` archive.
pub struct LocalImage {
    store: Store,
    /// The tag to pick when the layout holds several images.
    name: Option<String>,
    /// Where the user said the image is, for messages.
    location: String,
}

impl LocalImage {
    pub fn oci_dir(dir: &Path, name: Option<String>) -> Result<LocalImage> {
        if !dir.join("index.json").is_file() {
            return Err(ImageError::malformed(format!(
                "`{}` is not an OCI image layout (no index.json)",
                dir.display()
            )));
        }
        Ok(LocalImage {
            store: Store::Dir(dir.to_path_buf()),
            name,
            location: dir.display().to_string(),
        })
    }

    /// `oci-archive:` and `docker-archive:` alike: the archive's content says which
    /// layout it has.
    pub fn archive(path: &Path, name: Option<String>) -> Result<LocalImage> {
        Ok(LocalImage {
            store: Store::Tar(TarFile::open(path)?),
            name,
            location: path.display().to_string(),
        })
    }

    fn resolve_oci(&self, platform: &Platform) -> Result<ResolvedImage> {
        let index = ManifestOrIndex::parse(&self.store.read("index.json")?, "index.json")?;
        let entries = index.manifests.unwrap_or_default();
        let candidates: Vec<&Descriptor> = match &self.name {
            Some(name) => {
                let tagged: Vec<&Descriptor> = entries
                    .iter()
                    .filter(|d| {
                        d.annotations.get(REF_NAME).is_some_and(|r| r == name)
                            || d.annotations
                                .get("io.containerd.image.name")
                                .is_some_and(|r| {
                                    r == name
                                        || r.rsplit_once('/')
                                            .is_some_and(|(_, short)| short == name)
                                })
                    })
                    .collect();
                if tagged.is_empty() {
                    return Err(ImageError::malformed(format!(
                        "`{}` has no image named `{name}` (index.json names: {})",
                        self.location,
                        names(&entries)
                    )));
                }
                tagged
            }
            None => entries.iter().filter(|d| !d.is_attestation()).collect(),
        };
        let manifest = match candidates.as_slice() {
            [] => {
                return Err(ImageError::malformed(format!(
                    "`{}` holds no image",
                    self.location
                )));
            }
            [one] => self.select(one, platform, 0)?,
            several => {
                // Several entries in index.json: either one image per platform, or
                // several images, which only a name can choose between.
                if several.iter().all(|d| d.platform.is_some()) {
                    let chosen = self.pick_platform(several, platform)?;
                    self.select(chosen, platform, 0)?
                } else {
                    return Err(ImageError::malformed(format!(
                        "`{}` holds {} images; name one ({})",
                        self.location,
                        several.len(),
                        names(&entries)
                    )));
                }
            }
        };
        self.load(manifest)
    }

    /// Follows an index entry to a manifest, choosing the platform in nested indexes.
    fn select(
        &self,
        descriptor: &Descriptor,
        platform: &Platform,
        depth: usize,
    ) -> Result<Selected> {
        if depth > MAX_INDEX_DEPTH {
            return Err(ImageError::Hostile(format!(
                "`{}`: image indexes nested more than {MAX_INDEX_DEPTH} deep",
                self.location
            )));
        }
        let bytes = self.store.read_blob(descriptor, "manifest")?;
        let document = ManifestOrIndex::parse(&bytes, &format!("manifest {}", descriptor.digest))?;
        if document.is_index() {
            let entries = document.manifests.unwrap_or_default();
            let usable: Vec<&Descriptor> = entries.iter().filter(|d| !d.is_attestation()).collect();
            let chosen = self.pick_platform(&usable, platform)?;
            let mut selected = self.select(chosen, platform, depth + 1)?;
            selected.platform = chosen.platform.clone().or(selected.platform);
            return Ok(selected);
        }
        Ok(Selected {
            digest: descriptor.digest.clone(),
            manifest: document,
            platform: descriptor.platform.clone(),
        })
    }

    fn pick_platform<'d>(
        &self,
        entries: &[&'d Descriptor],
        wanted: &Platform,
    ) -> Result<&'d Descriptor> {
        let matching: Vec<&Descriptor> = entries
            .iter()
            .copied()
            .filter(|d| d.platform.as_ref().is_some_and(|p| p.satisfies(wanted)))
            .collect();
        // Prefer the exact variant the request names (or none, when it names none).
        matching
            .iter()
            .copied()
            .find(|d| {
                d.platform
                    .as_ref()
                    .is_some_and(|p| p.variant == wanted.variant)
            })
            .or_else(|| matching.first().copied())
            .ok_or_else(|| ImageError::PlatformNotFound {
                wanted: wanted.to_string(),
                available: entries
                    .iter()
                    .filter_map(|d| d.platform.as_ref().map(Platform::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn load(&self, selected: Selected) -> Result<ResolvedImage> {
        let Selected {
            digest,
            manifest,
            platform,
        } = selected;
        let config_descriptor = manifest
            .config
            .ok_or_else(|| ImageError::malformed(format!("manifest {digest} has no config")))?;
        let raw_config = self.store.read_blob(&config_descriptor, "config")?;
        let config =
            ImageConfig::parse(&raw_config, &format!("config {}", config_descriptor.digest))?;
        let layers = manifest.layers.unwrap_or_default();
        for layer in &layers {
            spec::validate_digest(&layer.digest)?;
        }
        Ok(ResolvedImage {
            digest,
            annotations: manifest.annotations,
            config_media_type: config_descriptor.media_type.clone(),
            config_digest: config_descriptor.digest,
            raw_config,
            config,
            layers,
            platform,
        })
    }

    /// The legacy `docker save` layout: `manifest.json`, `<config>.json`,
    /// `<id>/layer.tar` (uncompressed, so its digest is the config's diff ID).
    fn resolve_docker_save(&self) -> Result<ResolvedImage> {
        let bytes = self.store.read("manifest.json")?;
        let entries: Vec<DockerSaveEntry> = serde_json::from_slice(&bytes)
            .map_err(|error| ImageError::malformed(format!("manifest.json: {error}")))?;
        let entry = match &self.name {
            Some(name) => entries.iter().find(|e| {
                e.repo_tags.iter().flatten().any(|tag| {
                    tag == name
                        || tag
                            .strip_prefix("docker.io/library/")
                            .is_some_and(|t| t == name)
                })
            }),
            None if entries.len() == 1 => entries.first(),
            None => {
                return Err(ImageError::malformed(format!(
                    "`{}` holds {} images; name one with docker-archive:PATH:NAME:TAG",
                    self.location,
                    entries.len()
                )));
            }
        }
        .ok_or_else(|| {
            ImageError::malformed(format!(
                "`{}` has no image named `{}`",
                self.location,
                self.name.as_deref().unwrap_or("")
            ))
        })?;
        let config_name = normalized(&entry.config)?;
        let raw_config = self.store.read(&config_name)?;
        let config_digest = sha256(&raw_config);
        // Docker names the config by its digest; a mismatch means a damaged archive.
        if let Some(hex) = config_name
            .strip_suffix(".json")
            .map(|n| n.rsplit('/').next().unwrap_or(n))
            && hex.len() == 64
            && format!("sha256:{hex}") != config_digest
        {
            return Err(ImageError::DigestMismatch {
                what: format!("config {config_name}"),
                expected: format!("sha256:{hex}"),
                actual: config_digest,
            });
        }
        let config = ImageConfig::parse(&raw_config, &format!("config {config_name}"))?;
        let diff_ids = config
            .rootfs
            .as_ref()
            .map(|r| r.diff_ids.clone())
            .unwrap_or_default();
        if diff_ids.len() != entry.layers.len() {
            return Err(ImageError::malformed(format!(
                "manifest.json lists {} layers but the config has {} diff IDs",
                entry.layers.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::with_capacity(entry.layers.len());
        for (path, diff_id) in entry.layers.iter().zip(diff_ids) {
            let path = normalized(path)?;
            spec::validate_digest(&diff_id)?;
            let size = self.store_size(&path)?;
            layers.push(Descriptor {
                media_type: DOCKER_LAYER_TAR.to_string(),
                digest: diff_id,
                size,
                platform: None,
                annotations: [(spec::LEGACY_LAYER_PATH.to_string(), path)].into(),
            });
        }
        Ok(ResolvedImage {
            digest: config_digest.clone(),
            annotations: Default::default(),
            config_media_type: DOCKER_CONFIG.to_string(),
            config_digest,
            raw_config,
            config,
            layers,
            platform: None,
        })
    }

    fn store_size(&self, name: &str) -> Result<u64> {
        match &self.store {
            Store::Tar(tar) => tar.size(name).ok_or_else(|| {
                ImageError::malformed(format!("`{}` has no `{name}`", self.location))
            }),
            Store::Dir(dir) => std::fs::metadata(dir.join(name))
                .map(|m| m.len())
                .map_err(|error| ImageError::io(format!("cannot read `{name}`"), error)),
        }
    }

    /// Where a layer's blob is: by digest in an OCI layout, by path in a legacy archive.
    fn layer_path(descriptor: &Descriptor) -> Result<String> {
        match descriptor.annotations.get(spec::LEGACY_LAYER_PATH) {
            Some(path) => Ok(path.clone()),
            None => blob_path(&descriptor.digest),
        }
    }
}

struct Selected {
    digest: String,
    manifest: ManifestOrIndex,
    platform: Option<Platform>,
}

impl ImageSource for LocalImage {
    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage> {
        // Docker 25+ writes both manifest.json and an OCI layout: the layout has the
        // descriptors (media types, compressed sizes), so it wins.
        if self.store.exists("index.json") {
            self.resolve_oci(platform)
        } else if self.store.exists("manifest.json") {
            self.resolve_docker_save()
        } else {
            Err(ImageError::malformed(format!(
                "`{}` is neither an OCI image layout nor a docker save archive (no index.json or manifest.json in {})",
                self.location,
                self.store.describe()
            )))
        }
    }

    fn read_layers(&self, _image: &ResolvedImage, sink: &LayerSink) -> Result<()> {
        read_layers_in_parallel(sink, |descriptor| {
            self.store.open(&Self::layer_path(descriptor)?)
        })
    }
}

fn normalized(path: &str) -> Result<String> {
    super::walker::normalize_path(path)
        .map_err(|error| ImageError::Hostile(format!("manifest.json: {error}")))?
        .ok_or_else(|| ImageError::malformed("manifest.json names the archive's root as a file"))
}

fn names(entries: &[Descriptor]) -> String {
    let names: Vec<&str> = entries
        .iter()
        .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
