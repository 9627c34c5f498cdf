//! DG1112: with the global ARGs at their defaults, a `FROM` names no valid image
//! (BuildKit's `InvalidDefaultArgInFrom` build check).
//!
//! Ported from BuildKit's `validateBaseImagesWithDefaultArgs` (`frontend/dockerfile/
//! dockerfile2llb/validations.go`), which expands every stage's base name with the
//! global ARGs as `buildMetaArgs` (`convert.go`) computes them without build arguments.

use std::collections::HashMap;

use super::buildkit_checks::is_platform_arg;
use crate::dockerfile::lex::{Env, Lexer, Lookup};
use crate::dockerfile::model::ImageRef;
use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Expands each `FROM` image with the global ARGs at their default values, as a
    /// build without any `--build-arg` would (an `ARG` without a default is empty),
    /// and reports the `FROM` when the result is empty or no valid image reference.
    /// This is BuildKit's `InvalidDefaultArgInFrom` build check
    /// ([docs](https://docs.docker.com/reference/build-checks/invalid-default-arg-in-from/)),
    /// with its message.
    ///
    /// Only a `FROM` that uses a variable is checked: an invalid name written out
    /// (`FROM Debian`) fails every build and is the parser's business (DL1000). A
    /// name that depends on a platform ARG (`FROM img:$TARGETARCH`) is not checked:
    /// its value depends on the machine.
    ///
    /// ## Why is this bad?
    /// The Dockerfile does not build unless every build passes `--build-arg`: `docker
    /// build .` fails with an invalid reference, and so does any tool (a linter, an
    /// IDE, Dependabot) that reads the base image from the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG TAG
    /// FROM busybox:${TAG}
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ARG TAG=latest
    /// FROM busybox:${TAG}
    /// ```
    code: "DG1112",
    name: "invalid-default-arg-in-from",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "Default value for ARG results in empty or invalid base image name",
    buildkit: "InvalidDefaultArgInFrom",
    check: check,
}

/// The global ARGs as a build without `--build-arg` sets them: `None` for a value
/// only the machine knows (a platform ARG, or a default made from one).
#[derive(Default)]
struct Defaults(HashMap<String, Option<String>>);

impl Env for Defaults {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.0.get(name) {
            Some(Some(value)) => Lookup::Value(value),
            Some(None) => Lookup::Unknown,
            None if is_platform_arg(name) => Lookup::Unknown,
            None => Lookup::Unset,
        }
    }
}

fn check(context: &mut Context) {
    let model = context.model();
    let instructions = context.instructions();
    let lexer = Lexer::new(model.escape());
    let first_from = model.stages.first().map_or(instructions.len(), |stage| stage.from);
    let mut defaults = Defaults::default();
    for instruction in &instructions[..first_from] {
        let (Keyword::Arg, Args::List(words)) = (instruction.keyword, &instruction.args) else {
            continue;
        };
        for word in words {
            // An ARG without a default sets nothing (BuildKit's `buildMetaArgs`).
            let Some((name, default)) = word.value.split_once('=') else {
                continue;
            };
            let Ok(processed) = lexer.process(default, &defaults) else {
                // BuildKit abandons the check when a default does not expand.
                return;
            };
            let value = (!processed.unknown).then_some(processed.result);
            defaults.0.insert(name.to_string(), value);
        }
    }
    for stage in &model.stages {
        let word = &stage.base.word;
        let Ok(processed) = lexer.process(&word.value, &defaults) else {
            return;
        };
        let uses_variable = !processed.matched.is_empty() || !processed.unmatched.is_empty();
        if !uses_variable || processed.unknown || ImageRef::parse(&processed.result).is_ok() {
            continue;
        }
        let instruction = &instructions[stage.from];
        context.report(instruction, word.range).message = format!(
            "Default value for ARG {} results in empty or invalid base image name",
            word.value
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn invalid_with_defaults() {
        let found = findings("DG1112", "ARG VERSION\nFROM busybox:$VERSION");
        assert_eq!(found[0].message, "Default value for ARG busybox:$VERSION results in empty or invalid base image name");
        assert_catches("DG1112", "ARG IMAGE\nFROM $IMAGE");
        assert_catches("DG1112", "ARG SFX=\"box:\"\nFROM busy${SFX}");
        assert_catches("DG1112", "ARG A\nARG B=busybox:$A\nFROM $B");
        assert_catches("DG1112", "ARG REGISTRY\nFROM $REGISTRY/app:1 AS app");
    }

    #[test]
    fn valid_with_defaults() {
        assert_catches_not("DG1112", "ARG VERSION=\"latest\"\nFROM busybox:${VERSION}");
        assert_catches_not("DG1112", "ARG BUSYBOX_VARIANT=\"\"\nFROM busybox:stable${BUSYBOX_VARIANT}");
        assert_catches_not("DG1112", "ARG BUSYBOX_VARIANT\nFROM busybox:stable${BUSYBOX_VARIANT}");
        assert_catches_not("DG1112", "ARG TAG\nFROM alpine:${TAG:-3.14}");
        assert_catches_not("DG1112", "FROM --platform=$BUILDPLATFORM golang:1.22");
        assert_catches_not("DG1112", "FROM img:$TARGETARCH");
        assert_catches_not("DG1112", "FROM Debian");
        assert_catches_not("DG1112", "FROM scratch AS base\nFROM base");
    }
}
