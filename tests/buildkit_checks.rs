//! BuildKit's build checks through the binary: the rules that are them fire under the
//! default policy and not under `builtin:hadolint`, and the `# check=` directive skips
//! them or makes them errors as BuildKit does.

mod support;

use serde_json::Value;
use support::{dockgate, tree};

/// `dockgate lint --format json` on a Dockerfile with `text`, with extra arguments:
/// the exit code, the report and stderr.
fn lint(text: &str, args: &[&str]) -> (i32, Value, String) {
    let dir = tree(&[("Dockerfile", text)]);
    let output = dockgate(dir.path())
        .args(["lint", "--format", "json"])
        .args(args)
        .arg("Dockerfile")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)));
    (
        output.status.code().unwrap(),
        report,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The rules `dockgate lint` reports on a Dockerfile with `text` under the policy
/// `policy` (a `dockgate.yml` next to it).
fn rules_under(policy: &str, text: &str) -> Vec<String> {
    let dir = tree(&[("Dockerfile", text), ("dockgate.yml", policy)]);
    let output = dockgate(dir.path())
        .args(["lint", "--format", "json", "Dockerfile"])
        .output()
        .unwrap();
    rules(&serde_json::from_slice(&output.stdout).unwrap())
}

/// `(rule, line, severity)` of each finding.
fn findings(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap().to_string(),
                finding["line"].as_u64().unwrap(),
                finding["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The findings of BuildKit's checks only (the default policy has others about root
/// and the base image).
fn checks(report: &Value) -> Vec<(String, u64, String)> {
    let is_check =
        |rule: &str| dockgate::rules::find(rule).is_some_and(|rule| rule.buildkit.is_some());
    findings(report)
        .into_iter()
        .filter(|(rule, ..)| is_check(rule))
        .collect()
}

fn rules(report: &Value) -> Vec<String> {
    findings(report)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect()
}

/// Breaks each of BuildKit's syntax and naming checks once.
const EVERY_CHECK: &str = "\
FROM --platform=linux/amd64 debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000 as Build
ENV LANG C.UTF-8
RUN echo one \\

    two
run echo three
EXPOSE 8080:80 53/UDP
";

#[test]
fn the_default_policy_runs_the_checks() {
    let (_, report, _) = lint(EVERY_CHECK, &[]);
    let found = rules(&report);
    for (code, line) in [
        ("DG1100", 1),
        ("DG1101", 1),
        ("DG1102", 6),
        ("DG1103", 2),
        ("DG1104", 3),
        ("DG1105", 7),
        ("DG1106", 7),
        ("DG1108", 1),
    ] {
        assert!(
            findings(&report)
                .iter()
                .any(|(rule, at, _)| rule == code && *at == line),
            "{code} on line {line}: {found:?}"
        );
    }
    // Experimental in BuildKit, off by default here.
    assert!(!found.contains(&"DG1109".to_string()));
}

#[test]
fn builtin_hadolint_stays_hadolints() {
    let (_, report, _) = lint(EVERY_CHECK, &["--config", "builtin:hadolint"]);
    let found = rules(&report);
    assert!(
        found.iter().all(|rule| !rule.starts_with("DG")),
        "{found:?}"
    );
}

#[test]
fn skip_names_the_checks_to_skip() {
    let text = "# check=skip=FromAsCasing\nFROM debian:12 as build\nrun echo\nRUN echo\nRUN echo\n";
    let (_, report, stderr) = lint(text, &[]);
    let found = rules(&report);
    assert!(!found.contains(&"DG1100".to_string()), "{found:?}");
    assert!(found.contains(&"DG1102".to_string()), "{found:?}");
    assert!(!stderr.contains("no BuildKit build check"), "{stderr}");
    // Without the directive, DG1100 is there.
    let (_, report, _) = lint(&text.replacen("# check=skip=FromAsCasing\n", "", 1), &[]);
    assert!(rules(&report).contains(&"DG1100".to_string()));
}

#[test]
fn skip_all_skips_every_buildkit_check_dl_rules_too() {
    let text = "#check=skip=all\nFROM debian:12 as build\nCMD echo hi\nEXPOSE 80/TCP\n";
    let (_, report, _) = lint(text, &[]);
    let found = rules(&report);
    // DL3025 is JSONArgsRecommended; DL3006 (untagged image) is no BuildKit check.
    assert!(!found.contains(&"DL3025".to_string()), "{found:?}");
    assert!(!found.contains(&"DG1100".to_string()), "{found:?}");
    assert!(!found.contains(&"DG1105".to_string()), "{found:?}");
    let (_, report, _) = lint(&text.replacen("#check=skip=all\n", "", 1), &[]);
    let found = rules(&report);
    assert!(found.contains(&"DL3025".to_string()), "{found:?}");
}

#[test]
fn a_check_comment_above_an_instruction_skips_for_it_alone() {
    let text =
        "FROM debian:12\n# check=skip=JSONArgsRecommended\nCMD echo one\nENTRYPOINT echo two\n";
    let (_, report, _) = lint(text, &[]);
    let dl3025: Vec<u64> = findings(&report)
        .into_iter()
        .filter(|(rule, ..)| rule == "DL3025")
        .map(|(_, line, _)| line)
        .collect();
    assert_eq!(dl3025, [4]);
}

#[test]
fn error_true_makes_the_checks_errors() {
    let text = "FROM debian:12 as build\n";
    let (code, report, _) = lint(text, &["--fail-on", "error"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        checks(&report),
        [("DG1100".to_string(), 1, "style".to_string())]
    );

    let text = "# check=error=true\nFROM debian:12 as build\n";
    let (code, report, _) = lint(text, &["--fail-on", "error"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        checks(&report),
        [("DG1100".to_string(), 2, "error".to_string())]
    );
    assert_eq!(report["passed"], false);
}

#[test]
fn skip_and_error_combine() {
    let text = "# check=skip=JSONArgsRecommended;error=true\nFROM debian:12 as build\nCMD echo\n";
    let (code, report, _) = lint(text, &["--fail-on", "error"]);
    assert_eq!(code, 1);
    assert_eq!(
        checks(&report),
        [("DG1100".to_string(), 2, "error".to_string())]
    );
}

#[test]
fn a_malformed_directive_is_an_error_as_in_buildkit() {
    let (code, report, _) = lint("# check=skip\nFROM debian:12\n", &[]);
    assert_eq!(code, 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "DL1000");
    assert_eq!(finding["line"], 1);
    assert_eq!(
        finding["message"],
        "failed to parse check options: invalid check option \"skip\""
    );
}

#[test]
fn an_unknown_check_name_is_a_warning_with_a_suggestion() {
    let (_, report, stderr) = lint("# check=skip=FromAsCasng\nFROM debian:12 as build\n", &[]);
    assert!(
        stderr.contains(
            "Dockerfile:1:14: `FromAsCasng` in `# check=` is no BuildKit build check, so it does nothing (did you mean `FromAsCasing`?)"
        ),
        "{stderr}"
    );
    assert!(rules(&report).contains(&"DG1100".to_string()));
}

#[test]
fn forbidden_pragmas_forbid_check_skips_too() {
    let found = rules_under(
        "extends: [builtin:recommended]\npragmas: forbidden\n",
        "# check=skip=FromAsCasing\nFROM debian:12 as build\n",
    );
    assert!(found.contains(&"DG1100".to_string()), "{found:?}");
    assert!(found.contains(&"DG0003".to_string()), "{found:?}");
}

#[test]
fn a_dockerfile_may_ask_for_the_experimental_check() {
    let text = "# check=experimental=InvalidDefinitionDescription\n# the version\nARG VERSION=1\nFROM debian:$VERSION\n";
    let (_, report, _) = lint(text, &[]);
    let found = findings(&report);
    assert!(
        found.contains(&("DG1109".to_string(), 3, "style".to_string())),
        "{found:?}"
    );
    // skip=all does not skip what the file asks for, as in BuildKit.
    let (_, report, _) = lint(
        &text.replace("experimental=", "skip=all;experimental="),
        &[],
    );
    assert!(rules(&report).contains(&"DG1109".to_string()));
    // Without asking, the rule is off; builtin:hadolint turns it off for good.
    let (_, report, _) = lint(
        &text.replacen("# check=experimental=InvalidDefinitionDescription\n", "", 1),
        &[],
    );
    assert!(!rules(&report).contains(&"DG1109".to_string()));
    let (_, report, _) = lint(text, &["--config", "builtin:hadolint"]);
    assert!(!rules(&report).contains(&"DG1109".to_string()));
}

#[test]
fn skip_reaches_every_rule_that_is_the_check() {
    let run = |text: &str| {
        rules_under(
            "extends: [builtin:recommended]\nrules:\n  DG1113: warning\n",
            text,
        )
    };
    let text = "FROM debian:12\nARG API_TOKEN\n";
    assert!(run(text).contains(&"DG1113".to_string()));
    let skipped = run(&format!("# check=skip=SecretsUsedInArgOrEnv\n{text}"));
    assert!(!skipped.contains(&"DG1113".to_string()), "{skipped:?}");
}

#[test]
fn a_reason_follows_the_first_space() {
    let run = |text: &str| {
        rules_under(
            "extends: [builtin:recommended]\npragmas: reason-required\n",
            text,
        )
    };
    let without = run("# check=skip=FromAsCasing\nFROM debian:12 as build\n");
    assert!(without.contains(&"DG1100".to_string()), "{without:?}");
    assert!(without.contains(&"DG0002".to_string()), "{without:?}");
    let with = run("# check=skip=FromAsCasing lower-case house style\nFROM debian:12 as build\n");
    assert!(!with.contains(&"DG1100".to_string()), "{with:?}");
    assert!(!with.contains(&"DG0002".to_string()), "{with:?}");
}
