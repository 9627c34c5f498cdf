//! The action as the runner sees it: `action.yml`'s inputs with their defaults, and the
//! `$GITHUB_OUTPUT` file the step writes.

use std::collections::BTreeMap;

/// Every input of `action.yml` with its default, as the runner passes it to a container
/// action (`INPUT_<NAME>`, upper-cased, hyphens kept), `${{ github.token }}` being
/// `token`.
pub fn inputs(token: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml"))
        .expect("action.yml");
    let action: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("action.yml is YAML");
    action["inputs"]
        .as_mapping()
        .expect("action.yml has inputs")
        .iter()
        .map(|(name, input)| {
            let name = name.as_str().expect("input names are strings");
            let default = input["default"].as_str().unwrap_or_default();
            (
                format!("INPUT_{}", name.to_ascii_uppercase()),
                default.replace("${{ github.token }}", token),
            )
        })
        .collect()
}

/// `$GITHUB_OUTPUT` as the runner reads it: `name=value` lines and `name<<DELIMITER`
/// heredocs.
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        }
    }
    outputs
}

/// `dockgate github` in WORKSPACE with nothing of the test's environment but `PATH` and
/// `HOME`, as a container action starts: the caller adds the runner's `GITHUB_*` and
/// `INPUT_*`.
pub fn github_command(workspace: &std::path::Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("dockgate").expect("binary");
    command
        .arg("github")
        .current_dir(workspace)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default());
    command
}
