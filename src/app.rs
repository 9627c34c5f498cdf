//! CLI glue: the commands of [`crate::cli`] turned into gate settings, the run handed
//! to a reporter, the verdict turned into an exit status.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::{
    CheckArgs, Cli, Command, DebugCommand, FixArgs, GithubArgs, ImageArgs, ImageOptions, LintArgs,
    PolicyArg, ReportArgs, ReviewArg,
};
use crate::commands;
use crate::gate::{self, ImageSettings, Run, Settings};
use crate::github;
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
        Command::Github(args) => github(&args),
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
    let policy = gate::load_policy(&policy_request(&args.policy, &args.review))?;
    gate_with_fixes(&settings, policy, &args.fix, &args.report)
}

/// Runs the gate; with `--fix` after fixing the Dockerfiles, with `--diff` instead
/// (printing what `--fix` would change).
fn gate_with_fixes(
    settings: &Settings,
    policy: crate::policy::Policy,
    fix: &FixArgs,
    report: &ReportArgs,
) -> anyhow::Result<ExitStatus> {
    let Some(mode) = fix.mode() else {
        return finish(gate::run(settings, policy), report);
    };
    let outcome = gate::fix::fix_paths(&settings.paths, &policy, mode);
    if mode.write {
        return finish(gate::run(settings, policy).with_fixes(outcome), report);
    }
    // `--diff`: the diff on stdout, the count on stderr, as ruff does.
    let mut out = io::stdout().lock();
    out.write_all(outcome.diff().as_bytes())?;
    out.flush()?;
    for note in &outcome.notes {
        eprintln!("dockgate: warning: {note}");
    }
    for refused in &outcome.refused {
        eprintln!("dockgate: warning: {refused}");
    }
    for error in &outcome.errors {
        eprintln!("dockgate: error: {error}");
    }
    let fixed = outcome.fixed();
    eprintln!(
        "Would fix {fixed} {}.",
        if fixed == 1 { "finding" } else { "findings" }
    );
    Ok(if !outcome.errors.is_empty() {
        ExitStatus::Error
    } else if fixed > 0 {
        ExitStatus::Failed
    } else {
        ExitStatus::Passed
    })
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
    let mut images = policy_images(&policy);
    images.extend(args.images.iter().cloned());
    let settings = Settings {
        paths: args.paths.clone(),
        images,
        image: image_settings(&args.image),
        ..settings(&args.report)
    };
    gate_with_fixes(&settings, policy, &args.fix, &args.report)
}

/// `dockgate github`: `check` with the action's inputs, reported to GitHub.
fn github(args: &GithubArgs) -> anyhow::Result<ExitStatus> {
    let env = |name: &str| std::env::var(name).ok();
    let inputs = github::Inputs::from_env(&env).map_err(anyhow::Error::msg)?;
    let context = github::Context::from_env(&env).map_err(anyhow::Error::msg)?;
    let mut request = policy_request(&args.policy, &args.review);
    if args.policy.config.is_none()
        && let Some(config) = &inputs.config
    {
        request = Request {
            choice: crate::policy::Choice::Explicit(config.clone()),
            ..request
        };
    }
    request
        .required
        .extend(inputs.required_policies.iter().cloned());
    review_policy_against_pr_base(&mut request, &context);
    let policy = gate::load_policy(&request)?;
    let mut images = policy_images(&policy);
    images.extend(inputs.images.iter().cloned());
    images.extend(args.images.iter().cloned());
    let paths = match (&args.paths, &inputs.dockerfiles) {
        (paths, _) if !paths.is_empty() => paths.clone(),
        (_, dockerfiles) if !dockerfiles.is_empty() => dockerfiles.clone(),
        _ => vec![".".into()],
    };
    let mut image = image_settings(&args.image);
    image.baseline = image.baseline.or_else(|| inputs.baseline_image.clone());
    let settings = Settings {
        paths,
        images,
        image,
        fail_on: args.fail_on.or(inputs.fail_on),
        progress: false,
    };
    let overrides = github::Overrides {
        comment_mode: args.comment_mode,
        max_comments: args.max_comments,
        check_name: args.check_name.clone(),
        summary_comment: None,
    };
    let token = inputs
        .github_token
        .clone()
        .or_else(|| env("GITHUB_TOKEN").filter(|token| !token.trim().is_empty()));
    let debug = args.verbose || env("DOCKGATE_LOG").is_some_and(|level| level == "debug");
    let options = github::Options::resolve(
        &overrides,
        &inputs,
        policy.settings.reporting.as_ref(),
        token,
        debug,
    );
    let sarif_file = args
        .sarif_file
        .clone()
        .or_else(|| inputs.sarif_file.clone());
    let finished = github::run(&context, &options, || gate::run(&settings, policy));
    for note in &finished.notes {
        eprintln!("dockgate: warning: {note}");
    }
    if let Some(reason) = &finished.degraded {
        eprintln!("dockgate: warning: {reason}; the findings are annotated in the log instead");
    }
    let run = &finished.run;
    if let Some(path) = &sarif_file {
        write_report(run, Format::Sarif, Some(path))?;
    }
    if let Some(path) = &context.step_summary {
        github::outputs::append_summary(path, &finished.summary)
            .with_context(|| format!("cannot write the job summary `{}`", path.display()))?;
    }
    if let Some(path) = &context.output {
        let mut json = Vec::new();
        report::reporter(Format::Json, false).write(run, &mut json)?;
        let outputs = github::outputs(
            run,
            String::from_utf8_lossy(&json).trim_end().to_string(),
            sarif_file.as_ref(),
        );
        github::outputs::append_outputs(path, &outputs)
            .with_context(|| format!("cannot write the step outputs `{}`", path.display()))?;
    }
    // The log shows the findings either way; as annotations when GitHub has not got them.
    let format = if finished.degraded.is_some() {
        Format::Github
    } else {
        Format::Text
    };
    finish(
        finished.run,
        &ReportArgs {
            format: Some(format),
            output: None,
            fail_on: None,
        },
    )
}

/// The images the policy's `images` names.
fn policy_images(policy: &crate::policy::Policy) -> Vec<String> {
    policy
        .settings
        .images
        .iter()
        .flat_map(|list| list.items())
        .cloned()
        .collect()
}

/// In a pull request the policy under review is the base's: without `--policy-base`,
/// the policy is reviewed against the PR's base commit (and, for
/// `pull_request_target`, the base's policy applies). A checkout without that commit
/// (`fetch-depth: 1`) cannot be reviewed; the run says so and goes on.
fn review_policy_against_pr_base(request: &mut Request, context: &github::Context) {
    let Some(pr) = context
        .pull_request
        .as_ref()
        .filter(|_| request.base.is_none())
    else {
        return;
    };
    match crate::policy::Revision::open(std::path::Path::new("."), &pr.base_sha) {
        Ok(_) => {
            request.base = Some(pr.base_sha.clone());
            request.apply_base = context.event == "pull_request_target";
        }
        Err(why) => eprintln!(
            "dockgate: warning: the policy is not reviewed against the pull request's base ({why}); check out with `fetch-depth: 0` to review policy changes"
        ),
    }
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
    let status = if run.verdict.input_errors {
        ExitStatus::Error
    } else if run.verdict.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
    };
    // The process exits next: freeing a tree's parsed files and findings one by one
    // would be a tenth of a large run, all on one thread.
    std::mem::forget(run);
    Ok(status)
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
