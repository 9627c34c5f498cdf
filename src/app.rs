//! One run of dockgate: the commands of [`crate::cli`], wired through the pipeline
//! workspace -> parser -> rules -> report.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::cli::{
    Cli, Command, DebugCommand, ImageArgs, LintArgs, ParseArgs, ParseFormat, RulesArgs,
};
use crate::dockerfile::{buildkit_dump, parse_bytes};
use crate::image::{self, AnalyzeOptions, ImageLimits};
use crate::report::{self, FileReport, Format, ImageReport, Report};
use crate::rules::{self, RuleSet, docs};
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

/// The built-in policies `--config` accepts until policy files arrive.
const BUILTIN_POLICIES: &[&str] = &["builtin:recommended", "builtin:hadolint"];

/// Runs one command. Errors are printed to stderr here, so `main` only exits.
pub fn run(cli: Cli) -> ExitStatus {
    let result = match cli.command {
        Command::Lint(args) => lint(&args),
        Command::Image(args) => check_images(&args),
        Command::Rules(args) => print_rules(&args),
        Command::Debug(DebugCommand::Parse(args)) => debug_parse(&args),
    };
    match result {
        Ok(status) => status,
        Err(error) if is_broken_pipe(&error) => ExitStatus::Passed,
        Err(error) => {
            eprintln!("dockgate: error: {error:#}");
            ExitStatus::Error
        }
    }
}

/// `dockgate lint`: discover, lint in parallel, report in path order.
fn lint(args: &LintArgs) -> anyhow::Result<ExitStatus> {
    let rules = rule_set(args.config.as_deref())?;
    let discovery = workspace::discover(&args.paths);
    if discovery.files.is_empty() && discovery.errors.is_empty() {
        // Not an error (a repository may have no Dockerfiles yet), but likely a wrong path.
        eprintln!("dockgate: warning: no Dockerfiles found");
    }
    let mut errors = discovery.errors;
    let results: Vec<Result<FileReport, InputError>> = discovery
        .files
        .par_iter()
        .map(|path| lint_file(path, &rules))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    for error in &errors {
        eprintln!("dockgate: error: {error}");
    }

    let threshold = args.fail_on.threshold();
    let failing = |severity| threshold.is_some_and(|threshold| severity >= threshold);
    let passed = errors.is_empty()
        && !files
            .iter()
            .flat_map(|file| &file.findings)
            .any(|finding| failing(finding.severity));
    let report = Report {
        files: &files,
        images: &[],
        errors: &errors,
        fail_on: threshold,
        passed,
    };
    write_report(&report, args.format, args.output.as_deref())?;

    Ok(if !errors.is_empty() {
        ExitStatus::Error
    } else if passed {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
    })
}

/// `dockgate image`: analyse each image (in parallel, each one's layers in parallel
/// too), run the image rules, report in the order given.
fn check_images(args: &ImageArgs) -> anyhow::Result<ExitStatus> {
    let rules = rule_set(args.config.as_deref())?;
    let limits = ImageLimits {
        max_size: args.max_size,
        max_compressed_size: args.max_compressed_size,
        ..ImageLimits::default()
    };
    let options = AnalyzeOptions {
        platform: args.platform.clone().unwrap_or_default(),
        platform_explicit: args.platform.is_some(),
        read_layers: rules.needs_layers(),
        walk: limits.walk,
    };
    let results: Vec<Result<ImageReport, InputError>> = args
        .references
        .par_iter()
        .map(|reference| {
            let facts =
                image::analyze_reference(reference, &options).map_err(|error| InputError {
                    path: reference.clone(),
                    message: error.to_string(),
                })?;
            let findings = rules::check_image(&facts, &limits, &rules);
            Ok(ImageReport {
                facts,
                findings,
                max_size: limits.max_size,
                max_compressed_size: limits.max_compressed_size,
            })
        })
        .collect();
    let mut images = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(image) => images.push(image),
            Err(error) => errors.push(error),
        }
    }
    for error in &errors {
        eprintln!("dockgate: error: {error}");
    }
    let threshold = args.fail_on.threshold();
    let failing = |severity| threshold.is_some_and(|threshold| severity >= threshold);
    let passed = errors.is_empty()
        && !images
            .iter()
            .flat_map(|image| &image.findings)
            .any(|finding| failing(finding.severity));
    let report = Report {
        files: &[],
        images: &images,
        errors: &errors,
        fail_on: threshold,
        passed,
    };
    write_report(&report, args.format, args.output.as_deref())?;
    Ok(if !errors.is_empty() {
        ExitStatus::Error
    } else if passed {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
    })
}

/// Reads, parses and lints one file; the file is read once and parsed once.
fn lint_file(path: &Path, rules: &RuleSet) -> Result<FileReport, InputError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| InputError::io(path, &error))?;
    let dockerfile = parse_bytes(&bytes);
    let findings = rules::lint(&display, &dockerfile, rules);
    Ok(FileReport {
        path: display,
        source: dockerfile.source,
        lines: dockerfile.lines,
        findings,
    })
}

/// The rules a `--config` value selects.
fn rule_set(config: Option<&str>) -> anyhow::Result<RuleSet> {
    match config {
        None => Ok(RuleSet::defaults()),
        // Both presets are every rule at hadolint's severity while all rules are
        // hadolint's; they part ways when dockgate's own rules arrive.
        Some(name) if BUILTIN_POLICIES.contains(&name) => Ok(RuleSet::defaults()),
        Some(name) if name.starts_with("builtin:") => bail!(
            "unknown built-in policy `{name}` (available: {})",
            BUILTIN_POLICIES.join(", ")
        ),
        Some(file) => bail!(
            "policy files are not supported yet (`--config {file}`); use one of: {}",
            BUILTIN_POLICIES.join(", ")
        ),
    }
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
