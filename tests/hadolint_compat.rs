//! Dropping hadolint for dockgate loses nothing: `--format hadolint-json` writes
//! hadolint's bytes, a `.hadolint.yaml` (and hadolint's environment variables) is the
//! configuration when there is no dockgate policy, and hadolint's pragmas (DL1001,
//! `shell=`) behave as hadolint's. Expected bytes were recorded from hadolint 2.15.1;
//! when `hadolint` is on PATH the tests also compare with it live.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

mod support;
use support::tree;

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

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `dockgate lint --format hadolint-json ARGS` in `dir`: exit code, stdout, stderr.
fn lint_hadolint_json(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = dockgate(dir)
        .args(["lint", "--format", "hadolint-json"])
        .args(args)
        .output()
        .unwrap();
    (output.status.code(), stdout(&output), stderr(&output))
}

/// The entries of a hadolint-json array (none when it is not one: an exit 2).
fn entries(text: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(text).unwrap_or_default()
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
// Clean under builtin:recommended too: a slim base and a non-root USER.
const CLEAN: &str = "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n";

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
    let (code, out, err) = lint_hadolint_json(dir.path(), &["--config", "builtin:hadolint"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(out, expected);
    if let Some(live) = hadolint(dir.path(), &["Dockerfile", "we\"ird.Dockerfile"]) {
        assert_eq!(live, expected, "hadolint 2.15.1 writes this");
    }

    // No finding: `[]`, no newline; and --output writes the same bytes.
    let (code, _, err) =
        lint_hadolint_json(dir.path(), &["clean.Dockerfile", "--output", "report.json"]);
    assert_eq!(code, Some(0), "{err}");
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
    let dir = tree(&[(
        "Dockerfile",
        "FROM debian:12-slim\nCOPY --from stage a b\nUSER 10001\n",
    )]);
    let (code, text, err) = lint_hadolint_json(dir.path(), &["Dockerfile", "missing"]);
    assert_eq!(code, Some(2));
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
    assert!(err.contains("missing"), "{err}");
}

/// `dockgate lint --format hadolint-json` in `dir` with `env`: the exit code, the
/// `(code, level)` of each finding, and stderr.
fn lint_codes(dir: &Path, env: &[(&str, &str)]) -> (i32, Vec<(String, String)>, String) {
    let mut command = dockgate(dir);
    command.args(["lint", "--format", "hadolint-json"]);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let codes = entries(&stdout(&output))
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (output.status.code().unwrap(), codes, stderr(&output))
}

fn codes(findings: &[(String, String)]) -> Vec<&str> {
    findings.iter().map(|(code, _)| code.as_str()).collect()
}

/// With a non-root USER, so that builtin:recommended adds nothing to hadolint's two.
const UNTAGGED_MAINTAINER: &str = "FROM debian\nMAINTAINER me\nUSER 10001\n";

#[test]
fn a_hadolint_yaml_is_the_policy_when_there_is_no_dockgate_policy() {
    // Without any configuration: builtin:recommended (DL3006 and DL4000, no label rules).
    let dir = tree(&[("Dockerfile", UNTAGGED_MAINTAINER)]);
    let (code, found, _) = lint_codes(dir.path(), &[]);
    assert_eq!((code, codes(&found)), (1, vec!["DL3006", "DL4000"]));

    let case = |config: &str, dockerfile: &str| {
        let dir = tree(&[(".hadolint.yaml", config), ("Dockerfile", dockerfile)]);
        lint_codes(dir.path(), &[])
    };
    // ignored
    let (code, found, _) = case("ignored: [DL4000, SC2086]\n", UNTAGGED_MAINTAINER);
    assert_eq!((code, codes(&found)), (1, vec!["DL3006"]));
    // override
    let (_, found, _) = case(
        "override:\n  error: [DL3006]\n  info: [DL4000]\n",
        UNTAGGED_MAINTAINER,
    );
    assert_eq!(
        found,
        [
            ("DL3006".into(), "error".into()),
            ("DL4000".into(), "info".into())
        ]
    );
    // `ignored` wins over `override`, as in hadolint
    let (_, found, _) = case(
        "ignored: [DL3006]\noverride:\n  error: [DL3006]\n",
        UNTAGGED_MAINTAINER,
    );
    assert_eq!(codes(&found), ["DL4000"]);
    // failure-threshold: hadolint's default is info (builtin:hadolint underneath) ...
    let labels = "label-schema:\n  maintainer: text\n";
    let (code, found, _) = case(labels, "FROM debian:12\n");
    assert_eq!((code, codes(&found)), (1, vec!["DL3049"]), "fails on info");
    // ... and the file's threshold replaces it.
    let (code, _, _) = case(
        &format!("{labels}failure-threshold: warning\n"),
        "FROM debian:12\n",
    );
    assert_eq!(code, 0);
    // no-fail
    let (code, found, _) = case("no-fail: true\n", UNTAGGED_MAINTAINER);
    assert_eq!((code, found.len()), (0, 2));
    // trustedRegistries, a list or one registry
    for registries in ["[docker.io]", "docker.io"] {
        let (_, found, _) = case(
            &format!("trustedRegistries: {registries}\n"),
            "FROM quay.io/app:1\nFROM debian:12\n",
        );
        assert_eq!(codes(&found), ["DL3026"], "{registries}");
    }
    // label-schema and strict-labels
    let (_, found, _) = case(
        "label-schema:\n  version: semver\nstrict-labels: true\n",
        "FROM debian:12\nLABEL version=one other=x\n",
    );
    assert_eq!(codes(&found), ["DL3050", "DL3056"]);
    // disable-ignore-pragma: pragmas silence nothing, and are not findings (as hadolint)
    let pragma = "# hadolint ignore=DL3006\nFROM debian\n";
    let (_, found, _) = case("disable-ignore-pragma: false\n", pragma);
    assert!(found.is_empty(), "{found:?}");
    let (_, found, _) = case("disable-ignore-pragma: true\n", pragma);
    assert_eq!(codes(&found), ["DL3006"]);
}

#[test]
fn hadolint_looks_in_the_directory_then_the_user_configuration() {
    let dir = tree(&[
        ("Dockerfile", UNTAGGED_MAINTAINER),
        ("xdg/hadolint.yaml", "ignored: [DL3006]\n"),
        ("home/.config/hadolint.yml", "ignored: [DL4000]\n"),
        ("home/.hadolint.yaml", "ignored: [DL3006, DL4000]\n"),
    ]);
    let found = |dir: &Path| codes(&lint_codes(dir, &[]).1).join(",");
    assert_eq!(
        found(dir.path()),
        "DL4000",
        "$XDG_CONFIG_HOME/hadolint.yaml"
    );
    fs::remove_file(dir.path().join("xdg/hadolint.yaml")).unwrap();
    assert_eq!(found(dir.path()), "DL3006", "~/.config/hadolint.yml");
    fs::remove_file(dir.path().join("home/.config/hadolint.yml")).unwrap();
    assert_eq!(found(dir.path()), "", "~/.hadolint.yaml");
    fs::write(dir.path().join(".hadolint.yml"), "ignored: [SC2086]\n").unwrap();
    assert_eq!(found(dir.path()), "DL3006,DL4000", "the directory's first");
    // A dockgate policy wins, and says that hadolint's variables do nothing.
    fs::write(dir.path().join("dockgate.yml"), "rules: {DL4000: off}\n").unwrap();
    let (_, found, stderr) = lint_codes(dir.path(), &[("HADOLINT_IGNORE", "DL3006")]);
    assert_eq!(codes(&found), ["DL3006"]);
    assert!(
        stderr.contains("warning: HADOLINT_IGNORE has no effect: the policy is dockgate.yml"),
        "{stderr}"
    );
    // `--config` naming a hadolint file reads it as hadolint's.
    let (code, out, _) = lint_hadolint_json(dir.path(), &["--config", "home/.hadolint.yaml"]);
    assert_eq!((code, out.as_str()), (Some(0), "[]"));
}

#[test]
fn hadolint_variables_apply_under_the_hadolint_configuration() {
    let dir = tree(&[("Dockerfile", UNTAGGED_MAINTAINER)]);
    let run = |env: &[(&str, &str)]| lint_codes(dir.path(), env);
    // Variables alone are a hadolint configuration (on hadolint's defaults).
    let (code, found, _) = run(&[("HADOLINT_IGNORE", "DL3006, DL4000")]);
    assert_eq!((code, found.len()), (0, 0));
    let (code, _, _) = run(&[("HADOLINT_NOFAIL", "yes")]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&[("HADOLINT_NOFAIL", "0")]);
    assert_eq!(code, 1);
    let (code, _, _) = run(&[
        ("HADOLINT_FAILURE_THRESHOLD", "error"),
        ("HADOLINT_IGNORE", "DL4000"),
    ]);
    assert_eq!(code, 0);
    for (variable, level) in [
        ("HADOLINT_OVERRIDE_ERROR", "error"),
        ("HADOLINT_OVERRIDE_WARNING", "warning"),
        ("HADOLINT_OVERRIDE_INFO", "info"),
        ("HADOLINT_OVERRIDE_STYLE", "style"),
    ] {
        let (_, found, _) = run(&[(variable, "DL4000")]);
        assert_eq!(
            found[1],
            ("DL4000".to_string(), level.to_string()),
            "{variable}"
        );
    }
    let tagged = tree(&[(
        "Dockerfile",
        "# hadolint ignore=DL3026\nFROM quay.io/app:1\nLABEL x=1\n",
    )]);
    let run = |env: &[(&str, &str)]| codes(&lint_codes(tagged.path(), env).1).join(",");
    assert_eq!(
        run(&[("HADOLINT_TRUSTED_REGISTRIES", "docker.io,gcr.io")]),
        ""
    );
    assert_eq!(
        run(&[
            ("HADOLINT_TRUSTED_REGISTRIES", "docker.io"),
            ("HADOLINT_DISABLE_IGNORE_PRAGMA", "1")
        ]),
        "DL3026"
    );
    assert_eq!(
        run(&[("HADOLINT_REQUIRE_LABELS", "maintainer:text,x:text")]),
        "DL3049"
    );
    assert_eq!(run(&[("HADOLINT_STRICT_LABELS", "true")]), "DL3050");

    // The file wins over the variables, as in hadolint; HADOLINT_IGNORE adds to `ignored`.
    fs::write(
        dir.path().join(".hadolint.yaml"),
        "failure-threshold: info\nignored: [DL4000]\n",
    )
    .unwrap();
    let (code, found, _) = lint_codes(
        dir.path(),
        &[
            ("HADOLINT_FAILURE_THRESHOLD", "error"),
            ("HADOLINT_IGNORE", "DL3026"),
        ],
    );
    assert_eq!((code, codes(&found)), (1, vec!["DL3006"]));
    let output = dockgate(dir.path())
        .env("HADOLINT_IGNORE", "DL3006")
        .args(["policy", "show"])
        .output()
        .unwrap();
    let shown = stdout(&output);
    assert!(
        shown.contains("#   $HADOLINT_IGNORE\n#   .hadolint.yaml\n"),
        "{shown}"
    );
    assert!(
        shown.contains("severity: off  # $HADOLINT_IGNORE:1:1"),
        "{shown}"
    );
    assert!(
        shown.contains("severity: off  # .hadolint.yaml:2:11"),
        "{shown}"
    );
    assert!(
        shown.contains("fail_on: info  # .hadolint.yaml:1:1"),
        "{shown}"
    );
}

#[test]
fn a_broken_hadolint_configuration_is_exit_2_at_its_place() {
    for (config, env, expected) in [
        (
            "ignored: [DL4000]\nfailure-threshold: loud\n",
            None,
            ".hadolint.yaml:2:20: ",
        ),
        ("label-schema:\n  a: nope\n", None, ".hadolint.yaml:2:6: "),
        (
            "override:\n  fatal: [DL3006]\n",
            None,
            ".hadolint.yaml:2:3: ",
        ),
        ("ignored: [DL4000\n", None, ".hadolint.yaml:"),
        (
            "ignored: []\ntrustedRegistries: {a: b}\n",
            None,
            ".hadolint.yaml:2:1: ",
        ),
        (
            "",
            Some(("HADOLINT_FAILURE_THRESHOLD", "loud")),
            "$HADOLINT_FAILURE_THRESHOLD:1:1: ",
        ),
        (
            "",
            Some(("HADOLINT_REQUIRE_LABELS", "a:text, b:bogus")),
            "$HADOLINT_REQUIRE_LABELS:1:9: ",
        ),
    ] {
        let dir = tree(&[
            (".hadolint.yaml", config),
            ("Dockerfile", "FROM debian:12\n"),
        ]);
        let (code, found, stderr) = lint_codes(dir.path(), env.as_slice());
        assert_eq!(code, 2, "{config}: {stderr}");
        assert!(found.is_empty());
        assert!(stderr.starts_with(expected), "{config}: {stderr}");
        assert!(
            stderr.contains("expected") || stderr.contains("did not find"),
            "{stderr}"
        );
    }
}

/// hadolint 2.15.1's pragma cases: a global ignore, a shell pragma, a pragma silencing
/// the DL1001 of the pragma below it, a pragma with a comment after it.
const PRAGMAS: &str = "# hadolint global ignore=DL3006\nFROM debian\n# hadolint shell=powershell\nRUN foo\n# hadolint ignore=DL1001\n# hadolint ignore=DL3007\nFROM debian:latest\n# hadolint ignore=DL4000 # because\nMAINTAINER me\nUSER 10001\n";

#[test]
fn dl1001_reports_inline_pragmas_as_hadolint_does() {
    let dir = tree(&[("Dockerfile", PRAGMAS)]);
    // Off by default, as in hadolint; the pragmas work.
    let (code, out, _) = lint_hadolint_json(dir.path(), &["--config", "builtin:hadolint"]);
    assert_eq!((code, out.as_str()), (Some(0), "[]"));
    // Turned on by hadolint's override: hadolint's bytes.
    fs::write(
        dir.path().join(".hadolint.yaml"),
        "override:\n  error: [DL1001]\n",
    )
    .unwrap();
    let expected = concat!(
        r#"[{"code":"DL1001","column":1,"file":"Dockerfile","level":"error","line":5,"message":"Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`."},"#,
        r#"{"code":"DL1001","column":1,"file":"Dockerfile","level":"error","line":8,"message":"Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`."}]"#
    );
    let (code, out, _) = lint_hadolint_json(dir.path(), &[]);
    assert_eq!((code, out.as_str()), (Some(1), expected));
    if let Some(live) = hadolint(dir.path(), &["Dockerfile"]) {
        assert_eq!(live, expected, "hadolint 2.15.1 writes this");
    }
    // On in a dockgate policy, at its own severity; DG0003 is the other thing: under
    // `pragmas: forbidden` nothing is silenced and every pragma, global ones too, is one.
    fs::remove_file(dir.path().join(".hadolint.yaml")).unwrap();
    fs::write(dir.path().join("dockgate.yml"), "rules: {DL1001: on}\n").unwrap();
    let (_, found, _) = lint_codes(dir.path(), &[]);
    assert_eq!(
        found,
        [
            ("DL1001".into(), "warning".into()),
            ("DL1001".into(), "warning".into())
        ]
    );
    fs::write(dir.path().join("dockgate.yml"), "pragmas: forbidden\n").unwrap();
    let (_, found, _) = lint_codes(dir.path(), &[]);
    assert_eq!(
        codes(&found),
        [
            "DG0003", "DL3006", "DG0003", "DG0003", "DL3007", "DG0003", "DL4000"
        ]
    );
}

#[test]
fn pragmas_cover_onbuild_and_heredoc_instructions_and_not_comments_inside_them() {
    let dockerfile = "FROM debian:12\n# hadolint ignore=DL1000\nONBUILD \\\n  MAINTAINER me\nRUN <<EOF\n# hadolint ignore=DL3006\nEOF\nRUN a \\\n# hadolint ignore=DL3006\n  b\nFROM debian\n# hadolint ignore=DL3020\nADD <<EOF /x\nhi\nEOF\nADD a /b\n";
    let dir = tree(&[
        ("Dockerfile", dockerfile),
        (".hadolint.yaml", "override:\n  error: [DL1001]\n"),
    ]);
    let (_, out, _) = lint_hadolint_json(dir.path(), &[]);
    let lines: Vec<(String, u64)> = entries(&out)
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // The ONBUILD's DL1000 and the heredoc ADD's DL3020 are silenced; the `#` lines in
    // the heredoc body and between continuation lines are not pragmas.
    assert_eq!(
        lines,
        [
            ("DL1001".to_string(), 2),
            ("DL3006".to_string(), 11),
            ("DL1001".to_string(), 12),
            ("DL3020".to_string(), 16),
        ]
    );
}

#[test]
fn hadolint_format_json_is_the_default_format_under_hadolint_configuration() {
    let dir = tree(&[("Dockerfile", LATEST)]);
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = dockgate(dir.path());
        command.arg("lint").args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        (stdout(&output), stderr(&output))
    };
    let hadolint_json = r#"[{"code":"DL3007","column":1,"file":"Dockerfile","level":"warning","line":1,"message":"Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag"}]"#;
    assert_eq!(run(&[("HADOLINT_FORMAT", "json")], &[]).0, hadolint_json);
    assert!(
        run(&[("HADOLINT_FORMAT", "json")], &["--format", "text"])
            .0
            .starts_with("Dockerfile:1:6: DL3007")
    );
    fs::write(dir.path().join(".hadolint.yaml"), "format: json\n").unwrap();
    assert_eq!(
        run(&[("HADOLINT_FORMAT", "tty")], &[]).0,
        hadolint_json,
        "the file wins"
    );
    // hadolint's formats that dockgate also writes are honoured.
    for (format, start) in [
        (
            "checkstyle",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">",
        ),
        ("sarif", "{"),
        ("gitlab_codeclimate", "[\n  {\n    \"type\": \"issue\""),
    ] {
        fs::write(
            dir.path().join(".hadolint.yaml"),
            format!("format: {format}\n"),
        )
        .unwrap();
        let (out, err) = run(&[], &[]);
        assert!(out.starts_with(start), "{format}: {out}");
        assert!(err.is_empty(), "{err}");
    }
    fs::write(dir.path().join(".hadolint.yaml"), "format: gnu\n").unwrap();
    let (out, err) = run(&[], &[]);
    assert!(out.starts_with("Dockerfile:1:6: DL3007"), "{out}");
    assert!(
        err.contains("hadolint's output format `gnu` is not one of dockgate's"),
        "{err}"
    );
}

/// Image findings in hadolint's array: one placed on a Dockerfile line is one of that
/// file's findings; one about the whole image has the reference as its file, line 1.
#[test]
fn hadolint_json_places_image_findings() {
    use dockgate::image::testing::{Compression, Image, Layer, passwd};
    let dir = tree(&[("Dockerfile", "FROM alpine:3.20\nUSER root\n")]);
    let image = Image::new()
        .user("root")
        .layer(
            Layer::new()
                .dir("etc")
                .file("etc/passwd", &passwd(&[("root", 0)])),
            Compression::Gzip,
            "/bin/sh -c #(nop) ADD file:0a1b in / ",
        )
        .empty_step("/bin/sh -c #(nop)  USER root");
    image.write_docker_archive(&dir.path().join("app.tar"));
    let output = dockgate(dir.path())
        .args([
            "image",
            "--format",
            "hadolint-json",
            "--dockerfile",
            "Dockerfile",
        ])
        .arg("docker-archive:app.tar")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let findings = entries(&text);
    let found: Vec<(&str, &str, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("DG2001", "Dockerfile", 2, 1),
            ("DG2032", "docker-archive:app.tar", 1, 1),
        ],
        "{text}"
    );
}

#[test]
fn hostile_hadolint_configurations_are_errors_not_panics() {
    let deep = format!("ignored: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    for text in [
        deep.as_str(),
        "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nignored: *c\n",
        "ignored: [DL3006]\n---\nignored: [DL3007]\n",
        "? [a]\n: b\n",
        "label-schema: !!binary aGVsbG8=\n",
        "\tignored: [x]\n",
        "- a\n- b\n",
    ] {
        let dir = tree(&[(".hadolint.yaml", text), ("Dockerfile", "FROM debian:12\n")]);
        let (code, _, stderr) = lint_codes(dir.path(), &[]);
        assert_eq!(code, 2, "{text:.40}: {stderr}");
        assert!(stderr.starts_with(".hadolint.yaml:"), "{stderr}");
    }
    let dir = tree(&[("Dockerfile", "FROM debian:12\n")]);
    fs::write(dir.path().join(".hadolint.yaml"), b"\xff\xfe").unwrap();
    let (code, _, stderr) = lint_codes(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with(".hadolint.yaml:1:1: "), "{stderr}");
}

#[test]
fn shell_rules_are_silent_on_windows_images_and_under_a_powershell_pragma() {
    let run = "RUN cd C:\\app && setup.exe /quiet\n";
    for (head, reported) in [
        ("FROM debian:12\n", true),
        (
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
            false,
        ),
        ("FROM golang:1.26-windowsservercore-ltsc2022\n", false),
        ("# hadolint shell=powershell\nFROM debian:12\n", false),
    ] {
        let dir = tree(&[("Dockerfile", &format!("{head}{run}"))]);
        let output = dockgate(dir.path())
            .args(["lint", "--config", "builtin:hadolint", "--format", "json"])
            .args(["--fail-on", "never", "Dockerfile"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules.contains(&"DL3003"), reported, "{head}: {rules:?}");
        assert!(!rules.contains(&"DL1000"), "{head}: {rules:?}");
    }
}
