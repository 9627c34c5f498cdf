//! ShellCheck through the binary: SC findings at their exact lines inside RUN, and
//! SC codes as rules of the policy (off, severities, pragmas, exceptions). These tests
//! need `shellcheck` on PATH (`scripts/setup` installs it); without it they skip,
//! except in CI (`CI=true`), where that fails.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn dockgate() -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command.env("NO_COLOR", "1");
    command
}

fn have_shellcheck() -> bool {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("shellcheck").is_file())
    });
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "shellcheck is not on PATH (scripts/setup installs it)"
        );
        eprintln!("skipped: no shellcheck on PATH");
    }
    found
}

fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, content) in files {
        fs::write(dir.path().join(path), content).unwrap();
    }
    dir
}

/// `dockgate lint --format json --fail-on never ARGS` in `dir`: the SC findings as
/// (rule, line, column, severity).
fn sc_findings(dir: &Path, args: &[&str]) -> Vec<(String, u64, u64, String)> {
    let output = dockgate()
        .current_dir(dir)
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("SC"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const DOCKERFILE: &str = "\
FROM debian:12
ARG version
ENV home=/opt
RUN echo \"$version\" \"$home\" && \\
    # a comment BuildKit removes
    ls $unset && \\
\techo `date`
ONBUILD RUN echo $1
SHELL [\"/bin/bash\", \"-c\"]
RUN <<EOF
set -e
[[ -d x ]] && echo $2
EOF
RUN [\"sh\", \"-c\", \"echo $3\"]
";

#[test]
fn findings_are_at_their_lines_inside_the_run() {
    if !have_shellcheck() {
        return;
    }
    let dir = tree(&[("Dockerfile", DOCKERFILE)]);
    let found = sc_findings(dir.path(), &["Dockerfile"]);
    let at = |rule: &str, line: u64, column: u64| {
        found
            .iter()
            .any(|f| f.0 == rule && f.1 == line && f.2 == column)
    };
    // ARG and ENV are known to ShellCheck: SC2154 only for `unset`.
    assert!(at("SC2154", 6, 8), "{found:?}"); // after the comment line
    assert_eq!(found.iter().filter(|f| f.0 == "SC2154").count(), 1);
    assert!(at("SC2086", 6, 8), "{found:?}");
    assert!(at("SC2046", 7, 7), "{found:?}"); // `date`, after a tab
    assert!(at("SC2006", 7, 7), "{found:?}");
    assert!(at("SC2086", 8, 18), "{found:?}"); // ONBUILD RUN, no variables exported
    assert!(at("SC2086", 12, 20), "{found:?}"); // the heredoc script, in bash
    assert!(
        !found.iter().any(|f| f.0 == "SC3010"),
        "bash has [[: {found:?}"
    );
    assert!(
        !found.iter().any(|f| f.1 == 14),
        "exec form is not shell: {found:?}"
    );
    // ShellCheck's levels are the severities.
    assert!(found.iter().any(|f| f.0 == "SC2086" && f.3 == "info"));
    assert!(found.iter().any(|f| f.0 == "SC2046" && f.3 == "warning"));
}

#[test]
fn sc_codes_are_rules_of_the_policy() {
    if !have_shellcheck() {
        return;
    }
    let dockerfile = "FROM debian:12\n# hadolint ignore=SC2046\nRUN echo `a` $1\nRUN echo `b`\n";
    let policy = "rules:\n  SC2086: off\n  SC2006: error\nexceptions:\n  - rules: [SC2005]\n    owner: \"@me\"\n    reason: r\n    expires: 2999-12-31\n";
    let dir = tree(&[("Dockerfile", dockerfile), ("dockgate.yml", policy)]);
    let found = sc_findings(dir.path(), &["Dockerfile"]);
    assert!(!found.iter().any(|f| f.0 == "SC2086"), "off: {found:?}");
    assert!(!found.iter().any(|f| f.0 == "SC2005"), "waived: {found:?}");
    assert!(
        !found.iter().any(|f| f.0 == "SC2046" && f.1 == 3),
        "the pragma: {found:?}"
    );
    assert!(
        found.iter().any(|f| f.0 == "SC2046" && f.1 == 4),
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.0 != "SC2006" || f.3 == "error"));
    // `on` keeps ShellCheck's level (info for SC2086), as in a later file of a chain.
    fs::write(dir.path().join("dockgate.yml"), "rules:\n  SC2086: on\n").unwrap();
    let found = sc_findings(dir.path(), &["Dockerfile"]);
    assert!(
        found.iter().any(|f| f.0 == "SC2086" && f.3 == "info"),
        "{found:?}"
    );

    // A misspelt code is still an error of the policy.
    fs::write(dir.path().join("dockgate.yml"), "rules:\n  SC208: off\n").unwrap();
    dockgate()
        .current_dir(dir.path())
        .args(["lint", "Dockerfile"])
        .assert()
        .code(2);
}

#[test]
fn without_shellcheck_one_note_and_nothing_else_changes() {
    let dir = tree(&[("Dockerfile", "FROM debian:latest\nRUN echo $1\n")]);
    let empty = TempDir::new().unwrap();
    let run = |policy: &str| {
        fs::write(dir.path().join("dockgate.yml"), policy).unwrap();
        dockgate()
            .current_dir(dir.path())
            .env("PATH", empty.path())
            .args(["lint", "Dockerfile"])
            .output()
            .unwrap()
    };
    let skipped = run("{}");
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert_eq!(
        stderr.matches("ShellCheck (SC) checks skipped").count(),
        1,
        "{stderr}"
    );
    let disabled = run("shellcheck:\n  enabled: false\n");
    assert!(disabled.stderr.is_empty());
    assert_eq!(skipped.stdout, disabled.stdout);
    assert_eq!(skipped.status.code(), disabled.status.code());
}

#[test]
fn rules_prints_a_pointer_to_the_wiki() {
    let output = dockgate().args(["rules", "SC2086"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("https://www.shellcheck.net/wiki/SC2086"),
        "{text}"
    );
    dockgate().args(["rules", "SC20"]).assert().code(2);
}

/// A bash stage whose later RUNs follow an ENV, and an ONBUILD RUN.
const BASH_STAGE: &str = "\
FROM debian:12
SHELL [\"/bin/bash\", \"-c\"]
RUN echo {a,b}
ENV X=1
RUN echo {c,d}
ONBUILD RUN echo {e,f}
";

#[test]
fn the_build_shell_by_default_and_hadolints_choice_in_builtin_hadolint() {
    if !have_shellcheck() {
        return;
    }
    let dir = tree(&[("Dockerfile", BASH_STAGE)]);
    let brace_lines = |args: &[&str]| -> Vec<u64> {
        let mut lines: Vec<u64> = sc_findings(dir.path(), args)
            .into_iter()
            .filter(|f| f.0 == "SC3009")
            .map(|f| f.1)
            .collect();
        lines.dedup();
        lines
    };
    // The build runs every RUN with bash: brace expansion is fine.
    assert_eq!(brace_lines(&["Dockerfile"]), Vec::<u64>::new());
    let recommended = ["--config", "builtin:recommended", "Dockerfile"];
    assert_eq!(brace_lines(&recommended), Vec::<u64>::new());
    // hadolint 2.15.1 checks a RUN after an ENV, and ONBUILD RUN, with /bin/sh.
    let hadolint = ["--config", "builtin:hadolint", "Dockerfile"];
    assert_eq!(brace_lines(&hadolint), [5, 6]);
    fs::write(
        dir.path().join("dockgate.yml"),
        "shellcheck:\n  hadolint_shell: true\n",
    )
    .unwrap();
    assert_eq!(brace_lines(&["Dockerfile"]), [5, 6]);
}

#[test]
fn a_shell_pragma_is_the_shell_shellcheck_reads() {
    if !have_shellcheck() {
        return;
    }
    let codes = |dockerfile: &str| -> Vec<(String, u64)> {
        let dir = tree(&[("Dockerfile", dockerfile)]);
        sc_findings(dir.path(), &["Dockerfile"])
            .into_iter()
            .map(|f| (f.0, f.1))
            .collect()
    };
    let bash = "# hadolint shell=bash\nFROM debian:12\nRUN echo {a,b} $1\n";
    let found = codes(bash);
    assert!(found.contains(&("SC2086".into(), 3)), "{found:?}");
    assert!(
        !found.iter().any(|f| f.0 == "SC3009" || f.0 == "SC2239"),
        "bash, with a shebang that draws no finding: {found:?}"
    );
    let dash = "FROM debian:12\n# hadolint shell=/bin/dash\nRUN echo {a,b}\n";
    assert_eq!(codes(dash), [("SC3009".to_string(), 3)]);
    // PowerShell (and cmd) scripts are not given to ShellCheck; a later SHELL decides.
    let powershell = "# hadolint shell=powershell\nFROM debian:12\nRUN echo $1\nSHELL [\"/bin/sh\", \"-c\"]\nRUN echo $2\n";
    assert_eq!(codes(powershell), [("SC2086".to_string(), 5)]);
}

#[test]
fn the_predefined_proxy_args_are_known() {
    if !have_shellcheck() {
        return;
    }
    let dockerfile = "FROM debian:12\nRUN echo \"$http_proxy\" \"$no_proxy\" \"$all_proxy\" \"$zz\"\nONBUILD RUN echo \"$https_proxy\" \"$ftp_proxy\"\n";
    let dir = tree(&[("Dockerfile", dockerfile)]);
    let unassigned: Vec<(String, u64, u64, String)> = sc_findings(dir.path(), &["Dockerfile"])
        .into_iter()
        .filter(|f| f.0 == "SC2154")
        .collect();
    assert_eq!(unassigned.len(), 1, "{unassigned:?}");
    assert_eq!((unassigned[0].1, unassigned[0].2), (2, 50));
}
