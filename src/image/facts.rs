//! Image facts: what the checks look at, computed once from the resolved manifest and
//! config and (when needed) the merged layers.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::{ImageError, Result};
use super::fs::{MergedFs, WastedFile};
use super::secrets::SecretKind;
use super::source::ResolvedImage;
use super::spec::{BASE_DIGEST, BASE_NAME, DOCKER_CONFIG, DOCKER_MANIFEST};
use super::user::{self, Accounts, RuntimeUser};
use super::walker::{EntryKind, LayerSummary};

/// Everything the image rules and reporters know about one image.
#[derive(Debug, Clone)]
pub struct ImageFacts {
    /// The reference as the user wrote it.
    pub reference: String,
    /// The manifest digest (the image ID for a legacy `docker save` archive).
    pub digest: String,
    pub user: RuntimeUser,
    /// Sum of the layer blobs as stored.
    pub compressed_size: u64,
    /// Sum of the layers' uncompressed tar streams; `None` when no layer was read.
    pub uncompressed_size: Option<u64>,
    pub layers: Vec<LayerFacts>,
    /// The base image, from the OCI base-image annotations.
    pub base: Option<BaseImage>,
    /// Environment variables of the config, in order.
    pub env: Vec<(String, String)>,
    /// `8080/tcp`, ... as the config lists them.
    pub exposed_ports: Vec<String>,
    pub healthcheck: HealthcheckFact,
    /// File-level facts; `None` when no layer was read.
    pub files: Option<FileFacts>,
    /// The image this one is compared with (`--baseline`); set by the caller.
    pub baseline: Option<super::baseline::Baseline>,
    /// The real IDs of the main process of a container of the image (`--live`, the
    /// daemon source only); set by the caller.
    pub live: Option<super::daemon::LiveUser>,
    /// The config history, every entry (including those that made no layer), in order.
    pub history: Vec<HistoryStep>,
    /// The Dockerfile that made the image, when it is known; set by the caller.
    pub provenance: Option<super::provenance::Provenance>,
    /// Why a Dockerfile was given or found but nothing placed on it; set by the caller.
    pub unplaced: Option<super::provenance::Unplaced>,
}

impl ImageFacts {
    /// Records the Dockerfile that made the image, and what it says about the base
    /// image where the image itself did not: its layers are those below the first step
    /// the Dockerfile made, its name the chain's first `FROM`.
    pub fn attribute_to(&mut self, provenance: super::provenance::Provenance) {
        if let Some(layers) = provenance.base_layers() {
            let base = self.base.get_or_insert(BaseImage {
                name: None,
                digest: None,
                layers: None,
            });
            base.layers = base.layers.or(Some(layers));
            if base.name.is_none() && layers > 0 {
                base.name = Some(provenance.base_image().to_string());
            }
        }
        self.provenance = Some(provenance);
    }
}

/// One entry of the config history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryStep {
    /// The builder's rendering of the instruction (empty when it recorded none).
    pub created_by: String,
    /// The step changed only the config: it has no layer.
    pub empty_layer: bool,
}

/// One layer, in manifest order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerFacts {
    pub digest: String,
    pub compressed: u64,
    pub uncompressed: Option<u64>,
    /// The config history's `created_by` for this layer (empty-layer entries skipped).
    pub created_by: Option<String>,
    /// The digest of the uncompressed tar stream (the config's `rootfs.diff_ids`), when
    /// the config lists one per layer.
    pub diff_id: Option<String>,
}

/// The image this one was built on: name and digest from the OCI base-image
/// annotations (BuildKit writes them), the number of its layers from the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    pub name: Option<String>,
    pub digest: Option<String>,
    /// How many of the image's layers (from the bottom) the base brought.
    pub layers: Option<usize>,
}

/// The number of layers below the base image's boundary, read from the history: a base
/// image's history ends with its `CMD` or `ENTRYPOINT` (Docker Official Images all do),
/// so the last such entry that still has layer-making steps after it closes the base.
/// `None` when there is no such entry (a `FROM scratch` build, or a squashed history).
fn base_layer_count(history: &[super::spec::History]) -> Option<usize> {
    let mut layers = 0;
    let mut pending = None;
    let mut boundary = None;
    for entry in history {
        let created_by = entry.created_by.as_deref().unwrap_or("");
        let instruction = created_by
            .strip_prefix("/bin/sh -c #(nop) ")
            .unwrap_or(created_by)
            .trim_start();
        if entry.empty_layer {
            if instruction.starts_with("CMD ") || instruction.starts_with("ENTRYPOINT ") {
                pending = Some(layers);
            }
        } else {
            // A layer after the CMD: the CMD closed an earlier image.
            if let Some(base) = pending.take() {
                boundary = Some(base);
            }
            layers += 1;
        }
    }
    boundary.filter(|&base| base > 0)
}

/// Whether the image has a HEALTHCHECK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthcheckFact {
    Present,
    /// `HEALTHCHECK NONE`: explicitly disabled.
    Disabled,
    Missing,
    /// An OCI-format config cannot carry one (buildah and podman drop it).
    NotApplicable,
}

impl HealthcheckFact {
    /// `present`, `disabled`, `missing`, `not-applicable` (the JSON value).
    pub fn as_str(self) -> &'static str {
        match self {
            HealthcheckFact::Present => "present",
            HealthcheckFact::Disabled => "disabled",
            HealthcheckFact::Missing => "missing",
            HealthcheckFact::NotApplicable => "not-applicable",
        }
    }
}

/// A history `created_by` as a person reads it: the Dockerfile instruction without the
/// builders' wrapping (`/bin/sh -c #(nop) `, BuildKit's `RUN /bin/sh -c ... # buildkit`).
pub fn display_step(created_by: &str) -> String {
    let text = created_by.trim();
    let text = text.strip_suffix("# buildkit").unwrap_or(text).trim_end();
    if let Some(rest) = text.strip_prefix("/bin/sh -c #(nop) ") {
        return rest.trim().to_string();
    }
    if let Some(rest) = text.strip_prefix("/bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    if let Some(rest) = text.strip_prefix("RUN /bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    text.to_string()
}

/// Facts from the merged file system and the layers' contents.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// Files later layers overwrote or deleted, largest first.
    pub wasted: Vec<WastedFile>,
    pub wasted_bytes: u64,
    /// Regular files with the setuid or setgid bit, in the final file system.
    pub setuid: Vec<SpecialFile>,
    pub caches: Vec<PackageCache>,
    /// Shells present in the final file system (`/bin/sh`, `/bin/bash`, busybox...).
    pub shells: Vec<String>,
    /// Secrets in any layer, including files a later layer deleted.
    pub secrets: Vec<SecretFact>,
    /// Files outside scratch directories that the runtime user may modify (only when the
    /// user is known and not root).
    pub writable_by_user: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialFile {
    pub path: String,
    pub mode: u32,
    pub uid: u64,
    /// The layer the file comes from (its last writer).
    pub layer: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCache {
    /// `apt lists`, `apk cache`, `pip cache`, `npm cache`.
    pub kind: &'static str,
    /// The cache directory.
    pub path: String,
    pub files: usize,
    pub bytes: u64,
    /// The last layer that wrote into the cache: the step that should have cleaned it.
    pub layer: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFact {
    pub path: String,
    pub kind: SecretKind,
    /// The index of the layer whose blob holds it.
    pub layer: usize,
    /// Whether the final file system still has it (else a later layer deleted it, but
    /// its bytes still ship in the layer's blob).
    pub present: bool,
}

/// Builds the facts. `layers` are the layer summaries in manifest order, or `None` when
/// the checks only needed the config.
pub fn compute(
    reference: &str,
    image: &ResolvedImage,
    layers: Option<&[Arc<LayerSummary>]>,
) -> Result<ImageFacts> {
    let container = image.config.config.clone().unwrap_or_default();
    let merged = layers.map(|layers| MergedFs::merge(layers.iter().map(Arc::as_ref)));
    let accounts = match (&merged, layers) {
        (Some(fs), Some(layers)) => Some(accounts(fs, layers)?),
        _ => None,
    };
    let user = user::resolve(container.user.as_deref().unwrap_or(""), accounts.as_ref());

    let created_by: Vec<Option<String>> = image
        .config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone())
        .collect();
    let history_fits = created_by.len() == image.layers.len();
    let diff_ids = image
        .config
        .rootfs
        .as_ref()
        .map(|rootfs| rootfs.diff_ids.as_slice())
        .filter(|ids| ids.len() == image.layers.len());
    let layer_facts: Vec<LayerFacts> = image
        .layers
        .iter()
        .enumerate()
        .map(|(i, descriptor)| LayerFacts {
            digest: descriptor.digest.clone(),
            compressed: descriptor.size,
            uncompressed: layers.map(|l| l[i].uncompressed),
            created_by: if history_fits {
                created_by[i].clone()
            } else {
                None
            },
            diff_id: diff_ids.map(|ids| ids[i].clone()),
        })
        .collect();

    let env = container
        .env
        .iter()
        .flatten()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (pair.clone(), String::new()),
        })
        .collect();
    let docker_format = image.config_media_type == DOCKER_CONFIG
        || image.config_media_type == DOCKER_MANIFEST
        || image.config.docker_version.is_some();
    let healthcheck = match container.healthcheck.as_ref().and_then(|h| h.test.as_ref()) {
        Some(test) if test.first().is_some_and(|t| t == "NONE") => HealthcheckFact::Disabled,
        Some(test) if !test.is_empty() => HealthcheckFact::Present,
        _ if docker_format => HealthcheckFact::Missing,
        _ => HealthcheckFact::NotApplicable,
    };
    let base_layers = if history_fits {
        base_layer_count(&image.config.history)
    } else {
        None
    };
    let annotated =
        image.annotations.contains_key(BASE_NAME) || image.annotations.contains_key(BASE_DIGEST);
    let base = (annotated || base_layers.is_some()).then(|| BaseImage {
        name: image.annotations.get(BASE_NAME).cloned(),
        digest: image.annotations.get(BASE_DIGEST).cloned(),
        layers: base_layers,
    });

    let files = match (&merged, layers) {
        (Some(fs), Some(layers)) => Some(file_facts(fs, layers, &user)),
        _ => None,
    };
    Ok(ImageFacts {
        reference: reference.to_string(),
        digest: image.digest.clone(),
        user,
        compressed_size: image.layers.iter().map(|l| l.size).sum(),
        uncompressed_size: layers.map(|l| l.iter().map(|s| s.uncompressed).sum()),
        layers: layer_facts,
        base,
        env,
        exposed_ports: container
            .exposed_ports
            .unwrap_or_default()
            .into_keys()
            .collect(),
        healthcheck,
        files,
        baseline: None,
        live: None,
        history: image
            .config
            .history
            .iter()
            .map(|h| HistoryStep {
                created_by: h.created_by.clone().unwrap_or_default(),
                empty_layer: h.empty_layer,
            })
            .collect(),
        provenance: None,
        unplaced: None,
    })
}

/// The final `/etc/passwd` and `/etc/group`, following symlinks inside the image.
fn accounts(fs: &MergedFs, layers: &[Arc<LayerSummary>]) -> Result<Accounts> {
    let read = |path: &str| -> Result<Option<String>> {
        let resolved = fs
            .resolve(path)
            .map_err(|error| ImageError::Hostile(format!("cannot resolve {path}: {error}")))?;
        Ok(resolved.and_then(|(real, node)| {
            layers[node.layer]
                .captured
                .get(&real)
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        }))
    };
    Ok(Accounts {
        passwd: read("etc/passwd")?,
        group: read("etc/group")?,
    })
}

const SHELLS: &[&str] = &[
    "bin/sh",
    "bin/bash",
    "bin/dash",
    "bin/ash",
    "bin/zsh",
    "bin/busybox",
    "usr/bin/sh",
    "usr/bin/bash",
    "usr/bin/busybox",
];

/// Directories whose contents any user may change by design.
const SCRATCH: &[&str] = &[
    "tmp/", "var/tmp/", "run/", "var/run/", "dev/", "proc/", "sys/",
];

fn file_facts(fs: &MergedFs, layers: &[Arc<LayerSummary>], user: &RuntimeUser) -> FileFacts {
    let mut wasted = fs.wasted.clone();
    // Ties in size and path (one path wasted twice) in the order they happened.
    wasted.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| (a.added_in, a.removed_in).cmp(&(b.added_in, b.removed_in)))
    });

    let setuid = fs
        .files()
        .filter(|(_, node)| node.mode & 0o6000 != 0)
        .map(|(path, node)| SpecialFile {
            path: format!("/{path}"),
            mode: node.mode,
            uid: node.uid,
            layer: node.layer,
        })
        .collect();

    let mut caches: BTreeMap<(&'static str, String), (usize, u64, usize)> = BTreeMap::new();
    for (path, node) in fs.files() {
        if let Some((kind, dir)) = cache_of(path) {
            let slot = caches.entry((kind, dir)).or_default();
            slot.0 += 1;
            slot.1 += node.size;
            slot.2 = slot.2.max(node.layer);
        }
    }
    let caches = caches
        .into_iter()
        .map(|((kind, path), (files, bytes, layer))| PackageCache {
            kind,
            path: format!("/{path}"),
            files,
            bytes,
            layer,
        })
        .collect();

    let mut shells: Vec<String> = Vec::new();
    for shell in SHELLS {
        // A loop where a shell should be is no shell.
        if let Ok(Some((_, node))) = fs.resolve(shell)
            && node.kind == EntryKind::File
        {
            shells.push(format!("/{shell}"));
        }
    }

    let mut secrets = Vec::new();
    for (index, layer) in layers.iter().enumerate() {
        // A layer repeated at several positions holds its secrets once.
        if layers[..index]
            .iter()
            .any(|earlier| Arc::ptr_eq(earlier, layer))
        {
            continue;
        }
        for hit in &layer.secrets {
            let present = fs
                .get(&hit.path)
                .is_some_and(|node| node.layer == index || Arc::ptr_eq(&layers[node.layer], layer));
            secrets.push(SecretFact {
                path: format!("/{}", hit.path),
                kind: hit.kind,
                layer: index,
                present,
            });
        }
    }

    let mut writable_by_user = Vec::new();
    if let (Some(uid), false) = (user.uid, user.runs_as_root) {
        for (path, node) in fs.files() {
            if SCRATCH.iter().any(|dir| path.starts_with(dir)) {
                continue;
            }
            let owner = node.uid == u64::from(uid) && node.mode & 0o200 != 0;
            let group =
                user.gid.is_some_and(|gid| node.gid == u64::from(gid)) && node.mode & 0o020 != 0;
            let other = node.mode & 0o002 != 0;
            if owner || group || other {
                writable_by_user.push(format!("/{path}"));
            }
        }
    }

    FileFacts {
        wasted_bytes: fs.wasted_bytes(),
        wasted,
        setuid,
        caches,
        shells,
        secrets,
        writable_by_user,
    }
}

/// The package-manager cache a file belongs to, and the cache's directory.
fn cache_of(path: &str) -> Option<(&'static str, String)> {
    if let Some(rest) = path.strip_prefix("var/lib/apt/lists/") {
        // `lock` and `partial/` exist even after `rm -rf /var/lib/apt/lists/*` in some
        // images and hold nothing.
        return (rest != "lock" && !rest.starts_with("partial/"))
            .then(|| ("apt lists", "var/lib/apt/lists".to_string()));
    }
    if path.starts_with("var/cache/apt/archives/") && path.ends_with(".deb") {
        return Some(("apt archives", "var/cache/apt/archives".to_string()));
    }
    if path.starts_with("var/cache/apk/") {
        return Some(("apk cache", "var/cache/apk".to_string()));
    }
    for (kind, marker) in [("pip cache", "/.cache/pip/"), ("npm cache", "/.npm/")] {
        if let Some(at) = format!("/{path}").find(marker) {
            let dir = format!("/{path}")[1..at + marker.len() - 1].to_string();
            return Some((kind, dir));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{base_layer_count, cache_of};
    use crate::image::spec::History;

    fn history(steps: &[(&str, bool)]) -> Vec<History> {
        steps
            .iter()
            .map(|&(created_by, empty_layer)| History {
                created_by: Some(created_by.to_string()),
                empty_layer,
                comment: None,
            })
            .collect()
    }

    #[test]
    fn steps_read_like_the_dockerfile() {
        use super::display_step;
        assert_eq!(
            display_step("/bin/sh -c #(nop) ADD file:4a5b in / "),
            "ADD file:4a5b in /"
        );
        assert_eq!(
            display_step("/bin/sh -c apt-get update"),
            "RUN apt-get update"
        );
        assert_eq!(display_step("RUN /bin/sh -c make # buildkit"), "RUN make");
        assert_eq!(display_step("COPY app /app # buildkit"), "COPY app /app");
        assert_eq!(
            display_step("RUN |2 A=1 B=2 /bin/sh -c make # buildkit"),
            "RUN |2 A=1 B=2 /bin/sh -c make"
        );
    }

    #[test]
    fn base_boundary_from_history() {
        let built_on_debian = history(&[
            ("/bin/sh -c #(nop) ADD file:abc in / ", false),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            ("RUN /bin/sh -c apt-get update # buildkit", false),
            ("COPY app /app # buildkit", false),
            ("CMD [\"/app\"]", true),
        ]);
        assert_eq!(base_layer_count(&built_on_debian), Some(1));
        let from_scratch = history(&[
            ("COPY app /app # buildkit", false),
            ("CMD [\"/app\"]", true),
        ]);
        assert_eq!(base_layer_count(&from_scratch), None);
    }

    #[test]
    fn caches() {
        assert_eq!(
            cache_of("var/lib/apt/lists/deb.debian.org_dists"),
            Some(("apt lists", "var/lib/apt/lists".into()))
        );
        assert_eq!(cache_of("var/lib/apt/lists/lock"), None);
        assert_eq!(
            cache_of("var/cache/apk/APKINDEX.tar.gz"),
            Some(("apk cache", "var/cache/apk".into()))
        );
        assert_eq!(
            cache_of("root/.cache/pip/http/x"),
            Some(("pip cache", "root/.cache/pip".into()))
        );
        assert_eq!(
            cache_of("home/app/.npm/_cacache/x"),
            Some(("npm cache", "home/app/.npm".into()))
        );
        assert_eq!(cache_of("usr/lib/node_modules/npm/x"), None);
    }
}
