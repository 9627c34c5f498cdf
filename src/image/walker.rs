//! The streaming layer walker: one layer blob in, one [`LayerSummary`] out.
//!
//! The blob is hashed and counted as it streams, decompressed by what its first bytes
//! say (gzip, zstd or none), and read as a tar without ever touching the host's file
//! system. Only file metadata is kept; contents are read only for small files that
//! matter (account files, secret candidates), up to a cap. Everything hostile fails
//! with an [`ImageError`] naming the layer: absolute or `..` paths, compression bombs,
//! truncated streams, wrong digests.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{self, Read};

use super::digest::DigestReader;
use super::error::{ImageError, Result};
use super::limits::WalkLimits;
use super::secrets::{self, SecretKind};
use super::spec::{Descriptor, LEGACY_LAYER_PATH};

/// What one tar entry is. A link's target is kept beside its path
/// ([`LayerSummary::link_target`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// The link target as written (absolute or relative, resolved inside the image).
    Symlink,
    /// The target is the normalized path of the file this one is a hard link to.
    Hardlink,
    /// Devices, FIFOs.
    Other,
}

/// One file, directory or link a layer adds or replaces. Layers hold tens of thousands
/// of these, so an entry is 24 bytes with no allocation of its own: its path (and a
/// link's target right after it) lives in the layer's [`LayerSummary`] name buffer.
/// UIDs and GIDs are 32-bit, as on Linux; a larger one in a tar header is kept as
/// `u32::MAX` (no real user has it). Sizes are 48-bit ([`Entry::MAX_SIZE`], 256 TiB)
/// and paths at most 64 KiB (Linux allows 4 KiB): the walker refuses larger ones as
/// hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Where the path starts in [`LayerSummary`]'s name buffer.
    name_start: u32,
    size_low: u32,
    uid: u32,
    gid: u32,
    size_high: u16,
    path_len: u16,
    /// The permission bits with setuid, setgid and sticky (`0o7777`); the file type is
    /// [`Entry::kind`].
    mode: u16,
    pub kind: EntryKind,
}

/// A secret found in one layer's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    pub path: String,
    pub kind: SecretKind,
}

/// Everything dockgate needs from one layer, independent of the other layers: layers
/// are summarised in any order (in parallel, or as a stream delivers them) and merged in
/// manifest order afterwards.
#[derive(Debug, Clone, Default)]
pub struct LayerSummary {
    /// The verified digest of the blob.
    pub digest: String,
    /// Bytes of the blob as stored (compressed).
    pub compressed: u64,
    /// Bytes of the tar stream after decompression.
    pub uncompressed: u64,
    /// Entries in tar order, whiteouts excluded ([`LayerSummary::entries`]).
    entries: Vec<Entry>,
    /// The entries' paths, each followed by its link target if it is a link: one
    /// buffer per layer rather than two allocations per entry.
    names: String,
    /// Paths this layer deletes from the layers below (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents this layer hides (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    /// Contents of small account files (`passwd`, `group`) by path.
    pub captured: BTreeMap<String, Vec<u8>>,
    pub secrets: Vec<SecretHit>,
}

impl Entry {
    /// The largest size an entry holds.
    pub const MAX_SIZE: u64 = (1 << 48) - 1;

    /// An entry to [`LayerSummary::push_entry`]; a size over [`Entry::MAX_SIZE`] is kept
    /// as the maximum (the walker refuses such headers before it gets here).
    pub fn new(kind: EntryKind, size: u64, mode: u32, uid: u64, gid: u64) -> Entry {
        let size = size.min(Entry::MAX_SIZE);
        Entry {
            name_start: 0,
            size_low: size as u32,
            uid: u32::try_from(uid).unwrap_or(u32::MAX),
            gid: u32::try_from(gid).unwrap_or(u32::MAX),
            size_high: (size >> 32) as u16,
            path_len: 0,
            mode: (mode & 0o7777) as u16,
            kind,
        }
    }

    pub fn size(&self) -> u64 {
        u64::from(self.size_high) << 32 | u64::from(self.size_low)
    }

    pub fn mode(&self) -> u32 {
        u32::from(self.mode)
    }

    pub fn uid(&self) -> u32 {
        self.uid
    }

    pub fn gid(&self) -> u32 {
        self.gid
    }
}

impl LayerSummary {
    /// Appends an entry; `target` is a link's target (empty for other kinds). Fails
    /// when the layer's names outgrow 4 GiB or a path 64 KiB (no real layer comes near).
    pub fn push_entry(
        &mut self,
        path: &str,
        target: &str,
        entry: Entry,
    ) -> std::result::Result<(), String> {
        let start = self.names.len();
        let Ok(path_len) = u16::try_from(path.len()) else {
            return Err(format!("a path of {} bytes (64 KiB at most)", path.len()));
        };
        let fits = |n: usize| u32::try_from(n).ok();
        let (Some(name_start), Some(_)) = (fits(start), fits(start + path.len() + target.len()))
        else {
            return Err("more than 4 GiB of file names in one layer".to_string());
        };
        self.names.push_str(path);
        self.names.push_str(target);
        self.entries.push(Entry {
            name_start,
            path_len,
            ..entry
        });
        Ok(())
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index` (tar order).
    pub fn entry(&self, index: usize) -> &Entry {
        &self.entries[index]
    }

    /// The path of the entry at `index`.
    pub fn path(&self, index: usize) -> &str {
        let entry = &self.entries[index];
        let start = entry.name_start as usize;
        &self.names[start..start + usize::from(entry.path_len)]
    }

    /// The target of the link at `index`; empty for an entry that is not a link.
    pub fn link_target(&self, index: usize) -> &str {
        let entry = &self.entries[index];
        let start = entry.name_start as usize + usize::from(entry.path_len);
        let end = self
            .entries
            .get(index + 1)
            .map_or(self.names.len(), |next| next.name_start as usize);
        &self.names[start..end]
    }

    /// Entries with their paths, in tar order.
    pub fn entries(&self) -> impl Iterator<Item = (usize, &str, &Entry)> {
        (0..self.entries.len()).map(|index| (index, self.path(index), &self.entries[index]))
    }

    /// Heap bytes the entries retain (capacity, not length): what a layer's metadata
    /// costs while the image is analysed.
    pub fn entries_heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>() + self.names.capacity()
    }
}

/// Analyses one layer blob. `expected` is the manifest's descriptor: the blob must have
/// its digest and size. Without one (a stream whose blobs are only known by content),
/// nothing is verified and [`LayerSummary::digest`] says which blob it was.
pub fn summarize_layer(
    blob: &mut dyn Read,
    expected: Option<&Descriptor>,
    limits: &WalkLimits,
) -> Result<LayerSummary> {
    let what = match expected {
        Some(expected) => format!("layer {}", expected.digest),
        None => "layer".to_string(),
    };
    let compressed = Cell::new(0);
    let unpacked_count = Cell::new(0);
    let limit_hit = RefCell::new(None);
    let diff_id = expected.is_some_and(|d| d.annotations.contains_key(LEGACY_LAYER_PATH));
    let mut raw = DigestReader::new(blob, &compressed);
    let mut summary = LayerSummary::default();

    let walked = (|| -> io::Result<(u64, Option<String>)> {
        let mut magic = [0u8; 6];
        let n = read_up_to(&mut raw, &mut magic)?;
        let input = (&magic[..n]).chain(&mut raw);
        let decoded: Box<dyn Read + '_> = match &magic[..n] {
            [0x1f, 0x8b, ..] => {
                Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(input)))
            }
            [0x28, 0xb5, 0x2f, 0xfd, ..] => {
                let mut decoder = zstd::stream::read::Decoder::new(input)?;
                // 128 MiB window at most: a frame may not demand more memory than that.
                decoder.window_log_max(27)?;
                Box::new(decoder)
            }
            [b'B', b'Z', b'h', ..] => {
                return Err(unsupported(
                    &limit_hit,
                    "bzip2-compressed layers are not supported",
                ));
            }
            [0xfd, b'7', b'z', b'X', b'Z', 0] => {
                return Err(unsupported(
                    &limit_hit,
                    "xz-compressed layers are not supported",
                ));
            }
            _ => Box::new(input),
        };
        let mut unpacked = if diff_id {
            DigestReader::new(decoded, &unpacked_count)
        } else {
            DigestReader::counting(decoded, &unpacked_count)
        };
        let mut bounded = Bounded {
            inner: &mut unpacked,
            count: 0,
            compressed: &compressed,
            limits,
            limit_hit: &limit_hit,
        };
        walk_tar(&mut bounded, limits, &mut summary)?;
        // What follows the tar's end blocks still belongs to the blob (and its digest).
        io::copy(&mut bounded, &mut io::sink())?;
        let count = bounded.count;
        Ok((count, unpacked.digest()))
    })();

    let (uncompressed, unpacked_digest) = match walked {
        Ok(walked) => walked,
        Err(error) => {
            match limit_hit.borrow_mut().take() {
                Some(Stop::Limit(message)) => {
                    return Err(ImageError::Limit(format!("{what}: {message}")));
                }
                Some(Stop::Unsupported(message)) => {
                    return Err(ImageError::Unsupported(format!("{what}: {message}")));
                }
                None => {}
            }
            // A damaged blob usually fails to decompress before its digest can be
            // checked; the digest is the better diagnosis, so finish reading and check.
            if let Some(expected) = expected
                && !diff_id
                && error.get_ref().is_none_or(|e| !e.is::<Hostile>())
                && let Ok(digest) = raw.finish()
                && compressed.get() == expected.size
                && digest != expected.digest
            {
                return Err(ImageError::DigestMismatch {
                    what,
                    expected: expected.digest.clone(),
                    actual: digest,
                });
            }
            let eof = error.kind() == io::ErrorKind::UnexpectedEof
                || error.to_string().contains("unexpected EOF");
            return Err(match error.kind() {
                _ if eof => ImageError::malformed(format!(
                    "{what}: truncated: the stream ends in the middle of the layer ({error})"
                )),
                io::ErrorKind::Other if error.get_ref().is_some_and(|e| e.is::<Hostile>()) => {
                    ImageError::Hostile(format!("{what}: {error}"))
                }
                _ => ImageError::malformed(format!("{what}: cannot read the layer: {error}")),
            });
        }
    };
    let digest = raw
        .finish()
        .map_err(|error| ImageError::io(format!("{what}: cannot read the blob"), error))?;
    if let Some(expected) = expected {
        let actual = unpacked_digest.unwrap_or_else(|| digest.clone());
        if actual != expected.digest {
            return Err(ImageError::DigestMismatch {
                what,
                expected: expected.digest.clone(),
                actual,
            });
        }
        if compressed.get() != expected.size {
            return Err(ImageError::SizeMismatch {
                what,
                expected: expected.size,
                actual: compressed.get(),
            });
        }
    }
    summary.digest = expected.map_or(digest, |expected| expected.digest.clone());
    summary.compressed = compressed.get();
    summary.uncompressed = uncompressed;
    Ok(summary)
}

fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Why the walk stopped on purpose; carried beside the I/O error, which the tar and
/// decompression layers may wrap beyond recognition.
enum Stop {
    Limit(String),
    Unsupported(String),
}

fn unsupported(limit_hit: &RefCell<Option<Stop>>, message: &str) -> io::Error {
    *limit_hit.borrow_mut() = Some(Stop::Unsupported(message.to_string()));
    io::Error::other(message.to_string())
}

/// Marks an error as hostile input (rather than a damaged one).
#[derive(Debug)]
struct Hostile(String);

impl std::fmt::Display for Hostile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Hostile {}

fn hostile(message: String) -> io::Error {
    io::Error::other(Hostile(message))
}

/// Counts decompressed bytes and stops a compression bomb: an absolute cap per layer,
/// and a ratio against the compressed bytes read so far.
struct Bounded<'a, R> {
    inner: R,
    count: u64,
    compressed: &'a Cell<u64>,
    limits: &'a WalkLimits,
    limit_hit: &'a RefCell<Option<Stop>>,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        let message = if self.count > self.limits.max_layer_bytes {
            Some(format!(
                "decompresses to more than {} bytes (the per-layer limit); a compression bomb?",
                self.limits.max_layer_bytes
            ))
        } else if self.count > self.limits.ratio_floor
            && self.count / self.compressed.get().max(1) > self.limits.max_ratio
        {
            Some(format!(
                "decompresses more than {}x ({} bytes from {}); a compression bomb?",
                self.limits.max_ratio,
                self.count,
                self.compressed.get()
            ))
        } else {
            None
        };
        match message {
            Some(message) => {
                *self.limit_hit.borrow_mut() = Some(Stop::Limit(message.clone()));
                Err(io::Error::other(message))
            }
            None => Ok(n),
        }
    }
}

/// Normalizes a tar path: strips `./` and trailing `/`; rejects absolute paths and `..`,
/// which would place files outside the root when extracted. `None` for the root itself.
pub fn normalize_path(raw: &str) -> io::Result<Option<String>> {
    if raw.starts_with('/') {
        return Err(hostile(format!("absolute path `{raw}` in the layer")));
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(hostile(format!("path traversal `{raw}` in the layer"))),
            part => parts.push(part),
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join("/")))
}

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

fn walk_tar(
    reader: &mut dyn Read,
    limits: &WalkLimits,
    summary: &mut LayerSummary,
) -> io::Result<()> {
    let mut archive = tar::Archive::new(reader);
    // One buffer for the contents read, reused: files are read one at a time.
    let mut buffer = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalize_path(&raw_path)? else {
            continue;
        };
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (parent, name),
            None => ("", path.as_str()),
        };
        if name == OPAQUE {
            summary.opaque_dirs.push(parent.to_string());
            continue;
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT) {
            // `.wh..wh.*` other than the opaque marker is aufs bookkeeping, not a deletion.
            if !hidden.starts_with(".wh.") && !hidden.is_empty() {
                summary.whiteouts.push(join(parent, hidden));
            }
            continue;
        }
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            tar::EntryType::XGlobalHeader => continue,
            _ => EntryKind::Other,
        };
        let target = match kind {
            EntryKind::Symlink => entry
                .link_name_bytes()
                .map(|target| String::from_utf8_lossy(&target).into_owned())
                .unwrap_or_default(),
            EntryKind::Hardlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|target| String::from_utf8_lossy(&target).into_owned())
                    .unwrap_or_default();
                match normalize_path(&target)? {
                    Some(target) => target,
                    None => return Err(hostile(format!("hard link `{path}` to the root"))),
                }
            }
            _ => String::new(),
        };
        let size = entry.size();
        if size > Entry::MAX_SIZE {
            return Err(hostile(format!("`{path}` claims {size} bytes")));
        }
        let mode = header.mode().unwrap_or(0);
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);

        if kind == EntryKind::File {
            let account = matches!(name, "passwd" | "group") && size <= limits.account_file_bytes;
            let scan = size <= limits.secret_scan_bytes;
            buffer.clear();
            let read = account || scan;
            if read {
                let cap = size.min(limits.account_file_bytes.max(limits.secret_scan_bytes));
                buffer.reserve_exact(cap as usize);
                (&mut entry).take(cap).read_to_end(&mut buffer)?;
            }
            let content = read.then_some(buffer.as_slice());
            let mut kinds: Vec<SecretKind> = secrets::by_name(&path, content).into_iter().collect();
            // Binary files (a NUL early on) are not scanned: tokens in them are noise.
            if let Some(content) = content
                && !content[..content.len().min(8192)].contains(&0)
            {
                for kind in secrets::by_content(content) {
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
            }
            for kind in kinds {
                summary.secrets.push(SecretHit {
                    path: path.clone(),
                    kind,
                });
            }
            if account && let Some(content) = content {
                summary.captured.insert(path.clone(), content.to_vec());
            }
            // An account file may have grown the buffer to megabytes; keep it small.
            if buffer.capacity() as u64 > limits.secret_scan_bytes {
                buffer = Vec::new();
            }
        }
        summary
            .push_entry(&path, &target, Entry::new(kind, size, mode, uid, gid))
            .map_err(|message| hostile(format!("{message}: a hostile layer?")))?;
    }
    summary.entries.shrink_to_fit();
    summary.names.shrink_to_fit();
    Ok(())
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}
