//! Where images come from: the [`ImageSource`] trait every transport implements, the
//! [`ResolvedImage`] it resolves to, and the [`LayerSink`] it feeds layer blobs into.
//!
//! A source does two things. [`ImageSource::resolve`] reads the manifest (choosing the
//! platform in an index) and the config, without reading any layer. Then, only when a
//! check needs file facts, [`ImageSource::read_layers`] hands every layer blob to the
//! sink, in whatever order the source has them: a random-access source (a directory, a
//! seekable tar, a registry) calls [`read_layers_in_parallel`]; a stream (the `docker
//! save` stream of a daemon, whose tar order is arbitrary) calls [`LayerSink::layer`] as
//! blobs come by. The sink summarises each layer on its own; the summaries are merged in
//! manifest order afterwards, so the order of delivery never matters.
//!
//! A new transport, in outline (a registry: random access by digest):
//!
//! ```ignore
//! impl ImageSource for RegistryImage {
//!     fn resolve(&self, platform: &Platform) -> Result<ResolvedImage> {
//!         // GET the manifest; if it is an index, pick `platform` (skip
//!         // `vnd.docker.reference.type: attestation-manifest`), GET that manifest;
//!         // GET and verify the config; fill in ResolvedImage (digest = the manifest's).
//!     }
//!     fn read_layers(&self, _image: &ResolvedImage, sink: &LayerSink) -> Result<()> {
//!         // The sink verifies digest and size while it reads.
//!         read_layers_in_parallel(sink, |layer| Ok(Box::new(self.get_blob(&layer.digest)?)))
//!     }
//! }
//! ```
//!
//! A stream (`docker save` from the daemon) instead walks its tar once and calls
//! `sink.layer(sink.index_of(digest)?, entry)` for `blobs/sha256/HEX` members, or
//! `sink.unnamed_layer(entry)` for legacy `<id>/layer.tar` members; [`LayerSink::finish`]
//! then reports any layer that never came. Register the transport in
//! [`crate::image::open`].

use std::io::Read;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::error::{ImageError, Result};
use super::limits::WalkLimits;
use super::progress::{Counted, Progress};
use super::spec::{Descriptor, ImageConfig, Platform};
use super::walker::{LayerSummary, summarize_layer};

/// An image's manifest-level facts: what a source knows before reading any layer.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    /// The digest of the manifest (as a registry would name the image), or, for a legacy
    /// `docker save` archive that has no manifest blob, of the config (the image ID).
    pub digest: String,
    /// The manifest's annotations (`org.opencontainers.image.base.name`, ...).
    pub annotations: std::collections::BTreeMap<String, String>,
    /// The config's media type: Docker's or OCI's (HEALTHCHECK only exists in Docker's).
    pub config_media_type: String,
    pub config_digest: String,
    /// The config exactly as stored, for checks that need fields [`ImageConfig`] omits.
    pub raw_config: Vec<u8>,
    pub config: ImageConfig,
    /// The layer blobs, lowest first, in manifest order.
    pub layers: Vec<Descriptor>,
    /// The platform that was selected from an index, if the image came from one.
    pub platform: Option<Platform>,
}

impl ResolvedImage {
    /// Replaces the config with `raw`, the image's own config as a layer stream carried
    /// it (the daemon's export): it must be the one [`ResolvedImage::config_digest`]
    /// names and list one diff ID per layer.
    pub fn adopt_config(&mut self, raw: Vec<u8>) -> Result<()> {
        let actual = super::digest::sha256(&raw);
        if actual != self.config_digest {
            return Err(ImageError::DigestMismatch {
                what: "config".to_string(),
                expected: self.config_digest.clone(),
                actual,
            });
        }
        let config = ImageConfig::parse(&raw, &format!("config {}", self.config_digest))?;
        let diff_ids = config.rootfs.as_ref().map_or(0, |r| r.diff_ids.len());
        if diff_ids != self.layers.len() {
            return Err(ImageError::malformed(format!(
                "config {} lists {diff_ids} diff IDs for {} layers",
                self.config_digest,
                self.layers.len()
            )));
        }
        self.raw_config = raw;
        self.config = config;
        Ok(())
    }
}

/// A transport: `docker-archive:`, `oci:`, `oci-archive:` in `local.rs`; `docker://` in
/// `registry_source.rs` and `docker-daemon:` in `daemon_source.rs`.
pub trait ImageSource: Send + Sync {
    /// Reads the manifest and config. `platform` selects an image from an index;
    /// attestation manifests are never selected.
    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage>;

    /// Feeds every layer of `image` to `sink` (each distinct blob once is enough).
    fn read_layers(&self, image: &ResolvedImage, sink: &LayerSink) -> Result<()>;

    /// Whether [`ResolvedImage::layers`] carries the blobs' sizes. A source that only
    /// learns them by reading the blobs (the daemon, which stores layers unpacked) says
    /// `false`: its layers are then always read, and the sizes taken from them.
    fn blob_sizes_known(&self) -> bool {
        true
    }
}

/// Receives layer blobs, verifies and summarises each, and keeps the summaries by
/// manifest position.
pub struct LayerSink<'a> {
    layers: &'a [Descriptor],
    limits: WalkLimits,
    summaries: Mutex<Vec<Option<Arc<LayerSummary>>>>,
    progress: Option<Arc<Progress>>,
    /// The image's own config, when the stream carries it (see [`LayerSink::config`]).
    config: Mutex<Option<Vec<u8>>>,
}

impl<'a> LayerSink<'a> {
    pub fn new(layers: &'a [Descriptor], limits: WalkLimits) -> LayerSink<'a> {
        LayerSink {
            layers,
            limits,
            summaries: Mutex::new(vec![None; layers.len()]),
            progress: None,
            config: Mutex::new(None),
        }
    }

    /// Reports the bytes and layers read to `progress` (the terminal's progress line).
    /// `sizes_known`: the descriptors carry the blobs' sizes (else the total is unknown).
    pub fn with_progress(mut self, progress: Option<Arc<Progress>>, sizes_known: bool) -> Self {
        if let Some(progress) = &progress {
            let layers = self.layers;
            progress
                .add_layers(distinct_layers(layers).map(|i| sizes_known.then_some(layers[i].size)));
        }
        self.progress = progress;
        self
    }

    fn summarize(
        &self,
        blob: &mut dyn Read,
        descriptor: Option<&Descriptor>,
    ) -> Result<LayerSummary> {
        match &self.progress {
            Some(progress) => {
                let mut counted = Counted {
                    inner: blob,
                    progress,
                };
                summarize_layer(&mut counted, descriptor, &self.limits)
            }
            None => summarize_layer(blob, descriptor, &self.limits),
        }
    }

    /// The layers the sink expects, in manifest order.
    pub fn layers(&self) -> &'a [Descriptor] {
        self.layers
    }

    /// Whether the blob of layer `index` still has to be delivered.
    pub fn wants(&self, index: usize) -> bool {
        self.summaries
            .lock()
            .map(|summaries| summaries.get(index).is_some_and(Option::is_none))
            .unwrap_or(false)
    }

    /// The first manifest position of the layer with this digest (a stream that names
    /// its blobs by digest, like Docker 25's `blobs/sha256/HEX`, finds them here).
    pub fn index_of(&self, digest: &str) -> Option<usize> {
        self.layers.iter().position(|layer| layer.digest == digest)
    }

    /// Reads the blob of layer `index` to its end, verifies its digest and size against
    /// the manifest, and summarises it. Every other position with the same digest gets
    /// the same summary, so a stream need not deliver a repeated blob twice.
    pub fn layer(&self, index: usize, blob: &mut dyn Read) -> Result<()> {
        let descriptor = self.layers.get(index).ok_or_else(|| {
            ImageError::malformed(format!("layer {index} is not in the manifest"))
        })?;
        let summary = self.summarize(blob, Some(descriptor))?;
        self.store(summary)
    }

    /// Summarises a blob the source cannot name (a legacy `docker save` stream's
    /// `<id>/layer.tar`, whose digest only reading it tells) and keeps it at every
    /// position whose digest it turns out to have. `Ok(false)` when it is no layer of
    /// the image.
    pub fn unnamed_layer(&self, blob: &mut dyn Read) -> Result<bool> {
        let summary = self.summarize(blob, None)?;
        if self.index_of(&summary.digest).is_none() {
            return Ok(false);
        }
        self.store(summary)?;
        Ok(true)
    }

    /// Keeps the config a stream carries along with the layers (`docker save` writes the
    /// image's own config, byte for byte): [`ResolvedImage::adopt_config`] then puts it in
    /// place of the one [`ImageSource::resolve`] rebuilt. The stream checks it against
    /// the config digest first.
    pub fn config(&self, raw: Vec<u8>) {
        if let Ok(mut config) = self.config.lock() {
            *config = Some(raw);
        }
    }

    /// The config handed to [`LayerSink::config`], if any.
    pub fn take_config(&self) -> Option<Vec<u8>> {
        self.config.lock().ok()?.take()
    }

    fn store(&self, summary: LayerSummary) -> Result<()> {
        if let Some(progress) = &self.progress {
            progress.layer_done();
        }
        let summary = Arc::new(summary);
        let mut summaries = self
            .summaries
            .lock()
            .map_err(|_| ImageError::malformed("a layer reader panicked"))?;
        for (slot, layer) in summaries.iter_mut().zip(self.layers) {
            if layer.digest == summary.digest {
                *slot = Some(Arc::clone(&summary));
            }
        }
        Ok(())
    }

    /// The summaries in manifest order; an error names the first layer never delivered.
    pub fn finish(self) -> Result<Vec<Arc<LayerSummary>>> {
        let summaries = self
            .summaries
            .into_inner()
            .map_err(|_| ImageError::malformed("a layer reader panicked"))?;
        summaries
            .into_iter()
            .zip(self.layers)
            .map(|(summary, layer)| {
                summary.ok_or_else(|| {
                    ImageError::malformed(format!(
                        "layer {} is missing from the image",
                        layer.digest
                    ))
                })
            })
            .collect()
    }
}

/// The index of the first occurrence of each layer digest: an image may list one blob at
/// several positions, and it is read once.
fn distinct_layers(layers: &[Descriptor]) -> impl Iterator<Item = usize> + '_ {
    (0..layers.len()).filter(|&i| {
        layers[..i]
            .iter()
            .all(|earlier| earlier.digest != layers[i].digest)
    })
}

/// A blob opened for reading.
pub type Blob<'a> = Box<dyn Read + Send + 'a>;

/// Delivers every distinct layer of the sink in parallel, opening each with `open`:
/// the whole of [`ImageSource::read_layers`] for a random-access source.
pub fn read_layers_in_parallel<'s, F>(sink: &LayerSink, open: F) -> Result<()>
where
    F: Fn(&Descriptor) -> Result<Blob<'s>> + Sync,
{
    let layers = sink.layers();
    let distinct: Vec<usize> = distinct_layers(layers).collect();
    distinct.into_par_iter().try_for_each(|index| {
        let mut blob = open(&layers[index])?;
        sink.layer(index, &mut blob)
    })
}
