//! `docker://REGISTRY/NAME[:TAG|@DIGEST]` as an [`ImageSource`]: the adapter between the
//! distribution client of `registry/` and the image core.
//!
//! [`ImageSource::resolve`] fetches the manifest (through the index, choosing the platform
//! and never an attestation manifest) and the config, nothing else; the layers are only
//! downloaded by [`ImageSource::read_layers`], in parallel, each verified twice over:
//! by the client's [`DigestReader`](super::digest::DigestReader) (size and digest, and
//! never more bytes than the descriptor declares) and by the sink.

use super::error::Result;
use super::registry::{ClientOptions, InsecureRegistries, RegistryClient};
use super::source::{ImageSource, LayerSink, ResolvedImage, read_layers_in_parallel};
use super::spec::{ImageConfig, ManifestOrIndex, Platform};

/// An image in a registry, credentials found as the Docker CLI finds them.
#[derive(Debug)]
pub struct RegistryImage {
    client: RegistryClient,
}

impl RegistryImage {
    /// `text` is the reference without its `docker://` (as [`super::ImageReference`]
    /// keeps it). Reads the Docker config for credentials; connects to nothing yet.
    pub fn open(text: &str) -> Result<RegistryImage> {
        RegistryImage::open_with(text, &InsecureRegistries::default())
    }

    /// [`RegistryImage::open`], reaching the registries in `insecure` as
    /// `--insecure-registry` asks.
    pub fn open_with(text: &str, insecure: &InsecureRegistries) -> Result<RegistryImage> {
        let options = ClientOptions {
            platform: Platform::default(),
            insecure_registries: insecure.clone(),
            ..ClientOptions::default()
        };
        Ok(RegistryImage {
            client: RegistryClient::for_reference_with(text, options)?,
        })
    }

    pub fn new(client: RegistryClient) -> RegistryImage {
        RegistryImage { client }
    }
}

impl ImageSource for RegistryImage {
    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage> {
        let pulled = self.client.fetch_image_for(platform)?;
        let what = format!("manifest {}", pulled.manifest.digest);
        let manifest = ManifestOrIndex::parse(&pulled.manifest.bytes, &what)?;
        let config = ImageConfig::parse(
            &pulled.config,
            &format!("config {}", pulled.config_descriptor.digest),
        )?;
        Ok(ResolvedImage {
            digest: pulled.manifest.digest,
            annotations: manifest.annotations,
            config_media_type: pulled.config_descriptor.media_type,
            config_digest: pulled.config_descriptor.digest,
            raw_config: pulled.config,
            config,
            layers: pulled.layers,
            platform: pulled.platform,
        })
    }

    fn read_layers(&self, _image: &ResolvedImage, sink: &LayerSink) -> Result<()> {
        // The sink reads each blob to its end, so the verifying reader always reaches its
        // verdict; a mismatch fails the read and the layer's summary is never kept.
        read_layers_in_parallel(sink, |layer| Ok(Box::new(self.client.open_blob(layer)?)))
    }
}
