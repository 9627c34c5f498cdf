//! Growth against a baseline image (`--baseline`): the image built from the base branch,
//! say. Sizes are compared in total, and layer by layer to say where the growth is.
//!
//! Layers are matched in two steps. The common prefix of identical diff IDs is shared
//! (the base image's layers, untouched steps): those did not change. After it, a layer
//! is matched with the baseline layer made by the same step (`created_by`), and what
//! is left is matched by position; a layer left over on either side is new or gone.

use super::facts::{ImageFacts, LayerFacts, display_step};
use super::limits::format_size;

/// What is kept of the baseline image's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The reference as the user wrote it.
    pub reference: String,
    pub digest: String,
    pub compressed_size: u64,
    /// `None` when the layers were not read.
    pub uncompressed_size: Option<u64>,
    pub layers: Vec<LayerFacts>,
}

impl Baseline {
    pub fn new(facts: ImageFacts) -> Baseline {
        Baseline {
            reference: facts.reference,
            digest: facts.digest,
            compressed_size: facts.compressed_size,
            uncompressed_size: facts.uncompressed_size,
            layers: facts.layers,
        }
    }
}

/// Growth in bytes; negative when the image shrank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Growth {
    pub compressed: i64,
    /// `None` unless both images' layers were read.
    pub uncompressed: Option<i64>,
}

/// How one layer changed against the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerChange {
    /// The layer's index in the image; `None` for a baseline layer that is gone.
    pub current: Option<usize>,
    /// The matched layer's index in the baseline; `None` for a new layer.
    pub baseline: Option<usize>,
    /// Size change in bytes: uncompressed when both images were read, else compressed.
    pub delta: i64,
}

fn signed(a: u64, b: u64) -> i64 {
    (i128::from(a) - i128::from(b)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The image's growth over its baseline.
pub fn growth(facts: &ImageFacts, baseline: &Baseline) -> Growth {
    Growth {
        compressed: signed(facts.compressed_size, baseline.compressed_size),
        uncompressed: facts
            .uncompressed_size
            .zip(baseline.uncompressed_size)
            .map(|(now, then)| signed(now, then)),
    }
}

/// How many bottom layers the two images share: the common prefix of identical diff
/// IDs (blob digests when a config lists none).
pub fn shared_layers(current: &[LayerFacts], baseline: &[LayerFacts]) -> usize {
    current
        .iter()
        .zip(baseline)
        .take_while(|(a, b)| match (&a.diff_id, &b.diff_id) {
            (Some(a), Some(b)) => a == b,
            _ => a.digest == b.digest,
        })
        .count()
}

/// Every layer above the shared prefix, matched with its baseline layer: the image's
/// layers in order, then the baseline layers that are gone.
pub fn layer_changes(facts: &ImageFacts, baseline: &Baseline) -> Vec<LayerChange> {
    let current = &facts.layers;
    let old = &baseline.layers;
    let uncompressed = facts.uncompressed_size.is_some() && baseline.uncompressed_size.is_some();
    let size = |layer: &LayerFacts| match layer.uncompressed {
        Some(bytes) if uncompressed => bytes,
        _ => layer.compressed,
    };
    let shared = shared_layers(current, old);
    let mut matched: Vec<Option<usize>> = vec![None; current.len()];
    let mut taken = vec![false; old.len()];
    for (i, layer) in current.iter().enumerate().skip(shared) {
        let Some(step) = &layer.created_by else {
            continue;
        };
        if let Some(j) =
            (shared..old.len()).find(|&j| !taken[j] && old[j].created_by.as_ref() == Some(step))
        {
            taken[j] = true;
            matched[i] = Some(j);
        }
    }
    let mut rest = (shared..old.len())
        .filter(|&j| !taken[j])
        .collect::<Vec<_>>();
    rest.reverse();
    for slot in matched.iter_mut().skip(shared) {
        if slot.is_none()
            && let Some(j) = rest.pop()
        {
            taken[j] = true;
            *slot = Some(j);
        }
    }
    let mut changes: Vec<LayerChange> = (shared..current.len())
        .map(|i| LayerChange {
            current: Some(i),
            baseline: matched[i],
            delta: signed(size(&current[i]), matched[i].map_or(0, |j| size(&old[j]))),
        })
        .collect();
    changes.extend(
        (shared..old.len())
            .filter(|&j| !taken[j])
            .map(|j| LayerChange {
                current: None,
                baseline: Some(j),
                delta: signed(0, size(&old[j])),
            }),
    );
    changes
}

/// `+1.2 MB`, `-512 B`, `+0 B`.
pub fn format_growth(bytes: i64) -> String {
    let sign = if bytes < 0 { '-' } else { '+' };
    format!("{sign}{}", format_size(bytes.unsigned_abs()))
}

/// The `count` layers that grew most, for a message: `layer 3 +1.2 MB (new)
/// `RUN make``; empty when none grew.
pub fn grew_most(facts: &ImageFacts, baseline: &Baseline, count: usize) -> Vec<String> {
    let mut grown: Vec<LayerChange> = layer_changes(facts, baseline)
        .into_iter()
        .filter(|change| change.delta > 0 && change.current.is_some())
        .collect();
    grown.sort_by(|a, b| b.delta.cmp(&a.delta).then(a.current.cmp(&b.current)));
    grown
        .iter()
        .take(count)
        .filter_map(|change| {
            let index = change.current?;
            let step = facts.layers[index]
                .created_by
                .as_deref()
                .map(display_step)
                .unwrap_or_else(|| "unknown step".to_string());
            let short: String = step.chars().take(80).collect();
            let ellipsis = if short.len() < step.len() { "..." } else { "" };
            let was = match change.baseline {
                None => "new".to_string(),
                Some(j) if baseline.layers[j].created_by == facts.layers[index].created_by => {
                    format!("was layer {}", j + 1)
                }
                Some(j) => format!("replaces layer {}", j + 1),
            };
            Some(format!(
                "layer {} {} ({was}) `{short}{ellipsis}`",
                index + 1,
                format_growth(change.delta)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(id: &str, step: &str, bytes: u64) -> LayerFacts {
        LayerFacts {
            digest: format!("sha256:blob-{id}"),
            compressed: bytes / 2,
            uncompressed: Some(bytes),
            created_by: Some(step.to_string()),
            diff_id: Some(format!("sha256:{id}")),
        }
    }

    fn baseline(layers: Vec<LayerFacts>) -> Baseline {
        Baseline {
            reference: "oci:old".into(),
            digest: "sha256:old".into(),
            compressed_size: layers.iter().map(|l| l.compressed).sum(),
            uncompressed_size: Some(layers.iter().map(|l| l.uncompressed.unwrap()).sum()),
            layers,
        }
    }

    fn facts(layers: Vec<LayerFacts>) -> ImageFacts {
        let old = baseline(layers);
        ImageFacts {
            reference: "oci:new".into(),
            digest: "sha256:new".into(),
            user: crate::image::user::resolve("", None),
            compressed_size: old.compressed_size,
            uncompressed_size: old.uncompressed_size,
            layers: old.layers,
            base: None,
            env: Vec::new(),
            exposed_ports: Vec::new(),
            healthcheck: crate::image::facts::HealthcheckFact::Missing,
            files: None,
            baseline: None,
            live: None,
            history: Vec::new(),
            provenance: None,
            unplaced: None,
        }
    }

    #[test]
    fn shared_base_then_steps_then_position() {
        let old = baseline(vec![
            layer("base", "ADD rootfs", 1000),
            layer("deps1", "RUN apt-get install a", 200),
            layer("app1", "COPY app /app", 50),
            layer("gone", "RUN rm -rf /x", 10),
        ]);
        let new = facts(vec![
            layer("base", "ADD rootfs", 1000),
            layer("extra", "RUN curl tool", 300),
            layer("deps2", "RUN apt-get install a b", 400),
            layer("app2", "COPY app /app", 80),
        ]);
        assert_eq!(shared_layers(&new.layers, &old.layers), 1);
        let changes = layer_changes(&new, &old);
        let pairs: Vec<_> = changes
            .iter()
            .map(|c| (c.current, c.baseline, c.delta))
            .collect();
        assert_eq!(
            pairs,
            vec![
                // No step of the same name: the first baseline layer left, by position.
                (Some(1), Some(1), 100),
                (Some(2), Some(3), 390),
                (Some(3), Some(2), 30),
            ]
        );
        let most = grew_most(&new, &old, 2);
        assert_eq!(
            most,
            vec![
                "layer 3 +390 B (replaces layer 4) `RUN apt-get install a b`",
                "layer 2 +100 B (replaces layer 2) `RUN curl tool`",
            ]
        );
    }

    #[test]
    fn new_and_gone_layers() {
        let old = baseline(vec![
            layer("base", "ADD rootfs", 1000),
            layer("a", "RUN a", 10),
            layer("b", "RUN b", 20),
        ]);
        let new = facts(vec![
            layer("base", "ADD rootfs", 1000),
            layer("a2", "RUN a", 15),
        ]);
        let changes = layer_changes(&new, &old);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].delta, 5);
        assert_eq!((changes[1].current, changes[1].baseline), (None, Some(2)));
        assert_eq!(changes[1].delta, -20);
        assert_eq!(growth(&new, &old).uncompressed, Some(-15));
        let grown = facts(vec![
            layer("base", "ADD rootfs", 1000),
            layer("a", "RUN a", 10),
            layer("b", "RUN b", 20),
            layer("c", "RUN c", 7),
        ]);
        assert_eq!(
            grew_most(&grown, &old, 3),
            vec!["layer 4 +7 B (new) `RUN c`"]
        );
    }

    #[test]
    fn growth_formats_with_a_sign() {
        assert_eq!(format_growth(0), "+0 B");
        assert_eq!(format_growth(-512), "-512 B");
        assert_eq!(format_growth(1536), "+1.5 kB");
    }
}
