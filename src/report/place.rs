//! Where the formats for other tools put a finding: its file and span, or, for a
//! finding about a whole image, the `FROM` of the Dockerfile that made the image when
//! the run matched one (so code scanning, merge request widgets and CI reports can show
//! it next to code), else the image reference alone.

use crate::finding::{Finding, Span};
use crate::gate::Run;

/// A finding's place in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'a> {
    /// In a file (as the user named it) at a 1-based span.
    File { path: &'a str, span: Span },
    /// About an image no Dockerfile line is known for.
    Image { reference: &'a str },
}

/// Where `finding` (one of `run`'s) goes.
pub fn place<'a>(finding: &'a Finding, run: &'a Run) -> Place<'a> {
    if let Some(location) = &finding.location {
        return Place::File {
            path: &location.path,
            span: location.span,
        };
    }
    let reference = finding.path();
    let provenance = run
        .images
        .iter()
        .find(|image| image.inspection.facts.reference == reference)
        .and_then(|image| image.inspection.provenance.as_ref());
    match provenance {
        Some(provenance) => Place::File {
            path: &provenance.path,
            span: provenance.from_span(),
        },
        None => Place::Image { reference },
    }
}

/// The finding's message as these formats print it: a finding about an image names
/// the image, which a file and line alone do not say.
pub fn message(finding: &Finding) -> String {
    match &finding.image {
        Some(image) => format!("{} (image {image})", finding.message),
        None => finding.message.clone(),
    }
}
