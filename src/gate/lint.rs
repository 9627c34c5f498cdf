//! The Dockerfile half of a run: discover, read, parse and lint in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::FileRun;
use crate::dockerfile::model::Model;
use crate::dockerfile::parse_bytes;
use crate::policy::Policy;
use crate::rules;
use crate::workspace::{self, InputError};

/// Lints the Dockerfiles under `paths` that the policy selects; the files come back in
/// path order, with the policy files that hold expired exceptions among them.
pub(super) fn lint_paths(
    paths: &[PathBuf],
    policy: &Policy,
    keep_syntax: bool,
) -> (Vec<FileRun>, Vec<InputError>) {
    let mut discovery = workspace::discover(paths);
    discovery
        .files
        .retain(|path| policy.includes(&relative_to(path, &policy.root)));
    if discovery.files.is_empty() && discovery.errors.is_empty() {
        // Not an error (a repository may have no Dockerfiles yet), but likely a wrong path.
        eprintln!("dockgate: warning: no Dockerfiles found");
    }
    let mut errors = discovery.errors;
    let results: Vec<Result<FileRun, InputError>> = discovery
        .files
        .par_iter()
        .map(|path| lint_file(path, policy, keep_syntax))
        .collect();
    let mut files = expired_exceptions(policy);
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

/// The policy files whose exceptions expired, with a DG0001 finding on each.
pub(super) fn expired_exceptions(policy: &Policy) -> Vec<FileRun> {
    policy
        .expired
        .iter()
        .map(|file| FileRun::plain(file.path.clone(), file.text.clone(), file.findings.clone()))
        .collect()
}

/// Reads, parses and lints one file with the rules the policy sets for its path; the
/// file is read once and parsed once.
fn lint_file(path: &Path, policy: &Policy, keep_syntax: bool) -> Result<FileRun, InputError> {
    let display = path.display().to_string();
    let relative = relative_to(path, &policy.root);
    let bytes = std::fs::read(path).map_err(|error| InputError::io(path, &error))?;
    let dockerfile = parse_bytes(&bytes);
    let model = Model::new(&dockerfile);
    let findings = rules::lint_model(&display, &dockerfile, &model, &policy.rule_set(&relative));
    Ok(FileRun::dockerfile_file(
        display,
        relative,
        (dockerfile, model),
        findings,
        keep_syntax,
    ))
}

/// `path` relative to `root` with `/` separators, as policy globs match it.
pub(super) fn relative_to(path: &Path, root: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Parses the Dockerfile `--dockerfile` names, for placing image findings.
pub(super) fn read_named(path: &Path, policy: &Policy) -> Result<FileRun, InputError> {
    let bytes = std::fs::read(path).map_err(|error| InputError::io(path, &error))?;
    let dockerfile = parse_bytes(&bytes);
    let model = Model::new(&dockerfile);
    Ok(FileRun::dockerfile_file(
        path.display().to_string(),
        relative_to(path, &policy.root),
        (dockerfile, model),
        Vec::new(),
        true,
    ))
}
