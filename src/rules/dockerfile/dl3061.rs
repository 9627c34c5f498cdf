//! DL3061: an instruction other than ARG before the first FROM.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports every instruction before the first `FROM` other than `ARG`. Comments and
    /// parser directives may come first.
    ///
    /// ## Why is this bad?
    /// Only `ARG` may precede the first `FROM`: `docker build` rejects anything else
    /// with "no build stage in current context". Usually the `FROM` line was deleted or
    /// the file is not a Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source=https://github.com/example/app
    /// FROM debian:12
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source=https://github.com/example/app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM and ARG](https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact)
    code: "DL3061",
    name: "instruction-before-from",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
    check: check,
}

fn check(context: &mut Context) {
    for instruction in context.instructions() {
        match instruction.keyword {
            Keyword::From => break,
            Keyword::Arg => {}
            _ => {
                context.report(instruction, instruction.name_range);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn instructions_before_from() {
        assert_catches("DL3061", "RUN x");
        assert_catches("DL3061", "ARG x\nLABEL a=b\nFROM debian:12");
        assert_lines("DL3061", "LABEL a=b\nRUN x\nFROM debian:12", &[1, 2]);
        assert_lines("DL3061", "MAINTAINER me\nFROM debian:12\nRUN x", &[1]);
    }

    #[test]
    fn from_arg_and_comments_first() {
        assert_catches_not("DL3061", "FROM debian:12\nRUN x");
        assert_catches_not("DL3061", "ARG x\nFROM debian:$x");
        assert_catches_not(
            "DL3061",
            "# syntax=docker/dockerfile:1\n# hi\nFROM debian:12",
        );
        assert_catches_not("DL3061", "ARG x");
        assert_catches_not("DL3061", "");
    }
}
