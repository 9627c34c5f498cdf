//! Choosing the manifest for a platform from an index.

use super::{Descriptor, Platform, RegistryError, Result};

/// The index entry for `wanted`, never an attestation manifest.
pub fn select_platform<'a>(entries: &'a [Descriptor], wanted: &Platform) -> Result<&'a Descriptor> {
    let candidates = entries.iter().filter(|d| !d.is_attestation());
    let matching: Vec<&Descriptor> = candidates
        .clone()
        .filter(|d| d.platform.as_ref().is_some_and(|p| p.satisfies(wanted)))
        .collect();
    // linux/arm64 without a variant takes v8 before any other variant, as Docker does.
    let chosen = matching
        .iter()
        .find(|d| {
            d.platform.as_ref().is_some_and(|p| {
                wanted.variant.is_some()
                    || p.variant.is_none()
                    || p.variant.as_deref() == Some("v8")
            })
        })
        .or(matching.first());
    chosen
        .copied()
        .ok_or_else(|| RegistryError::NoMatchingPlatform {
            wanted: wanted.to_string(),
            available: {
                let list: Vec<String> = candidates
                    .map(|d| {
                        d.platform
                            .as_ref()
                            .map_or_else(|| "(no platform)".to_owned(), Platform::to_string)
                    })
                    .collect();
                if list.is_empty() {
                    "nothing".to_owned()
                } else {
                    list.join(", ")
                }
            },
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::image::registry::OCI_MANIFEST;

    fn entry(platform: &str, attestation: bool) -> Descriptor {
        let mut annotations = BTreeMap::new();
        if attestation {
            annotations.insert(
                "vnd.docker.reference.type".to_owned(),
                "attestation-manifest".to_owned(),
            );
        }
        Descriptor {
            media_type: OCI_MANIFEST.into(),
            digest: format!("sha256:{:064}", platform.len()),
            size: 1,
            platform: Some(Platform::parse(platform).unwrap()),
            annotations,
        }
    }

    #[test]
    fn platform_selection_skips_attestations() {
        let entries = vec![
            entry("unknown/unknown", true),
            entry("linux/arm64/v8", false),
            entry("linux/amd64", false),
        ];
        let chosen = select_platform(&entries, &Platform::linux_amd64()).unwrap();
        assert_eq!(chosen.platform.as_ref().unwrap().architecture, "amd64");
        let chosen = select_platform(&entries, &Platform::parse("linux/arm64").unwrap()).unwrap();
        assert_eq!(
            chosen.platform.as_ref().unwrap().variant.as_deref(),
            Some("v8")
        );
        let err = select_platform(&entries, &Platform::parse("linux/s390x").unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("linux/arm64/v8, linux/amd64"), "{err}");
        // An attestation claiming a real platform is still not an image.
        let only_attestation = vec![entry("linux/amd64", true)];
        assert!(select_platform(&only_attestation, &Platform::linux_amd64()).is_err());
    }
}
