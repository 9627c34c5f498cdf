//! CLI glue: the commands of [`crate::cli`] turned into gate settings, the run handed
//! to a reporter, the verdict turned into an exit status.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::{
    CheckArgs, Cli, Command, DebugCommand, ImageArgs, ImageOptions, LintArgs, PolicyArg,
    ReportArgs, ReviewArg,
};
use crate::commands;
use crate::gate::{self, ImageSettings, Run, Settings};
use crate::policy::{PolicyError, Request};
use crate::report::{self, Format};

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
        Command::Rules(args) => commands::print_rules(&args).map(|()| ExitStatus::Passed),
        Command::Policy(command) => commands::policy(command).map(|()| ExitStatus::Passed),
        Command::Debug(DebugCommand::Parse(args)) => {
            commands::debug_parse(&args).map(|()| ExitStatus::Passed)
        }
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
    gate(
        &settings,
        &policy_request(&args.policy, &args.review),
        &args.report,
    )
}

/// `dockgate image`: check built images, reported in the order given.
fn check_images(args: &ImageArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings {
        images: args.references.clone(),
        image: image_settings(&args.image),
        ..settings(&args.report)
    };
    gate(
        &settings,
        &policy_request(&args.policy, &args.review),
        &args.report,
    )
}

/// `dockgate check`: the gate. Lints the Dockerfiles and inspects the images the
/// policy's `images` and `--image` name, with one verdict over both.
fn check(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let policy = gate::load_policy(&policy_request(&args.policy, &args.review))?;
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

/// The policy flags every gating command shares. In a `pull_request_target` run the
/// working tree is the pull request's head, which may not choose the policy that
/// judges it: with `--policy-base`, the base's policy applies and the head's is only
/// reviewed.
pub fn policy_request(policy: &PolicyArg, review: &ReviewArg) -> Request {
    let target = std::env::var("GITHUB_EVENT_NAME").is_ok_and(|name| name == "pull_request_target");
    Request {
        required: policy.required.policies.clone(),
        base: review.policy_base.clone(),
        apply_base: target && review.policy_base.is_some(),
        ..Request::new(policy.config.as_deref())
    }
}

fn settings(report: &ReportArgs) -> Settings {
    Settings {
        fail_on: report.fail_on,
        progress: report.format.is_none_or(|format| format == Format::Text),
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
fn gate(settings: &Settings, policy: &Request, report: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let policy = gate::load_policy(policy)?;
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
    let format = match output.format {
        Some(format) => format,
        None => hadolint_format(&run),
    };
    write_report(&run, format, output.output.as_deref())?;
    Ok(if run.verdict.input_errors {
        ExitStatus::Error
    } else if run.verdict.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
    })
}

/// The format hadolint's configuration names (`format:`, `HADOLINT_FORMAT`) when it is
/// the policy: `tty` is text, `json` hadolint's JSON, `checkstyle`, `sarif` and
/// `gitlab_codeclimate` dockgate's own of those; hadolint's other formats (`gnu`,
/// `codeclimate`, `codacy`, `sonarqube`) dockgate does not write, and says so.
fn hadolint_format(run: &Run) -> Format {
    match run.policy.hadolint_format.as_deref() {
        None | Some("tty") => Format::Text,
        Some("json") => Format::HadolintJson,
        Some("checkstyle") => Format::Checkstyle,
        Some("sarif") => Format::Sarif,
        Some("gitlab_codeclimate") => Format::Gitlab,
        Some(other) => {
            eprintln!(
                "dockgate: warning: hadolint's output format `{other}` is not one of dockgate's (tty, json, checkstyle, sarif, gitlab_codeclimate): writing text"
            );
            Format::Text
        }
    }
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

/// Output cut short by a closed pipe (`dockgate lint | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
