//! DG1003: the shipped image never sets a USER, so it runs as its base image's user.

use super::practices::shipped_and_base;
use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Reports the `FROM` of the stage `docker build` builds (the last one) when
    /// neither it nor a stage it is built `FROM` has any `USER`: the container then
    /// runs as the base image's user, which is root for `scratch` and for almost every
    /// official image. Builder stages never matter: they do not ship.
    ///
    /// An explicit root user (`USER root`, `USER 0`, `USER 0:0`, `USER root:staff`,
    /// `USER ${U}` with `ARG U=root`) is DL3002's, which dockgate evaluates on the
    /// same stages with ARG/ENV expanded; this rule covers what DL3002 cannot see, the
    /// `USER` that is missing. Base images that are known to run as non-root are not
    /// reported: a tag naming it (`gcr.io/distroless/static-debian12:nonroot`,
    /// `...:latest-nonroot`) and the images of the `non_root_images` option; nor are
    /// Windows images (`mcr.microsoft.com/windows/servercore`, `...-nanoserver-...`),
    /// which have no root user. DG2001 checks the built image's user, resolved
    /// through its `/etc/passwd`.
    ///
    /// ## Why is this bad?
    /// A process that runs as root in the container is root on the host once it
    /// escapes, and can rewrite the whole filesystem of the image; Kubernetes'
    /// `runAsNonRoot` refuses to start it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --uid 10001 --no-create-home app
    /// COPY app.py /app/
    /// USER 10001
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// ## Options
    /// - `non_root_images`: globs of base images (name without tag, as DG1001 matches
    ///   them: `cgr.dev/chainguard/**`) that already run as a non-root user.
    code: "DG1003",
    name: "final-stage-without-user",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "The image never sets a USER, so it runs as its base image's user (root for most images): add `USER <non-root uid>`",
    options: [RuleOption::new("non_root_images", OptionKind::Globs, "Globs of base images (`cgr.dev/chainguard/**`) whose default user is not root.")],
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    let Some((last, root)) = shipped_and_base(model) else {
        return;
    };
    if last.user.is_some() {
        return;
    }
    let base = &root.base;
    if let Some(reference) = &base.reference {
        let non_root_tag = reference
            .tag
            .as_deref()
            .is_some_and(|tag| tag.contains("nonroot"));
        let name = format!("{}/{}", reference.registry, reference.repository);
        let listed = context
            .option_globs("non_root_images", true)
            .iter()
            .any(|glob| glob.is_match(&name));
        // Windows images have no root: their users are ContainerAdministrator and
        // ContainerUser, which DL3002's question does not fit.
        let windows = crate::dockerfile::shell::is_windows_image(reference);
        if non_root_tag || listed || windows {
            return;
        }
    } else if !base.is_scratch {
        // A base only the build knows (`FROM $BASE`) may be anything.
        return;
    }
    let from = &context.instructions()[last.from];
    let finding = context.report(from, from.range);
    if base.is_scratch {
        finding.message = "The image is built `FROM scratch` and never sets a USER, so it runs as root: add `USER <non-root uid>`".to_string();
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn no_user_in_the_shipped_stages() {
        assert_catches("DG1003", "FROM python:3.12-slim\nCMD [\"python\"]");
        assert_catches("DG1003", "FROM scratch\nCOPY app /app");
        assert_catches("DG1003", "FROM golang:1.22 AS build\nUSER app\nFROM debian:12-slim\nCOPY --from=build /x /x");
        assert_catches("DG1003", "FROM debian:12 AS base\nFROM base");
        assert_lines("DG1003", "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /x /x", &[3]);
    }

    #[test]
    fn user_set_or_non_root_base() {
        assert_catches_not("DG1003", "FROM debian:12\nUSER 10001");
        assert_catches_not("DG1003", "FROM debian:12\nUSER root");
        assert_catches_not("DG1003", "FROM debian:12 AS base\nUSER app\nFROM base");
        assert_catches_not("DG1003", "FROM golang:1.22 AS build\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /x /x");
        assert_catches_not("DG1003", "ARG BASE\nFROM $BASE");
        assert_catches_not("DG1003", "FROM mcr.microsoft.com/windows/servercore:ltsc2022");
        assert_catches_not("DG1003", "FROM mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022");
        let mut options = serde_json::Map::new();
        options.insert("non_root_images".into(), serde_json::json!(["cgr.dev/chainguard/**"]));
        assert_catches_not_with("DG1003", &options, "FROM cgr.dev/chainguard/python:latest");
        assert_catches_with("DG1003", &options, "FROM python:3.12");
    }
}
