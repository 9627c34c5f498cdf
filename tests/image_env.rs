//! The image test environment works: the private daemon answers, every fixture exists in
//! every transport with the config fixtures.json promises, and the authenticated registry
//! accepts its credentials and nothing else. Checked with the reference tools (docker,
//! skopeo), independently of dockgate's own transports.

mod support;

use std::process::Output;

use serde_json::Value;
use support::image_env::{ImageEnv, image_env};

fn run(mut command: std::process::Command) -> Output {
    command.output().expect("cannot run the command")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_private_daemon_answers_on_its_own_socket() {
    let Some(env) = image_env() else { return };
    assert!(env.docker_host.starts_with("unix://") && env.docker_host.ends_with("/docker.sock"));
    assert_ne!(
        env.docker_host, "unix:///var/run/docker.sock",
        "tests must not use the host's daemon"
    );
    let mut docker = env.command("docker");
    docker.args(["version", "--format", "{{.Server.Version}} {{.Server.Os}}"]);
    let output = run(docker);
    assert!(output.status.success(), "{}", stderr(&output));
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(version.trim().ends_with(" linux"), "{version}");
    let mut docker = env.command("docker");
    docker.args(["info", "--format", "{{.Driver}}"]);
    assert_eq!(String::from_utf8_lossy(&run(docker).stdout).trim(), "vfs");
}

/// `skopeo inspect --config` on one reference, with the flags its transport needs.
fn skopeo_config(env: &ImageEnv, transport: &str, reference: &str) -> Result<Value, String> {
    let mut skopeo = env.command("skopeo");
    skopeo.args(["inspect", "--config"]);
    match transport {
        "docker-daemon" => {
            skopeo.args(["--daemon-host", &env.docker_host]);
        }
        "docker" => {
            skopeo.args(["--tls-verify=false", "--no-creds"]);
        }
        "docker-auth" => {
            skopeo.args([
                "--tls-verify=false",
                "--creds",
                &format!("{}:{}", env.auth_user, env.auth_password()),
            ]);
        }
        _ => {}
    }
    skopeo.arg(reference);
    let output = run(skopeo);
    if !output.status.success() {
        return Err(stderr(&output));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())
}

#[test]
fn every_fixture_exists_in_every_transport_with_the_expected_config() {
    let Some(env) = image_env() else { return };
    let cases = env.cases();
    assert!(cases.len() >= 16, "fixtures.json lists only {cases:?}");
    let jobs: Vec<(String, String, String)> = cases
        .iter()
        .flat_map(|case| {
            env.references(case)
                .into_iter()
                .map(move |(t, r)| ((*case).to_owned(), t, r))
        })
        .collect();
    // Every single-platform case goes through all 8 transports.
    assert!(
        jobs.len() >= 13 * 8 + 2 * 4,
        "only {} references",
        jobs.len()
    );
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<_> = jobs.chunks(jobs.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for (case, transport, reference) in chunk {
                        let expected = env.expected(case);
                        match skopeo_config(env, transport, reference) {
                            Err(e) => failures.push(format!("{case} {reference}: {e}")),
                            Ok(config) => {
                                let user = config["config"]["User"].as_str().unwrap_or("");
                                let layers =
                                    config["rootfs"]["diff_ids"].as_array().map_or(0, Vec::len);
                                if user != expected["config_user"].as_str().unwrap() {
                                    failures.push(format!(
                                        "{case} {reference}: user {user:?}, expected {}",
                                        expected["config_user"]
                                    ));
                                }
                                if layers as u64 != expected["layers"].as_u64().unwrap() {
                                    failures.push(format!(
                                        "{case} {reference}: {layers} layers, expected {}",
                                        expected["layers"]
                                    ));
                                }
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} references failed:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

#[test]
fn the_multi_platform_index_has_both_platforms_and_zstd_has_zstd_layers() {
    let Some(env) = image_env() else { return };
    let mut skopeo = env.command("skopeo");
    skopeo.args([
        "inspect",
        "--raw",
        "--tls-verify=false",
        &env.reference("multi-platform", "docker"),
    ]);
    let index: Value = serde_json::from_slice(&run(skopeo).stdout).expect("index JSON");
    let platforms: Vec<String> = index["manifests"]
        .as_array()
        .expect("an index")
        .iter()
        .map(|m| {
            let p = &m["platform"];
            format!(
                "{}/{}{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap(),
                p["variant"]
                    .as_str()
                    .map(|v| format!("/{v}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    // The attestation comes first, where a reader taking the first entry would pick it.
    assert_eq!(
        platforms,
        ["unknown/unknown", "linux/amd64", "linux/arm64/v8"]
    );
    assert_eq!(
        index["manifests"][0]["annotations"]["vnd.docker.reference.type"],
        "attestation-manifest"
    );
    let mut skopeo = env.command("skopeo");
    skopeo.args(["inspect", "--raw", &env.reference("zstd", "oci")]);
    let manifest: Value = serde_json::from_slice(&run(skopeo).stdout).expect("manifest JSON");
    for layer in manifest["layers"].as_array().unwrap() {
        assert_eq!(
            layer["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+zstd"
        );
    }
}

#[test]
fn the_authenticated_registry_takes_its_credentials_and_nothing_else() {
    let Some(env) = image_env() else { return };
    let reference = env.reference("user-app", "docker-auth");
    let inspect = |creds: Option<String>| {
        let mut skopeo = env.command("skopeo");
        skopeo.args(["inspect", "--raw", "--tls-verify=false"]);
        match creds {
            Some(creds) => skopeo.args(["--creds", &creds]),
            None => skopeo.arg("--no-creds"),
        };
        skopeo.arg(&reference);
        run(skopeo)
    };
    let good = inspect(Some(format!("{}:{}", env.auth_user, env.auth_password())));
    assert!(good.status.success(), "{}", stderr(&good));
    let anonymous = inspect(None);
    assert!(!anonymous.status.success());
    assert!(
        stderr(&anonymous).to_lowercase().contains("unauthorized"),
        "{}",
        stderr(&anonymous)
    );
    let wrong = inspect(Some(format!("{}:not-the-password", env.auth_user)));
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).to_lowercase().contains("unauthorized"),
        "{}",
        stderr(&wrong)
    );
    // The Docker config the harness hands to dockgate holds working credentials.
    let mut skopeo = env.command("skopeo");
    skopeo.args(["inspect", "--raw", "--tls-verify=false", "--authfile"]);
    skopeo.arg(env.docker_config_dir().join("config.json"));
    skopeo.arg(&reference);
    let with_config = run(skopeo);
    assert!(with_config.status.success(), "{}", stderr(&with_config));
    // The open registry needs nothing.
    let mut skopeo = env.command("skopeo");
    skopeo.args([
        "inspect",
        "--raw",
        "--tls-verify=false",
        "--no-creds",
        &env.reference("user-app", "docker"),
    ]);
    let open = run(skopeo);
    assert!(open.status.success(), "{}", stderr(&open));
}

#[test]
fn the_expected_verdicts_were_measured_and_are_consistent() {
    let Some(env) = image_env() else { return };
    let uid = |case: &str| env.expected(case)["uid"].as_u64();
    assert_eq!(uid("user-app"), Some(10001));
    assert_eq!(
        uid("app-uid0"),
        Some(0),
        "a user named app with UID 0 is root"
    );
    assert_eq!(uid("user-0-0"), Some(0));
    assert_eq!(uid("no-user"), Some(0));
    assert_eq!(uid("numeric-no-passwd"), Some(65532));
    assert_eq!(
        uid("user-missing"),
        None,
        "Docker cannot start a user missing from passwd"
    );
    assert_eq!(uid("buildah-app"), Some(10001));
    let buildah = env.expected("buildah-app");
    assert_eq!(
        buildah["healthcheck"],
        Value::Null,
        "OCI configs have no HEALTHCHECK"
    );
    assert_eq!(
        buildah["manifest_media_type"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    for case in env.cases() {
        let expected = env.expected(case);
        if let Some(uid) = expected["uid"].as_u64() {
            assert_eq!(expected["runs_as_root"].as_bool(), Some(uid == 0), "{case}");
        }
    }
    let budget = env.fixtures["size_budget"].as_u64().unwrap();
    let size = |case: &str| env.expected(case)["uncompressed_size"].as_u64().unwrap();
    assert!(
        size("size-under") < budget && budget < size("size-over"),
        "{} {budget} {}",
        size("size-under"),
        size("size-over")
    );
    assert!(budget - size("size-under") < 1_000_000 && size("size-over") - budget < 1_000_000);
}
