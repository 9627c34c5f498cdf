//! DL3063: a stage named like a reserved word.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a stage named `scratch` or `context`, in any case (BuildKit lower-cases
    /// stage names).
    ///
    /// ## Why is this bad?
    /// `scratch` is the empty image: once a stage has the name, a later
    /// `FROM scratch` builds on that stage instead. `context` reads as the build
    /// context, next to the named contexts of `docker buildx build --build-context`,
    /// so `COPY --from=context` is ambiguous to the reader.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 AS scratch
    /// RUN make
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// RUN make
    /// ```
    code: "DL3063",
    name: "reserved-stage-name",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "stage name should not be a reserved word",
    buildkit: "ReservedStageName",
    check: check,
}

fn check(context: &mut Context) {
    for stage in &context.model().stages {
        let (Some(name), Some(word)) = (&stage.name, &stage.name_word) else {
            continue;
        };
        if matches!(name.as_str(), "scratch" | "context") {
            let from = &context.instructions()[stage.from];
            context.report(from, word.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn reserved() {
        assert_catches("DL3063", "FROM debian:12 AS scratch");
        assert_catches("DL3063", "FROM debian:12 AS context");
        assert_catches("DL3063", "FROM debian:12 AS Scratch");
    }

    #[test]
    fn other_names() {
        assert_catches_not("DL3063", "FROM debian:12 AS build");
        assert_catches_not("DL3063", "FROM debian:12 AS from");
        assert_catches_not("DL3063", "FROM scratch");
    }
}
