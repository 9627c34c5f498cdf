//! DG1105: an EXPOSE protocol not in lower case (BuildKit's ExposeProtoCasing).

use super::expose::port_specs;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port whose protocol is not written in lower case:
    /// `EXPOSE 53/UDP`. This is BuildKit's build check
    /// [`ExposeProtoCasing`](https://docs.docker.com/reference/build-checks/expose-proto-casing/)
    /// (`dockerfile2llb/convert_expose.go`, `parsePort`): ports are read after variable
    /// expansion, and an unknown protocol (`80/foo`) is a build error, not this rule's.
    ///
    /// No file of the 1,400 of the corpus writes a protocol in upper case
    /// (`scripts/rule-counts`), so the rule has never fired there; it is here because
    /// BuildKit checks it, and a file that does it gets the same warning from
    /// `docker build`.
    ///
    /// ## Why is this bad?
    /// BuildKit accepts `tcp`, `udp` and `sctp` in any case and stores them in lower
    /// case, so `53/UDP` only looks different from the `53/udp` that `docker inspect`
    /// and `docker run -p` show; `docker build` warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// EXPOSE 53/UDP
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// EXPOSE 53/udp
    /// ```
    ///
    /// ## Fix
    /// Lower-cases the protocol, when the port is written without variables.
    code: "DG1105",
    name: "expose-proto-casing",
    severity: Style,
    category: BestPractice,
    fixable: true,
    fix: Safe("Write the protocol in lowercase"),
    message: "Protocol in EXPOSE instruction should be lowercase",
    buildkit: "ExposeProtoCasing",
    check: check,
}

fn check(context: &mut Context) {
    for spec in port_specs(context) {
        let lower = spec.proto.to_lowercase();
        if spec.proto == lower {
            continue;
        }
        let port = spec.raw[..spec.raw.len() - spec.proto.len()].to_string() + &lower;
        let message = format!(
            "Defined protocol '{}' in EXPOSE instruction should be lowercase",
            spec.raw
        );
        spec.report(context, message, RULE.fixes[0].title, port);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn upper_case_protocols() {
        assert_catches("DG1105", "FROM debian:12\nEXPOSE 80/TCP");
        assert_catches("DG1105", "FROM debian:12\nEXPOSE 80 53/Udp");
        assert_catches("DG1105", "FROM debian:12\nEXPOSE 8080:80/SCTP");
        assert_catches("DG1105", "FROM debian:12\nARG P=80/TCP\nEXPOSE $P");
    }

    #[test]
    fn lower_case_or_none() {
        assert_catches_not("DG1105", "FROM debian:12\nEXPOSE 80/tcp 53/udp 9/sctp");
        assert_catches_not("DG1105", "FROM debian:12\nEXPOSE 80");
        // Unknown protocols fail the build; the EXPOSE stops there, as in BuildKit.
        assert_catches_not("DG1105", "FROM debian:12\nEXPOSE 80/FOO 53/UDP");
        assert_catches_not("DG1105", "FROM debian:12\nARG P\nEXPOSE $P");
    }

    #[test]
    fn buildkit_message() {
        let found = findings("DG1105", "FROM scratch\nEXPOSE 80/TcP\n");
        assert_eq!(
            found[0].message,
            "Defined protocol '80/TcP' in EXPOSE instruction should be lowercase"
        );
    }

    #[test]
    fn fix() {
        assert_fix("DG1105", "FROM a\nEXPOSE 80 53/UDP\n", "FROM a\nEXPOSE 80 53/udp\n");
        let found = findings("DG1105", "FROM a\nARG P=80/TCP\nEXPOSE $P\n");
        assert!(found[0].fix.is_none());
    }
}
