//! The transport matrix: every fixture case of `target/image-env/fixtures.json` through
//! every transport it lists, checked by the real binary (`dockgate image --format json
//! REF`) against the values the fixture builder measured on what it built.
//!
//! One binary invocation per reference (a few extra for the platform and policy
//! variants), run on a small pool of threads; every failure is collected and reported
//! together, so one run shows the whole matrix.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;
use support::image_env::{ImageEnv, ImageRun as Outcome, image_env, in_parallel};

/// The transports fixtures.json names; each must be exercised by some case.
const TRANSPORTS: &[&str] = &[
    "docker-archive",
    "docker-archive-skopeo",
    "docker-archive-oci",
    "oci",
    "oci-archive",
    "docker",
    "docker-auth",
    "docker-daemon",
];

/// The rules whose findings fail the gate in the fixture cases (errors under
/// `builtin:recommended`): each run must report exactly the ones its case calls for.
const POLICY_RULES: &[&str] = &[
    "DG2001", // runs as root
    "DG2002", // USER names no user of the image
    "DG2010", // over the size budget
    "DG2014", // wasted bytes
    "DG2020", // a secret in a layer
    "DG2022", // setuid/setgid files
];

/// A policy with a small waste budget (the whiteout cases waste about 1 MB).
const WASTE_POLICY: &str = "image:\n  non_root: true\n  max_wasted: 500kB\n";

struct Job {
    case: String,
    transport: String,
    reference: String,
    args: Vec<String>,
    /// What the run must show.
    expect: Expect,
}

#[derive(Clone)]
struct Expect {
    code: i32,
    rules: BTreeSet<&'static str>,
    user: Value,
    uid: Value,
    gid: Value,
    /// `None`: the fixture has no UID (Docker refuses to start the image).
    runs_as_root: Option<bool>,
    layers: Option<u64>,
    uncompressed: Option<u64>,
    /// The sum of the blobs as the transport stores them.
    compressed: Option<u64>,
    digest: Option<String>,
    /// Text some finding's message must contain (a setuid path, a secret's path).
    message: Option<String>,
    /// The Dockerfile the case was built from (passed with `--dockerfile`): where its
    /// findings and layers must be placed.
    dockerfile: Option<Placement>,
}

/// Where a case's findings belong in the Dockerfile that built it.
#[derive(Clone)]
struct Placement {
    path: String,
    /// Whether the history can be matched at all (else nothing may be placed).
    placed: bool,
    /// The Dockerfile line of each layer: `None` for the base image's layers, then the
    /// lines of the instructions that made a layer, in order.
    layer_lines: Vec<Option<u64>>,
    /// The runtime user's findings: the last USER, else the FROM it is inherited from.
    user_line: u64,
}

impl Placement {
    /// Reads the Dockerfile the way a reviewer would (an instruction starts a line that
    /// is not a continuation) and pairs the instructions of its last stage with the last
    /// entries of the history, one each (the classic builder and buildah record every
    /// instruction); `history_layers`, measured on the saved config, says which entries
    /// made a layer. A history shorter than the stage, or that does not list `layers`
    /// layers, cannot be matched: nothing may be placed then.
    fn of(path: &str, layers: usize, history_layers: &[bool]) -> Placement {
        let text = std::fs::read_to_string(path).expect("the fixture's Dockerfile");
        let mut stage: Vec<(u64, String)> = Vec::new();
        let mut from_line = None;
        let mut continued = false;
        for (index, line) in text.lines().enumerate() {
            let number = index as u64 + 1;
            let keyword = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            if !continued && !keyword.is_empty() && !keyword.starts_with('#') {
                if keyword == "FROM" {
                    from_line = Some(number);
                    stage.clear();
                } else {
                    stage.push((number, keyword));
                }
            }
            continued = line.trim_end().ends_with('\\');
        }
        let from_line = from_line.expect("a FROM");
        let user_line = stage
            .iter()
            .rev()
            .find(|(_, keyword)| keyword == "USER")
            .map_or(from_line, |(line, _)| *line);
        let made = history_layers.iter().filter(|&&made| made).count();
        let placed = made == layers && history_layers.len() >= stage.len();
        let layer_lines = if placed {
            let steps = &history_layers[history_layers.len() - stage.len()..];
            let mine: Vec<Option<u64>> = stage
                .iter()
                .zip(steps)
                .filter(|(_, made)| **made)
                .map(|((line, _), _)| Some(*line))
                .collect();
            let mut lines = vec![None; layers - mine.len()];
            lines.extend(mine);
            lines
        } else {
            vec![None; layers]
        };
        Placement {
            path: path.to_owned(),
            placed,
            layer_lines,
            user_line,
        }
    }

    fn check(&self, image: &Value, findings: &[Value], problems: &mut Vec<String>) {
        let dockerfile = image["dockerfile"]["path"].as_str();
        if dockerfile != self.placed.then_some(self.path.as_str()) {
            problems.push(format!(
                "dockerfile {} (expected {})",
                image["dockerfile"],
                if self.placed { &self.path } else { "none" }
            ));
            return;
        }
        let lines: Vec<Option<u64>> = image["layers"]
            .as_array()
            .map(|layers| layers.iter().map(|layer| layer["line"].as_u64()).collect())
            .unwrap_or_default();
        if lines != self.layer_lines {
            problems.push(format!(
                "layer lines {lines:?} (expected {:?})",
                self.layer_lines
            ));
        }
        for finding in findings {
            let rule = finding["rule"].as_str().unwrap_or("");
            let place = (
                finding["path"].as_str().unwrap_or(""),
                finding["line"].as_u64().unwrap_or(0),
            );
            let on_dockerfile = place.0 == self.path;
            let right = match rule {
                _ if !self.placed => !on_dockerfile && place.1 == 0,
                "DG2001" | "DG2002" => on_dockerfile && place.1 == self.user_line,
                "DG2020" | "DG2022" => on_dockerfile && self.layer_lines.contains(&Some(place.1)),
                // About the image as a whole: no line to point at.
                "DG2010" | "DG2014" => !on_dockerfile && place.1 == 0,
                _ => true,
            };
            if !right {
                problems.push(format!("{rule} placed at {}:{}", place.0, place.1));
            }
        }
    }
}

fn run(env: &ImageEnv, job: &Job) -> Outcome {
    env.run_image(&job.args, &job.reference)
}

/// The differences between what a run showed and what its job expects (empty: passed).
fn check(job: &Job, outcome: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    let expect = &job.expect;
    if outcome.code != expect.code {
        problems.push(format!(
            "exit {} (expected {}); stderr: {}",
            outcome.code,
            expect.code,
            outcome.stderr.trim()
        ));
    }
    let image = &outcome.json["images"][0];
    if image.is_null() {
        problems.push(format!(
            "no image in the report; stderr: {}",
            outcome.stderr.trim()
        ));
        return problems;
    }
    let findings = outcome.json["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let failing: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .filter(|rule| POLICY_RULES.contains(rule))
        .collect();
    let expected_rules: BTreeSet<&str> = expect.rules.iter().copied().collect();
    if failing != expected_rules {
        problems.push(format!("rules {failing:?} (expected {expected_rules:?})"));
    }
    for (field, want) in [
        ("user", &expect.user),
        ("uid", &expect.uid),
        ("gid", &expect.gid),
    ] {
        if &image[field] != want {
            problems.push(format!("{field} {} (expected {want})", image[field]));
        }
    }
    let root = image["runs_as_root"].as_bool();
    match expect.runs_as_root {
        Some(want) if root != Some(want) => {
            problems.push(format!("runs_as_root {root:?} (expected {want})"));
        }
        // No UID at all: whatever dockgate says, it must not claim the image is fine as
        // root or report a UID it cannot know.
        None if root == Some(true) => problems.push("runs_as_root true without a UID".into()),
        _ => {}
    }
    let layers = image["layers"].as_array().map(|l| l.len() as u64);
    if expect.layers.is_some() && layers != expect.layers {
        problems.push(format!("{layers:?} layers (expected {:?})", expect.layers));
    }
    for (field, want) in [
        ("uncompressed", expect.uncompressed),
        ("compressed", expect.compressed),
    ] {
        let got = image["size"][field].as_u64();
        if want.is_some() && got != want {
            problems.push(format!("{field} size {got:?} (expected {want:?})"));
        }
    }
    if let Some(digest) = &expect.digest
        && image["digest"].as_str() != Some(digest)
    {
        problems.push(format!("digest {} (expected {digest})", image["digest"]));
    }
    if let Some(placement) = &expect.dockerfile {
        placement.check(image, &findings, &mut problems);
    }
    if let Some(text) = &expect.message
        && !findings.iter().any(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains(text.as_str()))
        })
    {
        problems.push(format!("no finding mentions `{text}`"));
    }
    // The credentials of the authenticated registry never show.
    let password = job_password(outcome);
    if let Some(leak) = password {
        problems.push(leak);
    }
    problems
}

/// Filled in by `main_matrix` with the auth registry's password, checked in every output.
static PASSWORD: Mutex<String> = Mutex::new(String::new());

fn job_password(outcome: &Outcome) -> Option<String> {
    let password = PASSWORD.lock().unwrap().clone();
    let printed = format!("{}{}", outcome.json, outcome.stderr);
    (!password.is_empty() && printed.contains(&password))
        .then(|| "the registry password was printed".to_owned())
}

fn jobs(env: &ImageEnv, waste_policy: &Path) -> Vec<Job> {
    let budget = env.fixtures["size_budget"]
        .as_u64()
        .expect("fixtures.json size_budget");
    let mut jobs = Vec::new();
    for case in env.cases() {
        let expected = env.expected(case);
        let uid = expected["uid"].clone();
        let root = expected["runs_as_root"].as_bool();
        let mut rules = BTreeSet::new();
        let mut args: Vec<String> = Vec::new();
        let mut message = None;
        if root == Some(true) {
            rules.insert("DG2001");
        }
        if uid.is_null() {
            rules.insert("DG2002");
        }
        match case {
            "size-under" | "size-over" => {
                let case_budget = expected["size_budget"].as_u64().unwrap_or(budget);
                args.extend(["--max-size".to_owned(), case_budget.to_string()]);
                let over = expected["uncompressed_size"].as_u64().unwrap() > case_budget;
                assert_eq!(over, case == "size-over", "fixture sizes vs budget");
                if over {
                    rules.insert("DG2010");
                }
            }
            "waste-whiteout" | "opaque-whiteout" => {
                assert!(expected["wasted_bytes_at_least"].as_u64().unwrap() > 500_000);
                args.extend(["--config".to_owned(), waste_policy.display().to_string()]);
                rules.insert("DG2014");
            }
            "setuid" => {
                rules.insert("DG2022");
                message = expected["setuid"][0].as_str().map(str::to_owned);
                assert!(message.is_some(), "setuid fixture names its file");
            }
            _ => {}
        }
        if let Some(secret) = expected["secret"]["path"].as_str() {
            rules.insert("DG2020");
            message = Some(secret.to_owned());
        }
        let dockerfile = env.case(case)["dockerfile"].as_str().map(|path| {
            args.extend(["--dockerfile".to_owned(), path.to_owned()]);
            let history: Vec<bool> = expected["history_layers"]
                .as_array()
                .expect("fixtures.json history_layers")
                .iter()
                .map(|made| made.as_bool().expect("history_layers: booleans"))
                .collect();
            Placement::of(
                path,
                expected["layers"].as_u64().unwrap_or(0) as usize,
                &history,
            )
        });
        let base = Expect {
            code: if rules.is_empty() { 0 } else { 1 },
            rules,
            user: expected["config_user"].clone(),
            uid: uid.clone(),
            gid: expected["gid"].clone(),
            runs_as_root: root,
            layers: expected["layers"].as_u64(),
            uncompressed: expected["uncompressed_size"].as_u64(),
            compressed: None,
            digest: None,
            message,
            dockerfile,
        };
        for (transport, reference) in env.references(case) {
            let mut expect = base.clone();
            match transport.as_str() {
                // The registry's manifest is what the fixture measured compressed sizes on.
                "docker" | "docker-auth" => {
                    expect.compressed = expected["compressed_size"].as_u64();
                }
                // Stored unpacked: the blobs are the layer tars; the image ID is the digest.
                "docker-daemon" | "docker-archive" if case != "buildah-app" => {
                    expect.compressed = expect.uncompressed;
                    expect.digest = expected["config_digest"].as_str().map(str::to_owned);
                }
                _ => {}
            }
            jobs.push(Job {
                case: case.to_owned(),
                transport: transport.clone(),
                reference: reference.clone(),
                args: args.clone(),
                expect,
            });
            // The index's other image: linux/arm64/v8 runs as 0:0.
            if let Some(arm) = expected["platforms"]["linux/arm64/v8"].as_object() {
                let root = arm["runs_as_root"].as_bool();
                jobs.push(Job {
                    case: case.to_owned(),
                    transport: transport.clone(),
                    reference: reference.clone(),
                    args: vec!["--platform".to_owned(), "linux/arm64".to_owned()],
                    expect: Expect {
                        code: if root == Some(true) { 1 } else { 0 },
                        rules: root
                            .filter(|r| *r)
                            .map(|_| BTreeSet::from(["DG2001"]))
                            .unwrap_or_default(),
                        user: arm["config_user"].clone(),
                        uid: if root == Some(true) {
                            0.into()
                        } else {
                            Value::Null
                        },
                        gid: if root == Some(true) {
                            0.into()
                        } else {
                            Value::Null
                        },
                        runs_as_root: root,
                        layers: None,
                        uncompressed: None,
                        compressed: None,
                        digest: None,
                        message: None,
                        dockerfile: None,
                    },
                });
            }
        }
    }
    jobs
}

#[test]
fn every_case_through_every_transport() {
    let Some(env) = image_env() else { return };
    *PASSWORD.lock().unwrap() = env.auth_password().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let waste_policy = dir.path().join("waste.yml");
    std::fs::write(&waste_policy, WASTE_POLICY).unwrap();
    let jobs = jobs(env, &waste_policy);

    // Every transport and every special case is in the matrix.
    let transports: BTreeSet<&str> = jobs.iter().map(|j| j.transport.as_str()).collect();
    assert_eq!(transports, TRANSPORTS.iter().copied().collect());
    for case in [
        "size-under",
        "size-over",
        "opaque-whiteout",
        "setuid",
        "secret-deleted",
        "multi-platform",
        "zstd",
        "user-missing",
        "app-uid0",
    ] {
        assert!(jobs.iter().any(|j| j.case == case), "no job for {case}");
    }
    for transport in ["docker", "docker-auth", "oci", "oci-archive"] {
        assert!(
            jobs.iter().any(|j| j.case == "multi-platform"
                && j.transport == transport
                && j.args.contains(&"--platform".to_owned())),
            "multi-platform --platform through {transport}"
        );
    }

    let failures: Vec<String> = in_parallel(&jobs, |job| {
        let problems = check(job, &run(env, job));
        (!problems.is_empty()).then(|| {
            format!(
                "{} via {} ({} {}): {}",
                job.case,
                job.transport,
                job.args.join(" "),
                job.reference,
                problems.join("; ")
            )
        })
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

#[test]
fn without_credentials_the_auth_registry_is_an_input_error() {
    let Some(env) = image_env() else { return };
    let reference = env.reference("user-app", "docker-auth");
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dockgate"))
        .env("DOCKER_CONFIG", empty.path())
        .env_remove("GITHUB_TOKEN")
        .current_dir(empty.path())
        .args(["image", "--format", "json", &reference])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("authentication failed") && stderr.contains(&env.auth_registry),
        "{stderr}"
    );

    // Wrong credentials: refused, and neither the user's password nor ours is printed.
    let wrong = tempfile::tempdir().unwrap();
    let secret = "not-the-password-7c1e";
    let auth = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", env.auth_user))
    };
    std::fs::write(
        wrong.path().join("config.json"),
        serde_json::json!({ "auths": { env.auth_registry.clone(): { "auth": auth } } }).to_string(),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dockgate"))
        .env("DOCKER_CONFIG", wrong.path())
        .current_dir(wrong.path())
        .args(["image", &reference])
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(2), "{printed}");
    assert!(printed.contains("rejected the credentials"), "{printed}");
    assert!(
        !printed.contains(secret) && !printed.contains(&auth),
        "{printed}"
    );

    // A name neither the daemon nor the registry has: exit 2, said plainly.
    let missing_registry = format!("docker://{}/dockgate-test/no-such-image:1", env.registry);
    for (reference, message) in [
        (
            "docker-daemon:dockgate-test/no-such-image:1",
            "no such image",
        ),
        (missing_registry.as_str(), "HTTP 404"),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dockgate"));
        env.apply(&mut command);
        let output = command
            .current_dir(empty.path())
            .args(["image", reference])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{reference}: {stderr}");
        assert!(stderr.contains(message), "{reference}: {stderr}");
    }
}

/// `--live` against the real daemon: an image that starts as root and drops to app
/// passes DG2001 on what actually runs; a plain root image still fails, and says the
/// live check saw it; other transports get a note, not an error; no container is left.
#[test]
fn live_check_judges_the_user_by_what_runs() {
    let Some(env) = image_env() else { return };
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> (i32, Value, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dockgate"));
        env.apply(&mut command);
        let output = command
            .current_dir(dir.path())
            .args(["image", "--format", "json", "--fail-on", "error"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let json = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
        (output.status.code().unwrap(), json, stderr)
    };
    // The user rule's findings (the fixtures have no HEALTHCHECK, a warning).
    let rules = |json: &Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .filter(|rule| rule == "DG2001")
            .collect()
    };
    let drops = env.reference("drops-root", "docker-daemon");
    let expected = env.expected("drops-root");

    // From the config alone, the image runs as root.
    let (code, json, _) = run(&[&drops]);
    assert_eq!(
        (code, rules(&json)),
        (1, vec!["DG2001".to_string()]),
        "{json:#}"
    );
    assert!(json["images"][0].get("live").is_none(), "{json:#}");

    // Live: the main process runs as app.
    let (code, json, stderr) = run(&["--live", &drops]);
    assert_eq!(code, 0, "{json:#}\n{stderr}");
    assert!(rules(&json).is_empty(), "{json:#}");
    let live = &json["images"][0]["live"];
    assert_eq!(live["uid"], expected["live_uid"], "{json:#}");
    assert_eq!(live["gid"], expected["live_gid"], "{json:#}");
    assert_eq!(
        json["images"][0]["runs_as_root"], true,
        "the config's verdict stays"
    );

    // A plain root image stays root, and the message says how that was learned.
    let (code, json, stderr) = run(&["--live", &env.reference("no-user", "docker-daemon")]);
    assert_eq!(code, 1, "{json:#}\n{stderr}");
    assert_eq!(json["images"][0]["live"]["uid"], 0, "{json:#}");
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "DG2001")
        .expect("DG2001");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("ran as UID 0 in the live check"),
        "{finding:#}"
    );

    // Another transport: a note on stderr, the verdict from the config.
    let archive = env.reference("drops-root", "docker-archive");
    let (code, json, stderr) = run(&["--live", &archive]);
    assert_eq!(
        (code, rules(&json)),
        (1, vec!["DG2001".to_string()]),
        "{json:#}"
    );
    assert!(
        stderr.contains("--live runs docker-daemon: images only"),
        "{stderr}"
    );

    env.assert_no_live_check_containers();
}
