//! The project's workflows (`.github/workflows/`) and Dependabot's configuration:
//!
//! - actionlint, with its ShellCheck integration on, finds nothing wrong with any of
//!   them, and does report a ShellCheck problem in a `run:` script (so a missing
//!   `shellcheck` cannot pass silently); with `CI=true` a missing actionlint or
//!   shellcheck fails the tests, without, they are skipped with a banner;
//! - every third-party action is pinned by commit, every job has its own `permissions`
//!   and a timeout;
//! - ci.yml runs the action's image with exactly the inputs action.yml declares;
//! - the organisation's reusable workflow (`dockgate-org.yml`) is run as GitHub would
//!   run it as far as it runs here: its inputs and expressions evaluated, its `run:`
//!   steps run with bash, and its dockgate step turned into the `INPUT_*` the runner
//!   gives the action (names checked against action.yml), for the real binary against
//!   the fake GitHub on a fixture pull request.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;
use serde_yaml_ng::{Mapping, Value};
use support::fake_github::FakeGithub;
use support::fake_github::fixture_repo::FixtureRepo;
use support::fake_github::scenarios;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn workflow_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .expect(".github/workflows")
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml")
        })
        .collect();
    files.sort();
    files
}

fn workflow(name: &str) -> Value {
    yaml(&root().join(".github/workflows").join(name))
}

fn action_inputs() -> BTreeMap<String, String> {
    let action = yaml(&root().join("action.yml"));
    action["inputs"]
        .as_mapping()
        .expect("action.yml has inputs")
        .iter()
        .map(|(name, input)| {
            (
                name.as_str().unwrap().to_string(),
                input["default"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `scripts/actionlint FILES`, or `None` (a skip) when actionlint or shellcheck is not
/// installed, which fails under `CI=true`.
fn actionlint(files: &[&Path]) -> Option<Output> {
    let output = Command::new(root().join("scripts/actionlint"))
        .args(files)
        .output()
        .expect("scripts/actionlint runs");
    if output.status.code() == Some(3) {
        let why = String::from_utf8_lossy(&output.stderr);
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "actionlint cannot run (scripts/setup installs it): {why}"
        );
        eprintln!("=== SKIPPED: {} ===", why.trim());
        return None;
    }
    Some(output)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn actionlint_runs_shellcheck_on_run_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unquoted.yml");
    let workflow = "name: t\non: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo $GREETING\n        env:\n          GREETING: hello world\n";
    std::fs::write(&file, workflow).unwrap();
    let Some(output) = actionlint(&[&file]) else {
        return;
    };
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = text(&output);
    assert!(
        report.contains("unquoted.yml:8:")
            && report.contains("SC2086")
            && report.contains("[shellcheck]"),
        "ShellCheck's SC2086 is reported on the run: line: {report}"
    );
    // Quoted, the same workflow is clean: the finding was ShellCheck's.
    std::fs::write(
        &file,
        workflow.replace("echo $GREETING", "echo \"$GREETING\""),
    )
    .unwrap();
    let output = actionlint(&[&file]).unwrap();
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn every_workflow_is_actionlint_clean() {
    let files = workflow_files();
    let names: BTreeSet<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in ["ci.yml", "release.yml", "dockgate-org.yml"] {
        assert!(names.contains(expected), "{expected} in {names:?}");
    }
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let Some(output) = actionlint(&paths) else {
        return;
    };
    assert!(
        output.status.success(),
        "actionlint on .github/workflows:\n{}",
        text(&output)
    );
}

/// Every `uses:` of a step in every workflow, with its line's trailing comment.
fn uses_lines() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for file in workflow_files() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let line = line.trim_start().trim_start_matches("- ");
            if let Some(reference) = line.strip_prefix("uses:") {
                found.push((name.clone(), reference.trim().to_string()));
            }
        }
    }
    found
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    let uses = uses_lines();
    assert!(uses.len() > 10, "{uses:?}");
    for (file, reference) in uses {
        // dockgate's own action is used by its major tag, as its users use it.
        if reference.starts_with("dockgate/dockgate@") {
            assert_eq!(reference, "dockgate/dockgate@v0", "{file}");
            continue;
        }
        let (action, rest) = reference.split_once('@').expect("ACTION@REF");
        let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{file}: {action} is not pinned by a full commit SHA: {reference}"
        );
        assert!(
            comment.starts_with('v') && comment[1..].split('.').count() == 3,
            "{file}: {action}@{sha} has no `# vX.Y.Z` comment for Dependabot and readers"
        );
    }
}

#[test]
fn every_job_has_its_own_permissions_and_a_timeout() {
    for file in workflow_files() {
        let name = file.display().to_string();
        let workflow = yaml(&file);
        assert_eq!(
            workflow["permissions"],
            Value::Mapping(Mapping::new()),
            "{name}: `permissions: {{}}` at the top"
        );
        for (job, spec) in workflow["jobs"].as_mapping().unwrap() {
            let job = job.as_str().unwrap();
            assert!(
                spec["permissions"].as_mapping().is_some(),
                "{name}: job {job} has no permissions"
            );
            assert!(
                spec["timeout-minutes"].as_u64().is_some(),
                "{name}: job {job} has no timeout-minutes"
            );
        }
        assert!(
            workflow["concurrency"]["group"].as_str().is_some(),
            "{name}: no concurrency group"
        );
    }
}

/// The step of `job` whose `id` is `id`.
fn step<'a>(workflow: &'a Value, job: &str, id: &str) -> &'a Value {
    workflow["jobs"][job]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|step| step["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("job {job} has a step with id {id}"))
}

#[test]
fn ci_runs_the_image_with_every_input_of_the_action() {
    let ci = workflow("ci.yml");
    let script = step(&ci, "action", "dockgate")["run"].as_str().unwrap();
    let expected: BTreeSet<String> = action_inputs()
        .keys()
        .map(|name| format!("INPUT_{}", name.to_ascii_uppercase()))
        .collect();
    let words: Vec<&str> = script.split_whitespace().collect();
    let set: BTreeSet<String> = words
        .iter()
        .filter_map(|word| {
            let word = word.trim_matches('"');
            let (name, _) = word.split_once('=')?;
            name.starts_with("INPUT_").then(|| name.to_string())
        })
        .collect();
    let passed: BTreeSet<String> = words
        .windows(2)
        .filter(|pair| pair[0] == "-e" && pair[1].starts_with("INPUT_"))
        .map(|pair| pair[1].to_string())
        .collect();
    assert_eq!(
        set, expected,
        "the inputs ci.yml sets (left) and action.yml's"
    );
    assert_eq!(
        passed, expected,
        "the inputs ci.yml passes to the container (left) and action.yml's"
    );
    assert!(script.contains("dockgate:ci github"), "{script}");
}

#[test]
fn dependabot_updates_cargo_actions_and_docker_weekly() {
    let config = yaml(&root().join(".github/dependabot.yml"));
    assert_eq!(config["version"].as_u64(), Some(2));
    let mut ecosystems = BTreeSet::new();
    for update in config["updates"].as_sequence().unwrap() {
        let ecosystem = update["package-ecosystem"].as_str().unwrap();
        let directory = update["directory"].as_str().unwrap();
        assert_eq!(update["schedule"]["interval"].as_str(), Some("weekly"));
        let dir = root().join(directory.trim_start_matches('/'));
        assert!(dir.is_dir(), "{ecosystem}: {directory} is not a directory");
        match ecosystem {
            "cargo" => assert!(dir.join("Cargo.lock").is_file(), "{directory}"),
            "github-actions" => assert_eq!(directory, "/"),
            "docker" => {}
            other => panic!("unexpected ecosystem {other}"),
        }
        assert!(
            update["groups"].as_mapping().is_some_and(|g| !g.is_empty()),
            "{ecosystem} {directory}: updates are grouped"
        );
        ecosystems.insert(ecosystem.to_string());
    }
    assert_eq!(
        ecosystems,
        BTreeSet::from(["cargo".into(), "docker".into(), "github-actions".into()])
    );
}

// ---------------------------------------------------------------------------------
// The organisation's reusable workflow, run as far as it runs here.

/// What GitHub's expression contexts hold for one run of a workflow.
#[derive(Default)]
struct Contexts {
    inputs: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    /// `github.token`, `github.event_name`, ...
    github: BTreeMap<String, String>,
    /// `steps.ID.outputs.NAME`, `jobs.ID.outputs.NAME`: `ID.NAME`.
    steps: BTreeMap<String, String>,
    jobs: BTreeMap<String, String>,
}

/// A GitHub Actions expression value: strings and booleans are all these workflows use.
#[derive(Debug, Clone, PartialEq)]
enum Data {
    Text(String),
    Bool(bool),
}

impl Data {
    fn truthy(&self) -> bool {
        match self {
            Data::Text(text) => !text.is_empty(),
            Data::Bool(value) => *value,
        }
    }

    fn text(self) -> String {
        match self {
            Data::Text(text) => text,
            Data::Bool(value) => value.to_string(),
        }
    }
}

/// The subset of the expression language the workflows use: context properties,
/// `'literals'`, `==`, `!=`, `&&`, `||` (GitHub's precedence), `!`. Anything else is a
/// panic, so a workflow cannot pass this test with an expression it does not evaluate.
/// A context property GitHub would not have (an undeclared input) panics too.
struct Evaluator<'a> {
    contexts: &'a Contexts,
    tokens: Vec<String>,
    at: usize,
}

impl Evaluator<'_> {
    fn evaluate(contexts: &Contexts, expression: &str) -> Data {
        let mut tokens = Vec::new();
        let chars: Vec<char> = expression.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c == '\'' {
                let mut literal = String::from("'");
                i += 1;
                while i < chars.len() {
                    if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                        literal.push('\'');
                        i += 2;
                    } else if chars[i] == '\'' {
                        break;
                    } else {
                        literal.push(chars[i]);
                        i += 1;
                    }
                }
                assert!(i < chars.len(), "unterminated literal in `{expression}`");
                i += 1;
                tokens.push(literal);
            } else if "=!&|".contains(c) {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                if ["==", "!=", "&&", "||"].contains(&two.as_str()) {
                    tokens.push(two);
                    i += 2;
                } else if c == '!' {
                    tokens.push("!".into());
                    i += 1;
                } else {
                    panic!("unsupported operator in `{expression}`");
                }
            } else if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || "_-.".contains(chars[i]))
                {
                    i += 1;
                }
                tokens.push(chars[start..i].iter().collect());
            } else {
                panic!("unsupported `{c}` in `{expression}`");
            }
        }
        let mut evaluator = Evaluator {
            contexts,
            tokens,
            at: 0,
        };
        let value = evaluator.or();
        assert_eq!(
            evaluator.at,
            evaluator.tokens.len(),
            "trailing tokens in `{expression}`"
        );
        value
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn or(&mut self) -> Data {
        let mut value = self.and();
        while self.peek() == Some("||") {
            self.at += 1;
            let right = self.and();
            if !value.truthy() {
                value = right;
            }
        }
        value
    }

    fn and(&mut self) -> Data {
        let mut value = self.comparison();
        while self.peek() == Some("&&") {
            self.at += 1;
            let right = self.comparison();
            if value.truthy() {
                value = right;
            }
        }
        value
    }

    fn comparison(&mut self) -> Data {
        let left = self.unary();
        match self.peek() {
            Some(op @ ("==" | "!=")) => {
                let equal = op == "==";
                self.at += 1;
                let right = self.unary();
                // GitHub compares strings case-insensitively.
                let same = left.clone().text().to_lowercase() == right.text().to_lowercase();
                Data::Bool(same == equal)
            }
            _ => left,
        }
    }

    fn unary(&mut self) -> Data {
        let token = self.tokens.get(self.at).cloned().expect("an operand");
        self.at += 1;
        if token == "!" {
            return Data::Bool(!self.unary().truthy());
        }
        if let Some(literal) = token.strip_prefix('\'') {
            return Data::Text(literal.to_string());
        }
        let (context, property) = token
            .split_once('.')
            .unwrap_or_else(|| panic!("unsupported operand `{token}`"));
        let contexts = self.contexts;
        let lookup = |map: &BTreeMap<String, String>, key: &str, strict: bool| match map.get(key) {
            Some(value) => Data::Text(value.clone()),
            None if strict => panic!("`{token}` is not defined in this run"),
            None => Data::Text(String::new()),
        };
        match context {
            "inputs" => lookup(&contexts.inputs, property, true),
            // An unset secret or variable is empty, as on GitHub.
            "secrets" => lookup(&contexts.secrets, property, false),
            "vars" => lookup(&contexts.vars, property, false),
            "github" => lookup(&contexts.github, property, true),
            "steps" | "jobs" => {
                let (id, output) = property
                    .split_once(".outputs.")
                    .unwrap_or_else(|| panic!("unsupported operand `{token}`"));
                let map = if context == "steps" {
                    &contexts.steps
                } else {
                    &contexts.jobs
                };
                lookup(map, &format!("{id}.{output}"), false)
            }
            _ => panic!("unsupported context in `{token}`"),
        }
    }
}

/// TEXT with each `${{ ... }}` replaced by its value.
fn interpolate(contexts: &Contexts, text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("`}}` closes `${{`") + start;
        out.push_str(&Evaluator::evaluate(contexts, &rest[start + 3..end]).text());
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// An `if:` (with or without `${{ }}`).
fn condition(contexts: &Contexts, text: &str) -> bool {
    let text = text.trim();
    let expression = text
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text);
    Evaluator::evaluate(contexts, expression).truthy()
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(value) => value.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// The `with:` keys of the step that runs dockgate are inputs action.yml declares (the
/// runner only warns about another key, and the value would be lost).
fn check_with_keys(step: &Value, inputs: &BTreeMap<String, String>) -> Result<(), String> {
    let with = step["with"].as_mapping().ok_or("the step has no `with:`")?;
    for key in with.keys() {
        let key = key.as_str().ok_or("a `with:` key is not a string")?;
        if !inputs.contains_key(key) {
            return Err(format!("`{key}` is not an input of action.yml"));
        }
    }
    Ok(())
}

/// How the workflow is started: `workflow_call` with the caller's `with:`, or by a
/// ruleset on a pull request (no inputs context beyond the empty one).
enum Trigger<'a> {
    Called(&'a [(&'a str, &'a str)]),
    Ruleset,
}

struct OrgRun {
    /// The exit code of each step that ran, by name or `uses:`.
    steps: Vec<(String, i32)>,
    /// The workflow's own outputs (`on.workflow_call.outputs`), evaluated.
    outputs: BTreeMap<String, String>,
    /// What the dockgate step wrote to `$GITHUB_OUTPUT`.
    step_outputs: BTreeMap<String, String>,
    dockgate: Option<Output>,
}

/// Runs the `dockgate` job of dockgate-org.yml on REPO's pull request against FAKE:
/// checkout is the fixture's own checkout; `run:` steps run with bash in it, with their
/// `env:` evaluated; the dockgate step is the real binary with the `INPUT_*` its
/// `with:` makes (the action's defaults for the rest). Stops after the first failing
/// step, as a job does.
fn run_org_workflow(
    fake: &FakeGithub,
    repo: &FixtureRepo,
    trigger: Trigger,
    vars: &[(&str, &str)],
) -> OrgRun {
    let workflow = workflow("dockgate-org.yml");
    let call = &workflow["on"]["workflow_call"];
    let mut contexts = Contexts::default();
    let declared = call["inputs"].as_mapping().expect("workflow_call inputs");
    if let Trigger::Called(with) = trigger {
        for (name, spec) in declared {
            let name = name.as_str().unwrap();
            assert_eq!(
                spec["type"].as_str(),
                Some("string"),
                "input {name}: every input is a string here"
            );
            contexts
                .inputs
                .insert(name.into(), scalar(&spec["default"]));
        }
        for (name, value) in with {
            assert!(
                contexts.inputs.contains_key(*name),
                "the caller passes `{name}`, which dockgate-org.yml does not declare"
            );
            contexts.inputs.insert((*name).into(), (*value).into());
        }
    } else {
        // On a pull request the inputs context is empty: `inputs.X` is ''.
        for name in declared.keys() {
            contexts
                .inputs
                .insert(name.as_str().unwrap().into(), String::new());
        }
    }
    contexts.vars = vars
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let payload = repo.pull_request_event(fake, "synchronize");
    let env = repo.action_env(fake, "pull_request", &payload);
    let env_value = |name: &str| {
        env.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap()
    };
    let token = env_value("GITHUB_TOKEN");
    contexts.github.insert("token".into(), token.clone());
    contexts
        .github
        .insert("event_name".into(), "pull_request".into());
    let runner = repo.runner_dir();
    let job = &workflow["jobs"]["dockgate"];
    let mut run = OrgRun {
        steps: Vec::new(),
        outputs: BTreeMap::new(),
        step_outputs: BTreeMap::new(),
        dockgate: None,
    };
    for step in job["steps"].as_sequence().unwrap() {
        if let Some(test) = step.get("if")
            && !condition(&contexts, &scalar(test))
        {
            continue;
        }
        let step_env: Vec<(String, String)> = step["env"]
            .as_mapping()
            .map(|env| {
                env.iter()
                    .map(|(k, v)| (scalar(k), interpolate(&contexts, &scalar(v))))
                    .collect()
            })
            .unwrap_or_default();
        std::fs::write(runner.join("output"), "").unwrap();
        std::fs::write(runner.join("step_summary.md"), "").unwrap();
        let (name, code) = if let Some(script) = step["run"].as_str() {
            let output = Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
                .current_dir(repo.workspace())
                .envs(env.iter().cloned())
                .envs(step_env)
                .output()
                .unwrap();
            let name = step["name"].as_str().unwrap_or(script).to_string();
            (name, output.status.code().unwrap_or(-1))
        } else {
            let uses = step["uses"].as_str().expect("a step runs or uses");
            if uses.starts_with("actions/checkout@") {
                assert_eq!(
                    step["with"]["fetch-depth"].as_u64(),
                    Some(0),
                    "the base commit is needed to review the policy change"
                );
                // The fixture's workspace is that checkout.
                run.steps.push((uses.into(), 0));
                continue;
            }
            assert!(
                uses.starts_with("dockgate/dockgate@"),
                "an unexpected action: {uses}"
            );
            let inputs = action_inputs();
            check_with_keys(step, &inputs).unwrap();
            let with = step["with"].as_mapping().unwrap();
            let mut command = support::action::github_command(&repo.workspace());
            command.envs(env.iter().cloned());
            for (name, default) in &inputs {
                let value = match with.get(name.as_str()) {
                    Some(value) => interpolate(&contexts, &scalar(value)),
                    None => interpolate(&contexts, default),
                };
                command.env(format!("INPUT_{}", name.to_ascii_uppercase()), value);
            }
            let output = command.output().unwrap();
            let printed = text(&output);
            assert!(!printed.contains(&token), "the token was printed");
            let outputs = support::action::parse_outputs(
                &std::fs::read_to_string(runner.join("output")).unwrap(),
            );
            let id = step["id"].as_str().expect("the dockgate step has an id");
            for (name, value) in &outputs {
                contexts.steps.insert(format!("{id}.{name}"), value.clone());
            }
            run.step_outputs = outputs;
            let code = output.status.code().unwrap_or(-1);
            run.dockgate = Some(output);
            (uses.to_string(), code)
        };
        run.steps.push((name, code));
        if code != 0 {
            break;
        }
    }
    // The job's outputs, then the workflow's.
    for (name, value) in job["outputs"].as_mapping().unwrap() {
        let value = interpolate(&contexts, &scalar(value));
        contexts
            .jobs
            .insert(format!("dockgate.{}", scalar(name)), value);
    }
    for (name, spec) in call["outputs"].as_mapping().unwrap() {
        run.outputs.insert(
            scalar(name),
            interpolate(&contexts, &scalar(&spec["value"])),
        );
    }
    run
}

const ORG_POLICY: &str =
    "extends: [builtin:recommended]\nrules:\n  DL3008: error\nlocked: [rules.DL3008]\n";
const ORG_SOURCE: &str = "github:acme/policies/container.yml@v1";

fn org_pull_request() -> (FakeGithub, FixtureRepo) {
    let fake = FakeGithub::start();
    fake.put_file("acme", "policies", "container.yml", "v1", ORG_POLICY);
    let repo = scenarios::first_run();
    repo.publish(&fake);
    (fake, repo)
}

/// The organisation's policy judged the pull request: DL3008 an error, the check run
/// NAME failed, the review on the added lines.
fn assert_reviewed_under_the_org_policy(fake: &FakeGithub, run: &OrgRun, check_name: &str) {
    let output = run.dockgate.as_ref().expect("the dockgate step ran");
    assert_eq!(output.status.code(), Some(1), "{}", text(output));
    let runs = fake.check_runs(scenarios::OWNER, scenarios::REPO);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    assert_eq!(runs[0]["name"], check_name);
    assert_eq!(runs[0]["conclusion"], "failure");
    let reviews = fake.reviews(scenarios::OWNER, scenarios::REPO, scenarios::NUMBER);
    assert_eq!(reviews.len(), 1, "{reviews:#?}");
    let comments = fake.review_comments(scenarios::OWNER, scenarios::REPO, scenarios::NUMBER);
    let lines: BTreeSet<u64> = comments
        .iter()
        .map(|c| c["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, BTreeSet::from([9, 10]), "{comments:#?}");
    let dl3008 = comments
        .iter()
        .find(|c| c["body"].as_str().unwrap().contains("DL3008"))
        .expect("DL3008 is commented");
    assert!(
        dl3008["body"]
            .as_str()
            .unwrap()
            .lines()
            .next()
            .is_some_and(|title| title.ends_with(" error")),
        "the organisation's policy makes DL3008 an error: {dl3008}"
    );
    // The policy was read from the organisation's repository, through the API.
    assert!(
        fake.requests().iter().any(|r| r
            .path
            .ends_with("/repos/acme/policies/contents/container.yml")),
        "the required policy was fetched"
    );
    assert_eq!(run.outputs["passed"], "false");
    // The job's outputs are the step's: the error count of its report.
    let report: Json = serde_json::from_str(&run.step_outputs["report-json"]).unwrap();
    let errors = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert!(errors >= 2, "{report}");
    assert_eq!(
        run.outputs["errors"],
        errors.to_string(),
        "{:?}",
        run.outputs
    );
}

#[test]
fn the_org_workflow_called_with_inputs_reviews_a_pull_request() {
    let (fake, repo) = org_pull_request();
    let run = run_org_workflow(
        &fake,
        &repo,
        Trigger::Called(&[
            ("required-policy", ORG_SOURCE),
            ("check-name", "acme policy"),
            ("build-command", "echo built >built.txt"),
        ]),
        &[],
    );
    assert!(
        run.steps.iter().take(3).all(|(_, code)| *code == 0),
        "{:?}",
        run.steps
    );
    assert_eq!(
        run.steps.len(),
        4,
        "checkout, policy check, build, dockgate: {:?}",
        run.steps
    );
    assert_eq!(
        std::fs::read_to_string(repo.workspace().join("built.txt")).unwrap(),
        "built\n",
        "the build command ran in the checkout"
    );
    assert_reviewed_under_the_org_policy(&fake, &run, "acme policy");
}

#[test]
fn the_org_workflow_required_by_a_ruleset_takes_the_organisation_variable() {
    let (fake, repo) = org_pull_request();
    let run = run_org_workflow(
        &fake,
        &repo,
        Trigger::Ruleset,
        &[("DOCKGATE_REQUIRED_POLICY", ORG_SOURCE)],
    );
    // No build command: its step is skipped.
    assert_eq!(run.steps.len(), 3, "{:?}", run.steps);
    assert_reviewed_under_the_org_policy(&fake, &run, "dockgate");
}

#[test]
fn the_org_workflow_without_an_organisation_policy_fails_before_dockgate() {
    let (fake, repo) = org_pull_request();
    let run = run_org_workflow(&fake, &repo, Trigger::Ruleset, &[]);
    assert!(run.dockgate.is_none(), "{:?}", run.steps);
    assert_eq!(run.steps.last().unwrap().1, 1, "{:?}", run.steps);
    assert!(fake.writes().is_empty());
}

#[test]
fn a_wrong_input_name_in_the_org_workflow_is_caught() {
    let workflow = workflow("dockgate-org.yml");
    let step = step(&workflow, "dockgate", "dockgate");
    let inputs = action_inputs();
    check_with_keys(step, &inputs).unwrap();
    let mut wrong = step.clone();
    let with = wrong["with"].as_mapping_mut().unwrap();
    let value = with.remove("required-policy").unwrap();
    with.insert("required_policy".into(), value);
    assert_eq!(
        check_with_keys(&wrong, &inputs),
        Err("`required_policy` is not an input of action.yml".into())
    );
}

#[test]
fn the_expression_evaluator_is_the_language_these_workflows_use() {
    let mut contexts = Contexts::default();
    contexts.inputs.insert("a".into(), String::new());
    contexts.inputs.insert("b".into(), "x".into());
    contexts
        .github
        .insert("event_name".into(), "pull_request".into());
    let eval = |e: &str| Evaluator::evaluate(&contexts, e);
    assert_eq!(eval("inputs.a || 'd'"), Data::Text("d".into()));
    assert_eq!(eval("inputs.b || 'd'"), Data::Text("x".into()));
    assert_eq!(eval("secrets.T || inputs.b"), Data::Text("x".into()));
    assert_eq!(
        eval("inputs.b != '' && github.event_name != 'pull_request_target'"),
        Data::Bool(true)
    );
    assert_eq!(eval("!inputs.a"), Data::Bool(true));
    assert_eq!(eval("'it''s'"), Data::Text("it's".into()));
    let undeclared = std::panic::catch_unwind(|| eval("inputs.nope"));
    assert!(undeclared.is_err(), "an undeclared input is an error");
    let unsupported = std::panic::catch_unwind(|| eval("contains(inputs.b, 'x')"));
    assert!(unsupported.is_err(), "a function is not evaluated silently");
}

/// The caller in docs/org-rollout.md: actionlint-clean, and it passes only inputs the
/// workflow declares and grants every permission its job asks for.
#[test]
fn the_documented_caller_of_the_org_workflow_is_valid() {
    let doc = std::fs::read_to_string(root().join("docs/org-rollout.md")).unwrap();
    let start = doc.find("  ```yaml\n").expect("a ```yaml caller example") + 10;
    let end = doc[start..].find("\n  ```").unwrap() + start;
    let example: String = doc[start..end]
        .lines()
        .map(|line| line.strip_prefix("  ").unwrap_or(line).to_string() + "\n")
        .collect();
    let caller: Value = serde_yaml_ng::from_str(&example).expect("the example is YAML");
    let job = &caller["jobs"]["dockgate"];
    assert!(
        job["uses"]
            .as_str()
            .is_some_and(|uses| uses.ends_with("/.github/workflows/dockgate-org.yml@v1")),
        "{job:?}"
    );
    let org = workflow("dockgate-org.yml");
    let declared = org["on"]["workflow_call"]["inputs"].as_mapping().unwrap();
    for key in job["with"].as_mapping().unwrap().keys() {
        assert!(declared.contains_key(key), "the example passes {key:?}");
    }
    let needed = org["jobs"]["dockgate"]["permissions"].as_mapping().unwrap();
    for (scope, level) in needed {
        assert_eq!(
            &job["permissions"][scope], level,
            "the caller grants {scope:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("caller.yml");
    std::fs::write(&file, example).unwrap();
    let Some(output) = actionlint(&[&file]) else {
        return;
    };
    assert!(output.status.success(), "{}", text(&output));
}

/// What issue 13 asks of a release: static binaries for both architectures with
/// checksums, the multi-arch image with provenance and an SBOM, the major version moved
/// only after both.
#[test]
fn a_release_builds_both_architectures_and_moves_the_major_version_last() {
    let release = workflow("release.yml");
    let jobs = &release["jobs"];
    let targets: BTreeSet<&str> = jobs["binaries"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["target"].as_str())
        .collect();
    assert_eq!(
        targets,
        BTreeSet::from(["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"])
    );
    let build = jobs["binaries"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|step| step["env"]["RUSTFLAGS"].is_string())
        .expect("the build step");
    assert_eq!(
        build["env"]["RUSTFLAGS"].as_str(),
        Some("-C target-feature=+crt-static")
    );
    let image = step(&release, "image", "build");
    assert_eq!(
        image["with"]["platforms"].as_str(),
        Some("linux/amd64,linux/arm64")
    );
    assert_eq!(image["with"]["provenance"].as_str(), Some("mode=max"));
    assert_eq!(image["with"]["sbom"].as_bool(), Some(true));
    let needs: BTreeSet<&str> = jobs["release"]["needs"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(needs.is_superset(&BTreeSet::from(["binaries", "image"])));
    let release_steps = serde_yaml_ng::to_string(&jobs["release"]["steps"]).unwrap();
    assert!(release_steps.contains("sha256sum"), "checksums");
    assert!(release_steps.contains("imagetools create --tag \"$IMAGE:$MAJOR\""));
    assert!(release_steps.contains("git push --force origin \"refs/tags/$MAJOR\""));
    // Only the release job writes contents; only the image jobs write packages.
    for (name, job) in jobs.as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        let permissions = &job["permissions"];
        assert_eq!(
            permissions["contents"].as_str() == Some("write"),
            name == "release",
            "{name}: contents"
        );
        assert_eq!(
            permissions["packages"].as_str() == Some("write"),
            name == "release" || name == "image",
            "{name}: packages"
        );
    }
}
