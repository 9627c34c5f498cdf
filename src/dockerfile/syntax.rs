//! The syntax tree of a Dockerfile, as BuildKit's parser sees it, with source ranges.
//!
//! Every range is a byte range into [`Dockerfile::source`] (the decoded text); convert it
//! to 1-based line/column with [`crate::source::LineIndex`].

use crate::source::{LineIndex, TextRange};

/// A parsed Dockerfile. Parsing never fails: syntax errors are collected in
/// [`Dockerfile::errors`] and the parser resumes at the next instruction.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// The decoded text (BOM removed, UTF-16/32 converted to UTF-8).
    pub source: String,
    /// Line starts of `source`, built once for every consumer of positions.
    pub lines: LineIndex,
    /// Parser directives from the leading comment block (`syntax`, `escape`, `check`).
    pub directives: Vec<Directive>,
    /// The escape character in effect: `\` or `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    /// Every comment line (outside heredoc bodies), including those inside continuations.
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
    /// Non-fatal observations BuildKit warns about (empty continuation lines).
    pub warnings: Vec<SyntaxError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`, trimmed.
    pub text: String,
    /// The whole comment, from `#` to the end of its line.
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub range: TextRange,
}

/// The instructions BuildKit's parser dispatches on. Anything else is [`Keyword::Unknown`]:
/// the parser keeps it (BuildKit rejects it later, when it builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Keyword {
    pub fn from_name(name: &str) -> Keyword {
        // Lower-cased on the stack: every instruction is looked up. No keyword is
        // longer than `healthcheck`.
        let mut lower = [0u8; 11];
        let Some(lower) = lower.get_mut(..name.len()) else {
            return Keyword::Unknown;
        };
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        match &*lower {
            b"add" => Keyword::Add,
            b"arg" => Keyword::Arg,
            b"cmd" => Keyword::Cmd,
            b"copy" => Keyword::Copy,
            b"entrypoint" => Keyword::Entrypoint,
            b"env" => Keyword::Env,
            b"expose" => Keyword::Expose,
            b"from" => Keyword::From,
            b"healthcheck" => Keyword::Healthcheck,
            b"label" => Keyword::Label,
            b"maintainer" => Keyword::Maintainer,
            b"onbuild" => Keyword::Onbuild,
            b"run" => Keyword::Run,
            b"shell" => Keyword::Shell,
            b"stopsignal" => Keyword::Stopsignal,
            b"user" => Keyword::User,
            b"volume" => Keyword::Volume,
            b"workdir" => Keyword::Workdir,
            _ => Keyword::Unknown,
        }
    }

    /// The canonical upper-case spelling (`None` for unknown instructions).
    pub fn as_str(self) -> Option<&'static str> {
        Some(match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => return None,
        })
    }
}

/// One instruction: a logical line (physical lines joined at continuations) plus any
/// heredoc bodies that follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The instruction name as written (`run`, `Run`, `FOOBAR`, ...).
    pub name: String,
    pub name_range: TextRange,
    /// From the first character of the name to the end of the last argument or heredoc
    /// terminator.
    pub range: TextRange,
    /// `--name[=value]` flags before the arguments.
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// The logical line after continuation joining and comment removal (BuildKit's
    /// `Node.Original`).
    pub original: String,
    /// Comment lines directly above the instruction (BuildKit's `PrevComment`).
    pub prev_comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name without the leading `--`.
    pub name: String,
    /// The value after `=`, with quotes and escapes processed; `None` for `--flag`.
    pub value: Option<String>,
    /// BuildKit's form of the flag: `--name=value` or `--name`.
    pub raw: String,
    pub range: TextRange,
}

/// A string value with the range it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    pub value: Word,
    /// `=` for `KEY=value`, empty for the legacy `KEY value` form.
    pub separator: String,
}

/// Arguments, shaped the way BuildKit's line parser for the instruction shapes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// No arguments at all.
    Empty,
    /// JSON (exec) form: `["a", "b"]`.
    Exec(Vec<Word>),
    /// Shell form: the rest of the line as one string (RUN, CMD, ENTRYPOINT, SHELL,
    /// USER, WORKDIR, MAINTAINER, STOPSIGNAL).
    Shell(Word),
    /// Whitespace-delimited words (FROM, EXPOSE, shell-form ADD/COPY/VOLUME, ARG).
    List(Vec<Word>),
    /// ENV and LABEL pairs.
    KeyValues(Vec<KeyValue>),
    /// HEALTHCHECK: the type word (`CMD`, `NONE`, ...) and its command.
    Healthcheck { kind: Word, command: Box<Args> },
    /// ONBUILD: the wrapped instruction.
    Onbuild(Box<Instruction>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word without quotes (`EOF`).
    pub name: String,
    /// The file descriptor prefix of `3<<EOF`, 0 when absent.
    pub file_descriptor: u32,
    /// False when the delimiter was quoted: the body is not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// The body as written, with line endings, without the terminator line.
    pub content: String,
    /// The body lines plus the terminator line.
    pub range: TextRange,
}
