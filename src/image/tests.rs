//! The image core end to end on real images built by [`super::testing`]: every layout,
//! compression, user form, whiteout and hostile input the gate must handle.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::testing::{Compression, Image, Layer, passwd, write_multi_platform};
use super::*;
use crate::image::facts::HealthcheckFact;
use crate::image::secrets::SecretKind;

fn all_layers() -> AnalyzeOptions {
    AnalyzeOptions {
        read_layers: true,
        ..AnalyzeOptions::default()
    }
}

/// Writes `image` as an OCI directory and analyses it.
fn facts_of(image: &Image) -> ImageFacts {
    try_facts(image, &all_layers()).unwrap_or_else(|error| panic!("analysis failed: {error}"))
}

fn try_facts(image: &Image, options: &AnalyzeOptions) -> Result<ImageFacts> {
    let dir = TempDir::new().unwrap();
    image.write_oci_dir(dir.path());
    analyze_reference(&format!("oci:{}", dir.path().display()), options)
}

fn base_layer() -> Layer {
    Layer::new()
        .dir("bin")
        .file_with("bin/sh", b"#!busybox", 0o755, 0, 0)
        .dir("etc")
        .file("etc/passwd", &passwd(&[("app", 10001), ("fake", 0)]))
        .file("etc/group", b"root:x:0:\napp:x:10001:\n")
}

fn user_of(user: Option<&str>, layer: Layer) -> facts::ImageFacts {
    let mut image = Image::new().layer(layer, Compression::Gzip, "ADD rootfs.tar /");
    if let Some(user) = user {
        image = image.user(user);
    }
    facts_of(&image)
}

#[test]
fn no_user_is_root() {
    let facts = user_of(None, base_layer());
    assert!(facts.user.runs_as_root);
    assert_eq!((facts.user.uid, facts.user.gid), (Some(0), Some(0)));
}

#[test]
fn user_root_and_0_0_are_root() {
    for user in ["root", "0:0", "0"] {
        let facts = user_of(Some(user), base_layer());
        assert!(facts.user.runs_as_root, "{user}");
    }
}

#[test]
fn named_user_resolves_through_the_images_passwd() {
    let facts = user_of(Some("app"), base_layer());
    assert_eq!((facts.user.uid, facts.user.gid), (Some(10001), Some(10001)));
    assert!(!facts.user.runs_as_root);
    assert!(facts.user.problem.is_none());
}

#[test]
fn a_user_named_app_with_uid_0_is_root() {
    let layer = Layer::new().file("etc/passwd", &passwd(&[("app", 0)]));
    let facts = user_of(Some("app"), layer);
    assert!(facts.user.runs_as_root, "{:?}", facts.user);
}

#[test]
fn numeric_user_without_passwd_is_fine_distroless_style() {
    let layer = Layer::new().file("app/server", b"\x7fELF");
    let facts = user_of(Some("65532:65532"), layer);
    assert_eq!((facts.user.uid, facts.user.gid), (Some(65532), Some(65532)));
    assert!(facts.user.problem.is_none());
    assert!(!facts.user.runs_as_root);
}

#[test]
fn user_missing_from_passwd_will_fail_to_start() {
    let facts = user_of(Some("ghost"), base_layer());
    let problem = facts.user.problem.expect("a problem");
    assert!(
        problem.contains("ghost") && problem.contains("fail to start"),
        "{problem}"
    );
    assert_eq!(facts.user.uid, None);
}

#[test]
fn passwd_from_the_top_layer_wins_and_is_found_through_symlinks() {
    let image = Image::new()
        .user("app")
        .layer(base_layer(), Compression::Gzip, "base")
        .layer(
            Layer::new()
                .dir("data")
                .file("data/passwd", &passwd(&[("app", 2000)]))
                .whiteout("etc/passwd"),
            Compression::Zstd,
            "move passwd",
        )
        .layer(
            Layer::new().symlink("etc/passwd", "../data/passwd"),
            Compression::None,
            "link",
        );
    let facts = facts_of(&image);
    assert_eq!(facts.user.uid, Some(2000));
}

#[test]
fn numeric_user_needs_no_layer_at_all() {
    // The only layer is garbage: reading it would fail.
    let image = Image::new()
        .user("1000:1000")
        .layer_raw_blob(b"\x1f\x8bnot gzip".to_vec(), "broken");
    let options = AnalyzeOptions::default();
    let facts = try_facts(&image, &options).expect("config-only analysis");
    assert_eq!(facts.user.uid, Some(1000));
    assert_eq!(facts.uncompressed_size, None);
    assert!(facts.files.is_none());
    assert!(try_facts(&image, &all_layers()).is_err());
}

#[test]
fn sizes_and_history_per_layer() {
    let image = Image::new()
        .layer(base_layer(), Compression::Gzip, "ADD base")
        .empty_step("ENV A=1")
        .layer(
            Layer::new().file("big", &[7u8; 10_000]),
            Compression::Zstd,
            "RUN make big",
        );
    let facts = facts_of(&image);
    assert_eq!(facts.layers.len(), 2);
    assert_eq!(facts.layers[1].created_by.as_deref(), Some("RUN make big"));
    let compressed: u64 = facts.layers.iter().map(|l| l.compressed).sum();
    assert_eq!(facts.compressed_size, compressed);
    // The big file compresses well but is 10 KB (plus tar headers) uncompressed.
    let big = facts.layers[1].uncompressed.unwrap();
    assert!((10_000..10_000 + 4096).contains(&big), "{big}");
    assert!(facts.layers[1].compressed < 1000);
    assert_eq!(
        facts.uncompressed_size,
        Some(facts.layers.iter().map(|l| l.uncompressed.unwrap()).sum())
    );
}

#[test]
fn every_layout_gives_the_same_facts() {
    let image = Image::new()
        .user("app")
        .layer(base_layer(), Compression::Gzip, "base")
        .layer(
            Layer::new().file("app/main", b"main").whiteout("bin/sh"),
            Compression::Zstd,
            "app",
        );
    let dir = TempDir::new().unwrap();
    let oci = dir.path().join("oci");
    image.write_oci_dir(&oci);
    image.write_oci_archive(&dir.path().join("oci.tar"));
    image.write_docker_archive(&dir.path().join("legacy.tar"));
    image.write_docker_oci_archive(&dir.path().join("docker25.tar"));
    let references = [
        format!("oci:{}", oci.display()),
        format!("oci:{}:latest", oci.display()),
        format!("oci-archive:{}", dir.path().join("oci.tar").display()),
        format!("docker-archive:{}", dir.path().join("legacy.tar").display()),
        format!(
            "docker-archive:{}:app:latest",
            dir.path().join("legacy.tar").display()
        ),
        format!(
            "docker-archive:{}",
            dir.path().join("docker25.tar").display()
        ),
    ];
    for reference in &references {
        let facts = analyze_reference(reference, &all_layers())
            .unwrap_or_else(|error| panic!("{reference}: {error}"));
        assert_eq!(facts.user.uid, Some(10001), "{reference}");
        let files = facts.files.as_ref().unwrap();
        // /bin/sh was deleted by the second layer: only right if layers merge in order.
        assert!(files.shells.is_empty(), "{reference}: {:?}", files.shells);
        assert_eq!(
            facts.layers[1].created_by.as_deref(),
            Some("app"),
            "{reference}"
        );
        assert_eq!(facts.layers.len(), 2);
    }
}

#[test]
fn repeated_layers_are_read_once_and_counted_at_each_position() {
    // Two identical empty layers, as `RUN true` twice makes: legacy docker save writes
    // the second as a symlink to the first.
    let image = Image::new()
        .user("app")
        .layer(base_layer(), Compression::None, "base")
        .layer(Layer::new(), Compression::None, "RUN true")
        .layer(Layer::new(), Compression::None, "RUN true again");
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("legacy.tar");
    image.write_docker_archive(&path);
    let symlinks = tar::Archive::new(std::fs::File::open(&path).unwrap())
        .entries()
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().header().entry_type().is_symlink())
        .count();
    assert_eq!(symlinks, 1, "the repeated layer is written as a symlink");
    let facts =
        analyze_reference(&format!("docker-archive:{}", path.display()), &all_layers()).unwrap();
    assert_eq!(facts.layers.len(), 3);
    assert_eq!(facts.layers[1].digest, facts.layers[2].digest);
    assert_eq!(facts.layers[2].uncompressed, Some(1024));
    assert_eq!(
        facts.layers[2].created_by.as_deref(),
        Some("RUN true again")
    );
    assert_eq!(facts.user.uid, Some(10001));
}

/// Rewrites a tar archive, replacing the content of the members `replace` says.
fn rewrite_archive(path: &Path, replace: impl Fn(&str) -> Option<Vec<u8>>) {
    let bytes = std::fs::read(path).unwrap();
    let mut builder = tar::Builder::new(Vec::new());
    let mut archive = tar::Archive::new(&bytes[..]);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut header = entry.header().clone();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
        if let Some(new) = replace(&name) {
            content = new;
        }
        header.set_size(content.len() as u64);
        header.set_cksum();
        builder.append(&header, &content[..]).unwrap();
    }
    std::fs::write(path, builder.into_inner().unwrap()).unwrap();
}

#[test]
fn legacy_layers_are_verified_by_diff_id_even_when_compressed() {
    let image = Image::new()
        .user("app")
        .layer(base_layer(), Compression::Gzip, "base");
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("legacy-gz.tar");
    image.write_docker_archive_with(&path, Compression::Gzip);
    let reference = format!("docker-archive:{}", path.display());
    let facts = analyze_reference(&reference, &all_layers()).unwrap();
    assert_eq!(facts.user.uid, Some(10001));
    assert!(facts.layers[0].compressed < facts.layers[0].uncompressed.unwrap());

    // A layer.tar that is not the diff ID the config names.
    let evil = Layer::new()
        .file("etc/passwd", b"app:x:0:0::/:/bin/sh\n")
        .tar();
    rewrite_archive(&path, |name| {
        name.ends_with("layer.tar").then(|| evil.clone())
    });
    let error = analyze_reference(&reference, &all_layers()).unwrap_err();
    assert!(
        matches!(error, ImageError::DigestMismatch { .. }),
        "{error}"
    );
}

#[test]
fn opaque_whiteout_waste_counts_only_hidden_lower_files() {
    let image = Image::new()
        .layer(
            Layer::new()
                .dir("app")
                .file("app/a", &[1; 3000])
                .file("app/b", &[2; 2000])
                .file("keep", &[3; 500]),
            Compression::Gzip,
            "COPY app",
        )
        .layer(
            Layer::new()
                .dir("app")
                .opaque("app")
                .file("app/c", &[4; 100]),
            Compression::Gzip,
            "COPY app again",
        );
    let facts = facts_of(&image);
    let files = facts.files.unwrap();
    assert_eq!(files.wasted_bytes, 5000);
    assert_eq!(files.wasted[0].path, "app/a");
}

#[test]
fn setuid_files_are_found() {
    let image = Image::new().layer(
        base_layer()
            .dir("usr/bin")
            .file_with("usr/bin/passwd", b"x", 0o4755, 0, 0)
            .file_with("usr/bin/wall", b"x", 0o2755, 0, 5),
        Compression::Gzip,
        "base",
    );
    let files = facts_of(&image).files.unwrap();
    let paths: Vec<&str> = files.setuid.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["/usr/bin/passwd", "/usr/bin/wall"]);
}

#[test]
fn a_secret_deleted_by_a_later_layer_is_still_found() {
    let key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n";
    let image = Image::new()
        .layer(
            Layer::new().dir("root").file("root/deploy.pem", key),
            Compression::Gzip,
            "COPY key",
        )
        .layer(
            Layer::new().whiteout("root/deploy.pem"),
            Compression::Gzip,
            "RUN rm key",
        );
    let files = facts_of(&image).files.unwrap();
    let [secret] = files.secrets.as_slice() else {
        panic!("{:?}", files.secrets)
    };
    assert_eq!(secret.path, "/root/deploy.pem");
    assert_eq!(secret.kind, SecretKind::PrivateKey);
    assert_eq!(secret.layer, 0);
    assert!(!secret.present);
}

#[test]
fn package_caches_and_shells() {
    let image = Image::new().layer(
        base_layer()
            .file("var/lib/apt/lists/lock", b"")
            .file("var/lib/apt/lists/deb.debian.org_Packages", &[0; 700])
            .file("root/.cache/pip/http/ab", &[0; 50])
            .symlink("bin/bash", "sh"),
        Compression::Gzip,
        "RUN apt-get update",
    );
    let files = facts_of(&image).files.unwrap();
    let caches: Vec<(&str, u64)> = files.caches.iter().map(|c| (c.kind, c.bytes)).collect();
    assert_eq!(caches, [("apt lists", 700), ("pip cache", 50)]);
    assert_eq!(files.shells, ["/bin/sh", "/bin/bash"]);
}

#[test]
fn config_facts() {
    let image = Image::new()
        .env("DB_PASSWORD=hunter2")
        .expose("8080/tcp")
        .healthcheck(&["CMD", "true"])
        .layer(base_layer(), Compression::Gzip, "base");
    let facts = facts_of(&image);
    assert_eq!(
        facts.env,
        [("DB_PASSWORD".to_string(), "hunter2".to_string())]
    );
    assert_eq!(facts.exposed_ports, ["8080/tcp"]);
    assert_eq!(facts.healthcheck, HealthcheckFact::Present);

    let docker = Image::new().layer(base_layer(), Compression::Gzip, "base");
    assert_eq!(facts_of(&docker).healthcheck, HealthcheckFact::Missing);
    let oci = Image::new()
        .oci_config()
        .layer(base_layer(), Compression::Gzip, "base");
    assert_eq!(facts_of(&oci).healthcheck, HealthcheckFact::NotApplicable);
}

#[test]
fn multi_platform_index_selects_the_platform_and_skips_attestations() {
    let amd64 =
        Image::new()
            .user("1")
            .layer(Layer::new().file("amd64", b"x"), Compression::Gzip, "amd64");
    let arm64 = Image::new().architecture("arm64").user("2").layer(
        Layer::new().file("arm64", b"x"),
        Compression::Zstd,
        "arm64",
    );
    let dir = TempDir::new().unwrap();
    write_multi_platform(dir.path(), &[&amd64, &arm64]);
    let reference = format!("oci:{}", dir.path().display());
    let default = analyze_reference(&reference, &all_layers()).unwrap();
    assert_eq!(default.user.uid, Some(1));
    let options = AnalyzeOptions {
        platform: Platform::parse("linux/arm64").unwrap(),
        ..all_layers()
    };
    let arm = analyze_reference(&reference, &options).unwrap();
    assert_eq!(arm.user.uid, Some(2));
    let options = AnalyzeOptions {
        platform: Platform::parse("linux/s390x").unwrap(),
        ..all_layers()
    };
    let error = analyze_reference(&reference, &options)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("linux/s390x")
            && error.contains("linux/amd64")
            && error.contains("linux/arm64"),
        "{error}"
    );
    assert!(
        !error.contains("unknown"),
        "attestations are not platforms: {error}"
    );
}

#[test]
fn an_explicit_platform_must_match_a_single_platform_image() {
    let arm64 = Image::new().architecture("arm64").user("1").layer(
        Layer::new().file("a", b"x"),
        Compression::Gzip,
        "a",
    );
    let asked = |platform: &str, explicit: bool| AnalyzeOptions {
        platform: Platform::parse(platform).unwrap(),
        platform_explicit: explicit,
        ..all_layers()
    };
    assert!(try_facts(&arm64, &asked("linux/amd64", false)).is_ok());
    assert!(try_facts(&arm64, &asked("linux/arm64", true)).is_ok());
    let error = try_facts(&arm64, &asked("linux/amd64", true)).unwrap_err();
    assert!(
        matches!(error, ImageError::PlatformNotFound { .. }),
        "{error}"
    );
}

/// The error of analysing an image with one layer made of `layer` (raw tar bytes).
fn hostile(tar: Vec<u8>, compression: Compression, walk: WalkLimits) -> (String, Duration) {
    let image = Image::new().layer_tar(tar, compression, "hostile");
    let options = AnalyzeOptions {
        read_layers: true,
        walk,
        ..AnalyzeOptions::default()
    };
    let start = Instant::now();
    let error = try_facts(&image, &options).expect_err("hostile input must fail");
    (error.to_string(), start.elapsed())
}

#[test]
fn path_traversal_and_absolute_paths_fail_cleanly() {
    let (error, _) = hostile(
        Layer::new().raw("../../etc/cron.d/x", 1, b"x").tar(),
        Compression::Gzip,
        WalkLimits::default(),
    );
    assert!(
        error.contains("path traversal `../../etc/cron.d/x`"),
        "{error}"
    );
    let (error, _) = hostile(
        Layer::new().raw("/etc/passwd", 1, b"x").tar(),
        Compression::None,
        WalkLimits::default(),
    );
    assert!(error.contains("absolute path `/etc/passwd`"), "{error}");
    let hardlink = {
        let mut layer = Layer::new().file("a", b"x").tar();
        // A hard link whose target climbs out of the root.
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Link);
        header.set_size(0);
        header.as_old_mut().name[..4].copy_from_slice(b"evil");
        header.as_old_mut().linkname[..12].copy_from_slice(b"../etc/shado");
        header.set_cksum();
        let end = layer.len() - 1024;
        layer.splice(end..end, header.as_bytes().iter().copied());
        layer
    };
    let (error, _) = hostile(hardlink, Compression::Gzip, WalkLimits::default());
    assert!(error.contains("path traversal"), "{error}");
}

#[test]
fn symlink_loop_on_passwd_fails_cleanly() {
    let image = Image::new().user("app").layer(
        Layer::new()
            .dir("etc")
            .symlink("etc/passwd", "/etc/pw2")
            .symlink("etc/pw2", "passwd"),
        Compression::Gzip,
        "loop",
    );
    let error = try_facts(&image, &all_layers()).unwrap_err().to_string();
    assert!(error.contains("symlink loop"), "{error}");
}

#[test]
fn a_header_claiming_100_gb_fails_fast_without_allocating() {
    let tar = Layer::new()
        .raw("root/.ssh/id_rsa", 100_000_000_000, b"-----BEGIN")
        .tar();
    let (error, elapsed) = hostile(tar, Compression::Gzip, WalkLimits::default());
    assert!(error.contains("truncated"), "{error}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn a_header_claiming_more_than_an_entry_holds_is_hostile() {
    let tar = Layer::new().raw("big", 1 << 50, b"x").tar();
    let (error, _) = hostile(tar, Compression::Gzip, WalkLimits::default());
    assert!(
        error.contains("`big` claims 1125899906842624 bytes"),
        "{error}"
    );
}

#[test]
fn a_path_longer_than_64_kib_is_hostile() {
    let long = format!("srv/{}", "d/".repeat(40_000));
    let tar = Layer::new().file(long.trim_end_matches('/'), b"x").tar();
    let (error, _) = hostile(tar, Compression::Gzip, WalkLimits::default());
    assert!(
        error.contains("a path of 80003 bytes (64 KiB at most)"),
        "{error}"
    );
}

#[test]
fn gzip_bomb_is_stopped_by_the_ratio_check() {
    let tar = Layer::new().file("zeros", &vec![0; 8 << 20]).tar();
    // Fast gzip packs zeros about 100x; a real bomb (gzip -9) reaches 1000x.
    let walk = WalkLimits {
        ratio_floor: 1 << 20,
        max_ratio: 50,
        ..WalkLimits::default()
    };
    let (error, elapsed) = hostile(tar, Compression::Gzip, walk);
    assert!(error.contains("compression bomb"), "{error}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn decompressed_bytes_are_capped_per_layer() {
    let tar = Layer::new()
        .file(
            "data",
            &(0..3_000_000u64)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<_>>(),
        )
        .tar();
    let walk = WalkLimits {
        max_layer_bytes: 1 << 20,
        ..WalkLimits::default()
    };
    let (error, _) = hostile(tar, Compression::Zstd, walk);
    assert!(error.contains("per-layer limit"), "{error}");
}

#[test]
fn truncated_stream_fails_cleanly() {
    let blob = Compression::Gzip.compress(&Layer::new().file("a", &[1; 100_000]).tar());
    let image = Image::new().layer_raw_blob(blob[..blob.len() / 2].to_vec(), "cut");
    let error = try_facts(&image, &all_layers()).unwrap_err().to_string();
    assert!(
        error.contains("truncated") || error.contains("cannot read the layer"),
        "{error}"
    );
}

/// Flips one byte of a blob in the layout, keeping its name (the digest it claims).
fn corrupt_blob(dir: &Path, size: usize) -> PathBuf {
    let blobs = dir.join("blobs/sha256");
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        if bytes.len() == size {
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
            std::fs::write(&path, bytes).unwrap();
            return path;
        }
    }
    panic!("no blob of {size} bytes");
}

#[test]
fn corrupted_compressed_layer_is_reported_as_a_digest_mismatch() {
    // The flipped byte breaks the gzip trailer first; the digest says what happened.
    let blob = Compression::Gzip.compress(&Layer::new().file("a", &[9; 5000]).tar());
    let image = Image::new().layer_raw_blob(blob.clone(), "a");
    let dir = TempDir::new().unwrap();
    image.write_oci_dir(dir.path());
    corrupt_blob(dir.path(), blob.len());
    let error =
        analyze_reference(&format!("oci:{}", dir.path().display()), &all_layers()).unwrap_err();
    assert!(
        matches!(error, ImageError::DigestMismatch { .. }),
        "{error}"
    );
}

#[test]
fn xz_layers_are_unsupported_not_hostile() {
    let image = Image::new().layer_raw_blob(b"\xfd7zXZ\x00rest".to_vec(), "xz");
    let error = try_facts(&image, &all_layers()).unwrap_err();
    assert!(matches!(error, ImageError::Unsupported(_)), "{error}");
}

#[test]
fn corrupted_layer_digest_is_an_error() {
    let tar = Layer::new().file("a", b"hello").tar();
    let image = Image::new().layer_tar(tar.clone(), Compression::None, "a");
    let dir = TempDir::new().unwrap();
    image.write_oci_dir(dir.path());
    corrupt_blob(dir.path(), tar.len());
    let error =
        analyze_reference(&format!("oci:{}", dir.path().display()), &all_layers()).unwrap_err();
    assert!(
        matches!(error, ImageError::DigestMismatch { .. }),
        "{error}"
    );
}

#[test]
fn unreadable_references_say_why() {
    let missing = analyze_reference("oci:/nonexistent/layout", &all_layers())
        .unwrap_err()
        .to_string();
    assert!(missing.contains("not an OCI image layout"), "{missing}");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        b"not a tar at all, just text that is long enough to fill a block",
    )
    .unwrap();
    let error = analyze_reference(
        &format!("docker-archive:{}", file.path().display()),
        &all_layers(),
    )
    .unwrap_err()
    .to_string();
    assert!(!error.is_empty());
    // Nothing listens on port 1: an unreachable registry is an error naming the URL.
    let registry = analyze_reference("docker://127.0.0.1:1/app:1", &all_layers())
        .unwrap_err()
        .to_string();
    assert!(
        registry.contains("http://127.0.0.1:1/v2/app/manifests/1"),
        "{registry}"
    );
}

/// A source that can only read blobs in stream order, as a daemon's `docker save`
/// stream delivers them: sequential tar, arbitrary order, blobs unnamed.
struct StreamOnly {
    path: PathBuf,
    resolver: Box<dyn ImageSource>,
}

impl ImageSource for StreamOnly {
    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage> {
        self.resolver.resolve(platform)
    }

    fn read_layers(&self, _image: &ResolvedImage, sink: &LayerSink) -> Result<()> {
        let file = std::fs::File::open(&self.path).unwrap();
        let mut archive = tar::Archive::new(file);
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().ends_with("layer.tar") {
                assert!(sink.unnamed_layer(&mut entry)?);
            }
        }
        Ok(())
    }
}

#[test]
fn a_stream_in_arbitrary_order_merges_in_manifest_order() {
    let image = Image::new()
        .layer(base_layer(), Compression::None, "base")
        .layer(
            Layer::new().file("etc/passwd", &passwd(&[("app", 42)])),
            Compression::None,
            "users",
        )
        .layer(
            Layer::new().whiteout("bin/sh"),
            Compression::None,
            "no shell",
        )
        .user("app");
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("legacy.tar");
    // Written in reverse manifest order.
    image.write_docker_archive(&path);
    let reference = ImageReference::parse(&format!("docker-archive:{}", path.display())).unwrap();
    let source = StreamOnly {
        path: path.clone(),
        resolver: open(&reference).unwrap(),
    };
    let facts = analyze("stream", &source, &all_layers()).unwrap();
    assert_eq!(facts.user.uid, Some(42));
    assert!(facts.files.unwrap().shells.is_empty());
}

#[test]
fn long_names_gnu_and_pax() {
    let deep = format!("srv/{}/.git-credentials", "d".repeat(150));
    let mut tar = Layer::new().file(&deep, b"https://u:p@example.com").tar();
    // A PAX `path` record overriding a short ustar name.
    let pax_path = format!("opt/{}/id_rsa", "p".repeat(120));
    // The record's length counts its own three digits, a space, `path=` and a newline.
    let record = format!("{} path={pax_path}\n", pax_path.len() + 10);
    assert_eq!(record.len(), pax_path.len() + 10);
    let mut pax = tar::Header::new_ustar();
    pax.set_entry_type(tar::EntryType::XHeader);
    pax.set_path("PaxHeaders/x").unwrap();
    pax.set_size(record.len() as u64);
    pax.set_cksum();
    let mut file = tar::Header::new_ustar();
    file.set_path("short").unwrap();
    file.set_size(3);
    file.set_mode(0o600);
    file.set_cksum();
    let mut extra = Vec::new();
    for (header, data) in [(&pax, record.as_bytes()), (&file, &b"key"[..])] {
        extra.extend_from_slice(header.as_bytes());
        extra.extend_from_slice(data);
        extra.extend(std::iter::repeat_n(0, (512 - data.len() % 512) % 512));
    }
    let end = tar.len() - 1024;
    tar.splice(end..end, extra);

    let image = Image::new().layer_tar(tar, Compression::Gzip, "COPY . /");
    let files = facts_of(&image).files.unwrap();
    let paths: Vec<&str> = files.secrets.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths, [format!("/{deep}"), format!("/{pax_path}")]);
}

#[test]
fn hard_links_share_their_targets_content() {
    let image = Image::new().layer(
        Layer::new()
            .file_with("bin/busybox", b"x", 0o4755, 0, 0)
            .hardlink("bin/sh", "bin/busybox"),
        Compression::Gzip,
        "base",
    );
    let files = facts_of(&image).files.unwrap();
    assert_eq!(files.shells, ["/bin/sh", "/bin/busybox"]);
    // The link itself is no second setuid file: only the regular file carries the bit.
    assert_eq!(files.setuid.len(), 1);
}

#[test]
fn hostile_archive_members_fail_cleanly() {
    let dir = TempDir::new().unwrap();
    let cases = [
        (
            Layer::new().raw("index.json", 100_000_000_000, b"{}").tar(),
            "past the end of the archive",
        ),
        (
            Layer::new().raw("../index.json", 2, b"{}").tar(),
            "path traversal",
        ),
        (
            Layer::new().raw("/manifest.json", 2, b"[]").tar(),
            "absolute path",
        ),
    ];
    for (index, (tar, expected)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("{index}.tar"));
        std::fs::write(&path, tar).unwrap();
        let start = Instant::now();
        let error = analyze_reference(&format!("oci-archive:{}", path.display()), &all_layers())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{error}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn compressed_archives_are_refused_with_advice() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("image.tar.gz");
    std::fs::write(&path, Compression::Gzip.compress(&Layer::new().tar())).unwrap();
    let error = analyze_reference(&format!("docker-archive:{}", path.display()), &all_layers())
        .unwrap_err()
        .to_string();
    assert!(error.contains("decompress it first"), "{error}");
}

mod robustness {
    use proptest::prelude::*;

    use super::*;
    use crate::image::spec::Descriptor;
    use crate::image::walker::summarize_layer;

    fn any_descriptor() -> Descriptor {
        Descriptor {
            media_type: String::new(),
            digest: format!("sha256:{}", "0".repeat(64)),
            size: 0,
            platform: None,
            annotations: Default::default(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Garbage, raw or behind a valid gzip or zstd frame, is an error, never a panic.
        #[test]
        fn garbage_layers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), kind in 0..3u8) {
            let blob = match kind {
                0 => bytes.clone(),
                1 => Compression::Gzip.compress(&bytes),
                _ => Compression::Zstd.compress(&bytes),
            };
            let _ = summarize_layer(&mut &blob[..], Some(&any_descriptor()), &WalkLimits::default());
            let _ = summarize_layer(&mut &blob[..], None, &WalkLimits::default());
        }

        /// A valid layer cut anywhere fails cleanly.
        #[test]
        fn truncated_layers_never_panic(cut in 0usize..3000) {
            let tar = Layer::new().dir("etc").file("etc/passwd", &passwd(&[("a", 1)])).symlink("x", "/etc").tar();
            let blob = Compression::Gzip.compress(&tar);
            let cut = cut.min(blob.len());
            let _ = summarize_layer(&mut &blob[..cut], None, &WalkLimits::default());
        }
    }
}

#[test]
fn metadata_blobs_are_verified_as_they_are_read() {
    let image = Image::new().layer_tar(Layer::new().file("a", b"x").tar(), Compression::None, "a");
    let dir = TempDir::new().unwrap();
    image.write_oci_dir(dir.path());
    let config = std::fs::read_dir(dir.path().join("blobs/sha256"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            std::fs::read(path).is_ok_and(|bytes| bytes.windows(8).any(|w| w == b"\"rootfs\""))
        })
        .expect("a config blob");
    let original = std::fs::read(&config).unwrap();
    let reference = format!("oci:{}", dir.path().display());

    let mut tampered = original.clone();
    *tampered.last_mut().unwrap() ^= 1;
    std::fs::write(&config, &tampered).unwrap();
    let error = analyze_reference(&reference, &AnalyzeOptions::default()).unwrap_err();
    assert!(
        matches!(error, ImageError::DigestMismatch { .. }),
        "{error}"
    );

    // One byte more than the descriptor declares is refused as soon as it is read.
    let mut longer = original;
    longer.push(b'\n');
    std::fs::write(&config, &longer).unwrap();
    let error = analyze_reference(&reference, &AnalyzeOptions::default()).unwrap_err();
    assert!(error.to_string().contains("more than the"), "{error}");
}
