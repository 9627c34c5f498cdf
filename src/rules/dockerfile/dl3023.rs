//! DL3023: COPY --from names its own stage.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=NAME` inside the stage named `NAME` (compared
    /// case-insensitively, as BuildKit does) or `--from=N` inside stage `N`.
    ///
    /// ## Why is this bad?
    /// A stage cannot copy from itself: BuildKit fails with a circular dependency.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY --from=build /src/app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /src/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /src/app /app
    /// ```
    code: "DL3023",
    name: "copy-from-own-stage",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "`COPY --from` cannot reference its own `FROM` alias",
    check: check,
}

fn check(context: &mut Context) {
    for copy in super::copies::copies(context) {
        if let Some((flag, _)) = copy.from
            && copy.names_own_stage()
        {
            context.report(copy.instruction, flag.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn own_stage() {
        assert_catches("DL3023", "FROM debian:12 AS build\nCOPY --from=build some stuff ./");
        assert_catches("DL3023", "FROM debian:12 AS build\nCOPY --from=Build a /b");
        assert_catches("DL3023", "FROM debian:12\nFROM debian:12\nCOPY --from=1 a /b");
    }

    #[test]
    fn other_stages() {
        assert_catches_not("DL3023", "FROM debian:12 AS build\nFROM debian:12\nCOPY --from=build a /b");
        assert_catches_not("DL3023", "FROM debian:12 AS a\nCOPY --from=b a /b");
        assert_catches_not("DL3023", "FROM debian:12\nFROM debian:12\nCOPY --from=0 a /b\n");
    }
}
