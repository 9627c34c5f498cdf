//! Builds real images for tests: layer tars made with the `tar` crate, compressed with
//! gzip or zstd, written as an OCI layout directory, an OCI archive, a legacy `docker
//! save` archive or Docker 25's OCI-in-tar, with correct digests throughout. Also the
//! hostile inputs (raw tar headers the `tar` crate's builder would refuse to write).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::digest::sha256;
use super::spec::{
    ATTESTATION_MANIFEST, DOCKER_CONFIG, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, REF_NAME,
    REFERENCE_TYPE,
};

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    /// Compresses `data`.
    pub fn compress(self, data: &[u8]) -> Vec<u8> {
        match self {
            Compression::None => data.to_vec(),
            Compression::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                encoder.write_all(data).expect("writing to memory");
                encoder.finish().expect("writing to memory")
            }
            Compression::Zstd => zstd::encode_all(data, 1).expect("writing to memory"),
        }
    }
}

/// A layer tar, entry by entry.
pub struct Layer {
    tar: tar::Builder<Vec<u8>>,
}

impl Default for Layer {
    fn default() -> Self {
        Layer::new()
    }
}

impl Layer {
    pub fn new() -> Layer {
        Layer {
            tar: tar::Builder::new(Vec::new()),
        }
    }

    fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header
    }

    pub fn dir(mut self, path: &str) -> Layer {
        let mut header = Self::header(tar::EntryType::Directory, 0, 0o755);
        self.tar
            .append_data(&mut header, path, &[][..])
            .expect("valid path");
        self
    }

    pub fn file(self, path: &str, content: &[u8]) -> Layer {
        self.file_with(path, content, 0o644, 0, 0)
    }

    pub fn file_with(mut self, path: &str, content: &[u8], mode: u32, uid: u64, gid: u64) -> Layer {
        let mut header = Self::header(tar::EntryType::Regular, content.len() as u64, mode);
        header.set_uid(uid);
        header.set_gid(gid);
        self.tar
            .append_data(&mut header, path, content)
            .expect("valid path");
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Layer {
        let mut header = Self::header(tar::EntryType::Symlink, 0, 0o777);
        self.tar
            .append_link(&mut header, path, target)
            .expect("valid link");
        self
    }

    pub fn hardlink(mut self, path: &str, target: &str) -> Layer {
        let mut header = Self::header(tar::EntryType::Link, 0, 0o644);
        self.tar
            .append_link(&mut header, path, target)
            .expect("valid link");
        self
    }

    /// Deletes `path` of the layers below (`.wh.NAME`).
    pub fn whiteout(self, path: &str) -> Layer {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let marker = if parent.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{parent}/.wh.{name}")
        };
        self.file(&marker, b"")
    }

    /// Hides what the layers below have in `dir` (`.wh..wh..opq`).
    pub fn opaque(self, dir: &str) -> Layer {
        self.file(&format!("{dir}/.wh..wh..opq"), b"")
    }

    /// An entry written byte for byte: any name (`../x`, `/etc/x`), any claimed size,
    /// with `data` as the content that actually follows.
    pub fn raw(mut self, name: &str, claimed_size: u64, data: &[u8]) -> Layer {
        let mut header = Self::header(tar::EntryType::Regular, claimed_size, 0o644);
        let bytes = name.as_bytes();
        header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        header.set_cksum();
        let tar = self.tar.get_mut();
        tar.extend_from_slice(header.as_bytes());
        tar.extend_from_slice(data);
        let padding = (512 - data.len() % 512) % 512;
        tar.extend(std::iter::repeat_n(0, padding));
        self
    }

    /// The tar stream, end blocks included.
    pub fn tar(self) -> Vec<u8> {
        self.tar.into_inner().expect("writing to memory")
    }
}

struct BuiltLayer {
    blob: Vec<u8>,
    diff_id: String,
    media_type: &'static str,
    tar: Vec<u8>,
}

/// An image: config plus layers, writable in every local layout.
pub struct Image {
    config: Value,
    layers: Vec<BuiltLayer>,
    docker_config: bool,
    annotations: BTreeMap<String, String>,
}

impl Default for Image {
    fn default() -> Self {
        Image::new()
    }
}

impl Image {
    pub fn new() -> Image {
        Image {
            config: json!({
                "architecture": "amd64",
                "os": "linux",
                "config": {},
                "rootfs": {"type": "layers", "diff_ids": []},
                "history": [],
            }),
            layers: Vec::new(),
            docker_config: true,
            annotations: BTreeMap::new(),
        }
    }

    fn container(&mut self) -> &mut serde_json::Map<String, Value> {
        self.config["config"]
            .as_object_mut()
            .expect("config is an object")
    }

    pub fn user(mut self, user: &str) -> Image {
        self.container().insert("User".into(), json!(user));
        self
    }

    pub fn env(mut self, pair: &str) -> Image {
        let env = self.container().entry("Env").or_insert_with(|| json!([]));
        env.as_array_mut()
            .expect("Env is an array")
            .push(json!(pair));
        self
    }

    pub fn expose(mut self, port: &str) -> Image {
        let ports = self
            .container()
            .entry("ExposedPorts")
            .or_insert_with(|| json!({}));
        ports[port] = json!({});
        self
    }

    pub fn healthcheck(mut self, test: &[&str]) -> Image {
        self.container()
            .insert("Healthcheck".into(), json!({ "Test": test }));
        self
    }

    pub fn architecture(mut self, arch: &str) -> Image {
        self.config["architecture"] = json!(arch);
        self
    }

    /// An OCI-format config (as buildah and podman write), instead of Docker's.
    pub fn oci_config(mut self) -> Image {
        self.docker_config = false;
        self
    }

    pub fn annotation(mut self, key: &str, value: &str) -> Image {
        self.annotations.insert(key.into(), value.into());
        self
    }

    /// A history entry that made no layer (ENV, USER, ...).
    pub fn empty_step(mut self, created_by: &str) -> Image {
        self.config["history"]
            .as_array_mut()
            .expect("history is an array")
            .push(json!({"created_by": created_by, "empty_layer": true}));
        self
    }

    pub fn layer(self, layer: Layer, compression: Compression, created_by: &str) -> Image {
        self.layer_tar(layer.tar(), compression, created_by)
    }

    pub fn layer_tar(self, tar: Vec<u8>, compression: Compression, created_by: &str) -> Image {
        self.layer_blob(
            compression.compress(&tar),
            sha256(&tar),
            compression.media_type(),
            created_by,
            tar,
        )
    }

    /// A layer whose blob is given as is (a compression bomb, a truncated stream).
    pub fn layer_raw_blob(self, blob: Vec<u8>, created_by: &str) -> Image {
        let diff_id = sha256(&blob);
        self.layer_blob(
            blob.clone(),
            diff_id,
            Compression::Gzip.media_type(),
            created_by,
            blob,
        )
    }

    fn layer_blob(
        mut self,
        blob: Vec<u8>,
        diff_id: String,
        media_type: &'static str,
        created_by: &str,
        tar: Vec<u8>,
    ) -> Image {
        self.config["rootfs"]["diff_ids"]
            .as_array_mut()
            .expect("diff_ids is an array")
            .push(json!(diff_id));
        self.config["history"]
            .as_array_mut()
            .expect("history is an array")
            .push(json!({"created_by": created_by}));
        self.layers.push(BuiltLayer {
            blob,
            diff_id,
            media_type,
            tar,
        });
        self
    }

    fn config_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.config).expect("JSON")
    }

    fn config_media_type(&self) -> &'static str {
        if self.docker_config {
            DOCKER_CONFIG
        } else {
            OCI_CONFIG
        }
    }

    /// Puts the config, layers and manifest into `blobs`; returns the manifest's
    /// descriptor (for an index).
    fn put(&self, blobs: &mut BTreeMap<String, Vec<u8>>) -> Value {
        let config = self.config_bytes();
        let config_digest = sha256(&config);
        let layers: Vec<Value> = self
            .layers
            .iter()
            .map(|layer| {
                let digest = sha256(&layer.blob);
                blobs.insert(digest.clone(), layer.blob.clone());
                json!({"mediaType": layer.media_type, "digest": digest, "size": layer.blob.len()})
            })
            .collect();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": self.config_media_type(), "digest": config_digest, "size": config.len()},
            "layers": layers,
            "annotations": self.annotations,
        });
        let manifest = serde_json::to_vec(&manifest).expect("JSON");
        let digest = sha256(&manifest);
        blobs.insert(config_digest, config);
        blobs.insert(digest.clone(), manifest.clone());
        json!({
            "mediaType": OCI_MANIFEST,
            "digest": digest,
            "size": manifest.len(),
            "platform": {"os": "linux", "architecture": self.config["architecture"]},
        })
    }

    /// The files of an OCI layout holding this image, tagged `latest`.
    pub fn oci_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut blobs = BTreeMap::new();
        let mut descriptor = self.put(&mut blobs);
        descriptor["annotations"] = json!({ REF_NAME: "latest" });
        layout_files(json!([descriptor]), blobs)
    }

    pub fn write_oci_dir(&self, dir: &Path) {
        write_dir(dir, &self.oci_files());
    }

    pub fn write_oci_archive(&self, path: &Path) {
        write_tar(path, &self.oci_files());
    }

    /// Docker 25+'s `docker save`: an OCI layout plus the legacy manifest.json.
    pub fn write_docker_oci_archive(&self, path: &Path) {
        let mut files = self.oci_files();
        let config_digest = sha256(&self.config_bytes());
        let manifest = json!([{
            "Config": format!("blobs/sha256/{}", &config_digest[7..]),
            "RepoTags": ["app:latest"],
            "Layers": self.layers.iter().map(|l| format!("blobs/sha256/{}", &sha256(&l.blob)[7..])).collect::<Vec<_>>(),
        }]);
        files.push((
            "manifest.json".into(),
            serde_json::to_vec(&manifest).expect("JSON"),
        ));
        write_tar(path, &files);
    }

    /// The legacy `docker save` layout: `<id>/layer.tar` uncompressed, written in
    /// reverse manifest order so that readers cannot get away with tar order. A layer
    /// repeated (same diff ID) is a symlink to the first copy, as Docker writes it.
    pub fn write_docker_archive(&self, path: &Path) {
        self.write_docker_archive_with(path, Compression::None);
    }

    /// The legacy layout with each `layer.tar` compressed, as some exporters write it
    /// (the manifest still names layers by their uncompressed diff IDs).
    pub fn write_docker_archive_with(&self, path: &Path, compression: Compression) {
        let config = self.config_bytes();
        let config_name = format!("{}.json", &sha256(&config)[7..]);
        let mut entries = Vec::new();
        let mut layer_paths = Vec::new();
        let mut written: BTreeMap<&str, String> = BTreeMap::new();
        for (index, layer) in self.layers.iter().enumerate() {
            let id = sha256(format!("{index}{}", layer.diff_id).as_bytes())[7..].to_string();
            let name = format!("{id}/layer.tar");
            layer_paths.push(name.clone());
            match written.get(layer.diff_id.as_str()) {
                Some(first) => {
                    entries.push(TarEntry::Symlink(name, format!("../{first}/layer.tar")))
                }
                None => {
                    written.insert(&layer.diff_id, id);
                    entries.push(TarEntry::File(name, compression.compress(&layer.tar)));
                }
            }
        }
        entries.reverse();
        entries.push(TarEntry::File(config_name.clone(), config));
        let manifest =
            json!([{"Config": config_name, "RepoTags": ["app:latest"], "Layers": layer_paths}]);
        entries.push(TarEntry::File(
            "manifest.json".into(),
            serde_json::to_vec(&manifest).expect("JSON"),
        ));
        write_tar_entries(path, &entries);
    }
}

/// A multi-platform OCI layout: one index over `images`, each with an attestation
/// manifest next to it as BuildKit writes them.
pub fn write_multi_platform(dir: &Path, images: &[&Image]) {
    let mut blobs = BTreeMap::new();
    let mut manifests = Vec::new();
    for image in images {
        let descriptor = image.put(&mut blobs);
        let attestation = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {"mediaType": OCI_CONFIG, "digest": sha256(b"{}"), "size": 2}, "layers": []});
        let attestation = serde_json::to_vec(&attestation).expect("JSON");
        blobs.insert(sha256(b"{}"), b"{}".to_vec());
        let attestation_digest = sha256(&attestation);
        blobs.insert(attestation_digest.clone(), attestation.clone());
        manifests.push(json!({
            "mediaType": OCI_MANIFEST, "digest": attestation_digest, "size": attestation.len(),
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {REFERENCE_TYPE: ATTESTATION_MANIFEST, "vnd.docker.reference.digest": descriptor["digest"]},
        }));
        manifests.insert(0, descriptor);
    }
    let index = serde_json::to_vec(
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}),
    )
    .expect("JSON");
    let index_digest = sha256(&index);
    blobs.insert(index_digest.clone(), index.clone());
    let top = json!([{"mediaType": OCI_INDEX, "digest": index_digest, "size": index.len(), "annotations": {REF_NAME: "latest"}}]);
    write_dir(dir, &layout_files(top, blobs));
}

fn layout_files(manifests: Value, blobs: BTreeMap<String, Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (
            "index.json".to_string(),
            serde_json::to_vec(
                &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}),
            )
            .expect("JSON"),
        ),
    ];
    for (digest, blob) in blobs {
        files.push((format!("blobs/sha256/{}", &digest[7..]), blob));
    }
    files
}

fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
        std::fs::write(path, bytes).expect("write file");
    }
}

enum TarEntry {
    File(String, Vec<u8>),
    Symlink(String, String),
}

fn write_tar(path: &Path, files: &[(String, Vec<u8>)]) {
    let entries: Vec<TarEntry> = files
        .iter()
        .map(|(name, bytes)| TarEntry::File(name.clone(), bytes.clone()))
        .collect();
    write_tar_entries(path, &entries);
}

fn write_tar_entries(path: &Path, entries: &[TarEntry]) {
    let mut builder = tar::Builder::new(std::fs::File::create(path).expect("create archive"));
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        match entry {
            TarEntry::File(name, bytes) => {
                header.set_size(bytes.len() as u64);
                builder.append_data(&mut header, name, &bytes[..])
            }
            TarEntry::Symlink(name, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, name, target)
            }
        }
        .expect("write archive");
    }
    builder.finish().expect("write archive");
}

/// A `passwd` file with `root` and the given users (`name`, `uid`).
pub fn passwd(users: &[(&str, u32)]) -> Vec<u8> {
    let mut text = String::from("root:x:0:0:root:/root:/bin/sh\n");
    for (name, uid) in users {
        text.push_str(&format!(
            "{name}:x:{uid}:{uid}::/home/{name}:/sbin/nologin\n"
        ));
    }
    text.into_bytes()
}

/// A directory under the system's temp dir, removed when dropped (the library cannot
/// use `tempfile`, a dev-dependency).
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("dockgate-image-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a scratch dir");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
