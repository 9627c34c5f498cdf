//! DG2033: the image exposes a port outside the allowlist.

use crate::image::provenance::Subject;
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
    image_check: check,
}

/// `8080` -> `8080/tcp`, `53/UDP` -> `53/udp`.
fn normalize(port: &str) -> String {
    let port = port.trim().to_ascii_lowercase();
    if port.contains('/') { port } else { format!("{port}/tcp") }
}

fn check(context: &mut ImageContext) {
    let Some(allowed) = &context.limits().allowed_ports else {
        return;
    };
    let allowed: Vec<String> = allowed.iter().map(|port| normalize(port)).collect();
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
    use crate::image::ImageLimits;
    use crate::image::testing::Image;
    use crate::rules::testing::*;

    fn allow(ports: &[&str]) -> ImageLimits {
        ImageLimits { allowed_ports: Some(ports.iter().map(|p| p.to_string()).collect()), ..ImageLimits::default() }
    }

    #[test]
    fn outside() {
        let image = Image::new().expose("8080/tcp").expose("5005/tcp");
        assert_image_message_with("DG2033", image, &allow(&["8080"]), "port 5005/tcp");
    }

    #[test]
    fn inside_or_no_allowlist() {
        assert_image_catches_not_with("DG2033", Image::new().expose("8080/tcp").expose("53/udp"), &allow(&["8080", "53/udp"]));
        assert_image_catches_not("DG2033", Image::new().expose("22/tcp"));
    }
}
