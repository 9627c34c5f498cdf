//! `dockgate image` end to end, on real images written by `dockgate::image::testing`:
//! exit codes 0/1/2, the JSON `images[]` shape design.md fixes, the text report.

use std::path::Path;

use assert_cmd::Command;
use dockgate::image::testing::{Compression, Image, Layer, passwd};
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::app_image::{APP_DOCKERFILE, app_image};

fn dockgate() -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    // Away from the repository's own dockgate.yml (builtin:strict): these tests are
    // about the default policy unless they name one.
    command.current_dir(std::env::temp_dir());
    command
}

/// A non-root image with a health check and nothing else to complain about.
fn clean_image() -> Image {
    Image::new()
        .user("app")
        .healthcheck(&["CMD", "/app/server", "--health"])
        .layer(
            Layer::new()
                .dir("etc")
                .file("etc/passwd", &passwd(&[("app", 10001)]))
                .file("etc/group", b"root:x:0:\napp:x:10001:\n"),
            Compression::Gzip,
            "ADD rootfs.tar /",
        )
        .empty_step("USER app")
        .layer(
            Layer::new()
                .dir("app")
                .file_with("app/server", &[0x7f; 4000], 0o755, 0, 0),
            Compression::Zstd,
            "COPY server /app/server # buildkit",
        )
}

fn archive(dir: &Path, name: &str, image: &Image) -> String {
    let path = dir.join(name);
    image.write_docker_archive(&path);
    format!("docker-archive:{}", path.display())
}

fn run_json(args: &[&str]) -> (i32, Value, String) {
    let output = dockgate()
        .args(["image", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (
        output.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn clean_image_passes_with_exit_0_and_the_json_shape() {
    let dir = TempDir::new().unwrap();
    let reference = archive(dir.path(), "clean.tar", &clean_image());
    let (code, json, stderr) = run_json(&[&reference]);
    assert_eq!(code, 0, "{json:#}\n{stderr}");
    assert_eq!(json["version"], 1);
    assert_eq!(json["passed"], true);
    assert_eq!(json["findings"], Value::Array(vec![]));
    let image = &json["images"][0];
    assert_eq!(image["reference"], reference.as_str());
    assert!(image["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(image["user"], "app");
    assert_eq!(image["uid"], 10001);
    assert_eq!(image["gid"], 10001);
    assert_eq!(image["runs_as_root"], false);
    assert_eq!(image["healthcheck"], "present");
    let layers = image["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(
        layers[1]["created_by"],
        "COPY server /app/server # buildkit"
    );
    let sum = |field: &str| {
        layers
            .iter()
            .map(|l| l[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        image["size"]["compressed"].as_u64().unwrap(),
        sum("compressed")
    );
    assert_eq!(
        image["size"]["uncompressed"].as_u64().unwrap(),
        sum("uncompressed")
    );
    for layer in layers {
        assert!(layer["digest"].as_str().unwrap().starts_with("sha256:"));
    }
}

#[test]
fn root_image_fails_with_exit_1_and_the_reference_as_path() {
    let dir = TempDir::new().unwrap();
    let image = Image::new()
        .user("0:0")
        .healthcheck(&["CMD", "true"])
        .layer(
            Layer::new().file("etc/passwd", &passwd(&[])),
            Compression::Gzip,
            "base",
        );
    let reference = archive(dir.path(), "root.tar", &image);
    let (code, json, _) = run_json(&[&reference]);
    assert_eq!(code, 1);
    assert_eq!(json["passed"], false);
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "DG2001");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["path"], reference.as_str());
    assert_eq!(json["images"][0]["runs_as_root"], true);
    assert_eq!(json["images"][0]["uid"], 0);
}

#[test]
fn size_budgets_from_the_command_line() {
    let dir = TempDir::new().unwrap();
    let reference = archive(dir.path(), "clean.tar", &clean_image());
    let (_, json, _) = run_json(&[&reference]);
    let uncompressed = json["images"][0]["size"]["uncompressed"].as_u64().unwrap();

    let at_budget = format!("{uncompressed}B");
    let (code, _, _) = run_json(&["--max-size", &at_budget, &reference]);
    assert_eq!(code, 0);
    let under = (uncompressed - 1).to_string();
    let (code, json, _) = run_json(&["--max-size", &under, &reference]);
    assert_eq!(code, 1);
    assert_eq!(json["findings"][0]["rule"], "DG2010");
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("(1 bytes) over its budget"), "{message}");

    let (code, json, _) = run_json(&["--max-compressed-size", "1kB", &reference]);
    assert_eq!(code, 1);
    assert_eq!(json["findings"][0]["rule"], "DG2011");
    let (code, _, _) = run_json(&["--max-compressed-size", "1.5GiB", &reference]);
    assert_eq!(code, 0);
}

#[test]
fn unreadable_image_exits_2_with_the_message_on_stderr() {
    let dir = TempDir::new().unwrap();
    let good = archive(dir.path(), "clean.tar", &clean_image());
    let missing = format!("oci:{}", dir.path().join("nothing").display());
    let (code, json, stderr) = run_json(&[&good, &missing]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an OCI image layout"), "{stderr}");
    // The readable image is still reported.
    assert_eq!(json["images"].as_array().unwrap().len(), 1);

    // Unreachable registry and daemon: exit 2, the address on stderr.
    dockgate()
        .args(["image", "docker://127.0.0.1:1/app:1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "http://127.0.0.1:1/v2/app/manifests/1",
        ));
    dockgate()
        .env("DOCKER_HOST", "unix:///nonexistent/dockgate.sock")
        .args(["image", "docker-daemon:app:1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot connect to the Docker daemon at unix:///nonexistent/dockgate.sock",
        ));
    dockgate()
        .args(["image", "--max-size", "12XB", &good])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid size `12XB`"));
    dockgate()
        .args(["image", "nonsense"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name a transport"));
}

#[test]
fn platform_selects_from_an_index() {
    let dir = TempDir::new().unwrap();
    let amd64 = clean_image();
    let arm64 = Image::new()
        .architecture("arm64")
        .healthcheck(&["CMD", "true"])
        .layer(
            Layer::new().file("etc/passwd", &passwd(&[])),
            Compression::Gzip,
            "arm base",
        );
    dockgate::image::testing::write_multi_platform(dir.path(), &[&amd64, &arm64]);
    let reference = format!("oci:{}", dir.path().display());
    let (code, json, _) = run_json(&[&reference]);
    assert_eq!((code, json["images"][0]["uid"].as_u64()), (0, Some(10001)));
    let (code, json, _) = run_json(&["--platform", "linux/arm64", &reference]);
    assert_eq!(
        (code, json["images"][0]["runs_as_root"].as_bool()),
        (1, Some(true))
    );
    dockgate()
        .args(["image", "--platform", "linux", &reference])
        .assert()
        .code(2);
    // A single-platform image is checked as it is, unless another platform is asked for.
    let single = archive(dir.path(), "arm.tar", &arm64);
    let (code, _, _) = run_json(&[&single]);
    assert_eq!(code, 1);
    let (code, _, stderr) = run_json(&["--platform", "linux/amd64", &single]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no image for platform linux/amd64 (available: linux/arm64)"),
        "{stderr}"
    );
}

#[test]
fn text_report_shows_layers_and_the_budget_bar() {
    let dir = TempDir::new().unwrap();
    let reference = archive(dir.path(), "clean.tar", &clean_image());
    let output = dockgate()
        .args(["image", "--max-size", "20kB", &reference])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("user:  `app` (uid 10001, gid 10001)"),
        "{text}"
    );
    // 9,728 of 20,000 bytes: 49%, 15 of 30 cells.
    assert!(
        text.contains("budget [###############...............]   49% of 20.0 kB (uncompressed)"),
        "{text}"
    );
    // The step as written in the Dockerfile; JSON keeps BuildKit's raw `created_by`.
    assert!(text.contains("6.1 kB  COPY server /app/server\n"), "{text}");
    assert!(
        text.ends_with("No problems found in 1 image; passed (--fail-on warning).\n"),
        "{text}"
    );
}

#[test]
fn image_rules_are_documented_by_the_rules_command() {
    dockgate()
        .args(["rules", "DG2020"])
        .assert()
        .success()
        .stdout(predicate::str::contains("# DG2020: image-secret-in-layer"));
    dockgate()
        .args(["rules", "DG2031"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Off by default"));
    let list = dockgate().arg("rules").output().unwrap().stdout;
    let list = String::from_utf8(list).unwrap();
    let line = |code: &str| {
        list.lines()
            .find(|l| l.starts_with(code))
            .unwrap()
            .to_string()
    };
    assert!(line("DG2031").ends_with("(off by default)"), "{list}");
    assert!(!line("DG2001").contains("off by default"), "{list}");
}

#[test]
fn base_image_from_annotations_and_history() {
    let dir = TempDir::new().unwrap();
    let image = Image::new()
        .user("1000")
        .healthcheck(&["CMD", "true"])
        .annotation(
            "org.opencontainers.image.base.name",
            "docker.io/library/debian:12",
        )
        .layer(
            Layer::new().file("etc/os-release", &[b'x'; 3000]),
            Compression::Gzip,
            "ADD file:abc in /",
        )
        .empty_step("/bin/sh -c #(nop)  CMD [\"bash\"]")
        .layer(
            Layer::new().file("app", b"x"),
            Compression::Gzip,
            "COPY app /app # buildkit",
        );
    let path = dir.path().join("layout");
    image.write_oci_dir(&path);
    let reference = format!("oci:{}", path.display());
    let (code, json, _) = run_json(&["--max-size", "100B", &reference]);
    assert_eq!(code, 1);
    let base = &json["images"][0]["base"];
    assert_eq!(base["name"], "docker.io/library/debian:12");
    assert_eq!(base["layers"], 1);
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("layer 1 (4.6 kB) `ADD file:abc in /` from the base image"),
        "{message}"
    );
}

#[test]
fn oci_configs_have_no_healthcheck_to_miss() {
    let dir = TempDir::new().unwrap();
    let image = Image::new().oci_config().user("65532:65532").layer(
        Layer::new().file("server", b"x"),
        Compression::Zstd,
        "COPY server /",
    );
    let path = dir.path().join("buildah.tar");
    image.write_oci_archive(&path);
    let reference = format!("oci-archive:{}", path.display());
    let output = dockgate()
        .args(["image", "--fail-on", "info", &reference])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("healthcheck: not applicable (an OCI-format config has none)"),
        "{text}"
    );
    let (_, json, _) = run_json(&[&reference]);
    assert_eq!(json["images"][0]["healthcheck"], "not-applicable");
}

/// The policy's `image` section and exceptions reach the image rules.
#[test]
fn the_policy_sets_budgets_requirements_and_waivers() {
    let dir = TempDir::new().unwrap();
    let reference = archive(dir.path(), "clean.tar", &clean_image());
    let policy = dir.path().join("dockgate.yml");
    let rules_of = |json: &Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap().to_string())
            .collect()
    };
    std::fs::write(&policy, "image:\n  max_size: 1kB\n  numeric_user: true\n").unwrap();
    let config = policy.display().to_string();
    let (code, json, stderr) = run_json(&["--config", &config, &reference]);
    assert_eq!(code, 1, "{json:#}\n{stderr}");
    assert_eq!(rules_of(&json), ["DG2003", "DG2010"], "{json:#}");

    std::fs::write(
        &policy,
        "image:\n  max_size: 1kB\n  numeric_user: true\nexceptions:\n  - rules: [DG2010]\n    images: ['docker-archive:/**']\n    owner: '@acme/platform'\n    reason: the budget is being renegotiated\n    expires: 2999-12-31\n",
    )
    .unwrap();
    let (code, json, _) = run_json(&["--config", &config, &reference]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&json), ["DG2003"], "{json:#}");

    // The command line still overrides the policy's budget.
    std::fs::write(&policy, "image:\n  max_size: 1kB\n").unwrap();
    let (code, json, _) = run_json(&["--config", &config, "--max-size", "1GB", &reference]);
    assert_eq!(
        (code, rules_of(&json)),
        (0, Vec::<String>::new()),
        "{json:#}"
    );
}

/// `dockgate check` is the gate: Dockerfiles and the policy's images in one verdict.
#[test]
fn check_lints_and_inspects_the_policys_images() {
    let dir = TempDir::new().unwrap();
    let reference = archive(dir.path(), "clean.tar", &clean_image());
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12-slim\nUSER 10001\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("dockgate.yml"),
        format!("images: ['{reference}']\nimage:\n  max_size: 1kB\n"),
    )
    .unwrap();
    let output = dockgate()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["images"][0]["reference"], reference.as_str());
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["DG2010"], "{json:#}");

    // An unreadable image named with --image is an input error: exit 2, the rest reported.
    let output = dockgate()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--image", "oci:missing-dir"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["images"].as_array().unwrap().len(), 1, "{json:#}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("oci:missing-dir"));
}

/// `--baseline`: growth in the JSON and text reports, DG2015 against `image.max_growth`,
/// on `dockgate image` and `dockgate check`.
#[test]
fn growth_against_a_baseline() {
    let dir = TempDir::new().unwrap();
    let old = archive(dir.path(), "old.tar", &clean_image());
    // One more layer: a 20,000-byte file, a tar of 512 + 20,480 + 1,024 = 22,016 bytes.
    let grown = clean_image().layer(
        Layer::new().file("tool", &[3; 20_000]),
        Compression::Gzip,
        "RUN install-tool # buildkit",
    );
    let new = archive(dir.path(), "new.tar", &grown);
    let policy = dir.path().join("dockgate.yml");
    let config = policy.display().to_string();
    std::fs::write(&policy, "image:\n  max_growth: 22015B\n").unwrap();
    let (code, json, stderr) = run_json(&["--config", &config, "--baseline", &old, &new]);
    assert_eq!(code, 1, "{json:#}\n{stderr}");
    assert!(!stderr.contains("not checked"), "{stderr}");
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "DG2015", "{json:#}");
    assert_eq!(finding["path"], new.as_str());
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("1 bytes) over its growth budget"),
        "{message}"
    );
    assert!(
        message.contains("layer 3 +22.0 kB (new) `RUN install-tool`"),
        "{message}"
    );
    let image = &json["images"][0];
    let baseline = &image["baseline"];
    assert_eq!(baseline["reference"], old.as_str());
    let size = |json: &Value, which: &str| json[which].as_i64().unwrap();
    assert_eq!(
        size(&baseline["growth"], "uncompressed"),
        22_016,
        "{baseline:#}"
    );
    assert_eq!(
        size(&image["size"], "uncompressed") - size(&baseline["size"], "uncompressed"),
        22_016
    );
    assert_eq!(
        size(&image["size"], "compressed") - size(&baseline["size"], "compressed"),
        size(&baseline["growth"], "compressed")
    );
    assert!(size(&baseline["growth"], "compressed") > 0);

    // At the budget: passes. The text report has the baseline line.
    std::fs::write(&policy, "image:\n  max_growth: 22016B\n").unwrap();
    let output = dockgate()
        .args(["image", "--config", &config, "--baseline", &old, &new])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("  baseline: {old}  ")) && text.contains("(+22.0 kB)"),
        "{text}"
    );

    // Without a baseline there is no `baseline` entry, and no finding.
    let (code, json, _) = run_json(&["--config", &config, &new]);
    assert_eq!(code, 0, "{json:#}");
    assert!(json["images"][0].get("baseline").is_none(), "{json:#}");

    // `check` takes it too, and an unreadable baseline is an input error (exit 2).
    std::fs::write(&policy, "image:\n  max_growth: 1kB\n").unwrap();
    let output = dockgate()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--image",
            &new,
            "--baseline",
            &old,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["findings"][0]["rule"], "DG2015", "{json:#}");
    let (code, _, stderr) = run_json(&["--config", &config, "--baseline", "oci:no-such-dir", &new]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("oci:no-such-dir: baseline image:"),
        "{stderr}"
    );
}

/// An image with a 16 MiB (16.8 MB) layer of incompressible bytes: long enough to read that a
/// terminal sees the progress line.
fn big_image_archive(dir: &Path) -> String {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: Vec<u8> = (0..16 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let image = clean_image().layer(
        Layer::new().file("data.bin", &noise),
        Compression::None,
        "COPY data.bin / # buildkit",
    );
    archive(dir, "big.tar", &image)
}

/// The progress line is for terminals: with stderr piped, layers are read and nothing
/// at all is written to stderr.
#[test]
fn no_progress_on_stderr_when_it_is_not_a_terminal() {
    let dir = TempDir::new().unwrap();
    let reference = big_image_archive(dir.path());
    for format in ["text", "json"] {
        let output = dockgate()
            .args(["image", "--format", format, "--max-size", "1GB", &reference])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{format}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!stdout.contains("reading layers"), "{stdout}");
    }
}

/// On a terminal (a pseudo-terminal from util-linux `script`), the text report draws
/// the progress line while layers are read and clears it before the report.
#[test]
fn progress_on_a_terminal_is_drawn_and_cleared() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let dir = TempDir::new().unwrap();
    let reference = big_image_archive(dir.path());
    let binary = assert_cmd::cargo::cargo_bin("dockgate");
    let command = format!("{} image --max-size 1GB {reference}", binary.display());
    let output = std::process::Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .current_dir(std::env::temp_dir())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let terminal = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{terminal}");
    let drawn = terminal
        .find("\r\x1b[2Kreading layers: ")
        .unwrap_or_else(|| panic!("no progress line:\n{terminal:?}"));
    let line = &terminal[drawn..];
    let line = &line[..line[2..].find('\r').map_or(line.len(), |end| end + 2)];
    assert!(
        line.contains(" MB, ") && line.ends_with("/3 layers"),
        "{line:?}"
    );
    let cleared = terminal.rfind("\r\x1b[2K").unwrap();
    let report = terminal.find("passed").expect("the report");
    assert!(
        cleared < report,
        "the line is cleared before the report:\n{terminal:?}"
    );
}

/// `dockgate check --format json --image REFERENCE .` in `repo`: the exit code and the report.
fn check_json(repo: &Path, reference: &str) -> (Option<i32>, Value) {
    let output = dockgate()
        .current_dir(repo)
        .args(["check", "--format", "json", "--image", reference, "."])
        .output()
        .unwrap();
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).unwrap(),
    )
}

/// `dockgate check` finds the Dockerfile that made the image among those it lints (by
/// the image's history, not by name) and places the image findings on its lines; a
/// Dockerfile that did not make it claims nothing.
#[test]
fn check_places_image_findings_on_the_dockerfile_that_made_the_image() {
    let dir = TempDir::new().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("svc")).unwrap();
    std::fs::create_dir_all(repo.join("tools")).unwrap();
    std::fs::write(repo.join("svc/Dockerfile"), APP_DOCKERFILE).unwrap();
    std::fs::write(
        repo.join("tools/Dockerfile"),
        "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER root\n",
    )
    .unwrap();
    let reference = archive(dir.path(), "app.tar", &app_image());
    let (code, json) = check_json(&repo, &reference);
    assert_eq!(code, Some(1));
    let image = &json["images"][0];
    assert_eq!(image["dockerfile"]["path"], "svc/Dockerfile", "{image:#}");
    let lines: Vec<Value> = image["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| layer["line"].clone())
        .collect();
    assert_eq!(lines, [Value::Null, 2.into(), 3.into(), 4.into()]);
    let placed = |rule: &str| {
        let finding = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule}: {json:#}"));
        assert_eq!(finding["image"], reference.as_str(), "{finding}");
        (
            finding["path"].as_str().unwrap().to_owned(),
            finding["line"].as_u64().unwrap(),
        )
    };
    assert_eq!(placed("DG2001"), ("svc/Dockerfile".to_owned(), 5));
    assert_eq!(placed("DG2020"), ("svc/Dockerfile".to_owned(), 3));
    assert_eq!(
        placed("DG2032").1,
        0,
        "a missing health check is about the whole image"
    );

    // Only the other Dockerfile: nothing matches, the findings stay on the image.
    std::fs::remove_file(repo.join("svc/Dockerfile")).unwrap();
    let (_, json) = check_json(&repo, &reference);
    assert!(json["images"][0]["dockerfile"].is_null(), "{json:#}");
    for finding in json["findings"].as_array().unwrap() {
        if finding["rule"].as_str().unwrap().starts_with("DG2") {
            assert_eq!(finding["path"], reference.as_str(), "{finding}");
        }
    }
}

/// Image findings placed on a Dockerfile line go through the same suppression as the
/// Dockerfile's own: the pragma above the line, the path overrides and the path-scoped
/// exceptions of that file. Findings about the whole image are untouched by them.
#[test]
fn pragmas_overrides_and_exceptions_apply_to_placed_image_findings() {
    let dir = TempDir::new().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("svc")).unwrap();
    let reference = archive(dir.path(), "app.tar", &app_image());
    let run = |dockerfile: &str, policy: &str| {
        std::fs::write(repo.join("svc/Dockerfile"), dockerfile).unwrap();
        std::fs::write(repo.join("dockgate.yml"), policy).unwrap();
        let (code, json) = check_json(&repo, &reference);
        let findings: Vec<(String, String, u64)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["image"].is_string())
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        (code, findings)
    };
    let has = |findings: &[(String, String, u64)], rule: &str| {
        findings.iter().find(|(code, ..)| code == rule).cloned()
    };
    let (_, plain) = run(APP_DOCKERFILE, "extends: [builtin:recommended]\n");
    assert_eq!(has(&plain, "DG2020").map(|f| f.2), Some(3), "{plain:?}");
    assert_eq!(
        has(&plain, "DG2001").map(|f| (f.1, f.2)),
        Some(("error".to_owned(), 5))
    );

    // A pragma above the COPY that added the key silences the secret on its line.
    let with_pragma = APP_DOCKERFILE.replace(
        "COPY id_ed25519",
        "# hadolint ignore=DG2020\nCOPY id_ed25519",
    );
    let (_, found) = run(&with_pragma, "extends: [builtin:recommended]\n");
    assert_eq!(has(&found, "DG2020"), None, "{found:?}");
    assert!(has(&found, "DG2001").is_some(), "{found:?}");

    // A path override sets the severity of a finding placed in its files.
    let (_, found) = run(
        APP_DOCKERFILE,
        "overrides:\n  - paths: [\"svc/**\"]\n    rules: { DG2001: info, DG2020: off }\n",
    );
    assert_eq!(has(&found, "DG2001").map(|f| f.1), Some("info".to_owned()));
    assert_eq!(has(&found, "DG2020"), None, "{found:?}");

    // An exception by path waives what is placed in that file, not the whole image's.
    let (_, found) = run(
        APP_DOCKERFILE,
        "exceptions:\n  - rules: [DG2001, DG2032]\n    paths: [svc/Dockerfile]\n    owner: \"@acme/app\"\n    reason: root until the migration\n    expires: 2999-01-01\n",
    );
    assert_eq!(has(&found, "DG2001"), None, "{found:?}");
    assert_eq!(
        has(&found, "DG2032").map(|f| f.2),
        Some(0),
        "a finding about the whole image is in no file: {found:?}"
    );
}

/// `dockgate image --dockerfile`: the text report's layer table has the Dockerfile line
/// of each layer and the instruction as written; findings point at `FILE:LINE:COL`.
#[test]
fn image_text_report_with_a_dockerfile() {
    let dir = TempDir::new().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(&dockerfile, APP_DOCKERFILE).unwrap();
    let reference = archive(dir.path(), "app.tar", &app_image());
    let output = dockgate()
        .args(["image", "--dockerfile"])
        .arg(&dockerfile)
        .arg(&reference)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let shown = dockerfile.display();
    assert!(
        text.contains(&format!(
            "  dockerfile: {shown} (stage 0, matched by the history)"
        )),
        "{text}"
    );
    assert!(
        text.contains("  base: alpine:3.20 (1 layer, from the history)"),
        "{text}"
    );
    assert!(
        text.contains("line 3      COPY id_ed25519 /root/.ssh/id_ed25519\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{shown}:5:1: DG2001 [error] The image runs as root"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{shown}:3:1: DG2020 [error] /root/.ssh/id_ed25519"
        )),
        "{text}"
    );

    // A Dockerfile that cannot be read is an input error, exit 2.
    let output = dockgate()
        .args([
            "image",
            "--dockerfile",
            "/nonexistent/Dockerfile",
            &reference,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
