//! Policy files end to end: validation errors, the three-level `extends` chain with a
//! remote policy served by a fake GitHub contents API, merge semantics, locks,
//! exceptions, pragmas, presets, the JSON Schema and the hadolint import.

mod support;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use dockgate::policy::{self, Choice, Date, GithubFetcher, Policy};
use support::fake_github::FakeGithub;
use support::{dockgate, write};
use tempfile::TempDir;

/// Runs `dockgate policy validate` on `policy` and returns (exit code, stderr).
fn validate(policy: &str) -> (i32, String) {
    validate_bytes(policy.as_bytes())
}

fn validate_bytes(policy: &[u8]) -> (i32, String) {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("dockgate.yml"), policy).unwrap();
    let output = dockgate(dir.path())
        .args(["policy", "validate"])
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `dockgate lint --format json ARGS`; returns the exit code, each finding
/// described by `fields` joined by spaces, and the whole report.
fn lint_findings(
    mut command: Command,
    args: &[&str],
    fields: &[&str],
) -> (i32, Vec<String>, serde_json::Value) {
    let output = command
        .args(["lint", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let described = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let parts: Vec<String> = fields
                .iter()
                .map(|field| match &finding[*field] {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            parts.join(" ")
        })
        .collect();
    (output.status.code().unwrap_or(-1), described, report)
}

#[track_caller]
fn assert_invalid(policy: &str, location: &str, message: &str) {
    let (code, stderr) = validate(policy);
    assert_eq!(code, 2, "{policy}\n{stderr}");
    let expected = if location.ends_with(':') {
        format!("dockgate.yml:{location}")
    } else {
        format!("dockgate.yml:{location}: ")
    };
    assert!(
        stderr.starts_with(&expected),
        "expected `{expected}...`, got:\n{stderr}"
    );
    assert!(
        stderr.contains(message),
        "expected `{message}` in:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn broken_policies_exit_2_with_file_line_column() {
    assert_invalid("rules: [a\n", "1:", "");
    assert_invalid("fial_on: error\n", "1:1", "unknown field `fial_on`");
    assert_invalid("fial_on: error\n", "1:1", "did you mean `fail_on`?");
    assert_invalid(
        "image:\n  max_szie: 1GB\n",
        "2:3",
        "did you mean `max_size`?",
    );
    assert_invalid(
        "rules:\n  DL3070: off\n",
        "2:3",
        "unknown rule `DL3070` (did you mean `DL3007`?)",
    );
    assert_invalid("rules:\n  DL3007: offf\n", "2:11", "did you mean `off`?");
    assert_invalid(
        "rules:\n  DL3007:\n    severty: error\n",
        "3:5",
        "unknown field `severty`",
    );
    assert_invalid(
        "image:\n  max_size: 200 parsecs\n",
        "2:13",
        "expected a size such as `200MB`",
    );
    assert_invalid(
        "image:\n  max_size: 200mb\n",
        "2:13",
        "unit `mb` is written `MB`",
    );
    assert_invalid("image:\n  non_root: maybe\n", "2:13", "image.non_root");
    assert_invalid("fail_on: critical\n", "1:10", "unknown variant `critical`");
    assert_invalid(
        "extends: [builtin:stict]\n",
        "1:11",
        "did you mean `strict`?",
    );
    assert_invalid(
        "extends: [./missing.yml]\n",
        "1:11",
        "cannot read `./missing.yml`: no such file",
    );
    assert_invalid(
        "extends: [github:acme/policies@v1]\n",
        "1:11",
        "expected `github:OWNER/REPO/PATH@REF`",
    );
    assert_invalid("files:\n  include: ['[z-a]']\n", "2:", "invalid glob");
    assert_invalid(
        "rules:\n  DL3026:\n    options:\n      trusted_registry: [x]\n",
        "4:7",
        "did you mean `trusted_registries`?",
    );
    assert_invalid(
        "rules:\n  DL3026:\n    options:\n      trusted_registries: docker.io\n",
        "4:7",
        "expects a list of globs",
    );
    assert_invalid(
        "locked: [image.max_szie]\n",
        "1:10",
        "did you mean `max_size`?",
    );
    assert_invalid(
        "exceptions:\n  - rules: [DL3007]\n    owner: me\n    expires: 2027-01-01\n",
        "2:",
        "missing field `reason`",
    );
    assert_invalid(
        "exceptions:\n  - rules: [DL3007]\n    owner: me\n    reason: x\n    expires: 2027-02-30\n",
        "5:14",
        "that month has 28 days",
    );
    assert_invalid("- just\n- a list\n", "1:1", "expected struct PolicyFile");
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    let (code, stderr) = validate_bytes(b"fail_on: error\n\xff\xfe\x00garbage");
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("dockgate.yml:2:1: not UTF-8 text"),
        "{stderr}"
    );
    let (code, stderr) = validate_bytes(&[0u8, 1, 2, 3, 0x1b, 0x7f]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("dockgate.yml:1:"), "{stderr}");
}

#[test]
fn an_empty_policy_is_valid() {
    assert_eq!(validate("# nothing yet\n").0, 0);
    assert_eq!(validate("").0, 0);
}

#[test]
fn two_policy_files_are_ambiguous() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "dockgate.yml", "fail_on: error\n");
    write(dir.path(), ".github/dockgate.yml", "fail_on: info\n");
    let output = dockgate(dir.path())
        .args(["policy", "validate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("two policy files"));
}

/// The organisation's policy, kept in acme/policies and served by the fake API.
const ORG_POLICY: &str = "\
fail_on: warning
rules:
  DL3007: error
  DL3026:
    options:
      trusted_registries: [docker.io, ghcr.io]
base_images:
  deny: ['docker.io/library/centos']
image:
  non_root: true
  max_size: 500MB
  allowed_ports: ['8080']
images: [docker-daemon:org-default:latest]
locked: [rules.DL3007, image.max_size, image.allowed_ports, fail_on]
";

/// The team's shared policy: a local file extending the organisation's.
const TEAM_POLICY: &str = "\
extends: [github:acme/policies/container.yml@v1]
rules:
  DL4000: warning
image:
  max_size: 300MB
  allowed_ports: {append: []}
images: [docker-daemon:team:latest]
";

/// The repository's own policy.
const REPO_POLICY: &str = "\
extends: [./shared/team.yml]
rules:
  DL3026:
    severity: warning
  DL4000: off
image:
  max_compressed_size: 100MB
images: {append: ['docker-daemon:app:pr']}
";

struct Chain {
    dir: TempDir,
    github: FakeGithub,
}

fn chain(repo_policy: &str) -> Chain {
    let github = FakeGithub::start();
    github.put_file("acme", "policies", "container.yml", "v1", ORG_POLICY);
    let dir = TempDir::new().unwrap();
    write(dir.path(), "shared/team.yml", TEAM_POLICY);
    write(dir.path(), "dockgate.yml", repo_policy);
    Chain { dir, github }
}

impl Chain {
    fn fetcher(&self) -> GithubFetcher {
        GithubFetcher::new(self.github.url.clone(), Some(self.github.token.clone()))
    }

    fn load(&self) -> Result<Policy, policy::PolicyError> {
        let path = self.dir.path().join("dockgate.yml");
        policy::load(
            &Choice::Explicit(path.display().to_string()),
            self.dir.path(),
            self.fetcher(),
        )
    }

    fn command(&self) -> Command {
        let mut command = dockgate(self.dir.path());
        command
            .env("GITHUB_API_URL", &self.github.url)
            .env("GITHUB_TOKEN", &self.github.token);
        command
    }
}

#[test]
fn three_level_chain_merges_as_documented() {
    let chain = chain(REPO_POLICY);
    let policy = chain.load().expect("the chain is valid");
    let names: Vec<&str> = policy.chain.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names.len(), 3);
    assert_eq!(names[0], "github:acme/policies/container.yml@v1");
    assert!(names[1].ends_with("shared/team.yml"), "{names:?}");
    assert!(names[2].ends_with("dockgate.yml"), "{names:?}");

    let settings = &policy.settings;
    let image = settings.image.as_ref().unwrap();
    // Scalars: the later file wins.
    assert_eq!(image.max_size.unwrap().to_string(), "300MB");
    // Maps merge key by key: the organisation's non_root survives, the repo adds a key.
    assert_eq!(image.non_root, Some(true));
    assert_eq!(image.max_compressed_size.unwrap().to_string(), "100MB");
    // A rule's map merges too: the repo's severity, the organisation's options.
    let rules = policy.rule_set("Dockerfile");
    let (severity, options) = rules.get("DL3026").unwrap();
    assert_eq!(severity.as_str(), "warning");
    assert_eq!(
        options["trusted_registries"],
        serde_json::json!(["docker.io", "ghcr.io"])
    );
    assert_eq!(rules.get("DL3007").unwrap().0.as_str(), "error");
    assert!(
        rules.get("DL4000").is_none(),
        "DL4000 is off in the repository"
    );
    // Lists: replaced by the team, appended to by the repository.
    let images: Vec<&str> = settings
        .images
        .as_ref()
        .unwrap()
        .items()
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        images,
        ["docker-daemon:team:latest", "docker-daemon:app:pr"]
    );
    // Sections feed the rules that read them.
    assert_eq!(
        rules.get("DG1001").unwrap().1["deny"],
        serde_json::json!(["docker.io/library/centos"])
    );
    // Locked rules cannot be silenced by pragmas.
    assert!(policy.locked_rules().contains(&"DL3007"));

    // The remote policy was fetched once, with the token, at the pinned ref.
    let requests = chain.github.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].path,
        "/repos/acme/policies/contents/container.yml"
    );
    assert_eq!(requests[0].query.get("ref").map(String::as_str), Some("v1"));
}

#[test]
fn policy_show_names_the_file_behind_each_value() {
    let chain = chain(REPO_POLICY);
    let output = chain.command().args(["policy", "show"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shown = String::from_utf8(output.stdout).unwrap();
    let line_of = |needle: &str| {
        shown
            .lines()
            .find(|line| line.trim_start().starts_with(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in:\n{shown}"))
            .to_string()
    };
    assert!(
        line_of("max_size: 300MB").ends_with("# shared/team.yml:5:3"),
        "{shown}"
    );
    assert!(
        line_of("non_root: true").contains("# github:acme/policies/container.yml@v1:10:3"),
        "{shown}"
    );
    assert!(
        line_of("max_compressed_size: 100MB").contains("# dockgate.yml:7:3"),
        "{shown}"
    );
    assert!(
        line_of("- docker-daemon:app:pr").contains("# dockgate.yml:8:"),
        "{shown}"
    );
    assert!(
        shown.contains("- rules.DL3007  # github:acme/policies/container.yml@v1:14:"),
        "{shown}"
    );
}

#[test]
fn a_remote_policy_is_fetched_once_per_run() {
    let chain = chain("extends:\n  - ./shared/team.yml\n  - ./shared/other.yml\n");
    write(
        chain.dir.path(),
        "shared/other.yml",
        "extends: [github:acme/policies/container.yml@v1]\n",
    );
    chain.load().expect("valid");
    assert_eq!(chain.github.requests().len(), 1);
}

#[test]
fn transient_api_failures_are_retried() {
    let chain = chain(REPO_POLICY);
    chain.github.fail_next(2);
    let output = chain
        .command()
        .args(["policy", "validate"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(chain.github.requests().len(), 3);
}

#[test]
fn a_missing_remote_policy_is_an_error_not_a_fallback() {
    let chain = chain("extends: [github:acme/policies/nope.yml@v1]\n");
    let output = chain.command().args(["lint"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("dockgate.yml:1:11: cannot read `github:acme/policies/nope.yml@v1`"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(
        !stderr.contains(&chain.github.token),
        "the token leaked: {stderr}"
    );
}

#[test]
fn a_rejected_token_is_reported_without_printing_it() {
    let chain = chain(REPO_POLICY);
    let output = chain
        .command()
        .env("GITHUB_TOKEN", "ghp_wrongwrongwrong")
        .args(["policy", "validate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("HTTP 401 (the token was rejected)"),
        "{stderr}"
    );
    assert!(!stderr.contains("ghp_wrongwrongwrong"), "{stderr}");
}

#[track_caller]
fn assert_weakening_rejected(repo_policy: &str, location: &str, message: &str) {
    let chain = chain(repo_policy);
    let error = chain
        .load()
        .expect_err("weakening a lock must fail")
        .to_string();
    assert!(
        error.contains(&format!("dockgate.yml:{location}: ")),
        "{error}"
    );
    assert!(
        error.contains("is locked by github:acme/policies/container.yml@v1:14:"),
        "{error}"
    );
    assert!(error.contains(message), "{error}");
}

#[test]
fn locked_settings_cannot_be_weakened() {
    let base = "extends: [./shared/team.yml]\n";
    assert_weakening_rejected(
        &format!("{base}rules:\n  DL3007: off\n"),
        "3:3",
        "cannot be turned off",
    );
    assert_weakening_rejected(
        &format!("{base}rules:\n  latest-base-image: warning\n"),
        "3:3",
        "lowered from error to warning",
    );
    assert_weakening_rejected(
        &format!("{base}image:\n  max_size: 1GB\n"),
        "3:3",
        "raised from 500MB to 1GB",
    );
    assert_weakening_rejected(
        &format!("{base}image:\n  allowed_ports: {{append: ['22']}}\n"),
        "3:3",
        "`22` cannot be added",
    );
    assert_weakening_rejected(
        &format!("{base}image:\n  allowed_ports: []\n"),
        "3:3",
        "cannot be emptied",
    );
    assert_weakening_rejected(
        &format!("{base}fail_on: never\n"),
        "2:1",
        "raised from warning to never",
    );
    assert_weakening_rejected(
        &format!("{base}overrides:\n  - paths: ['legacy/**']\n    rules:\n      DL3007: off\n"),
        "5:7",
        "in an override: it cannot be turned off",
    );
    assert_weakening_rejected(
        &format!(
            "{base}exceptions:\n  - rules: [DL3007]\n    owner: me\n    reason: x\n    expires: 2999-01-01\n"
        ),
        "3:5",
        "an exception cannot waive it",
    );
}

#[test]
fn locked_settings_can_be_tightened() {
    let chain = chain(
        "extends: [./shared/team.yml]\nfail_on: info\nrules:\n  DL3007: error\nimage:\n  max_size: 100MB\n  allowed_ports: ['8080']\n",
    );
    let policy = chain.load().expect("tightening is allowed");
    assert_eq!(
        policy.settings.image.unwrap().max_size.unwrap().to_string(),
        "100MB"
    );
}

#[test]
fn extends_cycles_are_detected() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "dockgate.yml", "extends: [./a.yml]\n");
    write(dir.path(), "a.yml", "extends: [./b.yml]\n");
    write(dir.path(), "b.yml", "fail_on: error\nextends: [./a.yml]\n");
    let output = dockgate(dir.path())
        .args(["policy", "validate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("b.yml:2:11: `extends` cycle: a.yml -> b.yml -> a.yml"),
        "{stderr}"
    );
}

#[test]
fn deep_extends_chains_are_cut_off() {
    let dir = TempDir::new().unwrap();
    for level in 0..20 {
        write(
            dir.path(),
            &format!("p{level}.yml"),
            &format!("extends: [./p{}.yml]\n", level + 1),
        );
    }
    write(dir.path(), "p20.yml", "fail_on: error\n");
    write(dir.path(), "dockgate.yml", "extends: [./p0.yml]\n");
    let output = dockgate(dir.path())
        .args(["policy", "validate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nests deeper than 16"));
}

/// Sets a USER so that only the rules each test is about (DL3007, DL4000) fire.
const DOCKERFILE: &str = "FROM debian:latest\nMAINTAINER me\nUSER 10001\n";

#[test]
fn an_expired_exception_fails_the_run_and_waives_nothing() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    write(
        dir.path(),
        "dockgate.yml",
        "rules:\n  DL4000: off\nexceptions:\n  - rules: [DL3007]\n    owner: '@acme/web'\n    reason: migrating\n    expires: 2020-01-31\n",
    );
    let (code, rules, report) = lint_findings(dockgate(dir.path()), &[], &["rule"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(rules, ["DL3007", "DG0001"], "{report:#}");
    let expired = &findings[1];
    assert_eq!(expired["path"], "dockgate.yml");
    assert_eq!(expired["line"], 4);
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-01-31")
    );
}

#[test]
fn an_unexpired_exception_waives_its_rules_where_it_applies() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "legacy/Dockerfile", DOCKERFILE);
    write(dir.path(), "app/Dockerfile", DOCKERFILE);
    write(
        dir.path(),
        "dockgate.yml",
        "rules:\n  DL4000: off\nexceptions:\n  - rules: [latest-base-image]\n    paths: ['legacy/**']\n    owner: '@acme/web'\n    reason: migrating\n    expires: 2999-01-31\n",
    );
    let (_, paths, report) =
        lint_findings(dockgate(dir.path()), &["--fail-on", "never"], &["path"]);
    assert_eq!(paths, ["app/Dockerfile"], "{report:#}");
}

#[test]
fn exceptions_expire_at_the_end_of_their_day() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "dockgate.yml",
        "exceptions:\n  - rules: [DL3007]\n    owner: me\n    reason: x\n    expires: 2026-11-23\n",
    );
    let load = |today| {
        policy::load_on(
            &Choice::Discover,
            dir.path(),
            GithubFetcher::new(String::new(), None),
            today,
        )
        .unwrap()
    };
    let date = |text: &str| text.parse::<Date>().unwrap();
    assert!(load(date("2026-11-23")).expired.is_empty());
    assert_eq!(load(date("2026-11-24")).expired.len(), 1);
}

#[test]
fn overrides_and_file_selection_apply_by_path() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "services/legacy/Dockerfile", DOCKERFILE);
    write(dir.path(), "services/api/Dockerfile", DOCKERFILE);
    write(dir.path(), "vendor/x/Dockerfile", DOCKERFILE);
    write(
        dir.path(),
        "dockgate.yml",
        "files:\n  exclude: ['vendor/**']\noverrides:\n  - paths: ['services/legacy/**']\n    rules:\n      DL3007: off\n      DL4000: info\n",
    );
    let (_, found, _) = lint_findings(
        dockgate(dir.path()),
        &["--fail-on", "never"],
        &["path", "rule", "severity"],
    );
    assert_eq!(
        found,
        [
            "services/api/Dockerfile DL3007 warning",
            "services/api/Dockerfile DL4000 error",
            "services/legacy/Dockerfile DL4000 info",
        ]
    );
}

#[test]
fn pragma_policy_is_enforced() {
    let dockerfile = "# hadolint ignore=DL3007\nFROM debian:latest\n# hadolint ignore=DL4000 moving to LABEL next sprint\nMAINTAINER me\nUSER 10001\n";
    let run = |pragmas: &str| {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "Dockerfile", dockerfile);
        write(dir.path(), "dockgate.yml", &format!("pragmas: {pragmas}\n"));
        lint_findings(
            dockgate(dir.path()),
            &["--fail-on", "never"],
            &["rule", "line"],
        )
        .1
    };
    assert_eq!(run("allowed"), Vec::<String>::new());
    assert_eq!(run("reason-required"), ["DG0002 1", "DL3007 2"]);
    assert_eq!(
        run("forbidden"),
        ["DG0003 1", "DL3007 2", "DG0003 3", "DL4000 4"]
    );
}

#[test]
fn the_label_schema_drives_the_label_rules() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM golang:1.23 AS build\nLABEL org.opencontainers.image.version=1.0.0\n\nFROM debian:12.7\nLABEL org.opencontainers.image.source=\"github.com/acme/app\" \\\n      com.example.build-host=ci-17\n",
    );
    write(
        dir.path(),
        "dockgate.yml",
        "labels:\n  required:\n    org.opencontainers.image.source: url\n    org.opencontainers.image.version: semver\n  strict: true\n",
    );
    let output = dockgate(dir.path())
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("DL30"))
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["line"],
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            // The version is set in the build stage only, not in the image shipped.
            "4:DL3049 info Label `org.opencontainers.image.version` is missing.",
            "5:DL3050 info Superfluous label(s) present.",
            "5:DL3052 warning Label `org.opencontainers.image.source` is not a valid URL.",
        ],
        "{report:#}"
    );
}

#[test]
fn fail_on_from_the_policy_and_the_command_line() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "Dockerfile", "FROM debian:latest\n");
    write(dir.path(), "dockgate.yml", "fail_on: error\n");
    dockgate(dir.path()).arg("lint").assert().code(0);
    dockgate(dir.path())
        .args(["lint", "--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn presets_load_and_differ() {
    let dir = TempDir::new().unwrap();
    let load = |name: &str| {
        policy::load(
            &Choice::Explicit(format!("builtin:{name}")),
            dir.path(),
            GithubFetcher::new(String::new(), None),
        )
        .unwrap()
    };
    let strict = load("strict");
    assert_eq!(strict.fail_on(), Some(policy::FailOn::Info));
    assert_eq!(
        strict.rule_set("Dockerfile").get("DG1002").unwrap().1["require"],
        true
    );
    assert_eq!(strict.settings.image.unwrap().numeric_user, Some(true));
    let hadolint = load("hadolint");
    assert!(hadolint.rule_set("Dockerfile").get("DG1001").is_none());
    assert_eq!(load("recommended").fail_on(), Some(policy::FailOn::Warning));
    let output = dockgate(dir.path())
        .args(["lint", "--config", "builtin:nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("did you mean")
            || String::from_utf8_lossy(&output.stderr).contains("available")
    );
}

/// The committed schema is the generated one, and it accepts every preset and every
/// policy example in the documentation.
#[test]
fn schema_is_current_and_validates_presets_and_doc_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = fs::read_to_string(root.join("policies/dockgate.schema.json")).unwrap();
    let generated = policy::schema_json();
    if std::env::var_os("DOCKGATE_UPDATE_DOCS").is_some() {
        fs::write(root.join("policies/dockgate.schema.json"), &generated).unwrap();
    } else {
        assert!(
            committed == generated,
            "policies/dockgate.schema.json is stale; regenerate with DOCKGATE_UPDATE_DOCS=1 cargo test --test policy"
        );
    }
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");

    let mut examples: Vec<(String, String)> = Vec::new();
    for name in policy::PRESETS {
        examples.push((
            format!("policies/{name}.yml"),
            fs::read_to_string(root.join(format!("policies/{name}.yml"))).unwrap(),
        ));
    }
    for doc in ["README.md", "docs/policy.md", "docs/org-rollout.md"] {
        let text = fs::read_to_string(root.join(doc)).unwrap();
        for (index, block) in text.split("```yaml\n").skip(1).enumerate() {
            let block = block.split("```").next().unwrap();
            if block.starts_with("# dockgate policy") {
                examples.push((format!("{doc} yaml block {}", index + 1), block.to_string()));
            }
        }
    }
    assert!(
        examples.len() >= 5,
        "expected the presets and documentation examples, found {}",
        examples.len()
    );
    for (name, text) in &examples {
        let value: serde_json::Value =
            serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{name} does not match the schema:\n{}",
            errors.join("\n")
        );
        // And dockgate itself accepts it (what it extends is not fetched here).
        if let Err(error) = policy::parse_document(name, text) {
            panic!("{name}: {error}");
        }
    }
    // Every setting the schema knows is documented in the reference.
    let reference = fs::read_to_string(root.join("docs/policy.md")).unwrap();
    let mut keys: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.extend(
        schema["$defs"]["ImageRequirements"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str),
    );
    keys.extend(
        schema["$defs"]["Reporting"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str),
    );
    for key in keys {
        assert!(
            reference.contains(&format!("`{key}`")),
            "docs/policy.md does not document `{key}`"
        );
    }
    // The schema is not a rubber stamp.
    for bad in [
        "fial_on: error",
        "image: {max_size: lots}",
        "rules: {DL9999: off}",
        "pragmas: sometimes",
    ] {
        let value: serde_json::Value = serde_yaml_ng::from_str(bad).unwrap();
        assert!(!validator.is_valid(&value), "the schema accepted `{bad}`");
    }
}

#[test]
fn hadolint_configuration_imports() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".hadolint.yaml",
        "failure-threshold: warning\nignored: [DL3007, DL3008, DL9999]\noverride:\n  error: [DL4000]\ntrustedRegistries: [docker.io, my.registry:5000]\nlabel-schema:\n  org.opencontainers.image.source: url\n  maintainer: email\nstrict-labels: true\ndisable-ignore-pragma: true\nno-color: true\n",
    );
    let output = dockgate(dir.path())
        .args(["policy", "import-hadolint", "--output", "dockgate.yml"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let imported = fs::read_to_string(dir.path().join("dockgate.yml")).unwrap();
    for expected in [
        "extends: [builtin:hadolint]",
        "fail_on: warning",
        "pragmas: forbidden",
        "  DL3007: off",
        "  DL4000: error",
        "trusted_registries: [docker.io, \"my.registry:5000\"]",
        "org.opencontainers.image.source: url",
        "strict: true",
        "  DL3008: off",
        "# DL9999: off  (dockgate does not implement this rule yet)",
        "# Not imported: no-color",
    ] {
        assert!(
            imported.contains(expected),
            "missing `{expected}` in:\n{imported}"
        );
    }
    let policy = policy::load(
        &Choice::Discover,
        dir.path(),
        GithubFetcher::new(String::new(), None),
    )
    .unwrap();
    assert!(policy.rule_set("Dockerfile").get("DL3007").is_none());
}

#[test]
fn a_locked_rule_cannot_be_silenced_by_a_pragma() {
    let chain = chain("extends: [./shared/team.yml]\n");
    write(
        chain.dir.path(),
        "Dockerfile",
        "# hadolint ignore=DL3007,DL3006\nFROM debian:latest\nUSER 10001\n",
    );
    let (_, rules, report) = lint_findings(chain.command(), &["--fail-on", "never"], &["rule"]);
    assert_eq!(rules, ["DL3007"], "{report:#}");
}

#[test]
fn hostile_policy_text_never_panics() {
    let deep = format!("rules: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let anchors = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    for text in [
        deep.as_str(),
        anchors,
        "fail_on: error\n---\nfail_on: info\n",
        "? [a]\n: b\n",
        "rules: !!binary aGVsbG8=\n",
        "\t\tfail_on: error",
    ] {
        assert!(
            policy::parse_document("dockgate.yml", text).is_err(),
            "{text:.40}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Any edit of a valid policy is either valid or a located error, never a panic.
    #[test]
    fn mutated_policies_never_panic(position in 0usize..2000, byte in proptest::prelude::any::<u8>(), delete in proptest::prelude::any::<bool>()) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let reference = fs::read_to_string(root.join("docs/policy.md")).unwrap();
        let example = reference.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap();
        let mut bytes = example.as_bytes().to_vec();
        let at = position % bytes.len();
        if delete { bytes.remove(at); } else { bytes[at] = byte; }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = policy::parse_document("dockgate.yml", &text) {
            let shown = error.to_string();
            proptest::prop_assert!(shown.starts_with("dockgate.yml:"), "{}", shown);
            proptest::prop_assert!(error.location.line >= 1 && error.location.column >= 1);
        }
    }
}
