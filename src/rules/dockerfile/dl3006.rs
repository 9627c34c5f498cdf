//! DL3006: a base image without a tag.

use crate::rules::Context;
use crate::rules::dockerfile::base_image::{BaseTag, base_tag};

crate::declare_rule! {
    /// ## What it does
    /// Checks that every `FROM` names its base image with a tag or a digest.
    ///
    /// `scratch` and references to earlier stages are not images and need no tag.
    /// Base images written with build arguments are expanded first, so
    /// `ARG BASE=debian` + `FROM $BASE` is reported (hadolint skips every base that
    /// starts with `$`); a base that depends on a value only the build knows is
    /// reported only when its last path component is plainly untagged
    /// (`FROM $REGISTRY/debian`).
    ///
    /// ## Why is this bad?
    /// An untagged image means `:latest`, which moves whenever the image is
    /// published again: the same Dockerfile builds a different image tomorrow, and a
    /// new major version can break the build or the application without any change
    /// in the repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12.6
    /// ```
    ///
    /// or pin the exact image by digest:
    /// ```dockerfile
    /// FROM debian:12.6@sha256:45f2e735295654f13e3be10da2a6892c708f71a71be845818f6058982761a6d3
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    code: "DL3006",
    name: "untagged-base-image",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Always tag the version of an image explicitly",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for stage in &model.stages {
        if base_tag(&stage.base) == BaseTag::Untagged {
            let from = &context.instructions()[stage.from];
            context.report(from, stage.base.word.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn untagged() {
        assert_catches("DL3006", "FROM debian");
        assert_catches("DL3006", "FROM --platform=$BUILDPLATFORM debian");
        assert_catches("DL3006", "FROM localhost:5000/debian");
        assert_catches("DL3006", "FROM a\nFROM debian:1 AS a");
        assert_lines("DL3006", "FROM debian:12 AS a\nFROM debian AS b\n", &[2]);
    }

    #[test]
    fn tagged_pinned_or_not_an_image() {
        assert_catches_not("DL3006", "FROM debian:12");
        assert_catches_not("DL3006", "FROM debian@sha256:abc");
        assert_catches_not("DL3006", "FROM debian:latest");
        assert_catches_not("DL3006", "FROM localhost:5000/debian:12");
        assert_catches_not("DL3006", "FROM scratch");
        assert_catches_not("DL3006", "FROM Scratch");
        assert_catches_not("DL3006", "FROM debian:12 AS build\nFROM build");
        // Stage names (and `scratch`) are case-insensitive, as the model reads them.
        assert_catches_not("DL3006", "FROM debian:12 AS Build\nFROM build");
    }

    #[test]
    fn build_arguments() {
        assert_catches("DL3006", "ARG IMAGE=debian\nFROM $IMAGE");
        assert_catches("DL3006", "ARG REGISTRY\nFROM ${REGISTRY}/debian");
        assert_catches_not("DL3006", "ARG IMAGE=debian:12\nFROM ${IMAGE}");
        assert_catches_not("DL3006", "ARG TAG=12\nFROM debian:${TAG}");
        assert_catches_not("DL3006", "FROM debian:$TAG");
        assert_catches_not("DL3006", "ARG IMAGE\nFROM $IMAGE");
        assert_catches_not(
            "DL3006",
            "ARG BASE=build\nFROM debian:12 AS build\nFROM $BASE",
        );
    }
}
