//! No import cycles between modules.
//!
//! Data flows one way (settings -> workspace -> front end -> rules -> suppression ->
//! verdict -> reporters), so at every level of the module tree the children of a module
//! must form an acyclic graph: module `a` depends on its sibling `b` when any file in
//! `a`'s subtree names a path into `b`'s subtree (`use crate::b::...`, `crate::b::X`
//! in code, `super::b::...`). A module and its own parent or children are not siblings:
//! a `mod.rs` that re-exports its children, and children that use their parent's
//! types, are the tree itself, not a cycle. Comments (and doc links) do not count.
//!
//! The check reads the source as text (like `cargo modules dependencies --acyclic`,
//! without a toolchain to install), so it runs in the ordinary test suite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModulePath = Vec<String>;

/// Every `.rs` file under `src/` with its module path (`src/image/facts.rs` ->
/// `image::facts`; `src/lib.rs` and `src/main.rs` -> the crate root).
fn source_files() -> Vec<(ModulePath, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(&src).unwrap().with_extension("");
                let mut module: ModulePath = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                files.push((module, path));
            }
        }
    }
    files.sort();
    files
}

/// The code of `text` without comments and string literals.
fn code_of(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        code.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                code.push_str("\"\"");
            }
            _ => code.push(c),
        }
    }
    code
}

/// The module paths a file names: each `crate::...` and `super::...` path, with
/// `use` groups (`crate::a::{b, c::D}`) expanded, resolved to absolute paths.
fn referenced_paths(module: &ModulePath, is_mod_file: bool, code: &str) -> Vec<ModulePath> {
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let rest = &code[index..];
        let word_start = index == 0 || !is_ident(bytes[index - 1]);
        let base = if !word_start {
            None
        } else if rest.starts_with("crate::") {
            Some((Vec::new(), "crate::".len()))
        } else if rest.starts_with("super::") {
            // In `a/b.rs` (module a::b) `super` is `a`; in `a/b/mod.rs` it is `a` too.
            let _ = is_mod_file;
            let parent = module[..module.len().saturating_sub(1)].to_vec();
            Some((parent, "super::".len()))
        } else {
            None
        };
        let Some((mut prefix, skip)) = base else {
            index += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        index += skip;
        // Further `super::` segments.
        while code[index..].starts_with("super::") {
            prefix.pop();
            index += "super::".len();
        }
        let (found, end) = parse_tree(code, index, prefix);
        paths.extend(found);
        index = end.max(index + 1);
    }
    paths
}

/// Parses `a::b::{c, d::e}` at `start` into paths below `prefix`; returns them and
/// where parsing stopped.
fn parse_tree(code: &str, start: usize, prefix: ModulePath) -> (Vec<ModulePath>, usize) {
    let bytes = code.as_bytes();
    let mut path = prefix;
    let mut index = start;
    loop {
        let begin = index;
        while index < bytes.len() && is_ident(bytes[index]) {
            index += 1;
        }
        if index > begin {
            path.push(code[begin..index].to_string());
        }
        if code[index..].starts_with("::{") {
            index += 3;
            let mut paths = Vec::new();
            loop {
                while index < bytes.len() && (bytes[index] as char).is_whitespace() {
                    index += 1;
                }
                if index >= bytes.len() || bytes[index] == b'}' {
                    return (paths, index + 1);
                }
                let (found, end) = parse_tree(code, index, path.clone());
                paths.extend(found);
                index = end;
                while index < bytes.len() && matches!(bytes[index], b',' | b' ' | b'\n' | b'\t') {
                    index += 1;
                }
            }
        }
        if code[index..].starts_with("::") {
            index += 2;
            continue;
        }
        // `self` inside a group names the group's own path.
        if path.last().is_some_and(|segment| segment == "self") {
            path.pop();
        }
        // `a as b` renames; the path is what counts.
        return (vec![path], index);
    }
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

#[test]
fn sibling_modules_never_import_each_other_in_a_cycle() {
    let files = source_files();
    let modules: BTreeSet<ModulePath> = files.iter().map(|(module, _)| module.clone()).collect();
    // The longest prefix of `path` that is a module (the rest are items).
    let module_of = |path: &ModulePath| -> ModulePath {
        (0..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|prefix| prefix.is_empty() || modules.contains(prefix))
            .unwrap_or_default()
    };
    // parent -> child -> sibling children it depends on, with one file as evidence.
    let mut edges: BTreeMap<ModulePath, BTreeMap<String, BTreeMap<String, String>>> =
        BTreeMap::new();
    for (module, path) in &files {
        let is_mod_file = path.file_name().is_some_and(|name| name == "mod.rs");
        let code = code_of(&std::fs::read_to_string(path).unwrap());
        for referenced in referenced_paths(module, is_mod_file, &code) {
            let target = module_of(&referenced);
            // The deepest common ancestor; below it, the two differ in one child each.
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common >= module.len() || common >= target.len() {
                continue; // the same module, its parent or its child
            }
            let shown = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(path)
                .display()
                .to_string();
            edges
                .entry(module[..common].to_vec())
                .or_default()
                .entry(module[common].clone())
                .or_default()
                .entry(target[common].clone())
                .or_insert(format!("{shown} names {}", referenced.join("::")));
        }
    }
    let mut cycles = Vec::new();
    for (parent, graph) in &edges {
        if let Some(cycle) = find_cycle(graph) {
            let scope = if parent.is_empty() {
                "the crate".to_string()
            } else {
                parent.join("::")
            };
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|pair| {
                    format!(
                        "  {} -> {}: {}",
                        pair[0], pair[1], graph[&pair[0]][&pair[1]]
                    )
                })
                .collect();
            cycles.push(format!(
                "in {scope}: {}\n{}",
                cycle.join(" -> "),
                steps.join("\n")
            ));
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// A cycle of `graph` as a path that returns to its start, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn the_scanner_reads_groups_super_and_renames() {
    let module: ModulePath = vec!["image".into(), "facts".into()];
    let code = code_of(
        "use crate::a::{b::C, d, self};\nuse super::baseline::Baseline as B;\n\
         // use crate::commented::Out;\nlet x = \"crate::in_string\"; crate::e::f(x);",
    );
    let paths: Vec<String> = referenced_paths(&module, false, &code)
        .iter()
        .map(|path| path.join("::"))
        .collect();
    assert_eq!(
        paths,
        ["a::b::C", "a::d", "a", "image::baseline::Baseline", "e::f"]
    );
}
