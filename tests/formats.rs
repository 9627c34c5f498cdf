//! The formats other tools read (`--format github`, `sarif`, `checkstyle`, `gitlab`,
//! `junit`), end to end through the binary on every command that has `--format`, each
//! checked against its consumer's schema or parser where one is installed.

use std::path::Path;

use assert_cmd::Command;
use dockgate::image::testing::{Compression, Image, Layer, passwd};
use tempfile::TempDir;

mod support;
use support::app_image::{APP_DOCKERFILE, app_image};
use support::tree;

fn dockgate() -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("CI_PROJECT_DIR");
    command
}

/// Runs `dockgate ARGS` in `dir`: the exit code and stdout.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = dockgate().current_dir(dir).args(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.code().is_some(),
        "killed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), stdout)
}

/// Whether a consumer's parser is installed (`scripts/setup` installs them all): when
/// not, the test skips with a banner, except in CI (`CI=true`), where it fails.
fn have(consumer: &str, installed: bool) -> bool {
    if !installed {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{consumer} is not installed (scripts/setup installs it)"
        );
        eprintln!("skipped: {consumer} is not installed (scripts/setup installs it)");
    }
    installed
}

/// Runs `program ARGS` with `input` on stdin: its stdout, or its stderr as the error.
fn consumer(
    program: &str,
    args: &[&str],
    envs: &[(&str, String)],
    input: &str,
) -> Result<String, String> {
    use std::io::Write as _;
    let mut child = std::process::Command::new(program)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// `dockgate lint --format json` findings of `dir` as (path, line, column, severity,
/// message, rule): what every other format must say too.
fn json_findings(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let (_, out) = run(dir, &[args, &["--format", "json"]].concat());
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json["findings"].as_array().unwrap().clone()
}

/// A Dockerfile with an error (DL3020), warnings (DL3006, DL3008) and notices.
const FINDINGS: &str = "FROM debian\nRUN apt-get update && apt-get install -y curl\nADD a.txt /a\n";

/// A root image without a health check: DG2001 (error) and DG2032, about the whole image.
fn root_image(dir: &Path) -> String {
    let image = Image::new().user("0:0").layer(
        Layer::new().file("etc/passwd", &passwd(&[])),
        Compression::Gzip,
        "base",
    );
    let path = dir.join("root.tar");
    image.write_docker_archive(&path);
    format!("docker-archive:{}", path.display())
}

mod github {
    use super::*;

    #[test]
    fn findings_are_workflow_commands_worst_first_with_escaped_properties() {
        // `,` and `:` in a path must be escaped, or GitHub cuts the property there.
        let dir = tree(&[("a,b:c/Dockerfile", FINDINGS)]);
        let (code, out) = run(dir.path(), &["lint", "--format", "github"]);
        assert_eq!(code, 1, "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=a%2Cb%3Ac/Dockerfile,line=3,col=1,endLine=3,endColumn=4,title=DL3020::Use COPY instead of ADD for files and folders"
        );
        assert!(
            lines.contains(
                &"::warning file=a%2Cb%3Ac/Dockerfile,line=1,col=6,endLine=1,endColumn=12,title=DL3006::Always tag the version of an image explicitly"
            ),
            "{out}"
        );
        let levels: Vec<&str> = lines
            .iter()
            .map(|line| line.split([' ', ':']).nth(2).unwrap())
            .collect();
        let mut sorted = levels.clone();
        sorted.sort_by_key(|level| {
            ["error", "warning", "notice"]
                .iter()
                .position(|l| l == level)
        });
        assert_eq!(levels, sorted, "worst first:\n{out}");
        assert!(levels.contains(&"notice"), "{out}");
        assert!(
            !out.contains("title=dockgate"),
            "no summary under 10 per level:\n{out}"
        );
    }

    #[test]
    fn paths_are_relative_to_the_github_workspace() {
        let dir = tree(&[("svc/Dockerfile", FINDINGS)]);
        let absolute = dir.path().join("svc/Dockerfile");
        let output = dockgate()
            .current_dir(dir.path().join("svc"))
            .env("GITHUB_WORKSPACE", dir.path())
            .args(["lint", "--format", "github"])
            .arg(&absolute)
            .output()
            .unwrap();
        let out = String::from_utf8(output.stdout).unwrap();
        assert!(
            out.starts_with("::error file=svc/Dockerfile,line=3,"),
            "{out}"
        );
    }

    #[test]
    fn a_multi_line_span_has_no_columns() {
        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update \\\n  && apt-get install -y curl\n",
        )]);
        let (_, out) = run(dir.path(), &["lint", "--format", "github"]);
        let dl3008 = out
            .lines()
            .find(|line| line.contains("title=DL3008"))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(
            dl3008.starts_with("::warning file=Dockerfile,line=2,endLine=3,title=DL3008::"),
            "{dl3008}"
        );
    }

    #[test]
    fn over_ten_per_level_a_notice_first_among_notices_counts_them() {
        let adds: String = (0..12).map(|n| format!("ADD f{n} /f{n}\n")).collect();
        let dir = tree(&[(
            "Dockerfile",
            &format!("FROM debian:12-slim\n{adds}USER 10001\n"),
        )]);
        let (code, out) = run(dir.path(), &["lint", "--format", "github"]);
        assert_eq!(code, 1);
        let lines: Vec<&str> = out.lines().collect();
        let errors = lines.iter().filter(|l| l.starts_with("::error ")).count();
        assert_eq!(errors, 12, "every finding is printed:\n{out}");
        let first_notice = lines
            .iter()
            .position(|line| line.starts_with("::notice"))
            .unwrap();
        assert_eq!(
            lines[first_notice],
            "::notice title=dockgate::12 errors (2 not shown); GitHub shows 10 annotations per level, worst first: the step log lists them all"
        );
        assert!(
            lines[..first_notice]
                .iter()
                .all(|l| !l.starts_with("::notice"))
        );
    }

    #[test]
    fn image_findings_name_the_image_and_input_errors_are_errors() {
        let dir = TempDir::new().unwrap();
        let reference = root_image(dir.path());
        let (code, out) = run(dir.path(), &["image", "--format", "github", &reference]);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.lines().any(|line| line.starts_with("::error title=DG2001::")
                && line.contains(&reference)),
            "{out}"
        );

        // Placed on the USER line; the whole-image one on the FROM of the Dockerfile.
        let (_dir, repo, reference) = app_repo();
        let (_, out) = run(
            &repo,
            &["check", "--format", "github", "--image", &reference, "."],
        );
        assert!(
            out.lines().any(
                |line| line.starts_with("::error file=svc/Dockerfile,line=5,")
                    && line.contains("title=DG2001::")
            ),
            "{out}"
        );
        assert!(
            out.lines().any(
                |line| line.starts_with("::notice file=svc/Dockerfile,line=1,")
                    && line.ends_with(&format!("The image has no HEALTHCHECK (image {reference})"))
            ),
            "{out}"
        );

        let dir = tree(&[("Dockerfile", "FROM debian:12-slim\nUSER 10001\n")]);
        let (code, out) = run(
            dir.path(),
            &["check", "--format", "github", "missing/Dockerfile"],
        );
        assert_eq!(code, 2, "{out}");
        assert!(
            out.starts_with("::error file=missing/Dockerfile,title=input error::"),
            "{out}"
        );
    }

    #[test]
    fn a_clean_run_prints_nothing_and_passes() {
        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n",
        )]);
        let (code, out) = run(dir.path(), &["lint", "--format", "github"]);
        assert_eq!((code, out.as_str()), (0, ""));
    }
}

mod fingerprints {
    use super::*;
    use dockgate::gate::Settings;
    use dockgate::policy::{Choice, GithubFetcher};

    /// The fingerprints of the run over `dir`'s Dockerfile, by rule.
    fn of(dockerfile: &str) -> Vec<(String, String)> {
        let dir = tree(&[("svc/Dockerfile", dockerfile)]);
        let policy = dockgate::policy::load(
            &Choice::Explicit("builtin:recommended".into()),
            dir.path(),
            GithubFetcher::from_env(),
        )
        .unwrap();
        let settings = Settings {
            paths: vec![dir.path().join("svc")],
            ..Settings::default()
        };
        let run = dockgate::gate::run(&settings, policy);
        let mut prints: Vec<(String, String)> = dockgate::report::fingerprints(&run)
            .into_iter()
            .map(|f| (f.finding.rule.to_string(), f.fingerprint))
            .collect();
        prints.sort();
        prints
    }

    #[test]
    fn a_line_shift_keeps_them_and_a_changed_instruction_changes_them() {
        let before = of("FROM debian:12\nRUN apt-get install -y curl\n");
        assert!(
            before.iter().any(|(rule, _)| rule == "DL3008"),
            "{before:?}"
        );
        let shifted = of("# a comment\nFROM debian:12\n\nRUN apt-get install \\\n    -y curl\n");
        assert_eq!(before, shifted);
        let changed = of("FROM debian:12\nRUN apt-get install -y wget\n");
        let dl3008 = |prints: &[(String, String)]| {
            prints
                .iter()
                .find(|(rule, _)| rule == "DL3008")
                .unwrap()
                .1
                .clone()
        };
        assert_ne!(dl3008(&before), dl3008(&changed));
    }

    #[test]
    fn two_findings_of_one_rule_on_one_instruction_differ() {
        let prints = of("FROM debian:12\nRUN echo $1 $1\n");
        let sc2086: Vec<&String> = prints
            .iter()
            .filter(|(rule, _)| rule == "SC2086")
            .map(|(_, print)| print)
            .collect();
        assert_eq!(sc2086.len(), 2, "{prints:?}");
        assert_ne!(sc2086[0], sc2086[1]);
    }
}

/// A repository with `svc/Dockerfile` (APP_DOCKERFILE) and the image it made, outside it.
fn app_repo() -> (TempDir, std::path::PathBuf, String) {
    let dir = TempDir::new().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("svc")).unwrap();
    std::fs::write(repo.join("svc/Dockerfile"), APP_DOCKERFILE).unwrap();
    let path = dir.path().join("app.tar");
    app_image().write_docker_archive(&path);
    (dir, repo, format!("docker-archive:{}", path.display()))
}

mod sarif {
    use super::*;
    use serde_json::Value;

    fn sarif(dir: &Path, args: &[&str]) -> (i32, Value) {
        let (code, out) = run(dir, args);
        let log = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"));
        assert_valid(&log);
        (code, log)
    }

    /// What the official SARIF 2.1.0 schema says is wrong with `log`.
    fn schema_errors(log: &Value) -> Vec<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
        validator
            .iter_errors(log)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect()
    }

    /// Valid against the official SARIF 2.1.0 schema, and within what GitHub code
    /// scanning accepts and shows.
    fn assert_valid(log: &Value) {
        let errors = schema_errors(log);
        assert!(
            errors.is_empty(),
            "not valid SARIF 2.1.0:\n{}\n{log:#}",
            errors.join("\n")
        );
        assert_code_scanning_accepts(log);
    }

    #[test]
    fn the_schema_rejects_what_is_not_sarif() {
        let dir = tree(&[("Dockerfile", FINDINGS)]);
        let (_, mut log) = sarif(dir.path(), &["lint", "--format", "sarif"]);
        log["runs"][0]["results"][0]["level"] = "fatal".into();
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            0.into();
        log["runs"][0]["tool"]["driver"]["rules"][0]["id"] = Value::Null;
        assert_eq!(schema_errors(&log).len(), 3, "{:?}", schema_errors(&log));
    }

    /// GitHub's own limits and needs: at most 20 runs, 25,000 results and rules per run,
    /// 20 tags per rule; a location with a file and a start line on every result (or the
    /// alert has nowhere to show); `security-severity` a number from 0 to 10 on rules
    /// tagged `security`; each `ruleIndex` pointing at its `ruleId`'s rule.
    fn assert_code_scanning_accepts(log: &Value) {
        let runs = log["runs"].as_array().unwrap();
        assert!((1..=20).contains(&runs.len()));
        for run in runs {
            let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
            let results = run["results"].as_array().unwrap();
            assert!(results.len() <= 25_000 && rules.len() <= 25_000);
            for rule in rules {
                let tags = rule["properties"]["tags"].as_array().unwrap();
                assert!(tags.len() <= 20, "{rule}");
                if let Some(score) = rule["properties"].get("security-severity") {
                    let score: f64 = score.as_str().unwrap().parse().unwrap();
                    assert!((0.0..=10.0).contains(&score), "{rule}");
                    assert!(tags.contains(&"security".into()), "{rule}");
                }
                for key in ["shortDescription", "fullDescription", "help"] {
                    assert!(
                        !rule[key]["text"].as_str().unwrap().is_empty(),
                        "{key}: {rule}"
                    );
                }
            }
            for result in results {
                let index = result["ruleIndex"].as_u64().unwrap() as usize;
                assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
                let locations = result["locations"].as_array().unwrap();
                assert!((1..=1000).contains(&locations.len()), "{result}");
                let physical = &locations[0]["physicalLocation"];
                assert!(
                    !physical["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .is_empty()
                );
                assert!(
                    physical["region"]["startLine"].as_u64().unwrap() >= 1,
                    "{result}"
                );
                assert!(!result["message"]["text"].as_str().unwrap().is_empty());
                assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_string());
            }
        }
    }

    fn results(log: &Value) -> &Vec<Value> {
        log["runs"][0]["results"].as_array().unwrap()
    }

    fn result<'a>(log: &'a Value, rule: &str) -> &'a Value {
        results(log)
            .iter()
            .find(|result| result["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule}:\n{log:#}"))
    }

    fn rule<'a>(log: &'a Value, code: &str) -> &'a Value {
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        rules
            .iter()
            .find(|rule| rule["id"] == code)
            .unwrap_or_else(|| panic!("no rule {code}"))
    }

    #[test]
    fn lint_findings_are_results_with_rule_metadata_and_relative_locations() {
        let dir = tree(&[("a b/Dockerfile", FINDINGS)]);
        let (code, log) = sarif(dir.path(), &["lint", "--format", "sarif"]);
        assert_eq!(code, 1);
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "dockgate");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(
            driver["informationUri"],
            "https://github.com/dockgate/dockgate"
        );

        let dl3020 = result(&log, "DL3020");
        assert_eq!(dl3020["level"], "error");
        assert_eq!(
            dl3020["message"]["text"],
            "Use COPY instead of ADD for files and folders"
        );
        let physical = &dl3020["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "a%20b/Dockerfile");
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            physical["region"],
            serde_json::json!({"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 4})
        );
        let root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            root.starts_with("file:///") && root.ends_with('/'),
            "{root}"
        );
        // A fix travels as SARIF replacements.
        let fix = &dl3020["fixes"][0];
        assert_eq!(
            fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
            "COPY"
        );
        assert_eq!(fix["properties"]["applicability"], "safe");

        let metadata = rule(&log, "DL3020");
        assert_eq!(metadata["name"], "add-instead-of-copy", "{metadata:#}");
        assert_eq!(
            metadata["shortDescription"]["text"],
            dl3020["message"]["text"]
        );
        assert!(
            metadata["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Why is this bad?")
        );
        assert_eq!(
            metadata["helpUri"],
            "https://github.com/dockgate/dockgate/blob/main/docs/rules.md#dl3020-add-instead-of-copy"
        );
        assert_eq!(metadata["defaultConfiguration"]["level"], "error");
        // Only the rules that fired are listed.
        let fired: std::collections::BTreeSet<&str> = results(&log)
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        let listed: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(listed, fired.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn srcroot_is_the_github_workspace() {
        let dir = tree(&[("svc/Dockerfile", FINDINGS)]);
        let output = dockgate()
            .current_dir(dir.path().join("svc"))
            .env("GITHUB_WORKSPACE", dir.path())
            .args(["lint", "--format", "sarif", "."])
            .output()
            .unwrap();
        let log: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_valid(&log);
        let run = &log["runs"][0];
        let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        let workspace = dir.path().to_str().unwrap();
        assert_eq!(root, format!("file://{workspace}/"));
        let uri = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "svc/Dockerfile");
    }

    #[test]
    fn fingerprints_survive_a_line_shift_and_change_with_the_instruction() {
        let print = |dockerfile: &str| {
            let dir = tree(&[("Dockerfile", dockerfile)]);
            let (_, log) = sarif(dir.path(), &["lint", "--format", "sarif"]);
            let dl3008 = result(&log, "DL3008");
            dl3008["partialFingerprints"]["dockgate/v1"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let before = print("FROM debian:12\nRUN apt-get install -y curl\n");
        let shifted = print("FROM debian:12\n\n# install\nRUN apt-get install \\\n  -y curl\n");
        let changed = print("FROM debian:12\nRUN apt-get install -y wget\n");
        assert_eq!(before, shifted);
        assert_ne!(before, changed);
    }

    #[test]
    fn image_findings_are_located_on_the_dockerfile_or_the_image() {
        // `dockgate image` without a Dockerfile: located on the reference.
        let dir = TempDir::new().unwrap();
        let reference = root_image(dir.path());
        let (code, log) = sarif(dir.path(), &["image", "--format", "sarif", &reference]);
        assert_eq!(code, 1);
        let dg2001 = result(&log, "DG2001");
        let location = &dg2001["locations"][0];
        let uri = location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("docker-archive%3A"), "{uri}");
        assert_eq!(location["logicalLocations"][0]["name"], reference.as_str());
        assert!(
            dg2001["message"]["text"]
                .as_str()
                .unwrap()
                .contains(&reference)
        );
        let metadata = rule(&log, "DG2001");
        assert_eq!(metadata["properties"]["security-severity"], "8.0");
        assert!(
            metadata["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&"security".into())
        );

        // `dockgate check`: placed on the line, or on the FROM of the Dockerfile that made it.
        let (_dir, repo, reference) = app_repo();
        let (code, log) = sarif(
            &repo,
            &["check", "--format", "sarif", "--image", &reference, "."],
        );
        assert_eq!(code, 1);
        let located = |rule: &str| {
            let physical = &result(&log, rule)["locations"][0]["physicalLocation"];
            (
                physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                physical["region"]["startLine"].as_u64().unwrap(),
            )
        };
        assert_eq!(located("DG2001"), ("svc/Dockerfile".to_string(), 5));
        assert_eq!(located("DG2020"), ("svc/Dockerfile".to_string(), 3));
        assert_eq!(located("DG2032"), ("svc/Dockerfile".to_string(), 1));
    }

    #[test]
    fn input_errors_are_tool_notifications() {
        let dir = tree(&[("Dockerfile", "FROM debian:12-slim\nUSER 10001\n")]);
        let (code, log) = sarif(
            dir.path(),
            &[
                "check",
                "--format",
                "sarif",
                "Dockerfile",
                "gone/Dockerfile",
            ],
        );
        assert_eq!(code, 2);
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notification = &invocation["toolExecutionNotifications"][0];
        assert_eq!(notification["level"], "error");
        assert_eq!(
            notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "gone/Dockerfile"
        );
    }

    #[test]
    fn warnings_are_configuration_notifications_and_output_writes_a_file() {
        // A policy file is the policy, so hadolint's variables have no effect.
        let dir = tree(&[
            ("Dockerfile", FINDINGS),
            ("dockgate.yml", "extends: [builtin:recommended]\n"),
        ]);
        let output = dockgate()
            .current_dir(dir.path())
            .env("HADOLINT_IGNORE", "DL3008")
            .args(["lint", "--format", "sarif", "--output", "out.sarif"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(output.stdout.is_empty(), "the report goes to the file");
        let log: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
                .unwrap();
        assert_valid(&log);
        let notes = &log["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
        assert!(
            notes
                .as_array()
                .unwrap()
                .iter()
                .any(|note| note["level"] == "warning"
                    && note["message"]["text"]
                        .as_str()
                        .unwrap()
                        .contains("HADOLINT_IGNORE")),
            "{log:#}"
        );
        assert!(!results(&log).is_empty());
    }

    #[test]
    fn a_clean_run_is_a_valid_empty_log() {
        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n",
        )]);
        let (code, log) = sarif(dir.path(), &["lint", "--format", "sarif"]);
        assert_eq!(code, 0);
        assert_eq!(results(&log).len(), 0);
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }
}

mod checkstyle {
    use super::*;
    use serde_json::{Value, json};

    /// The danger plugin's own Checkstyle parser (on xml-js, a strict SAX parser),
    /// installed globally by `scripts/setup`.
    const READER: &str = r#"
        const fs = require("fs");
        const convert = require("xml-js");
        const { parseCheckstyle } = require("danger-plugin-lint-report/dist/parse/checkstyle_parser");
        const report = convert.xml2js(fs.readFileSync(0, "utf8"), { compact: false });
        console.log(JSON.stringify(parseCheckstyle(report, process.argv[1])));
    "#;

    /// The Node module path with the reader, when it is installed.
    fn node_path() -> Option<String> {
        let root = std::process::Command::new("npm")
            .args(["root", "--global"])
            .output()
            .ok()?;
        let root = String::from_utf8(root.stdout).ok()?.trim().to_string();
        let plugin = Path::new(&root).join("danger-plugin-lint-report");
        plugin
            .is_dir()
            .then(|| format!("{root}:{}/node_modules", plugin.display()))
    }

    /// What the reader makes of `xml`, read relative to `root`.
    fn read(xml: &str, root: &Path) -> Option<Result<Vec<Value>, String>> {
        let node_path = node_path();
        if !have("npm's danger-plugin-lint-report", node_path.is_some()) {
            return None;
        }
        let root = root.to_str().unwrap();
        let envs = [("NODE_PATH", node_path.unwrap())];
        Some(
            consumer("node", &["-e", READER, root], &envs, xml)
                .map(|out| serde_json::from_str(&out).unwrap()),
        )
    }

    fn checkstyle_severity(severity: &Value) -> &str {
        match severity.as_str().unwrap() {
            "style" => "info",
            other => other,
        }
    }

    #[test]
    fn a_checkstyle_reader_reads_every_finding_as_the_json_report_has_it() {
        // Markup in the path and in messages (`<package>`, quotes) must round-trip.
        let dir = tree(&[("q&a <'x'>/Dockerfile", &format!("{FINDINGS}RUN cd /x\n"))]);
        let (code, xml) = run(dir.path(), &["lint", "--format", "checkstyle"]);
        assert_eq!(code, 1);
        assert!(
            xml.starts_with(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">"
            ),
            "{xml}"
        );
        let Some(read) = read(&xml, dir.path()) else {
            return;
        };
        let violations = read.unwrap_or_else(|e| panic!("the reader refused:\n{e}\n{xml}"));
        let mut expected: Vec<Value> = json_findings(dir.path(), &["lint"])
            .iter()
            .map(|f| {
                json!({
                    "file": f["path"], "line": f["line"], "column": f["column"],
                    "severity": checkstyle_severity(&f["severity"]), "message": f["message"],
                })
            })
            .collect();
        let key = |v: &Value| {
            (
                v["line"].as_u64(),
                v["column"].as_u64(),
                v["message"].to_string(),
            )
        };
        expected.sort_by_key(key);
        let mut violations = violations;
        violations.sort_by_key(key);
        assert!(expected.len() >= 6, "{expected:?}");
        assert_eq!(violations, expected);
        assert!(xml.contains("source=\"DL3020\""), "{xml}");
    }

    #[test]
    fn image_findings_are_under_the_dockerfile_or_the_image() {
        let (_dir, repo, reference) = app_repo();
        let (code, xml) = run(
            &repo,
            &[
                "check",
                "--format",
                "checkstyle",
                "--image",
                &reference,
                ".",
            ],
        );
        assert_eq!(code, 1, "{xml}");
        assert!(xml.contains("<file name=\"svc/Dockerfile\">"), "{xml}");
        assert!(
            !xml.contains(&format!("<file name=\"{reference}\">")),
            "{xml}"
        );
        let Some(violations) = read(&xml, &repo) else {
            return;
        };
        let violations = violations.unwrap();
        let on = |line: u64, message: &str| {
            violations.iter().any(|v| {
                v["file"] == "svc/Dockerfile" && v["line"] == line && v["message"] == message
            })
        };
        // On the USER line, and the whole-image one on the FROM of the Dockerfile.
        assert!(
            on(
                5,
                &format!("The image runs as root: user `root` is UID 0 (image {reference})")
            ),
            "{violations:?}"
        );
        assert!(
            on(
                1,
                &format!("The image has no HEALTHCHECK (image {reference})")
            ),
            "{violations:?}"
        );

        // No Dockerfile: the image reference is the file, at line 1.
        let dir = TempDir::new().unwrap();
        let reference = root_image(dir.path());
        let (_, xml) = run(dir.path(), &["image", "--format", "checkstyle", &reference]);
        assert!(
            xml.contains(&format!("<file name=\"{reference}\">")),
            "{xml}"
        );
        let violations = read(&xml, dir.path()).unwrap().unwrap();
        assert_eq!(violations.len(), 2, "{violations:?}");
        assert!(
            violations
                .iter()
                .all(|v| v["line"] == 1 && v["column"] == 1),
            "{violations:?}"
        );
    }

    #[test]
    fn the_reader_refuses_what_is_not_xml() {
        let dir = TempDir::new().unwrap();
        let Some(read) = read(
            "<checkstyle version=\"4.3\"><file name=\"a\"></checkstyle>",
            dir.path(),
        ) else {
            return;
        };
        assert!(read.is_err(), "{read:?}");
    }

    #[test]
    fn a_clean_run_is_an_empty_report() {
        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n",
        )]);
        let (code, xml) = run(dir.path(), &["lint", "--format", "checkstyle"]);
        assert_eq!(code, 0);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n</checkstyle>\n"
        );
    }
}

mod gitlab {
    use super::*;
    use serde_json::Value;

    /// What the Code Quality schema (tests/fixtures/gitlab, written from GitLab's docs)
    /// says is wrong with `report`, plus repeated fingerprints (GitLab drops them).
    fn problems(report: &Value) -> Vec<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/gitlab/code-quality-report.schema.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let mut problems: Vec<String> = validator
            .iter_errors(report)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for issue in report.as_array().into_iter().flatten() {
            if !seen.insert(issue["fingerprint"].to_string()) {
                problems.push(format!("repeated fingerprint {}", issue["fingerprint"]));
            }
        }
        problems
    }

    fn gitlab(dir: &Path, args: &[&str]) -> (i32, Vec<Value>) {
        let (code, out) = run(dir, args);
        let report: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"));
        let problems = problems(&report);
        assert!(problems.is_empty(), "{}\n{report:#}", problems.join("\n"));
        (code, report.as_array().unwrap().clone())
    }

    #[test]
    fn every_finding_is_an_issue_with_a_fingerprint_and_a_relative_path() {
        let dockerfile = format!("{FINDINGS}RUN echo $1 $1\n");
        let dir = tree(&[("svc/Dockerfile", &dockerfile)]);
        let (code, issues) = gitlab(dir.path(), &["lint", "--format", "gitlab"]);
        assert_eq!(code, 1);
        let findings = json_findings(dir.path(), &["lint"]);
        assert_eq!(issues.len(), findings.len());
        for finding in &findings {
            let issue = issues
                .iter()
                .find(|issue| {
                    issue["check_name"] == finding["rule"]
                        && issue["location"]["lines"]["begin"] == finding["line"]
                        && issue["description"] == finding["message"]
                })
                .unwrap_or_else(|| panic!("no issue for {finding}:\n{issues:#?}"));
            assert_eq!(issue["location"]["path"], "svc/Dockerfile");
            assert_eq!(issue["location"]["lines"]["end"], finding["end_line"]);
            let severity = match finding["severity"].as_str().unwrap() {
                "error" => "critical",
                "warning" => "major",
                "info" => "minor",
                _ => "info",
            };
            assert_eq!(issue["severity"], severity, "{issue}");
        }
        let dl3020 = issues.iter().find(|i| i["check_name"] == "DL3020").unwrap();
        assert_eq!(dl3020["categories"][0], "Style");

        // GitLab CI: paths relative to CI_PROJECT_DIR, wherever dockgate runs.
        let output = dockgate()
            .current_dir(dir.path().join("svc"))
            .env("CI_PROJECT_DIR", dir.path())
            .args(["lint", "--format", "gitlab", "."])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(problems(&report).is_empty());
        assert_eq!(
            report[0]["location"]["path"], "svc/Dockerfile",
            "{report:#}"
        );
    }

    #[test]
    fn fingerprints_follow_the_instruction_not_the_line() {
        let prints = |dockerfile: &str| {
            let dir = tree(&[("Dockerfile", dockerfile)]);
            let (_, issues) = gitlab(dir.path(), &["lint", "--format", "gitlab"]);
            let mut prints: Vec<(String, String)> = issues
                .iter()
                .map(|i| {
                    (
                        i["check_name"].as_str().unwrap().into(),
                        i["fingerprint"].as_str().unwrap().into(),
                    )
                })
                .collect();
            prints.sort();
            prints
        };
        let before = prints("FROM debian:12\nRUN apt-get install -y curl\n");
        assert_eq!(
            before,
            prints("\n\nFROM debian:12\nRUN apt-get install \\\n -y curl\n")
        );
        assert_ne!(
            before,
            prints("FROM debian:12\nRUN apt-get install -y wget\n")
        );
    }

    #[test]
    fn image_findings_are_on_the_dockerfile_or_the_image() {
        let (_dir, repo, reference) = app_repo();
        let (code, issues) = gitlab(
            &repo,
            &["check", "--format", "gitlab", "--image", &reference, "."],
        );
        assert_eq!(code, 1);
        let issue = |rule: &str| issues.iter().find(|i| i["check_name"] == rule).unwrap();
        let dg2001 = issue("DG2001");
        assert_eq!(dg2001["location"]["path"], "svc/Dockerfile");
        assert_eq!(dg2001["location"]["lines"]["begin"], 5);
        assert_eq!(dg2001["categories"][0], "Security");
        assert!(
            dg2001["description"]
                .as_str()
                .unwrap()
                .ends_with(&format!("(image {reference})"))
        );
        assert_eq!(issue("DG2032")["location"]["lines"]["begin"], 1);
        assert_eq!(issue("DG2032")["location"]["path"], "svc/Dockerfile");

        let dir = TempDir::new().unwrap();
        let reference = root_image(dir.path());
        let (_, issues) = gitlab(dir.path(), &["image", "--format", "gitlab", &reference]);
        assert!(
            issues
                .iter()
                .all(|i| i["location"]["path"] == reference.as_str()),
            "{issues:#?}"
        );
    }

    #[test]
    fn a_clean_run_is_an_empty_array_and_the_schema_can_fail() {
        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n",
        )]);
        let (code, issues) = gitlab(dir.path(), &["lint", "--format", "gitlab"]);
        assert_eq!((code, issues.len()), (0, 0));

        let bad = serde_json::json!([
            { "description": "x", "check_name": "A", "fingerprint": "f", "severity": "error",
              "location": { "path": "./Dockerfile", "lines": { "begin": 1 } } },
            { "description": "x", "check_name": "A", "fingerprint": "f", "severity": "minor",
              "location": { "path": "Dockerfile" } }
        ]);
        assert_eq!(problems(&bad).len(), 4, "{:?}", problems(&bad));
    }
}

mod junit {
    use super::*;
    use serde_json::Value;

    /// PyPI's junitparser reading a report from stdin: suites, cases and results as JSON.
    const READER: &str = r#"
import json, sys
from junitparser import JUnitXml
xml = JUnitXml.fromstring(sys.stdin.read())
suites = []
for suite in xml:
    cases = []
    for case in suite:
        cases.append({
            "name": case.name, "classname": case.classname, "passed": case.is_passed,
            "results": [{"kind": type(r).__name__, "type": r.type, "message": r.message,
                         "text": r.text} for r in case.result],
            "system_out": case.system_out,
        })
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                   "errors": suite.errors, "cases": cases})
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "errors": xml.errors,
                  "suites": suites}))
"#;

    fn read(xml: &str) -> Option<Result<Value, String>> {
        let installed = std::process::Command::new("python3")
            .args(["-c", "import junitparser"])
            .output()
            .is_ok_and(|output| output.status.success());
        if !have("PyPI's junitparser", installed) {
            return None;
        }
        Some(
            consumer("python3", &["-c", READER], &[], xml)
                .map(|out| serde_json::from_str(&out).unwrap()),
        )
    }

    /// `dockgate ARGS` in `dir` as junitparser reads it: the exit code and the report.
    fn junit(dir: &Path, args: &[&str]) -> Option<(i32, Value)> {
        let (code, xml) = run(dir, args);
        let report = read(&xml)?.unwrap_or_else(|e| panic!("junitparser refused:\n{e}\n{xml}"));
        Some((code, report))
    }

    /// The entry of `list` (`suites` or `cases` of `parent`) named `name`.
    fn named<'a>(parent: &'a Value, list: &str, name: &str) -> &'a Value {
        parent[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["name"] == name)
            .unwrap_or_else(|| panic!("no {list} entry {name}:\n{parent:#}"))
    }

    fn suite<'a>(report: &'a Value, name: &str) -> &'a Value {
        named(report, "suites", name)
    }

    /// Every line the report lists findings with, failing or not.
    fn listed(report: &Value) -> Vec<String> {
        let mut lines = Vec::new();
        for suite in report["suites"].as_array().unwrap() {
            for case in suite["cases"].as_array().unwrap() {
                let texts = case["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|r| r["text"].as_str())
                    .chain(case["system_out"].as_str());
                lines.extend(texts.flat_map(str::lines).map(String::from));
            }
        }
        lines.sort();
        lines
    }

    #[test]
    fn a_suite_per_file_a_case_per_rule_failing_at_the_threshold() {
        let dir = tree(&[
            (
                "clean/Dockerfile",
                "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n",
            ),
            ("svc/Dockerfile", &format!("{FINDINGS}RUN echo $1 $1\n")),
        ]);
        let Some((code, report)) = junit(dir.path(), &["lint", "--format", "junit"]) else {
            return;
        };
        assert_eq!(code, 1);
        let clean = suite(&report, "clean/Dockerfile");
        assert_eq!(clean["cases"][0]["name"], "no findings");
        assert_eq!(clean["cases"][0]["passed"], true);

        let svc = suite(&report, "svc/Dockerfile");
        let case = |name: &str| named(svc, "cases", name);
        let dl3020 = case("DL3020 add-instead-of-copy");
        assert_eq!(dl3020["classname"], "svc/Dockerfile");
        assert_eq!(dl3020["results"][0]["kind"], "Failure");
        assert_eq!(dl3020["results"][0]["type"], "error");
        assert_eq!(
            dl3020["results"][0]["message"],
            "Use COPY instead of ADD for files and folders"
        );
        // Below --fail-on (warning): listed, passing.
        let dl3009 = case("DL3009 apt-lists-not-removed");
        assert_eq!(dl3009["passed"], true);
        // Two findings of one rule: one case, both listed, counted in the message.
        let shellcheck = std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("shellcheck").is_file())
        });
        if shellcheck {
            let sc2086 = case("SC2086");
            assert_eq!(
                sc2086["system_out"].as_str().unwrap().lines().count(),
                2,
                "{sc2086}"
            );
        }

        // Every finding is listed once, as `path:line:column: message`.
        let mut expected: Vec<String> = json_findings(dir.path(), &["lint"])
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}",
                    f["path"].as_str().unwrap(),
                    f["line"],
                    f["column"],
                    f["message"].as_str().unwrap()
                )
            })
            .collect();
        expected.sort();
        assert_eq!(listed(&report), expected);
        let failures = report["failures"].as_u64().unwrap();
        assert!(failures >= 3, "{report:#}");
        assert_eq!(report["tests"], 1 + svc["cases"].as_array().unwrap().len());

        // --fail-on never: the same findings, nothing fails, exit 0.
        let Some((code, report)) = junit(
            dir.path(),
            &["lint", "--format", "junit", "--fail-on", "never"],
        ) else {
            return;
        };
        assert_eq!((code, report["failures"].as_u64()), (0, Some(0)));
        assert_eq!(listed(&report), expected);
    }

    #[test]
    fn images_are_suites_and_unreadable_inputs_are_errors() {
        let (_dir, repo, reference) = app_repo();
        let Some((code, report)) = junit(
            &repo,
            &["check", "--format", "junit", "--image", &reference, "."],
        ) else {
            return;
        };
        assert_eq!(code, 1);
        let image = suite(&report, &reference);
        let dg2001 = named(image, "cases", "DG2001 image-runs-as-root");
        assert_eq!(dg2001["results"][0]["kind"], "Failure");
        let text = dg2001["results"][0]["text"].as_str().unwrap();
        assert!(
            text.starts_with("svc/Dockerfile:5:1: The image runs as root"),
            "{text}"
        );

        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12-slim\nUSER 10001\nCMD [\"true\"]\n",
        )]);
        let Some((code, report)) = junit(
            dir.path(),
            &["lint", "--format", "junit", "Dockerfile", "gone"],
        ) else {
            return;
        };
        assert_eq!(code, 2);
        assert_eq!(report["errors"], 1);
        let gone = suite(&report, "gone");
        assert_eq!(gone["cases"][0]["results"][0]["kind"], "Error");
        assert_eq!(
            gone["cases"][0]["results"][0]["message"],
            "No such file or directory"
        );
    }

    #[test]
    fn junitparser_refuses_what_is_not_xml() {
        if let Some(read) = read("<testsuites><testsuite name=\"a\"></testsuites>") {
            assert!(read.is_err(), "{read:?}");
        }
    }
}
