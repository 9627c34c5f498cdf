//! Credentials for a registry, found the way the Docker CLI finds them.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use super::{DOCKER_HUB, RegistryError, Result};

/// The key Docker Hub credentials have in config.json and credential helpers.
const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// Credentials for one registry. `Debug` never shows a secret.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    #[default]
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken` in config.json, or a credential helper's
    /// `<token>` user), exchanged at the token endpoint.
    IdentityToken(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

#[derive(Deserialize, Default)]
struct DockerConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct DockerAuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

impl Credentials {
    /// The Docker CLI's lookup for `registry` (a `host[:port]` as in [`Reference`]):
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; then `GITHUB_TOKEN`
    /// for `ghcr.io`; else anonymous. A config file that exists but cannot be read or
    /// parsed is an error, not a silent anonymous pull.
    pub fn for_registry(registry: &str) -> Result<Credentials> {
        Credentials::for_registry_with_env(registry, |name| std::env::var(name).ok())
    }

    /// [`Credentials::for_registry`] with the environment read through `var` (the
    /// process environment is global; tests and embedders pass their own).
    pub fn for_registry_with_env(
        registry: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials> {
        let dir = var("DOCKER_CONFIG")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".docker")));
        let from_file = match dir {
            Some(dir) => Credentials::from_docker_config_dir(&dir, registry)?,
            None => Credentials::Anonymous,
        };
        if from_file != Credentials::Anonymous {
            return Ok(from_file);
        }
        if registry == "ghcr.io"
            && let Some(token) = var("GITHUB_TOKEN").filter(|t| !t.is_empty())
        {
            // ghcr.io's token endpoint takes any user name with a GitHub token as password.
            let username = var("GITHUB_ACTOR")
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "x-access-token".into());
            return Ok(Credentials::Basic {
                username,
                password: token,
            });
        }
        Ok(Credentials::Anonymous)
    }

    /// Looks `registry` up in `dir/config.json` only (missing file: anonymous).
    pub fn from_docker_config_dir(dir: &Path, registry: &str) -> Result<Credentials> {
        let path = dir.join("config.json");
        let fail = |reason: String| RegistryError::Credentials {
            registry: registry.to_owned(),
            reason,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Credentials::Anonymous),
            Err(e) => return Err(fail(format!("cannot read {}: {e}", path.display()))),
        };
        let config: DockerConfigFile =
            serde_json::from_str(&text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let key = auth_key(registry);
        if let Some(helper) = config
            .cred_helpers
            .get(&key)
            .or_else(|| config.cred_helpers.get(registry))
        {
            return credential_helper(helper, &key, registry);
        }
        if let Some(entry) = config
            .auths
            .iter()
            .find(|(k, _)| normalise_auth_key(k) == normalise_auth_key(&key))
            .map(|(_, v)| v)
        {
            if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
                return Ok(Credentials::IdentityToken(token.to_owned()));
            }
            if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .map_err(|_| fail(format!("{}: `auth` is not base64", path.display())))?;
                let decoded = String::from_utf8(decoded)
                    .map_err(|_| fail(format!("{}: `auth` is not UTF-8", path.display())))?;
                let (username, password) = decoded.split_once(':').ok_or_else(|| {
                    fail(format!(
                        "{}: `auth` is not base64(user:password)",
                        path.display()
                    ))
                })?;
                return Ok(Credentials::Basic {
                    username: username.into(),
                    password: password.into(),
                });
            }
            if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
                return Ok(Credentials::Basic {
                    username: username.clone(),
                    password: password.clone(),
                });
            }
        }
        if let Some(store) = config.creds_store.as_deref().filter(|s| !s.is_empty()) {
            return credential_helper(store, &key, registry);
        }
        Ok(Credentials::Anonymous)
    }
}

/// The key the Docker CLI stores a registry's credentials under.
fn auth_key(registry: &str) -> String {
    if registry == DOCKER_HUB || registry == "docker.io" || registry == "index.docker.io" {
        DOCKER_HUB_AUTH_KEY.to_owned()
    } else {
        registry.to_owned()
    }
}

/// `https://host:port/v1/` and `host:port` are the same entry.
pub(super) fn normalise_auth_key(key: &str) -> String {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key).to_ascii_lowercase()
}

/// Runs `docker-credential-NAME get` with the server URL on stdin (the helper protocol).
fn credential_helper(name: &str, key: &str, registry: &str) -> Result<Credentials> {
    let fail = |reason: String| RegistryError::Credentials {
        registry: registry.to_owned(),
        reason,
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(fail(format!("invalid credential helper name `{name}`")));
    }
    run_credential_helper(
        Path::new(&format!("docker-credential-{name}")),
        key,
        registry,
    )
}

fn run_credential_helper(program: &Path, key: &str, registry: &str) -> Result<Credentials> {
    let fail = |reason: String| RegistryError::Credentials {
        registry: registry.to_owned(),
        reason,
    };
    let program_name = program.display().to_string();
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run {program_name}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write as _;
        // A helper that exits without reading stdin closes the pipe; its exit status says why.
        let _ = stdin.write_all(key.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| fail(format!("{program_name}: {e}")))?;
    if !output.status.success() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        // "credentials not found in native keychain": the helper has nothing for it.
        if stdout.contains("credentials not found") {
            return Ok(Credentials::Anonymous);
        }
        // The helper's own message only; it never contains the secret it failed to find.
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(format!(
            "{program_name} get failed ({}): {}",
            output.status,
            stderr.trim()
        )));
    }
    let parsed: HelperOutput = serde_json::from_slice(&output.stdout).map_err(|_| {
        fail(format!(
            "{program_name} get printed something other than its JSON"
        ))
    })?;
    if parsed.username == "<token>" {
        return Ok(Credentials::IdentityToken(parsed.secret));
    }
    Ok(Credentials::Basic {
        username: parsed.username,
        password: parsed.secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_auths_helpers_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("user:pa:ss");
        let config = serde_json::json!({
            "auths": {
                "https://index.docker.io/v1/": { "auth": auth },
                "http://127.0.0.1:5000": { "username": "u2", "password": "p2" },
                "id.example.com": { "identitytoken": "refresh" }
            },
            "credHelpers": { "helped.example.com": "dockgate-test-missing-helper" }
        });
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        let get = |registry: &str| Credentials::from_docker_config_dir(dir.path(), registry);
        assert_eq!(
            get(DOCKER_HUB).unwrap(),
            Credentials::Basic {
                username: "user".into(),
                password: "pa:ss".into()
            }
        );
        assert_eq!(
            get("127.0.0.1:5000").unwrap(),
            Credentials::Basic {
                username: "u2".into(),
                password: "p2".into()
            }
        );
        assert_eq!(
            get("id.example.com").unwrap(),
            Credentials::IdentityToken("refresh".into())
        );
        assert_eq!(get("other.example.com").unwrap(), Credentials::Anonymous);
        let err = get("helped.example.com").unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-dockgate-test-missing-helper"),
            "{err}"
        );

        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths": {"x.io": {"auth": "%%%"}}}"#,
        )
        .unwrap();
        assert!(get("x.io").unwrap_err().to_string().contains("not base64"));
        std::fs::write(dir.path().join("config.json"), "{ not json").unwrap();
        assert!(get("x.io").is_err());
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            Credentials::from_docker_config_dir(empty.path(), "x.io").unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn github_token_is_the_fallback_for_ghcr_only() {
        let empty = tempfile::tempdir().unwrap();
        let empty_dir = empty.path().to_str().unwrap().to_owned();
        let env = |name: &str| match name {
            "DOCKER_CONFIG" => Some(empty_dir.clone()),
            "GITHUB_TOKEN" => Some("ghs_token".to_owned()),
            "GITHUB_ACTOR" => Some("octocat".to_owned()),
            _ => None,
        };
        assert_eq!(
            Credentials::for_registry_with_env("ghcr.io", env).unwrap(),
            Credentials::Basic {
                username: "octocat".into(),
                password: "ghs_token".into()
            }
        );
        assert_eq!(
            Credentials::for_registry_with_env("quay.io", env).unwrap(),
            Credentials::Anonymous
        );
        // config.json wins over GITHUB_TOKEN, as for the Docker CLI.
        let configured = tempfile::tempdir().unwrap();
        std::fs::write(
            configured.path().join("config.json"),
            r#"{"auths": {"ghcr.io": {"username": "me", "password": "pat"}}}"#,
        )
        .unwrap();
        let configured_dir = configured.path().to_str().unwrap().to_owned();
        let env = |name: &str| match name {
            "DOCKER_CONFIG" => Some(configured_dir.clone()),
            "GITHUB_TOKEN" => Some("ghs_token".to_owned()),
            _ => None,
        };
        assert_eq!(
            Credentials::for_registry_with_env("ghcr.io", env).unwrap(),
            Credentials::Basic {
                username: "me".into(),
                password: "pat".into()
            }
        );
        let home = |name: &str| (name == "HOME").then(|| "/nonexistent-home".to_owned());
        assert_eq!(
            Credentials::for_registry_with_env("ghcr.io", home).unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn a_credential_helper_is_run_with_the_server_on_stdin() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("docker-credential-test");
        // Echoes the server it was asked about as the user name, so the test sees stdin.
        std::fs::write(
            &helper,
            "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"s3cret\"}' \"$server\" \"$server\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let got = run_credential_helper(&helper, "x.io:5000", "x.io:5000").unwrap();
        assert_eq!(
            got,
            Credentials::Basic {
                username: "x.io:5000".into(),
                password: "s3cret".into()
            }
        );

        std::fs::write(
            &helper,
            "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n",
        )
        .unwrap();
        assert_eq!(
            run_credential_helper(&helper, "x.io", "x.io").unwrap(),
            Credentials::Anonymous
        );
        std::fs::write(
            &helper,
            "#!/bin/sh\necho '{\"Username\":\"<token>\",\"Secret\":\"rt\"}'\n",
        )
        .unwrap();
        assert_eq!(
            run_credential_helper(&helper, "x.io", "x.io").unwrap(),
            Credentials::IdentityToken("rt".into())
        );
        std::fs::write(&helper, "#!/bin/sh\necho broken >&2\nexit 1\n").unwrap();
        let err = run_credential_helper(&helper, "x.io", "x.io")
            .unwrap_err()
            .to_string();
        assert!(err.contains("broken"), "{err}");

        let err = credential_helper("no-such-helper-dockgate", "x.io", "x.io")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cannot run docker-credential-no-such-helper-dockgate"),
            "{err}"
        );
        assert!(
            credential_helper("../evil", "x.io", "x.io")
                .unwrap_err()
                .to_string()
                .contains("invalid credential helper")
        );
    }
}
