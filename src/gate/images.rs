//! The image half of a run: read each image, learn what the run can about it (the
//! baseline, the live user, the Dockerfile that made it), run the image rules and place
//! their findings on Dockerfile lines.

use rayon::prelude::*;

use super::{FileRun, ImageRun, Settings, lint};
use crate::dockerfile::Dockerfile;
use crate::dockerfile::model::Model;
use crate::image::provenance::Unplaced;
use crate::image::{self, AnalyzeOptions, Inspection, WalkLimits};
use crate::policy::Policy;
use crate::rules;
use crate::units::Size;
use crate::workspace::InputError;

/// The policy keys of the budgets a run's `--max-size` and `--max-compressed-size`
/// override, and the report's size bars show.
const MAX_SIZE: &str = "image.max_size";
const MAX_COMPRESSED_SIZE: &str = "image.max_compressed_size";

/// How long `--live` waits for a container's main process.
const LIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What reading the images gave: the images in the order given, the errors, and the
/// Dockerfile `--dockerfile` named (its pragmas apply to the findings placed in it).
pub(super) struct Inspected {
    pub images: Vec<ImageRun>,
    pub errors: Vec<InputError>,
    pub named: Option<FileRun>,
}

/// Inspects `settings.images` (in parallel, each one's layers in parallel too).
/// Findings are placed on the line of the Dockerfile that made the image:
/// `--dockerfile`, else the one of the `linted` files the image's history matches.
pub(super) fn inspect(settings: &Settings, policy: &Policy, linted: &[FileRun]) -> Inspected {
    let mut inspected = Inspected {
        images: Vec::new(),
        errors: Vec::new(),
        named: None,
    };
    if settings.images.is_empty() {
        return inspected;
    }
    let options = &settings.image;
    if let Some(path) = &options.dockerfile {
        match lint::read_named(path, policy) {
            Ok(file) => inspected.named = Some(file),
            Err(error) => {
                inspected.errors.push(error);
                return inspected;
            }
        }
    }
    let candidates: Vec<(&str, &Dockerfile, &Model)> = match &inspected.named {
        Some(named) => vec![named],
        None => linted.iter().collect(),
    }
    .into_iter()
    .filter_map(|file| {
        let (dockerfile, model) = file.dockerfile()?;
        Some((file.path.as_str(), dockerfile, model))
    })
    .collect();
    let strict = inspected.named.is_none();
    let mut rules = policy.image_rule_set();
    if let Some(size) = options.max_size {
        rules.set_policy_value(MAX_SIZE, size.into());
    }
    if let Some(size) = options.max_compressed_size {
        rules.set_policy_value(MAX_COMPRESSED_SIZE, size.into());
    }
    let budget = |key| {
        rules
            .policy_value(key)
            .and_then(|value| serde_json::from_value::<Size>(value.clone()).ok())
            .map(|size| size.0)
    };
    let (max_size, max_compressed_size) = (budget(MAX_SIZE), budget(MAX_COMPRESSED_SIZE));
    let analyze = AnalyzeOptions {
        platform: options.platform.clone().unwrap_or_default(),
        platform_explicit: options.platform.is_some(),
        // Growth is measured uncompressed: with a baseline, both images are read.
        read_layers: rules.needs_layers() || options.baseline.is_some(),
        walk: WalkLimits::default(),
        progress: if settings.progress {
            image::progress::Progress::for_terminal()
        } else {
            None
        },
        insecure_registries: image::registry::InsecureRegistries::new(
            options.insecure_registries.iter().cloned(),
        ),
    };
    let baseline = options.baseline.as_ref().and_then(|reference| {
        match image::analyze_reference(reference, &analyze) {
            Ok(facts) => Some(image::baseline::Baseline::new(facts)),
            Err(error) => {
                inspected.errors.push(InputError {
                    path: reference.clone(),
                    message: format!("baseline image: {error}"),
                });
                None
            }
        }
    });
    let results: Vec<Result<ImageRun, InputError>> = settings
        .images
        .par_iter()
        .map(|reference| {
            let facts =
                image::analyze_reference(reference, &analyze).map_err(|error| InputError {
                    path: reference.clone(),
                    message: error.to_string(),
                })?;
            let mut inspection = Inspection::new(facts);
            inspection.baseline = baseline.clone();
            if options.live {
                inspection.live = live_user(reference);
            }
            let facts = &inspection.facts;
            match image::provenance::find(&facts.history, facts.layers.len(), &candidates, strict) {
                Ok(provenance) => inspection.attribute_to(provenance),
                Err(Unplaced::NoDockerfile) => {}
                Err(reason) => inspection.unplaced = Some(reason),
            }
            let findings = rules::check_image_subjects(&inspection, &rules)
                .into_iter()
                .map(|(mut finding, subject)| {
                    if let Some(provenance) = &inspection.provenance {
                        provenance.place_finding(&mut finding, &subject);
                    }
                    finding
                })
                .collect();
            Ok(ImageRun {
                inspection,
                findings,
                max_size,
                max_compressed_size,
            })
        })
        .collect();
    if let Some(progress) = &analyze.progress {
        progress.finish();
    }
    for result in results {
        match result {
            Ok(image) => inspected.images.push(image),
            Err(error) => inspected.errors.push(error),
        }
    }
    inspected
}

/// The live check of one image: `docker-daemon:` images only; elsewhere, and when the
/// image cannot run, a note on stderr and the verdict from the config.
fn live_user(reference: &str) -> Option<image::daemon::LiveUser> {
    if !matches!(
        image::ImageReference::parse(reference),
        Ok(image::ImageReference::DockerDaemon { .. })
    ) {
        eprintln!(
            "dockgate: note: --live runs docker-daemon: images only; {reference} is checked from its config"
        );
        return None;
    }
    match image::daemon_source::live_user(reference, LIVE_TIMEOUT) {
        Ok(user) => Some(user),
        Err(error) => {
            eprintln!("dockgate: warning: {error}; the runtime user is judged from the config");
            None
        }
    }
}
