//! Dropping hadolint for dockgate loses nothing: `--format hadolint-json` writes
//! hadolint's bytes, a `.hadolint.yaml` (and hadolint's environment variables) is the
//! configuration when there is no dockgate policy, and hadolint's pragmas (DL1001,
//! `shell=`) behave as hadolint's. Expected bytes were recorded from hadolint 2.15.1;
//! when `hadolint` is on PATH the tests also compare with it live.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// `dockgate` with colour, the user's hadolint configuration and hadolint's variables
/// out of the way.
fn dockgate(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("HADOLINT_") {
            command.env_remove(name);
        }
    }
    command
}

fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `hadolint -f json ARGS` in `dir`, when hadolint is installed.
fn hadolint(dir: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("hadolint")
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .args(["-f", "json"])
        .args(args)
        .output()
        .ok()?;
    Some(String::from_utf8(output.stdout).unwrap())
}

const MIXED: &str = "FROM debian\n# hadolint ignore=DL3007\nFROM debian:latest\nMAINTAINER me\n";
const LATEST: &str = "FROM debian:latest\n";
const CLEAN: &str = "FROM debian:12\nCMD [\"true\"]\n";

#[test]
fn hadolint_json_is_hadolints_bytes() {
    let dir = tree(&[
        ("Dockerfile", MIXED),
        ("we\"ird.Dockerfile", LATEST),
        ("clean.Dockerfile", CLEAN),
    ]);
    let expected = concat!(
        r#"[{"code":"DL3006","column":1,"file":"Dockerfile","level":"warning","line":1,"message":"Always tag the version of an image explicitly"},"#,
        r#"{"code":"DL4000","column":1,"file":"Dockerfile","level":"error","line":4,"message":"MAINTAINER is deprecated"},"#,
        r#"{"code":"DL3007","column":1,"file":"we\"ird.Dockerfile","level":"warning","line":1,"message":"Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag"}]"#
    );
    let output = dockgate(dir.path())
        .args([
            "lint",
            "--format",
            "hadolint-json",
            "--config",
            "builtin:hadolint",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output), expected);
    if let Some(live) = hadolint(dir.path(), &["Dockerfile", "we\"ird.Dockerfile"]) {
        assert_eq!(live, expected, "hadolint 2.15.1 writes this");
    }

    // No finding: `[]`, no newline; and --output writes the same bytes.
    let output = dockgate(dir.path())
        .args(["lint", "--format", "hadolint-json", "clean.Dockerfile"])
        .args(["--output", "report.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("report.json")).unwrap(),
        "[]"
    );
    if let Some(live) = hadolint(dir.path(), &["clean.Dockerfile"]) {
        assert_eq!(live, "[]");
    }
}

#[test]
fn hadolint_json_keeps_the_column_of_syntax_errors_and_reports_input_errors_on_stderr() {
    let dir = tree(&[("Dockerfile", "FROM debian:12\nCOPY --from stage a b\n")]);
    let output = dockgate(dir.path())
        .args(["lint", "--format", "hadolint-json", "Dockerfile", "missing"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output);
    assert!(
        text.starts_with(r#"[{"code":"DL1000","column":"#) && !text.contains(r#""file":"missing""#),
        "{text}"
    );
    let column: usize = text[r#"[{"code":"DL1000","column":"#.len()..]
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(column > 1, "{text}");
    assert!(stderr(&output).contains("missing"), "{}", stderr(&output));
}
