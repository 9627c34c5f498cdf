//! Images without a daemon: sources, the streaming layer walker, and image facts.
//!
//! ```text
//! ImageReference::parse("oci:dir:v1")        reference.rs
//!   -> open(): Box<dyn ImageSource>          source.rs (trait), local.rs, tarfile.rs
//!   -> resolve(platform): ResolvedImage      manifest, config, layer descriptors
//!   -> read_layers(LayerSink)                 only when a check needs file facts
//!        -> summarize_layer per blob          walker.rs (+ secrets.rs), in parallel
//!   -> MergedFs::merge(summaries)             fs.rs: manifest order, whiteouts
//!   -> facts::compute: ImageFacts             facts.rs, user.rs
//! ```
//!
//! `docker://` is `registry/` (the distribution client) behind `registry_source.rs`,
//! `docker-daemon:` is `daemon.rs` (the Engine API client) behind `daemon_source.rs`:
//! each adapter implements [`ImageSource`] and is returned from [`open`].

pub mod baseline;
pub mod daemon;
pub mod daemon_source;
pub mod digest;
pub mod error;
pub mod facts;
pub mod fs;
pub mod inspection;
pub mod limits;
pub mod local;
pub mod progress;
pub mod provenance;
pub mod reference;
pub mod registry;
pub mod registry_source;
pub mod secrets;
pub mod source;
pub mod spec;
pub mod tarfile;
pub mod user;
pub mod walker;

#[cfg(test)]
mod tests;

pub mod testing;

pub use error::{ImageError, Result};
pub use facts::ImageFacts;
pub use inspection::Inspection;
pub use limits::WalkLimits;
pub use reference::ImageReference;
pub use source::{ImageSource, LayerSink, ResolvedImage};
pub use spec::Platform;

/// Opens the source a reference names. Nothing is read beyond what tells the layout.
pub fn open(reference: &ImageReference) -> Result<Box<dyn ImageSource>> {
    open_with(reference, &registry::InsecureRegistries::default())
}

/// [`open`], reaching the registries in `insecure` as `--insecure-registry` asks (the
/// other transports have no use for it).
pub fn open_with(
    reference: &ImageReference,
    insecure: &registry::InsecureRegistries,
) -> Result<Box<dyn ImageSource>> {
    match reference {
        ImageReference::Oci { dir, name } => {
            Ok(Box::new(local::LocalImage::oci_dir(dir, name.clone())?))
        }
        ImageReference::OciArchive { path, name }
        | ImageReference::DockerArchive { path, name } => {
            Ok(Box::new(local::LocalImage::archive(path, name.clone())?))
        }
        ImageReference::Registry { name } => Ok(Box::new(
            registry_source::RegistryImage::open_with(name, insecure)?,
        )),
        ImageReference::DockerDaemon { name } => {
            Ok(Box::new(daemon_source::DaemonSource::open(name)?))
        }
    }
}

/// How to analyse an image.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    pub platform: Platform,
    /// The platform was asked for (`--platform`), not defaulted: an image that is not
    /// an index must then be of that platform.
    pub platform_explicit: bool,
    /// Read the layers (for file facts and uncompressed sizes). Without it only the
    /// manifest and config are read, unless resolving the user needs `/etc/passwd`.
    pub read_layers: bool,
    pub walk: WalkLimits,
    /// The terminal's progress line, fed while layers are read.
    pub progress: Option<std::sync::Arc<progress::Progress>>,
    /// `--insecure-registry`: registries reached without certificate checks or over
    /// plain HTTP (`docker://` only).
    pub insecure_registries: registry::InsecureRegistries,
}

/// Resolves, reads and merges one image into its facts.
pub fn analyze(
    reference: &str,
    source: &dyn ImageSource,
    options: &AnalyzeOptions,
) -> Result<ImageFacts> {
    let mut image = source.resolve(&options.platform)?;
    if options.platform_explicit {
        // The platform the index named, else the config's own.
        let own = image.platform.clone().unwrap_or_else(|| Platform {
            os: image.config.os.clone(),
            architecture: image.config.architecture.clone(),
            variant: None,
        });
        let wanted = Platform {
            variant: None,
            ..options.platform.clone()
        };
        if !own.architecture.is_empty() && !own.satisfies(&wanted) {
            return Err(ImageError::PlatformNotFound {
                wanted: options.platform.to_string(),
                available: own.to_string(),
            });
        }
    }
    let user = image
        .config
        .config
        .as_ref()
        .and_then(|c| c.user.as_deref())
        .unwrap_or("");
    // A name (user or group) only means something through the image's own files.
    let names_a_user = user
        .split(':')
        .any(|part| !part.is_empty() && part.parse::<u32>().is_err());
    let sizes_known = source.blob_sizes_known();
    let summaries = if options.read_layers || names_a_user || !sizes_known {
        let sink = LayerSink::new(&image.layers, options.walk)
            .with_progress(options.progress.clone(), sizes_known);
        source.read_layers(&image, &sink)?;
        let exported = sink.take_config();
        let summaries = sink.finish()?;
        // The daemon's export carries the image's own config (history and all).
        if let Some(raw) = exported {
            image.adopt_config(raw)?;
        }
        Some(summaries)
    } else {
        None
    };
    if !sizes_known && let Some(summaries) = &summaries {
        for (layer, summary) in image.layers.iter_mut().zip(summaries) {
            layer.size = summary.compressed;
        }
    }
    facts::compute(reference, &image, summaries.as_deref())
}

/// Parses, opens and analyses a reference given on the command line.
pub fn analyze_reference(text: &str, options: &AnalyzeOptions) -> Result<ImageFacts> {
    let reference = ImageReference::parse(text)?;
    let source = open_with(&reference, &options.insecure_registries)?;
    analyze(text, source.as_ref(), options)
}
