//! Which lines of a pull request may carry a review comment: the new-side lines of its
//! patch hunks, from every page of `GET /pulls/{n}/files` (a renamed file under its
//! new name). GitHub leaves `patch` out for a file too large to show and lists at most
//! 3,000 files; those files are diffed with `git diff BASE...HEAD` in the workspace.
//! A line outside every hunk is never commented on: GitHub would reject the whole
//! review with a 422.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::client::{Api, ApiError};
use crate::git;

/// One hunk's new side: lines `start..=end`, of which `added` are new.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hunk {
    pub start: usize,
    pub end: usize,
    pub added: BTreeSet<usize>,
}

/// The hunks of one file's patch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDiff {
    pub hunks: Vec<Hunk>,
}

impl FileDiff {
    fn hunk(&self, line: usize) -> Option<usize> {
        self.hunks
            .iter()
            .position(|hunk| hunk.start <= line && line <= hunk.end)
    }
}

/// The pull request's diff, by the files' new paths.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    files: HashMap<String, FileDiff>,
    /// Files whose hunks come from `git diff`, not from GitHub: GitHub may still refuse
    /// comments on them (it has no patch to place them in).
    from_git: HashSet<String>,
}

impl Diff {
    pub fn from_files(files: HashMap<String, FileDiff>) -> Diff {
        Diff {
            files,
            from_git: HashSet::new(),
        }
    }

    /// The file's hunks come from `git diff` in the workspace.
    pub fn is_from_git(&self, path: &str) -> bool {
        self.from_git.contains(path)
    }

    /// The line is an added line of the patch.
    pub fn is_added(&self, path: &str, line: usize) -> bool {
        self.files
            .get(path)
            .is_some_and(|file| file.hunks.iter().any(|hunk| hunk.added.contains(&line)))
    }

    /// Lines `start..=end` lie inside one hunk, so a comment may span them.
    pub fn in_one_hunk(&self, path: &str, start: usize, end: usize) -> bool {
        self.files.get(path).is_some_and(|file| {
            let first = file.hunk(start);
            first.is_some() && first == file.hunk(end)
        })
    }

    /// Any line of `start..=end` was added.
    pub fn touches_added(&self, path: &str, start: usize, end: usize) -> bool {
        (start..=end).any(|line| self.is_added(path, line))
    }
}

/// Parses one file's unified-diff patch (GitHub's `patch` field, or a `git diff`
/// section) into its new-side hunks.
pub fn parse_patch(patch: &str) -> FileDiff {
    let mut hunks = Vec::new();
    let mut current: Option<(Hunk, usize)> = None;
    for line in patch.lines() {
        if let Some(header) = line.strip_prefix("@@ ") {
            if let Some((hunk, _)) = current.take() {
                hunks.push(hunk);
            }
            if let Some((start, count)) = new_range(header) {
                let hunk = Hunk {
                    start,
                    end: (start + count).saturating_sub(1).max(start),
                    added: BTreeSet::new(),
                };
                current = Some((hunk, start));
            }
            continue;
        }
        let Some((hunk, next)) = current.as_mut() else {
            continue;
        };
        match line.as_bytes().first() {
            Some(b'+') => {
                hunk.added.insert(*next);
                *next += 1;
            }
            Some(b'-' | b'\\') => {}
            // A context line (an empty one lost its leading space in some tools).
            _ => *next += 1,
        }
    }
    if let Some((hunk, _)) = current {
        hunks.push(hunk);
    }
    FileDiff { hunks }
}

/// `+START[,COUNT]` of a hunk header `-a,b +c,d @@ ...`.
fn new_range(header: &str) -> Option<(usize, usize)> {
    let new = header.split(' ').find(|part| part.starts_with('+'))?;
    let new = &new[1..];
    let (start, count) = match new.split_once(',') {
        Some((start, count)) => (start.parse().ok()?, count.parse().ok()?),
        None => (new.parse().ok()?, 1),
    };
    Some((start, count))
}

#[derive(Deserialize)]
struct PullFile {
    filename: String,
    status: String,
    patch: Option<String>,
}

/// GitHub lists at most this many files of a pull request.
const MAX_FILES: usize = 3000;

/// The diff of pull request `number`; what GitHub cannot give comes from `git diff`
/// in `workspace`. The notes say what could not be diffed (those files get no inline
/// comments, only annotations and the summary).
pub fn load(
    api: &Api,
    repo_route: &str,
    number: u64,
    (base, head): (&str, &str),
    workspace: &Path,
) -> Result<(Diff, Vec<String>), ApiError> {
    let listed: Vec<PullFile> = api.get_all(
        &format!("{repo_route}/pulls/{number}/files"),
        MAX_FILES / 100,
    )?;
    let truncated = listed.len() >= MAX_FILES;
    let mut files = HashMap::new();
    let mut missing = Vec::new();
    for file in listed {
        if file.status == "removed" {
            continue;
        }
        match file.patch {
            Some(patch) => {
                files.insert(file.filename, parse_patch(&patch));
            }
            // A binary file or a rename without changes has no patch and no lines either.
            None if file.status == "renamed" || file.status == "unchanged" => {}
            None => missing.push(file.filename),
        }
    }
    let mut notes = Vec::new();
    let mut guessed = HashSet::new();
    if truncated || !missing.is_empty() {
        match git_diff(
            workspace,
            base,
            head,
            if truncated { &[] } else { &missing },
        ) {
            Ok(from_git) => {
                let wanted: HashSet<&String> = missing.iter().collect();
                for (path, diff) in from_git {
                    if truncated && !files.contains_key(&path) || wanted.contains(&path) {
                        guessed.insert(path.clone());
                        files.insert(path, diff);
                    }
                }
            }
            Err(error) => notes.push(format!(
                "cannot diff {} with git ({error}): {}",
                if truncated {
                    "the files past GitHub's 3,000".to_string()
                } else {
                    missing.join(", ")
                },
                "their findings are annotated, not commented on (check out with `fetch-depth: 0`)"
            )),
        }
    }
    Ok((
        Diff {
            files,
            from_git: guessed,
        },
        notes,
    ))
}

/// What `git diff --find-renames BASE...HEAD -- PATHS` says of the files changed in
/// `workspace`, read in process: the action's image has no `git`, and its checkout
/// belongs to another user.
fn git_diff(
    workspace: &Path,
    base: &str,
    head: &str,
    paths: &[String],
) -> Result<HashMap<String, FileDiff>, String> {
    let repository = git::Repository::discover(workspace).map_err(|error| error.to_string())?;
    Ok(repository
        .changed_files(base, head, paths)?
        .into_iter()
        .map(|file| {
            (
                file.path,
                parse_patch(&git::unified_hunks(&file.old, &file.new)),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const PATCH: &str = "@@ -1,3 +1,4 @@\n FROM debian\n-RUN apt-get update\n+RUN apt-get update \\\n+  && apt-get install -y curl\n USER app\n@@ -10,2 +11,3 @@ CMD\n x\n+y\n z\n";

    #[test]
    fn new_side_lines_of_each_hunk() {
        let file = parse_patch(PATCH);
        assert_eq!(file.hunks.len(), 2);
        assert_eq!((file.hunks[0].start, file.hunks[0].end), (1, 4));
        assert_eq!(file.hunks[0].added, BTreeSet::from([2, 3]));
        assert_eq!((file.hunks[1].start, file.hunks[1].end), (11, 13));
        assert_eq!(file.hunks[1].added, BTreeSet::from([12]));
        let diff = Diff::from_files(HashMap::from([("Dockerfile".to_string(), file)]));
        assert!(diff.is_added("Dockerfile", 2) && !diff.is_added("Dockerfile", 1));
        assert!(diff.in_one_hunk("Dockerfile", 1, 4));
        assert!(!diff.in_one_hunk("Dockerfile", 4, 11), "two hunks");
        assert!(!diff.in_one_hunk("Dockerfile", 6, 6), "between hunks");
        assert!(!diff.is_added("other/Dockerfile", 2));
    }

    #[test]
    fn git_fallback_reads_a_real_repository() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@t", "-C"])
                .arg(dir.path())
                .args(args)
                .output()
                .unwrap();
            assert!(status.status.success(), "{status:?}");
            String::from_utf8(status.stdout).unwrap().trim().to_string()
        };
        git(&["init", "-q"]);
        std::fs::write(dir.path().join("Dockerfile"), "FROM a\nRUN x\n").unwrap();
        git(&["add", "."]);
        git(&["commit", "-qm", "base"]);
        let base = git(&["rev-parse", "HEAD"]);
        std::fs::write(dir.path().join("Dockerfile"), "FROM a\nRUN y\nUSER app\n").unwrap();
        git(&["commit", "-qam", "head"]);
        let head = git(&["rev-parse", "HEAD"]);
        let files = git_diff(dir.path(), &base, &head, &["Dockerfile".to_string()]).unwrap();
        assert_eq!(files["Dockerfile"].hunks[0].added, BTreeSet::from([2, 3]));
        assert!(git_diff(dir.path(), "nope", &head, &[]).is_err());

        // A rename is listed under its new path, with the lines it changed; a deleted
        // file is left out; the diff starts at the merge base (`BASE...HEAD`).
        let lines: String = (1..=20).map(|n| format!("RUN step {n}\n")).collect();
        std::fs::write(
            dir.path().join("old.Dockerfile"),
            format!("FROM a\n{lines}"),
        )
        .unwrap();
        std::fs::write(dir.path().join("gone"), "x\n").unwrap();
        git(&["add", "."]);
        git(&["commit", "-qm", "more"]);
        let base = git(&["rev-parse", "HEAD"]);
        git(&["checkout", "-qb", "topic"]);
        git(&["mv", "old.Dockerfile", "new.Dockerfile"]);
        git(&["rm", "-q", "gone"]);
        std::fs::write(
            dir.path().join("new.Dockerfile"),
            format!("FROM b\n{lines}"),
        )
        .unwrap();
        git(&["commit", "-qam", "rename"]);
        let head = git(&["rev-parse", "HEAD"]);
        git(&["checkout", "-q", &base]);
        std::fs::write(dir.path().join("Dockerfile"), "FROM base-only\n").unwrap();
        git(&["commit", "-qam", "on the base branch only"]);
        let moved_base = git(&["rev-parse", "HEAD"]);
        let files = git_diff(dir.path(), &moved_base, &head, &[]).unwrap();
        let mut paths: Vec<&String> = files.keys().collect();
        paths.sort();
        assert_eq!(paths, ["new.Dockerfile"]);
        let hunk = &files["new.Dockerfile"].hunks[0];
        assert_eq!((hunk.start, hunk.end), (1, 4));
        assert_eq!(hunk.added, BTreeSet::from([1]));
    }
}
