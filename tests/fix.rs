//! `dockgate lint --fix`, `--unsafe-fixes` and `--diff` through the binary, on copies
//! in temporary directories.

use std::fs;
use std::path::Path;

use serde_json::Value;

mod support;
use support::{dockgate, tree};

/// Safe fixes: MAINTAINER -> LABEL, `-y`, ADD -> COPY, JSON CMD. Unsafe: the apt lists,
/// `--no-install-recommends`.
const BROKEN: &str = "FROM debian:12\nMAINTAINER me\nRUN apt-get update && apt-get install curl\nADD app.txt /app.txt\nCMD python app.py\nUSER 10001\n";

const SAFE_FIXED: &str = "FROM debian:12\nLABEL maintainer=\"me\"\nRUN apt-get update && apt-get install -y curl\nCOPY app.txt /app.txt\nCMD [\"python\", \"app.py\"]\nUSER 10001\n";

const ALL_FIXED: &str = "FROM debian:12\nLABEL maintainer=\"me\"\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\nCOPY app.txt /app.txt\nCMD [\"python\", \"app.py\"]\nUSER 10001\n";

fn project(dockerfile: &str) -> tempfile::TempDir {
    tree(&[("Dockerfile", dockerfile), ("app.txt", "hi\n")])
}

fn read(dir: &Path) -> String {
    fs::read_to_string(dir.join("Dockerfile")).unwrap()
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = dockgate(dir)
        .env("NO_COLOR", "1")
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn rules_of(json: &Value) -> Vec<&str> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn fix_applies_the_safe_fixes_and_reports_what_remains() {
    let dir = project(BROKEN);
    let (code, stdout, stderr) = run(dir.path(), &["--fix"]);
    assert_eq!(read(dir.path()), SAFE_FIXED, "{stdout}{stderr}");
    assert!(stdout.contains("Fixed 4 findings ("), "{stdout}");
    // The unsafe fixes are left, and shown as such.
    assert!(
        stdout.contains("help: Add `--no-install-recommends` (unsafe fix)"),
        "{stdout}"
    );
    assert_eq!(code, 1, "DL3008 (no pin) remains: {stdout}");
}

#[test]
fn unsafe_fixes_applies_both_and_json_counts_them() {
    let dir = project(BROKEN);
    let (_, stdout, stderr) = run(dir.path(), &["--fix", "--unsafe-fixes", "--format", "json"]);
    assert_eq!(read(dir.path()), ALL_FIXED, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["fixes"]["fixed"], 6, "{json:#}");
    let remaining = rules_of(&json);
    assert_eq!(json["fixes"]["remaining"], remaining.len());
    for fixed in ["DL4000", "DL3014", "DL3020", "DL3025", "DL3009", "DL3015"] {
        assert!(!remaining.contains(&fixed), "{fixed} remains: {json:#}");
    }
}

#[test]
fn a_file_named_twice_is_fixed_once() {
    let dir = project(BROKEN);
    let (code, stdout, stderr) = run(dir.path(), &["--fix", "Dockerfile", "./Dockerfile"]);
    assert_ne!(code, 2, "{stdout}{stderr}");
    assert_eq!(read(dir.path()), SAFE_FIXED, "{stderr}");
}

#[test]
fn a_second_fix_changes_nothing() {
    let dir = project(BROKEN);
    run(dir.path(), &["--fix", "--unsafe-fixes"]);
    let (_, stdout, _) = run(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(read(dir.path()), ALL_FIXED);
    assert!(stdout.contains("Fixed 0 findings ("), "{stdout}");
    let (code, diff, stderr) = run(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!((code, diff.as_str()), (0, ""), "{stderr}");
    assert!(stderr.contains("Would fix 0 findings."), "{stderr}");
}

#[test]
fn diff_prints_the_change_and_leaves_the_file() {
    let dir = project(BROKEN);
    let (code, stdout, stderr) = run(dir.path(), &["--diff"]);
    assert_eq!(read(dir.path()), BROKEN);
    assert_eq!(code, 1, "something to fix: {stderr}");
    assert!(stdout.starts_with("--- a/"), "{stdout}");
    assert!(stdout.contains("\n-MAINTAINER me\n"), "{stdout}");
    assert!(stdout.contains("\n+LABEL maintainer=\"me\"\n"), "{stdout}");
    assert!(
        !stdout.contains("no-install-recommends"),
        "unsafe: {stdout}"
    );
    assert!(stderr.contains("Would fix 4 findings."), "{stderr}");
    let (_, with_unsafe, _) = run(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert!(
        with_unsafe.contains("--no-install-recommends"),
        "{with_unsafe}"
    );
    assert_eq!(read(dir.path()), BROKEN);
}

#[test]
fn unsafe_fixes_alone_is_a_usage_error() {
    let dir = project(BROKEN);
    let (code, _, stderr) = run(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(read(dir.path()), BROKEN);
}

#[test]
fn silenced_findings_are_not_fixed() {
    let dir = tree(&[
        (
            "Dockerfile",
            "FROM debian:12\n# dockgate ignore=DL4000\nMAINTAINER me\nRUN apt-get install -y curl=1\nCMD python app.py\nUSER 10001\n",
        ),
        ("dockgate.yml", "rules:\n  DL3025: off\n"),
    ]);
    let before = read(dir.path());
    let (_, stdout, stderr) = run(dir.path(), &["--fix", "--unsafe-fixes"]);
    let after = read(dir.path());
    assert!(after.contains("MAINTAINER me"), "pragma: {after}");
    assert!(after.contains("CMD python app.py"), "off: {after}");
    assert!(
        after.contains("--no-install-recommends"),
        "{stdout}{stderr}"
    );
    assert_ne!(before, after);
}

#[test]
fn line_endings_byte_order_mark_and_permissions_are_kept() {
    let crlf = BROKEN.replace('\n', "\r\n");
    let dir = tree(&[("app.txt", "hi\n")]);
    let path = dir.path().join("Dockerfile");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(crlf.as_bytes());
    fs::write(&path, &bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let (_, stdout, stderr) = run(dir.path(), &["--fix", "--unsafe-fixes"]);
    let fixed = fs::read(&path).unwrap();
    let mut expected = b"\xEF\xBB\xBF".to_vec();
    expected.extend_from_slice(ALL_FIXED.replace('\n', "\r\n").as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&fixed),
        String::from_utf8_lossy(&expected),
        "{stdout}{stderr}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().contains("dockgate-fix"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn files_that_are_not_utf8_are_left_alone() {
    let dir = tree(&[]);
    let path = dir.path().join("Dockerfile");
    let bytes = b"FROM debian:12\nMAINTAINER \xFFme\n".to_vec();
    fs::write(&path, &bytes).unwrap();
    let (_, _, stderr) = run(dir.path(), &["--fix"]);
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert!(
        stderr.contains("only UTF-8 files are rewritten"),
        "{stderr}"
    );
}

#[test]
fn check_fixes_too() {
    let dir = project(BROKEN);
    let output = dockgate(dir.path())
        .args(["check", "--fix", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(read(dir.path()), SAFE_FIXED);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["fixes"]["fixed"], 4, "{json:#}");
}

#[test]
fn a_fix_that_would_add_a_finding_is_refused_and_reported() {
    // `apt` -> `apt-get` (DL3027's safe fix) would let DL3008 see the unpinned package.
    let source = "FROM debian:12\nRUN apt install -y --no-install-recommends curl\nUSER 10001\n";
    let dir = project(source);
    let (_, stdout, stderr) = run(dir.path(), &["--fix", "--format", "json"]);
    assert_eq!(read(dir.path()), source);
    assert!(
        stderr.contains("DL3027 fix `Use `apt-get`` not applied: it would add a DL3008 finding"),
        "{stderr}"
    );
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["fixes"]["fixed"], 0, "{json:#}");
    assert_eq!(json["fixes"]["refused"][0]["rule"], "DL3027", "{json:#}");
    assert_eq!(json["fixes"]["refused"][0]["line"], 2, "{json:#}");
    assert!(rules_of(&json).contains(&"DL3027"));
}

#[test]
fn rules_code_names_the_fix_and_its_applicability() {
    let dir = tree(&[]);
    let output = dockgate(dir.path())
        .args(["rules", "DL3020"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(
        page.contains("\nFix (safe): Replace `ADD` with `COPY`\n"),
        "{page}"
    );
    let output = dockgate(dir.path())
        .args(["rules", "DL3009"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(
        page.contains("\nFix (unsafe): Remove the apt lists at the end of the RUN\n"),
        "{page}"
    );
    assert!(page.contains("From: hadolint"), "{page}");
}
