//! DG1101: a stage name with upper-case letters (BuildKit's StageNameCasing).

use super::stage_names::named_froms;
use crate::finding::Fix;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a stage name that is not all lower case: `FROM golang:1.23 AS Builder`.
    /// This is BuildKit's build check
    /// [`StageNameCasing`](https://docs.docker.com/reference/build-checks/stage-name-casing/)
    /// (`instructions/parse.go`, `isLowerCaseStageName`).
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names: `COPY --from=Builder`, `COPY --from=builder`
    /// and `--target builder` all name the same stage, so the capitals only suggest a
    /// distinction that does not exist, and `docker build` warns about them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS Builder
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=Builder /app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=builder /app /app
    /// ```
    ///
    /// ## Fix
    /// Lower-cases the name in `FROM`. References to it (`COPY --from=Builder`) keep
    /// working unchanged, because BuildKit compares stage names in lower case.
    code: "DG1101",
    name: "stage-name-casing",
    severity: Style,
    category: BestPractice,
    fixable: true,
    fix: Safe("Write the stage name in lowercase"),
    message: "Stage names should be lowercase",
    buildkit: "StageNameCasing",
    check: check,
}

fn check(context: &mut Context) {
    for (instruction, words) in named_froms(context) {
        // BuildKit checks `FROM image AS name`, exactly three words.
        let [_, _, name] = words else {
            continue;
        };
        let lower = name.value.to_lowercase();
        if name.value == lower {
            continue;
        }
        let message = format!("Stage name '{}' should be lowercase", name.value);
        let finding = context.report(instruction, name.range);
        finding.message = message;
        finding.fix = Some(Fix::replace(
            RULE.fixes[0].title,
            name.range,
            lower,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn upper_case_names() {
        assert_catches("DG1101", "FROM debian:12 AS Build");
        assert_catches("DG1101", "FROM debian:12 AS BUILD");
        assert_catches("DG1101", "FROM scratch AS BadStageName");
    }

    #[test]
    fn lower_case_or_no_names() {
        assert_catches_not("DG1101", "FROM debian:12 AS build");
        assert_catches_not("DG1101", "FROM debian:12 AS build-2.x_y");
        assert_catches_not("DG1101", "FROM Debian:12");
    }

    #[test]
    fn buildkit_message() {
        let found = findings("DG1101", "FROM scratch AS BadStageName\n");
        assert_eq!(found[0].message, "Stage name 'BadStageName' should be lowercase");
    }

    #[test]
    fn fix() {
        assert_fix(
            "DG1101",
            "FROM debian:12 AS Build\nFROM x\nCOPY --from=Build /a /a\n",
            "FROM debian:12 AS build\nFROM x\nCOPY --from=Build /a /a\n",
        );
    }
}
