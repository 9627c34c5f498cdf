//! Records the commit dockgate is built from, for `dockgate --version`.
//!
//! `DOCKGATE_COMMIT` wins when set (the Docker build and releases pass it: their build
//! context has no `.git`); otherwise `git rev-parse --short HEAD` in a git checkout.
//! Outside git, with no variable, the version stands alone: the build never fails for it.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=DOCKGATE_COMMIT");
    let commit = match std::env::var("DOCKGATE_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => Some(commit.trim().to_string()),
        _ => git_commit(),
    };
    let version = env!("CARGO_PKG_VERSION");
    let long_version = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=DOCKGATE_LONG_VERSION={long_version}");
}

/// The short hash of HEAD, and a rerun of this script whenever HEAD moves.
fn git_commit() -> Option<String> {
    let commit = git(&["rev-parse", "--short", "HEAD"])?;
    // HEAD names a branch whose ref file (or packed-refs) moves at each commit; in a
    // worktree these live in the common directory, which `--git-path` resolves.
    for path in ["HEAD", "packed-refs"] {
        watch(git(&["rev-parse", "--git-path", path]));
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(git(&["rev-parse", "--git-path", &branch]));
    }
    Some(commit)
}

fn watch(path: Option<String>) {
    if let Some(path) = path.filter(|path| Path::new(path).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}
