//! DG1030: the image exposes a port it should not.

use super::practices::in_final_chain;
use crate::dockerfile::{Args, Keyword};
use crate::rules::image::{ALLOWED_PORTS, normalize};
use crate::rules::{Context, OptionKind, RuleOption};

/// Ports that are never the application's: SSH.
const DENIED: &[&str] = &["22/tcp"];

crate::declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` in the stage `docker build` builds (or a stage it is built
    /// `FROM`) of port 22 (SSH), of a port outside the policy's `image.allowed_ports`
    /// (the list DG2033 checks the built image's config against: one key, read by
    /// both), and every port past `max_ports`. Values are expanded (`EXPOSE
    /// $PORT`); a port without protocol is TCP.
    ///
    /// ## Why is this bad?
    /// An exposed port says what the service listens on, and `docker run -P`
    /// publishes every one of them. SSH in a container is a second way in that
    /// bypasses the orchestrator (`docker exec` and `kubectl exec` exist), and a port
    /// nobody expects (a debugger, an admin console) is usually a development setting
    /// left in.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// EXPOSE 22 8080
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12-slim
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Options
    /// - `allowed_ports`: the ports that may be exposed (`8080`, `53/udp`); set by
    ///   `image.allowed_ports`, declared once for this rule and DG2033; unset, any
    ///   port but the denied ones;
    /// - `denied_ports`: ports never allowed (default `22`), unless `allowed_ports`
    ///   lists them;
    /// - `max_ports`: the most ports the image may expose.
    code: "DG1030",
    name: "exposed-port-not-allowed",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "This port should not be exposed",
    options: [
        ALLOWED_PORTS,
        RuleOption::new("denied_ports", OptionKind::Strings, "Ports never to expose unless `allowed_ports` lists them (default `22`)."),
        RuleOption::new("max_ports", OptionKind::Count, "The most ports the image may expose."),
    ],
    check: check,
}

fn check(context: &mut Context) {
    let options = context.options();
    let allowed: Option<Vec<String>> = options
        .is_set("allowed_ports")
        .then(|| options.strings("allowed_ports").into_iter().map(normalize).collect());
    let denied: Vec<String> = if options.is_set("denied_ports") {
        options.strings("denied_ports").into_iter().map(normalize).collect()
    } else {
        DENIED.iter().map(|port| normalize(port)).collect()
    };
    let max = options.count("max_ports");
    let model = context.model();
    let mut exposed: Vec<String> = Vec::new();
    for (index, instruction) in context.instructions().iter().enumerate() {
        let (Keyword::Expose, Args::List(words)) = (&instruction.keyword, &instruction.args) else {
            continue;
        };
        if !in_final_chain(model, index) {
            continue;
        }
        for word in words {
            let Some(value) = context.expand(index, &word.value) else { continue };
            for port in value.split_whitespace() {
                let port = normalize(port);
                let message = match &allowed {
                    Some(allowed) if !allowed.contains(&port) => format!(
                        "Port {port} is exposed but not in the policy's allowed ports ({})",
                        allowed.join(", ")
                    ),
                    None if denied.contains(&port) => format!(
                        "Port {port} is exposed{}: reach the container with `docker exec`/`kubectl exec`, not a port of its own",
                        if port == "22/tcp" { " (SSH)" } else { "" }
                    ),
                    _ if !exposed.contains(&port) && max.is_some_and(|max| exposed.len() as u64 >= max) => format!(
                        "Port {port} is one more than the {} exposed port(s) the policy allows",
                        max.unwrap_or(0)
                    ),
                    _ => {
                        if !exposed.contains(&port) {
                            exposed.push(port);
                        }
                        continue;
                    }
                };
                if !exposed.contains(&port) {
                    exposed.push(port);
                }
                context.report(instruction, word.range).message = message;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn options(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn ports_not_allowed() {
        assert_catches("DG1030", "FROM a:1\nEXPOSE 22");
        assert_catches("DG1030", "FROM a:1\nEXPOSE 8080 22/tcp");
        assert_catches("DG1030", "FROM a:1\nARG SSH=22\nEXPOSE $SSH");
        let allowed = options(serde_json::json!({"allowed_ports": ["8080"]}));
        assert_catches_with("DG1030", &allowed, "FROM a:1\nEXPOSE 8080 5005");
        assert_catches_with("DG1030", &allowed, "FROM a:1\nEXPOSE 8080/udp");
        let max = options(serde_json::json!({"max_ports": 1}));
        assert_catches_with("DG1030", &max, "FROM a:1\nEXPOSE 8080\nEXPOSE 9090");
    }

    #[test]
    fn ports_allowed() {
        assert_catches_not("DG1030", "FROM a:1\nEXPOSE 8080 443");
        assert_catches_not("DG1030", "FROM a:1 AS dev\nEXPOSE 22\nFROM a:1\nEXPOSE 80");
        let allowed = options(serde_json::json!({"allowed_ports": ["8080/tcp", "22"]}));
        assert_catches_not_with("DG1030", &allowed, "FROM a:1\nEXPOSE 8080 22");
        let max = options(serde_json::json!({"max_ports": 2}));
        assert_catches_not_with("DG1030", &max, "FROM a:1\nEXPOSE 8080 8080/tcp 9090");
        assert_catches_not("DG1030", "FROM a:1\nEXPOSE $PORT");
    }
}
