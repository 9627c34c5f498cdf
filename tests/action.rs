//! `action.yml` and the README's example workflow: every input the action declares is
//! one `dockgate github` reads and the README documents, and actionlint finds nothing
//! wrong with the example (with `CI=true` a missing actionlint fails the test; without,
//! it is skipped with a banner).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_yaml_ng::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    serde_yaml_ng::from_str(&text).expect("action.yml is YAML")
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The first ```yaml block of the README's "GitHub Action" section.
fn example_workflow() -> String {
    let readme = readme();
    let section = readme
        .split("\n## GitHub Action\n")
        .nth(1)
        .expect("the README has a `## GitHub Action` section");
    let start = section.find("```yaml\n").expect("with a ```yaml example") + 8;
    let end = section[start..].find("\n```").unwrap() + start;
    section[start..end].to_string() + "\n"
}

#[test]
fn every_input_is_read_by_dockgate_and_documented() {
    let action = action();
    let inputs = action["inputs"].as_mapping().expect("inputs");
    let declared: BTreeSet<&str> = inputs.keys().filter_map(Value::as_str).collect();
    let read: BTreeSet<&str> = dockgate::github::inputs::NAMES.iter().copied().collect();
    assert_eq!(
        declared, read,
        "action.yml's inputs (left) are not those `dockgate github` reads (right)"
    );
    let readme = readme();
    for (name, input) in inputs {
        let name = name.as_str().unwrap();
        assert!(
            input["description"]
                .as_str()
                .is_some_and(|text| !text.is_empty()),
            "input `{name}` has no description"
        );
        assert!(
            input.get("default").is_some(),
            "input `{name}` has no default"
        );
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "the README's input table lacks `{name}`"
        );
    }
    assert_eq!(
        inputs["github-token"]["default"].as_str(),
        Some("${{ github.token }}")
    );
    let outputs: BTreeSet<&str> = action["outputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        outputs,
        BTreeSet::from(["passed", "errors", "warnings", "report-json", "sarif-file"])
    );
    assert_eq!(action["runs"]["using"].as_str(), Some("docker"));
    assert_eq!(action["runs"]["args"][0].as_str(), Some("github"));
}

#[test]
fn the_readme_example_workflow_is_actionlint_clean() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let file = workflows.join("dockgate.yml");
    std::fs::write(&file, example_workflow()).unwrap();
    let output = Command::new(root().join("scripts/actionlint"))
        .arg(&file)
        .output()
        .expect("scripts/actionlint runs");
    if output.status.code() == Some(3) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "actionlint is not installed (scripts/setup installs it): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        eprintln!("=== SKIPPED: actionlint is not installed (run scripts/setup) ===");
        return;
    }
    assert!(
        output.status.success(),
        "actionlint on the README's example workflow:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The check itself can fail: a broken expression is reported.
    let broken = example_workflow().replace(
        "steps.dockgate.outputs.errors",
        "steps.dockgate.outputs.errors ||| x",
    );
    std::fs::write(&file, broken).unwrap();
    let output = Command::new(root().join("scripts/actionlint"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
