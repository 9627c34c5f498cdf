//! Shared by the integration tests that declare `mod support;`. Each test binary uses a
//! different part, so unused items are expected here.
#![allow(dead_code)]

pub mod action;
pub mod app_image;
pub mod fake_github;
pub mod image_env;

/// A temporary directory holding `files` (path, content).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// A temporary directory holding a copy of the directory `from` (a fixture project),
/// so that nothing around the fixture (this repository's policy or `.dockerignore`)
/// applies to it.
pub fn copy_project(from: &std::path::Path) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    copy_dir(from, dir.path());
    dir
}

/// Copies the directory `from` to `to`, recursively.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `dockgate` run in `dir`, without the environment that would reach a real GitHub or
/// Docker Engine.
pub fn dockgate(dir: &std::path::Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("dockgate").expect("binary");
    command.current_dir(dir);
    for name in [
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "INPUT_GITHUB-TOKEN",
        "INPUT_GITHUB_TOKEN",
        "GITHUB_EVENT_NAME",
        "DOCKER_HOST",
    ] {
        command.env_remove(name);
    }
    command
}

/// `dockgate lint --format json ARGS .` in `dir`: the exit code and the report.
pub fn lint_json(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let output = dockgate(dir)
        .args(["lint", "--format", "json"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), json)
}

/// Writes `text` to `path` under `dir`, making the directories it needs.
pub fn write(dir: &std::path::Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The first ```yaml block of the README's `## HEADING` section (an example the tests
/// check against the real consumer).
pub fn readme_yaml_example(heading: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split(&format!("\n## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("the README has a `## {heading}` section"));
    let start = section.find("```yaml\n").expect("with a ```yaml example") + 8;
    let end = section[start..].find("\n```").unwrap() + start;
    section[start..end].to_string() + "\n"
}
