//! DL1000: the Dockerfile has a syntax error.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports each place where BuildKit refuses the Dockerfile: what its parser rejects
    /// (an unterminated heredoc, a JSON array with a non-string, `ENV` without a value,
    /// a bad parser directive, ...) and instructions it does not know.
    ///
    /// ## Why is this bad?
    /// `docker build` rejects the file, or reads it differently from what it looks
    /// like. Unlike hadolint, dockgate reports the exact line and column and goes on
    /// linting the rest of the file, so one error does not hide every other finding.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN <<EOF
    /// apt-get update
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN <<EOF
    /// apt-get update
    /// EOF
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    code: "DL1000",
    name: "syntax-error",
    severity: Error,
    category: Syntax,
    fixable: false,
    message: "Syntax error",
    check: check,
}

fn check(context: &mut Context) {
    for error in &context.dockerfile().errors {
        context.report_at(error.range, error.range).message = error.message.clone();
    }
    // BuildKit's parser keeps unknown instructions; its builder then refuses the file.
    for instruction in context.instructions() {
        if instruction.keyword == Keyword::Unknown {
            context.report(instruction, instruction.name_range).message =
                unknown_instruction_message(&instruction.name);
        }
    }
}

const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// BuildKit's wording, with the closest instruction name when one is a likely typo.
fn unknown_instruction_message(name: &str) -> String {
    let upper = name.to_uppercase();
    let closest = INSTRUCTIONS
        .iter()
        .map(|candidate| (edit_distance(&upper, candidate), *candidate))
        .min()
        .filter(|&(distance, _)| distance <= 2 && distance < upper.chars().count());
    match closest {
        Some((_, suggestion)) => {
            format!("unknown instruction: {name} (did you mean {suggestion}?)")
        }
        None => format!("unknown instruction: {name}"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn reports_syntax_errors() {
        assert_catches("DL1000", "FROM debian:12\nRUN <<EOF\necho hi\n");
        assert_catches_not("DL1000", "FROM debian:12\nRUN <<EOF\necho hi\nEOF\n");
        assert_catches_not("DL1000", "FROM debian:12\nRUN echo hi");
    }

    #[test]
    fn reports_unknown_instructions_buildkit_refuses() {
        assert_catches("DL1000", "FROM debian:12\nINVALID x\n");
        assert_catches_not("DL1000", "FROM debian:12\nrun echo hi\n");
    }

    #[test]
    fn suggests_the_closest_instruction() {
        assert_eq!(
            super::unknown_instruction_message("RUNN"),
            "unknown instruction: RUNN (did you mean RUN?)"
        );
        assert_eq!(
            super::unknown_instruction_message("let"),
            "unknown instruction: let"
        );
    }
}
