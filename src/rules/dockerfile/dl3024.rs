//! DL3024: two stages with the same name.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks that no two stages share a name (`FROM ... AS name`). Names are compared
    /// case-insensitively, as BuildKit compares them.
    ///
    /// ## Why is this bad?
    /// BuildKit rejects the file ("duplicate stage name"); older builders silently
    /// resolved `COPY --from=name` and `FROM name` to one of the stages, usually not
    /// the one the reader expects.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    /// FROM golang:1.23 AS build
    /// RUN go build ./...
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22 AS web
    /// RUN npm ci && npm run build
    /// FROM golang:1.23 AS server
    /// RUN go build ./...
    /// ```
    ///
    /// ## References
    /// - [Multi-stage builds: name your build stages](https://docs.docker.com/build/building/multi-stage/#name-your-build-stages)
    code: "DL3024",
    name: "duplicate-stage-name",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "FROM aliases (stage names) must be unique",
    buildkit: "DuplicateStageName",
    check: check,
}

fn check(context: &mut Context) {
    let stages = &context.model().stages;
    for (index, stage) in stages.iter().enumerate() {
        let (Some(name), Some(word)) = (&stage.name, &stage.name_word) else {
            continue;
        };
        if stages[..index]
            .iter()
            .any(|earlier| earlier.name.as_ref() == Some(name))
        {
            let from = &context.instructions()[stage.from];
            context.report(from, word.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn duplicates() {
        assert_catches("DL3024", "FROM debian:1 AS a\nFROM debian:1 AS a");
        assert_catches("DL3024", "FROM debian:1 AS a\nFROM debian:1 AS A");
        assert_catches("DL3024", "FROM debian:1 AS a\nFROM a AS a");
        assert_lines(
            "DL3024",
            "FROM debian:1 AS a\nFROM debian:1 AS b\nFROM debian:1 AS a\nFROM debian:1 AS a",
            &[3, 4],
        );
    }

    #[test]
    fn unique() {
        assert_catches_not("DL3024", "FROM debian:1 AS a\nFROM debian:1 AS b");
        assert_catches_not("DL3024", "FROM debian:1\nFROM debian:1");
        assert_catches_not("DL3024", "FROM debian:1 AS a\nFROM a");
    }
}
