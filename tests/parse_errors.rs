//! Parse errors through the `dockgate` binary: one error is one finding (no cascades),
//! and what BuildKit refuses is `DL1000` at its line while the rest is still linted.

use std::fs;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// `dockgate lint --format json --fail-on never` over one Dockerfile; its findings.
fn lint(content: &str) -> Vec<Value> {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("Dockerfile"), content).unwrap();
    let output = Command::cargo_bin("dockgate")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "lint",
            "--format",
            "json",
            "--fail-on",
            "never",
            "Dockerfile",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["findings"].as_array().unwrap().clone()
}

/// (rule, line, message) of each finding.
fn summary(findings: &[Value]) -> Vec<(String, u64, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn dl1000(findings: &[Value]) -> Vec<(u64, String)> {
    summary(findings)
        .into_iter()
        .filter(|(rule, _, _)| rule == "DL1000")
        .map(|(_, line, message)| (line, message))
        .collect()
}

#[test]
fn an_unterminated_heredoc_in_a_1_mb_file_is_one_finding() {
    let mut text = String::from("FROM scratch\nRUN <<EOF\n");
    let mut i = 0;
    while text.len() < 1 << 20 {
        text.push_str(&format!("echo line {i} of a body with no terminator\n"));
        i += 1;
    }
    let findings = lint(&text);
    assert!(findings.len() <= 5, "{:?}", summary(&findings));
    assert_eq!(
        dl1000(&findings),
        [(2, "unterminated heredoc `EOF` opened at line 2".to_string())]
    );
}
#[test]
fn consecutive_unknown_instructions_are_one_finding() {
    let findings = lint(
        "FROM debian:12\napt-get update\napt-get install -y curl\n\n# fetch\ncurl -O x\nUSER app\nmake\n",
    );
    assert_eq!(
        dl1000(&findings),
        [
            (
                2,
                "unknown instruction: apt-get (and 2 more unknown instructions: lines 2-6)"
                    .to_string()
            ),
            (8, "unknown instruction: make".to_string()),
        ]
    );
}

#[test]
fn from_with_the_wrong_number_of_arguments_is_dl1000_and_linting_goes_on() {
    for from in ["FROM debian:12 a b c", "FROM debian:12 AS"] {
        let findings = lint(&format!("{from}\nMAINTAINER x\n"));
        assert_eq!(
            dl1000(&findings),
            [(1, "FROM requires either one or three arguments".to_string())],
            "{from}"
        );
        assert!(
            summary(&findings)
                .iter()
                .any(|(rule, line, _)| rule == "DL4000" && *line == 2),
            "{from}: {:?}",
            summary(&findings)
        );
    }
}

#[test]
fn buildkit_instruction_errors_are_reported_where_they_are() {
    let findings = lint("FROM debian:12\nCOPY --form=build a /b\nWORKDIR\nUSER app\n");
    assert_eq!(
        dl1000(&findings),
        [
            (2, "unknown flag: --form (did you mean from?)".to_string()),
            (3, "WORKDIR requires exactly one argument".to_string()),
        ]
    );
}
