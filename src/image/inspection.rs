//! What a run learned about one image beyond its own facts: the image it is compared
//! with, the user its main process really runs as, and the Dockerfile that made it.

use super::baseline::Baseline;
use super::daemon::LiveUser;
use super::facts::{BaseImage, ImageFacts};
use super::provenance::{Provenance, Unplaced};

/// One inspected image: its facts, read from the image, and what the pipeline found out
/// around them. The image rules and the reporters read this.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub facts: ImageFacts,
    /// The image this one is compared with (`--baseline`).
    pub baseline: Option<Baseline>,
    /// The real IDs of the main process of a container of the image (`--live`, the
    /// daemon source only).
    pub live: Option<LiveUser>,
    /// The Dockerfile that made the image, when its history matches one.
    pub provenance: Option<Provenance>,
    /// Why a Dockerfile was given or found but nothing was placed on it.
    pub unplaced: Option<Unplaced>,
}

impl Inspection {
    pub fn new(facts: ImageFacts) -> Inspection {
        Inspection {
            facts,
            baseline: None,
            live: None,
            provenance: None,
            unplaced: None,
        }
    }

    /// Records the Dockerfile that made the image, and what it says about the base
    /// image where the image itself did not: its layers are those below the first step
    /// the Dockerfile made, its name the chain's first `FROM`.
    pub fn attribute_to(&mut self, provenance: Provenance) {
        if let Some(layers) = provenance.base_layers() {
            let base = self.facts.base.get_or_insert(BaseImage {
                name: None,
                digest: None,
                layers: None,
            });
            base.layers = base.layers.or(Some(layers));
            if base.name.is_none() && layers > 0 {
                base.name = Some(provenance.base_image().to_string());
            }
        }
        self.provenance = Some(provenance);
    }
}
