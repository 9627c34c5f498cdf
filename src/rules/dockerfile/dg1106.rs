//! DG1106: EXPOSE with an IP address or a host port (BuildKit's ExposeInvalidFormat).

use super::expose::port_specs;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port written with an IP address or a host port, as
    /// `docker run -p` takes them: `EXPOSE 8080:80`, `EXPOSE 127.0.0.1:8080:80`. This is
    /// BuildKit's build check
    /// [`ExposeInvalidFormat`](https://docs.docker.com/reference/build-checks/expose-invalid-format/)
    /// (`dockerfile2llb/convert_expose.go`, `parsePort`), on the ports after variable
    /// expansion.
    ///
    /// ## Why is this bad?
    /// An image cannot publish a port on the host: BuildKit keeps only the container
    /// port (`80/tcp`) and drops the rest without a word, so the Dockerfile promises a
    /// mapping that never happens. BuildKit says this will become an error in a future
    /// release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 8080:80
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80
    /// ```
    /// and publish it with `docker run -p 8080:80`.
    ///
    /// ## Fix
    /// Keeps only the container port and protocol (what the image records anyway),
    /// when the port is written without variables.
    code: "DG1106",
    name: "expose-invalid-format",
    severity: Warning,
    category: Correctness,
    fixable: true,
    fix: Safe("Keep only the container port"),
    message: "IP address and host-port mapping should not be used in EXPOSE instruction",
    buildkit: "ExposeInvalidFormat",
    check: check,
}

fn check(context: &mut Context) {
    for spec in port_specs(context) {
        if spec.ip.is_empty() && spec.host_port.is_empty() {
            continue;
        }
        let port = match spec.proto.as_str() {
            "" => spec.container_port.clone(),
            proto => format!("{}/{proto}", spec.container_port),
        };
        let message = format!(
            "EXPOSE instruction should not define an IP address or host-port mapping, found '{}'",
            spec.raw
        );
        spec.report(context, message, RULE.fixes[0].title, port);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn mappings() {
        assert_catches("DG1106", "FROM debian:12\nEXPOSE 8080:80");
        assert_catches("DG1106", "FROM debian:12\nEXPOSE 127.0.0.1:8080:80/tcp");
        assert_catches("DG1106", "FROM debian:12\nEXPOSE 80 [::1]:8080:80");
        assert_catches("DG1106", "FROM debian:12\nENV P=8080:80\nEXPOSE $P");
    }

    #[test]
    fn container_ports() {
        assert_catches_not("DG1106", "FROM debian:12\nEXPOSE 80 443/tcp 8000-8010");
        assert_catches_not("DG1106", "FROM debian:12\nEXPOSE :80");
        assert_catches_not("DG1106", "FROM debian:12\nARG P\nEXPOSE $P");
    }

    #[test]
    fn buildkit_message() {
        let found = findings("DG1106", "FROM scratch\nEXPOSE 127.0.0.1:80:80/tcp\n");
        assert_eq!(
            found[0].message,
            "EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80/tcp'"
        );
    }

    #[test]
    fn fix() {
        assert_fix("DG1106", "FROM a\nEXPOSE 8080:80/udp\n", "FROM a\nEXPOSE 80/udp\n");
        assert_fix("DG1106", "FROM a\nEXPOSE 0.0.0.0:8080:80 443\n", "FROM a\nEXPOSE 80 443\n");
    }
}
