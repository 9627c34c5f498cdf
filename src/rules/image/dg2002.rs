//! DG2002: the runtime user does not exist in the image.

use crate::image::provenance::Subject;
use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Checks that the config's `User` can be resolved the way the container runtime
    /// resolves it: a user or group *name* must exist in the image's own `/etc/passwd`
    /// or `/etc/group`. A numeric UID needs no entry (distroless images have none).
    ///
    /// ## Why is this bad?
    /// The runtime cannot start the container: `unable to find user app: no matching
    /// entries in passwd file`. The build succeeds and the failure only shows at
    /// deploy time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM gcr.io/distroless/static
    /// USER app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM gcr.io/distroless/static
    /// USER 65532:65532
    /// ```
    code: "DG2002",
    name: "image-user-unresolvable",
    severity: Error,
    category: Correctness,
    message: "The runtime user does not exist in the image",
    enabled_by_default: true,
    needs_layers: false,
    image_check: check,
}

fn check(context: &mut ImageContext) {
    if let Some(problem) = &context.facts().user.problem {
        let message = format!("The runtime user cannot be resolved: {problem}");
        context.report_about(Subject::User, message);
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn passwd() -> Layer {
        Layer::new().file("etc/passwd", b"root:x:0:0::/:/bin/sh\napp:x:10001:10001::/:/bin/sh\n").file("etc/group", b"root:x:0:\n")
    }

    #[test]
    fn missing_user_or_group() {
        assert_image_message("DG2002", Image::new().user("ghost").layer(passwd(), GZ, "base"), "will fail to start");
        assert_image_catches("DG2002", Image::new().user("app:staff").layer(passwd(), GZ, "base"));
        assert_image_message("DG2002", Image::new().user("nonroot").layer(Layer::new().file("app", b"x"), GZ, "app"), "no /etc/passwd");
    }

    #[test]
    fn resolvable() {
        assert_image_catches_not("DG2002", Image::new().user("app").layer(passwd(), GZ, "base"));
        assert_image_catches_not("DG2002", Image::new().user("65532").layer(Layer::new().file("app", b"x"), GZ, "app"));
        assert_image_catches_not("DG2002", Image::new().layer(Layer::new().file("app", b"x"), GZ, "app"));
    }
}
