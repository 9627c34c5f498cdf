//! Reads from the git repository a run is in, in process (gix): a file at a revision
//! (`--policy-base`) and the files changed between two commits (the pull request
//! diff's fallback). No `git` program is needed, so the action's image carries none.
//!
//! Only objects are read: no hooks, filters or diff drivers run, whoever owns the
//! repository. A checkout that belongs to another user (the action's container runs
//! as one) is opened with reduced trust, which limits what its configuration may do,
//! where `git` would refuse it without `safe.directory`.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::diff::blob::unified_diff::{ConsumeBinaryHunk, ContextSize};
use gix::diff::blob::{Algorithm, InternedInput, UnifiedDiff};
use gix::object::tree::diff::ChangeDetached;

/// A git repository, found from a directory inside it.
#[derive(Debug)]
pub struct Repository {
    repository: gix::Repository,
    top: PathBuf,
}

/// Why a repository could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// No repository contains the directory.
    NotARepository,
    /// One does, but it cannot be read; the text says why.
    Unreadable(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::NotARepository => f.write_str("not a git repository"),
            OpenError::Unreadable(why) => f.write_str(why),
        }
    }
}

/// A file changed between two commits, by its path in the newer one.
pub struct ChangedFile {
    pub path: String,
    /// Its text before (empty for an added file, the source's for a rename).
    pub old: Vec<u8>,
    pub new: Vec<u8>,
}

impl Repository {
    /// The repository `directory` is in, searching upwards as `git` does.
    pub fn discover(directory: &Path) -> Result<Repository, OpenError> {
        let repository = gix::discover(directory).map_err(|error| {
            let text = error.to_string();
            if text.contains("not a git repository")
                || text.contains("Could not find a git repository")
            {
                OpenError::NotARepository
            } else {
                OpenError::Unreadable(text)
            }
        })?;
        let top = match repository.workdir() {
            Some(workdir) => workdir.to_path_buf(),
            None => repository.git_dir().to_path_buf(),
        };
        let top = top.canonicalize().unwrap_or(top);
        Ok(Repository { repository, top })
    }

    /// The top directory of the work tree (the git directory of a bare repository).
    pub fn top(&self) -> &Path {
        &self.top
    }

    /// The commit `name` names (a branch, a tag, a SHA, `HEAD~2`), or why none.
    pub fn commit(&self, name: &str) -> Result<ObjectId, String> {
        let id = self
            .repository
            .rev_parse_single(name)
            .map_err(|error| error.to_string())?;
        let commit = id
            .object()
            .map_err(|error| error.to_string())?
            .peel_to_commit()
            .map_err(|error| error.to_string())?;
        Ok(commit.id)
    }

    /// The bytes of the file at `path` (relative to the top, `/` separators) in
    /// `commit`; `None` when there is no file there (absent, or a directory).
    pub fn file(&self, commit: ObjectId, path: &str) -> Result<Option<Vec<u8>>, String> {
        let tree = self
            .repository
            .find_commit(commit)
            .map_err(|error| error.to_string())?
            .tree()
            .map_err(|error| error.to_string())?;
        let Some(entry) = tree
            .lookup_entry_by_path(path)
            .map_err(|error| error.to_string())?
        else {
            return Ok(None);
        };
        if !entry.mode().is_blob_or_symlink() {
            return Ok(None);
        }
        let blob = entry.object().map_err(|error| error.to_string())?;
        Ok(Some(blob.detach().data))
    }

    /// The files changed from the merge base of `base` and `head` to `head`, as
    /// `git diff --find-renames base...head` lists them, deleted files left out;
    /// only the files at `paths` when there are any.
    pub fn changed_files(
        &self,
        base: &str,
        head: &str,
        paths: &[String],
    ) -> Result<Vec<ChangedFile>, String> {
        let head_id = self.commit(head)?;
        let base_id = self.commit(base)?;
        let merge_base = self
            .repository
            .merge_base(base_id, head_id)
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("{base} and {head} have no common ancestor"))?;
        let tree_of = |id: ObjectId| {
            self.repository
                .find_commit(id)
                .and_then(|commit| commit.tree())
                .map_err(|error| error.to_string())
        };
        let (old_tree, new_tree) = (tree_of(merge_base.detach())?, tree_of(head_id)?);
        let options = gix::diff::Options::default().with_rewrites(Some(Default::default()));
        let changes = self
            .repository
            .diff_tree_to_tree(&old_tree, &new_tree, options)
            .map_err(|error| error.to_string())?;
        let blob = |id: &gix::oid| -> Result<Vec<u8>, String> {
            Ok(self
                .repository
                .find_object(id)
                .map_err(|error| error.to_string())?
                .detach()
                .data)
        };
        let mut files = Vec::new();
        for change in changes {
            let (path, old, new_id) = match &change {
                ChangeDetached::Addition {
                    location,
                    entry_mode,
                    id,
                    ..
                } if entry_mode.is_blob_or_symlink() => (location, None, id),
                ChangeDetached::Modification {
                    location,
                    previous_entry_mode,
                    previous_id,
                    entry_mode,
                    id,
                } if entry_mode.is_blob_or_symlink() => (
                    location,
                    previous_entry_mode
                        .is_blob_or_symlink()
                        .then_some(previous_id),
                    id,
                ),
                ChangeDetached::Rewrite {
                    location,
                    source_entry_mode,
                    source_id,
                    entry_mode,
                    id,
                    ..
                } if entry_mode.is_blob_or_symlink() => (
                    location,
                    source_entry_mode.is_blob_or_symlink().then_some(source_id),
                    id,
                ),
                _ => continue,
            };
            let path = path.to_str_lossy().into_owned();
            if !paths.is_empty() && !paths.contains(&path) {
                continue;
            }
            files.push(ChangedFile {
                path,
                old: old.map(|id| blob(id)).transpose()?.unwrap_or_default(),
                new: blob(new_id)?,
            });
        }
        Ok(files)
    }
}

/// The hunks of a unified diff from `old` to `new` with 3 lines of context, as `git
/// diff` prints them after its file header (`@@ -a,b +c,d @@` and the lines).
pub fn unified_hunks(old: &[u8], new: &[u8]) -> String {
    let input = InternedInput::new(old, new);
    let mut diff = gix::diff::blob::Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    UnifiedDiff::new(
        &diff,
        &input,
        ConsumeBinaryHunk::new(Vec::new(), "\n"),
        ContextSize::symmetrical(3),
    )
    .consume()
    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    .unwrap_or_default()
}
