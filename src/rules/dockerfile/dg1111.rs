//! DG1111: `FROM` uses a variable that no global ARG declares (BuildKit's
//! `UndefinedArgInFrom` build check).
//!
//! Ported from BuildKit's `reportUnusedFromArgs` (`frontend/dockerfile/dockerfile2llb/
//! validations.go`), called from `buildDispatchStates` (`convert.go`) for the base
//! name and the `--platform` value of every stage.

use super::buildkit_checks::suggest;
use crate::dockerfile::lex::Lexer;
use crate::dockerfile::model::PLATFORM_ARGS;
use crate::rules::Context;
use crate::source::TextRange;

crate::declare_rule! {
    /// ## What it does
    /// Reports a variable in a `FROM` image or `--platform` value that no `ARG`
    /// before the first `FROM` declares and that is none of BuildKit's platform ARGs
    /// (`BUILDPLATFORM`, `TARGETARCH`, ...). This is BuildKit's `UndefinedArgInFrom`
    /// build check
    /// ([docs](https://docs.docker.com/reference/build-checks/undefined-arg-in-from/)),
    /// with its message and its "did you mean" hint (a declared global ARG or
    /// platform ARG within two edits: `$BULIDPLATFORM`).
    ///
    /// `FROM` sees only the global ARGs: an `ARG` inside a stage is not visible to a
    /// later stage's `FROM`. A global `ARG` without a value declares the name.
    ///
    /// ## Why is this bad?
    /// The undefined variable expands to nothing: `FROM node:22${VARIANT}` builds
    /// `node:22`, and a misspelt `--platform=$BULIDPLATFORM` fails the build with an
    /// empty platform.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22${VARIANT} AS jsbuilder
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ARG VARIANT="-alpine3.20"
    /// FROM node:22${VARIANT} AS jsbuilder
    /// ```
    code: "DG1111",
    name: "undefined-arg-in-from",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "FROM argument is not declared",
    buildkit: "UndefinedArgInFrom",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    let instructions = context.instructions();
    let lexer = Lexer::new(model.escape());
    // BuildKit's candidates: the global ARGs' keys and the build's default ARGs.
    let mut declared: Vec<&str> = model.global_args.iter().map(|arg| arg.name.as_str()).collect();
    declared.extend(PLATFORM_ARGS);
    for stage in &model.stages {
        let instruction = &instructions[stage.from];
        let mut words: Vec<(&str, TextRange)> = vec![(&stage.base.word.value, stage.base.word.range)];
        if let Some(platform) = &stage.platform {
            words.push((&platform.raw, platform.range));
        }
        for (text, range) in words {
            let Ok(processed) = lexer.process(text, &model.env(stage.from)) else {
                continue;
            };
            for name in processed.unmatched {
                if declared.contains(&name.as_str()) {
                    continue;
                }
                let mut message = format!("FROM argument '{name}' is not declared");
                if let Some(near) = suggest(&name, declared.iter().copied()) {
                    message.push_str(&format!(" (did you mean {near}?)"));
                }
                context.report(instruction, range).message = message;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn messages(source: &str) -> Vec<String> {
        findings("DG1111", source).into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn undeclared_in_from() {
        assert_eq!(
            messages("FROM --platform=$BULIDPLATFORM scratch"),
            ["FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)"]
        );
        assert_eq!(
            messages("ARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox"),
            ["FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)"]
        );
        assert_eq!(messages("ARG tag=latest\nFROM busybox:${tag}${version} AS b"), ["FROM argument 'version' is not declared"]);
        assert_catches("DG1111", "FROM node:22${VARIANT} AS jsbuilder");
        assert_catches("DG1111", "FROM alpine\nARG BASE=debian\nFROM $BASE");
        // BuildKit looks the name up even when a default follows.
        assert_catches("DG1111", "FROM alpine:${TAG:-3.20}");
    }

    #[test]
    fn declared_or_predefined() {
        assert_catches_not("DG1111", "ARG base=scratch\nFROM $base");
        assert_catches_not("DG1111", "ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch");
        assert_catches_not("DG1111", "FROM --platform=$BUILDPLATFORM scratch");
        assert_catches_not("DG1111", "ARG DEBUG\nFROM scratch${DEBUG}");
        assert_catches_not("DG1111", "ARG DEBUG\nFROM scra${DEBUG:-tch}");
        assert_catches_not("DG1111", "ARG VARIANT=\"-alpine3.20\"\nFROM node:22${VARIANT}");
        assert_catches_not("DG1111", "FROM debian:12");
    }
}
