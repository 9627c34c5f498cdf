//! The real image test environment for integration tests: a private dockerd, two local
//! registries and the fixture images, from `scripts/image-env` and
//! `scripts/build-test-images`.
//!
//! [`image_env`] starts (or reuses) them once per test binary. When the tools are not
//! installed it returns `None` after a loud message, so `cargo test` works on a laptop
//! without Docker; under `CI=true` it panics instead, because a CI run that silently
//! skipped the image tests would pass without testing anything.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// What `scripts/image-env` wrote to its env file, plus the fixture manifest.
pub struct ImageEnv {
    pub dir: PathBuf,
    /// `unix:///.../docker.sock` of the private daemon.
    pub docker_host: String,
    /// `127.0.0.1:PORT` of the registry without auth.
    pub registry: String,
    /// `127.0.0.1:PORT` of the registry with htpasswd auth.
    pub auth_registry: String,
    pub auth_user: String,
    auth_password: String,
    /// `fixtures.json` (format: see scripts/build-test-images).
    pub fixtures: Value,
}

impl fmt::Debug for ImageEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageEnv")
            .field("dir", &self.dir)
            .field("docker_host", &self.docker_host)
            .field("registry", &self.registry)
            .field("auth_registry", &self.auth_registry)
            .field("auth_user", &self.auth_user)
            .field("auth_password", &"<redacted>")
            .finish()
    }
}

/// Tools the environment and the fixture builder run.
const TOOLS: &[&str] = &[
    "dockerd",
    "docker",
    "containerd",
    "runc",
    "docker-registry",
    "htpasswd",
    "curl",
    "buildah",
    "skopeo",
    "umoci",
    "busybox",
    "jq",
    "openssl",
    "ps",
];

impl ImageEnv {
    pub fn auth_password(&self) -> &str {
        &self.auth_password
    }

    /// Every case name in fixtures.json.
    pub fn cases(&self) -> Vec<&str> {
        self.fixtures["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect()
    }

    pub fn case(&self, name: &str) -> &Value {
        self.fixtures["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("fixtures.json has no case `{name}`"))
    }

    pub fn expected(&self, name: &str) -> &Value {
        &self.case(name)["expected"]
    }

    /// `(transport, reference)` pairs of a case, registry placeholders filled in.
    pub fn references(&self, name: &str) -> Vec<(String, String)> {
        let refs = self.case(name)["references"]
            .as_object()
            .expect("references object");
        refs.iter()
            .map(|(k, v)| (k.clone(), self.fill(v.as_str().expect("reference string"))))
            .collect()
    }

    /// One reference of a case, e.g. `("user-app", "docker")`.
    pub fn reference(&self, name: &str, transport: &str) -> String {
        let reference = self.case(name)["references"][transport]
            .as_str()
            .unwrap_or_else(|| panic!("case `{name}` has no `{transport}` reference"));
        self.fill(reference)
    }

    fn fill(&self, reference: &str) -> String {
        reference
            .replace("{registry}", &self.registry)
            .replace("{auth_registry}", &self.auth_registry)
    }

    /// A command with this environment's `DOCKER_HOST` (never the host's daemon).
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        self.apply(&mut command);
        command
    }

    /// Points a command (e.g. `dockgate image ...`) at this environment: `DOCKER_HOST`,
    /// and `DOCKER_CONFIG` with the authenticated registry's credentials, so
    /// `docker://{auth_registry}/...` references pull as they would with `docker login`.
    pub fn apply(&self, command: &mut Command) {
        command.env("DOCKER_HOST", &self.docker_host);
        command.env("DOCKER_CONFIG", self.docker_config_dir());
    }

    /// Runs the real binary on one image of this environment, `dockgate image --format
    /// json ARGS REFERENCE`, from the state directory (so no repository policy applies:
    /// the built-in default, or `--config`).
    pub fn run_image(&self, args: &[String], reference: &str) -> ImageRun {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dockgate"));
        self.apply(&mut command);
        command.current_dir(self.dir.as_path());
        command.args(["image", "--format", "json"]);
        command.args(args);
        command.arg(reference);
        let output = command.output().expect("run dockgate");
        ImageRun {
            code: output.status.code().unwrap_or(-1),
            json: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Fails when a live check (`--live`) left a container behind on this daemon.
    pub fn assert_no_live_check_containers(&self) {
        let mut ps = self.command("docker");
        ps.args(["ps", "-a", "-q", "--filter", "label=dockgate.live-check"]);
        let left = ps.output().expect("docker ps");
        assert_eq!(
            String::from_utf8_lossy(&left.stdout).trim(),
            "",
            "live-check containers left behind"
        );
    }

    /// A Docker config directory whose config.json holds the authenticated registry's
    /// credentials (base64 `auth`, as `docker login` writes it).
    pub fn docker_config_dir(&self) -> PathBuf {
        self.dir.join("docker-config")
    }
}

/// `f` of every item, on a few threads (the images' runs are mostly waiting on a daemon,
/// a registry or the disk), in the items' order.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::with_capacity(items.len()));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(index) else { return };
                    let result = f(item);
                    results.lock().unwrap().push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// What one [`ImageEnv::run_image`] showed.
pub struct ImageRun {
    pub code: i32,
    /// The JSON report (`Value::Null` when stdout was not JSON).
    pub json: Value,
    pub stderr: String,
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false)
}

fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true" | "1"))
}

/// The environment, started once per test binary; `None` (tests skip) only outside CI.
pub fn image_env() -> Option<&'static ImageEnv> {
    static ENV: OnceLock<Option<ImageEnv>> = OnceLock::new();
    ENV.get_or_init(start).as_ref()
}

fn start() -> Option<ImageEnv> {
    let mut missing: Vec<String> = TOOLS
        .iter()
        .filter(|t| !on_path(t))
        .map(|t| (*t).to_owned())
        .collect();
    // dockerd needs root; /proc/self/status tells without a libc dependency.
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if !root {
        missing.push("root (dockerd needs it)".into());
    }
    if !missing.is_empty() {
        let message = format!(
            "the image test environment needs: {} (.ci/run installs the Debian packages)",
            missing.join(", ")
        );
        if in_ci() {
            panic!("CI=true: {message}");
        }
        // Straight to the stderr handle: libtest captures `eprintln!` of passing tests.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\nSKIPPING the image tests: {message}\n{bar}\n",
            bar = "*".repeat(78)
        );
        return None;
    }
    let output = Command::new(repo_root().join("scripts/build-test-images"))
        .current_dir(repo_root())
        .output()
        .expect("cannot run scripts/build-test-images");
    if !output.status.success() {
        panic!(
            "scripts/build-test-images failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let dir = std::env::var_os("DOCKGATE_IMAGE_ENV_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/image-env"));
    let env_text =
        std::fs::read_to_string(dir.join("env")).expect("scripts/image-env wrote no env file");
    let get = |key: &str| -> String {
        env_text
            .lines()
            .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
            .unwrap_or_else(|| panic!("{} has no {key}", dir.join("env").display()))
            .to_owned()
    };
    let fixtures_text =
        std::fs::read_to_string(dir.join("fixtures.json")).expect("no fixtures.json");
    let fixtures: Value = serde_json::from_str(&fixtures_text).expect("fixtures.json is not JSON");
    write_docker_config(
        &dir,
        &get("DOCKGATE_AUTH_REGISTRY"),
        &get("DOCKGATE_AUTH_USER"),
        &get("DOCKGATE_AUTH_PASSWORD"),
    );
    Some(ImageEnv {
        docker_host: get("DOCKER_HOST"),
        registry: get("DOCKGATE_REGISTRY"),
        auth_registry: get("DOCKGATE_AUTH_REGISTRY"),
        auth_user: get("DOCKGATE_AUTH_USER"),
        auth_password: get("DOCKGATE_AUTH_PASSWORD"),
        dir,
        fixtures,
    })
}

fn write_docker_config(dir: &Path, registry: &str, user: &str, password: &str) {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let config = serde_json::json!({ "auths": { registry: { "auth": auth } } });
    let config_dir = dir.join("docker-config");
    std::fs::create_dir_all(&config_dir).expect("docker-config dir");
    // Another test binary may be reading it: write aside, then rename over.
    let tmp = config_dir.join(format!("config.json.{}", std::process::id()));
    std::fs::write(&tmp, config.to_string()).expect("config.json");
    std::fs::rename(&tmp, config_dir.join("config.json")).expect("config.json");
}
