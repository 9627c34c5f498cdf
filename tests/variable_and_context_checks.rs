//! BuildKit's build checks about variables, secret names and the build context
//! (DG1110-DG1114: UndefinedVar, UndefinedArgInFrom, InvalidDefaultArgInFrom,
//! SecretsUsedInArgOrEnv, CopyIgnoredFile) end to end through the binary, with the
//! default policy. The projects under `tests/fixtures/build-checks/` are copied into a
//! temporary directory, so no policy or `.dockerignore` of this repository applies.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

mod support;

/// The project `name`, copied into a fresh directory.
fn project(name: &str) -> TempDir {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build-checks");
    support::copy_project(&fixtures.join(name))
}

/// A project holding only a `Dockerfile` with `source`.
fn dockerfile(source: &str) -> TempDir {
    support::tree(&[("Dockerfile", source)])
}

/// `dockgate lint --format json ARGS .` in `dir`: the exit code and the findings of
/// the rules DG1110-DG1114 as (`CODE line`, message).
fn lint(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>) {
    let (code, json) = support::lint_json(dir, args);
    let found = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("DG111"))
        .map(|f| {
            (
                format!("{} {}", f["rule"].as_str().unwrap(), f["line"]),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code, found)
}

#[test]
fn undefined_variables_are_reported_with_buildkit_s_message() {
    let dir = project("DG1110-undefined-var");
    let (code, found) = lint(dir.path(), &[]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(
        found,
        [
            (
                "DG1110 9".to_string(),
                "Usage of undefined variable '$APP_HOEM' (did you mean $APP_HOME?)".to_string()
            ),
            (
                "DG1110 10".to_string(),
                "Usage of undefined variable '$TARGETARCH'".to_string()
            ),
        ]
    );
    // Declaring the ARG in the stage that uses it and fixing the typo clears both.
    let path = dir.path().join("Dockerfile");
    let fixed = fs::read_to_string(&path)
        .unwrap()
        .replace("$APP_HOEM", "$APP_HOME")
        .replace("ENV APP_HOME=/app", "ENV APP_HOME=/app\nARG TARGETARCH");
    fs::write(&path, fixed).unwrap();
    assert_eq!(lint(dir.path(), &[]).1, []);
}

#[test]
fn a_source_the_dockerignore_excludes_is_reported() {
    let dir = project("DG1114-copy-ignored-file");
    let (code, found) = lint(dir.path(), &[]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(
        found,
        [(
            "DG1114 5".to_string(),
            "Attempting to Copy file \"dist\" that is excluded by .dockerignore".to_string()
        )]
    );
}

#[test]
fn an_ignore_file_that_re_includes_paths_is_not_judged() {
    // BuildKit skips the check when the ignore file has a `!pattern`.
    let dir = project("DG1114-copy-ignored-file");
    support::write(dir.path(), ".dockerignore", "dist\n!dist/bundle.js\n");
    let (_, found) = lint(dir.path(), &[]);
    assert_eq!(found, []);
}

#[test]
fn from_arguments_are_checked_with_their_defaults() {
    let dir = dockerfile("ARG TAG\nFROM busybox:${TAG}${VARIANT}\nUSER 10001\n");
    let (code, found) = lint(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            (
                "DG1111 2".to_string(),
                "FROM argument 'VARIANT' is not declared".to_string()
            ),
            (
                "DG1112 2".to_string(),
                "Default value for ARG busybox:${TAG}${VARIANT} results in empty or invalid base image name"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn secret_names_are_reported_without_their_values() {
    let dir = dockerfile(
        "FROM alpine:3.20\nARG NPM_TOKEN\nENV DB_PASSWORD=hunter2-very-secret PUBLIC_KEY=x\nUSER 10001\n",
    );
    // Off by default (DL3064 reports secret names there): a policy switches it on.
    assert_eq!(lint(dir.path(), &[]).1, []);
    fs::write(dir.path().join("policy.yml"), "rules:\n  DG1113: on\n").unwrap();
    let (_, found) = lint(dir.path(), &["--config", "policy.yml"]);
    assert_eq!(
        found,
        [
            (
                "DG1113 2".to_string(),
                "Do not use ARG or ENV instructions for sensitive data (ARG \"NPM_TOKEN\")"
                    .to_string()
            ),
            (
                "DG1113 3".to_string(),
                "Do not use ARG or ENV instructions for sensitive data (ENV \"DB_PASSWORD\")"
                    .to_string()
            ),
        ]
    );
    let output = support::dockgate(dir.path())
        .args(["lint", "--config", "policy.yml", "."])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let messages: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("DG1113"))
        .collect();
    assert_eq!(messages.len(), 2, "{text}");
    assert!(
        messages.iter().all(|line| !line.contains("hunter2")),
        "a message prints the value:\n{text}"
    );
}

#[test]
fn builtin_hadolint_runs_none_of_them() {
    for name in ["DG1110-undefined-var", "DG1114-copy-ignored-file"] {
        let dir = project(name);
        let (_, found) = lint(dir.path(), &["--config", "builtin:hadolint"]);
        assert_eq!(found, [], "{name}");
    }
}
