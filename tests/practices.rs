//! The container practices (issue 11, point 1) end to end: each project under
//! `tests/fixtures/practices/` breaks one practice, and `dockgate lint` with the default
//! policy (no policy file, or one that only switches an off-by-default rule on) reports
//! it on the instruction at fault. Each project is copied into a temporary directory, so
//! no policy or `.dockerignore` of this repository is in its way.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use clap::ValueEnum;
use dockgate::report::Format;
use serde_json::Value;
use tempfile::TempDir;

mod support;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/practices")
}

/// The project `name`, copied into a fresh directory.
fn project(name: &str) -> TempDir {
    support::copy_project(&fixtures().join(name))
}

fn dockgate(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// `dockgate lint --format json ARGS .` in `dir`: the exit code and the report.
fn lint_with(dir: &Path, args: &[&str]) -> (i32, Value) {
    support::lint_json(dir, args)
}

/// The report's findings as `CODE line`.
fn findings(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["line"]))
        .collect()
}

/// [`lint_with`] the default policy: the exit code, the findings as `CODE line`, the
/// report.
fn lint(dir: &Path) -> (i32, Vec<String>, Value) {
    let (code, json) = lint_with(dir, &[]);
    (code, findings(&json), json)
}

/// Each project, the finding it must give (`CODE line`, the line of the instruction at
/// fault) and the exit code of the default policy (`fail_on: warning`).
const BROKEN: &[(&str, &str, i32)] = &[
    ("DG1003-no-user", "DG1003 1", 1),
    ("DL3002-user-expands-to-root", "DL3002 5", 1),
    ("DG1010-whole-context", "DG1010 5", 0),
    ("DG1011-missing", "DG1011 5", 1),
    ("DG1011-incomplete", "DG1011 5", 1),
    ("DG1011-own-ignore-file", "DG1011 5", 1),
    ("DG1012-install-after-source", "DG1012 4", 1),
    ("DG1020-secret-value", "DG1020 2", 1),
    ("DG1021-secret-file", "DG1021 3", 1),
    ("DG1030-ssh-port", "DG1030 4", 1),
    ("DG1040-python-env", "DG1040 1", 0),
    ("DG1041-full-base", "DG1041 1", 0),
    ("DG1042-build-tools", "DG1042 2", 1),
    ("DG1043-writable-code", "DG1043 3", 1),
    ("DG1050-remote-add", "DG1050 2", 1),
    ("DG1051-pipe-to-shell", "DG1051 4", 1),
    ("DG1052-package-upgrade", "DG1052 2", 0),
    ("DL3057-no-healthcheck", "DL3057 1", 0),
];

#[test]
fn each_broken_practice_is_reported_on_the_instruction_at_fault() {
    let mut failures = Vec::new();
    for &(name, expected, exit) in BROKEN {
        let dir = project(name);
        let (code, found, _) = lint(dir.path());
        if !found.iter().any(|f| f == expected) || code != exit {
            failures.push(format!(
                "{name}: expected `{expected}` and exit {exit}, got exit {code}: {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every project under `tests/fixtures/practices/` has a case above, so none is
/// forgotten.
#[test]
fn every_project_has_a_case() {
    let mut names: Vec<String> = fs::read_dir(fixtures())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "multi-stage-non-root")
        .collect();
    names.sort();
    let mut cased: Vec<String> = BROKEN.iter().map(|(name, ..)| name.to_string()).collect();
    cased.sort();
    assert_eq!(names, cased);
}

#[test]
fn a_correct_multi_stage_project_reports_nothing_about_root() {
    // The builder runs as root, the final stage is distroless as a numeric non-root
    // user, every base is pinned by digest.
    let dir = project("multi-stage-non-root");
    let (code, found, json) = lint(dir.path());
    assert_eq!(code, 0, "{json:#}");
    for rule in [
        "DG1003", "DL3002", "DG1010", "DG1011", "DG1012", "DG1041", "DG1042",
    ] {
        assert!(
            !found.iter().any(|f| f.starts_with(rule)),
            "{rule} in {found:?}"
        );
    }
    // `builtin:strict` requires digests: the project passes it too.
    let (_, json) = lint_with(dir.path(), &["--config", "builtin:strict"]);
    let rules = findings(&json);
    assert!(
        !rules
            .iter()
            .any(|f| f.starts_with("DG1002") || f.starts_with("DG1003")),
        "{rules:?}"
    );
}

#[test]
fn the_dockerfile_s_own_ignore_file_wins_over_the_context_s() {
    // A complete `api.Dockerfile.dockerignore` and no `.dockerignore` at all: fine.
    let dir = project("DG1011-own-ignore-file");
    fs::rename(
        dir.path().join(".dockerignore"),
        dir.path().join("api.Dockerfile.dockerignore"),
    )
    .unwrap();
    let (_, found, _) = lint(dir.path());
    assert!(!found.iter().any(|f| f.starts_with("DG1011")), "{found:?}");
    // And the project's own incomplete one is reported though the context's is complete
    // (the case in BROKEN); without either, the context's missing one is.
    fs::remove_file(dir.path().join("api.Dockerfile.dockerignore")).unwrap();
    let (_, found, json) = lint(dir.path());
    assert!(found.iter().any(|f| f == "DG1011 5"), "{found:?}");
    let message = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "DG1011")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("no `.dockerignore`"), "{message}");
}

#[test]
fn the_context_can_be_the_repository_root() {
    // `docker build -f svc/Dockerfile .`: the root's ignore file applies.
    let dir = TempDir::new().unwrap();
    support::copy_dir(&fixtures().join("DG1011-missing"), &dir.path().join("svc"));
    fs::write(
        dir.path().join(".dockerignore"),
        ".git\n**/.env*\n**/*.pem\n**/*.key\n**/id_rsa*\n",
    )
    .unwrap();
    let (_, found, _) = lint(dir.path());
    assert!(found.iter().any(|f| f == "DG1011 5"), "{found:?}");
    fs::write(
        dir.path().join("dockgate.yml"),
        "rules:\n  DG1011:\n    options:\n      context_at_root: true\n",
    )
    .unwrap();
    let (_, found, _) = lint(dir.path());
    assert!(!found.iter().any(|f| f.starts_with("DG1011")), "{found:?}");
}

#[test]
fn builtin_hadolint_runs_none_of_the_practices() {
    let mut found_any = Vec::new();
    for &(name, ..) in BROKEN {
        let dir = project(name);
        let (_, json) = lint_with(dir.path(), &["--config", "builtin:hadolint"]);
        for finding in json["findings"].as_array().unwrap() {
            let rule = finding["rule"].as_str().unwrap();
            if rule.starts_with("DG") {
                found_any.push(format!("{name}: {rule}"));
            }
        }
    }
    assert!(found_any.is_empty(), "{found_any:?}");
}

/// Secret values of every format the table knows, built here so the repository holds
/// none that a scanner would take for real.
fn secret_values() -> Vec<String> {
    vec![
        format!("ghp_{}", "Zx9Qw3".repeat(6)),
        format!("github_pat_{}", "11ABCDEFG0".repeat(6)),
        format!("AKIA{}", "QWERTYUIOPASDFGH"),
        format!("xoxb-{}", "1234567890-".repeat(3)),
        format!("glpat-{}", "aB3dE6gH9jK2mN5pQ8sT"),
        format!(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkb2NrZ2F0ZSJ9.{}",
            "c2lnbmF0dXJlLWJ5dGVz"
        ),
    ]
}

#[test]
fn secret_values_never_appear_in_full_in_any_format() {
    let values = secret_values();
    let mut dockerfile = String::from("FROM alpine:3.20\n");
    for (i, value) in values.iter().enumerate() {
        match i % 3 {
            0 => dockerfile.push_str(&format!("ENV SECRET_{i}={value}\n")),
            1 => dockerfile.push_str(&format!("ARG SECRET_{i}={value}\n")),
            _ => dockerfile.push_str(&format!(
                "RUN curl -H \"Authorization: Bearer {value}\" https://example.com/{i}\n"
            )),
        }
    }
    let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxyz\n-----END RSA PRIVATE KEY-----";
    dockerfile.push_str(&format!("COPY <<EOF /root/.ssh/id_rsa\n{key}\nEOF\n"));
    dockerfile.push_str("LABEL token=");
    dockerfile.push_str(&values[0]);
    dockerfile.push_str("\nUSER 10001\n");
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("Dockerfile"), &dockerfile).unwrap();

    let (_, found, _) = lint(dir.path());
    let reported = found.iter().filter(|f| f.starts_with("DG1020")).count();
    assert_eq!(reported, values.len() + 2, "{found:?}");

    for format in Format::value_variants() {
        let name = format.to_possible_value().unwrap().get_name().to_string();
        let output = dockgate(dir.path())
            .args(["lint", "--format", &name, "."])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(out.contains("DG1020"), "--format {name}:\n{out}");
        for value in &values {
            // Nothing past the format's prefix and a few characters.
            assert!(
                !out.contains(&value[..value.len() * 2 / 3]),
                "--format {name} shows `{value}`:\n{out}"
            );
        }
        assert!(
            !out.contains("MIIEowIBAAKCAQEAxyz"),
            "--format {name}:\n{out}"
        );
    }
}
