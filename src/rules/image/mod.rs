//! Rules that check a built image, on its [`crate::image::ImageFacts`]. One file per
//! rule, named by its code; the budgets and allowlists come from
//! the rules' options, which the policy's `image` section sets (each option declares its
//! `image.KEY`).

use crate::image::Inspection;
use crate::image::limits::format_size;
use crate::rules::{OptionKind, Rule, RuleOption};

/// `image.allowed_ports`, declared once for the two rules that read it: DG2033 (the
/// built image's config) and DG1030 (the Dockerfile's EXPOSE).
pub(crate) const ALLOWED_PORTS: RuleOption = RuleOption::new(
    "allowed_ports",
    OptionKind::Strings,
    "Ports the image may expose (`8080`, `8080/tcp`, `53/udp`); unset: any.",
)
.from_policy("image.allowed_ports");

/// `8080` -> `8080/tcp`, `53/UDP` -> `53/udp`.
pub(crate) fn normalize(port: &str) -> String {
    let port = port.trim().to_ascii_lowercase();
    if port.contains('/') {
        port
    } else {
        format!("{port}/tcp")
    }
}

/// Declares each rule module and lists its `RULE` in [`RULES`].
macro_rules! register_rules {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every image rule, in code order.
        pub static RULES: &[&Rule] = &[$(&$module::RULE),*];
    };
}

register_rules! {
    dg2001,
    dg2002,
    dg2003,
    dg2004,
    dg2010,
    dg2011,
    dg2012,
    dg2013,
    dg2014,
    dg2015,
    dg2020,
    dg2021,
    dg2022,
    dg2023,
    dg2030,
    dg2031,
    dg2032,
    dg2033,
}

/// A policy's path globs over image paths, as policy globs match (`*` within a
/// directory, `**` across), whether or not a pattern or a path starts with `/`.
pub(crate) struct PathGlobs(globset::GlobSet);

impl PathGlobs {
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> PathGlobs {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = format!("/{}", pattern.trim_start_matches('/'));
            if let Ok(glob) = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
            {
                builder.add(glob);
            }
        }
        PathGlobs(builder.build().unwrap_or_default())
    }

    pub(crate) fn matches(&self, path: &str) -> bool {
        self.0
            .is_match(format!("/{}", path.trim_start_matches('/')))
    }
}

/// `1 file`, `3 files`.
pub(crate) fn files(count: usize) -> String {
    if count == 1 {
        "1 file".to_string()
    } else {
        format!("{count} files")
    }
}

/// A size with its exact byte count: `200.0 MB (200000000 bytes)`.
pub(crate) fn size(bytes: u64) -> String {
    format!("{} ({bytes} bytes)", format_size(bytes))
}

/// What a layer was made by, shortened for a one-line message: the Dockerfile
/// instruction and its line when the Dockerfile is known, else the history's step.
pub(crate) fn created_by(inspection: &Inspection, index: usize) -> String {
    let facts = &inspection.facts;
    let placed = inspection
        .provenance
        .as_ref()
        .and_then(|provenance| Some((provenance, provenance.layer_step(index)?)));
    let (text, line) = match placed {
        Some((provenance, (text, line))) => (text, format!(" ({}:{line})", provenance.path)),
        None => {
            let text = facts
                .layers
                .get(index)
                .and_then(|layer| layer.created_by.as_deref())
                .unwrap_or("unknown step");
            (crate::image::facts::display_step(text), String::new())
        }
    };
    let short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        format!("`{short}...`{line}")
    } else {
        format!("`{short}`{line}")
    }
}

/// The `count` biggest layers by uncompressed size (compressed when `compressed`), for
/// budget findings: `layer 3: 120.0 MB by `RUN apt-get install ...``.
pub(crate) fn biggest_layers(inspection: &Inspection, count: usize, compressed: bool) -> String {
    let facts = &inspection.facts;
    let mut layers: Vec<(usize, u64)> = facts
        .layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let bytes = if compressed {
                layer.compressed
            } else {
                layer.uncompressed.unwrap_or(layer.compressed)
            };
            (i, bytes)
        })
        .collect();
    layers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    layers
        .iter()
        .take(count)
        .map(|&(i, bytes)| {
            let from_base = facts
                .base
                .as_ref()
                .and_then(|base| base.layers)
                .is_some_and(|layers| i < layers);
            format!(
                "layer {} ({}) {}{}",
                i + 1,
                format_size(bytes),
                created_by(inspection, i),
                if from_base {
                    " from the base image"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
