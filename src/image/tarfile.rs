//! Random access into a tar file on disk (`docker-archive:`, `oci-archive:`): one pass
//! over the headers records where each member's bytes are, then members are read by
//! seeking, from as many threads as want to.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::error::{ImageError, Result};
use super::walker::normalize_path;

/// A member of the archive: where a regular file's bytes are, or which member a link
/// stands for.
#[derive(Debug, Clone)]
enum Member {
    File {
        offset: u64,
        size: u64,
    },
    /// A symlink or hard link, its target normalized from the archive's root. Legacy
    /// `docker save` writes a repeated layer as a symlink `<id>/layer.tar ->
    /// ../<first>/layer.tar`.
    Link(String),
}

/// Links followed to find one member; more is a loop.
const MAX_LINK_HOPS: usize = 8;

/// The regular files (and links to them) of a tar archive.
#[derive(Debug)]
pub struct TarFile {
    path: PathBuf,
    members: HashMap<String, Member>,
}

impl TarFile {
    pub fn open(path: &Path) -> Result<TarFile> {
        let context = || format!("cannot read `{}`", path.display());
        let file = File::open(path).map_err(|error| ImageError::io(context(), error))?;
        let length = file
            .metadata()
            .map_err(|error| ImageError::io(context(), error))?
            .len();
        let mut magic = [0u8; 4];
        let n = (&file)
            .read(&mut magic)
            .map_err(|error| ImageError::io(context(), error))?;
        if matches!(&magic[..n], [0x1f, 0x8b, ..] | [0x28, 0xb5, 0x2f, 0xfd]) {
            // Random access needs the plain tar; a compressed one would have to be
            // decompressed in full for every layer.
            return Err(ImageError::Unsupported(format!(
                "`{}` is a compressed archive; decompress it first (gunzip / zstd -d)",
                path.display()
            )));
        }
        (&file)
            .seek(SeekFrom::Start(0))
            .map_err(|error| ImageError::io(context(), error))?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|error| ImageError::io(context(), error))?;
        for entry in entries {
            let entry = entry.map_err(|error| {
                ImageError::malformed(format!(
                    "`{}`: not a valid tar archive: {error}",
                    path.display()
                ))
            })?;
            let hostile = |error: std::io::Error| {
                ImageError::Hostile(format!("`{}`: {error}", path.display()))
            };
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = normalize_path(&raw).map_err(hostile)? else {
                continue;
            };
            let link = || {
                entry
                    .link_name_bytes()
                    .map(|target| String::from_utf8_lossy(&target).into_owned())
                    .unwrap_or_default()
            };
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let (offset, size) = (entry.raw_file_position(), entry.size());
                    // A header may claim more bytes than the file has; never trust it
                    // past EOF.
                    if offset.checked_add(size).is_none_or(|end| end > length) {
                        return Err(ImageError::malformed(format!(
                            "`{}`: member `{raw}` claims {size} bytes past the end of the archive (truncated?)",
                            path.display()
                        )));
                    }
                    Member::File { offset, size }
                }
                tar::EntryType::Symlink => {
                    let parent = name.rsplit_once('/').map_or("", |(parent, _)| parent);
                    let joined = if parent.is_empty() {
                        link()
                    } else {
                        format!("{parent}/{}", link())
                    };
                    Member::Link(resolve_dots(&joined).ok_or_else(|| {
                        ImageError::Hostile(format!(
                            "`{}`: link `{raw}` points outside the archive",
                            path.display()
                        ))
                    })?)
                }
                tar::EntryType::Link => match normalize_path(&link()).map_err(hostile)? {
                    Some(target) => Member::Link(target),
                    None => continue,
                },
                _ => continue,
            };
            members.insert(name, member);
        }
        Ok(TarFile {
            path: path.to_path_buf(),
            members,
        })
    }

    /// The offset and size of the file `name` is, following links.
    fn locate(&self, name: &str) -> Result<(u64, u64)> {
        let mut current = name;
        for _ in 0..=MAX_LINK_HOPS {
            match self.members.get(current) {
                Some(Member::File { offset, size }) => return Ok((*offset, *size)),
                Some(Member::Link(target)) => current = target,
                None => {
                    return Err(ImageError::malformed(format!(
                        "`{}` has no `{name}`",
                        self.path.display()
                    )));
                }
            }
        }
        Err(ImageError::Hostile(format!(
            "`{}`: `{name}` is a loop of links",
            self.path.display()
        )))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.locate(name).is_ok()
    }

    pub fn size(&self, name: &str) -> Option<u64> {
        self.locate(name).ok().map(|(_, size)| size)
    }

    /// A reader over one member.
    pub fn open_member(&self, name: &str) -> Result<io::Take<File>> {
        let (offset, size) = self.locate(name)?;
        let context = || format!("cannot read `{name}` in `{}`", self.path.display());
        let mut file = File::open(&self.path).map_err(|error| ImageError::io(context(), error))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|error| ImageError::io(context(), error))?;
        Ok(file.take(size))
    }

    /// A whole small member (JSON documents), refusing anything over `cap` bytes.
    pub fn read_member(&self, name: &str, cap: u64) -> Result<Vec<u8>> {
        let size = self.size(name).unwrap_or(0);
        if size > cap {
            return Err(ImageError::Limit(format!(
                "`{name}` in `{}` is {size} bytes, more than the {cap} a metadata file may have",
                self.path.display()
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        self.open_member(name)?
            .read_to_end(&mut bytes)
            .map_err(|error| ImageError::io(format!("cannot read `{name}`"), error))?;
        Ok(bytes)
    }
}

/// `a/../b/./c` -> `b/c`; `None` when `..` climbs above the root.
fn resolve_dots(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}
