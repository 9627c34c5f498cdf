//! The repository's `.pre-commit-hooks.yaml`, run by the real `pre-commit` (PyPI; with
//! `CI=true` a missing pre-commit fails these tests, without it they are skipped with a
//! banner). pre-commit installs hooks from a commit, so each test commits this checkout's
//! working tree into a temporary clone and points pre-commit at that. A fixture
//! repository with good Dockerfiles passes (and its README, which is not one, is never
//! linted); one with a bad Dockerfile fails and shows the finding.
//!
//! `dockgate-system` runs the dockgate this test suite built, through `pre-commit
//! try-repo`. `dockgate` (`language: rust`) is built from the commit by pre-commit's
//! `cargo install`, a release build: it shares this checkout's target directory, so it
//! reuses `cargo build --release` and the previous run's artifacts.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CLEAN: &str = "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n";
const UNTAGGED: &str = "FROM debian\nUSER 10001\nCMD [\"true\"]\n";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The directory holding the dockgate binary under test (`target/debug`).
fn binary_dir() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_dockgate")).parent().unwrap()
}

/// Whether `pre-commit` runs; with `CI=true` it must.
fn pre_commit_available() -> bool {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "pre-commit is not installed (scripts/setup installs it)"
    );
    eprintln!("=== SKIPPED: pre-commit is not installed (run scripts/setup) ===");
    false
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=dockgate tests",
            "-c",
            "user.email=tests@dockgate.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A clone of this checkout whose HEAD is its working tree: every tracked or new
/// (not ignored) file as it is now, deleted ones gone.
fn hooks_repository() -> tempfile::TempDir {
    let clone = tempfile::tempdir().unwrap();
    let source = root().to_str().unwrap();
    git(
        root(),
        &[
            "clone",
            "--quiet",
            "--no-hardlinks",
            source,
            clone.path().to_str().unwrap(),
        ],
    );
    let listed = git(
        root(),
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for file in listed.split('\0').filter(|file| !file.is_empty()) {
        let (from, to) = (root().join(file), clone.path().join(file));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        } else if to.is_file() {
            std::fs::remove_file(&to).unwrap();
        }
    }
    git(clone.path(), &["add", "--all"]);
    git(
        clone.path(),
        &["commit", "--quiet", "--allow-empty", "-m", "working tree"],
    );
    clone
}

/// A git repository holding `files`, staged (pre-commit's `--all-files` is what git tracks).
fn fixture_repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = support::tree(files);
    git(dir.path(), &["init", "--quiet"]);
    git(dir.path(), &["add", "--all"]);
    dir
}

fn good_repository() -> tempfile::TempDir {
    fixture_repository(&[
        ("Dockerfile", CLEAN),
        ("api/Containerfile", CLEAN),
        ("web/web.Dockerfile", CLEAN),
        // Not a Dockerfile by name: the hook's `files` pattern keeps it out.
        ("README.md", UNTAGGED),
    ])
}

fn bad_repository() -> tempfile::TempDir {
    fixture_repository(&[("Dockerfile", CLEAN), ("docker/app.Dockerfile", UNTAGGED)])
}

/// `pre-commit ARGS` in `repository`, with the tested dockgate first on PATH.
fn pre_commit(repository: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let path = std::env::join_paths(std::iter::once(binary_dir().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut command = Command::new("pre-commit");
    command
        .current_dir(repository)
        .args(args)
        .args(["--color", "never"])
        .env("PATH", path);
    for (name, value) in envs {
        command.env(name, value);
    }
    command.output().expect("pre-commit runs")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// The good repository passes with every Dockerfile linted; the bad one fails with
/// the finding shown.
fn assert_pass_and_fail(hook_name: &str, run: impl Fn(&Path) -> Output) {
    let shown = assert_hook_verdict(hook_name, &run(good_repository().path()), "Passed");
    let shown_bad = assert_hook_verdict(hook_name, &run(bad_repository().path()), "Failed");
    assert!(
        shown_bad.contains("docker/app.Dockerfile:1:6: DL3006 [warning] Always tag the version"),
        "the finding is shown:\n{shown_bad}"
    );
    assert!(
        !shown.contains("README.md"),
        "the README is not linted:\n{shown}"
    );
}

/// pre-commit's exit code and its line for the hook say `verdict` (Passed: 0, Failed:
/// 1; a hook with no file to check would say Skipped). Returns pre-commit's output.
fn assert_hook_verdict(hook_name: &str, output: &Output, verdict: &str) -> String {
    let shown = text(output);
    let code = if verdict == "Passed" { 0 } else { 1 };
    assert_eq!(
        output.status.code(),
        Some(code),
        "expected {verdict}:\n{shown}"
    );
    assert!(
        shown
            .lines()
            .any(|line| line.starts_with(hook_name) && line.ends_with(verdict)),
        "the hook's line says {verdict}:\n{shown}"
    );
    shown
}

#[test]
fn system_hook_passes_good_dockerfiles_and_fails_a_bad_one() {
    if !pre_commit_available() {
        return;
    }
    let hooks = hooks_repository();
    let hooks = hooks.path().to_str().unwrap();
    assert_pass_and_fail("dockgate (installed)", |repository| {
        pre_commit(
            repository,
            &["try-repo", hooks, "dockgate-system", "--all-files"],
            &[],
        )
    });
}

#[test]
fn rust_hook_builds_dockgate_from_source_and_lints() {
    if !pre_commit_available() {
        return;
    }
    let hooks = hooks_repository();
    let rev = git(hooks.path(), &["rev-parse", "HEAD"]);
    // A `.pre-commit-config.yaml` as a user writes it, and one pre-commit home for both
    // runs, so `cargo install` builds once.
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: dockgate\n",
        hooks.path().display(),
        rev.trim()
    );
    let home = tempfile::tempdir().unwrap();
    let target: PathBuf = binary_dir().parent().unwrap().to_path_buf();
    let envs = [
        ("PRE_COMMIT_HOME", home.path()),
        ("CARGO_TARGET_DIR", target.as_path()),
    ];
    assert_pass_and_fail("dockgate", |repository| {
        std::fs::write(repository.join(".pre-commit-config.yaml"), &config).unwrap();
        git(repository, &["add", ".pre-commit-config.yaml"]);
        pre_commit(repository, &["run", "--all-files"], &envs)
    });
}

#[test]
fn every_hook_is_a_valid_pre_commit_manifest_entry() {
    if !pre_commit_available() {
        return;
    }
    let output = Command::new("pre-commit")
        .current_dir(root())
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .output()
        .expect("pre-commit runs");
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn readme_example_is_a_valid_config_naming_this_repositorys_hooks() {
    if !pre_commit_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".pre-commit-config.yaml");
    std::fs::write(&config, support::readme_yaml_example("pre-commit")).unwrap();
    let output = Command::new("pre-commit")
        .arg("validate-config")
        .arg(&config)
        .output()
        .expect("pre-commit runs");
    assert!(output.status.success(), "{}", text(&output));

    let manifest: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = manifest
        .as_sequence()
        .unwrap()
        .iter()
        .map(|hook| hook["id"].as_str().unwrap())
        .collect();
    let example: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&support::readme_yaml_example("pre-commit")).unwrap();
    for hook in example["repos"][0]["hooks"].as_sequence().unwrap() {
        let id = hook["id"].as_str().unwrap();
        assert!(
            ids.contains(&id),
            "the README's hook `{id}` is one of {ids:?}"
        );
    }
    // The README's table lists every hook.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for id in &ids {
        assert!(
            readme.contains(&format!("| `{id}` |")),
            "the README's table lists `{id}`"
        );
    }
}
