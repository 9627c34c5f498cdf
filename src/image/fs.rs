//! The image's file system as a container sees it: the layers' entries merged in
//! manifest order, with whiteouts applied, plus the bytes the merge threw away.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use super::walker::{EntryKind, LayerSummary};

/// One path of the merged file system: the entry of the layer that wrote it last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The index of the layer that wrote it last.
    pub layer: usize,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

/// Where a merged path's entry is: 8 bytes per path of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef {
    /// The layer's position in the manifest.
    layer: u32,
    /// The entry's index in that layer.
    entry: u32,
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

/// The merged file system: every path once, sorted, each a reference to the entry
/// that wrote it last. The paths stay in the layer summaries, so the merge costs 8
/// bytes per path of the image.
#[derive(Debug, Clone, Default)]
pub struct MergedFs<'a> {
    layers: Vec<&'a LayerSummary>,
    /// Sorted by path (byte order), one per path.
    nodes: Vec<EntryRef>,
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

fn path_of<'a>(layers: &[&'a LayerSummary], at: EntryRef) -> &'a str {
    layers[at.layer as usize].path(at.entry as usize)
}

fn node_of(layers: &[&LayerSummary], at: EntryRef) -> Node {
    let entry = layers[at.layer as usize].entry(at.entry as usize);
    Node {
        layer: at.layer as usize,
        kind: entry.kind,
        size: entry.size(),
        mode: entry.mode(),
        uid: u64::from(entry.uid()),
        gid: u64::from(entry.gid()),
    }
}

/// `dir/`, what `dir`'s descendants start with; empty for the root.
fn child_prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// One layer going onto the merged layers below it. The lower layers' paths are a sorted
/// slice that only loses paths; the layer's own entries go into a map in tar order
/// (later entries may replace or remove earlier ones), and both are merged into one
/// sorted list at the end.
struct LayerMerge<'m, 'a> {
    layers: &'m [&'a LayerSummary],
    index: usize,
    lower: &'m [EntryRef],
    /// Lower paths this layer removed (overwrote, deleted, hid).
    removed: Vec<bool>,
    /// Directories whose lower descendants are all removed already.
    cut: BTreeSet<&'a str>,
    /// This layer's paths so far, to the index of the entry that wrote them last.
    upper: BTreeMap<&'a str, u32>,
    wasted: &'m mut Vec<WastedFile>,
}

impl<'a> LayerMerge<'_, 'a> {
    fn lower_position(&self, path: &str) -> Option<usize> {
        self.lower
            .binary_search_by(|&at| path_of(self.layers, at).cmp(path))
            .ok()
            .filter(|&position| !self.removed[position])
    }

    fn waste(&mut self, path: &str, node: Node) {
        if node.kind == EntryKind::File && node.size > 0 {
            self.wasted.push(WastedFile {
                path: path.to_string(),
                size: node.size,
                added_in: node.layer,
                removed_in: self.index,
            });
        }
    }

    fn upper_node(&self, entry: u32) -> Node {
        node_of(
            self.layers,
            EntryRef {
                layer: self.index as u32,
                entry,
            },
        )
    }

    /// Removes `path` itself, recording its bytes as wasted if it is a file.
    fn remove(&mut self, path: &str) {
        if let Some(entry) = self.upper.remove(path) {
            let node = self.upper_node(entry);
            self.waste(path, node);
        } else if let Some(position) = self.lower_position(path) {
            self.removed[position] = true;
            let node = node_of(self.layers, self.lower[position]);
            self.waste(path, node);
        }
    }

    /// Removes everything below `dir` (not `dir` itself).
    fn remove_children(&mut self, dir: &'a str) {
        let prefix = child_prefix(dir);
        let children: Vec<(&'a str, u32)> = self
            .upper
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(path, _)| path.starts_with(&prefix))
            .map(|(path, entry)| (*path, *entry))
            .collect();
        for (path, entry) in children {
            self.upper.remove(path);
            let node = self.upper_node(entry);
            self.waste(path, node);
        }
        // Lower paths never come back: below a directory cut before, nothing is left.
        let mut ancestor = Some(dir);
        while let Some(current) = ancestor {
            if self.cut.contains(current) {
                return;
            }
            ancestor = match current.rsplit_once('/') {
                Some((parent, _)) => Some(parent),
                None if current.is_empty() => None,
                None => Some(""),
            };
        }
        self.cut.insert(dir);
        let layers = self.layers;
        let start = self
            .lower
            .partition_point(|&at| path_of(layers, at) < prefix.as_str());
        let end = start
            + self.lower[start..].partition_point(|&at| path_of(layers, at).starts_with(&prefix));
        for position in start..end {
            if !self.removed[position] {
                self.removed[position] = true;
                let at = self.lower[position];
                self.waste(path_of(layers, at), node_of(layers, at));
            }
        }
    }

    /// Adds (or replaces) one of the layer's entries, in tar order.
    fn add(&mut self, entry_index: usize, path: &'a str) {
        let layer = self.layers[self.index];
        let kind = layer.entry(entry_index).kind;
        let old = match self.upper.get(path) {
            Some(&entry) => Some(self.upper_node(entry)),
            None => self
                .lower_position(path)
                .map(|position| node_of(self.layers, self.lower[position])),
        };
        if let Some(old) = old {
            self.remove(path);
            if old.kind == EntryKind::Dir && kind != EntryKind::Dir {
                self.remove_children(path);
            }
        }
        // Entry counts fit: a layer's entries are bounded by its 4 GiB name buffer.
        self.upper.insert(path, entry_index as u32);
    }

    /// What the layer changed: the lower paths it removed, and its own paths.
    fn finish(self) -> (Vec<bool>, BTreeMap<&'a str, u32>) {
        (self.removed, self.upper)
    }
}

/// Merges a layer's paths into the sorted lower ones, in place: the removed lower paths
/// go, then the layer's own (sorted too) are merged in from the back, so the merged list
/// is never copied.
fn merge_sorted<'a>(
    layers: &[&'a LayerSummary],
    nodes: &mut Vec<EntryRef>,
    removed: &[bool],
    layer: u32,
    upper: BTreeMap<&'a str, u32>,
) {
    let mut position = 0;
    nodes.retain(|_| {
        position += 1;
        !removed[position - 1]
    });
    let mut lower = nodes.len();
    nodes.reserve_exact(upper.len());
    nodes.resize(lower + upper.len(), EntryRef { layer, entry: 0 });
    let mut free = nodes.len();
    for (path, entry) in upper.into_iter().rev() {
        while lower > 0 && path_of(layers, nodes[lower - 1]) > path {
            nodes[free - 1] = nodes[lower - 1];
            lower -= 1;
            free -= 1;
        }
        nodes[free - 1] = EntryRef { layer, entry };
        free -= 1;
    }
}

impl<'a> MergedFs<'a> {
    /// Merges layer summaries, lowest layer first.
    pub fn merge(layers: impl IntoIterator<Item = &'a LayerSummary>) -> MergedFs<'a> {
        let mut fs = MergedFs::default();
        for (index, layer) in layers.into_iter().enumerate() {
            fs.layers.push(layer);
            let mut merge = LayerMerge {
                layers: &fs.layers,
                index,
                lower: &fs.nodes,
                removed: vec![false; fs.nodes.len()],
                cut: BTreeSet::new(),
                upper: BTreeMap::new(),
                wasted: &mut fs.wasted,
            };
            // Whiteouts of a layer apply to the layers below it only, so before its own
            // entries: an opaque directory keeps what the same layer puts in it.
            for dir in &layer.opaque_dirs {
                merge.remove_children(dir);
            }
            for path in &layer.whiteouts {
                merge.remove(path);
                merge.remove_children(path);
            }
            for (entry_index, path, _) in layer.entries() {
                merge.add(entry_index, path);
            }
            let (removed, upper) = merge.finish();
            // The layer count fits: an image has far fewer than 2^32 layers.
            merge_sorted(&fs.layers, &mut fs.nodes, &removed, index as u32, upper);
        }
        fs
    }

    fn node(&self, at: EntryRef) -> Node {
        node_of(&self.layers, at)
    }

    fn link_target(&self, at: EntryRef) -> &'a str {
        self.layers[at.layer as usize].link_target(at.entry as usize)
    }

    fn find(&self, path: &str) -> Option<(&'a str, EntryRef)> {
        let position = self
            .nodes
            .binary_search_by(|&at| path_of(&self.layers, at).cmp(path))
            .ok()?;
        let at = self.nodes[position];
        Some((path_of(&self.layers, at), at))
    }

    /// The node at exactly `path` (no symlinks followed).
    pub fn get(&self, path: &str) -> Option<Node> {
        self.find(path).map(|(_, at)| self.node(at))
    }

    /// The number of paths.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every path, in order.
    pub fn paths(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.nodes.iter().map(|&at| path_of(&self.layers, at))
    }

    /// Heap bytes the merged paths take (capacity): 8 per path.
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<EntryRef>()
    }

    /// Total bytes of [`MergedFs::wasted`].
    pub fn wasted_bytes(&self) -> u64 {
        self.wasted.iter().map(|file| file.size).sum()
    }

    /// Follows symlinks (in the image, never on the host) to the node `path` names.
    /// `Ok(None)` when nothing is there.
    pub fn resolve(&self, path: &str) -> Result<Option<(String, Node)>, SymlinkLoop> {
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
            let Some((_, at)) = self.find(&current) else {
                // Layers need not list parent directories: a missing one is implicit.
                if pending.is_empty() {
                    return Ok(None);
                }
                continue;
            };
            match self.node(at).kind {
                EntryKind::Symlink => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(SymlinkLoop {
                            path: path.trim_start_matches('/').to_string(),
                        });
                    }
                    resolved.pop();
                    let target = self.link_target(at);
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    pending.extend(components(target).rev().map(str::to_string));
                }
                EntryKind::Hardlink if pending.is_empty() => {
                    // A hard link shares its target's content: report the target.
                    return Ok(self
                        .find(self.link_target(at))
                        .map(|(path, at)| (path.to_string(), self.node(at))));
                }
                _ => {}
            }
        }
        let current = resolved.join("/");
        Ok(self
            .find(&current)
            .map(|(path, at)| (path.to_string(), self.node(at))))
    }

    /// Regular files, with their paths.
    pub fn files(&self) -> impl Iterator<Item = (&'a str, Node)> + '_ {
        self.nodes.iter().filter_map(|&at| {
            let node = self.node(at);
            (node.kind == EntryKind::File).then(|| (path_of(&self.layers, at), node))
        })
    }
}

fn components(path: &str) -> std::str::Split<'_, char> {
    path.trim_start_matches('/').split('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::walker::Entry;

    /// A path, a link target and the entry.
    type Spec = (&'static str, &'static str, Entry);

    fn file(path: &'static str, size: u64) -> Spec {
        (path, "", Entry::new(EntryKind::File, size, 0o644, 0, 0))
    }

    fn dir(path: &'static str) -> Spec {
        (path, "", Entry::new(EntryKind::Dir, 0, 0o755, 0, 0))
    }

    fn link(path: &'static str, target: &'static str) -> Spec {
        (path, target, Entry::new(EntryKind::Symlink, 0, 0o777, 0, 0))
    }

    fn layer(entries: Vec<Spec>, whiteouts: &[&str], opaque: &[&str]) -> LayerSummary {
        let mut summary = LayerSummary::default();
        summary.whiteouts = whiteouts.iter().map(|s| s.to_string()).collect();
        summary.opaque_dirs = opaque.iter().map(|s| s.to_string()).collect();
        for (path, target, entry) in entries {
            summary.push_entry(path, target, entry).unwrap();
        }
        summary
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
        let paths: Vec<&str> = fs.paths().collect();
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
        let paths: Vec<&str> = fs.paths().collect();
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
        assert_eq!(fs.len(), 8);
        assert!(fs.resolve("/bin/bash").unwrap().is_none());
        assert!(fs.resolve("/loop1").is_err());
        assert!(fs.resolve("/escape/passwd").unwrap().is_none());
    }

    /// A merged path: the path, its layer, its kind and its size.
    type Merged = (String, usize, EntryKind, u64);

    /// The merge as it was first written: a map of owned paths, layer by layer in tar
    /// order. The sorted, borrowed merge must agree with it on every input.
    fn reference_merge(layers: &[LayerSummary]) -> (Vec<Merged>, Vec<WastedFile>) {
        type Nodes = BTreeMap<String, (usize, EntryKind, u64)>;
        fn waste(nodes: &Nodes, wasted: &mut Vec<WastedFile>, path: &str, removed_in: usize) {
            if let Some(&(layer, kind, size)) = nodes.get(path)
                && kind == EntryKind::File
                && size > 0
            {
                wasted.push(WastedFile {
                    path: path.to_string(),
                    size,
                    added_in: layer,
                    removed_in,
                });
            }
        }
        fn remove_children(nodes: &mut Nodes, wasted: &mut Vec<WastedFile>, dir: &str, at: usize) {
            let prefix = child_prefix(dir);
            let children: Vec<String> = nodes
                .keys()
                .filter(|path| path.starts_with(&prefix))
                .cloned()
                .collect();
            for child in children {
                waste(nodes, wasted, &child, at);
                nodes.remove(&child);
            }
        }
        let mut nodes = Nodes::new();
        let mut wasted = Vec::new();
        for (index, layer) in layers.iter().enumerate() {
            for dir in &layer.opaque_dirs {
                remove_children(&mut nodes, &mut wasted, dir, index);
            }
            for path in &layer.whiteouts {
                waste(&nodes, &mut wasted, path, index);
                nodes.remove(path);
                remove_children(&mut nodes, &mut wasted, path, index);
            }
            for (_, path, entry) in layer.entries() {
                if let Some(&(_, kind, _)) = nodes.get(path) {
                    waste(&nodes, &mut wasted, path, index);
                    if kind == EntryKind::Dir && entry.kind != EntryKind::Dir {
                        remove_children(&mut nodes, &mut wasted, path, index);
                    }
                }
                nodes.insert(path.to_string(), (index, entry.kind, entry.size()));
            }
        }
        let nodes = nodes
            .into_iter()
            .map(|(path, (layer, kind, size))| (path, layer, kind, size))
            .collect();
        (nodes, wasted)
    }

    const PATHS: &[&str] = &[
        "a", "a/b", "a/b/c", "a/c", "a-b", "a-b/c", "a.b", "b", "b/a", "b/a/a", "ab",
    ];

    fn arbitrary_layer() -> impl proptest::strategy::Strategy<Value = LayerSummary> {
        use proptest::prelude::*;
        let entry = (0..PATHS.len(), 0..3u8, 0..3u64);
        let removal = proptest::collection::vec(0..PATHS.len() + 1, 0..3);
        (
            proptest::collection::vec(entry, 0..12),
            removal.clone(),
            removal,
        )
            .prop_map(|(entries, whiteouts, opaque)| {
                // Index PATHS.len() is the root (an opaque root hides every lower path).
                let name = |i: usize| PATHS.get(i).copied().unwrap_or("").to_string();
                let mut summary = LayerSummary::default();
                summary.whiteouts = whiteouts
                    .into_iter()
                    .map(name)
                    .filter(|p| !p.is_empty())
                    .collect();
                summary.opaque_dirs = opaque.into_iter().map(name).collect();
                for (path, kind, size) in entries {
                    let (kind, target) = match kind {
                        0 => (EntryKind::File, ""),
                        1 => (EntryKind::Dir, ""),
                        _ => (EntryKind::Symlink, "a/b"),
                    };
                    summary
                        .push_entry(PATHS[path], target, Entry::new(kind, size, 0o644, 0, 0))
                        .unwrap();
                }
                summary
            })
    }

    proptest::proptest! {
        #[test]
        fn sorted_merge_agrees_with_the_map_merge(
            layers in proptest::collection::vec(arbitrary_layer(), 1..5)
        ) {
            let fs = MergedFs::merge(&layers);
            let merged: Vec<Merged> = fs
                .paths()
                .map(|path| {
                    let node = fs.get(path).unwrap();
                    (path.to_string(), node.layer, node.kind, node.size)
                })
                .collect();
            let (expected, mut expected_waste) = reference_merge(&layers);
            proptest::prop_assert_eq!(merged, expected);
            let key = |w: &WastedFile| (w.path.clone(), w.added_in, w.removed_in, w.size);
            let mut wasted = fs.wasted.clone();
            wasted.sort_by_key(key);
            expected_waste.sort_by_key(key);
            proptest::prop_assert_eq!(wasted, expected_waste);
        }
    }

    /// A layer of `files` files in directories of 500, as `docker save` writes them.
    fn layer_tar(files: usize) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for index in 0..files {
            let mut header = tar::Header::new_ustar();
            header.set_size(1);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            let path = format!("usr/lib/app/d{}/file-{index}.so", index / 500);
            builder.append_data(&mut header, path, &b"x"[..]).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn entries_keep_sizes_modes_and_ids() {
        let entry = Entry::new(EntryKind::File, 100_000_000_000, 0o104755, 10001, 1 << 40);
        assert_eq!(entry.size(), 100_000_000_000);
        assert_eq!(entry.mode(), 0o4755, "the file type is `kind`'s");
        assert_eq!((entry.uid(), entry.gid()), (10001, u32::MAX));
        assert_eq!(
            Entry::new(EntryKind::File, u64::MAX, 0, 0, 0).size(),
            Entry::MAX_SIZE
        );
    }

    /// The regression guard for per-file memory, in bytes rather than time: an image's
    /// metadata is held once, as one 24-byte entry plus its path per layer entry, and
    /// the merged file system adds 8 bytes per path. A change that gives entries their
    /// own allocations or copies paths into the merge fails here.
    #[test]
    fn per_file_memory_stays_compact() {
        use crate::image::limits::WalkLimits;
        use crate::image::walker::summarize_layer;
        assert!(
            std::mem::size_of::<Entry>() <= 24,
            "{}",
            std::mem::size_of::<Entry>()
        );
        assert_eq!(std::mem::size_of::<EntryRef>(), 8);

        let files = 20_000;
        let blob = layer_tar(files);
        let summary = summarize_layer(&mut &blob[..], None, &WalkLimits::default()).unwrap();
        assert_eq!(summary.len(), files);
        let path_bytes: usize = summary.entries().map(|(_, path, _)| path.len()).sum();
        let per_file = (summary.entries_heap_bytes() - path_bytes) / files;
        assert!(per_file <= 32, "{per_file} bytes per file besides its path");

        // The same layer twice (every path overwritten once): still 8 bytes a path.
        let fs = MergedFs::merge([&summary, &summary]);
        assert_eq!(fs.len(), files);
        assert!(
            fs.heap_bytes() <= 8 * files,
            "{} bytes for {files} merged paths",
            fs.heap_bytes()
        );
    }
}
