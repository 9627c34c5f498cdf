//! DG2032: the image has no HEALTHCHECK.

use crate::image::facts::HealthcheckFact;
use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Checks that a Docker-format image config has a `Healthcheck`. OCI-format
    /// configs (buildah, podman) cannot carry one, so for them the check does not
    /// apply and reports nothing.
    ///
    /// ## Why is this bad?
    /// Without a health check, Docker and Compose report a hung service as running;
    /// `depends_on: condition: service_healthy` cannot wait for it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1
    /// ```
    code: "DG2032",
    name: "image-healthcheck-missing",
    severity: Info,
    category: BestPractice,
    message: "The image has no HEALTHCHECK",
    enabled_by_default: true,
    needs_layers: false,
    image_check: check,
}

fn check(context: &mut ImageContext) {
    match context.facts().healthcheck {
        HealthcheckFact::Missing => {
            context.report("The image has no HEALTHCHECK");
        }
        HealthcheckFact::Disabled => {
            context.report("The image disables its HEALTHCHECK (HEALTHCHECK NONE)");
        }
        HealthcheckFact::Present | HealthcheckFact::NotApplicable => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::Image;
    use crate::rules::testing::*;

    #[test]
    fn missing() {
        assert_image_catches("DG2032", Image::new());
        assert_image_message("DG2032", Image::new().healthcheck(&["NONE"]), "HEALTHCHECK NONE");
    }

    #[test]
    fn present_or_not_applicable() {
        assert_image_catches_not("DG2032", Image::new().healthcheck(&["CMD", "true"]));
        assert_image_catches_not("DG2032", Image::new().oci_config());
    }
}
