//! DL3007: a base image tagged `latest`.

use crate::rules::Context;
use crate::rules::dockerfile::base_image::{BaseTag, base_tag};

crate::declare_rule! {
    /// ## What it does
    /// Reports `FROM image:latest` when the image is not also pinned by digest.
    /// Base images written with build arguments are expanded first
    /// (`ARG BASE=debian:latest` + `FROM $BASE` is reported).
    ///
    /// ## Why is this bad?
    /// `latest` is just the tag that was pushed last. It moves with every release, so
    /// the same Dockerfile builds a different image from one day to the next, and a
    /// new major version can break the build without any change in the repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22.11-bookworm
    /// ```
    ///
    /// ## References
    /// - [Docker best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    code: "DL3007",
    name: "latest-base-image",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for stage in &model.stages {
        if base_tag(&stage.base) == BaseTag::Latest {
            let from = &context.instructions()[stage.from];
            context.report(from, stage.base.word.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn latest() {
        assert_catches("DL3007", "FROM debian:latest");
        assert_catches("DL3007", "FROM scratch:latest");
        assert_catches("DL3007", "FROM localhost:5000/debian:latest");
        assert_catches("DL3007", "ARG IMAGE=debian:latest\nFROM ${IMAGE}");
        assert_catches("DL3007", "ARG REGISTRY\nFROM $REGISTRY/debian:latest");
    }

    #[test]
    fn not_latest() {
        assert_catches_not("DL3007", "FROM debian");
        assert_catches_not("DL3007", "FROM debian:12");
        assert_catches_not("DL3007", "FROM debian:latest@sha256:abc");
        assert_catches_not("DL3007", "FROM debian:latest-slim");
        assert_catches_not("DL3007", "ARG TAG\nFROM debian:$TAG");
    }
}
