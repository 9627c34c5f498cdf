//! The fake outside `cargo test` (examples/fake_github.rs): serves the pull request a
//! fixture file describes, with its git checkout and event payload on disk, for a
//! benchmark script or a `docker run` end-to-end test.
//!
//! Fixture file (JSON):
//!
//! ```json
//! {"owner": "acme", "repo": "app", "number": 7,
//!  "base": {"Dockerfile": "FROM debian:12\n"},
//!  "head": {"Dockerfile": "FROM debian:12\nUSER app\n", "old.txt": null},
//!  "fork": "contributor/app",
//!  "event": "pull_request", "action": "opened",
//!  "contents": [{"owner": "acme", "repo": "policies", "path": "container.yml",
//!                "ref": "v1", "text": "..."}]}
//! ```
//!
//! `head` maps a path to its new text, or `null` to delete it; `fork`, `event`
//! (`pull_request` or `push`), `action` and `contents` (files for the contents API)
//! are optional. Faults can be scripted from outside with `POST /_fake/faults`
//! (`{"kind": "bad_gateway_after", "method": "POST", "pattern": "...", "nth": 1,
//! "times": 1, "seconds": 0}`; kinds: `bad_gateway_after`, `bad_gateway_before`,
//! `too_many_requests`, `secondary_rate_limit`, `primary_rate_limit`, `forbidden`;
//! `seconds` is the retry-after or reset delay).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use super::FakeGithub;
use super::fixture_repo::FixtureRepo;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureSpec {
    owner: String,
    repo: String,
    number: u64,
    base: BTreeMap<String, String>,
    head: BTreeMap<String, Option<String>>,
    #[serde(default)]
    fork: Option<String>,
    #[serde(default = "default_event")]
    event: String,
    #[serde(default = "default_action")]
    action: String,
    #[serde(default)]
    contents: Vec<ContentSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContentSpec {
    owner: String,
    repo: String,
    path: String,
    #[serde(rename = "ref")]
    reference: String,
    text: String,
}

fn default_event() -> String {
    "pull_request".into()
}

fn default_action() -> String {
    "opened".into()
}

/// A running fake serving a fixture, and what a client needs to reach it.
pub struct Served {
    pub fake: FakeGithub,
    pub fixture: FixtureRepo,
    /// `{"url", "token", "read_only_token", "workspace", "env": {...}}`: the line the
    /// example prints.
    pub announcement: Value,
}

/// Serves the fixture described by FIXTURE_TEXT on ADDRESS, with its checkout and
/// runner files under DIR.
pub fn serve_fixture(fixture_text: &str, dir: &Path, address: &str) -> Result<Served, String> {
    let spec: FixtureSpec =
        serde_json::from_str(fixture_text).map_err(|error| format!("fixture: {error}"))?;
    if !matches!(spec.event.as_str(), "pull_request" | "push") {
        return Err(format!(
            "fixture: event must be pull_request or push, not {:?}",
            spec.event
        ));
    }
    if dir.join("workspace").exists() {
        return Err(format!(
            "{} already holds a workspace; give a new directory",
            dir.display()
        ));
    }
    let fake = FakeGithub::start_on(address);
    let base: Vec<(&str, &str)> = spec
        .base
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let head: Vec<(&str, Option<&str>)> = spec
        .head
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_deref()))
        .collect();
    let mut fixture =
        FixtureRepo::create_in(dir, &spec.owner, &spec.repo, spec.number, &base, &head);
    if let Some(fork) = &spec.fork {
        fixture = fixture.with_fork(fork);
    }
    fixture.publish(&fake);
    for content in &spec.contents {
        fake.put_file(
            &content.owner,
            &content.repo,
            &content.path,
            &content.reference,
            &content.text,
        );
    }
    let event = if spec.event == "push" {
        fixture.push_event(&fake)
    } else {
        fixture.pull_request_event(&fake, &spec.action)
    };
    let env: BTreeMap<String, String> = fixture
        .action_env(&fake, &spec.event, &event)
        .into_iter()
        .collect();
    let announcement = json!({
        "url": fake.url,
        "token": fake.token,
        "read_only_token": fake.read_only_token,
        "workspace": fixture.workspace(),
        "state_url": format!("{}/_fake/state", fake.url),
        "env": env,
    });
    Ok(Served {
        fake,
        fixture,
        announcement,
    })
}
