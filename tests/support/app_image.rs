//! The image `svc/Dockerfile`-style tests match against a Dockerfile: built from
//! [`APP_DOCKERFILE`] as the classic builder records its steps, it runs as root
//! (DG2001 on the `USER` line), keeps a private key in a layer (DG2020 on the `COPY`)
//! and has no health check (DG2032, about the whole image).

use dockgate::image::testing::{Compression, Image, Layer, passwd};

/// The Dockerfile that built the image, as the classic builder records its steps.
pub const APP_DOCKERFILE: &str = "\
FROM alpine:3.20
RUN adduser -D -u 10001 app
COPY id_ed25519 /root/.ssh/id_ed25519
RUN rm /root/.ssh/id_ed25519
USER root
";

pub fn app_image() -> Image {
    let key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    Image::new()
        .user("root")
        .layer(
            Layer::new()
                .dir("etc")
                .file("etc/passwd", &passwd(&[("root", 0)])),
            Compression::Gzip,
            "/bin/sh -c #(nop) ADD file:0a1b in / ",
        )
        .empty_step("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]")
        .layer(
            Layer::new().file("etc/passwd", &passwd(&[("root", 0), ("app", 10001)])),
            Compression::Gzip,
            "/bin/sh -c adduser -D -u 10001 app",
        )
        .layer(
            Layer::new()
                .dir("root/.ssh")
                .file("root/.ssh/id_ed25519", key),
            Compression::Gzip,
            "/bin/sh -c #(nop) COPY file:5e1f in /root/.ssh/id_ed25519 ",
        )
        .layer(
            Layer::new().whiteout("root/.ssh/id_ed25519"),
            Compression::Gzip,
            "/bin/sh -c rm /root/.ssh/id_ed25519",
        )
        .empty_step("/bin/sh -c #(nop)  USER root")
}
