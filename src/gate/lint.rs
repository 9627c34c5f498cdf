//! The Dockerfile half of a run: discover, read, parse and lint in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::FileRun;
use crate::dockerfile::model::Model;
use crate::dockerfile::{Dockerfile, parse_bytes};
use crate::policy::{Policy, PolicyFindings};
use crate::rules;
use crate::shellcheck::script::ScriptOptions;
use crate::shellcheck::{self, Script};
use crate::workspace::{self, InputError};

/// Lints the Dockerfiles under `paths` that the policy selects; the files come back in
/// path order, with the policy files that hold expired exceptions among them, and the
/// notes the run should print (ShellCheck skipped).
pub(super) fn lint_paths(
    paths: &[PathBuf],
    policy: &Policy,
    keep_syntax: bool,
) -> (Vec<FileRun>, Vec<InputError>, Vec<String>) {
    let discovery = discover(paths, policy);
    if discovery.files.is_empty() && discovery.errors.is_empty() {
        // Not an error (a repository may have no Dockerfiles yet), but likely a wrong path.
        eprintln!("dockgate: warning: no Dockerfiles found");
    }
    let mut errors = discovery.errors;
    let shellcheck = policy.shellcheck();
    let ignore_files = workspace::IgnoreFiles::default();
    let results: Vec<Result<(FileRun, Vec<Script>), InputError>> = discovery
        .files
        .par_iter()
        .map(|path| {
            let scripts = shellcheck.enabled.then_some(shellcheck.scripts);
            lint_file(path, policy, &ignore_files, keep_syntax, scripts)
        })
        .collect();
    let mut linted = Vec::new();
    let mut scripts = Vec::new();
    for result in results {
        match result {
            Ok((file, file_scripts)) => {
                linted.push(file);
                scripts.push(file_scripts);
            }
            Err(error) => errors.push(error),
        }
    }
    let mut notes = run_shellcheck(policy, &shellcheck, &mut linted, &scripts);
    notes.extend(linted.iter().flat_map(unknown_checks));
    let mut files = expired_exceptions(policy);
    files.extend(linted);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors, notes)
}

/// A note for each name in the file's `# check=` directive that is no BuildKit check:
/// BuildKit ignores it, so it is likely a typo that skips nothing.
fn unknown_checks(file: &FileRun) -> Vec<String> {
    use crate::rules::check_directive::BUILDKIT_CHECKS;
    file.pragmas
        .unknown_checks
        .iter()
        .map(|unknown| {
            let at = file.lines().position(file.source(), unknown.range.start);
            format!(
                "{}:{}:{}: `{}` in `# check=` is no BuildKit build check, so it does nothing{}",
                file.path,
                at.line,
                at.column,
                unknown.name,
                crate::suggest::suggestion(&unknown.name, BUILDKIT_CHECKS.iter().copied())
            )
        })
        .collect()
}

/// The Dockerfiles under `paths` that the policy selects.
pub(super) fn discover(paths: &[PathBuf], policy: &Policy) -> workspace::Discovery {
    let mut discovery = workspace::discover(paths);
    discovery
        .files
        .retain(|path| policy.includes(&relative_to(path, &policy.root)));
    discovery
}

/// Lints `source` as the text of the Dockerfile at `path` (what `--fix` made of it),
/// with the rules the policy sets for the path, and applies the suppression step:
/// the findings that come back are those the report would show (ShellCheck's
/// aside: they carry no fix).
pub(super) fn lint_text(
    path: &Path,
    source: &str,
    policy: &Policy,
    ignore_files: &workspace::IgnoreFiles,
) -> FileRun {
    let dockerfile = crate::dockerfile::parse(source);
    let model = Model::new(&dockerfile);
    let mut files = [lint_parsed(
        path,
        (dockerfile, model),
        policy,
        ignore_files,
        false,
    )];
    super::suppress::apply(policy, &mut files, &mut [], None);
    let [file] = files;
    file
}

/// Checks the scripts of every file with ShellCheck, when the policy runs it and a
/// `shellcheck` program is found, and adds the findings to their files (`scripts[i]`
/// are the scripts of `files[i]`), each with its path's severity or dropped when the
/// path's rules turn its code off. Returns the notes for the run.
fn run_shellcheck(
    policy: &Policy,
    settings: &crate::policy::ShellcheckSettings,
    files: &mut [FileRun],
    scripts: &[Vec<Script>],
) -> Vec<String> {
    let (jobs, oversized): (Vec<shellcheck::Job>, Vec<shellcheck::Job>) = scripts
        .iter()
        .enumerate()
        .flat_map(|(file, scripts)| {
            scripts
                .iter()
                .map(move |script| shellcheck::Job { file, script })
        })
        .partition(|job| job.script.text.len() <= shellcheck::MAX_SCRIPT);
    if !settings.enabled || (jobs.is_empty() && oversized.is_empty()) {
        return Vec::new();
    }
    let Some(program) = settings.program.clone() else {
        return vec![match &settings.configured {
            Some(path) => format!(
                "the `shellcheck.path` of the policy, {path}, is not a file: ShellCheck (SC) checks skipped"
            ),
            None => "no `shellcheck` on PATH: ShellCheck (SC) checks skipped".to_string(),
        }];
    };
    let (found, notes) = shellcheck::check(&program, &jobs);
    let mut rule_sets: Vec<Option<rules::RuleSet>> = vec![None; files.len()];
    for found in found {
        let file = &mut files[found.file];
        let rules = rule_sets[found.file].get_or_insert_with(|| policy.rule_set(&file.relative));
        let mut finding = found.finding;
        let Some(severity) = rules.external_severity(&finding.rule, finding.severity) else {
            continue;
        };
        finding.severity = severity;
        if let Some(location) = &mut finding.location {
            location.path = file.path.clone();
            shellcheck::locate_exact(location, file.source(), file.lines());
        }
        file.findings.push(finding);
    }
    for file in files.iter_mut() {
        file.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    let mut notes: Vec<String> = notes
        .into_iter()
        .map(|note| format!("ShellCheck (SC) checks incomplete: {note}"))
        .collect();
    for job in oversized {
        let file = &files[job.file];
        let line = file
            .lines()
            .position(file.source(), job.script.instruction.start)
            .line;
        notes.push(format!(
            "{}:{line}: the RUN's script is over {} kB: not given to ShellCheck",
            file.path,
            shellcheck::MAX_SCRIPT / 1000
        ));
    }
    notes
}

/// The policy files whose exceptions expired, with a DG0001 finding on each.
pub(super) fn expired_exceptions(policy: &Policy) -> Vec<FileRun> {
    policy
        .expired
        .iter()
        .map(|file| FileRun::plain(file.path.clone(), file.text.clone(), file.findings.clone()))
        .collect()
}

/// Adds the findings on policy files (`--policy-base`'s DG0004) to the run's files,
/// each policy file once, in path order.
pub(super) fn add_policy_findings(files: &mut Vec<FileRun>, reports: &[PolicyFindings]) {
    for report in reports {
        match files.iter_mut().find(|file| file.path == report.path) {
            Some(file) => {
                file.findings.extend(report.findings.iter().cloned());
                file.findings
                    .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            }
            None => files.push(FileRun::plain(
                report.path.clone(),
                report.text.clone(),
                report.findings.clone(),
            )),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
}

/// Reads, parses and lints one file with the rules the policy sets for its path, and
/// makes its scripts for ShellCheck when `shellcheck` says how; the file is read once
/// and parsed once.
fn lint_file(
    path: &Path,
    policy: &Policy,
    ignore_files: &workspace::IgnoreFiles,
    keep_syntax: bool,
    shellcheck: Option<ScriptOptions>,
) -> Result<(FileRun, Vec<Script>), InputError> {
    let (dockerfile, model) = read_dockerfile(path)?;
    let scripts = match shellcheck {
        Some(options) => shellcheck::script::scripts(&dockerfile, &model, options),
        None => Vec::new(),
    };
    let file = lint_parsed(path, (dockerfile, model), policy, ignore_files, keep_syntax);
    Ok((file, scripts))
}

/// Lints the parsed Dockerfile at `path` with the rules the policy sets for its path
/// and the build context it is built from; nothing suppressed yet.
fn lint_parsed(
    path: &Path,
    parsed: (Dockerfile, Model),
    policy: &Policy,
    ignore_files: &workspace::IgnoreFiles,
    keep_syntax: bool,
) -> FileRun {
    let display = path.display().to_string();
    let relative = relative_to(path, &policy.root);
    let build_context = ignore_files.context(path, &policy.root);
    let mut rule_set = policy.rule_set(&relative);
    rules::check_directive::enable_experimental(&parsed.0, &mut rule_set);
    let findings = rules::lint_in_context(
        &display,
        &parsed.0,
        &parsed.1,
        Some(&build_context),
        &rule_set,
    );
    FileRun::dockerfile_file(display, relative, parsed, findings, keep_syntax)
}

/// `path` relative to `root` with `/` separators, as policy globs match it.
pub(super) fn relative_to(path: &Path, root: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Parses the Dockerfile `--dockerfile` names, for placing image findings.
pub(super) fn read_named(path: &Path, policy: &Policy) -> Result<FileRun, InputError> {
    Ok(FileRun::dockerfile_file(
        path.display().to_string(),
        relative_to(path, &policy.root),
        read_dockerfile(path)?,
        Vec::new(),
        true,
    ))
}

/// The Dockerfile at `path`, read and parsed once, with its model.
fn read_dockerfile(path: &Path) -> Result<(Dockerfile, Model), InputError> {
    let bytes = std::fs::read(path).map_err(|error| InputError::io(path, &error))?;
    let dockerfile = parse_bytes(&bytes);
    let model = Model::new(&dockerfile);
    Ok((dockerfile, model))
}
