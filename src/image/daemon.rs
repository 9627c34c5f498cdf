//! The `docker-daemon:NAME[:TAG]` transport: the Docker Engine API over a unix socket.
//!
//! [`DaemonClient`] is blocking: it owns a small tokio runtime and drives `bollard` on
//! it, so the image core (synchronous, rayon-parallel) never sees async code. The export
//! (`GET /images/{name}/get`, the `docker save` tar) is handed over as an [`ImageExport`]
//! that implements [`Read`]: a task on the runtime feeds chunks through a bounded channel,
//! so at most a few chunks of an image are in memory however large it is.
//!
//! [`DaemonClient::live_user`] is the live check: it runs the image (no network, its own
//! entrypoint) just long enough to read the real UID of its main process.

use std::fmt;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, TopOptionsBuilder,
};
use bytes::Bytes;
use futures_util::StreamExt as _;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

/// Where the Docker CLI looks when `DOCKER_HOST` is unset.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";
/// Chunks in flight between the daemon's stream and the reader: bounds memory.
const EXPORT_CHANNEL_CHUNKS: usize = 8;
/// Every API call but the export stream (which may take long for a big image).
const REQUEST_TIMEOUT_SECS: u64 = 120;
/// How long a live check watches a main process that runs as root before believing it:
/// entrypoints that drop privileges (postgres, redis) do root-only setup first.
pub const LIVE_ROOT_SETTLE: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("invalid docker-daemon reference `{reference}`: {reason}")]
    InvalidReference { reference: String, reason: String },
    #[error("cannot connect to the Docker daemon at {host}: {reason}")]
    Connect { host: String, reason: String },
    #[error("no such image in the Docker daemon: {0}")]
    NoSuchImage(String),
    #[error("Docker daemon: {what}: {source}")]
    Api {
        what: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("live check of {image}: {reason}")]
    Live { image: String, reason: String },
    #[error("{0}")]
    Runtime(String),
}

impl From<DaemonError> for super::error::ImageError {
    fn from(error: DaemonError) -> super::error::ImageError {
        super::error::ImageError::Transport(Box::new(error))
    }
}

pub type Result<T, E = DaemonError> = std::result::Result<T, E>;

/// `docker-daemon:NAME[:TAG]` (or `NAME@sha256:...`, or an image ID) → the name the
/// Engine API takes. A name without a tag means `:latest`, as for `docker save`.
pub fn parse_reference(text: &str) -> Result<String> {
    let invalid = |reason: &str| DaemonError::InvalidReference {
        reference: text.to_owned(),
        reason: reason.to_owned(),
    };
    let name = text.strip_prefix("docker-daemon:").unwrap_or(text);
    if name.is_empty() {
        return Err(invalid("empty"));
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
    {
        return Err(invalid("contains whitespace or URL syntax"));
    }
    if name.starts_with("sha256:") || name.contains('@') {
        return Ok(name.to_owned());
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.is_empty() || last.ends_with(':') {
        return Err(invalid("empty name or tag"));
    }
    Ok(if last.contains(':') {
        name.to_owned()
    } else {
        format!("{name}:latest")
    })
}

enum Endpoint<'a> {
    Unix(&'a str),
    Tcp(&'a str),
}

/// What the daemon knows about an image without exporting it.
#[derive(Debug, Clone)]
pub struct DaemonImage {
    /// The image ID: `sha256:` of the config.
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// `Config.User` exactly as set (`""` when no USER).
    pub user: String,
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    /// The layers' diff IDs (sha256 of each uncompressed layer), lowest first.
    pub diff_ids: Vec<String>,
    /// The daemon's size of the unpacked image, in bytes.
    pub size: u64,
    /// The whole inspect answer, for fields not lifted above.
    pub raw: serde_json::Value,
}

/// How [`DaemonClient::live_user_with`] reads the UID of the container's main process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveMethod {
    /// /proc/PID/status when the PID is the container's in this PID namespace, else
    /// the daemon's `ps`.
    Auto,
    /// Only the daemon's `ps` (`GET /containers/{id}/top?ps_args=-o pid,uid,gid`).
    DaemonPs,
}

/// The real identity of a running image's main process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveUser {
    pub uid: u32,
    pub gid: u32,
}

/// A blocking client for one Docker daemon.
pub struct DaemonClient {
    host: String,
    runtime: Runtime,
    docker: Docker,
}

impl fmt::Debug for DaemonClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DaemonClient")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl DaemonClient {
    /// `DOCKER_HOST` if set, else `/var/run/docker.sock`, as the Docker CLI does.
    pub fn connect() -> Result<DaemonClient> {
        let host = std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| DEFAULT_SOCKET.to_owned());
        // The CLI would speak TLS here; falling back to plain TCP would be a silent downgrade.
        if host.starts_with("tcp://")
            && std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty())
        {
            return Err(DaemonError::Connect {
                host,
                reason: "DOCKER_TLS_VERIFY is set, and TLS to the daemon is not supported".into(),
            });
        }
        DaemonClient::connect_to(&host)
    }

    /// `unix:///path/docker.sock`, a bare socket path, or `tcp://host:port` (plain HTTP,
    /// as a Docker-in-Docker service without TLS offers it). The API version is negotiated
    /// (Debian's daemon speaks 1.41, bollard asks for newer).
    pub fn connect_to(host: &str) -> Result<DaemonClient> {
        let connect_error = |reason: String| DaemonError::Connect {
            host: host.to_owned(),
            reason,
        };
        let endpoint = if let Some(path) = host.strip_prefix("unix://") {
            Endpoint::Unix(path)
        } else if host.starts_with('/') {
            Endpoint::Unix(host)
        } else if let Some(addr) = host.strip_prefix("tcp://") {
            let addr = addr.trim_end_matches('/');
            if addr.is_empty() || addr.contains(['/', '?', '#', '@']) {
                return Err(connect_error("expected tcp://HOST:PORT".into()));
            }
            Endpoint::Tcp(addr)
        } else {
            return Err(connect_error(
                "unsupported DOCKER_HOST (unix:///path or tcp://host:port)".into(),
            ));
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .thread_name("dockgate-daemon")
            .build()
            .map_err(|e| DaemonError::Runtime(format!("cannot start the async runtime: {e}")))?;
        let docker = runtime.block_on(async {
            let docker = match endpoint {
                Endpoint::Unix(path) => Docker::connect_with_unix(
                    path,
                    REQUEST_TIMEOUT_SECS,
                    bollard::API_DEFAULT_VERSION,
                ),
                Endpoint::Tcp(addr) => Docker::connect_with_http(
                    &format!("tcp://{addr}"),
                    REQUEST_TIMEOUT_SECS,
                    bollard::API_DEFAULT_VERSION,
                ),
            }
            .map_err(|e| connect_error(e.to_string()))?;
            docker
                .negotiate_version()
                .await
                .map_err(|e| connect_error(e.to_string()))
        })?;
        Ok(DaemonClient {
            host: host.to_owned(),
            runtime,
            docker,
        })
    }

    /// The daemon's version string (`20.10.24+dfsg1`).
    pub fn version(&self) -> Result<String> {
        let version =
            self.runtime
                .block_on(self.docker.version())
                .map_err(|e| DaemonError::Api {
                    what: "version".into(),
                    source: e,
                })?;
        Ok(version.version.unwrap_or_default())
    }

    pub fn inspect(&self, name: &str) -> Result<DaemonImage> {
        let raw = self
            .runtime
            .block_on(self.docker.inspect_image(name))
            .map_err(|e| not_found_or(name, "inspect", e))?;
        let json = serde_json::to_value(&raw).unwrap_or(serde_json::Value::Null);
        let config = raw.config.as_ref();
        Ok(DaemonImage {
            id: raw.id.clone().unwrap_or_default(),
            repo_tags: raw.repo_tags.clone().unwrap_or_default(),
            repo_digests: raw.repo_digests.clone().unwrap_or_default(),
            user: config.and_then(|c| c.user.clone()).unwrap_or_default(),
            os: raw.os.clone().unwrap_or_default(),
            architecture: raw.architecture.clone().unwrap_or_default(),
            variant: raw.variant.clone(),
            diff_ids: raw
                .root_fs
                .as_ref()
                .and_then(|r| r.layers.clone())
                .unwrap_or_default(),
            size: raw.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
            raw: json,
        })
    }

    /// Streams `docker save NAME`. The image is checked first so a missing one is a
    /// clear error here rather than a broken stream later.
    pub fn export(&self, name: &str) -> Result<ImageExport> {
        self.inspect(name)?;
        let (sender, receiver) = mpsc::channel::<ExportMessage>(EXPORT_CHANNEL_CHUNKS);
        let docker = self.docker.clone();
        let image = name.to_owned();
        self.runtime.spawn(async move {
            let mut stream = docker.export_image(&image);
            while let Some(item) = stream.next().await {
                let message = match item {
                    Ok(chunk) => ExportMessage::Chunk(chunk),
                    Err(e) => ExportMessage::Failed(format!("docker save {image}: {e}")),
                };
                let failed = matches!(message, ExportMessage::Failed(_));
                // The reader was dropped: stop pulling from the daemon.
                if sender.send(message).await.is_err() || failed {
                    return;
                }
            }
            let _ = sender.send(ExportMessage::End).await;
        });
        Ok(ImageExport {
            receiver,
            ended: false,
            current: Bytes::new(),
            offset: 0,
        })
    }

    /// Runs `image` with its own entrypoint and command, no network, stdin held open (so
    /// a shell waits instead of exiting), reads the real UID/GID of the container's main
    /// process, and removes the container. Fails when the daemon refuses to start it
    /// (`USER` not in the image's passwd) or the process exits before it can be read.
    /// A main process seen as root is watched for [`LIVE_ROOT_SETTLE`] first, since an
    /// entrypoint that drops privileges starts as root; the last identity seen counts.
    pub fn live_user(&self, image: &str, timeout: Duration) -> Result<LiveUser> {
        self.live_user_with(image, timeout, LiveMethod::Auto)
    }

    /// [`DaemonClient::live_user`], choosing how the UID is read.
    pub fn live_user_with(
        &self,
        image: &str,
        timeout: Duration,
        method: LiveMethod,
    ) -> Result<LiveUser> {
        let live = |reason: String| DaemonError::Live {
            image: image.to_owned(),
            reason,
        };
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            open_stdin: Some(true),
            attach_stdin: Some(false),
            network_disabled: Some(true),
            labels: Some([("dockgate.live-check".to_owned(), "1".to_owned())].into()),
            host_config: Some(HostConfig {
                network_mode: Some("none".into()),
                auto_remove: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::default().build();
        let created = self
            .runtime
            .block_on(self.docker.create_container(Some(options), body))
            .map_err(|e| not_found_or(image, "create container", e))?;
        let id = created.id;
        let result = self.runtime.block_on(async {
            tokio::time::timeout(timeout, self.read_live_user(&id, method))
                .await
                .unwrap_or_else(|_| Err(format!("no UID read within {timeout:?}")))
        });
        let remove = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        let removed = self
            .runtime
            .block_on(self.docker.remove_container(&id, Some(remove)));
        let user = result.map_err(live)?;
        removed.map_err(|e| DaemonError::Api {
            what: format!("remove container {id}"),
            source: e,
        })?;
        Ok(user)
    }

    async fn read_live_user(&self, id: &str, method: LiveMethod) -> Result<LiveUser, String> {
        self.docker
            .start_container(id, None)
            .await
            .map_err(|e| format!("the daemon would not start it: {}", api_message(&e)))?;
        let started = Instant::now();
        // A root main process may be an entrypoint that drops privileges after some setup
        // (`exec gosu postgres ...`): root is only believed once it lasted this long.
        let mut root_seen = None;
        loop {
            let inspect = self
                .docker
                .inspect_container(id, None)
                .await
                .map_err(|e| format!("inspect: {e}"))?;
            let state = inspect.state.unwrap_or_default();
            let pid = state.pid.unwrap_or(0);
            if state.running == Some(true) && pid > 0 {
                // Same host and PID namespace: the kernel's own record. Otherwise (a remote
                // daemon, or dockgate in a container with the socket mounted, where the PID
                // means another process) ask the daemon: its `ps` runs on its host.
                let mut user = None;
                if method == LiveMethod::Auto {
                    user = proc_status_ids(pid, id);
                }
                if user.is_none() {
                    let top = TopOptionsBuilder::default()
                        .ps_args("-o pid,uid,gid")
                        .build();
                    if let Ok(top) = self.docker.top_processes(id, Some(top)).await {
                        user = top_ids(top.titles.as_deref(), top.processes.as_deref());
                    }
                }
                if let Some(user) = user {
                    if user.uid != 0 || started.elapsed() >= LIVE_ROOT_SETTLE {
                        return Ok(user);
                    }
                    root_seen = Some(user);
                }
            } else if state.running == Some(false) && started.elapsed() > Duration::from_millis(200)
            {
                if let Some(user) = root_seen {
                    return Ok(user);
                }
                return Err(format!(
                    "the main process exited (code {}) before its UID could be read",
                    state.exit_code.unwrap_or_default()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `Uid:`/`Gid:` of /proc/PID/status: the real IDs (first of real, effective, saved, fs),
/// only if /proc/PID/cgroup names the container (else PID is not the container's here).
fn proc_status_ids(pid: i64, container_id: &str) -> Option<LiveUser> {
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    if container_id.len() < 12 || !cgroup.contains(container_id) {
        return None;
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u32> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some(LiveUser {
        uid: field("Uid:")?,
        gid: field("Gid:")?,
    })
}

/// The first process row of `docker top -o pid,uid,gid` (the main process comes first).
fn top_ids(titles: Option<&[String]>, processes: Option<&[Vec<String>]>) -> Option<LiveUser> {
    let titles = titles?;
    let column = |name: &str| titles.iter().position(|t| t.eq_ignore_ascii_case(name));
    let (uid_col, gid_col) = (column("UID")?, column("GID")?);
    let row = processes?.first()?;
    Some(LiveUser {
        uid: row.get(uid_col)?.trim().parse().ok()?,
        gid: row.get(gid_col)?.trim().parse().ok()?,
    })
}

fn api_message(error: &bollard::errors::Error) -> String {
    match error {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn not_found_or(name: &str, what: &str, error: bollard::errors::Error) -> DaemonError {
    match error {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        } => DaemonError::NoSuchImage(name.to_owned()),
        source => DaemonError::Api {
            what: format!("{what} {name}"),
            source,
        },
    }
}

enum ExportMessage {
    Chunk(Bytes),
    Failed(String),
    /// Sent only after the daemon's stream ended normally: a channel closed without it
    /// (the client and its runtime dropped mid-stream) is a truncated export, not EOF.
    End,
}

/// The `docker save` tar of one image, read as it streams from the daemon. Reading
/// blocks the calling thread: do not read it from inside an async runtime.
pub struct ImageExport {
    receiver: mpsc::Receiver<ExportMessage>,
    ended: bool,
    current: Bytes,
    offset: usize,
}

impl fmt::Debug for ImageExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageExport").finish_non_exhaustive()
    }
}

impl Read for ImageExport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.offset >= self.current.len() {
            if self.ended {
                return Ok(0);
            }
            match self.receiver.blocking_recv() {
                Some(ExportMessage::Chunk(chunk)) => {
                    self.current = chunk;
                    self.offset = 0;
                }
                Some(ExportMessage::Failed(reason)) => return Err(io::Error::other(reason)),
                Some(ExportMessage::End) => self.ended = true,
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the export stream stopped before the daemon finished it",
                    ));
                }
            }
        }
        let available = &self.current[self.offset..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.offset += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The image core's sources are `Send + Sync` and read layers from rayon threads.
    #[test]
    fn clients_can_be_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        fn sent<T: Send>() {}
        shared::<DaemonClient>();
        sent::<ImageExport>();
    }

    #[test]
    fn references_default_to_latest() {
        assert_eq!(parse_reference("docker-daemon:app").unwrap(), "app:latest");
        assert_eq!(
            parse_reference("docker-daemon:dockgate-test/user-app:1").unwrap(),
            "dockgate-test/user-app:1"
        );
        assert_eq!(
            parse_reference("localhost:5000/app").unwrap(),
            "localhost:5000/app:latest"
        );
        assert_eq!(
            parse_reference("localhost:5000/app:2").unwrap(),
            "localhost:5000/app:2"
        );
        let id = format!("sha256:{}", "b".repeat(64));
        assert_eq!(parse_reference(&id).unwrap(), id);
        for bad in ["docker-daemon:", "", "app:", "a b", "app/", "x?y"] {
            assert!(parse_reference(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn proc_status_only_for_the_named_container() {
        let pid = i64::from(std::process::id());
        // This test process is in no container: its cgroup never names this made-up ID.
        assert_eq!(proc_status_ids(pid, "0123456789abcdef0123"), None);
        assert_eq!(proc_status_ids(pid, ""), None);
        assert_eq!(proc_status_ids(-1, "0123456789abcdef0123"), None);
    }

    #[test]
    fn top_rows_are_read_by_title() {
        let titles = vec!["PID".to_owned(), "UID".to_owned(), "GID".to_owned()];
        let rows = vec![vec![
            "4242".to_owned(),
            "10001".to_owned(),
            "10002".to_owned(),
        ]];
        assert_eq!(
            top_ids(Some(&titles), Some(&rows)),
            Some(LiveUser {
                uid: 10001,
                gid: 10002
            })
        );
        let named = vec![vec![
            "4242".to_owned(),
            "root".to_owned(),
            "root".to_owned(),
        ]];
        assert_eq!(top_ids(Some(&titles), Some(&named)), None);
        assert_eq!(top_ids(None, Some(&rows)), None);
    }

    #[test]
    fn a_missing_socket_is_a_clear_error() {
        let err = DaemonClient::connect_to("unix:///nonexistent/dockgate.sock")
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/dockgate.sock"), "{err}");
        // Nothing listens on port 1: the version negotiation fails, with the address.
        let err = DaemonClient::connect_to("tcp://127.0.0.1:1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("tcp://127.0.0.1:1"), "{err}");
        for bad in [
            "ssh://host",
            "npipe:////./pipe/docker",
            "tcp://",
            "tcp://user@host:1",
            "docker.sock",
        ] {
            assert!(DaemonClient::connect_to(bad).is_err(), "{bad}");
        }
    }
}
