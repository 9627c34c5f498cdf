//! The gate as a library: settings and a policy in, one [`Run`] out.
//!
//! ```text
//! Settings + Policy -> discover -> lint (parallel) ---------\
//!                   -> inspect images (parallel) -> place ---> suppress -> verdict -> Run
//! ```
//!
//! Everything the CLI, a reporter or the GitHub side needs about a run is in the
//! returned value: the files with their sources and findings, the images with what was
//! learned about them and their findings, the inputs that could not be read, the
//! verdict and the policy that produced it. Nothing here prints findings or decides an
//! exit code; [`suppress`] is the one place findings are dropped.

pub mod fix;
mod images;
mod lint;
pub mod suppress;

use std::path::PathBuf;

use anyhow::Context as _;

use crate::dockerfile::Dockerfile;
use crate::dockerfile::model::Model;
use crate::finding::{Finding, Severity};
use crate::image::Inspection;
use crate::image::Platform;
use crate::image::registry::InsecureRegistry;
use crate::policy::{Date, FailOn, GithubFetcher, Policy, Request, Review};

use crate::rules::Pragmas;
use crate::source::LineIndex;
use crate::workspace::InputError;

/// What one run is asked to do (the CLI's flags, later the action's inputs).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Files and directories to lint; none for `dockgate image`.
    pub paths: Vec<PathBuf>,
    /// Image references to inspect, in the order reports list them.
    pub images: Vec<String>,
    pub image: ImageSettings,
    /// `--fail-on`, which wins over the policy's `fail_on`.
    pub fail_on: Option<FailOn>,
    /// Whether a progress line may be drawn on stderr while layers are read (only
    /// when stderr is a terminal).
    pub progress: bool,
}

/// How images are read and judged, beyond what the policy says.
#[derive(Debug, Clone, Default)]
pub struct ImageSettings {
    /// The Dockerfile that made the images (`--dockerfile`); without it, the linted
    /// file the history matches.
    pub dockerfile: Option<PathBuf>,
    pub platform: Option<Platform>,
    /// Budgets for this run only, overriding the policy's (`--max-size`, ...).
    pub max_size: Option<u64>,
    pub max_compressed_size: Option<u64>,
    /// The image each one is compared with (`--baseline`).
    pub baseline: Option<String>,
    /// Start `docker-daemon:` images to see the real user (`--live`).
    pub live: bool,
    pub insecure_registries: Vec<InsecureRegistry>,
}

/// One run of the gate.
#[derive(Debug)]
pub struct Run {
    /// The policy that produced the verdict.
    pub policy: Policy,
    /// Linted Dockerfiles and policy files with findings (expired exceptions, DG0004),
    /// sorted by path.
    pub files: Vec<FileRun>,
    /// Checked images, in the order given.
    pub images: Vec<ImageRun>,
    /// Inputs that could not be read, sorted by path. Each fails the run (exit 2).
    pub errors: Vec<InputError>,
    /// Things the user should know that are not findings (a setting with no effect).
    pub warnings: Vec<String>,
    pub verdict: Verdict,
    /// With `--policy-base`: how the change weakens the policy (each weakening is also
    /// a DG0004 finding) and the exceptions it adds, with their owners.
    pub policy_changes: Option<Review>,
    /// With `--fix`: how many fixes were applied before the findings above were found.
    pub fixes: Option<fix::FixSummary>,
}

impl Run {
    /// Every finding that survived suppression: the files', then the images'.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files
            .iter()
            .flat_map(|file| &file.findings)
            .chain(self.images.iter().flat_map(|image| &image.findings))
    }
}

/// One file of the run: its path as the user named it, its text and its findings.
/// Image findings placed on one of its lines stay with their image.
#[derive(Debug)]
pub struct FileRun {
    pub path: String,
    /// The path relative to the repository root, as policy globs match it.
    pub relative: String,
    pub findings: Vec<Finding>,
    content: FileContent,
    /// Its inline ignore comments, for the suppression step.
    pragmas: Pragmas,
}

#[derive(Debug)]
enum FileContent {
    /// A Dockerfile with its syntax tree and model, kept for matching image histories.
    Dockerfile(Box<(Dockerfile, Model)>),
    /// A Dockerfile whose tree no image needs, or a policy file.
    Text { source: String, lines: LineIndex },
}

impl FileRun {
    /// A file the run has only as text: a policy file with expired exceptions.
    pub fn plain(path: String, source: String, findings: Vec<Finding>) -> FileRun {
        let lines = LineIndex::new(&source);
        FileRun {
            relative: path.clone(),
            path,
            findings,
            content: FileContent::Text { source, lines },
            pragmas: Pragmas::default(),
        }
    }

    /// A linted Dockerfile; its tree and model are kept when `keep_syntax`.
    fn dockerfile_file(
        path: String,
        relative: String,
        parsed: (Dockerfile, Model),
        findings: Vec<Finding>,
        keep_syntax: bool,
    ) -> FileRun {
        let pragmas = Pragmas::new(&parsed.0, &parsed.0.lines);
        let content = if keep_syntax {
            FileContent::Dockerfile(Box::new(parsed))
        } else {
            let (dockerfile, _) = parsed;
            FileContent::Text {
                source: dockerfile.source,
                lines: dockerfile.lines,
            }
        };
        FileRun {
            path,
            relative,
            findings,
            content,
            pragmas,
        }
    }

    /// The decoded text every finding's range points into.
    pub fn source(&self) -> &str {
        match &self.content {
            FileContent::Dockerfile(parsed) => &parsed.0.source,
            FileContent::Text { source, .. } => source,
        }
    }

    pub fn lines(&self) -> &LineIndex {
        match &self.content {
            FileContent::Dockerfile(parsed) => &parsed.0.lines,
            FileContent::Text { lines, .. } => lines,
        }
    }

    /// The parsed Dockerfile, when the run kept it (it checks images).
    pub fn dockerfile(&self) -> Option<(&Dockerfile, &Model)> {
        match &self.content {
            FileContent::Dockerfile(parsed) => Some((&parsed.0, &parsed.1)),
            FileContent::Text { .. } => None,
        }
    }
}

/// One image of the run.
#[derive(Debug)]
pub struct ImageRun {
    /// Its facts and what the run learned about it (baseline, live user, Dockerfile).
    pub inspection: Inspection,
    pub findings: Vec<Finding>,
    /// The size budgets it was held to, for the report's size bar.
    pub max_size: Option<u64>,
    pub max_compressed_size: Option<u64>,
}

/// The outcome of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The lowest severity that fails the run; `None` for `never`.
    pub fail_on: Option<Severity>,
    /// No input error and no finding at or above `fail_on`.
    pub passed: bool,
    /// Some input could not be read.
    pub input_errors: bool,
}

/// Loads the policy `request` names (the CLI's `--config`, `--required-policy` and
/// `--policy-base`; the action's `config`, `required-policy` and the pull request's
/// base), rooted at the current directory; the whole chain (and, with a base, the
/// base's) is validated before anything else is read. A broken policy is a
/// [`crate::policy::PolicyError`] (`FILE:LINE:COL`).
pub fn load_policy(request: &Request) -> anyhow::Result<Policy> {
    let root = std::env::current_dir().context("cannot read the current directory")?;
    crate::policy::load_request(request, &root, GithubFetcher::from_env(), Date::today())
}

/// Runs the gate: lints `settings.paths`, inspects `settings.images`, applies the one
/// suppression step and decides the verdict.
pub fn run(settings: &Settings, mut policy: Policy) -> Run {
    let keep_syntax = !settings.images.is_empty() && settings.image.dockerfile.is_none();
    let (mut files, mut errors, notes) = if settings.paths.is_empty() {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        lint::lint_paths(&settings.paths, &policy, keep_syntax)
    };
    let policy_changes = policy.review.take();
    if let Some(review) = &policy_changes {
        lint::add_policy_findings(&mut files, &review.findings);
    }
    let inspected = images::inspect(settings, &policy, &files);
    let mut images = inspected.images;
    errors.extend(inspected.errors);
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    suppress::apply(&policy, &mut files, &mut images, inspected.named.as_ref());
    let verdict = suppress::verdict(
        settings,
        &policy,
        policy_changes.as_ref(),
        &files,
        &images,
        &errors,
    );
    let mut warnings = policy.notes.clone();
    warnings.extend(notes);
    Run {
        warnings,
        policy,
        policy_changes,
        files,
        images,
        errors,
        verdict,
        fixes: None,
    }
}

impl Run {
    /// Records what `--fix` did before this run linted the fixed files: the summary,
    /// and the files it could not write (each an input error).
    pub fn with_fixes(mut self, outcome: fix::FixOutcome) -> Run {
        let fixed = outcome.fixed();
        if !outcome.errors.is_empty() {
            self.verdict.input_errors = true;
            self.verdict.passed = false;
        }
        self.errors.extend(outcome.errors);
        self.errors.sort_by(|a, b| a.path.cmp(&b.path));
        self.warnings.extend(outcome.notes);
        self.warnings
            .extend(outcome.refused.iter().map(ToString::to_string));
        self.fixes = Some(fix::FixSummary {
            fixed,
            refused: outcome.refused,
        });
        self
    }
}
