//! dockgate's own `docker://` and `docker-daemon:` transports against the real local
//! registries and the private daemon of tests/support/image_env.rs.

mod support;

use std::io::Read;
use std::time::Duration;

use dockgate::image::daemon::{DaemonClient, DaemonError, LiveMethod, LiveUser};
use dockgate::image::registry::{
    ClientOptions, Credentials, Descriptor, InsecureRegistries, Platform, Reference,
    RegistryClient, RegistryError,
};
use serde_json::Value;
use support::image_env::{ImageEnv, image_env};

fn client(env: &ImageEnv, case: &str, transport: &str, credentials: Credentials) -> RegistryClient {
    let reference =
        Reference::parse(&env.reference(case, transport)).expect("fixture reference parses");
    RegistryClient::new(
        reference,
        ClientOptions {
            credentials,
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

fn insecure_registries(hosts: &[&str]) -> InsecureRegistries {
    InsecureRegistries::new(hosts.iter().map(|host| host.parse().expect("HOST[:PORT]")))
}

fn auth(env: &ImageEnv) -> Credentials {
    Credentials::Basic {
        username: env.auth_user.clone(),
        password: env.auth_password().to_owned(),
    }
}

fn config_user(config: &[u8]) -> String {
    let config: Value = serde_json::from_slice(config).expect("config JSON");
    config["config"]["User"].as_str().unwrap_or("").to_owned()
}

fn read_blob(client: &RegistryClient, descriptor: &Descriptor) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    client
        .open_blob(descriptor)
        .expect("open blob")
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[test]
fn anonymous_pull_of_manifest_config_and_every_layer() {
    let Some(env) = image_env() else { return };
    for case in ["user-app", "app-uid0", "size-over", "opaque-whiteout"] {
        let expected = env.expected(case);
        let client = client(env, case, "docker", Credentials::Anonymous);
        let image = client
            .fetch_image()
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(
            image.index.is_none() && image.platform.is_none(),
            "{case}: single-platform"
        );
        assert_eq!(
            config_user(&image.config),
            expected["config_user"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(
            image.layers.len() as u64,
            expected["layers"].as_u64().unwrap(),
            "{case}"
        );
        let compressed: u64 = image.layers.iter().map(|l| l.size).sum();
        assert_eq!(
            compressed,
            expected["compressed_size"].as_u64().unwrap(),
            "{case}"
        );
        // The registry's digest header and ours agree: the manifest was not re-serialised.
        let again = client
            .fetch_manifest(&image.manifest.digest)
            .expect("manifest by digest");
        assert_eq!(again.bytes, image.manifest.bytes);
        for layer in &image.layers {
            let bytes = read_blob(&client, layer)
                .unwrap_or_else(|e| panic!("{case} {}: {e}", layer.digest));
            assert_eq!(bytes.len() as u64, layer.size);
            assert_eq!(&bytes[..2], [0x1f, 0x8b], "{case}: gzip layers");
        }
    }
}

#[test]
fn pull_by_digest_and_an_unknown_digest() {
    let Some(env) = image_env() else { return };
    let by_tag = client(env, "setuid", "docker", Credentials::Anonymous)
        .fetch_image()
        .expect("pull by tag");
    let pinned = format!(
        "{}/dockgate-test/setuid@{}",
        env.registry, by_tag.manifest.digest
    );
    let reference = Reference::parse(&pinned).unwrap();
    let by_digest = RegistryClient::new(reference, ClientOptions::default())
        .unwrap()
        .fetch_image()
        .expect("pull by digest");
    assert_eq!(by_digest.config, by_tag.config);
    let unknown = format!(
        "{}/dockgate-test/setuid@sha256:{}",
        env.registry,
        "0".repeat(64)
    );
    let err = RegistryClient::new(
        Reference::parse(&unknown).unwrap(),
        ClientOptions::default(),
    )
    .unwrap()
    .fetch_image()
    .unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 404, .. }),
        "{err}"
    );
    // for_reference: the entry point that reads the Docker config (none here: anonymous).
    let missing = format!("docker://{}/dockgate-test/no-such-image:1", env.registry);
    let err = RegistryClient::for_reference(&missing, Platform::linux_amd64())
        .unwrap()
        .fetch_image()
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}

#[test]
fn a_blob_that_does_not_match_its_descriptor_fails_at_the_end() {
    let Some(env) = image_env() else { return };
    let client = client(env, "user-app", "docker", Credentials::Anonymous);
    let image = client.fetch_image().expect("pull");
    // The registry serves the real blob; the descriptor claims one byte more (what a
    // tampered manifest or a truncated transfer looks like to the reader).
    let mut wrong_size = image.config_descriptor.clone();
    wrong_size.size += 1;
    let err = read_blob(&client, &wrong_size).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("expected"), "{err}");
    // A consumer that stops early (as tar readers do) still gets the verdict from finish().
    let mut reader = client.open_blob(&wrong_size).expect("open");
    let mut head = [0u8; 16];
    reader.read_exact(&mut head).expect("head");
    assert!(reader.finish().is_err());
    let mut reader = client.open_blob(&image.layers[0]).expect("open");
    reader.read_exact(&mut head).expect("head");
    reader.finish().expect("the real layer verifies");
    let mut too_small = image.layers[0].clone();
    too_small.size = 100;
    assert!(
        read_blob(&client, &too_small)
            .unwrap_err()
            .to_string()
            .contains("more than the 100 bytes")
    );
}

#[test]
fn authenticated_pull_and_wrong_or_missing_credentials() {
    let Some(env) = image_env() else { return };
    let image = client(env, "user-app", "docker-auth", auth(env))
        .fetch_image()
        .expect("authenticated pull");
    assert_eq!(config_user(&image.config), "app");
    let layer = &image.layers[0];
    let client_ok = client(env, "user-app", "docker-auth", auth(env));
    assert_eq!(
        read_blob(&client_ok, layer)
            .expect("authenticated blob")
            .len() as u64,
        layer.size
    );

    let err = client(env, "user-app", "docker-auth", Credentials::Anonymous)
        .fetch_image()
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("no credentials"), "{err}");
    let wrong = Credentials::Basic {
        username: env.auth_user.clone(),
        password: "wrong-password".into(),
    };
    let err = client(env, "user-app", "docker-auth", wrong)
        .fetch_image()
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err}");
    assert!(
        !err.to_string().contains("wrong-password")
            && !err.to_string().contains(env.auth_password())
    );
}

#[test]
fn credentials_from_a_docker_config_dir() {
    let Some(env) = image_env() else { return };
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        env.auth_user,
        env.auth_password()
    ));
    let config = serde_json::json!({ "auths": { format!("http://{}", env.auth_registry): { "auth": auth } } });
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    let credentials =
        Credentials::from_docker_config_dir(dir.path(), &env.auth_registry).expect("config.json");
    assert!(matches!(credentials, Credentials::Basic { .. }));
    let image = client(env, "user-app", "docker-auth", credentials)
        .fetch_image()
        .expect("pull with config.json");
    assert_eq!(config_user(&image.config), "app");
}

#[test]
fn the_platform_is_chosen_from_the_index() {
    let Some(env) = image_env() else { return };
    let pull = |platform: &str| {
        let reference = Reference::parse(&env.reference("multi-platform", "docker")).unwrap();
        let options = ClientOptions {
            platform: Platform::parse(platform).unwrap(),
            ..ClientOptions::default()
        };
        RegistryClient::new(reference, options)
            .unwrap()
            .fetch_image()
    };
    let amd64 = pull("linux/amd64").expect("amd64");
    assert!(amd64.index.is_some());
    assert_eq!(
        amd64.platform.as_ref().map(Platform::to_string).as_deref(),
        Some("linux/amd64")
    );
    assert_eq!(config_user(&amd64.config), "app");
    assert_eq!(
        amd64.index.as_ref().unwrap().digest,
        env.expected("multi-platform")["index_digest"]
            .as_str()
            .unwrap()
    );
    let arm64 = pull("linux/arm64").expect("arm64");
    assert_eq!(
        arm64.platform.as_ref().map(Platform::to_string).as_deref(),
        Some("linux/arm64/v8")
    );
    assert_eq!(config_user(&arm64.config), "0:0");
    let err = pull("linux/s390x").unwrap_err();
    assert!(
        matches!(err, RegistryError::NoMatchingPlatform { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("linux/arm64/v8"), "{err}");
    assert!(
        !err.to_string().contains("unknown"),
        "attestations are not platforms: {err}"
    );
    // The index's first entry is an attestation manifest; it is never an image to check.
    let err = pull("unknown/unknown").unwrap_err();
    assert!(
        matches!(err, RegistryError::NoMatchingPlatform { .. }),
        "{err}"
    );
}

#[test]
fn zstd_layers_stream_and_verify() {
    let Some(env) = image_env() else { return };
    let client = client(env, "zstd", "docker", Credentials::Anonymous);
    let image = client.fetch_image().expect("zstd pull");
    for layer in &image.layers {
        assert_eq!(
            layer.media_type,
            "application/vnd.oci.image.layer.v1.tar+zstd"
        );
        let bytes = read_blob(&client, layer).expect("zstd blob");
        assert_eq!(&bytes[..4], [0x28, 0xb5, 0x2f, 0xfd], "zstd magic");
    }
}

/// Walks a tar stream's headers: (name, size) of every entry, without a tar crate.
fn tar_entries(mut reader: impl Read) -> Vec<(String, u64)> {
    let mut entries = Vec::new();
    let mut header = [0u8; 512];
    loop {
        reader.read_exact(&mut header).expect("tar header");
        if header.iter().all(|b| *b == 0) {
            return entries;
        }
        let name = String::from_utf8_lossy(&header[..100])
            .trim_end_matches('\0')
            .to_owned();
        let size_field = String::from_utf8_lossy(&header[124..136]);
        let size = u64::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
            .expect("octal size");
        let padded = size.div_ceil(512) * 512;
        std::io::copy(&mut (&mut reader).take(padded), &mut std::io::sink()).expect("tar body");
        entries.push((name, size));
    }
}

#[test]
fn daemon_inspect_and_streamed_export() {
    let Some(env) = image_env() else { return };
    let daemon = DaemonClient::connect_to(&env.docker_host).expect("connect");
    assert!(!daemon.version().expect("version").is_empty());
    let expected = env.expected("user-app");
    let image = daemon.inspect("dockgate-test/user-app:1").expect("inspect");
    assert_eq!(image.user, "app");
    assert_eq!(image.id, expected["config_digest"].as_str().unwrap());
    assert_eq!(
        image.diff_ids.len() as u64,
        expected["layers"].as_u64().unwrap()
    );
    assert_eq!(
        (image.os.as_str(), image.architecture.as_str()),
        ("linux", "amd64")
    );

    let entries = tar_entries(daemon.export("dockgate-test/user-app:1").expect("export"));
    let manifest = entries.iter().find(|(name, _)| name == "manifest.json");
    assert!(manifest.is_some(), "no manifest.json in {entries:?}");
    let layer_bytes: u64 = entries
        .iter()
        .filter(|(n, _)| n.ends_with("layer.tar"))
        .map(|(_, s)| s)
        .sum();
    assert_eq!(layer_bytes, expected["uncompressed_size"].as_u64().unwrap());

    // Bigger than the channel holds several times over: the stream must not stall.
    let big = tar_entries(daemon.export("dockgate-test/size-over:1").expect("export"));
    let big_bytes: u64 = big
        .iter()
        .filter(|(n, _)| n.ends_with("layer.tar"))
        .map(|(_, s)| s)
        .sum();
    assert_eq!(
        big_bytes,
        env.expected("size-over")["uncompressed_size"]
            .as_u64()
            .unwrap()
    );

    let err = daemon.inspect("dockgate-test/no-such-image:1").unwrap_err();
    assert!(matches!(err, DaemonError::NoSuchImage(_)), "{err}");
    assert!(matches!(
        daemon.export("dockgate-test/no-such-image:1").unwrap_err(),
        DaemonError::NoSuchImage(_)
    ));
    // Dropping an export half-read must not hang or leak a stuck task into later calls.
    let mut partial = daemon.export("dockgate-test/size-over:1").expect("export");
    let mut first = [0u8; 1024];
    partial.read_exact(&mut first).expect("first bytes");
    drop(partial);
    assert_eq!(
        daemon
            .inspect("dockgate-test/user-app:1")
            .expect("inspect after drop")
            .user,
        "app"
    );
}

#[test]
fn live_check_reads_the_real_uid_and_cleans_up() {
    let Some(env) = image_env() else { return };
    let daemon = DaemonClient::connect_to(&env.docker_host).expect("connect");
    let live =
        |case: &str| daemon.live_user(&format!("dockgate-test/{case}:1"), Duration::from_secs(30));
    for case in ["user-app", "app-uid0", "no-user", "user-0-0", "setuid"] {
        let expected = env.expected(case);
        let user = live(case).unwrap_or_else(|e| panic!("{case}: {e}"));
        let want = LiveUser {
            uid: expected["uid"].as_u64().unwrap() as u32,
            gid: expected["gid"].as_u64().unwrap() as u32,
        };
        assert_eq!(user, want, "{case}");
    }
    // The daemon's `ps`, what a remote daemon or a containerised dockgate falls back to.
    for case in ["user-app", "app-uid0"] {
        let by_ps = daemon
            .live_user_with(
                &format!("dockgate-test/{case}:1"),
                Duration::from_secs(30),
                LiveMethod::DaemonPs,
            )
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(
            u64::from(by_ps.uid),
            env.expected(case)["uid"].as_u64().unwrap(),
            "{case}"
        );
    }
    let err = live("user-missing").unwrap_err().to_string();
    assert!(
        err.contains("ghost") || err.contains("would not start"),
        "{err}"
    );
    env.assert_no_live_check_containers();
}

/// A registry with token auth (`WWW-Authenticate: Bearer realm=...`), as Docker Hub, ghcr.io
/// and most hosted registries do it: the CNCF registry checks ES256 JWTs signed by a key
/// whose certificate it trusts; the token server is this test, issuing tokens for one
/// user. The registry serves the open registry's storage, so the fixtures are there.
/// Reads one HTTP request's head from a test server's connection: the request target
/// and the last `Authorization` header, if any. `None` when not even the request line
/// could be read.
fn read_request_head(reader: &mut impl std::io::BufRead) -> Option<(String, Option<String>)> {
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_owned());
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    Some((target.to_owned(), authorization))
}

mod token_auth {
    use std::io::{BufReader, Write};
    use std::net::TcpListener;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

    pub const USER: &str = "token-user";
    pub const PASSWORD: &str = "token-password";
    const SERVICE: &str = "dockgate-token-test";
    const ISSUER: &str = "dockgate-test-issuer";
    /// The one repository anonymous callers get a token for.
    pub const PUBLIC_REPOSITORY: &str = "dockgate-test/no-user";

    /// The registry child process; killed when the test ends, pass or fail.
    pub struct TokenRegistry {
        child: Child,
        pub addr: String,
        /// Query strings and whether Basic credentials came with each token request.
        pub token_requests: Arc<Mutex<Vec<(String, bool)>>>,
        _dir: tempfile::TempDir,
    }

    impl Drop for TokenRegistry {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn der_cert(key_der: &[u8], dir: &Path) -> Vec<u8> {
        std::fs::write(dir.join("key.der"), key_der).unwrap();
        let status = Command::new("openssl")
            .args([
                "req",
                "-new",
                "-x509",
                "-days",
                "2",
                "-subj",
                "/CN=dockgate-token-test",
                "-keyform",
                "DER",
            ])
            .arg("-key")
            .arg(dir.join("key.der"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .stderr(Stdio::null())
            .status()
            .expect("openssl (Debian package openssl)");
        assert!(
            status.success(),
            "openssl could not make the token certificate"
        );
        let pem = std::fs::read_to_string(dir.join("cert.pem")).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        STANDARD.decode(body).unwrap()
    }

    fn jwt(key: &EcdsaKeyPair, cert: &[u8], repository: &str) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let header =
            serde_json::json!({ "typ": "JWT", "alg": "ES256", "x5c": [STANDARD.encode(cert)] });
        let claims = serde_json::json!({
            "iss": ISSUER, "sub": USER, "aud": SERVICE, "exp": now + 600, "nbf": now - 60, "iat": now,
            "jti": format!("dockgate-{now}"),
            "access": [{ "type": "repository", "name": repository, "actions": ["pull"] }],
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = key
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .unwrap();
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }

    /// Answers `GET /token?service=..&scope=repository:NAME:pull` with a token for NAME
    /// when the Basic credentials are right, 401 otherwise.
    fn serve_tokens(
        listener: TcpListener,
        key: EcdsaKeyPair,
        cert: Vec<u8>,
        log: Arc<Mutex<Vec<(String, bool)>>>,
    ) {
        let good = format!("Basic {}", STANDARD.encode(format!("{USER}:{PASSWORD}")));
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let Some((target, authorization)) = super::read_request_head(&mut reader) else {
                continue;
            };
            let any_credentials = authorization.is_some();
            let authorized = authorization.as_deref() == Some(good.as_str());
            let query = target.split_once('?').map_or("", |(_, q)| q).to_owned();
            log.lock().unwrap().push((query.clone(), any_credentials));
            let scope = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("scope="))
                .map(|s| s.replace("%3A", ":").replace("%2F", "/"))
                .unwrap_or_default();
            let repository = scope
                .strip_prefix("repository:")
                .and_then(|s| s.strip_suffix(":pull"))
                .unwrap_or("");
            // Like Docker Hub: anonymous tokens for a public repository, nothing else.
            let public = !any_credentials && repository == PUBLIC_REPOSITORY;
            let response = if (authorized || public) && !repository.is_empty() {
                let body =
                    serde_json::json!({ "token": jwt(&key, &cert, repository), "expires_in": 600 })
                        .to_string();
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    }

    pub fn start(storage: &Path) -> TokenRegistry {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let cert = der_cert(pkcs8.as_ref(), dir.path());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let token_port = listener.local_addr().unwrap().port();
        let token_requests = Arc::new(Mutex::new(Vec::new()));
        let log = token_requests.clone();
        std::thread::spawn(move || serve_tokens(listener, key, cert, log));

        let config = format!(
            "version: 0.1\nlog: {{level: info, formatter: text}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  maintenance: {{uploadpurging: {{enabled: false}}}}\nhttp:\n  addr: 127.0.0.1:0\n  secret: dockgate-token-test\nauth:\n  token:\n    realm: http://127.0.0.1:{token_port}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            storage.display(),
            dir.path().join("cert.pem").display()
        );
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let log_path = dir.path().join("registry.log");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .expect("docker-registry");
        let mut registry = TokenRegistry {
            child,
            addr: String::new(),
            token_requests,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while registry.addr.is_empty() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(at) = log.find("listening on 127.0.0.1:") {
                let rest = &log[at + "listening on ".len()..];
                registry.addr = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
            } else {
                assert!(
                    Instant::now() < deadline,
                    "the token-auth registry did not start:\n{log}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        registry
    }
}

#[test]
fn bearer_token_flow_against_a_token_auth_registry() {
    let Some(env) = image_env() else { return };
    let registry = token_auth::start(&env.dir.join("registry/data"));
    let reference =
        || Reference::parse(&format!("{}/dockgate-test/user-app:1", registry.addr)).unwrap();
    let good = Credentials::Basic {
        username: token_auth::USER.into(),
        password: token_auth::PASSWORD.into(),
    };
    let client = RegistryClient::new(
        reference(),
        ClientOptions {
            credentials: good,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let image = client.fetch_image().expect("pull through the token flow");
    assert_eq!(config_user(&image.config), "app");
    for layer in &image.layers {
        assert_eq!(
            read_blob(&client, layer)
                .expect("blob with the token")
                .len() as u64,
            layer.size
        );
    }
    {
        let requests = registry.token_requests.lock().unwrap();
        // One token for the whole pull: it is reused, not fetched per request.
        assert_eq!(requests.len(), 1, "{requests:?}");
        let (query, with_credentials) = &requests[0];
        assert!(*with_credentials);
        assert!(query.contains("service=dockgate-token-test"), "{query}");
        assert!(
            query.contains("scope=repository%3Adockgate-test%2Fuser-app%3Apull"),
            "{query}"
        );
    }

    let err = RegistryClient::new(reference(), ClientOptions::default())
        .unwrap()
        .fetch_image()
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err}");
    // An anonymous token for a public repository, the Docker Hub way.
    let public = Reference::parse(&format!(
        "{}/{}:1",
        registry.addr,
        token_auth::PUBLIC_REPOSITORY
    ))
    .unwrap();
    let client = RegistryClient::new(public, ClientOptions::default()).unwrap();
    let image = client.fetch_image().expect("anonymous token pull");
    assert_eq!(config_user(&image.config), "");
    assert!(
        registry
            .token_requests
            .lock()
            .unwrap()
            .iter()
            .any(|(query, with_credentials)| !with_credentials
                && query.contains("dockgate-test%2Fno-user")),
        "no anonymous token request"
    );
    let wrong = Credentials::Basic {
        username: token_auth::USER.into(),
        password: "nope".into(),
    };
    let err = RegistryClient::new(
        reference(),
        ClientOptions {
            credentials: wrong,
            ..ClientOptions::default()
        },
    )
    .unwrap()
    .fetch_image()
    .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("token endpoint"), "{err}");
}

/// Registries behind a CDN or on S3 answer blob requests with a redirect to pre-signed
/// storage URLs on another host; the registry's credentials must not follow. The
/// filesystem-backed CNCF registry never redirects, so a minimal front does: it demands
/// Basic auth and redirects to a storage server on 127.0.0.2 that serves the real blob
/// from the open registry's storage and records the headers it got.
mod redirect {
    use std::io::{BufReader, Write};
    use std::net::TcpListener;
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};

    /// (path, the request's Authorization header) per request, for each server.
    pub type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

    fn serve(
        listener: TcpListener,
        log: Log,
        respond: impl Fn(&str, Option<&str>) -> Vec<u8> + Send + 'static,
    ) {
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (path, authorization) =
                    super::read_request_head(&mut reader).unwrap_or_default();
                log.lock()
                    .unwrap()
                    .push((path.clone(), authorization.clone()));
                let _ = stream.write_all(&respond(&path, authorization.as_deref()));
            }
        });
    }

    pub struct Servers {
        pub front: String,
        pub front_log: Log,
        pub storage_log: Log,
    }

    pub fn start(registry_storage: PathBuf) -> Servers {
        let storage = TcpListener::bind("127.0.0.2:0").expect("127.0.0.2 is loopback on Linux");
        let storage_addr = storage.local_addr().unwrap().to_string();
        let storage_log = Log::default();
        serve(storage, storage_log.clone(), move |path, _| {
            let hex = path
                .trim_start_matches("/storage/sha256:")
                .split('?')
                .next()
                .unwrap_or("")
                .to_owned();
            let blob = registry_storage.join(format!(
                "docker/registry/v2/blobs/sha256/{}/{hex}/data",
                &hex[..2.min(hex.len())]
            ));
            match std::fs::read(blob) {
                Ok(body) => {
                    let mut response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    response.extend(body);
                    response
                }
                Err(_) => {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                }
            }
        });
        let front = TcpListener::bind("127.0.0.1:0").unwrap();
        let front_addr = front.local_addr().unwrap().to_string();
        let front_log = Log::default();
        serve(front, front_log.clone(), move |path, authorization| {
            if authorization.is_none() {
                return b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"front\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec();
            }
            let digest = path.rsplit('/').next().unwrap_or("");
            format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{storage_addr}/storage/{digest}?X-Amz-Signature=abc\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .into_bytes()
        });
        Servers {
            front: front_addr,
            front_log,
            storage_log,
        }
    }
}

#[test]
fn redirects_to_blob_storage_on_another_host_do_not_carry_the_credentials() {
    let Some(env) = image_env() else { return };
    let image = client(env, "user-app", "docker", Credentials::Anonymous)
        .fetch_image()
        .expect("pull");
    let servers = redirect::start(env.dir.join("registry/data"));
    let reference =
        Reference::parse(&format!("{}/dockgate-test/user-app:1", servers.front)).unwrap();
    let credentials = Credentials::Basic {
        username: "front-user".into(),
        password: "front-secret".into(),
    };
    let client = RegistryClient::new(
        reference,
        ClientOptions {
            credentials,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let mut bytes = Vec::new();
    client
        .open_blob(&image.layers[0])
        .expect("open")
        .read_to_end(&mut bytes)
        .expect("verified blob");
    assert_eq!(bytes.len() as u64, image.layers[0].size);

    let front = servers.front_log.lock().unwrap().clone();
    assert_eq!(
        front.len(),
        2,
        "challenge, then the authenticated request: {front:?}"
    );
    assert!(
        front[1]
            .1
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))
    );
    let storage = servers.storage_log.lock().unwrap().clone();
    assert_eq!(storage.len(), 1, "{storage:?}");
    assert!(
        storage[0].0.contains("X-Amz-Signature"),
        "the redirect's query survives: {storage:?}"
    );
    assert_eq!(storage[0].1, None, "credentials leaked to the storage host");
}

/// A registry that is not local is spoken to over HTTPS and its certificate is verified;
/// `tls_verify: false` is the opt-out for self-signed ones. The registry is the CNCF one
/// with a self-signed certificate for `registry.dockgate.test`, pinned to 127.0.0.1 with
/// `resolve` (a name, so the local-registry plain-HTTP rule does not apply).
#[test]
fn https_for_registries_that_are_not_local() {
    let Some(env) = image_env() else { return };
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
        ])
        .args([
            "-subj",
            "/CN=registry.dockgate.test",
            "-addext",
            "subjectAltName=DNS:registry.dockgate.test",
        ])
        .arg("-keyout")
        .arg(dir.path().join("key.pem"))
        .arg("-out")
        .arg(dir.path().join("cert.pem"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    let config = format!(
        "version: 0.1\nlog: {{level: info, formatter: text}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  maintenance: {{uploadpurging: {{enabled: false}}}}\nhttp:\n  addr: 127.0.0.1:0\n  secret: dockgate-tls-test\n  tls:\n    certificate: {}\n    key: {}\n",
        env.dir.join("registry/data").display(),
        dir.path().join("cert.pem").display(),
        dir.path().join("key.pem").display()
    );
    std::fs::write(dir.path().join("config.yml"), config).unwrap();
    let log_path = dir.path().join("registry.log");
    let child = std::process::Command::new("docker-registry")
        .arg("serve")
        .arg(dir.path().join("config.yml"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("docker-registry");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Kill(child);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let addr: std::net::SocketAddr = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(at) = log.find("listening on 127.0.0.1:") {
            let text: String = log[at + "listening on ".len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                .collect();
            break text.parse().expect("address");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the TLS registry did not start:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let pull = |tls_verify: bool, insecure: &[&str]| {
        let reference = Reference::parse(&format!(
            "registry.dockgate.test:{}/dockgate-test/user-app:1",
            addr.port()
        ))
        .unwrap();
        let options = ClientOptions {
            tls_verify,
            insecure_registries: insecure_registries(insecure),
            resolve: vec![("registry.dockgate.test".into(), addr)],
            ..ClientOptions::default()
        };
        RegistryClient::new(reference, options)
            .unwrap()
            .fetch_image()
    };
    let err = pull(true, &[]).unwrap_err();
    assert!(matches!(err, RegistryError::Http { .. }), "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(
        err.to_string().contains(&format!(
            "--insecure-registry registry.dockgate.test:{}",
            addr.port()
        )),
        "the error names the way out: {err}"
    );
    let image = pull(false, &[]).expect("self-signed accepted with tls_verify: false");
    assert_eq!(config_user(&image.config), "app");
    // Named insecure, as Docker's insecure-registries: HTTPS is tried first, with the
    // certificate unverified, and it works (plain HTTP to this TLS port would get a 400).
    let image = pull(true, &["registry.dockgate.test"]).expect("named: self-signed accepted");
    assert_eq!(config_user(&image.config), "app");
    let named_with_port = format!("registry.dockgate.test:{}", addr.port());
    pull(true, &[&named_with_port]).expect("named with its port");
    // Naming another host, or another port of this one, changes nothing for this one.
    for other in ["other.dockgate.test", "registry.dockgate.test:1"] {
        let err = pull(true, &[other]).unwrap_err();
        assert!(
            err.to_string().to_lowercase().contains("certificate"),
            "{other}: {err}"
        );
    }
}

/// `DOCKER_HOST=tcp://...` (a Docker-in-Docker service without TLS): the private daemon
/// only listens on its unix socket, so a byte-for-byte TCP forwarder stands in front.
#[test]
fn the_daemon_over_tcp() {
    let Some(env) = image_env() else { return };
    let socket = env.docker_host.trim_start_matches("unix://").to_owned();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(daemon) = std::os::unix::net::UnixStream::connect(&socket) else {
                continue;
            };
            let (mut client_read, mut daemon_write) =
                (client.try_clone().unwrap(), daemon.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client_read, &mut daemon_write);
                let _ = daemon_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut daemon_read, mut client_write) = (daemon, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut daemon_read, &mut client_write);
                let _ = client_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    let daemon =
        DaemonClient::connect_to(&format!("tcp://127.0.0.1:{port}")).expect("connect over tcp");
    let image = daemon
        .inspect("dockgate-test/app-uid0:1")
        .expect("inspect over tcp");
    assert_eq!(image.user, "app");
    let entries = tar_entries(
        daemon
            .export("dockgate-test/app-uid0:1")
            .expect("export over tcp"),
    );
    assert!(
        entries.iter().any(|(name, _)| name == "manifest.json"),
        "{entries:?}"
    );
}

/// When no enabled rule needs the layers and the user is numeric, `dockgate image` over
/// `docker://` fetches the manifest and the config, and no layer blob: the registry's
/// own access log says so (no other test of this binary pulls this case).
#[test]
fn config_only_checks_download_no_layer() {
    let Some(env) = image_env() else { return };
    let case = "numeric-no-passwd";
    let reference = env.reference(case, "docker");
    let dir = tempfile::tempdir().unwrap();
    let layer_rules: Vec<&str> = dockgate::rules::all()
        .iter()
        .filter(|rule| {
            matches!(
                rule.check,
                dockgate::rules::Check::Image {
                    needs_layers: true,
                    ..
                }
            )
        })
        .map(|rule| rule.code)
        .collect();
    assert!(layer_rules.len() >= 5, "{layer_rules:?}");
    let mut policy = String::from("image:\n  non_root: true\nrules:\n");
    for code in &layer_rules {
        policy.push_str(&format!("  {code}: off\n"));
    }
    let policy_path = dir.path().join("config-only.yml");
    std::fs::write(&policy_path, policy).unwrap();

    let log = env.dir.join("registry/log");
    let before = std::fs::metadata(&log).expect("registry log").len();
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dockgate"));
        env.apply(&mut command);
        let output = command
            .current_dir(dir.path())
            .args(["image", "--format", "json"])
            .args(args)
            .arg(&reference)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        (output.status.code(), json)
    };
    let (code, json) = run(&["--config", policy_path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{json}");
    let image = &json["images"][0];
    assert_eq!(image["uid"], 65532, "{json}");
    assert!(image["size"]["uncompressed"].is_null(), "{json}");
    assert_eq!(
        image["size"]["compressed"],
        env.expected(case)["compressed_size"],
        "{json}"
    );
    let layers: Vec<String> = image["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_owned())
        .collect();
    assert!(!layers.is_empty());
    let requests = |since: u64| -> String {
        let text = std::fs::read(&log).unwrap();
        String::from_utf8_lossy(&text[since as usize..]).into_owned()
    };
    let after_config_only = std::fs::metadata(&log).unwrap().len();
    let seen = requests(before);
    let manifest_path = format!("/v2/dockgate-test/{case}/manifests/");
    assert!(
        seen.contains(&manifest_path),
        "the manifest was fetched: {seen}"
    );
    for layer in &layers {
        assert!(
            !seen.contains(&format!("/blobs/{layer}")),
            "layer {layer} was downloaded for a config-only check"
        );
    }

    // The default policy reads files: then every layer is downloaded (the log check
    // above can fail).
    let (code, json) = run(&[]);
    assert_eq!(code, Some(0), "{json}");
    assert!(json["images"][0]["size"]["uncompressed"].is_u64(), "{json}");
    let seen = requests(after_config_only);
    for layer in &layers {
        assert!(
            seen.contains(&format!("/blobs/{layer}")),
            "{layer} not fetched"
        );
    }
}

/// The daemon source's stream walker against real `docker save` streams of both layouts
/// (Debian's daemon writes only the legacy one; Docker 25's comes from the fixture
/// builder), and against a stream of another image, which must not pass for this one.
#[test]
fn daemon_source_streams_both_save_layouts() {
    use dockgate::image::daemon_source::{DaemonSource, read_save_stream};
    use dockgate::image::{ImageSource, LayerSink, Platform, WalkLimits};

    let Some(env) = image_env() else { return };
    let client = DaemonClient::connect_to(&env.docker_host).expect("daemon");
    let name = env
        .reference("user-app", "docker-daemon")
        .trim_start_matches("docker-daemon:")
        .to_owned();
    let source = DaemonSource::new(client, &name).expect("source");
    let image = source.resolve(&Platform::default()).expect("inspect");
    let expected = env.expected("user-app");
    assert_eq!(
        image.config_digest,
        expected["config_digest"].as_str().unwrap()
    );
    assert_eq!(
        image.layers.len() as u64,
        expected["layers"].as_u64().unwrap()
    );
    assert_eq!(
        image.config.config.as_ref().and_then(|c| c.user.as_deref()),
        expected["config_user"].as_str()
    );
    // Before the export, the config is the inspect answer's, without history: the
    // history API cannot say which steps made a layer.
    assert!(image.config.history.is_empty());
    let saved = dockgate::image::open(
        &dockgate::image::ImageReference::parse(&env.reference("user-app", "docker-archive"))
            .unwrap(),
    )
    .unwrap()
    .resolve(&Platform::default())
    .unwrap();
    assert_eq!(
        image.config.rootfs.as_ref().unwrap().diff_ids,
        saved.config.rootfs.as_ref().unwrap().diff_ids
    );
    let archive_path = |case: &str, transport: &str| {
        env.reference(case, transport)
            .trim_start_matches("docker-archive:")
            .to_owned()
    };
    for transport in ["docker-archive", "docker-archive-oci"] {
        let file = std::fs::File::open(archive_path("user-app", transport)).unwrap();
        let sink = LayerSink::new(&image.layers, WalkLimits::default());
        read_save_stream(file, &image, &sink, transport).unwrap_or_else(|e| panic!("{e}"));
        // The stream carries the image's own config, byte for byte as saved.
        assert_eq!(sink.take_config().as_deref(), Some(&saved.raw_config[..]));
        let summaries = sink.finish().unwrap_or_else(|e| panic!("{transport}: {e}"));
        let total: u64 = summaries.iter().map(|s| s.uncompressed).sum();
        assert_eq!(total, expected["uncompressed_size"].as_u64().unwrap());
    }
    // app-uid0 shares the base layer, not the second one: its stream is refused.
    let file = std::fs::File::open(archive_path("app-uid0", "docker-archive")).unwrap();
    let sink = LayerSink::new(&image.layers, WalkLimits::default());
    let err = read_save_stream(file, &image, &sink, "other")
        .and_then(|()| sink.finish().map(drop))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is no layer of image") || err.contains("missing from the image"),
        "{err}"
    );
    // The whole source, end to end: the export is streamed, every layer arrives, and
    // the config that came with them is the saved one, history and all.
    let sink = LayerSink::new(&image.layers, WalkLimits::default());
    source.read_layers(&image, &sink).expect("export");
    let exported = sink.take_config().expect("the export's config");
    assert_eq!(sink.finish().unwrap().len(), image.layers.len());
    let mut image = image;
    image.adopt_config(exported).expect("adopt");
    assert_eq!(image.raw_config, saved.raw_config);
    assert_eq!(image.config.history.len(), saved.config.history.len());
}

/// A registry on a host that is not local, for real: a byte-for-byte TCP forwarder on
/// this machine's first non-loopback address in front of one of the test registries
/// (which listen on 127.0.0.1 only). It keeps everything each client sent, so a test can
/// tell a TLS handshake from plain HTTP and see whether credentials went in clear text.
mod forwarder {
    use std::io::{Read, Write};
    use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};

    /// Per connection, the bytes the client sent.
    pub type Sent = Arc<Mutex<Vec<Arc<Mutex<Vec<u8>>>>>>;

    pub struct Forwarder {
        /// `host:port` (an IPv6 address in brackets), as a reference names a registry.
        pub registry: String,
        sent: Sent,
    }

    /// The machine's first address that is neither loopback nor unspecified and can be
    /// listened on (IPv4 first), from `hostname -I`.
    pub fn non_loopback_address() -> Option<IpAddr> {
        let output = std::process::Command::new("hostname")
            .arg("-I")
            .output()
            .ok()?;
        let mut addresses: Vec<IpAddr> = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .filter_map(|a| a.parse().ok())
            .filter(|a: &IpAddr| !a.is_loopback() && !a.is_unspecified())
            .collect();
        addresses.sort_by_key(IpAddr::is_ipv6);
        addresses
            .into_iter()
            .find(|a| TcpListener::bind((*a, 0)).is_ok())
    }

    impl Forwarder {
        pub fn start(ip: IpAddr, target: &str) -> Forwarder {
            let listener = TcpListener::bind((ip, 0)).expect("bind the forwarder");
            let local = listener.local_addr().unwrap();
            let registry = match ip {
                IpAddr::V4(_) => local.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]:{}", local.port()),
            };
            let sent = Sent::default();
            let log = sent.clone();
            let target = target.to_owned();
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    let Ok(mut client) = client else { continue };
                    let Ok(server) = TcpStream::connect(&target) else {
                        continue;
                    };
                    let bytes = Arc::new(Mutex::new(Vec::new()));
                    log.lock().unwrap().push(bytes.clone());
                    let (mut client_read, mut server_write) =
                        (client.try_clone().unwrap(), server.try_clone().unwrap());
                    std::thread::spawn(move || {
                        let mut buffer = [0u8; 16 * 1024];
                        while let Ok(n) = client_read.read(&mut buffer) {
                            if n == 0 || server_write.write_all(&buffer[..n]).is_err() {
                                break;
                            }
                            bytes.lock().unwrap().extend_from_slice(&buffer[..n]);
                        }
                        let _ = server_write.shutdown(Shutdown::Write);
                    });
                    let mut server_read = server;
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut server_read, &mut client);
                        let _ = client.shutdown(Shutdown::Write);
                    });
                }
            });
            Forwarder { registry, sent }
        }

        /// What each connection so far sent, and forget it.
        pub fn take(&self) -> Vec<Vec<u8>> {
            let connections = std::mem::take(&mut *self.sent.lock().unwrap());
            connections
                .iter()
                .map(|bytes| bytes.lock().unwrap().clone())
                .collect()
        }
    }

    /// A TLS record (a ClientHello) starts with 0x16 0x03; HTTP with its method.
    pub fn is_tls(bytes: &[u8]) -> bool {
        bytes.starts_with(&[0x16, 0x03])
    }

    pub fn is_plain_http(bytes: &[u8]) -> bool {
        bytes.starts_with(b"GET ") || bytes.starts_with(b"HEAD ") || bytes.starts_with(b"POST ")
    }
}

/// `--insecure-registry` end to end, on a registry that is really not local (reached
/// through this machine's non-loopback address). Without the flag dockgate speaks only
/// TLS to it and fails with a message naming HTTPS and the flag; with it, the registry
/// is read over plain HTTP (after the HTTPS attempt Docker also makes) and the verdict is
/// the image's, for the image, its `--baseline` and `check --image`; credentials travel
/// in clear text only to the named registry, and are never printed.
#[test]
fn insecure_registry_flag_for_a_registry_that_is_not_local() {
    use forwarder::{Forwarder, is_plain_http, is_tls, non_loopback_address};
    let Some(env) = image_env() else { return };
    let Some(ip) = non_loopback_address() else {
        // The scheme choice is still covered by image::registry's unit tests.
        eprintln!("no non-loopback address on this machine: skipping the end-to-end test");
        return;
    };
    let open = Forwarder::start(ip, &env.registry);
    let authed = Forwarder::start(ip, &env.auth_registry);
    assert!(
        !dockgate::image::registry::is_local_registry(&open.registry),
        "{} must not count as local",
        open.registry
    );
    let dir = tempfile::tempdir().unwrap();
    let auth = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            env.auth_user,
            env.auth_password()
        ))
    };
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::json!({ "auths": { authed.registry.clone(): { "auth": auth } } }).to_string(),
    )
    .unwrap();
    let image = |forwarder: &Forwarder, case: &str| {
        format!("docker://{}/dockgate-test/{case}:1", forwarder.registry)
    };
    let run = |args: &[&str]| -> (i32, Value, String) {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_dockgate"))
            .env("DOCKER_CONFIG", dir.path())
            .env_remove("GITHUB_TOKEN")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !stdout.contains(env.auth_password())
                && !stderr.contains(env.auth_password())
                && !stdout.contains(&auth)
                && !stderr.contains(&auth),
            "a secret was printed:\n{stdout}\n{stderr}"
        );
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (output.status.code().unwrap_or(-1), json, stderr)
    };
    let rules = |json: &Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str().map(str::to_owned))
            .collect()
    };

    // Without the flag: HTTPS only, and the error says so and names the way out.
    for forwarder in [&open, &authed] {
        let reference = image(forwarder, "user-app");
        let (code, _, stderr) = run(&["image", "--format", "json", &reference]);
        assert_eq!(code, 2, "{reference}: {stderr}");
        assert!(
            stderr.contains(&format!("https://{}/", forwarder.registry))
                && stderr.contains("HTTPS")
                && stderr.contains(&format!("--insecure-registry {}", forwarder.registry)),
            "{stderr}"
        );
        let sent = forwarder.take();
        assert!(!sent.is_empty(), "the registry was never contacted");
        assert!(
            sent.iter().all(|bytes| is_tls(bytes)),
            "only TLS handshakes, never plain HTTP: {:?}",
            sent.iter()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(40)]).into_owned())
                .collect::<Vec<_>>()
        );
    }

    // Naming another host, or this host on another port, changes nothing.
    let other_port = match ip {
        std::net::IpAddr::V4(_) => format!("{ip}:1"),
        std::net::IpAddr::V6(_) => format!("[{ip}]:1"),
    };
    for named in ["registry.dockgate.test", other_port.as_str()] {
        let reference = image(&open, "user-app");
        let (code, _, stderr) = run(&["image", "--insecure-registry", named, &reference]);
        assert_eq!(code, 2, "--insecure-registry {named}: {stderr}");
        assert!(open.take().iter().all(|bytes| is_tls(bytes)));
    }

    // With the flag: plain HTTP after the HTTPS attempt fails, and the right verdicts.
    let named = open.registry.as_str();
    let (code, json, stderr) = run(&[
        "image",
        "--format",
        "json",
        "--fail-on",
        "error",
        "--insecure-registry",
        named,
        &image(&open, "user-app"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let expected = env.expected("user-app");
    assert_eq!(json["images"][0]["user"], expected["config_user"], "{json}");
    assert_eq!(json["images"][0]["runs_as_root"], false, "{json}");
    assert_eq!(
        json["images"][0]["size"]["uncompressed"], expected["uncompressed_size"],
        "{json}"
    );
    let sent = open.take();
    assert!(is_tls(&sent[0]), "HTTPS is tried first, as Docker does");
    assert!(
        sent.iter().any(|bytes| is_plain_http(bytes)),
        "then plain HTTP"
    );

    let (code, json, stderr) = run(&[
        "image",
        "--format",
        "json",
        "--fail-on",
        "error",
        "--insecure-registry",
        named,
        &image(&open, "app-uid0"),
        "--baseline",
        &image(&open, "user-app"),
    ]);
    assert_eq!(code, 1, "app-uid0 runs as root: {stderr}");
    assert!(rules(&json).contains(&"DG2001".to_owned()), "{json}");
    assert_eq!(
        json["images"][0]["baseline"]["reference"],
        image(&open, "user-app"),
        "the baseline is read through the flag too: {json}"
    );

    // A baseline on a registry that is not named is still HTTPS, and an input error.
    let (code, _, stderr) = run(&[
        "image",
        "--format",
        "json",
        "--insecure-registry",
        named,
        &image(&open, "user-app"),
        "--baseline",
        &image(&authed, "user-app"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("baseline image") && stderr.contains("HTTPS"),
        "{stderr}"
    );
    assert!(authed.take().iter().all(|bytes| is_tls(bytes)));

    // check --image, on the registry with Basic auth: the credentials go in clear text,
    // but only to the registry named.
    let empty = tempfile::tempdir().unwrap();
    let (code, json, stderr) = run(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "error",
        "--insecure-registry",
        &authed.registry,
        "--image",
        &image(&authed, "user-app"),
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["images"][0]["user"], "app", "{json}");
    let sent = authed.take();
    assert!(
        sent.iter()
            .filter(|bytes| is_plain_http(bytes))
            .any(
                |bytes| String::from_utf8_lossy(bytes).contains("Authorization: Basic")
                    || String::from_utf8_lossy(bytes).contains("authorization: Basic")
            ),
        "the credentials were used"
    );
}

/// An `images[]` entry and its findings with what may differ between transports taken
/// out, as the README documents it: the reference, the digest (a manifest's, or the
/// image ID where there is none) and how the layers are stored (their digests and
/// compressed sizes). `strict` keeps the digest and the compressed sizes (two stores of
/// the same unpacked layer tars: `docker-daemon:` and `docker-archive:` of `docker save`).
fn comparable(run: &support::image_env::ImageRun, reference: &str, strict: bool) -> Value {
    let mut image = run.json["images"][0].clone();
    if let Some(image) = image.as_object_mut() {
        image.remove("reference");
        if !strict {
            image.remove("digest");
            if let Some(size) = image.get_mut("size").and_then(Value::as_object_mut) {
                size.remove("compressed");
            }
            for layer in image
                .get_mut("layers")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(layer) = layer.as_object_mut() {
                    layer.remove("digest");
                    layer.remove("compressed");
                }
            }
        }
    }
    let findings: Vec<Value> = run.json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|finding| {
            let mut finding = finding.clone();
            if let Some(finding) = finding.as_object_mut() {
                finding.remove("image");
                if finding["path"] == reference {
                    finding.insert("path".into(), "(the image)".into());
                }
            }
            finding
        })
        .collect();
    serde_json::json!({ "code": run.code, "image": image, "findings": findings })
}

/// An OCI config cannot carry a HEALTHCHECK (README): where one transport's config is
/// OCI (`not-applicable`) and the other's Docker's, the health check and its DG2032 are
/// not compared.
fn without_healthcheck(mut report: Value) -> Value {
    report["image"]["healthcheck"] = Value::Null;
    if let Some(findings) = report["findings"].as_array_mut() {
        findings.retain(|finding| finding["rule"] != "DG2032");
    }
    if report["code"] == 1 && report["findings"].as_array().is_some_and(Vec::is_empty) {
        report["code"] = 0.into();
    }
    report
}

/// The transport agreement (issue 15): every fixture, through every transport it exists
/// in, gives the same `images[]` entry (user, uid, gid, sizes, layers with `created_by`
/// and `line`, healthcheck, base, dockerfile) and the same findings on the same lines,
/// `--dockerfile` given where the fixture kept its Dockerfile. `docker-daemon:` must
/// match `docker-archive:` of `docker save` exactly, digests and stored sizes included.
#[test]
fn every_transport_agrees_on_every_fixture() {
    let Some(env) = image_env() else { return };
    let mut jobs = Vec::new();
    for case in env.cases() {
        let args: Vec<String> = env.case(case)["dockerfile"]
            .as_str()
            .map(|path| vec!["--dockerfile".to_owned(), path.to_owned()])
            .unwrap_or_default();
        for (transport, reference) in env.references(case) {
            jobs.push((case, transport, reference, args.clone()));
        }
    }
    let started = std::time::Instant::now();
    let runs = support::image_env::in_parallel(&jobs, |(case, transport, reference, args)| {
        let run = env.run_image(args, reference);
        (*case, transport.clone(), reference.clone(), run)
    });
    let mut failures = Vec::new();
    for case in env.cases() {
        let of_case: Vec<_> = runs.iter().filter(|run| run.0 == case).collect();
        let (_, first_transport, first_reference, first) = of_case
            .iter()
            .find(|run| run.1 == "docker-archive")
            .or(of_case.first())
            .copied()
            .expect("a run per case");
        if first.json["images"][0].is_null() {
            failures.push(format!("{case} via {first_transport}: {}", first.stderr));
            continue;
        }
        for (_, transport, reference, run) in &of_case {
            let strict = transport == "docker-daemon" && first_transport == "docker-archive";
            let mut want = comparable(first, first_reference, strict);
            let mut got = comparable(run, reference, strict);
            let oci = |report: &Value| report["image"]["healthcheck"] == "not-applicable";
            if oci(&want) != oci(&got) {
                want = without_healthcheck(want);
                got = without_healthcheck(got);
            }
            // The base image's digest is a manifest annotation (buildah writes it): a
            // transport without the OCI manifest (a legacy docker-archive, the daemon)
            // has none to read.
            let base_digest = |report: &Value| report["image"]["base"]["digest"].is_null();
            if base_digest(&want) != base_digest(&got) {
                want["image"]["base"]["digest"] = Value::Null;
                got["image"]["base"]["digest"] = Value::Null;
            }
            if got != want {
                failures.push(format!(
                    "{case}: {transport} differs from {first_transport}:\n  {got}\n  expected\n  {want}\n  stderr: {}",
                    run.stderr.trim()
                ));
            }
        }
    }
    eprintln!(
        "transport agreement: {} runs of {} cases in {:.1} s",
        runs.len(),
        env.cases().len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Issue 15's Dockerfile built by the classic builder, through the daemon: every layer
    // the Dockerfile made on its line with its `created by`, the root user on the FROM,
    // the deleted .env on the COPY that shipped it.
    let dockerfile = env.case("userflow")["dockerfile"].as_str().unwrap();
    let text = std::fs::read_to_string(dockerfile).unwrap();
    let line_of = |prefix: &str| {
        text.lines()
            .position(|line| line.starts_with(prefix))
            .map(|index| index as u64 + 1)
            .unwrap_or_else(|| panic!("no `{prefix}` in {dockerfile}"))
    };
    for transport in ["docker-daemon", "docker-archive", "oci-archive", "docker"] {
        let (.., run) = runs
            .iter()
            .find(|run| run.0 == "userflow" && run.1 == transport)
            .expect("userflow run");
        let image = &run.json["images"][0];
        let layers = image["layers"].as_array().unwrap();
        let lines: Vec<Option<u64>> = layers.iter().map(|l| l["line"].as_u64()).collect();
        let expected = [
            None,
            Some(line_of("COPY passwd")),
            Some(line_of("WORKDIR /app")),
            Some(line_of("COPY . .")),
            Some(line_of("RUN rm")),
        ];
        assert_eq!(lines, expected, "{transport}");
        assert!(
            layers[1..].iter().all(|l| l["created_by"].is_string()),
            "{transport}: {layers:?}"
        );
        let placed = |rule: &str| {
            run.json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["rule"] == rule)
                .map(|f| (f["path"].as_str().unwrap().to_owned(), f["line"].as_u64()))
        };
        assert_eq!(
            placed("DG2001"),
            Some((dockerfile.to_owned(), Some(line_of("FROM")))),
            "{transport}"
        );
        assert_eq!(
            placed("DG2020"),
            Some((dockerfile.to_owned(), Some(line_of("COPY . .")))),
            "{transport}"
        );
    }
    // Histories that cannot be matched place nothing, through every transport (compared
    // above), and the daemon still shows each layer's `created by` where the config has it.
    for case in ["history-less", "history-mismatch", "squashed"] {
        let (.., run) = runs
            .iter()
            .find(|run| run.0 == case && run.1 == "docker-daemon")
            .expect("daemon run");
        assert!(run.json["images"][0]["dockerfile"].is_null(), "{case}");
        assert!(
            run.json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["line"] == 0),
            "{case}: {}",
            run.json["findings"]
        );
    }
}

/// Where nothing can be placed, the text report says why in one line, and no finding
/// points at the Dockerfile.
#[test]
fn unplaced_histories_say_why_in_the_text_report() {
    let Some(env) = image_env() else { return };
    for (case, reason) in [
        ("history-less", "the image's config has no history"),
        (
            "history-mismatch",
            "the history's 4 layer-making steps do not pair up with the image's 5 layers",
        ),
        ("squashed", "the history matches no stage of the Dockerfile"),
    ] {
        let dockerfile = env.case(case)["dockerfile"].as_str().expect("a Dockerfile");
        for transport in ["docker-daemon", "docker-archive"] {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dockgate"));
            env.apply(&mut command);
            let reference = env.reference(case, transport);
            let output = command
                .args(["image", "--dockerfile", dockerfile, &reference])
                .output()
                .expect("run dockgate");
            let text = String::from_utf8_lossy(&output.stdout);
            let said: Vec<&str> = text
                .lines()
                .filter(|line| line.starts_with("  dockerfile:"))
                .collect();
            assert_eq!(
                said,
                [format!("  dockerfile: nothing placed on a line: {reason}")],
                "{case} via {transport}:\n{text}"
            );
            assert!(
                !text.lines().any(|line| line.starts_with(dockerfile)),
                "{case} via {transport}: a finding on the Dockerfile:\n{text}"
            );
        }
    }
}

/// Issue 15 as a user meets it: `dockgate check .` in a repository with the Dockerfile
/// and the daemon's image in the policy finds the Dockerfile by the image's history and
/// puts the image's findings on its lines, where a PR can comment on them.
#[test]
fn check_places_the_daemons_findings_on_the_repositorys_dockerfile() {
    let Some(env) = image_env() else { return };
    let repo = tempfile::tempdir().unwrap();
    let source = env.case("userflow")["dockerfile"].as_str().unwrap();
    let text = std::fs::read_to_string(source).unwrap();
    std::fs::write(repo.path().join("Dockerfile"), &text).unwrap();
    let reference = env.reference("userflow", "docker-daemon");
    std::fs::write(
        repo.path().join("dockgate.yml"),
        format!("images: ['{reference}']\n"),
    )
    .unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dockgate"));
    env.apply(&mut command);
    let output = command
        .current_dir(repo.path())
        .args(["check", "--format", "json", "."])
        .output()
        .expect("run dockgate");
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(
        json["images"][0]["dockerfile"]["path"], "Dockerfile",
        "{json:#}"
    );
    let line_of = |prefix: &str| {
        text.lines()
            .position(|line| line.starts_with(prefix))
            .map(|index| index as u64 + 1)
    };
    let image_findings: Vec<(String, Option<u64>)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["image"] == reference.as_str())
        .filter(|f| ["DG2001", "DG2020"].contains(&f["rule"].as_str().unwrap()))
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["line"].as_u64()))
        .collect();
    assert_eq!(
        image_findings,
        [
            ("Dockerfile".to_owned(), line_of("FROM")),
            ("Dockerfile".to_owned(), line_of("COPY . ."))
        ],
        "{json:#}"
    );
}
