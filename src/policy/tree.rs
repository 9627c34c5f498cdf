//! Where local policy files are read from: the working tree, or a git revision of it
//! (`--policy-base REF`, `git cat-file blob REF:PATH`).
//!
//! A revision covers the files of its repository only; a path outside the repository
//! (an absolute `extends`, a hadolint file in the home directory) is not versioned
//! there, so it is read from disk in both.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The files policies are read from.
#[derive(Debug, Clone, Default)]
pub enum Tree {
    #[default]
    Working,
    Revision(Revision),
}

/// A git revision of the repository the run is in.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The revision as the user named it (`origin/main`, a SHA).
    pub name: String,
    /// The commit it names.
    commit: String,
    /// The repository's top directory.
    top: PathBuf,
    /// The run's root, canonical; relative paths are relative to it.
    root: PathBuf,
    /// The root as the run names it (the current directory), which discovered paths
    /// start with.
    given_root: PathBuf,
}

impl Revision {
    /// The revision `name` of the git repository `root` is in. Fails, saying why, when
    /// `root` is not in a git repository or `name` is not a commit there.
    pub fn open(root: &Path, name: &str) -> Result<Revision, String> {
        let canonical = root
            .canonicalize()
            .map_err(|error| format!("cannot read `{}`: {error}", root.display()))?;
        let top = git(&canonical, &["rev-parse", "--show-toplevel"]).map_err(|error| {
            // git's own words only when they say more than "not a git repository"
            // (git missing, a repository it refuses to read).
            let why = if error.contains("not a git repository") {
                String::new()
            } else {
                format!(" ({error})")
            };
            format!(
                "--policy-base {name}: `{}` is not in a git repository{why}",
                root.display()
            )
        })?;
        if name.trim().is_empty() || name.starts_with('-') {
            return Err(format!("--policy-base `{name}` is not a git revision"));
        }
        let commit = git(
            &canonical,
            &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{name}^{{commit}}")],
        )
        .map_err(|_| {
            format!(
                "--policy-base {name}: no such commit in the git repository at `{}` (fetch it first: shallow clones lack the base)",
                top.trim()
            )
        })?;
        Ok(Revision {
            name: name.to_string(),
            commit: commit.trim().to_string(),
            top: PathBuf::from(top.trim()),
            root: canonical,
            given_root: root.to_path_buf(),
        })
    }

    /// `path` inside the repository, relative to its top with `/` separators; `None`
    /// when it is outside.
    fn in_repository(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.given_root).unwrap_or(path);
        let absolute = normalize(&self.root.join(relative));
        let inside = absolute.strip_prefix(&self.top).ok()?;
        let text = inside.to_string_lossy().replace('\\', "/");
        (!text.is_empty()).then_some(text)
    }

    fn object(&self, inside: &str) -> String {
        format!("{}:{inside}", self.commit)
    }
}

impl Tree {
    /// Whether `path` is a file in this tree.
    pub fn is_file(&self, path: &Path) -> bool {
        match self {
            Tree::Working => path.is_file(),
            Tree::Revision(revision) => match revision.in_repository(path) {
                Some(inside) => git(
                    &revision.top,
                    &["cat-file", "-t", &revision.object(&inside)],
                )
                .is_ok_and(|kind| kind.trim() == "blob"),
                None => path.is_file(),
            },
        }
    }

    /// The bytes of the file at `path`; the error says why in a few words.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, std::io::Error> {
        match self {
            Tree::Working => std::fs::read(path),
            Tree::Revision(revision) => match revision.in_repository(path) {
                Some(inside) if self.is_file(path) => git_bytes(
                    &revision.top,
                    &["cat-file", "blob", &revision.object(&inside)],
                )
                .map_err(std::io::Error::other),
                Some(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("not a file at {}", revision.name),
                )),
                None => std::fs::read(path),
            },
        }
    }

    /// The revision, when this is one.
    pub fn revision(&self) -> Option<&Revision> {
        match self {
            Tree::Working => None,
            Tree::Revision(revision) => Some(revision),
        }
    }
}

/// `path` with `.` and `..` resolved lexically (the file may not exist on disk).
fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normalized.pop();
            }
            other => normalized.push(other.as_os_str()),
        }
    }
    normalized
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    git_bytes(dir, args).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn git_bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr.trim().trim_start_matches("fatal: ").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
    }
}
