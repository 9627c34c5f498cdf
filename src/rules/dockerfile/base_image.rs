//! What DL3006 and DL3007 ask of a base image: how its tag pins it.

use crate::dockerfile::model::BaseImage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BaseTag {
    /// Not an image (`scratch`, an earlier stage), or its tag cannot be known.
    NotApplicable,
    /// No tag and no digest: Docker pulls `latest`.
    Untagged,
    /// `:latest` without a digest.
    Latest,
    /// Some other tag, or a digest.
    Pinned,
}

pub(super) fn base_tag(base: &BaseImage) -> BaseTag {
    if base.is_scratch || base.stage.is_some() {
        return BaseTag::NotApplicable;
    }
    if let Some(reference) = &base.reference {
        return match (&reference.tag, &reference.digest) {
            (_, Some(_)) => BaseTag::Pinned,
            (None, None) => BaseTag::Untagged,
            (Some(tag), None) if tag == "latest" => BaseTag::Latest,
            (Some(_), None) => BaseTag::Pinned,
        };
    }
    if base.expanded.is_some() {
        // Known but not a reference (an empty name): nothing to say.
        return BaseTag::NotApplicable;
    }
    // The name depends on a build argument. The tag lives in the last path component,
    // so when that component is written out, `$REGISTRY/debian` is still untagged.
    let raw = base.word.value.trim_matches(['"', '\'']);
    let last = &raw[raw.rfind('/').map_or(0, |slash| slash + 1)..];
    if last.contains(['$', '@']) || raw.contains('@') {
        return BaseTag::NotApplicable;
    }
    match last.split_once(':') {
        None => BaseTag::Untagged,
        Some((_, "latest")) => BaseTag::Latest,
        Some(_) => BaseTag::Pinned,
    }
}
