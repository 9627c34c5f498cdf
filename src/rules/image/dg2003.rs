//! DG2003: the runtime user is a name, not a numeric UID.

use crate::image::provenance::Subject;
use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Checks that the config's `User` is numeric (`10001` or `10001:10001`). Off by
    /// default; enable it where Kubernetes' `runAsNonRoot` is enforced.
    ///
    /// ## Why is this bad?
    /// Kubernetes cannot tell whether a *name* is root without starting the container,
    /// so with `runAsNonRoot: true` it refuses to run the pod ("image has non-numeric
    /// user, cannot verify user is non-root").
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// USER 10001:10001
    /// ```
    code: "DG2003",
    name: "image-user-not-numeric",
    severity: Warning,
    category: Security,
    message: "The runtime user is a name, not a numeric UID",
    enabled_by_default: false,
    needs_layers: false,
    switched_by: "image.numeric_user",
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let configured = context.facts().user.configured.trim().to_string();
    let user = configured.split(':').next().unwrap_or("");
    if !user.is_empty() && user.parse::<u32>().is_err() {
        let suggestion = match context.facts().user.uid {
            Some(uid) if uid != 0 => format!("; use `USER {uid}`"),
            _ => String::new(),
        };
        context.report_about(Subject::User, format!(
            "The runtime user `{configured}` is a name: Kubernetes runAsNonRoot cannot verify it{suggestion}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn image(user: &str) -> Image {
        Image::new().user(user).layer(Layer::new().file("etc/passwd", b"app:x:10001:10001::/:/bin/sh\n"), GZ, "base")
    }

    #[test]
    fn names() {
        assert_image_message("DG2003", image("app"), "use `USER 10001`");
    }

    #[test]
    fn numbers() {
        assert_image_catches_not("DG2003", image("10001"));
        assert_image_catches_not("DG2003", image("10001:10001"));
        assert_image_catches_not("DG2003", image(""));
    }
}
