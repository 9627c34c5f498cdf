//! What the shell rules share: each RUN with its parsed script.

use crate::dockerfile::Instruction;
use crate::dockerfile::shell::{Command, Script, ShellWord, run_of};
use crate::rules::Context;

/// One RUN (or ONBUILD RUN) a POSIX shell runs, with its script.
pub(super) struct Run<'a> {
    pub index: usize,
    /// The instruction to report on (the ONBUILD for a trigger).
    pub instruction: &'a Instruction,
    /// The RUN itself (its flags: `--mount=...`).
    pub run: &'a Instruction,
    pub script: &'a Script,
}

/// Every RUN whose script could be read, in order.
pub(super) fn runs<'a>(context: &Context<'a>) -> Vec<Run<'a>> {
    context
        .instructions()
        .iter()
        .enumerate()
        .filter_map(|(index, instruction)| {
            Some(Run {
                index,
                instruction,
                run: run_of(instruction)?,
                script: context.script(index)?,
            })
        })
        .collect()
}

impl Run<'_> {
    /// The targets of the RUN's `--mount=type=cache,...` flags.
    pub fn cache_mounts(&self) -> Vec<String> {
        self.run
            .flags
            .iter()
            .filter(|flag| flag.name == "mount")
            .filter_map(|flag| {
                let value = flag.value.as_deref()?;
                let fields: Vec<(&str, &str)> = value
                    .split(',')
                    .map(|field| field.split_once('=').unwrap_or((field, "")))
                    .collect();
                fields
                    .iter()
                    .any(|&(k, v)| k == "type" && v == "cache")
                    .then(|| {
                        fields
                            .iter()
                            .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"))
                            .map(|(_, v)| v.trim_end_matches('/').to_string())
                    })
                    .flatten()
            })
            .collect()
    }

    /// Whether a cache mount covers `path` (or a folder above it).
    pub fn has_cache_mount(&self, path: &str) -> bool {
        self.cache_mounts()
            .iter()
            .any(|target| path == target || path.starts_with(&format!("{target}/")))
    }
}

/// `apt-get` options that take a value (`-o Dpkg::Options::=x`, `-t stable`).
pub(super) const APT_GET_VALUE_FLAGS: &[&str] = &[
    "-o",
    "-t",
    "-c",
    "--option",
    "--target-release",
    "--default-release",
    "--config-file",
];

/// The `apt-get install` commands of a script.
pub(super) fn apt_get_installs(script: &Script) -> impl Iterator<Item = &Command> {
    script.commands_with("apt-get", &["install"], APT_GET_VALUE_FLAGS)
}

/// An insertion of ` text` right after the subcommand word of `command`.
pub(super) fn insert_after_subcommand(
    command: &Command,
    value_flags: &[&str],
    title: &str,
    text: &str,
) -> Option<crate::finding::Fix> {
    let subcommand = command.subcommand(value_flags)?;
    Some(crate::finding::Fix::replace(
        title,
        crate::source::TextRange::empty(subcommand.range.end),
        format!(" {text}"),
    ))
}

/// The first word of `command` that names a report location: the command name.
pub(super) fn command_word(command: &Command) -> crate::source::TextRange {
    command.name().map_or(command.range, |word| word.range)
}

/// `pip` commands (`pip`, `pip3`, `pip3.12`, `python -m pip`, `python3 -m pip`): the
/// command and the index in its argv of the word `pip`'s arguments start after.
pub(super) fn pip_commands(script: &Script) -> impl Iterator<Item = (&Command, usize)> {
    script.commands.iter().filter_map(|command| {
        let value = &command.name()?.value;
        let name = value
            .rsplit_once('/')
            .map_or(value.as_str(), |(_, base)| base);
        let is_pip = |name: &str| {
            name.strip_prefix("pip")
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
        };
        let is_python = |name: &str| {
            name.strip_prefix("python")
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
        };
        if is_pip(name) {
            return Some((command, 0));
        }
        if is_python(name) {
            let args = command.args();
            let at = args.iter().position(|w| w.value == "-m")?;
            if args.get(at + 1).is_some_and(|w| is_pip(&w.value)) {
                return Some((command, at + 2));
            }
        }
        None
    })
}

/// `apk` options that take a value (`-t .build-deps`, `-X URL`).
pub(super) const APK_VALUE_FLAGS: &[&str] = &[
    "-t",
    "--virtual",
    "-X",
    "--repository",
    "--repositories-file",
    "-p",
    "--root",
    "--arch",
    "--keys-dir",
    "--cache-dir",
    "--cache-max-age",
    "--timeout",
];

/// The index in argv of the `install` subcommand of a pip command whose own
/// arguments start after `start` (`pip --no-cache-dir install` has flags first).
pub(super) fn pip_install(command: &Command, start: usize) -> Option<usize> {
    let offset = command
        .argv
        .get(start + 1..)?
        .iter()
        .position(|w| !w.value.starts_with('-'))?;
    let at = start + 1 + offset;
    (command.argv[at].value == "install").then_some(at)
}

/// `dnf`/`yum` options that take a value (`--enablerepo x`, `-x pkg`).
pub(super) const RPM_VALUE_FLAGS: &[&str] = &[
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "-x",
    "--exclude",
    "--releasever",
    "--installroot",
    "-c",
    "--config",
    "--setopt",
    "--forcearch",
    "--downloaddir",
    "--destdir",
];

/// The commands of `tools` (`dnf`, `microdnf`) whose subcommand is one of `subcommands`.
pub(super) fn rpm_commands<'s>(
    script: &'s Script,
    tools: &'s [&'s str],
    subcommands: &'s [&'s str],
) -> impl Iterator<Item = &'s Command> {
    script.commands.iter().filter(move |command| {
        tools.iter().any(|tool| command.is(tool))
            && command
                .subcommand(RPM_VALUE_FLAGS)
                .is_some_and(|sub| subcommands.contains(&sub.value.as_str()))
    })
}

/// The first package of an rpm install without a version (`foo` rather than
/// `foo-1.2`): a version is a `-` followed by a digit; a glob (`foo-1*`) or a variable
/// (`cuda-toolkit-$V` may name the package, not its version) is none.
pub(super) fn rpm_unpinned(command: &Command) -> Option<&ShellWord> {
    command
        .positional(RPM_VALUE_FLAGS)
        .filter(|word| !matches!(word.value.as_str(), "install" | "module" | "reinstall"))
        .find(|word| {
            let value = &word.value;
            let versioned = value
                .char_indices()
                .any(|(i, c)| c == '-' && value[i + 1..].starts_with(|d: char| d.is_ascii_digit()));
            !versioned || value.contains(['*', '?', '$'])
        })
}

/// Whether, after `command`, the script runs `tool clean ...` or removes one of the
/// `caches`.
pub(super) fn cleaned_after(
    script: &Script,
    command: &Command,
    tool: &str,
    caches: &[&str],
) -> bool {
    script
        .commands
        .iter()
        .filter(|later| later.range.start > command.range.start)
        .any(|later| {
            (later
                .name()
                .is_some_and(|w| w.value.rsplit('/').next() == Some(tool))
                && later
                    .subcommand(RPM_VALUE_FLAGS)
                    .is_some_and(|w| w.value == "clean"))
                || (later.is("rm")
                    && later
                        .args()
                        .iter()
                        .any(|arg| caches.iter().any(|cache| arg.value.starts_with(cache))))
        })
}

/// Reports on each RUN the range `find` returns, with its fix.
pub(super) fn report_runs(
    context: &mut Context,
    find: impl Fn(&Run) -> Option<(crate::source::TextRange, Option<crate::finding::Fix>)>,
) {
    for run in runs(context) {
        if let Some((range, fix)) = find(&run) {
            context.report(run.instruction, range).fix = fix;
        }
    }
}

/// DL3030, DL3038: an rpm install of `tools` without `-y`.
pub(super) fn check_rpm_yes(context: &mut Context, tools: &[&str], subcommands: &[&str]) {
    report_runs(context, |run| {
        let command = rpm_commands(run.script, tools, subcommands)
            .find(|command| !command.has_flag(&["-y", "--assumeyes"]))?;
        let fix = insert_after_subcommand(command, RPM_VALUE_FLAGS, "Add `-y`", "-y");
        Some((command_word(command), fix))
    });
}

/// DL3032, DL3040: an rpm install of `tools` not followed by `clean` in its RUN.
pub(super) fn check_rpm_clean(context: &mut Context, tools: &[&str], subcommands: &[&str]) {
    report_runs(context, |run| {
        if run.has_cache_mount("/var/cache/dnf") || run.has_cache_mount("/var/cache/yum") {
            return None;
        }
        let command = rpm_commands(run.script, tools, subcommands).find(|command| {
            let tool = command
                .name()
                .map_or("", |w| w.value.rsplit('/').next().unwrap_or(""));
            !cleaned_after(
                run.script,
                command,
                tool,
                &["/var/cache/yum", "/var/cache/dnf"],
            )
        })?;
        Some((command_word(command), None))
    });
}

/// DL3033, DL3041: an rpm install of `tools` naming a package without a version.
pub(super) fn check_rpm_pinned(context: &mut Context, tools: &[&str], subcommands: &[&str]) {
    report_runs(context, |run| {
        let package = rpm_commands(run.script, tools, subcommands)
            .filter(|command| command.has_arg("install"))
            .find_map(rpm_unpinned)?;
        Some((package.range, None))
    });
}

/// `zypper` options that take a value.
pub(super) const ZYPPER_VALUE_FLAGS: &[&str] = &[
    "-t",
    "--type",
    "-r",
    "--repo",
    "--from",
    "-R",
    "--root",
    "--installroot",
    "-c",
    "--config",
];

/// The `zypper install` (`zypper in`) commands of a script.
pub(super) fn zypper_installs(script: &Script) -> impl Iterator<Item = &Command> {
    script.commands_with("zypper", &["install", "in"], ZYPPER_VALUE_FLAGS)
}
