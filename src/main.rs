//! The `dockgate` binary: parse the command line, run it, exit with its status.

use std::process::ExitCode;

use clap::Parser;
use dockgate::{app, cli::Cli};

fn main() -> ExitCode {
    app::run(Cli::parse()).into()
}
