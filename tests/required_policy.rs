//! Issue 14 through the binary: a required organisation policy no repository policy
//! can remove (`--required-policy`), the review of a change to the policy against a
//! git revision (`--policy-base`, DG0004), the exceptions a change adds, and
//! `max_exception_days`. The `--policy-base` cases build real git repositories in
//! temp dirs: commit the base, change the working tree, run.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;
use support::fake_github::FakeGithub;
use support::{dockgate, tree, write};
use tempfile::TempDir;

/// A run's exit code, JSON report (`Null` when there is none) and stderr.
struct Outcome {
    code: i32,
    report: Value,
    stderr: String,
}

impl Outcome {
    /// The findings as `RULE SEVERITY PATH:LINE MESSAGE`.
    fn findings(&self) -> Vec<String> {
        self.report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|finding| {
                format!(
                    "{} {} {}:{} {}",
                    finding["rule"].as_str().unwrap(),
                    finding["severity"].as_str().unwrap(),
                    finding["path"].as_str().unwrap(),
                    finding["line"],
                    finding["message"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// The DG0004 findings as `PATH:LINE MESSAGE`, without the `(against REF)` tail.
    fn weakenings(&self) -> Vec<String> {
        self.findings()
            .iter()
            .filter_map(|finding| finding.strip_prefix("DG0004 "))
            .map(|rest| {
                let (_, rest) = rest.split_once(' ').unwrap();
                rest.trim_end_matches(" (against base)").to_string()
            })
            .collect()
    }
}

fn run(dir: &Path, args: &[&str]) -> Outcome {
    let output = dockgate(dir).args(args).output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        report: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const ORG: &str = "rules:\n  DL3007: error\nlocked: [rules.DL3007]\n";
// With a non-root USER, so that only the rules the policies name fire.
const LATEST: &str = "FROM python:latest\nUSER 10001\n";

// ---------------------------------------------------------------- --required-policy

/// Issue 14's first "Done when": the repository's own policy turns DL3007 off without
/// extending anything; with the organisation's policy required, the lock holds on every
/// gating command (exit 2 naming both files), without it the repository passes.
#[test]
fn a_required_policy_holds_its_locks_over_a_repository_policy_that_extends_nothing() {
    let dir = tree(&[
        ("org.yml", ORG),
        ("dockgate.yml", "rules:\n  DL3007: off\n"),
        ("Dockerfile", LATEST),
    ]);
    let free = run(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(free.code, 0, "{}", free.stderr);
    assert!(free.findings().is_empty(), "{:?}", free.findings());
    for command in [
        vec!["lint"],
        vec!["check"],
        vec!["image", "oci:does-not-matter"],
        vec!["policy", "show"],
        vec!["policy", "validate"],
    ] {
        let mut args = command.clone();
        args.extend(["--required-policy", "org.yml"]);
        let outcome = run(dir.path(), &args);
        assert_eq!(outcome.code, 2, "{command:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(
                "dockgate.yml:2:3: `rules.DL3007` is locked by the required policy org.yml:3:10; it cannot be turned off"
            ),
            "{command:?}: {}",
            outcome.stderr
        );
    }
}

/// The platform team: the organisation's policy lives in another repository.
/// The pull request deletes the repository's `extends:` line in the same change that
/// adds `FROM python:latest`; the required remote policy still holds.
#[test]
fn a_remote_required_policy_holds_when_the_repository_stops_extending_it() {
    let github = FakeGithub::start();
    github.put_file("acme", "policies", "container.yml", "v1", ORG);
    let remote = "github:acme/policies/container.yml@v1";
    let dir = tree(&[("dockgate.yml", "fail_on: error\n"), ("Dockerfile", LATEST)]);
    let lint = |args: &[&str]| {
        let output = dockgate(dir.path())
            .env("GITHUB_API_URL", &github.url)
            .env("GITHUB_TOKEN", &github.token)
            .args(["lint", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        (
            output.status.code(),
            report["findings"][0]["severity"].clone(),
        )
    };
    assert_eq!(
        lint(&[]),
        (Some(0), Value::from("warning")),
        "passes, as today"
    );
    assert_eq!(
        lint(&["--required-policy", remote]),
        (Some(1), Value::from("error"))
    );
    assert!(
        github.requests().iter().any(|request| request
            .path
            .contains("/repos/acme/policies/contents/container.yml")),
        "{:?}",
        github.requests()
    );
}

#[test]
fn a_repository_without_a_policy_file_gets_the_required_policy_alone() {
    // `builtin:recommended` (fail_on: warning) on top would break this lock.
    let dir = tree(&[
        (
            "org.yml",
            "fail_on: info\nrules:\n  DL3007: error\nlocked: [fail_on, rules.DL3007]\n",
        ),
        ("Dockerfile", LATEST),
    ]);
    let outcome = run(
        dir.path(),
        &["lint", "--format", "json", "--required-policy", "org.yml"],
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome
            .findings()
            .iter()
            .any(|finding| finding.starts_with("DL3007 error Dockerfile:1 ")),
        "{:?}",
        outcome.findings()
    );
    let plain = run(dir.path(), &["lint", "--format", "json"]);
    assert!(
        plain
            .findings()
            .iter()
            .any(|finding| finding.starts_with("DL3007 warning ")),
        "{:?}",
        plain.findings()
    );
}

/// A repository may tighten, and may extend the required policy itself: it is applied
/// once, at the bottom.
#[test]
fn a_repository_policy_tightens_on_top_of_the_required_one_and_may_extend_it_too() {
    let dir = tree(&[
        ("org.yml", ORG),
        (
            "dockgate.yml",
            "extends: [./org.yml]\nrules:\n  DL3006: error\n  DL3007: error\n",
        ),
        (
            "Dockerfile",
            "FROM python:latest\nFROM debian\nUSER 10001\n",
        ),
    ]);
    let outcome = run(
        dir.path(),
        &["lint", "--format", "json", "--required-policy", "org.yml"],
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let findings = outcome.findings();
    assert!(findings.iter().any(|f| f.starts_with("DL3007 error ")));
    assert!(findings.iter().any(|f| f.starts_with("DL3006 error ")));
    let shown = dockgate(dir.path())
        .args(["policy", "show", "--required-policy", "org.yml"])
        .output()
        .unwrap();
    assert!(shown.status.success());
    let text = String::from_utf8(shown.stdout).unwrap();
    assert_eq!(
        text.matches("#   org.yml").count(),
        1,
        "applied once:\n{text}"
    );
    assert!(
        text.contains("#   org.yml  (required: --required-policy)"),
        "{text}"
    );
    assert!(text.contains("#   dockgate.yml\n"), "{text}");
    // The repository's value wins; the lock is the required policy's.
    assert!(
        text.contains("severity: error  # dockgate.yml:4:3\n"),
        "{text}"
    );
    assert!(
        text.contains("- rules.DL3007  # org.yml:3:10 (required)"),
        "{text}"
    );
}

#[test]
fn required_policies_are_repeatable_and_each_one_s_locks_hold() {
    let dir = tree(&[
        ("org.yml", ORG),
        (
            "security.yml",
            "image:\n  max_size: 100MB\nlocked: [image.max_size]\n",
        ),
        ("dockgate.yml", "image:\n  max_size: 1GB\n"),
        ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
    ]);
    let outcome = run(
        dir.path(),
        &[
            "lint",
            "--required-policy",
            "org.yml",
            "--required-policy",
            "security.yml",
        ],
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains(
            "dockgate.yml:2:3: `image.max_size` is locked by the required policy security.yml:3:10; it cannot be raised from 100MB to 1GB"
        ),
        "{}",
        outcome.stderr
    );
    let missing = run(dir.path(), &["lint", "--required-policy", "nowhere.yml"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nowhere.yml:1:1: no such file"),
        "{}",
        missing.stderr
    );
}

// ---------------------------------------------------------------- --policy-base

fn git(dir: &Path, args: &[&str]) {
    let status = Process::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A git repository whose commit tagged `base` holds `files`; the working tree is then
/// changed to `changed` (a `None` text deletes the file).
fn repository(files: &[(&str, &str)], changed: &[(&str, Option<&str>)]) -> TempDir {
    let dir = tree(files);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "base"]);
    git(dir.path(), &["tag", "base"]);
    for (path, text) in changed {
        match text {
            Some(text) => write(dir.path(), path, text),
            None => fs::remove_file(dir.path().join(path)).unwrap(),
        }
    }
    dir
}

/// `dockgate lint --format json --policy-base base` in [`repository`]`(files, changed)`.
fn reviewed(files: &[(&str, &str)], changed: &[(&str, Option<&str>)]) -> Outcome {
    reviewed_with(&[], files, changed)
}

/// [`reviewed`] with more arguments.
fn reviewed_with(
    args: &[&str],
    files: &[(&str, &str)],
    changed: &[(&str, Option<&str>)],
) -> Outcome {
    let dir = repository(files, changed);
    let mut all = vec!["lint", "--format", "json", "--policy-base", "base"];
    all.extend(args);
    run(dir.path(), &all)
}

/// [`reviewed`] with a repository whose policy is `base` at the base and `head` in the
/// working tree.
fn review(base: &str, head: &str) -> Outcome {
    reviewed(
        &[
            ("dockgate.yml", base),
            ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
        ],
        &[("dockgate.yml", Some(head))],
    )
}

/// Issue 14's second "Done when": a rule turned off is reported on its line.
#[test]
fn a_rule_turned_off_is_a_finding_on_its_line() {
    let outcome = review(
        "pragmas: allowed\nrules:\n  DL3007: error\n",
        "pragmas: allowed\nrules:\n  DL3007: off\n",
    );
    assert_eq!(
        outcome.findings(),
        ["DG0004 warning dockgate.yml:3 DL3007 turned off (was error) (against base)"]
    );
    let finding = &outcome.report["findings"][0];
    assert_eq!(
        (finding["column"].as_u64(), finding["end_column"].as_u64()),
        (Some(3), Some(14))
    );
    assert_eq!(
        outcome.report["policy_changes"]["weakenings"][0]["setting"],
        "rules.DL3007"
    );
    // A warning fails under the default threshold.
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
}

#[test]
fn a_change_that_only_tightens_reports_nothing() {
    let base = "rules:\n  DL3007: warning\nimage:\n  max_size: 1GB\n  allowed_users: [\"1000\", \"1001\"]\nbase_images:\n  deny: [docker.io/library/centos]\n";
    let head = "fail_on: info\npragmas: forbidden\nrules:\n  DL3007: error\n  DL3006: error\nimage:\n  max_size: 200MB\n  numeric_user: true\n  allowed_users: [\"1000\"]\nbase_images:\n  deny: [docker.io/library/centos, docker.io/library/ubuntu]\nlocked: [rules.DL3007]\nmax_exception_days: 30\n";
    let outcome = review(base, head);
    assert!(outcome.findings().is_empty(), "{:?}", outcome.findings());
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.report["policy_changes"]["base"], "base");
    assert_eq!(
        outcome.report["policy_changes"]["weakenings"],
        Value::Array(Vec::new())
    );
    // The text report says so.
    let dir = repository(&[("dockgate.yml", base)], &[("dockgate.yml", Some(head))]);
    let text = dockgate(dir.path())
        .args(["lint", "--policy-base", "base"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Policy against base: not weakened."),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
}

/// Each kind of weakening, one change at a time: the message and the line it is on.
#[test]
fn every_kind_of_weakening_is_reported_with_what_it_was() {
    let exception = |rules: &str, scope: &str, expires: &str| {
        format!(
            "exceptions:\n  - rules: [{rules}]\n{scope}    owner: \"@acme/payments\"\n    reason: migrating\n    expires: {expires}\n"
        )
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, String, String, Vec<&str>)> = vec![
        ("rule lowered",
         "rules:\n  DL3007: error\n".into(), "rules:\n  DL3007: info\n".into(),
         vec!["dockgate.yml:2 DL3007 lowered from error to info"]),
        ("rule entry deleted (back to its default), placed on `rules:`",
         "rules:\n  DL3006: info\n  DL3007: error\n".into(), "rules:\n  DL3006: info\n".into(),
         vec!["dockgate.yml:1 DL3007 lowered from error to warning"]),
        ("override turning a rule off",
         "{}\n".into(), "overrides:\n  - paths: [\"legacy/**\"]\n    rules:\n      DL3007: off\n".into(),
         vec!["dockgate.yml:4 DL3007 turned off (was warning) for legacy/**"]),
        ("override that made a rule stricter removed",
         "overrides:\n  - paths: [\"svc/**\"]\n    rules:\n      DL3007: error\n".into(), "overrides: []\n".into(),
         vec!["dockgate.yml:1 DL3007 lowered from error to warning for svc/** (its override is gone)"]),
        ("budget raised",
         "image:\n  max_size: 200MB\n".into(), "image:\n  max_size: 1GB\n".into(),
         vec!["dockgate.yml:2 `image.max_size` raised from 200MB to 1GB"]),
        ("budget removed",
         "image:\n  max_layers: 20\n  non_root: true\n".into(), "image:\n  non_root: true\n".into(),
         vec!["dockgate.yml:1 `image.max_layers` removed (was 20)"]),
        ("requirement switched off",
         "image:\n  non_root: true\n".into(), "image:\n  non_root: false\n".into(),
         vec!["dockgate.yml:2 `image.non_root` switched off"]),
        ("allowlist widened",
         "base_images:\n  allow: [\"docker.io/library/*\"]\n".into(), "base_images:\n  allow: [\"docker.io/library/*\", \"**\"]\n".into(),
         vec!["dockgate.yml:2 `base_images.allow` `**` added"]),
        ("denylist shortened",
         "base_images:\n  deny: [docker.io/library/centos]\n".into(), "base_images:\n  deny: []\n".into(),
         vec!["dockgate.yml:2 `base_images.deny` `docker.io/library/centos` removed"]),
        ("required label dropped",
         "labels:\n  required:\n    org.opencontainers.image.source: url\n".into(), "labels:\n  strict: false\n".into(),
         vec!["dockgate.yml:1 `labels.required` org.opencontainers.image.source no longer required"]),
        ("fail_on raised",
         "fail_on: warning\n".into(), "fail_on: error\n".into(),
         vec!["dockgate.yml:1 `fail_on` raised from warning to error"]),
        ("pragmas relaxed",
         "pragmas: forbidden\n".into(), "pragmas: reason-required\n".into(),
         vec!["dockgate.yml:1 `pragmas` relaxed from forbidden to reason-required"]),
        ("max_exception_days raised",
         "max_exception_days: 30\n".into(), "max_exception_days: 365\n".into(),
         vec!["dockgate.yml:1 `max_exception_days` raised from 30 to 365"]),
        ("Dockerfiles excluded",
         "{}\n".into(), "files:\n  exclude: [\"legacy/**\"]\n".into(),
         vec!["dockgate.yml:2 `files.exclude` `legacy/**` added: fewer Dockerfiles checked"]),
        ("Dockerfiles no longer included",
         "files:\n  include: [\"**/Dockerfile\", \"**/*.Dockerfile\"]\n".into(), "files:\n  include: [\"**/Dockerfile\"]\n".into(),
         vec!["dockgate.yml:2 `files.include` `**/*.Dockerfile` removed: fewer Dockerfiles checked"]),
        ("Dockerfiles selected",
         "{}\n".into(), "files:\n  include: [\"svc/**\"]\n".into(),
         vec!["dockgate.yml:2 `files.include` set to svc/**: only those Dockerfiles checked"]),
        ("image no longer checked",
         "images: [\"docker-daemon:acme/web:ci\"]\n".into(), "images: []\n".into(),
         vec!["dockgate.yml:1 image `docker-daemon:acme/web:ci` no longer checked"]),
        ("ShellCheck switched off",
         "{}\n".into(), "shellcheck:\n  enabled: false\n".into(),
         vec!["dockgate.yml:2 ShellCheck switched off"]),
        ("exception added",
         "{}\n".into(), exception("DL3007", "    paths: [nightly/Dockerfile]\n", "2999-06-30"),
         vec!["dockgate.yml:2 exception added: DL3007 in nightly/Dockerfile, owner @acme/payments, expires 2999-06-30: migrating"]),
        ("exception extended: later expiry, every path",
         exception("DL3007", "    paths: [nightly/Dockerfile]\n", "2999-06-30"), exception("DL3007", "", "2999-12-31"),
         vec!["dockgate.yml:2 exception extended (paths now every one, expiry 2999-06-30 -> 2999-12-31): DL3007 everywhere, owner @acme/payments, expires 2999-12-31: migrating"]),
        ("exception extended: more rules",
         exception("DL3007", "", "2999-06-30"), exception("DL3007, DL3008", "", "2999-06-30"),
         vec!["dockgate.yml:2 exception extended (rules DL3008 added): DL3007, DL3008 everywhere, owner @acme/payments, expires 2999-06-30: migrating"]),
        ("locked entry removed",
         "rules:\n  DL3007: error\nlocked: [rules.DL3007]\n".into(), "rules:\n  DL3007: error\n".into(),
         vec!["dockgate.yml:1 `rules.DL3007` no longer locked (was locked by dockgate.yml:3)"]),
    ];
    let mut failures = Vec::new();
    for (name, base, head, expected) in &cases {
        let outcome = review(base, head);
        let found = outcome.weakenings();
        if found != *expected || outcome.code == 2 {
            failures.push(format!(
                "{name}: expected {expected:?}, found {found:?} (exit {}, {})",
                outcome.code, outcome.stderr
            ));
        }
        // Undoing the change is a tightening: nothing to report.
        let undone = review(head, base);
        if !undone.weakenings().is_empty() && !name.starts_with("exception") {
            failures.push(format!("{name}, undone: {:?}", undone.weakenings()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A removed `extends` entry is the removal itself plus each weakening it causes
/// (compared merged), and a change to an extended local file is read at the base too.
#[test]
fn extends_removed_and_extended_files_changed_are_compared_merged() {
    let team = "rules:\n  DL3007: error\n  DL3008: error\nimage:\n  max_size: 100MB\nlocked: [rules.DL3007]\n";
    let base = "extends: [./ci/team.yml]\nrules:\n  DL3006: error\n";
    let outcome = reviewed(
        &[("ci/team.yml", team), ("dockgate.yml", base)],
        &[("dockgate.yml", Some("rules:\n  DL3006: error\n"))],
    );
    assert_eq!(
        outcome.weakenings(),
        [
            "dockgate.yml:1 DL3007 lowered from error to warning",
            "dockgate.yml:1 DL3008 lowered from error to warning",
            "dockgate.yml:1 `image.max_size` removed (was 100MB)",
            "dockgate.yml:1 `rules.DL3007` no longer locked (was locked by ci/team.yml:6)",
            "dockgate.yml:1 `ci/team.yml` no longer extended by dockgate.yml: nothing it sets or locks applies",
        ],
        "{}",
        outcome.stderr
    );
    // The extended file changed instead: the finding is on its line there.
    let outcome = reviewed(
        &[("ci/team.yml", team), ("dockgate.yml", base)],
        &[(
            "ci/team.yml",
            Some(&team.replace("DL3008: error", "DL3008: warning")),
        )],
    );
    assert_eq!(
        outcome.weakenings(),
        ["ci/team.yml:3 DL3008 lowered from error to warning"]
    );
}

#[test]
fn a_policy_file_deleted_or_added_by_the_change() {
    // Deleted: everything it set is gone, and so is the file.
    let outcome = reviewed(
        &[
            ("dockgate.yml", "rules:\n  DL3007: error\n"),
            ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
        ],
        &[("dockgate.yml", None)],
    );
    assert_eq!(
        outcome.weakenings(),
        [
            "dockgate.yml:1 DL3007 lowered from error to warning",
            "dockgate.yml:1 `dockgate.yml` no longer applies: the repository's policy at the base, gone",
        ],
        "{}",
        outcome.stderr
    );
    // Added: compared with what the base ran without one, `builtin:recommended`.
    let outcome = reviewed(
        &[("Dockerfile", "FROM debian:12-slim\nUSER 10001\n")],
        &[(
            "dockgate.yml",
            Some("rules:\n  DL3007: off\n  DL3006: error\n"),
        )],
    );
    assert_eq!(
        outcome.weakenings(),
        ["dockgate.yml:2 DL3007 turned off (was warning)"],
        "{}",
        outcome.stderr
    );
    // Named with --config and absent at the base: the same.
    let dir = repository(
        &[("Dockerfile", "FROM debian:12-slim\nUSER 10001\n")],
        &[("ci/policy.yml", Some("rules:\n  DL3007: off\n"))],
    );
    let outcome = run(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--config",
            "ci/policy.yml",
            "--policy-base",
            "base",
        ],
    );
    assert_eq!(
        outcome.weakenings(),
        ["ci/policy.yml:2 DL3007 turned off (was warning)"],
        "{}",
        outcome.stderr
    );
}

/// hadolint's configuration, where it is the policy, is reviewed the same way, each
/// finding at its place in the hadolint file.
#[test]
fn a_hadolint_configuration_is_reviewed_too() {
    let outcome = reviewed(
        &[
            (".hadolint.yaml", "ignored: [DL3008]\n"),
            ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
        ],
        &[(".hadolint.yaml", Some("ignored: [DL3008, DL3007]\n"))],
    );
    assert_eq!(
        outcome.weakenings(),
        [".hadolint.yaml:1 DL3007 turned off (was warning)"],
        "{}",
        outcome.stderr
    );
    let finding = &outcome.report["findings"][0];
    assert_eq!(finding["column"], 19, "{finding}");
}

#[test]
fn a_base_that_is_not_a_commit_or_not_in_git_is_an_error() {
    let dir = repository(&[("dockgate.yml", "{}\n")], &[]);
    let outcome = run(dir.path(), &["lint", "--policy-base", "no-such-branch"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .contains("--policy-base no-such-branch: no such commit"),
        "{}",
        outcome.stderr
    );
    let option = run(dir.path(), &["lint", "--policy-base=--help"]);
    assert_eq!(option.code, 2);
    let plain = TempDir::new().unwrap();
    write(
        plain.path(),
        "Dockerfile",
        "FROM debian:12-slim\nUSER 10001\n",
    );
    let outcome = run(plain.path(), &["lint", "--policy-base", "main"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("is not in a git repository"),
        "{}",
        outcome.stderr
    );
}

/// A base whose policy does not load gated nothing: the change (here, the one that
/// brings the repository in line with a lock the organisation added) is reviewed
/// against the default instead of being blocked, with a warning that names the error.
#[test]
fn a_base_whose_policy_does_not_load_is_reviewed_against_the_default() {
    let outcome = reviewed_with(
        &["--required-policy", "org.yml"],
        &[
            ("dockgate.yml", "rules:\n  DL3007: off\n  DL3006: error\n"),
            ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
        ],
        &[
            ("dockgate.yml", Some("rules:\n  DL3006: info\n")),
            ("org.yml", Some(ORG)),
        ],
    );
    assert!(
        outcome.stderr.contains(
            "dockgate: warning: the policy at --policy-base base does not load (dockgate.yml:2:3: `rules.DL3007` is locked by the required policy org.yml:3:10; it cannot be turned off): the change is reviewed against the required policies alone"
        ),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        outcome.weakenings(),
        ["dockgate.yml:2 DL3006 lowered from warning to info"]
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
}

/// A change cannot mute its own review: DG0004 has the base's severity, and the run is
/// judged by the stricter of the base's and the working tree's `fail_on`.
#[test]
fn the_change_under_review_cannot_silence_or_pass_its_own_review() {
    let outcome = review(
        "rules:\n  DG0004: error\n  DL3007: error\n",
        "fail_on: never\nrules:\n  DG0004: off\n  DL3007: off\n",
    );
    let findings = outcome.findings();
    assert!(
        findings.contains(
            &"DG0004 error dockgate.yml:3 DG0004 turned off (was error) (against base)".to_string()
        ) && findings.contains(
            &"DG0004 error dockgate.yml:4 DL3007 turned off (was error) (against base)".to_string()
        ) && findings.contains(
            &"DG0004 error dockgate.yml:1 `fail_on` raised from warning to never (against base)"
                .to_string()
        ),
        "{findings:?}"
    );
    assert_eq!(outcome.code, 1, "the base's threshold, warning, applies");
    // Without a review the working tree's policy is the policy, as before.
    let dir = repository(
        &[("dockgate.yml", "fail_on: never\nrules:\n  DL3007: off\n")],
        &[],
    );
    let outcome = run(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(outcome.code, 0);
}

/// A `pull_request_target` run has the untrusted head in its working tree: the base's
/// policy applies, the head's is only reviewed, and an exception it adds waives nothing.
#[test]
fn in_a_pull_request_target_run_the_base_s_policy_applies() {
    let head = "rules:\n  DL3007: off\n";
    let dir = repository(
        &[
            ("dockgate.yml", "rules:\n  DL3007: error\n"),
            ("Dockerfile", LATEST),
        ],
        &[("dockgate.yml", Some(head))],
    );
    let args = ["lint", "--format", "json", "--policy-base", "base"];
    let outcome = |event: &str| {
        let output = dockgate(dir.path())
            .env("GITHUB_EVENT_NAME", event)
            .args(args)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let rules: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| format!("{} {}", finding["rule"], finding["severity"]))
            .collect();
        (
            output.status.code(),
            rules,
            report["policy_changes"]["applied"].clone(),
        )
    };
    assert_eq!(
        outcome("pull_request"),
        (
            Some(1),
            vec!["\"DG0004\" \"warning\"".to_string()],
            Value::from("working-tree")
        )
    );
    assert_eq!(
        outcome("pull_request_target"),
        (
            Some(1),
            vec![
                "\"DL3007\" \"error\"".to_string(),
                "\"DG0004\" \"warning\"".to_string()
            ],
            Value::from("base")
        )
    );
    // Without --policy-base there is no base to apply: the working tree's, as before.
    let output = dockgate(dir.path())
        .env("GITHUB_EVENT_NAME", "pull_request_target")
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

/// The exceptions a change adds are listed with who answers for them.
#[test]
fn exceptions_the_change_adds_are_listed_with_owner_reason_and_expiry() {
    let head = "exceptions:\n  - rules: [DL3007]\n    paths: [nightly/Dockerfile]\n    owner: \"@acme/release\"\n    reason: the nightly image tracks latest\n    expires: 2999-06-30\n";
    let dir = repository(
        &[("dockgate.yml", "{}\n"), ("nightly/Dockerfile", LATEST)],
        &[("dockgate.yml", Some(head))],
    );
    let outcome = run(
        dir.path(),
        &["lint", "--format", "json", "--policy-base", "base"],
    );
    assert_eq!(
        outcome.report["policy_changes"]["exceptions"],
        serde_json::json!([{
            "change": "added",
            "rules": ["DL3007"],
            "paths": ["nightly/Dockerfile"],
            "owner": "@acme/release",
            "reason": "the nightly image tracks latest",
            "expires": "2999-06-30",
            "path": "dockgate.yml",
            "line": 2
        }])
    );
    // The exception waives DL3007 in this run (the working tree's policy applies); its
    // addition is a warning for the reviewer.
    assert_eq!(
        outcome.findings(),
        [
            "DG0004 warning dockgate.yml:2 exception added: DL3007 in nightly/Dockerfile, owner @acme/release, expires 2999-06-30: the nightly image tracks latest (against base)"
        ]
    );
    let text = dockgate(dir.path())
        .args(["lint", "--policy-base", "base"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Exceptions this change adds or extends:\n  dockgate.yml:2: added DL3007 in nightly/Dockerfile: owner @acme/release, expires 2999-06-30, reason: the nightly image tracks latest\n"),
        "{text}"
    );
}

/// With both flags, the required layer is under both sides: read once, from the working
/// tree (here it is not even in the base's commit), its settings are no change, and its
/// DG0004 severity is the one both sides have.
#[test]
fn the_required_policy_is_under_the_base_and_the_working_tree() {
    let org = "rules:\n  DG0004: error\n  DL3008: error\nlocked: [rules.DG0004]\n";
    let outcome = reviewed_with(
        &["--required-policy", "org.yml"],
        &[("dockgate.yml", "rules:\n  DL3007: error\n")],
        &[
            ("dockgate.yml", Some("rules:\n  DL3007: warning\n")),
            ("org.yml", Some(org)),
        ],
    );
    assert_eq!(
        outcome.findings(),
        ["DG0004 error dockgate.yml:2 DL3007 lowered from error to warning (against base)"],
        "{}",
        outcome.stderr
    );
}

/// A repository that extends the required policy by path gets the working tree's copy
/// at the base too (not one read at the base, where the organisation's file may not
/// be), and the rest of its chain is read at the base as usual.
#[test]
fn a_required_policy_the_repository_extends_is_the_same_file_at_the_base() {
    let outcome = reviewed_with(
        &["--required-policy", "org.yml"],
        &[
            (
                "dockgate.yml",
                "extends: [./org.yml]\nrules:\n  DL3006: error\n",
            ),
            ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
        ],
        &[
            ("org.yml", Some(ORG)),
            (
                "dockgate.yml",
                Some("extends: [./org.yml]\nrules:\n  DL3006: info\n"),
            ),
        ],
    );
    assert!(!outcome.stderr.contains("warning"), "{}", outcome.stderr);
    assert_eq!(
        outcome.weakenings(),
        ["dockgate.yml:3 DL3006 lowered from error to info"]
    );
}

// ---------------------------------------------------------------- max_exception_days

#[test]
fn an_exception_beyond_max_exception_days_is_refused_at_its_expiry() {
    let dir = tree(&[
        (
            "org.yml",
            "max_exception_days: 90\nlocked: [max_exception_days]\n",
        ),
        (
            "dockgate.yml",
            "exceptions:\n  - rules: [DL3007]\n    owner: \"@acme/one\"\n    reason: later\n    expires: 2999-12-31\n",
        ),
        ("Dockerfile", LATEST),
    ]);
    let outcome = run(dir.path(), &["lint", "--required-policy", "org.yml"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.starts_with(
            "dockgate.yml:5:5: the exception for DL3007 expires 2999-12-31, more than 90 days from today ("
        ) && outcome
            .stderr
            .contains("(max_exception_days: 90 at org.yml:1:1)"),
        "{}",
        outcome.stderr
    );
    // The repository cannot raise the organisation's limit.
    write(
        dir.path(),
        "dockgate.yml",
        "max_exception_days: 100000000\n",
    );
    let outcome = run(dir.path(), &["lint", "--required-policy", "org.yml"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains(
            "dockgate.yml:1:1: `max_exception_days` is locked by the required policy org.yml:2:10; it cannot be raised from 90 to 100000000"
        ),
        "{}",
        outcome.stderr
    );
    // Within the limit the exception waives as before.
    write(
        dir.path(),
        "dockgate.yml",
        "exceptions:\n  - rules: [DL3007]\n    owner: \"@acme/one\"\n    reason: later\n    expires: 2000-01-01\n",
    );
    let outcome = run(
        dir.path(),
        &["lint", "--format", "json", "--required-policy", "org.yml"],
    );
    assert!(
        outcome
            .findings()
            .iter()
            .any(|finding| finding.starts_with("DG0001 error dockgate.yml:2")),
        "an expired exception is reported, not refused: {:?} {}",
        outcome.findings(),
        outcome.stderr
    );
}
