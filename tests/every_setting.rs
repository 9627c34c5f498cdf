//! Every policy setting takes effect (issue 9, point 4).
//!
//! A release once shipped `image.allowed_users` and `image.max_wasted_ratio`: parsed,
//! validated, documented, and read by nothing, because the unit tests built the rules'
//! input by hand. This test closes that gap from the outside: for every key of the
//! policy schema there is a case, and each case runs the real binary twice on a real
//! input (Dockerfiles written into a temp dir, OCI layouts written with
//! `dockgate::image::testing`) — once with a policy *without* the key (or with it at
//! another value) and once *with* it — and asserts the difference it must make: the
//! exit code, a finding gained or lost, a severity, a message, a warning on stderr.
//! A run that exits 2 (an input error: no report, so no findings to lose) fails its
//! case unless the case expects exit 2.
//!
//! # Which paths count as keys
//!
//! The keys are collected from `dockgate policy schema` (generated from the types of
//! `src/policy/file.rs`), so a key added to the types without a case here fails the
//! test, and so does a case for a key the schema does not have. Walking the schema
//! (`$ref`s resolved into `$defs`, `anyOf` branches other than `null` followed):
//!
//! - a property whose schema is an object with `properties` (a section: `files`,
//!   `base_images`, `labels`, `image`, `reporting`) is not a key itself; each of its
//!   properties is, as `section.name`;
//! - a property whose schema is a list (the `ListOf*` definitions: a list, or
//!   `{append: [...]}` to extend the inherited one; `append` is the list's merge form,
//!   not a key) is a key; when the list's items are objects with `properties`
//!   (`overrides`, `exceptions`), each item field is a key too, as `list[].field`;
//! - free-form maps are keys and are not descended into: `labels.required` (label name
//!   to type, `additionalProperties` only) and the `RuleMap` of `rules` and
//!   `overrides[].rules`, whose properties are the rule catalogue (every code and
//!   name), not policy settings (each rule's own behaviour is `tests/rules.rs`'s job);
//! - every other property (a scalar, an enum, a map of scalars) is a key.
//!
//! Meta keys: the schema's own `$schema`, `$id`, `title` and `description` describe
//! the schema document and are not properties, so they are not keys. A policy file
//! has no `$schema` key (editors read a `# yaml-language-server: $schema=...`
//! comment instead): the root's `additionalProperties` is `false`, which the test
//! asserts, since an open root would make "every key has a case" meaningless.
//!
//! A key may have several cases (`pragmas` has one per non-default value); each case
//! must show its difference. `locked`, whose values are settings, has one case per
//! lock target (see [`LOCKS`]), and the lock targets are checked against the schema
//! too: a new key of `image`, `base_images` or `labels` needs a lock case as well.
//!
//! The `reporting` keys are read by `dockgate github` (the GitHub Action): their cases
//! run it as the action does, on a fixture repository's pull request against the fake
//! GitHub API of `tests/support/fake_github`, and compare what landed on GitHub (see
//! [`Expect::Github`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::Instant;

mod support;

use assert_cmd::Command;
use dockgate::image::testing::{Compression, Image, Layer, passwd};
use serde_json::Value;
use tempfile::TempDir;

/// A difference a case's key must make, between the run without it and the run with
/// it. A finding is named `CODE` or `CODE PATH` (`PATH` being the report's `path`, for
/// images the reference).
#[derive(Debug)]
enum Expect {
    /// The exit codes (without, with).
    Exit(i32, i32),
    /// The finding is absent without the key and present with it.
    Gains(&'static str),
    /// The finding is present without the key and absent with it.
    Loses(&'static str),
    /// The finding is present in both runs (the key did not overreach).
    Keeps(&'static str),
    /// The finding's severity (without, with).
    Severity(&'static str, &'static str, &'static str),
    /// A finding of the rule has this text in its message with the key, none without.
    Message(&'static str, &'static str),
    /// Stderr has this text with the key, not without.
    Stderr(String),
    /// What `dockgate github` left on the fake GitHub has this observation with the key,
    /// not without: `inline CODE` (a review comment on a finding of CODE), `inline
    /// count N`, `check-run NAME`, `sticky comment`.
    Github(&'static str),
}

/// Two runs of the binary, `dockgate COMMAND --format json REST...` in a temp dir
/// holding `files` and, as `dockgate.yml` (found by discovery, no `--config`), the
/// policy `without` the key, then the one `with` it. In policies and arguments,
/// `{root}`, `{app}` and `{base}` are the `oci:DIR` references of the fixture images.
struct Case {
    key: &'static str,
    files: Vec<(&'static str, String)>,
    command: &'static str,
    rest: &'static [&'static str],
    without: String,
    with: String,
    expect: Vec<Expect>,
}

// Every Dockerfile sets a non-root USER on a slim base, so that the rules without a
// key of their own (DG1003, DG1041) stay out of the differences.
const LATEST: &[(&str, &str)] = &[("Dockerfile", "FROM debian:latest\nUSER 10001\n")];
const PINNED: &[(&str, &str)] = &[("Dockerfile", "FROM debian:12-slim\nUSER 10001\n")];
const TWO: &[(&str, &str)] = &[
    ("a/Dockerfile", "FROM debian:latest\nUSER 10001\n"),
    ("b/Dockerfile", "FROM debian:latest\nUSER 10001\n"),
];
const PRAGMA: &[(&str, &str)] = &[(
    "Dockerfile",
    "# hadolint ignore=DL3007\nFROM debian:latest\nUSER 10001\n",
)];
/// A RUN that ShellCheck finds SC2086 in (this test needs `shellcheck` on PATH, as
/// `scripts/setup` installs it).
const SHELL: &[(&str, &str)] = &[(
    "Dockerfile",
    "FROM debian:12-slim\nRUN echo $1\nUSER 10001\n",
)];
/// A bash RUN after an ENV: bash for ShellCheck, `/bin/sh` (SC3009, brace expansion)
/// as hadolint checks it.
const BASH_AFTER_ENV: &[(&str, &str)] = &[(
    "Dockerfile",
    "FROM debian:12-slim\nSHELL [\"/bin/bash\", \"-c\"]\nENV X=1\nRUN echo {a,b}\nUSER 10001\n",
)];
const IMAGE: &[&str] = &["{app}"];
const ROOT: &[&str] = &["{root}"];
const LINT: &str = "lint";
/// `dockgate github` (see `run_github`).
const GITHUB: &str = "github";
/// The base branch of the pull request of `github` cases; the case's files are its head.
const GITHUB_BASE: &str = "FROM debian\nWORKDIR /app\n";
/// Adds two DL3020 findings (and keeps DL3006 on line 1, a context line of the hunk).
const GITHUB_HEAD: &str = "FROM debian\nWORKDIR /app\nADD a.txt /app/\nADD b.txt /app/\n";

/// An exception in a policy, the fields a case varies given.
struct Waiver {
    rules: &'static str,
    /// `paths: [...]` or `images: [...]`, or nothing: every path and image.
    scope: &'static str,
    owner: &'static str,
    reason: &'static str,
    expires: &'static str,
}

/// A waiver of DL3007 everywhere, valid for a long time.
const WAIVER: Waiver = Waiver {
    rules: "DL3007",
    scope: "",
    owner: "@acme/one",
    reason: "tracks latest",
    expires: "2999-12-31",
};

/// [`WAIVER`], expired long ago: DG0001 on it, and it waives nothing.
const EXPIRED: Waiver = Waiver {
    expires: "2000-01-01",
    ..WAIVER
};

/// A waiver of DG2001 for every image.
const IMAGE_WAIVER: Waiver = Waiver {
    rules: "DG2001",
    reason: "being fixed",
    ..WAIVER
};

impl Waiver {
    fn yaml(&self) -> String {
        let Waiver {
            rules,
            scope,
            owner,
            reason,
            expires,
        } = self;
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!("    {scope}\n")
        };
        format!(
            "exceptions:\n  - rules: [{rules}]\n{scope}    owner: \"{owner}\"\n    reason: {reason}\n    expires: {expires}\n"
        )
    }
}

/// `locked` takes settings as values: per lock target, a setting the organisation's
/// policy makes and the repository's policy weakens. Each is a `locked` case: the
/// repository's policy weakens the setting and extends `org.yml` (the setting) or
/// `org-locked.yml` (the setting and `locked: [TARGET]`); only the locked one is
/// refused (exit 2, naming the target; `rules` names the rule). The targets
/// `locked` accepts are `rules`, `rules.CODE`, the sections `image`, `base_images`,
/// `labels` and each of their keys, `fail_on`, `pragmas`, `exceptions` and
/// `max_exception_days`; the test checks this table has exactly those (the sections'
/// keys taken from the schema).
#[rustfmt::skip]
const LOCKS: &[(&str, &str, &str)] = &[
    ("rules",                      "rules:\n  DL3007: error\n",                                        "rules:\n  DL3007: off\n"),
    ("rules.CODE",                 "rules:\n  DL3007: error\n",                                        "rules:\n  DL3007: off\n"),
    ("image",                      "image:\n  max_size: 1MB\n",                                        "image:\n  max_size: 2MB\n"),
    ("image.non_root",             "image:\n  non_root: true\n",                                       "image:\n  non_root: false\n"),
    ("image.allowed_users",        "image:\n  allowed_users: [\"10001\"]\n",                           "image:\n  allowed_users: {append: [\"0\"]}\n"),
    ("image.numeric_user",         "image:\n  numeric_user: true\n",                                   "image:\n  numeric_user: false\n"),
    ("image.max_size",             "image:\n  max_size: 1MB\n",                                        "image:\n  max_size: 2MB\n"),
    ("image.max_compressed_size",  "image:\n  max_compressed_size: 1MB\n",                             "image:\n  max_compressed_size: 2MB\n"),
    ("image.max_layer_size",       "image:\n  max_layer_size: 1MB\n",                                  "image:\n  max_layer_size: 2MB\n"),
    ("image.max_layers",           "image:\n  max_layers: 5\n",                                        "image:\n  max_layers: 6\n"),
    ("image.max_growth",           "image:\n  max_growth: 1MB\n",                                      "image:\n  max_growth: 2MB\n"),
    ("image.max_wasted",           "image:\n  max_wasted: 1MB\n",                                      "image:\n  max_wasted: 2MB\n"),
    ("image.max_wasted_ratio",     "image:\n  max_wasted_ratio: 5%\n",                                 "image:\n  max_wasted_ratio: 50%\n"),
    ("image.allowed_ports",        "image:\n  allowed_ports: [\"8080\"]\n",                            "image:\n  allowed_ports: []\n"),
    ("image.allowed_setuid",       "image:\n  allowed_setuid: [/usr/bin/passwd]\n",                    "image:\n  allowed_setuid: {append: [\"/**\"]}\n"),
    ("image.secrets_allowlist",    "image:\n  secrets_allowlist: [\"/usr/share/doc/**\"]\n",           "image:\n  secrets_allowlist: {append: [\"/**\"]}\n"),
    ("image.distroless",           "image:\n  distroless: true\n",                                     "image:\n  distroless: false\n"),
    ("base_images",                "base_images:\n  allow: [\"docker.io/library/*\"]\n",               "base_images:\n  allow: {append: [\"**\"]}\n"),
    ("base_images.allow",          "base_images:\n  allow: [\"docker.io/library/*\"]\n",               "base_images:\n  allow: {append: [\"**\"]}\n"),
    ("base_images.deny",           "base_images:\n  deny: [docker.io/library/centos]\n",               "base_images:\n  deny: []\n"),
    ("base_images.require_digest", "base_images:\n  require_digest: true\n",                           "base_images:\n  require_digest: false\n"),
    ("labels",                     "labels:\n  strict: true\n",                                        "labels:\n  strict: false\n"),
    ("labels.required",            "labels:\n  required:\n    org.opencontainers.image.source: url\n", "labels:\n  required:\n    org.opencontainers.image.source: text\n"),
    ("labels.strict",              "labels:\n  strict: true\n",                                        "labels:\n  strict: false\n"),
    ("fail_on",                    "fail_on: info\n",                                                  "fail_on: error\n"),
    ("pragmas",                    "pragmas: forbidden\n",                                             "pragmas: allowed\n"),
    ("max_exception_days",         "max_exception_days: 90\n",                                        "max_exception_days: 365\n"),
    ("exceptions",                 "exceptions: []\n",                                                 "exceptions:\n  - rules: [DL3006]\n    owner: \"@acme/one\"\n    reason: r\n    expires: 2999-12-31\n"),
];

/// The lock targets `locked` accepts, as [`LOCKS`] names them.
fn lock_targets(schema_keys: &BTreeSet<String>) -> BTreeSet<String> {
    let sections = ["image", "base_images", "labels"];
    let mut targets: BTreeSet<String> = [
        "rules",
        "rules.CODE",
        "fail_on",
        "pragmas",
        "exceptions",
        "max_exception_days",
    ]
    .into_iter()
    .chain(sections)
    .map(String::from)
    .collect();
    targets.extend(
        schema_keys
            .iter()
            .filter(|key| sections.iter().any(|s| key.starts_with(&format!("{s}."))))
            .cloned(),
    );
    targets
}

fn lock_cases() -> Vec<Case> {
    LOCKS
        .iter()
        .map(|(target, setting, weakened)| {
            let lock = target.replace("CODE", "DL3007");
            // Locking `rules` locks each rule the file configures, by code.
            let named = if *target == "rules" {
                "rules.DL3007"
            } else {
                &lock
            };
            let org = format!("{setting}locked: [{lock}]\n");
            lint(
                "locked",
                &[
                    ("Dockerfile", "FROM debian:12-slim\nUSER 10001\n"),
                    ("org.yml", setting),
                    ("org-locked.yml", &org),
                ],
                format!("extends: [./org.yml]\n{weakened}"),
                format!("extends: [./org-locked.yml]\n{weakened}"),
                vec![
                    Expect::Exit(0, 2),
                    Expect::Stderr(format!("`{named}` is locked by org-locked.yml")),
                ],
            )
        })
        .collect()
}

/// The warning that a setting is accepted but nothing reads it yet.
fn files(list: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    list.iter()
        .map(|(path, text)| (*path, text.to_string()))
        .collect()
}

/// A case on Dockerfiles: `dockgate lint`.
fn lint(
    key: &'static str,
    dockerfiles: &[(&'static str, &str)],
    without: impl Into<String>,
    with: impl Into<String>,
    expect: Vec<Expect>,
) -> Case {
    Case {
        key,
        files: files(dockerfiles),
        command: LINT,
        rest: &[],
        without: without.into(),
        with: with.into(),
        expect,
    }
}

/// A case on fixture images: `dockgate image REST...`, with the policies without and
/// with the key.
fn image<P: Into<String>>(
    key: &'static str,
    rest: &'static [&'static str],
    policies: [P; 2],
    expect: Vec<Expect>,
) -> Case {
    let [without, with] = policies;
    Case {
        command: "image",
        rest,
        ..lint(key, &[], without, with, expect)
    }
}

/// A case on `a/Dockerfile` and `b/Dockerfile` (both DL3007) whose key drops the
/// finding of `a` and keeps that of `b`.
fn on_a_not_b(key: &'static str, without: &str, with: &str) -> Case {
    lint(
        key,
        TWO,
        without,
        with,
        vec![
            Expect::Loses("DL3007 a/Dockerfile"),
            Expect::Keeps("DL3007 b/Dockerfile"),
        ],
    )
}

/// The case table. Image cases check the fixture images (see [`write_images`]):
/// `{app}` runs as `app` (UID 1000) and has a bit of everything; `{root}` runs as
/// root; `{base}` is `{app}`'s first layer alone, the baseline for growth.
fn cases() -> Vec<Case> {
    let mut cases = vec![
        lint(
            "extends",
            PINNED,
            "{}",
            "extends: [builtin:strict]\n",
            vec![Expect::Gains("DG1002"), Expect::Exit(0, 1)],
        ),
        lint(
            "fail_on",
            LATEST,
            "{}",
            "fail_on: error\n",
            vec![Expect::Exit(1, 0), Expect::Keeps("DL3007")],
        ),
        on_a_not_b("files.include", "{}", "files:\n  include: [\"b/**\"]\n"),
        lint(
            "shellcheck.enabled",
            SHELL,
            "{}",
            "shellcheck:\n  enabled: false\n",
            vec![Expect::Loses("SC2086")],
        ),
        lint(
            "shellcheck.path",
            SHELL,
            "{}",
            "shellcheck:\n  path: nowhere/shellcheck\n",
            vec![
                Expect::Loses("SC2086"),
                Expect::Stderr("nowhere/shellcheck, is not a file".into()),
            ],
        ),
        lint(
            "shellcheck.hadolint_shell",
            BASH_AFTER_ENV,
            "{}",
            "shellcheck:\n  hadolint_shell: true\n",
            vec![Expect::Gains("SC3009")],
        ),
        on_a_not_b("files.exclude", "{}", "files:\n  exclude: [\"a/**\"]\n"),
        Case {
            key: "images",
            files: files(PINNED),
            command: "check",
            rest: &[],
            without: "{}".into(),
            with: "images: [\"{root}\"]\n".into(),
            expect: vec![Expect::Gains("DG2001 {root}"), Expect::Exit(0, 1)],
        },
        lint(
            "rules",
            LATEST,
            "{}",
            "rules:\n  DL3007: off\n",
            vec![Expect::Loses("DL3007"), Expect::Exit(1, 0)],
        ),
        lint(
            "rules",
            LATEST,
            "rules:\n  latest-base-image: on\n",
            "rules:\n  latest-base-image: error\n",
            vec![Expect::Severity("DL3007", "warning", "error")],
        ),
        lint(
            "rules",
            &[("Dockerfile", "FROM quay.io/acme/app:1\nUSER 10001\n")],
            "{}",
            "rules:\n  DL3026:\n    options:\n      trusted_registries: [ghcr.io]\n",
            vec![Expect::Gains("DL3026"), Expect::Exit(0, 1)],
        ),
        on_a_not_b(
            "overrides",
            "{}",
            "overrides:\n  - paths: [\"a/**\"]\n    rules:\n      DL3007: off\n",
        ),
        lint(
            "overrides[].paths",
            TWO,
            "overrides:\n  - paths: [\"a/**\"]\n    rules:\n      DL3007: off\n",
            "overrides:\n  - paths: [\"b/**\"]\n    rules:\n      DL3007: off\n",
            vec![
                Expect::Gains("DL3007 a/Dockerfile"),
                Expect::Loses("DL3007 b/Dockerfile"),
            ],
        ),
        lint(
            "overrides[].rules",
            TWO,
            "overrides:\n  - paths: [\"a/**\"]\n    rules: {}\n",
            "overrides:\n  - paths: [\"a/**\"]\n    rules:\n      DL3007: error\n",
            vec![
                Expect::Severity("DL3007 a/Dockerfile", "warning", "error"),
                Expect::Severity("DL3007 b/Dockerfile", "warning", "warning"),
            ],
        ),
        lint(
            "base_images.allow",
            PINNED,
            "{}",
            "base_images:\n  allow: [\"docker.io/library/alpine\"]\n",
            vec![Expect::Gains("DG1001"), Expect::Exit(0, 1)],
        ),
        lint(
            "base_images.deny",
            PINNED,
            "{}",
            "base_images:\n  deny: [\"docker.io/library/debian\"]\n",
            vec![Expect::Gains("DG1001"), Expect::Exit(0, 1)],
        ),
        lint(
            "base_images.require_digest",
            PINNED,
            "base_images:\n  require_digest: false\n",
            "base_images:\n  require_digest: true\n",
            vec![Expect::Gains("DG1002"), Expect::Exit(0, 1)],
        ),
        lint(
            "labels.required",
            &[(
                "Dockerfile",
                "FROM debian:12-slim\nLABEL org.opencontainers.image.licenses=\"not a licence\"\nUSER 10001\n",
            )],
            "{}",
            "labels:\n  required:\n    org.opencontainers.image.source: url\n    org.opencontainers.image.licenses: spdx\n",
            vec![Expect::Gains("DL3049"), Expect::Gains("DL3054")],
        ),
        lint(
            "labels.strict",
            &[(
                "Dockerfile",
                "FROM debian:12-slim\nLABEL org.opencontainers.image.source=https://github.com/acme/app extra=1\nUSER 10001\n",
            )],
            "labels:\n  required:\n    org.opencontainers.image.source: url\n",
            "labels:\n  required:\n    org.opencontainers.image.source: url\n  strict: true\n",
            vec![Expect::Gains("DL3050")],
        ),
        lint(
            "exceptions",
            LATEST,
            "{}",
            WAIVER.yaml(),
            vec![Expect::Loses("DL3007"), Expect::Exit(1, 0)],
        ),
        lint(
            "exceptions[].rules",
            LATEST,
            Waiver {
                rules: "DL3006",
                ..WAIVER
            }
            .yaml(),
            WAIVER.yaml(),
            vec![Expect::Loses("DL3007"), Expect::Exit(1, 0)],
        ),
        // Without `paths` the waiver covers every Dockerfile.
        lint(
            "exceptions[].paths",
            TWO,
            WAIVER.yaml(),
            Waiver {
                scope: "paths: [b/Dockerfile]",
                ..WAIVER
            }
            .yaml(),
            vec![Expect::Gains("DL3007 a/Dockerfile"), Expect::Exit(0, 1)],
        ),
        // Without `images` the waiver covers every image; `{app}` is not the one checked.
        image(
            "exceptions[].images",
            ROOT,
            [
                IMAGE_WAIVER.yaml(),
                Waiver {
                    scope: "images: [\"{app}\"]",
                    ..IMAGE_WAIVER
                }
                .yaml(),
            ],
            vec![Expect::Gains("DG2001 {root}"), Expect::Exit(0, 1)],
        ),
        image(
            "exceptions[].images",
            ROOT,
            [
                Waiver {
                    scope: "images: [\"{app}\"]",
                    ..IMAGE_WAIVER
                }
                .yaml(),
                Waiver {
                    scope: "images: [\"{root}\"]",
                    ..IMAGE_WAIVER
                }
                .yaml(),
            ],
            vec![Expect::Loses("DG2001 {root}"), Expect::Exit(1, 0)],
        ),
        lint(
            "exceptions[].owner",
            LATEST,
            EXPIRED.yaml(),
            Waiver {
                owner: "@acme/two",
                ..EXPIRED
            }
            .yaml(),
            vec![Expect::Message("DG0001", "@acme/two")],
        ),
        lint(
            "exceptions[].reason",
            LATEST,
            EXPIRED.yaml(),
            Waiver {
                reason: "the nightly image",
                ..EXPIRED
            }
            .yaml(),
            vec![Expect::Message("DG0001", "the nightly image")],
        ),
        lint(
            "exceptions[].expires",
            LATEST,
            WAIVER.yaml(),
            EXPIRED.yaml(),
            vec![
                Expect::Gains("DG0001 dockgate.yml"),
                Expect::Gains("DL3007"),
                Expect::Exit(0, 1),
            ],
        ),
        // A limit the waiver's date is beyond refuses it; one it is within keeps it.
        lint(
            "max_exception_days",
            LATEST,
            WAIVER.yaml(),
            format!("{}max_exception_days: 90\n", WAIVER.yaml()),
            vec![
                Expect::Exit(0, 2),
                Expect::Stderr("more than 90 days from today".to_string()),
            ],
        ),
        lint(
            "max_exception_days",
            LATEST,
            format!("{}max_exception_days: 90\n", EXPIRED.yaml()),
            format!("{}max_exception_days: 0\n", WAIVER.yaml()),
            vec![Expect::Exit(1, 2)],
        ),
        image(
            "image.non_root",
            ROOT,
            ["image:\n  non_root: true\n", "image:\n  non_root: false\n"],
            vec![Expect::Loses("DG2001 {root}"), Expect::Exit(1, 0)],
        ),
        image(
            "image.max_growth",
            &["--baseline", "{base}", "{app}"],
            ["image:\n  max_growth: 1GB\n", "image:\n  max_growth: 1kB\n"],
            vec![Expect::Gains("DG2015 {app}")],
        ),
    ];
    // Image settings on `{app}`, each at two values (not the key's absence against its
    // presence): the difference shows the value reaches the rule.
    #[rustfmt::skip]
    let settings = [
        ("image.allowed_users",       "[app]",                        "[\"10001\"]",         Expect::Gains("DG2004 {app}")),
        ("image.numeric_user",        "false",                        "true",                Expect::Gains("DG2003 {app}")),
        ("image.max_size",            "1GB",                          "1kB",                 Expect::Gains("DG2010 {app}")),
        ("image.max_compressed_size", "1GB",                          "100B",                Expect::Gains("DG2011 {app}")),
        ("image.max_layer_size",      "1GB",                          "2kB",                 Expect::Gains("DG2012 {app}")),
        ("image.max_layers",          "3",                            "2",                   Expect::Gains("DG2013 {app}")),
        ("image.max_wasted",          "1GB",                          "1kB",                 Expect::Gains("DG2014 {app}")),
        ("image.max_wasted_ratio",    "99%",                          "10%",                 Expect::Gains("DG2014 {app}")),
        ("image.allowed_ports",       "[\"8080/tcp\", \"5005/tcp\"]", "[\"8080/tcp\"]",      Expect::Message("DG2033", "5005")),
        ("image.allowed_setuid",      "[\"/usr/bin/passwd\"]",        "[\"/bin/busybox\"]",  Expect::Loses("DG2022 {app}")),
        ("image.secrets_allowlist",   "[\"/usr/share/doc/**\"]",      "[\"/root/.ssh/**\"]", Expect::Loses("DG2020 {app}")),
        ("image.distroless",          "false",                        "true",                Expect::Gains("DG2031 {app}")),
    ];
    for (key, without, with, expect) in settings {
        let name = &key["image.".len()..];
        cases.push(image(
            key,
            IMAGE,
            [
                format!("image:\n  {name}: {without}\n"),
                format!("image:\n  {name}: {with}\n"),
            ],
            vec![expect],
        ));
    }
    // `image.allowed_ports` also reaches the Dockerfile's EXPOSE rule (DG1030).
    cases.push(lint(
        "image.allowed_ports",
        &[(
            "Dockerfile",
            "FROM debian:12-slim\nEXPOSE 8080 5005\nUSER 10001\n",
        )],
        "image:\n  allowed_ports: [\"8080\", \"5005\"]\n",
        "image:\n  allowed_ports: [\"8080\"]\n",
        vec![Expect::Message("DG1030", "5005"), Expect::Exit(0, 1)],
    ));
    // The GitHub side: `dockgate github` on a pull request adding GITHUB_HEAD's lines to
    // GITHUB_BASE (see `run_github`).
    #[rustfmt::skip]
    let github = [
        // DL3006 is on line 1, inside the hunk but not added: only `all` comments on it.
        ("reporting.review_comments",     "changed-lines", "all",  Expect::Github("inline DL3006")),
        ("reporting.review_comments",     "changed-lines", "off",  Expect::Github("inline count 0")),
        ("reporting.max_inline_comments", "30",            "1",    Expect::Github("inline count 1")),
        ("reporting.check_name",          "dockgate",      "gate", Expect::Github("check-run gate")),
        ("reporting.summary_comment",     "false",         "true", Expect::Github("sticky comment")),
    ];
    for (key, without, with, expect) in github {
        let name = &key["reporting.".len()..];
        cases.push(Case {
            command: GITHUB,
            ..lint(
                key,
                &[("Dockerfile", GITHUB_HEAD)],
                format!("reporting:\n  {name}: {without}\n"),
                format!("reporting:\n  {name}: {with}\n"),
                vec![expect],
            )
        });
    }
    // Each value but the default `allowed` reports the pragma and no longer honours it.
    for (value, code) in [("reason-required", "DG0002"), ("forbidden", "DG0003")] {
        cases.push(lint(
            "pragmas",
            PRAGMA,
            "pragmas: allowed\n",
            format!("pragmas: {value}\n"),
            vec![
                Expect::Gains(code),
                Expect::Gains("DL3007"),
                Expect::Exit(0, 1),
            ],
        ));
    }
    cases.extend(lock_cases());
    cases
}

/// The key paths of the policy schema, as the header describes.
fn schema_keys(schema: &Value) -> BTreeSet<String> {
    assert_eq!(
        schema["additionalProperties"],
        Value::Bool(false),
        "the policy schema's root must be closed, or any key would be accepted"
    );
    let mut keys = BTreeSet::new();
    collect_keys(schema, schema, "", &mut keys);
    keys
}

fn collect_keys(root: &Value, object: &Value, prefix: &str, keys: &mut BTreeSet<String>) {
    let properties = object["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("`{prefix}` has no properties: {object}"));
    for (name, property) in properties {
        let path = format!("{prefix}{name}");
        let alternatives = branches(root, property);
        if alternatives.iter().any(|b| refers_to(b, "RuleMap")) {
            // The rule catalogue: a map from rule code or name to its setting.
            keys.insert(path);
            continue;
        }
        if let Some(list) = alternatives.iter().find(|b| has_type(b, "array")) {
            keys.insert(path.clone());
            let items = branches(root, &list["items"]);
            if let Some(item) = items.iter().find(|i| i.get("properties").is_some()) {
                collect_keys(root, item, &format!("{path}[]."), keys);
            }
            continue;
        }
        match alternatives.iter().find(|b| b.get("properties").is_some()) {
            Some(section) => collect_keys(root, section, &format!("{path}."), keys),
            None => {
                keys.insert(path);
            }
        }
    }
}

fn refers_to(schema: &Value, definition: &str) -> bool {
    schema["$ref"].as_str() == Some(&format!("#/$defs/{definition}"))
}

fn has_type(schema: &Value, kind: &str) -> bool {
    match &schema["type"] {
        Value::String(one) => one == kind,
        Value::Array(many) => many.iter().any(|t| t == kind),
        _ => false,
    }
}

/// What `schema` may be: `anyOf`/`oneOf` flattened, `null` dropped, each `$ref` both
/// as itself (so that `RuleMap` can be recognised) and resolved.
fn branches(root: &Value, schema: &Value) -> Vec<Value> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/$defs/")
            .or_else(|| reference.strip_prefix("#/definitions/"))
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        let target = root["$defs"]
            .get(name)
            .or_else(|| root["definitions"].get(name))
            .unwrap_or_else(|| panic!("$ref {reference} resolves to nothing"));
        let mut resolved = vec![schema.clone()];
        resolved.extend(branches(root, target));
        return resolved;
    }
    let alternatives = schema["anyOf"]
        .as_array()
        .or_else(|| schema["oneOf"].as_array());
    match alternatives {
        Some(alternatives) => alternatives
            .iter()
            .flat_map(|alternative| branches(root, alternative))
            .collect(),
        None if schema["type"] == "null" => Vec::new(),
        None => vec![schema.clone()],
    }
}

/// The fixture images, as `(placeholder, oci:DIR)`.
fn write_images(dir: &Path) -> Vec<(&'static str, String)> {
    // A made-up key, only its PEM framing matters to the secret scan.
    let key = b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    let base_layer = || {
        Layer::new()
            .dir("etc")
            .file("etc/passwd", &passwd(&[("app", 1000)]))
            .file_with("bin/busybox", b"busybox", 0o4755, 0, 0)
            .symlink("bin/sh", "busybox")
    };
    let base_step = "/bin/sh -c #(nop) ADD file:0a1b in / ";
    let app = Image::new()
        .user("app")
        .expose("8080/tcp")
        .expose("5005/tcp")
        .healthcheck(&["CMD", "/bin/true"])
        .layer(base_layer(), Compression::Gzip, base_step)
        .layer(
            Layer::new()
                .file("opt/sdk.tgz", &[7; 3000])
                .file("root/.ssh/id_ed25519", key),
            Compression::Gzip,
            "RUN /bin/sh -c fetch-sdk # buildkit",
        )
        .layer(
            Layer::new().whiteout("opt/sdk.tgz"),
            Compression::Gzip,
            "RUN /bin/sh -c rm /opt/sdk.tgz # buildkit",
        );
    let root = Image::new().healthcheck(&["CMD", "/bin/true"]).layer(
        Layer::new().dir("etc").file("etc/passwd", &passwd(&[])),
        Compression::Gzip,
        base_step,
    );
    let base = Image::new()
        .user("app")
        .expose("8080/tcp")
        .expose("5005/tcp")
        .healthcheck(&["CMD", "/bin/true"])
        .layer(base_layer(), Compression::Gzip, base_step);
    [("{app}", app), ("{root}", root), ("{base}", base)]
        .into_iter()
        .map(|(placeholder, image)| {
            let path = dir.join(placeholder.trim_matches(['{', '}']));
            image.write_oci_dir(&path);
            (placeholder, format!("oci:{}", path.display()))
        })
        .collect()
}

/// What one run showed.
struct Outcome {
    code: i32,
    /// The report's findings, image references shown as their placeholders.
    findings: Vec<Found>,
    stderr: String,
    /// What a `github` case left on the fake GitHub (see [`Expect::Github`]).
    github: Vec<String>,
}

struct Found {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    message: String,
}

impl Found {
    /// Whether `name` (`CODE` or `CODE PATH`) names this finding.
    fn is(&self, name: &str) -> bool {
        match name.split_once(' ') {
            Some((rule, path)) => self.rule == rule && self.path == path,
            None => self.rule == name,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "exit {}", self.code)?;
        for found in &self.findings {
            writeln!(
                f,
                "  {} [{}] {}:{} {}",
                found.rule, found.severity, found.path, found.line, found.message
            )?;
        }
        if self.findings.is_empty() {
            writeln!(f, "  (no findings)")?;
        }
        for line in self.stderr.lines() {
            writeln!(f, "  stderr: {line}")?;
        }
        for seen in &self.github {
            writeln!(f, "  github: {seen}")?;
        }
        Ok(())
    }
}

fn substitute(text: &str, images: &[(&str, String)]) -> String {
    images
        .iter()
        .fold(text.to_string(), |text, (placeholder, reference)| {
            text.replace(placeholder, reference)
        })
}

/// Puts the placeholders back, so outcomes compare with the table and print short.
fn unsubstitute(text: &str, images: &[(&str, String)]) -> String {
    images
        .iter()
        .fold(text.to_string(), |text, (placeholder, reference)| {
            text.replace(reference, placeholder)
        })
}

fn run(case: &Case, policy: &str, images: &[(&str, String)]) -> Outcome {
    if case.command == GITHUB {
        return run_github(case, policy);
    }
    let dir = TempDir::new().unwrap();
    for (path, text) in &case.files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    fs::write(dir.path().join("dockgate.yml"), substitute(policy, images)).unwrap();
    let mut command = Command::cargo_bin("dockgate").unwrap();
    command.current_dir(dir.path());
    for name in ["GITHUB_TOKEN", "GITHUB_API_URL", "DOCKER_HOST"] {
        command.env_remove(name);
    }
    command.args([case.command, "--format", "json"]);
    command.args(case.rest.iter().map(|arg| substitute(arg, images)));
    let output = command.output().unwrap();
    let stderr = unsubstitute(&String::from_utf8_lossy(&output.stderr), images);
    let code = output.status.code().unwrap_or(-1);
    // An input error (exit 2) has no report, only stderr.
    let findings = match serde_json::from_slice::<Value>(&output.stdout) {
        Ok(report) => report["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("a report without findings: {report}"))
            .iter()
            .map(|finding| {
                let text =
                    |field: &str| unsubstitute(finding[field].as_str().unwrap_or_default(), images);
                Found {
                    rule: text("rule"),
                    severity: text("severity"),
                    path: text("path"),
                    line: finding["line"].as_u64().unwrap_or_default(),
                    message: text("message"),
                }
            })
            .collect(),
        Err(_) if code == 2 => Vec::new(),
        Err(error) => panic!(
            "`{}`: not a JSON report ({error}), exit {code}:\n{}\n{stderr}",
            case.key,
            String::from_utf8_lossy(&output.stdout)
        ),
    };
    Outcome {
        code,
        findings,
        stderr,
        github: Vec::new(),
    }
}

/// `dockgate github` as the action runs it (every input of `action.yml` at its
/// default), on pull request 1 of a fixture repository whose base is [`GITHUB_BASE`]
/// and whose head has the case's files, with `policy` as `dockgate.yml` in the checkout,
/// against the fake GitHub. The findings come from the `report-json` output.
fn run_github(case: &Case, policy: &str) -> Outcome {
    use support::fake_github::FakeGithub;
    use support::fake_github::fixture_repo::FixtureRepo;

    let fake = FakeGithub::start();
    let head: Vec<(&str, Option<&str>)> = case
        .files
        .iter()
        .map(|(path, text)| (*path, Some(text.as_str())))
        .collect();
    let repo = FixtureRepo::create("acme", "app", 1, &[("Dockerfile", GITHUB_BASE)], &head);
    repo.publish(&fake);
    let event = repo.pull_request_event(&fake, "opened");
    let env = repo.action_env(&fake, "pull_request", &event);
    fs::write(repo.workspace().join("dockgate.yml"), policy).unwrap();
    let mut command = Command::cargo_bin("dockgate").unwrap();
    command
        .arg(GITHUB)
        .current_dir(repo.workspace())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env);
    command.envs(support::action::inputs(&fake.token));
    let output = command.output().unwrap();
    let outputs = fs::read_to_string(repo.runner_dir().join("output")).unwrap();
    let report = support::action::parse_outputs(&outputs)
        .get("report-json")
        .and_then(|json| serde_json::from_str::<Value>(json).ok());
    let findings = report
        .iter()
        .flat_map(|report| report["findings"].as_array().cloned().unwrap_or_default())
        .map(|finding| {
            let text = |field: &str| finding[field].as_str().unwrap_or_default().to_string();
            Found {
                rule: text("rule"),
                severity: text("severity"),
                path: text("path"),
                line: finding["line"].as_u64().unwrap_or_default(),
                message: text("message"),
            }
        })
        .collect();
    let comments = fake.review_comments("acme", "app", 1);
    let mut github: Vec<String> = comments
        .iter()
        .filter_map(|comment| {
            let body = comment["body"].as_str()?;
            let rule = body.strip_prefix("**[")?.split(']').next()?;
            Some(format!("inline {rule}"))
        })
        .collect();
    github.push(format!("inline count {}", comments.len()));
    for run in fake.check_runs("acme", "app") {
        github.push(format!(
            "check-run {}",
            run["name"].as_str().unwrap_or_default()
        ));
    }
    if fake.issue_comments("acme", "app", 1).iter().any(|comment| {
        comment["body"]
            .as_str()
            .unwrap_or_default()
            .contains("<!-- dockgate:summary -->")
    }) {
        github.push("sticky comment".to_string());
    }
    Outcome {
        code: output.status.code().unwrap_or(-1),
        findings,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        github,
    }
}

/// Checks one expectation; the error names it (the caller prints both outcomes).
fn check(expect: &Expect, without: &Outcome, with: &Outcome) -> Result<(), String> {
    let has = |outcome: &Outcome, name: &str| outcome.findings.iter().any(|f| f.is(name));
    let severity = |outcome: &Outcome, name: &str| {
        outcome
            .findings
            .iter()
            .find(|f| f.is(name))
            .map_or("absent".to_string(), |f| f.severity.clone())
    };
    let message = |outcome: &Outcome, rule: &str, text: &str| {
        outcome
            .findings
            .iter()
            .any(|f| f.rule == rule && f.message.contains(text))
    };
    let ok = match expect {
        Expect::Exit(before, after) => without.code == *before && with.code == *after,
        Expect::Gains(name) => !has(without, name) && has(with, name),
        Expect::Loses(name) => has(without, name) && !has(with, name),
        Expect::Keeps(name) => has(without, name) && has(with, name),
        Expect::Severity(name, before, after) => {
            severity(without, name) == *before && severity(with, name) == *after
        }
        Expect::Message(rule, text) => !message(without, rule, text) && message(with, rule, text),
        Expect::Stderr(text) => !without.stderr.contains(text) && with.stderr.contains(text),
        Expect::Github(seen) => {
            !without.github.iter().any(|s| s == seen) && with.github.iter().any(|s| s == seen)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {expect:?}"))
    }
}

#[test]
fn every_policy_key_takes_effect() {
    let started = Instant::now();
    let output = Command::cargo_bin("dockgate")
        .unwrap()
        .args(["policy", "schema"])
        .output()
        .unwrap();
    assert!(output.status.success(), "dockgate policy schema failed");
    let schema: Value = serde_json::from_slice(&output.stdout).expect("the schema is JSON");
    let schema_keys = schema_keys(&schema);

    let cases = cases();
    let case_keys: BTreeSet<String> = cases.iter().map(|case| case.key.to_string()).collect();
    let uncovered: Vec<&String> = schema_keys.difference(&case_keys).collect();
    let unknown: Vec<&String> = case_keys.difference(&schema_keys).collect();
    assert!(
        uncovered.is_empty() && unknown.is_empty(),
        "the case table and the policy schema disagree:\n\
         keys of the schema without a case (add one to `cases()` in tests/every_setting.rs): {uncovered:?}\n\
         cases for keys the schema does not have: {unknown:?}"
    );

    let targets = lock_targets(&schema_keys);
    let locks: BTreeSet<String> = LOCKS
        .iter()
        .map(|(target, ..)| target.to_string())
        .collect();
    assert_eq!(
        locks, targets,
        "the lock targets of `LOCKS` (left) are not those `locked` accepts (right)"
    );

    let scratch = TempDir::new().unwrap();
    let images = write_images(scratch.path());
    let mut failures = String::new();
    for case in &cases {
        let without = run(case, &case.without, &images);
        let with = run(case, &case.with, &images);
        let mut failed: Vec<String> = case
            .expect
            .iter()
            .filter_map(|expect| check(expect, &without, &with).err())
            .collect();
        // An input error has no findings to lose: unless the case expects it, exit 2 is
        // a broken case (an invalid policy, a missing fixture), not a difference.
        let expected_exits = case.expect.iter().find_map(|expect| match expect {
            Expect::Exit(before, after) => Some([*before, *after]),
            _ => None,
        });
        for (index, (name, outcome)) in [("without", &without), ("with", &with)]
            .into_iter()
            .enumerate()
        {
            if outcome.code == 2 && expected_exits.is_none_or(|codes| codes[index] != 2) {
                failed.push(format!("the run {name} it is an input error (exit 2)"));
            }
        }
        if !failed.is_empty() {
            let command: Vec<&str> = ["dockgate", case.command, "--format", "json"]
                .into_iter()
                .chain(case.rest.iter().copied())
                .collect();
            let _ = writeln!(
                failures,
                "\n`{}` does not take effect as expected: {}\n`{}` in a dir with {:?}\n\
                 --- without it, dockgate.yml:\n{}\n{without}\
                 --- with it, dockgate.yml:\n{}\n{with}",
                case.key,
                failed.join(", "),
                command.join(" "),
                case.files,
                case.without.trim_end(),
                case.with.trim_end(),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:{failures}",
        failures.matches("does not take effect").count(),
        cases.len()
    );
    eprintln!(
        "{} keys, {} cases, {:.1?}",
        schema_keys.len(),
        cases.len(),
        started.elapsed()
    );
}
