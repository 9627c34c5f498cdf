//! One run of dockgate: the commands of [`crate::cli`], wired through the pipeline
//! workspace -> parser -> rules -> report.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::cli::{
    CheckArgs, Cli, Command, DebugCommand, FailOn, ImageArgs, ImageOptions, ImportHadolintArgs,
    LintArgs, ParseArgs, ParseFormat, PolicyArg, PolicyCommand, ReportArgs, RulesArgs,
};
use crate::dockerfile::{buildkit_dump, parse_bytes};
use crate::image::{self, AnalyzeOptions};
use crate::policy::{self, Choice, GithubFetcher, Policy, PolicyError};
use crate::report::{self, FileReport, Format, ImageReport, Report};
use crate::rules::{self, docs};
use crate::workspace::{self, InputError};

/// How a run ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above the `--fail-on` threshold.
    Passed = 0,
    /// The policy failed.
    Failed = 1,
    /// Usage, config or input error; the message went to stderr.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// Runs one command. Errors are printed to stderr here, so `main` only exits.
pub fn run(cli: Cli) -> ExitStatus {
    let result = match cli.command {
        Command::Lint(args) => lint(&args),
        Command::Image(args) => check_images(&args),
        Command::Check(args) => check(&args),
        Command::Rules(args) => print_rules(&args),
        Command::Policy(command) => policy_command(command),
        Command::Debug(DebugCommand::Parse(args)) => debug_parse(&args),
    };
    match result {
        Ok(status) => status,
        Err(error) if is_broken_pipe(&error) => ExitStatus::Passed,
        Err(error) if error.downcast_ref::<PolicyError>().is_some() => {
            // FILE:LINE:COLUMN first, as compilers print it, so editors can jump there.
            eprintln!("{error}");
            ExitStatus::Error
        }
        Err(error) => {
            eprintln!("dockgate: error: {error:#}");
            ExitStatus::Error
        }
    }
}

/// `dockgate lint`: discover, lint in parallel, report in path order.
fn lint(args: &LintArgs) -> anyhow::Result<ExitStatus> {
    // The whole policy is read and validated before any Dockerfile is.
    let policy = load_policy(&args.policy)?;
    let (files, errors) = lint_paths(&args.paths, &policy);
    finish(&policy, &files, &[], errors, &args.report)
}

/// `dockgate image`: analyse each image (in parallel, each one's layers in parallel
/// too), run the image rules, report in the order given.
fn check_images(args: &ImageArgs) -> anyhow::Result<ExitStatus> {
    let policy = load_policy(&args.policy)?;
    let progress = args.report.format == Format::Text;
    let (images, errors) = inspect_images(&args.references, &policy, &args.image, &[], progress);
    finish(&policy, &[], &images, errors, &args.report)
}

/// `dockgate check`: the gate. Lints the Dockerfiles and inspects the images the
/// policy's `images` and `--image` name, with one verdict over both.
fn check(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let policy = load_policy(&args.policy)?;
    let mut references: Vec<String> = policy
        .settings
        .images
        .iter()
        .flat_map(|list| list.items())
        .cloned()
        .collect();
    references.extend(args.images.iter().cloned());
    let (files, mut errors) = lint_paths(&args.paths, &policy);
    let progress = args.report.format == Format::Text;
    let (images, image_errors) =
        inspect_images(&references, &policy, &args.image, &files, progress);
    errors.extend(image_errors);
    finish(&policy, &files, &images, errors, &args.report)
}

/// Reports input errors, writes the report, and turns the findings into the verdict.
fn finish(
    policy: &Policy,
    files: &[FileReport],
    images: &[ImageReport],
    mut errors: Vec<InputError>,
    output: &ReportArgs,
) -> anyhow::Result<ExitStatus> {
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    for error in &errors {
        eprintln!("dockgate: error: {error}");
    }
    let threshold = output
        .fail_on
        .or(policy.fail_on())
        .unwrap_or(FailOn::Warning)
        .threshold();
    let failing = |severity| threshold.is_some_and(|threshold| severity >= threshold);
    let passed = errors.is_empty()
        && !files
            .iter()
            .flat_map(|file| &file.findings)
            .chain(images.iter().flat_map(|image| &image.findings))
            .any(|finding| failing(finding.severity));
    let report = Report {
        files,
        images,
        errors: &errors,
        fail_on: threshold,
        passed,
    };
    write_report(&report, output.format, output.output.as_deref())?;
    Ok(if !errors.is_empty() {
        ExitStatus::Error
    } else if passed {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
    })
}

/// Lints the Dockerfiles under `paths` the policy selects, in parallel; the reports
/// come back in path order, with the policy's expired exceptions among them.
fn lint_paths(paths: &[std::path::PathBuf], policy: &Policy) -> (Vec<FileReport>, Vec<InputError>) {
    let mut discovery = workspace::discover(paths);
    discovery
        .files
        .retain(|path| policy.includes(&relative_to(path, &policy.root)));
    if discovery.files.is_empty() && discovery.errors.is_empty() {
        // Not an error (a repository may have no Dockerfiles yet), but likely a wrong path.
        eprintln!("dockgate: warning: no Dockerfiles found");
    }
    let mut errors = discovery.errors;
    let results: Vec<Result<FileReport, InputError>> = discovery
        .files
        .par_iter()
        .map(|path| lint_file(path, policy))
        .collect();
    let mut files: Vec<FileReport> = policy.expired.clone();
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

/// Analyses each image (in parallel) and runs the image rules the policy sets; the
/// reports come back in the order given. Findings are placed on the line of the
/// Dockerfile that made the image: `--dockerfile`, else the one of the `linted` files
/// the image's history matches. `progress`: the text report may show a progress line
/// on stderr while layers are read (only if stderr is a terminal).
fn inspect_images(
    references: &[String],
    policy: &Policy,
    options: &ImageOptions,
    linted: &[FileReport],
    progress: bool,
) -> (Vec<ImageReport>, Vec<InputError>) {
    if references.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let (dockerfiles, named) = match &options.dockerfile {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => (
                vec![(path.display().to_string(), parse_bytes(&bytes))],
                true,
            ),
            Err(error) => return (Vec::new(), vec![InputError::io(path, &error)]),
        },
        None => {
            let parsed = linted
                .iter()
                .map(|file| (file.path.clone(), crate::dockerfile::parse(&file.source)))
                .collect();
            (parsed, false)
        }
    };
    let candidates: Vec<(&str, &crate::dockerfile::Dockerfile)> = dockerfiles
        .iter()
        .map(|(path, dockerfile)| (path.as_str(), dockerfile))
        .collect();
    let rules = policy.image_rule_set();
    let mut limits = policy.image_limits();
    if let Some(size) = options.max_size {
        limits.max_size = Some(size.0);
    }
    if let Some(size) = options.max_compressed_size {
        limits.max_compressed_size = Some(size.0);
    }
    let analyze = AnalyzeOptions {
        platform: options.platform.clone().unwrap_or_default(),
        platform_explicit: options.platform.is_some(),
        // Growth is measured uncompressed: with a baseline, both images are read.
        read_layers: rules.needs_layers() || options.baseline.is_some(),
        walk: limits.walk,
        progress: if progress {
            image::progress::Progress::for_terminal()
        } else {
            None
        },
        insecure_registries: image::registry::InsecureRegistries::new(
            options.insecure_registries.iter().cloned(),
        ),
    };
    let mut errors = Vec::new();
    let baseline = options.baseline.as_ref().and_then(|reference| {
        match image::analyze_reference(reference, &analyze) {
            Ok(facts) => Some(image::baseline::Baseline::new(facts)),
            Err(error) => {
                errors.push(InputError {
                    path: reference.clone(),
                    message: format!("baseline image: {error}"),
                });
                None
            }
        }
    });
    let results: Vec<Result<ImageReport, InputError>> = references
        .par_iter()
        .map(|reference| {
            let facts =
                image::analyze_reference(reference, &analyze).map_err(|error| InputError {
                    path: reference.clone(),
                    message: error.to_string(),
                })?;
            let mut facts = facts;
            facts.baseline = baseline.clone();
            if options.live {
                facts.live = live_user(reference);
            }
            match image::provenance::find(&facts.history, facts.layers.len(), &candidates, !named) {
                Ok(provenance) => facts.attribute_to(provenance),
                Err(image::provenance::Unplaced::NoDockerfile) => {}
                Err(reason) => facts.unplaced = Some(reason),
            }
            let mut findings: Vec<_> = rules::check_image_subjects(&facts, &limits, &rules)
                .into_iter()
                .map(|(mut finding, subject)| {
                    if let Some(provenance) = &facts.provenance {
                        provenance.place_finding(&mut finding, &subject);
                    }
                    finding
                })
                .collect();
            findings.retain(|finding| {
                rules.locked.contains(&finding.rule.as_ref())
                    || !policy.waives_image(&finding.rule, reference)
            });
            findings.sort_by(|a, b| a.rule.cmp(&b.rule));
            Ok(ImageReport {
                facts,
                findings,
                max_size: limits.max_size,
                max_compressed_size: limits.max_compressed_size,
            })
        })
        .collect();
    if let Some(progress) = &analyze.progress {
        progress.finish();
    }
    let mut images = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(image) => images.push(image),
            Err(error) => errors.push(error),
        }
    }
    (images, errors)
}

/// How long `--live` waits for a container's main process.
const LIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The live check of one image: `docker-daemon:` images only; elsewhere, and when the
/// image cannot run, a note on stderr and the verdict from the config.
fn live_user(reference: &str) -> Option<image::daemon::LiveUser> {
    if !matches!(
        image::ImageReference::parse(reference),
        Ok(image::ImageReference::DockerDaemon { .. })
    ) {
        eprintln!(
            "dockgate: note: --live runs docker-daemon: images only; {reference} is checked from its config"
        );
        return None;
    }
    match image::daemon_source::live_user(reference, LIVE_TIMEOUT) {
        Ok(user) => Some(user),
        Err(error) => {
            eprintln!("dockgate: warning: {error}; the runtime user is judged from the config");
            None
        }
    }
}

/// Reads, parses and lints one file with the rules the policy sets for its path; the
/// file is read once and parsed once.
fn lint_file(path: &Path, policy: &Policy) -> Result<FileReport, InputError> {
    let display = path.display().to_string();
    let relative = relative_to(path, &policy.root);
    let bytes = std::fs::read(path).map_err(|error| InputError::io(path, &error))?;
    let dockerfile = parse_bytes(&bytes);
    let rules = policy.rule_set(&relative);
    let mut findings = rules::lint(&display, &dockerfile, &rules);
    findings.retain(|finding| {
        rules.locked.contains(&finding.rule.as_ref()) || !policy.waives(&finding.rule, &relative)
    });
    Ok(FileReport {
        path: display,
        source: dockerfile.source,
        lines: dockerfile.lines,
        findings,
    })
}

/// The policy `--config` names, or the repository's, validated as a whole.
fn load_policy(arg: &PolicyArg) -> anyhow::Result<Policy> {
    let choice = match &arg.config {
        Some(spec) => Choice::Explicit(spec.clone()),
        None => Choice::Discover,
    };
    let root = std::env::current_dir().context("cannot read the current directory")?;
    Ok(policy::load(&choice, &root, GithubFetcher::from_env())?)
}

/// `path` relative to `root` with `/` separators, as policy globs match it.
fn relative_to(path: &Path, root: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// `dockgate policy ...`.
fn policy_command(command: PolicyCommand) -> anyhow::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    match command {
        PolicyCommand::Validate(args) => {
            let policy = load_policy(&PolicyArg { config: args.file })?;
            let chain: Vec<&str> = policy
                .chain
                .iter()
                .map(|document| document.name.as_str())
                .collect();
            writeln!(out, "{}: valid ({})", policy.name(), chain.join(" -> "))?;
            for report in &policy.expired {
                for finding in &report.findings {
                    writeln!(
                        out,
                        "{}:{}:{}: {}: {}",
                        report.path,
                        finding.line(),
                        finding.column(),
                        finding.rule,
                        finding.message
                    )?;
                }
            }
        }
        PolicyCommand::Show(args) => out.write_all(load_policy(&args.policy)?.show().as_bytes())?,
        PolicyCommand::Schema => out.write_all(policy::schema_json().as_bytes())?,
        PolicyCommand::ImportHadolint(args) => import_hadolint(&args)?,
    }
    Ok(ExitStatus::Passed)
}

fn import_hadolint(args: &ImportHadolintArgs) -> anyhow::Result<()> {
    let path = match &args.file {
        Some(path) => path.clone(),
        None => [".hadolint.yaml", ".hadolint.yml"]
            .iter()
            .map(std::path::PathBuf::from)
            .find(|path| path.is_file())
            .context("no .hadolint.yaml or .hadolint.yml here; name the file")?,
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let policy = policy::hadolint::import(&path.display().to_string(), &text)?;
    match &args.output {
        Some(output) => std::fs::write(output, policy)
            .with_context(|| format!("cannot write `{}`", output.display()))?,
        None => io::stdout().lock().write_all(policy.as_bytes())?,
    }
    Ok(())
}

fn write_report(report: &Report, format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot write `{}`", path.display()))?;
            let mut out = BufWriter::new(file);
            report::write(&mut out, report, format, false)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write `{}`", path.display()))
        }
        None => {
            let stdout = io::stdout();
            let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
            let mut out = BufWriter::new(stdout.lock());
            report::write(&mut out, report, format, color)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// `dockgate rules [CODE]`.
fn print_rules(args: &RulesArgs) -> anyhow::Result<ExitStatus> {
    let text = match &args.code {
        None => docs::rule_list(rules::all()),
        Some(code) => match rules::find(code) {
            Some(rule) => docs::rule_page(rule),
            None => bail!("unknown rule `{code}` (`dockgate rules` lists them)"),
        },
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitStatus::Passed)
}

/// `dockgate debug parse --format buildkit FILE`.
fn debug_parse(args: &ParseArgs) -> anyhow::Result<ExitStatus> {
    let path = args.file.display();
    let bytes = std::fs::read(&args.file)
        .map_err(|error| anyhow::anyhow!("{}", InputError::io(&args.file, &error)))?;
    let dockerfile = parse_bytes(&bytes);
    let ParseFormat::Buildkit = args.format;
    match buildkit_dump::dump(&dockerfile) {
        Ok(dump) => {
            io::stdout().lock().write_all(dump.as_bytes())?;
            Ok(ExitStatus::Passed)
        }
        Err(message) => bail!("{path}:{message}"),
    }
}

/// Output cut short by a closed pipe (`dockgate lint | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
