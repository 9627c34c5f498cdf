//! DG1100: `FROM ... as name` with `as` cased unlike `FROM` (BuildKit's FromAsCasing).

use super::stage_names::named_froms;
use crate::finding::Fix;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports `FROM image AS name` where the `AS` keyword is not cased like the `FROM`
    /// keyword: `FROM image as name` or `from image AS name`. This is BuildKit's build
    /// check [`FromAsCasing`](https://docs.docker.com/reference/build-checks/from-as-casing/),
    /// with its conditions (`instructions/parse.go`, `doesFromCaseMatchAsCase`): when
    /// `FROM` itself is of mixed case (`From`), ConsistentInstructionCasing (DG1102)
    /// reports it and this rule says nothing.
    ///
    /// ## Why is this bad?
    /// Keywords of one instruction in two casings read as a mistake, and
    /// `docker build` warns about it on every build. Dockerfiles conventionally write
    /// both in upper case.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 as build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// ```
    ///
    /// ## Fix
    /// Writes `AS` in the casing of `FROM`.
    code: "DG1100",
    name: "from-as-casing",
    severity: Style,
    category: BestPractice,
    fixable: true,
    fix: Safe("Write `AS` in the casing of `FROM`"),
    message: "The 'as' keyword should match the case of the 'from' keyword",
    buildkit: "FromAsCasing",
    check: check,
}

fn check(context: &mut Context) {
    // BuildKit looks at the second word of `FROM image AS name`.
    for (instruction, words) in named_froms(context) {
        let keyword = &words[1];
        let from = instruction.name.as_str();
        let expected = if from == from.to_lowercase() {
            "as"
        } else if from == from.to_uppercase() {
            "AS"
        } else {
            continue;
        };
        if keyword.value == expected {
            continue;
        }
        let message = format!(
            "'{}' and '{from}' keywords' casing do not match",
            keyword.value
        );
        let finding = context.report(instruction, keyword.range);
        finding.message = message;
        finding.fix = Some(Fix::replace(
            RULE.fixes[0].title,
            keyword.range,
            expected,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn mismatched_casing() {
        assert_catches("DG1100", "FROM debian:12 as build");
        assert_catches("DG1100", "from debian:12 AS build");
        assert_catches("DG1100", "FROM debian:12 As build");
        assert_catches("DG1100", "from debian:12 aS build");
    }

    #[test]
    fn matching_casing() {
        assert_catches_not("DG1100", "FROM debian:12 AS build");
        assert_catches_not("DG1100", "from debian:12 as build");
        assert_catches_not("DG1100", "FROM debian:12");
        // Mixed-case FROM is ConsistentInstructionCasing's (DG1102).
        assert_catches_not("DG1100", "From debian:12 as build");
        // Not an `AS`: a syntax error, DL1000's.
        assert_catches_not("DG1100", "FROM debian:12 at build");
    }

    #[test]
    fn buildkit_message() {
        let found = findings("DG1100", "FROM scratch as base\n");
        assert_eq!(found[0].message, "'as' and 'FROM' keywords' casing do not match");
        let found = findings("DG1100", "from scratch AS base\n");
        assert_eq!(found[0].message, "'AS' and 'from' keywords' casing do not match");
    }

    #[test]
    fn fix() {
        assert_fix("DG1100", "FROM debian:12 as build\n", "FROM debian:12 AS build\n");
        assert_fix("DG1100", "from debian:12 AS build\n", "from debian:12 as build\n");
    }
}
