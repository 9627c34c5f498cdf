//! The command line, as clap definitions. What the commands do lives in [`crate::app`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Severity;
use crate::image::Platform;
use crate::image::limits::parse_size;
use crate::report::Format;

/// A container policy gate for CI: lints Dockerfiles and Containerfiles.
///
/// Exit status: 0 passed, 1 policy failed, 2 usage, config or input error (the message
/// is on stderr).
#[derive(Debug, Parser)]
#[command(name = "dockgate", version, arg_required_else_help = true)]
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
    /// List the rules, or print one rule's documentation.
    Rules(RulesArgs),
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

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) when a finding has this severity or a higher one. The default,
    /// `warning`, fails on errors and warnings and only reports info and style
    /// findings.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// The policy: `builtin:recommended` (the default) or `builtin:hadolint` (hadolint's
    /// rules at hadolint's severities). Policy files come in a later release; for now
    /// only the built-in names are accepted.
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub config: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Images to check, in containers-transports syntax: `docker-archive:PATH`,
    /// `oci:DIR[:REF]`, `oci-archive:PATH[:REF]` (and, in a later release,
    /// `docker://NAME` and `docker-daemon:NAME`).
    #[arg(value_name = "REFERENCE", required = true)]
    pub references: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) when a finding has this severity or a higher one.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// The platform to select from a multi-platform image (default linux/amd64). A
    /// single-platform image must then be of this platform.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub platform: Option<Platform>,

    /// Budget for the uncompressed image size: `200MB`, `1.5GiB` (kB/MB/GB are powers
    /// of 1000, KiB/MiB/GiB of 1024).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<u64>,

    /// Budget for the sum of the compressed layer blobs (what a pull downloads).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_compressed_size: Option<u64>,

    /// The policy: `builtin:recommended` (the default) or `builtin:hadolint`.
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub config: Option<String>,
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::parse(text)
}

/// The threshold of `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Style,
    /// Never fail because of findings (input errors still exit 2).
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run; `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Style => Some(Severity::Style),
            FailOn::Never => None,
        }
    }
}

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
}
