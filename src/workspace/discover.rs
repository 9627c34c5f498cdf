//! Finding Dockerfiles: explicit files as given, directories searched recursively for
//! Dockerfile-like names, skipping what `.gitignore` (and `.ignore`) exclude.

use std::fmt;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// The files to lint and the inputs that could not be read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// Sorted by path, without duplicates.
    pub files: Vec<PathBuf>,
    pub errors: Vec<InputError>,
}

/// A path the user named (or a directory entry) that could not be read. It fails that
/// input, not the run: the rest is still linted and the exit code says so at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl InputError {
    /// An error reading `path`, with the OS message (`No such file or directory`).
    pub fn io(path: &Path, error: &std::io::Error) -> InputError {
        InputError {
            path: path.display().to_string(),
            message: io_message(error),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Whether a file name is one dockgate lints when it searches a directory:
/// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`,
/// `Containerfile.*`. `Dockerfile.dockerignore` (BuildKit's per-Dockerfile ignore file)
/// is not one.
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    let stem_or_exact = |prefix: &str| {
        name == prefix
            || name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'))
    };
    stem_or_exact("Dockerfile")
        || stem_or_exact("Containerfile")
        || name
            .strip_suffix(".Dockerfile")
            .or_else(|| name.strip_suffix(".dockerfile"))
            .is_some_and(|stem| !stem.is_empty())
}

/// Expands `paths` into the files to lint. Files named explicitly are linted whatever
/// their name; directories are searched recursively, hidden directories included (a
/// `.devcontainer/Dockerfile` is a Dockerfile too) but `.git` excluded, honouring
/// `.gitignore` even outside a Git repository.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut discovery = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => walk(path, &mut discovery),
            Ok(_) => discovery.files.push(clean(path)),
            Err(error) => discovery.errors.push(InputError::io(path, &error)),
        }
    }
    discovery.files.sort();
    discovery.files.dedup();
    discovery
}

fn walk(root: &Path, discovery: &mut Discovery) {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|kind| {
                    kind.is_file() || (kind.is_symlink() && entry.path().is_file())
                });
                let matches = entry.file_name().to_str().is_some_and(is_dockerfile_name);
                if is_file && matches {
                    discovery.files.push(clean(entry.path()));
                }
            }
            Err(error) => discovery.errors.push(walk_error(root, &error)),
        }
    }
}

fn walk_error(root: &Path, error: &ignore::Error) -> InputError {
    let path = match error {
        ignore::Error::WithPath { path, .. } => path.display().to_string(),
        _ => root.display().to_string(),
    };
    let message = match error.io_error() {
        Some(io) => io_message(io),
        None => error.to_string(),
    };
    InputError { path, message }
}

/// The OS message without Rust's ` (os error N)` suffix: `No such file or directory`.
fn io_message(error: &std::io::Error) -> String {
    let message = error.to_string();
    match message.find(" (os error") {
        Some(end) => message[..end].to_string(),
        None => message,
    }
}

/// `./svc/Dockerfile` -> `svc/Dockerfile`, so paths read as the user would write them.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "Dockerfile.dev",
            "Dockerfile.prod.arm64",
            "api.Dockerfile",
            "api.dockerfile",
            "Containerfile",
            "Containerfile.fedora",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "Dockerfile.",
            ".Dockerfile",
            "Dockerfile.dockerignore",
            "Dockerfiles",
            "dockerfile.txt",
            "README.md",
            "Containerfile-old",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }

    #[test]
    fn cleans_leading_dot() {
        assert_eq!(
            clean(Path::new("./svc/Dockerfile")),
            PathBuf::from("svc/Dockerfile")
        );
        assert_eq!(clean(Path::new("Dockerfile")), PathBuf::from("Dockerfile"));
        assert_eq!(clean(Path::new(".")), PathBuf::from("."));
    }
}
