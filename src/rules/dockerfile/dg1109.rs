//! DG1109: a comment above a stage or an ARG that does not describe it (BuildKit's
//! experimental InvalidDefinitionDescription).

use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a comment directly above a named `FROM ... AS name` or an `ARG` whose
    /// first word is not the stage's or one of the ARG's names. This is BuildKit's
    /// build check
    /// [`InvalidDefinitionDescription`](https://docs.docker.com/reference/build-checks/invalid-definition-description/)
    /// (`instructions/parse.go`, `validateDefinitionDescription`): only the last line of
    /// the comment block is read, the name compares case-sensitively with the
    /// lower-cased stage name, an empty `#` line ends the block, and parser directives
    /// are no comment. BuildKit marks the check experimental and runs it only when
    /// asked (`# check=experimental=InvalidDefinitionDescription`); dockgate runs it
    /// when a policy turns it on, or when the Dockerfile asks as it would ask BuildKit.
    ///
    /// ## Why is this bad?
    /// `docker buildx build --call outline` and `--call targets` show such comments as
    /// the description of the build argument or target, so a comment that describes
    /// something else ends up in the wrong place.
    ///
    /// ## Example
    /// ```dockerfile
    /// # The Go toolchain.
    /// ARG GO_VERSION=1.23
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # GO_VERSION sets the Go toolchain.
    /// ARG GO_VERSION=1.23
    /// ```
    /// or, when the comment is no description, an empty `#` line between it and the
    /// instruction.
    code: "DG1109",
    name: "invalid-definition-description",
    severity: Style,
    category: BestPractice,
    fixable: false,
    message: "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`",
    buildkit: "InvalidDefinitionDescription",
    enabled_by_default: false,
    check: check,
}

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        let Some(comment) = instruction.prev_comments.last() else {
            continue;
        };
        let (kind, names): (&str, Vec<String>) = match (&instruction.keyword, &instruction.args) {
            (Keyword::From, Args::List(_)) => {
                let stage = context.model().stage_of(index);
                match stage.and_then(|stage| stage.name.clone()) {
                    Some(name) => ("FROM", vec![name]),
                    None => continue,
                }
            }
            (Keyword::Arg, Args::List(words)) => (
                "ARG",
                words
                    .iter()
                    .map(|word| {
                        let key = word.value.split_once('=').map_or(&*word.value, |(k, _)| k);
                        key.to_string()
                    })
                    .collect(),
            ),
            _ => continue,
        };
        // BuildKit splits the comment on single spaces.
        let first = comment.split(' ').next().unwrap_or("");
        if names.is_empty() || names.iter().any(|name| name == first) {
            continue;
        }
        let example = match names.as_slice() {
            [one] => one.as_str(),
            _ => "<arg_key>",
        };
        let message =
            format!("Comment for {kind} should follow the format: `# {example} <description>`");
        context.report(instruction, instruction.name_range).message = message;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn comments_that_describe_something_else() {
        assert_catches("DG1109", "# bar this is the bar\nARG foo=bar");
        assert_catches("DG1109", "FROM scratch\n# BasE this is the base\nFROM scratch AS base");
        assert_catches("DG1109", "FROM scratch\n# definitely a bad comment\nARG a=1 b=2");
    }

    #[test]
    fn descriptions_or_no_comment() {
        assert_catches_not("DG1109", "# foo this is the foo\nARG foo=bar");
        assert_catches_not("DG1109", "# base this is the base\nFROM scratch AS base");
        assert_catches_not("DG1109", "FROM scratch\n# baz is one\nARG foo=baz bar=qux baz=quux");
        assert_catches_not("DG1109", "FROM scratch\n# not a description\n#\nARG bit=bat");
        assert_catches_not("DG1109", "FROM scratch\n# about the copy\nCOPY a /b");
        assert_catches_not("DG1109", "# about the image\nFROM scratch");
        // A parser directive is no comment.
        assert_catches_not("DG1109", "# check=experimental=all\nARG foo=bar");
    }

    #[test]
    fn buildkit_messages() {
        let source = "# bar this is the bar\nARG foo=bar\n# BasE this is the BasE image\nFROM scratch AS base\n# definitely a bad comment\nARG version=latest\n# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n";
        let messages: Vec<String> = findings("DG1109", source)
            .into_iter()
            .map(|finding| format!("{}: {}", finding.line(), finding.message))
            .collect();
        assert_eq!(
            messages,
            [
                "2: Comment for ARG should follow the format: `# foo <description>`",
                "4: Comment for FROM should follow the format: `# base <description>`",
                "6: Comment for ARG should follow the format: `# version <description>`",
                "8: Comment for ARG should follow the format: `# <arg_key> <description>`",
            ]
        );
    }
}
