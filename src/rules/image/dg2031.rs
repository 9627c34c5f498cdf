//! DG2031: the image contains a shell.

use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Reports shells in the final file system (`/bin/sh`, `/bin/bash`, busybox, ...,
    /// following symlinks inside the image). Off by default: enable it for policies
    /// that require distroless images.
    ///
    /// ## Why is this bad?
    /// A shell is the first tool of anyone who gets code execution in the container;
    /// distroless images ship none, so an exploit has nothing to run.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY server /server
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM gcr.io/distroless/static-debian12
    /// COPY server /server
    /// ```
    code: "DG2031",
    name: "image-shell-present",
    severity: Info,
    category: Security,
    message: "The image contains a shell",
    enabled_by_default: false,
    needs_layers: true,
    switched_by: "image.distroless",
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let Some(files) = &context.facts().files else {
        return;
    };
    if !files.shells.is_empty() {
        let shells = files.shells.join(", ");
        context.report(format!("The image contains a shell: {shells}"));
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    #[test]
    fn shells() {
        let image = Image::new().layer(Layer::new().file_with("usr/bin/busybox", b"x", 0o755, 0, 0).symlink("bin", "usr/bin").symlink("usr/bin/sh", "busybox"), GZ, "base");
        assert_image_message("DG2031", image, "/bin/sh, /bin/busybox");
    }

    #[test]
    fn distroless() {
        assert_image_catches_not("DG2031", Image::new().layer(Layer::new().file("server", b"x").symlink("bin/sh", "/nowhere"), GZ, "COPY server"));
    }
}
