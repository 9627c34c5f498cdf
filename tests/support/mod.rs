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
