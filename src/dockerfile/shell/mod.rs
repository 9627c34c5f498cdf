//! The shell front end: RUN instructions as commands with their argv words.
//!
//! A shell-form RUN (also `ONBUILD RUN`, and the heredoc bodies of `RUN <<EOF` and of
//! `RUN sh <<EOF`) is read into a [`Script`]: the simple commands it runs, across `&&`,
//! `||`, `;`, `|`, `( )`, `{ }`, `$( )` and backquotes, each word with its value
//! (quotes removed; expansions kept as written) and its exact byte range in the
//! Dockerfile source. Exec-form RUN is one command whose words are the JSON strings.
//!
//! Rules ask questions through [`Command`]'s and [`Script`]'s query methods rather than
//! scanning text. A script the parser cannot read is `None`: the shell rules are
//! silent for that RUN, the file's other rules are not affected.

mod count;
mod parse;
pub mod pragma;
#[cfg(test)]
mod tests;

pub use count::command_count;
pub use parse::{Char, ParseError, parse_chars};

use crate::dockerfile::model::{ImageRef, Model};
use crate::dockerfile::{Args, Dockerfile, Instruction, Keyword};
use crate::source::TextRange;

/// One word of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    /// Quotes and escapes removed; `$VAR`, `${...}`, `$(...)` and backquotes kept as
    /// written.
    pub value: String,
    /// The word in the Dockerfile source, quotes included.
    pub range: TextRange,
    /// Some part was quoted or escaped.
    pub quoted: bool,
    /// Some part is an expansion only the build knows.
    pub dynamic: bool,
}

/// A redirection: `>`, `2>&1`, `<<EOF`, with its target word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub op: String,
    pub target: ShellWord,
}

/// A simple command: `A=b cmd arg... >file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<ShellWord>,
    /// The command name and its arguments; empty for a bare assignment.
    pub argv: Vec<ShellWord>,
    pub redirects: Vec<Redirect>,
    pub range: TextRange,
    /// Runs in a subshell (`( ... )`, `$( ... )`, backquotes): `cd` does not leak out.
    pub subshell: bool,
    /// Inside `$( ... )` or backquotes.
    pub substitution: bool,
    /// The index of its pipeline in [`Script::pipelines`].
    pub pipeline: usize,
}

/// Commands joined by `|`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipeline {
    /// The `|` (and `|&`) operators.
    pub pipes: Vec<TextRange>,
}

/// The commands of one RUN, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    pub pipelines: Vec<Pipeline>,
}

impl Script {
    /// Adds the commands and pipelines of `other` (a heredoc body, a substitution).
    pub fn append(&mut self, other: Script) {
        let base = self.pipelines.len();
        self.pipelines.extend(other.pipelines);
        self.commands
            .extend(other.commands.into_iter().map(|mut command| {
                command.pipeline += base;
                command
            }));
    }

    /// Commands named `name` (the word itself, or its last path segment:
    /// `/usr/bin/apt-get` is `apt-get`).
    pub fn commands_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Command> {
        self.commands.iter().filter(move |c| c.is(name))
    }

    /// Commands named `name` whose subcommand (first non-flag argument, skipping the
    /// values of `flags_with_values`) is one of `subcommands`.
    pub fn commands_with<'s>(
        &'s self,
        name: &'s str,
        subcommands: &'s [&'s str],
        flags_with_values: &'s [&'s str],
    ) -> impl Iterator<Item = &'s Command> {
        self.commands_named(name).filter(move |c| {
            c.subcommand(flags_with_values)
                .is_some_and(|sub| subcommands.contains(&sub.value.as_str()))
        })
    }

    /// Whether any command is named `name`.
    pub fn runs(&self, name: &str) -> bool {
        self.commands_named(name).next().is_some()
    }

    /// The `|` operators, in order.
    pub fn pipes(&self) -> impl Iterator<Item = TextRange> + '_ {
        let mut pipes: Vec<TextRange> = self
            .pipelines
            .iter()
            .flat_map(|p| p.pipes.iter().copied())
            .collect();
        pipes.sort_by_key(|r| r.start);
        pipes.into_iter()
    }

    /// Whether `set -o pipefail` (or `set -eo pipefail`, ...) runs before `offset`.
    pub fn pipefail_before(&self, offset: usize) -> bool {
        self.commands
            .iter()
            .filter(|c| c.range.end <= offset && !c.subshell && c.is("set"))
            .any(|c| {
                c.args().windows(2).any(|pair| {
                    let (flag, value) = (&pair[0].value, &pair[1].value);
                    flag.starts_with('-')
                        && !flag.starts_with("--")
                        && flag.ends_with('o')
                        && value == "pipefail"
                })
            })
    }
}

impl Command {
    /// The command name (the first word), if any.
    pub fn name(&self) -> Option<&ShellWord> {
        self.argv.first()
    }

    /// Whether the command is `name` (or a path ending in `/name`).
    pub fn is(&self, name: &str) -> bool {
        self.name().is_some_and(|word| {
            // Rules ask this of every command many times: a suffix test, not a search.
            match word.value.strip_suffix(name) {
                Some("") => true,
                Some(rest) => rest.ends_with('/') && !name.contains('/'),
                None => false,
            }
        })
    }

    /// The words after the command name.
    pub fn args(&self) -> &[ShellWord] {
        self.argv.get(1..).unwrap_or(&[])
    }

    /// The first argument that is not a flag, skipping the values of
    /// `flags_with_values` (`-t stable`, `-o Dpkg::Options=x`).
    pub fn subcommand<'s>(&'s self, flags_with_values: &'s [&'s str]) -> Option<&'s ShellWord> {
        self.positional(flags_with_values).next()
    }

    /// The arguments that are not flags, skipping the values of `flags_with_values`.
    pub fn positional<'s>(
        &'s self,
        flags_with_values: &'s [&'s str],
    ) -> impl Iterator<Item = &'s ShellWord> {
        let mut skip_next = false;
        let mut after_dashes = false;
        self.args().iter().filter(move |word| {
            if skip_next {
                skip_next = false;
                return false;
            }
            let value = word.value.as_str();
            if after_dashes {
                return true;
            }
            if value == "--" {
                after_dashes = true;
                return false;
            }
            if value.starts_with('-') && value.len() > 1 {
                skip_next = flags_with_values.contains(&value);
                return false;
            }
            true
        })
    }

    /// The arguments after the subcommand that are not flags: the packages of
    /// `apt-get install -y curl git`.
    pub fn operands<'s>(
        &'s self,
        flags_with_values: &'s [&'s str],
    ) -> impl Iterator<Item = &'s ShellWord> {
        self.positional(flags_with_values).skip(1)
    }

    /// The first word that is one of `flags`: `-y` matches `-y` and combined short
    /// flags (`-qy`); `--yes` matches `--yes` and `--yes=...`.
    pub fn flag(&self, flags: &[&str]) -> Option<&ShellWord> {
        self.args().iter().find(|word| {
            let value = word.value.as_str();
            flags.iter().any(|flag| match flag.strip_prefix("--") {
                Some(long) => value.strip_prefix("--").is_some_and(|v| {
                    v == long || v.strip_prefix(long).is_some_and(|r| r.starts_with('='))
                }),
                None => {
                    let Some(short) = flag.strip_prefix('-') else {
                        return value == *flag;
                    };
                    value == *flag
                        || (short.len() == 1
                            && value.starts_with('-')
                            && !value.starts_with("--")
                            && value[1..]
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric())
                                .any(|c| short.starts_with(c)))
                }
            })
        })
    }

    /// Whether the command has one of `flags` (see [`Command::flag`]).
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.flag(flags).is_some()
    }

    /// Whether an argument is exactly `value`.
    pub fn has_arg(&self, value: &str) -> bool {
        self.args().iter().any(|word| word.value == value)
    }
}

/// The shell a RUN runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellSetting {
    /// The SHELL instruction's words, the shell a pragma names, or `["/bin/sh", "-c"]`.
    pub argv: Vec<String>,
    pub origin: ShellOrigin,
    /// The SHELL instruction or the pragma that sets it (`None` for the default).
    pub declared: Option<TextRange>,
}

/// Where a RUN's shell is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellOrigin {
    /// A `SHELL` instruction, in this stage or one it builds on.
    Instruction,
    /// A `# hadolint shell=NAME` pragma, which declares the base image's shell.
    Pragma,
    /// A Windows base image ([`is_windows_image`]), whose default is `cmd /S /C`.
    WindowsBase,
    /// Nothing: the default `/bin/sh -c`.
    Default,
}

impl ShellSetting {
    /// The shell's name: `bash` for `/bin/bash`, `pwsh` for `pwsh.exe`.
    pub fn name(&self) -> String {
        let program = |word: &str| {
            let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
            let base = base.to_ascii_lowercase();
            base.strip_suffix(".exe").unwrap_or(&base).to_string()
        };
        let first = program(self.argv.first().map_or("sh", String::as_str));
        if first != "env" {
            return first;
        }
        // `/usr/bin/env bash -c`: the program env runs, after its options and
        // assignments.
        self.argv
            .iter()
            .skip(1)
            .find(|word| !word.starts_with('-') && !word.contains('='))
            .map_or(first, |word| program(word))
    }

    /// Whether the shell reads POSIX shell syntax (not PowerShell or cmd).
    pub fn is_posix(&self) -> bool {
        matches!(
            self.name().as_str(),
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
        )
    }

    /// Whether the shell is started with `-o pipefail` (also `-eo pipefail`).
    pub fn pipefail(&self) -> bool {
        self.argv.windows(2).any(|pair| {
            pair[0].starts_with('-')
                && !pair[0].starts_with("--")
                && pair[0].ends_with('o')
                && pair[1] == "pipefail"
        })
    }
}

/// The shell in effect at instruction `index`: the last SHELL of its stage or of the
/// stages it is built on (the image config carries it over `FROM stage`), or a shell
/// pragma written after it ([`pragma`]), else the default of the base image: `cmd /S
/// /C` for a Windows image, `/bin/sh -c` for any other.
pub fn shell_at(dockerfile: &Dockerfile, model: &Model, index: usize) -> ShellSetting {
    shell_with(dockerfile, model, &pragma::shell_pragmas(dockerfile), index)
}

/// [`shell_at`] with the file's shell pragmas ([`pragma::shell_pragmas`]) read once
/// for all of its RUNs.
pub fn shell_with(
    dockerfile: &Dockerfile,
    model: &Model,
    pragmas: &[pragma::ShellPragma],
    index: usize,
) -> ShellSetting {
    let shell = model.last_before(index, Keyword::Shell).and_then(|i| {
        let instruction = dockerfile.instructions.get(i)?;
        match &instruction.args {
            Args::Exec(words) => Some((
                instruction.range,
                words.iter().map(|w| w.value.clone()).collect::<Vec<_>>(),
            )),
            _ => None,
        }
    });
    let start = dockerfile
        .instructions
        .get(index)
        .map_or(0, |instruction| instruction.range.start);
    let declared = pragma::pragma_at(pragmas, start).filter(|pragma| {
        shell
            .as_ref()
            .is_none_or(|(range, _)| pragma.range.start > range.start)
    });
    match (declared, shell) {
        (Some(pragma), _) => ShellSetting {
            argv: vec![pragma.shell.clone()],
            origin: ShellOrigin::Pragma,
            declared: Some(pragma.range),
        },
        (None, Some((range, argv))) => ShellSetting {
            argv,
            origin: ShellOrigin::Instruction,
            declared: Some(range),
        },
        (None, None) if runs_windows(model, index) => ShellSetting {
            argv: vec!["cmd".into(), "/S".into(), "/C".into()],
            origin: ShellOrigin::WindowsBase,
            declared: None,
        },
        (None, None) => ShellSetting {
            argv: vec!["/bin/sh".into(), "-c".into()],
            origin: ShellOrigin::Default,
            declared: None,
        },
    }
}

/// Whether the stage of instruction `index` builds a Windows image: its chain of
/// stages starts from a Windows base image, or a stage of it asks for a `windows/...`
/// platform.
fn runs_windows(model: &Model, index: usize) -> bool {
    let Some(stage) = model.stage_of(index) else {
        return false;
    };
    let chain = model.chain(stage.index);
    let platform = chain.iter().find_map(|stage| stage.platform.as_ref());
    if let Some(platform) = platform.and_then(|platform| platform.expanded.as_deref()) {
        return platform.to_ascii_lowercase().starts_with("windows/");
    }
    chain
        .last()
        .and_then(|root| root.base.reference.as_ref())
        .is_some_and(is_windows_image)
}

/// Whether an image runs Windows containers, by its name: Microsoft's Windows base
/// images (`mcr.microsoft.com/windows/servercore`, `microsoft/nanoserver`,
/// `mcr.microsoft.com/windowsservercore-insider`) and images tagged for them
/// (`golang:1.23-windowsservercore-ltsc2022`, `dotnet/sdk:8.0-nanoserver-1809`).
pub fn is_windows_image(reference: &ImageRef) -> bool {
    let repository = reference.repository.to_ascii_lowercase();
    let tag = reference.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let windows_name =
        |name: &str| name.contains("windowsservercore") || name.contains("nanoserver");
    let last = repository.rsplit('/').next().unwrap_or(&repository);
    (reference.registry.eq_ignore_ascii_case("mcr.microsoft.com")
        && (repository == "windows" || repository.starts_with("windows/")))
        || windows_name(last)
        || windows_name(&tag)
}

/// The RUN an instruction runs: itself, or the RUN an ONBUILD wraps.
pub fn run_of(instruction: &Instruction) -> Option<&Instruction> {
    match (&instruction.keyword, &instruction.args) {
        (Keyword::Run, _) => Some(instruction),
        (Keyword::Onbuild, Args::Onbuild(inner)) if inner.keyword == Keyword::Run => Some(inner),
        _ => None,
    }
}

/// The characters of `range` as the shell sees them: BuildKit's continuations
/// (`escape` at the end of a line) and the empty and comment lines inside them removed,
/// each character with its offset.
pub fn logical_chars(source: &str, range: TextRange, escape: char) -> Vec<Char> {
    let text = source.get(range.start..range.end).unwrap_or("");
    let bytes = text.as_bytes();
    let mut chars = Vec::with_capacity(text.len());
    let copy = |chars: &mut Vec<Char>, from: usize, to: usize| {
        chars.extend(
            text[from..to]
                .char_indices()
                .map(|(i, c)| (c, range.start + from + i)),
        );
    };
    // Copied a stretch at a time, from one escape character to the next.
    let mut at = 0;
    while let Some(found) = text[at..].find(escape) {
        let i = at + found;
        copy(&mut chars, at, i);
        // A continuation: the escape, optional blanks, then the end of the line.
        let mut j = i + escape.len_utf8();
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'\r' {
            j += 1;
        }
        if j >= bytes.len() || bytes[j] == b'\n' {
            let mut next = (j + 1).min(bytes.len());
            // Empty and comment lines inside a continuation are dropped.
            loop {
                let line_end = text[next..].find('\n').map_or(text.len(), |e| next + e);
                let line = text[next..line_end].trim();
                if next < text.len() && (line.is_empty() || line.starts_with('#')) {
                    next = (line_end + 1).min(text.len());
                } else {
                    break;
                }
            }
            at = next;
            continue;
        }
        chars.push((escape, range.start + i));
        at = i + escape.len_utf8();
    }
    copy(&mut chars, at, text.len());
    chars
}

/// The longest RUN (with its heredocs) that is read as a script. Real RUNs are a few
/// kB; past this the shell rules stay silent for it, as ShellCheck's are, so that a
/// runaway heredoc (one never closed takes the rest of the file) costs no memory.
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;

/// The script a RUN instruction runs, read once. `None` when there is nothing to
/// read (not a RUN), the RUN is over [`MAX_SCRIPT_BYTES`], or the parser cannot read
/// it; the caller checks the shell.
pub fn parse_run(dockerfile: &Dockerfile, instruction: &Instruction) -> Option<Script> {
    let run = run_of(instruction)?;
    let heredoc_bytes: usize = run.heredocs.iter().map(|h| h.content.len()).sum();
    let size = run
        .range
        .end
        .saturating_sub(run.range.start)
        .max(heredoc_bytes);
    if size > MAX_SCRIPT_BYTES {
        return None;
    }
    match &run.args {
        Args::Exec(words) => {
            let argv: Vec<ShellWord> = words
                .iter()
                .map(|w| ShellWord {
                    value: w.value.clone(),
                    range: w.range,
                    quoted: true,
                    dynamic: false,
                })
                .collect();
            let range = argv.first()?.range.cover(argv.last()?.range);
            if let Some(script) = exec_shell_script(&dockerfile.source, &argv) {
                return Some(script);
            }
            Some(Script {
                commands: vec![Command {
                    assignments: Vec::new(),
                    argv,
                    redirects: Vec::new(),
                    range,
                    subshell: false,
                    substitution: false,
                    pipeline: 0,
                }],
                pipelines: vec![Pipeline::default()],
            })
        }
        Args::Shell(word) => {
            let chars = logical_chars(&dockerfile.source, word.range, dockerfile.escape);
            let mut script = parse_chars(&chars).ok()?;
            if run.heredocs.is_empty() {
                return Some(script);
            }
            // The heredoc bodies are scripts when the line only redirects them
            // (`RUN <<EOF`) or feeds them to a shell (`RUN bash <<EOF`).
            let shells = ["sh", "bash", "ash", "dash", "zsh"];
            let feeds_shell = script.commands.iter().all(|c| {
                c.argv.is_empty()
                    || shells.iter().any(|s| c.is(s))
                        && c.args().iter().all(|a| a.value.starts_with('-'))
            });
            if !feeds_shell {
                return Some(script);
            }
            script.commands.retain(|c| !c.argv.is_empty());
            for heredoc in &run.heredocs {
                let chars = chars_at(&heredoc.content, heredoc.range.start);
                script.append(parse_chars(&chars).ok()?);
            }
            Some(script)
        }
        _ => None,
    }
}

/// The script of an exec-form `["sh", "-c", "script"]`, when the JSON string has no
/// escapes (so its characters map back to the source one to one).
fn exec_shell_script(source: &str, argv: &[ShellWord]) -> Option<Script> {
    let shells = ["sh", "bash", "ash", "dash", "zsh"];
    let [shell, flags @ .., script] = argv else {
        return None;
    };
    let base = shell.value.rsplit('/').next().unwrap_or(&shell.value);
    if !shells.contains(&base)
        || !flags
            .last()
            .is_some_and(|f| f.value.starts_with('-') && f.value.ends_with('c'))
    {
        return None;
    }
    let raw = source.get(script.range.start..script.range.end)?;
    if raw.len() != script.value.len() + 2 || raw.get(1..raw.len() - 1)? != script.value {
        return None;
    }
    parse_chars(&chars_at(&script.value, script.range.start + 1)).ok()
}

/// The characters of `text`, found at `start` in the source, with their offsets.
fn chars_at(text: &str, start: usize) -> Vec<Char> {
    // Sized for the text up front: collecting grows it from a quarter, copying twice.
    let mut chars = Vec::with_capacity(text.len());
    chars.extend(text.char_indices().map(|(i, c)| (c, start + i)));
    chars
}

/// Each instruction's script, parsed on first use and kept for every rule.
#[derive(Debug, Default)]
pub struct Scripts {
    cells: Vec<std::sync::OnceLock<Option<Script>>>,
    pragmas: std::sync::OnceLock<Vec<pragma::ShellPragma>>,
}

impl Scripts {
    pub fn new(dockerfile: &Dockerfile) -> Scripts {
        Scripts {
            cells: (0..dockerfile.instructions.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            pragmas: std::sync::OnceLock::new(),
        }
    }

    /// The shell in effect at instruction `index` ([`shell_at`]), the file's pragmas
    /// read once.
    pub fn shell(&self, dockerfile: &Dockerfile, model: &Model, index: usize) -> ShellSetting {
        let pragmas = self
            .pragmas
            .get_or_init(|| pragma::shell_pragmas(dockerfile));
        shell_with(dockerfile, model, pragmas, index)
    }

    /// The script of instruction `index` when it is a RUN (or ONBUILD RUN) in a POSIX
    /// shell that the parser can read.
    pub fn get(&self, dockerfile: &Dockerfile, model: &Model, index: usize) -> Option<&Script> {
        let cell = self.cells.get(index)?;
        cell.get_or_init(|| {
            let instruction = dockerfile.instructions.get(index)?;
            run_of(instruction)?;
            if !self.shell(dockerfile, model, index).is_posix() {
                return None;
            }
            parse_run(dockerfile, instruction)
        })
        .as_ref()
    }
}
