//! CLI glue: the commands of [`crate::cli`] turned into gate settings, the run handed
//! to a reporter, the verdict turned into an exit status.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::cli::{
    CheckArgs, Cli, Command, DebugCommand, ImageArgs, ImageOptions, ImportHadolintArgs, LintArgs,
    ParseArgs, ParseFormat, PolicyArg, PolicyCommand, ReportArgs, RulesArgs,
};
use crate::dockerfile::{buildkit_dump, parse_bytes};
use crate::gate::{self, ImageSettings, Run, Settings};
use crate::policy::{self, Choice, GithubFetcher, Policy, PolicyError};
use crate::report::{self, Format};
use crate::rules::{self, docs};
use crate::workspace::InputError;

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
    let settings = Settings {
        paths: args.paths.clone(),
        ..settings(&args.report)
    };
    gate(&settings, &args.policy, &args.report)
}

/// `dockgate image`: check built images, reported in the order given.
fn check_images(args: &ImageArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings {
        images: args.references.clone(),
        image: image_settings(&args.image),
        ..settings(&args.report)
    };
    gate(&settings, &args.policy, &args.report)
}

/// `dockgate check`: the gate. Lints the Dockerfiles and inspects the images the
/// policy's `images` and `--image` name, with one verdict over both.
fn check(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let policy = load_policy(&args.policy)?;
    let mut images: Vec<String> = policy
        .settings
        .images
        .iter()
        .flat_map(|list| list.items())
        .cloned()
        .collect();
    images.extend(args.images.iter().cloned());
    let settings = Settings {
        paths: args.paths.clone(),
        images,
        image: image_settings(&args.image),
        ..settings(&args.report)
    };
    finish(gate::run(&settings, policy), &args.report)
}

fn settings(report: &ReportArgs) -> Settings {
    Settings {
        fail_on: report.fail_on,
        progress: report.format == Format::Text,
        ..Settings::default()
    }
}

fn image_settings(options: &ImageOptions) -> ImageSettings {
    ImageSettings {
        dockerfile: options.dockerfile.clone(),
        platform: options.platform.clone(),
        max_size: options.max_size.map(|size| size.0),
        max_compressed_size: options.max_compressed_size.map(|size| size.0),
        baseline: options.baseline.clone(),
        live: options.live,
        insecure_registries: options.insecure_registries.clone(),
    }
}

/// Loads the policy (validated as a whole before any input is read) and runs the gate.
fn gate(
    settings: &Settings,
    policy: &PolicyArg,
    report: &ReportArgs,
) -> anyhow::Result<ExitStatus> {
    let policy = load_policy(policy)?;
    finish(gate::run(settings, policy), report)
}

/// Prints the input errors, writes the report and maps the verdict to an exit status.
fn finish(run: Run, output: &ReportArgs) -> anyhow::Result<ExitStatus> {
    for warning in &run.warnings {
        eprintln!("dockgate: warning: {warning}");
    }
    for error in &run.errors {
        eprintln!("dockgate: error: {error}");
    }
    write_report(&run, output.format, output.output.as_deref())?;
    Ok(if run.verdict.input_errors {
        ExitStatus::Error
    } else if run.verdict.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
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
            for file in &policy.expired {
                for finding in &file.findings {
                    writeln!(
                        out,
                        "{}:{}:{}: {}: {}",
                        file.path,
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

fn write_report(run: &Run, format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let cannot = || format!("cannot write `{}`", path.display());
            let mut out = BufWriter::new(File::create(path).with_context(cannot)?);
            report::reporter(format, false)
                .write(run, &mut out)
                .and_then(|()| out.flush())
                .with_context(cannot)
        }
        None => {
            let stdout = io::stdout();
            let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
            let mut out = BufWriter::new(stdout.lock());
            report::reporter(format, color).write(run, &mut out)?;
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
