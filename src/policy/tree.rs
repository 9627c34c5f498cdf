//! Where local policy files are read from: the working tree, or a git revision of it
//! (`--policy-base REF`, read in process as `git cat-file blob REF:PATH` would).
//!
//! A revision covers the files of its repository only; a path outside the repository
//! (an absolute `extends`, a hadolint file in the home directory) is not versioned
//! there, so it is read from disk in both.

use std::path::{Component, Path, PathBuf};

use crate::git;

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
    commit: gix::ObjectId,
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
        let repository = git::Repository::discover(&canonical).map_err(|error| {
            let why = match error {
                git::OpenError::NotARepository => String::new(),
                git::OpenError::Unreadable(why) => format!(" ({why})"),
            };
            format!(
                "--policy-base {name}: `{}` is not in a git repository{why}",
                root.display()
            )
        })?;
        if name.trim().is_empty() || name.starts_with('-') {
            return Err(format!("--policy-base `{name}` is not a git revision"));
        }
        let commit = repository.commit(name).map_err(|_| {
            format!(
                "--policy-base {name}: no such commit in the git repository at `{}` (fetch it first: shallow clones lack the base)",
                repository.top().display()
            )
        })?;
        Ok(Revision {
            name: name.to_string(),
            commit,
            top: repository.top().to_path_buf(),
            root: canonical,
            given_root: root.to_path_buf(),
        })
    }

    /// The file at `inside` in this revision, `None` when there is none.
    fn file(&self, inside: &str) -> Result<Option<Vec<u8>>, String> {
        // Opened for each read (a few per run): gix's repository handle stays on the
        // thread that opened it, and a tree is shared.
        let repository = git::Repository::discover(&self.top)
            .map_err(|error| format!("`{}`: {error}", self.top.display()))?;
        repository.file(self.commit, inside)
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
}

impl Tree {
    /// Whether `path` is a file in this tree.
    pub fn is_file(&self, path: &Path) -> bool {
        match self {
            Tree::Working => path.is_file(),
            Tree::Revision(revision) => match revision.in_repository(path) {
                Some(inside) => matches!(revision.file(&inside), Ok(Some(_))),
                None => path.is_file(),
            },
        }
    }

    /// The bytes of the file at `path`; the error says why in a few words.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, std::io::Error> {
        match self {
            Tree::Working => std::fs::read(path),
            Tree::Revision(revision) => match revision.in_repository(path) {
                Some(inside) => match revision.file(&inside) {
                    Ok(Some(bytes)) => Ok(bytes),
                    Ok(None) => Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("not a file at {}", revision.name),
                    )),
                    Err(error) => Err(std::io::Error::other(error)),
                },
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
