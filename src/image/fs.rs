//! The image's file system as a container sees it: the layers' entries merged in
//! manifest order, with whiteouts applied, plus the bytes the merge threw away.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::walker::{EntryKind, LayerSummary};

/// One path of the merged file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The index of the layer that wrote it last.
    pub layer: usize,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

/// A file a lower layer added and a later layer overwrote or deleted: its bytes are
/// still shipped, in the lower layer's blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WastedFile {
    pub path: String,
    pub size: u64,
    pub added_in: usize,
    pub removed_in: usize,
}

/// The merged file system.
#[derive(Debug, Clone, Default)]
pub struct MergedFs {
    pub nodes: BTreeMap<String, Node>,
    /// Every file a later layer overwrote or deleted, in merge order.
    pub wasted: Vec<WastedFile>,
}

/// Symlinks followed while resolving one path before it counts as a loop (Linux's
/// MAXSYMLINKS).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// A path that cannot be resolved inside the image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`/{path}`: more than {MAX_SYMLINK_HOPS} symbolic links (a symlink loop)")]
pub struct SymlinkLoop {
    pub path: String,
}

impl MergedFs {
    /// Merges layer summaries, lowest layer first.
    pub fn merge<'a>(layers: impl IntoIterator<Item = &'a LayerSummary>) -> MergedFs {
        let mut fs = MergedFs::default();
        for (index, layer) in layers.into_iter().enumerate() {
            // Whiteouts of a layer apply to the layers below it only, so before its own
            // entries: an opaque directory keeps what the same layer puts in it.
            for dir in &layer.opaque_dirs {
                fs.remove_children(dir, index);
            }
            for path in &layer.whiteouts {
                fs.remove(path, index);
                fs.remove_children(path, index);
            }
            for entry in &layer.entries {
                if let Some(old) = fs.nodes.get(&entry.path) {
                    let replaces_dir = old.kind == EntryKind::Dir && entry.kind != EntryKind::Dir;
                    fs.record_waste(&entry.path.clone(), index);
                    if replaces_dir {
                        fs.remove_children(&entry.path, index);
                    }
                }
                fs.nodes.insert(
                    entry.path.clone(),
                    Node {
                        layer: index,
                        kind: entry.kind.clone(),
                        size: entry.size,
                        mode: entry.mode,
                        uid: entry.uid,
                        gid: entry.gid,
                    },
                );
            }
        }
        fs
    }

    /// Total bytes of [`MergedFs::wasted`].
    pub fn wasted_bytes(&self) -> u64 {
        self.wasted.iter().map(|file| file.size).sum()
    }

    fn record_waste(&mut self, path: &str, removed_in: usize) {
        if let Some(node) = self.nodes.get(path)
            && node.kind == EntryKind::File
            && node.size > 0
        {
            self.wasted.push(WastedFile {
                path: path.to_string(),
                size: node.size,
                added_in: node.layer,
                removed_in,
            });
        }
    }

    fn remove(&mut self, path: &str, removed_in: usize) {
        self.record_waste(path, removed_in);
        self.nodes.remove(path);
    }

    /// Removes everything below `dir` (not `dir` itself).
    fn remove_children(&mut self, dir: &str, removed_in: usize) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let children: Vec<String> = self
            .nodes
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(path, _)| path.starts_with(&prefix))
            .map(|(path, _)| path.clone())
            .collect();
        for child in children {
            self.remove(&child, removed_in);
        }
    }

    /// Follows symlinks (in the image, never on the host) to the node `path` names.
    /// `Ok(None)` when nothing is there.
    pub fn resolve(&self, path: &str) -> Result<Option<(String, &Node)>, SymlinkLoop> {
        let mut pending: Vec<String> = components(path).rev().map(str::to_string).collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." | "" => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(part);
            let current = resolved.join("/");
            let Some(node) = self.nodes.get(&current) else {
                // Layers need not list parent directories: a missing one is implicit.
                if pending.is_empty() {
                    return Ok(None);
                }
                continue;
            };
            match &node.kind {
                EntryKind::Symlink(target) => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(SymlinkLoop {
                            path: path.trim_start_matches('/').to_string(),
                        });
                    }
                    resolved.pop();
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    pending.extend(components(target).rev().map(str::to_string));
                }
                EntryKind::Hardlink(target) if pending.is_empty() => {
                    // A hard link shares its target's content: report the target.
                    return Ok(self
                        .nodes
                        .get_key_value(target)
                        .map(|(path, node)| (path.clone(), node)));
                }
                _ => {}
            }
        }
        let current = resolved.join("/");
        Ok(self
            .nodes
            .get_key_value(&current)
            .map(|(path, node)| (path.clone(), node)))
    }

    /// Regular files, with their paths.
    pub fn files(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes
            .iter()
            .filter(|(_, node)| node.kind == EntryKind::File)
    }
}

fn components(path: &str) -> std::str::Split<'_, char> {
    path.trim_start_matches('/').split('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::walker::Entry;

    fn file(path: &str, size: u64) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::File,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
        }
    }

    fn dir(path: &str) -> Entry {
        Entry {
            kind: EntryKind::Dir,
            mode: 0o755,
            ..file(path, 0)
        }
    }

    fn link(path: &str, target: &str) -> Entry {
        Entry {
            kind: EntryKind::Symlink(target.into()),
            ..file(path, 0)
        }
    }

    fn layer(entries: Vec<Entry>, whiteouts: &[&str], opaque: &[&str]) -> LayerSummary {
        LayerSummary {
            entries,
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque_dirs: opaque.iter().map(|s| s.to_string()).collect(),
            ..LayerSummary::default()
        }
    }

    #[test]
    fn opaque_directory_hides_lower_layers_but_not_its_own_layer() {
        let base = layer(
            vec![dir("app"), file("app/old.js", 100), file("app/keep.txt", 7)],
            &[],
            &[],
        );
        let top = layer(vec![dir("app"), file("app/new.js", 30)], &[], &["app"]);
        let fs = MergedFs::merge([&base, &top]);
        let paths: Vec<&str> = fs.nodes.keys().map(String::as_str).collect();
        assert_eq!(paths, ["app", "app/new.js"]);
        assert_eq!(fs.wasted_bytes(), 107);
    }

    #[test]
    fn whiteouts_delete_files_and_directories() {
        let base = layer(
            vec![dir("d"), file("d/a", 5), file("f", 3), file("g", 1)],
            &[],
            &[],
        );
        let top = layer(vec![file("g", 2)], &["d", "f"], &[]);
        let fs = MergedFs::merge([&base, &top]);
        let paths: Vec<&str> = fs.nodes.keys().map(String::as_str).collect();
        assert_eq!(paths, ["g"]);
        assert_eq!(fs.wasted_bytes(), 5 + 3 + 1);
        assert!(
            fs.wasted
                .iter()
                .all(|w| w.added_in == 0 && w.removed_in == 1)
        );
    }

    #[test]
    fn symlinks_resolve_inside_the_image() {
        let l = layer(
            vec![
                dir("usr"),
                dir("usr/bin"),
                file("usr/bin/busybox", 10),
                link("bin", "usr/bin"),
                link("usr/bin/sh", "/bin/busybox"),
                link("loop1", "loop2"),
                link("loop2", "/loop1"),
                link("escape", "../../../../etc"),
            ],
            &[],
            &[],
        );
        let fs = MergedFs::merge([&l]);
        let (path, node) = fs.resolve("/bin/sh").unwrap().unwrap();
        assert_eq!((path.as_str(), node.size), ("usr/bin/busybox", 10));
        assert!(fs.resolve("/bin/bash").unwrap().is_none());
        assert!(fs.resolve("/loop1").is_err());
        assert!(fs.resolve("/escape/passwd").unwrap().is_none());
    }
}
