//! The command line, as clap definitions. What the commands do lives in [`crate::app`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::image::Platform;
use crate::image::registry::InsecureRegistry;
use crate::report::Format;
use crate::units::Size;

/// A container policy gate for CI: lints Dockerfiles and Containerfiles.
///
/// Exit status: 0 passed, 1 policy failed, 2 usage, config or input error (the message
/// is on stderr).
#[derive(Debug, Parser)]
#[command(
    name = "dockgate",
    version = env!("DOCKGATE_LONG_VERSION"),
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles and Containerfiles.
    Lint(LintArgs),
    /// Check built images: runtime user, size budgets, secrets in layers, and more.
    Image(ImageArgs),
    /// The gate: lint the Dockerfiles and check the images the policy's `images` and
    /// `--image` name, with one verdict.
    Check(CheckArgs),
    /// The gate inside a GitHub Actions job: `check`, then review comments on the
    /// pull request's changed lines, a check run and the job summary and outputs.
    /// Settings come from the action's `INPUT_*` variables and the policy's
    /// `reporting` section; the flags below override both for local use.
    Github(GithubArgs),
    /// List the rules, or print one rule's documentation.
    Rules(RulesArgs),
    /// Validate, show, and export policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Tools for dockgate's developers.
    #[command(subcommand)]
    Debug(DebugCommand),
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to lint. Directories are searched recursively for
    /// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile` and
    /// `Containerfile.*`, skipping what `.gitignore` excludes; files named here are
    /// linted whatever their name.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub fix: FixArgs,

    #[command(flatten)]
    pub policy: PolicyArg,

    #[command(flatten)]
    pub review: ReviewArg,
}

/// Applying the findings' fixes to the Dockerfiles.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("apply").multiple(true).args(["fix", "diff"]))]
pub struct FixArgs {
    /// Apply the safe fixes (the image is built the same) to the Dockerfiles, then
    /// report what remains. Fixes are applied in rounds until none applies; a fix
    /// that would make a file unparsable is refused and reported. A finding a pragma,
    /// an exception or the policy silences is not fixed.
    #[arg(long)]
    pub fix: bool,

    /// With `--fix` or `--diff`: apply the unsafe fixes too (they may change the image:
    /// `--no-install-recommends`, removing the apt lists, ...).
    #[arg(long, requires = "apply")]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what `--fix` would change, instead of the report, and
    /// change nothing. Exit 1 when there is something to fix, 0 when not.
    #[arg(long)]
    pub diff: bool,
}

impl FixArgs {
    /// What to do, when fixes are asked for.
    pub fn mode(&self) -> Option<crate::gate::fix::FixMode> {
        (self.fix || self.diff).then_some(crate::gate::fix::FixMode {
            unsafe_fixes: self.unsafe_fixes,
            write: !self.diff,
        })
    }
}

/// Where the report goes, and what fails the run.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format [default: text, or what hadolint's configuration names when it
    /// is the policy: `json` is hadolint-json].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) when a finding has this severity or a higher one. Overrides the
    /// policy's `fail_on`; without either, `warning` fails on errors and warnings and
    /// only reports info and style findings.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
}

/// The policy a command uses.
#[derive(Debug, Clone, Args)]
pub struct PolicyArg {
    /// The policy: a file, `builtin:NAME` (recommended, strict, hadolint) or
    /// `github:OWNER/REPO/PATH@REF`. Without it, `dockgate.yml`, `.dockgate.yml` or
    /// `.github/dockgate.yml` in the current directory, else hadolint's configuration
    /// (`.hadolint.yaml`, ..., `HADOLINT_*`), else `builtin:recommended`. A file named
    /// `.hadolint.yaml` is read as hadolint's configuration.
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub config: Option<String>,

    #[command(flatten)]
    pub required: RequiredArg,
}

/// The policies under the repository's.
#[derive(Debug, Clone, Args)]
pub struct RequiredArg {
    /// A policy (a file, `builtin:NAME` or `github:OWNER/REPO/PATH@REF`) that always
    /// applies, under the repository's own: the repository's policy (found, or
    /// `--config`) is merged on top of it and may not weaken what it locks, and a
    /// repository without a policy file gets it alone. Repeatable, applied in order.
    #[arg(long = "required-policy", value_name = "SOURCE")]
    pub policies: Vec<String>,
}

/// The policy change a run reviews.
#[derive(Debug, Clone, Args)]
pub struct ReviewArg {
    /// A git revision (the pull request's base): read the repository's policy as it is
    /// there, and report each way the working tree's policy weakens it as a DG0004
    /// finding on the policy file's line, and the exceptions it adds. The working
    /// tree's policy applies, judged by the stricter `fail_on` of the two; in a
    /// `pull_request_target` run (`GITHUB_EVENT_NAME`) the base's applies.
    #[arg(long, value_name = "REF")]
    pub policy_base: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy and everything it extends; exit 2 with FILE:LINE:COLUMN on error.
    Validate(PolicyValidateArgs),
    /// Print the effective policy, each value annotated with the file that set it.
    Show(PolicyShowArgs),
    /// Print the JSON Schema of policy files (for editors and yaml-language-server).
    Schema,
    /// Convert a `.hadolint.yaml` into the equivalent dockgate policy.
    ImportHadolint(ImportHadolintArgs),
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Images to check, in containers-transports syntax: `docker-archive:PATH`,
    /// `oci:DIR[:REF]`, `oci-archive:PATH[:REF]`, `docker://REGISTRY/NAME[:TAG|@DIGEST]`
    /// (a registry) and `docker-daemon:NAME[:TAG]` (the Docker Engine at DOCKER_HOST).
    #[arg(value_name = "REFERENCE", required = true)]
    pub references: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub image: ImageOptions,

    #[command(flatten)]
    pub policy: PolicyArg,

    #[command(flatten)]
    pub review: ReviewArg,
}

/// How images are read and which budgets the command line overrides.
#[derive(Debug, Clone, Args)]
pub struct ImageOptions {
    /// The Dockerfile the images were built from: image findings about a layer, the
    /// user, a variable or a port are placed on the instruction that made it. `check`
    /// otherwise finds it among the Dockerfiles it lints, by the image's history.
    #[arg(long, value_name = "PATH")]
    pub dockerfile: Option<PathBuf>,

    /// The platform to select from a multi-platform image (default linux/amd64). A
    /// single-platform image must then be of this platform.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub platform: Option<Platform>,

    /// Budget for the uncompressed image size: `200MB`, `1.5GiB` (kB/MB/GB are powers
    /// of 1000, KiB/MiB/GiB of 1024).
    /// Overrides the policy's `image.max_size`.
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<Size>,

    /// Budget for the sum of the compressed layer blobs (what a pull downloads).
    /// Overrides the policy's `image.max_compressed_size`.
    #[arg(long, value_name = "SIZE")]
    pub max_compressed_size: Option<Size>,

    /// An image to compare each image with (any transport; e.g. the image built from
    /// the base branch): the report shows the growth, and DG2015 holds it to the
    /// policy's `image.max_growth`.
    #[arg(long, value_name = "REFERENCE")]
    pub baseline: Option<String>,

    /// Run each `docker-daemon:` image (its own entrypoint, no network, removed
    /// afterwards) and judge the runtime user (DG2001) by the real UID of its main
    /// process, for images that start as root and drop privileges. Other transports
    /// are checked from their config (a note on stderr says so).
    #[arg(long)]
    pub live: bool,

    /// A `docker://` registry to reach as Docker reaches its `insecure-registries`:
    /// over HTTPS without verifying the certificate (self-signed, private CA), else over
    /// plain HTTP. Without it only localhost and 127.0.0.0/8 are plain HTTP; any other
    /// registry is HTTPS with a verified certificate. A host without a port covers all
    /// its ports. Applies to `--baseline` too. Credentials are sent over plain HTTP only
    /// to registries named here (or local ones). Repeatable.
    #[arg(
        long = "insecure-registry",
        value_name = "HOST[:PORT]",
        value_parser = parse_insecure_registry
    )]
    pub insecure_registries: Vec<InsecureRegistry>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint, as for `lint`.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// An image to check besides those in the policy's `images` (repeatable).
    #[arg(long = "image", value_name = "REFERENCE")]
    pub images: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub fix: FixArgs,

    #[command(flatten)]
    pub image: ImageOptions,

    #[command(flatten)]
    pub policy: PolicyArg,

    #[command(flatten)]
    pub review: ReviewArg,
}

#[derive(Debug, Args)]
pub struct GithubArgs {
    /// Files or directories to lint [default: the `dockerfiles` input, else `.`].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// An image to check besides the policy's `images` and the `images` input
    /// (repeatable).
    #[arg(long = "image", value_name = "REFERENCE")]
    pub images: Vec<String>,

    /// Fail (exit 1) at this severity or above [default: the `fail-on` input, else the
    /// policy's `fail_on`].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Which findings become inline review comments [default: the `comment-mode`
    /// input, else the policy's `reporting.review_comments`, else changed-lines].
    #[arg(long, value_enum, value_name = "MODE")]
    pub comment_mode: Option<crate::policy::file::ReviewComments>,

    /// Most inline comments per run, worst first [default: the `max-comments` input,
    /// else the policy's `reporting.max_inline_comments`, else 30].
    #[arg(long, value_name = "N")]
    pub max_comments: Option<u32>,

    /// The check run's name [default: the `check-name` input, else the policy's
    /// `reporting.check_name`, else dockgate].
    #[arg(long, value_name = "NAME")]
    pub check_name: Option<String>,

    /// Also write the SARIF report to FILE [default: the `sarif-file` input].
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,

    /// Log every API call and the count of calls to stderr (the token is never
    /// printed); `DOCKGATE_LOG=debug` does the same.
    #[arg(long, short)]
    pub verbose: bool,

    #[command(flatten)]
    pub image: ImageOptions,

    #[command(flatten)]
    pub review: ReviewArg,

    #[command(flatten)]
    pub policy: PolicyArg,
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::parse(text)
}

fn parse_insecure_registry(text: &str) -> Result<InsecureRegistry, String> {
    text.parse()
}

#[derive(Debug, Args)]
pub struct PolicyValidateArgs {
    /// The policy to check (default: the repository's policy file, as `lint` finds it).
    #[arg(value_name = "FILE|builtin:NAME")]
    pub file: Option<String>,

    #[command(flatten)]
    pub required: RequiredArg,
}

#[derive(Debug, Args)]
pub struct PolicyShowArgs {
    #[command(flatten)]
    pub policy: PolicyArg,
}

#[derive(Debug, Args)]
pub struct ImportHadolintArgs {
    /// The hadolint configuration (default: `.hadolint.yaml`, else `.hadolint.yml`).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Write the policy to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub use crate::policy::FailOn;

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule code (`DL3006`) or name (`untagged-base-image`): print its documentation.
    /// Without it, list every rule.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print how dockgate parses a Dockerfile.
    Parse(ParseArgs),
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// `buildkit`: the exact format of BuildKit's parser test `result` files.
    #[arg(long, value_enum, default_value_t = ParseFormat::Buildkit)]
    pub format: ParseFormat,

    /// The Dockerfile to parse.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    Buildkit,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn insecure_registry_is_repeatable_on_image_and_check() {
        let named = |options: &ImageOptions| -> Vec<String> {
            options
                .insecure_registries
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let cli = Cli::try_parse_from([
            "dockgate",
            "image",
            "--insecure-registry",
            "Registry.Internal:5000",
            "--insecure-registry=[fd00::2]",
            "docker://registry.internal:5000/app",
        ])
        .unwrap();
        let Command::Image(args) = cli.command else {
            panic!("image")
        };
        assert_eq!(named(&args.image), ["registry.internal:5000", "fd00::2"]);
        let cli =
            Cli::try_parse_from(["dockgate", "check", "--insecure-registry", "10.0.0.7"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("check")
        };
        assert_eq!(named(&args.image), ["10.0.0.7"]);
        let cli = Cli::try_parse_from(["dockgate", "check"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("check")
        };
        assert!(args.image.insecure_registries.is_empty());
        for bad in ["https://registry.internal", "registry.internal:port", ""] {
            let err =
                Cli::try_parse_from(["dockgate", "check", "--insecure-registry", bad]).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation, "{bad}");
        }
    }
}
