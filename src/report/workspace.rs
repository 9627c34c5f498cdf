//! Paths as the tools that read a report expect them: relative to the checkout, with
//! `/` separators, whatever directory dockgate ran in and however the user named the
//! file.

use std::path::{Component, Path, PathBuf};

/// The checkout the report's paths are relative to: `GITHUB_WORKSPACE` in GitHub
/// Actions, `CI_PROJECT_DIR` in GitLab CI, else the current directory.
pub fn workspace_root() -> PathBuf {
    ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"]
        .into_iter()
        .filter_map(std::env::var_os)
        .find(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// `path` (as the user named it, relative to the current directory or absolute)
/// relative to `workspace`, with `/` separators and no `./`; a path outside the
/// workspace stays as it is, with `/` separators.
pub fn relative_path(path: &str, workspace: &Path) -> String {
    let current = std::env::current_dir().unwrap_or_default();
    let absolute = lexical(&current.join(path));
    let relative = absolute
        .strip_prefix(lexical(workspace))
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            // Symbolic links (`/tmp` on macOS, a mounted workspace): compare real paths.
            let real = absolute.canonicalize().ok()?;
            let root = workspace.canonicalize().ok()?;
            real.strip_prefix(root).ok().map(Path::to_path_buf)
        });
    match relative {
        Some(relative) => slashes(&relative),
        None => slashes(&lexical(Path::new(path))),
    }
}

/// `path` with `.` and `dir/..` removed, without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(clean.components().next_back(), Some(Component::Normal(_))) =>
            {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_to_the_workspace() {
        let workspace = Path::new("/github/workspace");
        assert_eq!(
            relative_path("/github/workspace/svc/Dockerfile", workspace),
            "svc/Dockerfile"
        );
        assert_eq!(
            relative_path("/github/workspace/./a/../Dockerfile", workspace),
            "Dockerfile"
        );
        assert_eq!(
            relative_path("/elsewhere/Dockerfile", workspace),
            "/elsewhere/Dockerfile"
        );
        let current = std::env::current_dir().unwrap();
        assert_eq!(
            relative_path("./svc/Dockerfile", &current),
            "svc/Dockerfile"
        );
    }
}
