//! The commands that inspect rather than gate: `dockgate rules`, `dockgate policy` and
//! `dockgate debug parse`.

use std::io::{self, Write};

use anyhow::{Context as _, bail};

use crate::cli::{ImportHadolintArgs, ParseArgs, ParseFormat, PolicyCommand, RulesArgs};
use crate::dockerfile::{buildkit_dump, parse_bytes};
use crate::gate;
use crate::policy;
use crate::rules::{self, docs};
use crate::workspace::InputError;

/// `dockgate policy ...`.
pub fn policy(command: PolicyCommand) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match command {
        PolicyCommand::Validate(args) => {
            let policy = gate::load_policy(&policy::Request {
                required: args.required.policies.clone(),
                ..policy::Request::new(args.file.as_deref())
            })?;
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
        PolicyCommand::Show(args) => out.write_all(
            gate::load_policy(&policy::Request {
                required: args.policy.required.policies.clone(),
                ..policy::Request::new(args.policy.config.as_deref())
            })?
            .show()
            .as_bytes(),
        )?,
        PolicyCommand::Schema => out.write_all(policy::schema_json().as_bytes())?,
        PolicyCommand::ImportHadolint(args) => import_hadolint(&args)?,
    }
    Ok(())
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

/// `dockgate rules [CODE]`.
pub fn print_rules(args: &RulesArgs) -> anyhow::Result<()> {
    let text = match &args.code {
        None => docs::rule_list(rules::all()),
        Some(code) => match rules::find(code) {
            Some(rule) => docs::rule_page(rule),
            None => bail!("unknown rule `{code}` (`dockgate rules` lists them)"),
        },
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// `dockgate debug parse --format buildkit FILE`.
pub fn debug_parse(args: &ParseArgs) -> anyhow::Result<()> {
    let path = args.file.display();
    let bytes = std::fs::read(&args.file)
        .map_err(|error| anyhow::anyhow!("{}", InputError::io(&args.file, &error)))?;
    let dockerfile = parse_bytes(&bytes);
    let ParseFormat::Buildkit = args.format;
    match buildkit_dump::dump(&dockerfile) {
        Ok(dump) => {
            io::stdout().lock().write_all(dump.as_bytes())?;
            Ok(())
        }
        Err(message) => bail!("{path}:{message}"),
    }
}
