//! DG1110: a variable is used where BuildKit expands it, but nothing defines it
//! (BuildKit's `UndefinedVar` build check).
//!
//! Ported from BuildKit's `reportUnmatchedVariables` (`frontend/dockerfile/
//! dockerfile2llb/validations.go`), called from `dispatch` and `dispatchArg`
//! (`convert.go`) for the words each instruction's `Expand` hands over
//! (`frontend/dockerfile/instructions/commands.go`, `commands_runmount.go`).

use super::buildkit_checks::{DeclaredOnly, fully_declared, is_platform_arg, suggest};
use crate::dockerfile::lex::Lexer;
use crate::dockerfile::model::Model;
use crate::dockerfile::{Args, Instruction, Keyword, Word};
use crate::rules::Context;
use crate::source::TextRange;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `$VAR` that BuildKit expands while no `ARG` or `ENV` in scope
    /// defines it: it expands to nothing. This is BuildKit's `UndefinedVar` build
    /// check ([docs](https://docs.docker.com/reference/build-checks/undefined-var/)),
    /// with its message and its "did you mean" hint (a declared name within two
    /// edits). Each variable is reported once per instruction, on the word using it.
    ///
    /// The words checked are the ones BuildKit expands itself: `ENV` and `LABEL` keys
    /// and values, `ARG` defaults, `COPY`/`ADD` sources, destination, `--chown`,
    /// `--chmod`, `--checksum` and unquoted heredoc bodies, `WORKDIR`, `USER`,
    /// `VOLUME`, `STOPSIGNAL` and the fields of `RUN --mount`. The text of `RUN`,
    /// `CMD`, `ENTRYPOINT` and `HEALTHCHECK` is not: the shell expands it when the
    /// container runs, where the variable may exist. A variable is defined by an
    /// `ARG` (even without a value: it is a build parameter) or `ENV` of the stage or
    /// of a stage it is built `FROM`; ARGs before the first `FROM` are not visible in
    /// a stage until it declares `ARG NAME` again, and neither are BuildKit's platform
    /// ARGs (`TARGETARCH`, ...).
    ///
    /// BuildKit also knows the base image's `ENV` (`PYTHON_VERSION` in `python`);
    /// dockgate reads no image here, so in a stage built on an external image it
    /// reports only what no image sets: a platform ARG used without `ARG NAME`, a
    /// name within two edits of a declared one, and a misspelt `PATH` (`$PAHT`), but
    /// not a longer name near `PATH` such as `GOPATH`, which `golang` sets. Stages
    /// built on `scratch` (and on stages that are) are checked in full, as BuildKit
    /// does.
    ///
    /// ## Why is this bad?
    /// An undefined variable silently expands to an empty string: `COPY
    /// dist/app-$TARGETARCH /app` copies `dist/app-`, `WORKDIR $APP_HOEM` works in
    /// `/`. The build goes on, with something other than what the file says.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// ARG TARGETARCH
    /// RUN GOARCH=$TARGETARCH go build -o /out/app-$TARGETARCH .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app-$TARGETARCH /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// ARG TARGETARCH
    /// RUN GOARCH=$TARGETARCH go build -o /out/app-$TARGETARCH .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// ARG TARGETARCH
    /// COPY --from=build /out/app-$TARGETARCH /app
    /// ```
    code: "DG1110",
    name: "undefined-variable",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "Usage of undefined variable",
    buildkit: "UndefinedVar",
    check: check,
}

/// One word BuildKit expands, and how.
struct Expanded<'a> {
    text: &'a str,
    range: TextRange,
    /// Heredoc bodies are expanded with quotes kept (`SkipProcessQuotes`) and `\` as
    /// the escape, whatever the file's escape character.
    raw: bool,
}

fn check(context: &mut Context) {
    let model = context.model();
    let instructions = context.instructions();
    for (index, instruction) in instructions.iter().enumerate() {
        let Some(stage) = model.stage_of(index) else {
            continue;
        };
        if stage.from == index {
            continue;
        }
        let complete = fully_declared(model, stage);
        let mut reported: Vec<String> = Vec::new();
        // The pairs of one ARG see the ones before them.
        let mut declared_here: Vec<&str> = Vec::new();
        for word in expanded_words(instruction) {
            let lexer = if word.raw {
                Lexer {
                    skip_process_quotes: true,
                    ..Lexer::new('\\')
                }
            } else {
                Lexer::new(model.escape())
            };
            let scope = model.env(index);
            let Ok(processed) = lexer.process(word.text, &DeclaredOnly(scope)) else {
                continue;
            };
            for name in processed.unmatched {
                let near = suggestion(model, index, &name, true);
                // In a stage on an external image, a longer name near `PATH` (`GOPATH`)
                // is most likely the image's own: a typo is a name near a declared
                // one, or a misspelt `PATH` of its length (`PAHT`).
                let typo = suggestion(model, index, &name, false).is_some()
                    || (near.as_deref() == Some("PATH") && name.len() == "PATH".len());
                let reportable = complete || is_platform_arg(&name) || typo;
                if !reportable || declared_here.contains(&name.as_str()) || reported.contains(&name) {
                    continue;
                }
                let mut message = format!("Usage of undefined variable '${name}'");
                if let Some(near) = near {
                    message.push_str(&format!(" (did you mean ${near}?)"));
                }
                context.report(instruction, word.range).message = message;
                reported.push(name);
            }
            if instruction.keyword == Keyword::Arg
                && let Some(name) = arg_name(instruction, word.range)
            {
                declared_here.push(name);
            }
        }
        if instruction.keyword == Keyword::Arg {
            declared_here.clear();
        }
    }
}

/// A declared name (or `PATH`, when `with_path`) within two edits of `name`, searched
/// as BuildKit searches the keys of the build state's environment.
fn suggestion(model: &Model, index: usize, name: &str, with_path: bool) -> Option<String> {
    let stage = model.stage_of(index)?;
    let mut options: Vec<&str> = if with_path { vec!["PATH"] } else { Vec::new() };
    for current in model.chain(stage.index).into_iter().rev() {
        for variable in current.variables() {
            if variable.instruction < index && !options.contains(&variable.name.as_str()) {
                options.push(&variable.name);
            }
        }
    }
    suggest(name, options).map(str::to_string)
}

/// The name an ARG pair declares, for the pair whose default is at `range`.
fn arg_name(instruction: &Instruction, range: TextRange) -> Option<&str> {
    let Args::List(words) = &instruction.args else {
        return None;
    };
    let word = words.iter().find(|word| word.range == range)?;
    Some(word.value.split_once('=').map_or(word.value.as_str(), |(name, _)| name))
}

fn plain(word: &Word) -> Expanded<'_> {
    Expanded {
        text: &word.value,
        range: word.range,
        raw: false,
    }
}

/// The words of `instruction` BuildKit expands, in order.
fn expanded_words(instruction: &Instruction) -> Vec<Expanded<'_>> {
    let mut words = Vec::new();
    match instruction.keyword {
        Keyword::Env | Keyword::Label => {
            if let Args::KeyValues(pairs) = &instruction.args {
                for pair in pairs {
                    words.push(plain(&pair.key));
                    words.push(plain(&pair.value));
                }
            }
        }
        Keyword::Arg => {
            // Only the defaults: BuildKit skips the generic expansion for ARG and
            // expands each default in `dispatchArg`. Every pair is listed (a pair
            // without a default expands nothing) so later pairs see earlier names.
            if let Args::List(args) = &instruction.args {
                for arg in args {
                    let default = arg.value.split_once('=').map_or("", |(_, default)| default);
                    words.push(Expanded {
                        text: default,
                        range: arg.range,
                        raw: false,
                    });
                }
            }
        }
        Keyword::Copy | Keyword::Add => {
            let flags: &[&str] = if instruction.keyword == Keyword::Add {
                &["chown", "chmod", "checksum"]
            } else {
                &["chown", "chmod"]
            };
            for flag in &instruction.flags {
                if flags.contains(&flag.name.as_str())
                    && let Some(value) = &flag.value
                {
                    words.push(Expanded {
                        text: value,
                        range: flag.range,
                        raw: false,
                    });
                }
            }
            if let Args::List(args) | Args::Exec(args) = &instruction.args {
                for arg in args {
                    let heredoc = arg.value.starts_with("<<")
                        && instruction
                            .heredocs
                            .iter()
                            .any(|heredoc| arg.value.contains(&heredoc.name));
                    if !heredoc {
                        words.push(plain(arg));
                    }
                }
            }
            for heredoc in instruction.heredocs.iter().filter(|heredoc| heredoc.expand) {
                words.push(Expanded {
                    text: &heredoc.content,
                    range: heredoc.range,
                    raw: true,
                });
            }
        }
        Keyword::Workdir | Keyword::User | Keyword::Stopsignal => {
            if let Args::Shell(word) = &instruction.args {
                words.push(plain(word));
            }
        }
        Keyword::Volume => {
            if let Args::List(args) | Args::Exec(args) = &instruction.args {
                words.extend(args.iter().map(plain));
            }
        }
        Keyword::Run => {
            // `RUN --mount` fields: BuildKit's `parseMount` expands each `key=value`
            // field's value.
            for flag in instruction.flags.iter().filter(|flag| flag.name == "mount") {
                let Some(value) = &flag.value else { continue };
                for field in value.split(',') {
                    if let Some((_, value)) = field.split_once('=') {
                        words.push(Expanded {
                            text: value,
                            range: flag.range,
                            raw: false,
                        });
                    }
                }
            }
        }
        _ => {}
    }
    words
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn message(source: &str) -> String {
        let found = findings("DG1110", source);
        assert_eq!(found.len(), 1, "one finding on:\n{source}\n{found:?}");
        found[0].message.clone()
    }

    #[test]
    fn undefined_variables() {
        assert_catches("DG1110", "FROM scratch\nCOPY $foo .\nARG foo=bar");
        assert_eq!(message("FROM scratch\nCOPY $foo .\nARG foo=bar"), "Usage of undefined variable '$foo'");
        assert_eq!(
            message("FROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nCOPY $DIR_ASSET ."),
            "Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)"
        );
        assert_eq!(message("FROM alpine\nENV PATH=$PAHT:/tmp/bin"), "Usage of undefined variable '$PAHT' (did you mean $PATH?)");
        assert_catches("DG1110", "FROM alpine\nCOPY --from=build /out/app-$TARGETARCH /app");
        assert_catches("DG1110", "ARG VERSION=1\nFROM scratch\nLABEL version=$VERSION");
        assert_catches("DG1110", "FROM scratch\nWORKDIR /$HOME");
        assert_catches("DG1110", "FROM scratch\nARG A=$B");
        assert_catches("DG1110", "FROM scratch\nRUN --mount=type=cache,target=/root/$CACHE true");
        assert_catches("DG1110", "FROM scratch\nCOPY <<EOF /x\n$HOME\nEOF");
        assert_catches("DG1110", "FROM scratch AS base\nFROM base\nUSER $TARGETOS");
        assert_lines("DG1110", "FROM scratch\nENV A=$X B=$X\nVOLUME $Y", &[2, 3]);
        // The pairs of one ENV are expanded before any of them is set.
        assert_catches("DG1110", "FROM scratch\nENV A=1 B=$A");
    }

    #[test]
    fn defined_or_not_expanded() {
        assert_catches_not("DG1110", "FROM scratch\nARG foo\nCOPY Dockerfile${foo} .");
        assert_catches_not("DG1110", "FROM alpine AS base\nARG foo=Dockerfile\nFROM base\nCOPY $foo .");
        assert_catches_not("DG1110", "FROM alpine\nRUN echo $PATH $UNDEFINED");
        assert_catches_not("DG1110", "FROM scratch\nCMD echo $UNDEFINED");
        assert_catches_not("DG1110", "FROM scratch\nENV PATH=$PATH:/app");
        assert_catches_not("DG1110", "FROM scratch\nARG A=1 B=$A");
        assert_catches_not("DG1110", "ARG V=1\nFROM scratch\nARG V\nLABEL v=$V");
        assert_catches_not("DG1110", "FROM python:3.12\nENV X=$PYTHON_VERSION");
        assert_catches_not("DG1110", "FROM scratch\nCOPY <<'EOF' /x\n$HOME\nEOF");
        assert_catches_not("DG1110", "FROM scratch\nCOPY <<EOF /x\nEOF");
        assert_catches_not("DG1110", "FROM scratch\nENV A=1\nENV B=$A");
        assert_catches_not("DG1110", "FROM scratch\nEXPOSE $PORT");
        assert_catches_not("DG1110", "ARG BASE=alpine\nFROM $BASE\nWORKDIR $HOME");
        assert_catches_not("DG1110", "FROM golang:1.22\nWORKDIR $GOPATH/src/app");
        assert_catches("DG1110", "FROM scratch\nWORKDIR $GOPATH/src/app");
    }
}
