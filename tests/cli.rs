//! The `dockgate` binary end to end: exit codes, the JSON and text formats, discovery,
//! input errors and the `rules` and `debug parse` commands.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::tree;

/// `dockgate` with colour and terminal detection out of the way.
fn dockgate() -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    command
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", String::from_utf8_lossy(output)))
}

/// Runs `dockgate lint --format json ARGS` in `dir`; returns the exit code and JSON.
fn lint_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = dockgate()
        .current_dir(dir)
        .args(["lint", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (output.status.code().unwrap(), json_of(&output.stdout))
}

fn paths(json: &Value) -> Vec<String> {
    let mut paths: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    paths
}

// Each sets a non-root USER, so that the findings the tests are about are the only ones.
const UNTAGGED: &str = "FROM debian\nUSER 10001\n";
const CLEAN: &str = "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n";

#[test]
fn clean_file_passes_with_exit_0() {
    let dir = tree(&[("Dockerfile", CLEAN)]);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(json["passed"], true);
    assert_eq!(json["findings"], Value::Array(vec![]));
}

#[test]
fn warning_fails_with_exit_1_by_default() {
    let dir = tree(&[("Dockerfile", UNTAGGED)]);
    let (code, json) = lint_json(dir.path(), &["Dockerfile"]);
    assert_eq!(code, 1);
    assert_eq!(json["passed"], false);
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tree(&[("Dockerfile", UNTAGGED)]);
    for (fail_on, code) in [
        ("error", 0),
        ("warning", 1),
        ("info", 1),
        ("style", 1),
        ("never", 0),
    ] {
        let (actual, json) = lint_json(dir.path(), &["--fail-on", fail_on]);
        assert_eq!(actual, code, "--fail-on {fail_on}");
        assert_eq!(json["passed"], code == 0, "--fail-on {fail_on}");
    }
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "--fail-on", "fatal"])
        .assert()
        .code(2);
}

#[test]
fn json_has_the_documented_shape() {
    let dir = tree(&[(
        "svc/Dockerfile",
        "FROM debian:12\nMAINTAINER me\nFROM debian\nUSER 10001\n",
    )]);
    let (_, json) = lint_json(dir.path(), &["svc/Dockerfile"]);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in ["version", "passed", "findings", "images"] {
        assert!(keys.contains(&key), "missing `{key}` in {json:#}");
    }
    assert_eq!(json["version"], 1);
    assert_eq!(json["images"], Value::Array(vec![]));
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{json:#}");
    assert_eq!(
        findings[1],
        serde_json::json!({
            "rule": "DL3006",
            "severity": "warning",
            "path": "svc/Dockerfile",
            "line": 3,
            "column": 6,
            "end_line": 3,
            "end_column": 12,
            "message": "Always tag the version of an image explicitly",
        })
    );
    assert_eq!(findings[0]["rule"], "DL4000");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(
        findings[0]["fix"]["edits"][0]["content"],
        "LABEL maintainer=\"me\""
    );
    // `--fix` applies a safe fix; an unsafe one only with `--unsafe-fixes`.
    assert_eq!(findings[0]["fix"]["applicability"], "safe");
}

#[test]
fn line_is_the_instruction_line_and_end_is_exact() {
    let dir = tree(&[(
        "Dockerfile",
        "FROM debian:12-slim\nWORKDIR \\\n  app\nUSER 10001\n",
    )]);
    let (_, json) = lint_json(dir.path(), &[]);
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "DL3000");
    assert_eq!(
        (
            &finding["line"],
            &finding["end_line"],
            &finding["end_column"]
        ),
        (&Value::from(2), &Value::from(3), &Value::from(6))
    );
}

#[test]
fn text_format_without_colour() {
    let dir = tree(&[("Dockerfile", UNTAGGED)]);
    dockgate()
        .current_dir(dir.path())
        .arg("lint")
        .assert()
        .code(1)
        .stdout(
            "Dockerfile:1:6: DL3006 [warning] Always tag the version of an image explicitly\n  \
             |\n1 | FROM debian\n  |      ^^^^^^\n  |\n\n\
             Found 1 problem (1 warning) in 1 of 1 file; failed (--fail-on warning).\n",
        );
}

#[test]
fn text_format_summary_when_clean() {
    let dir = tree(&[("Dockerfile", CLEAN), ("api/Dockerfile", CLEAN)]);
    dockgate()
        .current_dir(dir.path())
        .arg("lint")
        .assert()
        .success()
        .stdout("No problems found in 2 files; passed (--fail-on warning).\n");
}

#[test]
fn colour_is_never_used_with_no_color_even_when_forced() {
    let dir = tree(&[("Dockerfile", UNTAGGED)]);
    dockgate()
        .current_dir(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .arg("lint")
        .assert()
        .stdout(predicate::str::contains('\x1b').not());
}

#[test]
fn discovery_follows_names_and_gitignore_outside_git() {
    let dir = tree(&[
        (".gitignore", "ignored/\n*.generated.Dockerfile\n"),
        ("Dockerfile", UNTAGGED),
        ("svc/Dockerfile.dev", UNTAGGED),
        ("svc/api.Dockerfile", UNTAGGED),
        ("svc/web.dockerfile", UNTAGGED),
        ("os/Containerfile", UNTAGGED),
        ("os/Containerfile.fedora", UNTAGGED),
        (".devcontainer/Dockerfile", UNTAGGED),
        ("ignored/Dockerfile", UNTAGGED),
        ("svc/x.generated.Dockerfile", UNTAGGED),
        ("svc/Dockerfile.dockerignore", "node_modules\n"),
        ("docs/Dockerfile.md/README", "not a Dockerfile\n"),
        ("notes.txt", UNTAGGED),
    ]);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        paths(&json),
        [
            ".devcontainer/Dockerfile",
            "Dockerfile",
            "os/Containerfile",
            "os/Containerfile.fedora",
            "svc/Dockerfile.dev",
            "svc/api.Dockerfile",
            "svc/web.dockerfile",
        ]
    );
}

#[test]
fn nothing_to_lint_passes_with_a_warning() {
    let dir = tree(&[("README.md", "# nothing here\n")]);
    dockgate()
        .current_dir(dir.path())
        .arg("lint")
        .assert()
        .success()
        .stdout("No problems found in 0 files; passed (--fail-on warning).\n")
        .stderr(predicate::str::contains("no Dockerfiles found"));
}

#[test]
fn explicit_files_are_linted_whatever_their_name() {
    let dir = tree(&[
        ("build/image.txt", UNTAGGED),
        ("ignored.Dockerfile", UNTAGGED),
    ]);
    fs::write(dir.path().join(".gitignore"), "ignored.Dockerfile\n").unwrap();
    let (_, json) = lint_json(dir.path(), &["ignored.Dockerfile", "build/image.txt"]);
    assert_eq!(paths(&json), ["build/image.txt", "ignored.Dockerfile"]);
}

#[test]
fn directory_arguments_keep_their_prefix_and_output_is_sorted() {
    let dir = tree(&[("b/Dockerfile", UNTAGGED), ("a/Dockerfile", UNTAGGED)]);
    let (_, json) = lint_json(dir.path(), &["b", "a", "a/Dockerfile"]);
    assert_eq!(paths(&json), ["a/Dockerfile", "b/Dockerfile"]);
}

#[test]
fn missing_file_is_an_input_error_not_the_end_of_the_run() {
    let dir = tree(&[("Dockerfile", CLEAN)]);
    let output = dockgate()
        .current_dir(dir.path())
        .args([
            "lint",
            "--format",
            "json",
            "missing/Dockerfile",
            "Dockerfile",
            "gone",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("gone: No such file or directory")
            && stderr.contains("missing/Dockerfile: No such file or directory"),
        "{stderr}"
    );
    let json = json_of(&output.stdout);
    assert_eq!(json["passed"], false);
    assert_eq!(json["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["errors"][0]["path"], "gone");
}

#[test]
fn missing_file_in_text_summary() {
    let dir = tree(&[("Dockerfile", CLEAN)]);
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "Dockerfile", "nope"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("1 input could not be read"))
        .stderr(predicate::str::contains("nope: No such file or directory"));
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tree(&[("Dockerfile", UNTAGGED)]);
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "--format", "json", "--output", "report.json"])
        .assert()
        .code(1)
        .stdout("");
    let json = json_of(&fs::read(dir.path().join("report.json")).unwrap());
    assert_eq!(json["findings"][0]["rule"], "DL3006");

    dockgate()
        .current_dir(dir.path())
        .args(["lint", "--output", "no/such/dir/report.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write"));
}

#[test]
fn syntax_errors_are_findings_and_the_rest_is_still_linted() {
    let dir = tree(&[(
        "Dockerfile",
        "FROM debian:12\nRUN <<EOF\necho hi\n\nMAINTAINER me\n",
    )]);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"DL1000"), "{json:#}");
    let error = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "DL1000");
    assert_eq!(error.unwrap()["line"], 2);
}

#[test]
fn pragmas_silence_findings() {
    let dir = tree(&[(
        "Dockerfile",
        "# hadolint ignore=DL3006\nFROM debian\n# dockgate ignore=DL4000\nMAINTAINER me\nUSER 10001\n",
    )]);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(
        (code, json["findings"].as_array().unwrap().len()),
        (0, 0),
        "{json:#}"
    );
}

#[test]
fn config_names_builtin_presets_and_files() {
    let dir = tree(&[("Dockerfile", CLEAN)]);
    for config in ["builtin:recommended", "builtin:hadolint"] {
        dockgate()
            .current_dir(dir.path())
            .args(["lint", "--config", config])
            .assert()
            .success();
    }
    // strict requires digest-pinned base images.
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "--config", "builtin:strict"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("DG1002"));
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "--config", "builtin:strikt"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "builtin:strikt:1:1: unknown built-in policy",
        ));
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "--config", "missing.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("missing.yml:1:1: no such file"));
}

#[test]
fn usage_errors_exit_2() {
    dockgate().assert().code(2);
    dockgate()
        .args(["lint", "--format", "yaml"])
        .assert()
        .code(2);
    dockgate().args(["lint", "--no-such-flag"]).assert().code(2);
    dockgate().arg("--version").assert().success();
    dockgate()
        .args(["lint", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--fail-on"));
}

/// `--version` names the commit it was built from: `dockgate 0.1.0 (1a2b3c4)`, the
/// `DOCKGATE_COMMIT` the build was given, else git's short HEAD.
#[test]
fn version_names_the_commit() {
    let output = dockgate().arg("--version").assert().success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).to_string();
    let expected_commit = match option_env!("DOCKGATE_COMMIT") {
        Some(commit) if !commit.trim().is_empty() => commit.trim().to_string(),
        _ => {
            let git = std::process::Command::new("git")
                .args(["rev-parse", "--short", "HEAD"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .expect("git runs");
            if !git.status.success() {
                // Outside a git checkout (a source tarball) the version stands alone.
                assert_eq!(stdout, format!("dockgate {}\n", env!("CARGO_PKG_VERSION")));
                return;
            }
            String::from_utf8(git.stdout).unwrap().trim().to_string()
        }
    };
    assert_eq!(
        stdout,
        format!(
            "dockgate {} ({expected_commit})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// The README's main job on this repository: `dockgate check .` finds the action's
/// Dockerfile (and not the broken ones under `tests/` and `fuzz/`, nor `target/`), lints
/// it with the repository's `dockgate.yml` (on `builtin:strict`) and passes; the
/// Dockerfile passes `builtin:strict` named directly too.
#[test]
fn the_repository_checks_itself() {
    let passed = "No problems found in 1 file; passed (--fail-on info).\n";
    let chain = "dockgate.yml: valid (builtin:recommended -> builtin:strict -> dockgate.yml)\n";
    for (args, stdout) in [
        (&["check", "."][..], passed),
        (&["policy", "validate"][..], chain),
        (
            &["lint", "--config", "builtin:strict", "Dockerfile"][..],
            passed,
        ),
    ] {
        dockgate()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .assert()
            .success()
            .stdout(stdout);
    }
}

#[test]
fn rules_lists_every_rule() {
    let output = dockgate().arg("rules").assert().success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).to_string();
    for code in [
        "DL1000", "DL3000", "DL3006", "DL3007", "DL3020", "DL3024", "DL3025", "DL3061", "DL4000",
    ] {
        assert!(stdout.contains(code), "{code} missing from:\n{stdout}");
    }
    assert!(stdout.contains("untagged-base-image"));
}

#[test]
fn rules_code_prints_the_rule_doc() {
    for code in ["DL3006", "dl3006", "untagged-base-image"] {
        dockgate()
            .args(["rules", code])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(
                "# DL3006: untagged-base-image\n",
            ))
            .stdout(predicate::str::contains("## Why is this bad?"));
    }
    dockgate()
        .args(["rules", "DL9999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `DL9999`"));
}

#[test]
fn debug_parse_prints_buildkit_dump() {
    let dir = tree(&[
        ("Dockerfile", "FROM debian:12\nRUN echo hi\n"),
        ("Broken", "FROM debian:12\nRUN <<EOF\necho\n"),
    ]);
    dockgate()
        .current_dir(dir.path())
        .args(["debug", "parse", "--format", "buildkit", "Dockerfile"])
        .assert()
        .success()
        .stdout("(from \"debian:12\")\n(run \"echo hi\")\n");
    dockgate()
        .current_dir(dir.path())
        .args(["debug", "parse", "--format", "buildkit", "Broken"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Broken:2:"));
    dockgate()
        .current_dir(dir.path())
        .args(["debug", "parse", "--format", "buildkit", "Missing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Missing: No such file or directory",
        ));
}

#[test]
fn insecure_registry_is_documented_and_validated() {
    for command in ["image", "check"] {
        dockgate()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("--insecure-registry <HOST[:PORT]>")
                    .and(predicate::str::contains("insecure-registries")),
            );
    }
    dockgate()
        .args(["image", "--insecure-registry", "http://registry.internal"])
        .arg("docker://registry.internal/app")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("without a scheme"));
    // A valid entry is accepted: the run gets as far as the (missing) archive.
    let dir = TempDir::new().unwrap();
    dockgate()
        .current_dir(dir.path())
        .args(["image", "--insecure-registry", "registry.internal:5000"])
        .arg("docker-archive:missing.tar")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("missing.tar").and(predicate::str::contains("HOST").not()),
        );
}

/// The options `builtin:hadolint` turns on give hadolint's behaviour back, through the
/// binary: DL3002 on a builder stage, DL3022 on `--from` a variable, DL3064 on a keyword
/// inside a longer word. The default policy reports none of them.
#[test]
fn hadolint_preset_options_change_the_report() {
    let cases = [
        (
            "DL3002",
            "FROM debian:12 AS build\nUSER root\nRUN make\nFROM debian:12\nUSER 10001\n",
        ),
        (
            "DL3022",
            "FROM debian:12\nARG X=b\nCOPY --from=$X /a /b\nUSER 10001\n",
        ),
        (
            "DL3064",
            "FROM debian:12\nENV MY_PASSWORDLESS_MODE=1\nUSER 10001\n",
        ),
    ];
    for (rule, dockerfile) in cases {
        let dir = tree(&[("Dockerfile", dockerfile)]);
        let reported = |config: &[&str]| {
            let mut args = vec!["--fail-on", "never"];
            args.extend_from_slice(config);
            let (_, json) = lint_json(dir.path(), &args);
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|finding| finding["rule"] == rule)
        };
        assert!(!reported(&[]), "{rule} under the default policy");
        assert!(
            reported(&["--config", "builtin:hadolint"]),
            "{rule} under builtin:hadolint"
        );
    }
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    rest.char_indices()
        .nth(column as usize - 1)
        .map_or(text.len(), |(index, _)| start + index)
}

/// `text` with the edits of a JSON `fix` applied (from the last to the first).
fn apply_json_fix(text: &str, fix: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = fix["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edit| {
            let at = |line: &str, column: &str| {
                offset_of(
                    text,
                    edit[line].as_u64().unwrap(),
                    edit[column].as_u64().unwrap(),
                )
            };
            (
                at("line", "column"),
                at("end_line", "end_column"),
                edit["content"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut fixed = text.to_string();
    for (start, end, content) in edits {
        fixed.replace_range(start..end, &content);
    }
    fixed
}

#[test]
fn fixes_in_the_json_report_apply_and_the_finding_is_gone() {
    for (rule, dockerfile) in [
        (
            "DL3009",
            "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl=7.88.1-10\n",
        ),
        (
            "DL3014",
            "FROM debian:12\nRUN apt-get install --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
        ),
        (
            "DL3015",
            "FROM debian:12\nRUN apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
        ),
        (
            "DL3027",
            "FROM debian:12\nRUN apt install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
        ),
        ("DL3042", "FROM python:3.12\nRUN pip install flask==3.0.0\n"),
        (
            "DL3047",
            "FROM debian:12\nRUN wget https://example.com/x.tgz\n",
        ),
        ("DL3025", "FROM debian:12\nCMD python app.py\n"),
    ] {
        let dir = tree(&[("Dockerfile", dockerfile)]);
        let args = [
            "--config",
            "builtin:hadolint",
            "--fail-on",
            "never",
            "Dockerfile",
        ];
        let (_, json) = lint_json(dir.path(), &args);
        let found: Vec<&Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|finding| finding["rule"] == rule)
            .collect();
        assert_eq!(found.len(), 1, "{rule}: {json:#}");
        let fixed = apply_json_fix(dockerfile, &found[0]["fix"]);
        std::fs::write(dir.path().join("Dockerfile"), &fixed).unwrap();
        let (_, json) = lint_json(dir.path(), &args);
        let rules: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap())
            .filter(|code| code.starts_with("DL"))
            .collect();
        assert!(
            !rules.contains(&rule),
            "{rule} after its fix:\n{fixed}\n{rules:?}"
        );
        assert!(
            !rules.contains(&"DL1000"),
            "{rule} fix broke the file:\n{fixed}"
        );
    }
}

#[test]
fn values_of_variables_named_as_secrets_never_reach_the_text_report() {
    let dir = TempDir::new().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    fs::write(
        &dockerfile,
        "FROM debian:12-slim\nENV DB_PASSWORD=hunter2 MODE=prod\nARG API_TOKEN=tok3n-value\nUSER 10001\n",
    )
    .unwrap();
    let policy = dir.path().join("dockgate.yml");
    fs::write(
        &policy,
        "extends: [builtin:recommended]\nrules:\n  DG1113: warning\n",
    )
    .unwrap();
    let output = dockgate()
        .args(["lint", "--format", "text", "--config"])
        .arg(&policy)
        .arg(&dockerfile)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    // DL3064 and DG1113 report both names; the snippets show the lines, masked.
    assert!(
        stdout.contains("DL3064") && stdout.contains("DG1113"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ENV DB_PASSWORD=******* MODE=prod"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("hunter2") && !stdout.contains("tok3n"),
        "{stdout}"
    );
}
