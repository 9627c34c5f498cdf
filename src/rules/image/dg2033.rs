//! DG2033: the image exposes a port outside the allowlist.

use crate::image::provenance::Subject;
use super::{ALLOWED_PORTS, normalize};
use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Checks the config's exposed ports against the policy's `image.allowed_ports`
    /// (`8080`, `8080/tcp`, `53/udp`; a port without protocol is TCP). Without an
    /// allowlist every port is allowed.
    ///
    /// ## Why is this bad?
    /// Exposed ports document what the service listens on and are published by `-P`;
    /// an unexpected one (a debugger, SSH, a metrics port meant to stay internal)
    /// usually means a forgotten development setting.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080 5005
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Options
    /// `image.allowed_ports`: the ports that may be exposed.
    code: "DG2033",
    name: "image-exposed-port-not-allowed",
    severity: Warning,
    category: Security,
    message: "The image exposes a port outside the allowlist",
    enabled_by_default: true,
    needs_layers: false,
    options: [
        ALLOWED_PORTS,
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    if !context.options().is_set("allowed_ports") {
        return;
    }
    let allowed: Vec<String> = context
        .options()
        .strings("allowed_ports")
        .into_iter()
        .map(normalize)
        .collect();
    let exposed = context.facts().exposed_ports.clone();
    for port in exposed {
        if !allowed.contains(&normalize(&port)) {
            context.report_about(Subject::Port(port.clone()), format!(
                "The image exposes port {port}, which is not in the allowlist ({})",
                allowed.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::Image;
    use crate::rules::testing::*;

    fn allow(ports: &[&str]) -> serde_json::Value {
        serde_json::json!({ "allowed_ports": ports })
    }

    #[test]
    fn outside() {
        let image = Image::new().expose("8080/tcp").expose("5005/tcp");
        assert_image_message_with("DG2033", image, allow(&["8080"]), "port 5005/tcp");
    }

    #[test]
    fn inside_or_no_allowlist() {
        assert_image_catches_not_with("DG2033", Image::new().expose("8080/tcp").expose("53/udp"), allow(&["8080", "53/udp"]));
        assert_image_catches_not("DG2033", Image::new().expose("22/tcp"));
    }
}
