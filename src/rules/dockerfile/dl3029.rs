//! DL3029: FROM with --platform.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=...` unless the platform is the build machine's
    /// (`$BUILDPLATFORM`, or built only from `$BUILDOS`, `$BUILDARCH` and
    /// `$BUILDVARIANT`), the usual way to run a cross-compiler natively. `$TARGETPLATFORM`
    /// is DL3065's.
    ///
    /// ## Why is this bad?
    /// A fixed platform makes the image build for that platform whatever
    /// `docker build --platform` asks for: a multi-platform build silently ships the
    /// wrong architecture, or runs everything under emulation.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 debian:12
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ```
    /// or, for a build tool that should run natively:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// ```
    ///
    /// ## References
    /// - [Multi-platform builds: cross-compilation](https://docs.docker.com/build/building/multi-platform/#cross-compilation)
    code: "DL3029",
    name: "from-platform",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Do not use --platform flag with FROM",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for stage in &model.stages {
        let Some(platform) = &stage.platform else { continue };
        let names = referenced(&platform.raw);
        let build_only = !names.is_empty()
            && names
                .iter()
                .all(|n| matches!(n.as_str(), "BUILDPLATFORM" | "BUILDOS" | "BUILDARCH" | "BUILDVARIANT"));
        if build_only || names.iter().any(|n| n == "BUILDPLATFORM") || names == ["TARGETPLATFORM"] {
            continue;
        }
        let from = &context.instructions()[stage.from];
        context.report(from, platform.range);
    }
}

/// The variable names a value refers to (`$X`, `${X}`, `${X:-...}`).
pub(super) fn referenced(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let braced = rest.starts_with('{');
        let body = if braced { &rest[1..] } else { rest };
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if end > 0 {
            names.push(body[..end].to_string());
        }
        rest = body;
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn fixed_platforms() {
        assert_catches("DL3029", "FROM --platform=linux/amd64 debian:12");
        assert_catches("DL3029", "ARG P=linux/amd64\nFROM --platform=$P debian:12");
        assert_catches("DL3029", "FROM --platform=$TARGETOS/$TARGETARCH debian:12");
        assert_catches("DL3029", "FROM --platform=linux/${GOARCH} alpine:3");
    }

    #[test]
    fn build_platform_or_none() {
        assert_catches_not("DL3029", "FROM debian:12");
        assert_catches_not("DL3029", "FROM --platform=$BUILDPLATFORM debian:12");
        assert_catches_not("DL3029", "FROM --platform=${BUILDPLATFORM:-linux/amd64} debian:12");
        assert_catches_not("DL3029", "FROM --platform=$BUILDOS/$BUILDARCH debian:12");
        assert_catches_not("DL3029", "FROM --platform=$TARGETPLATFORM debian:12");
    }
}
