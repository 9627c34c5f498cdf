//! DL3067: COPY --from of a whole filesystem.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=SOURCE / /`: a copy of the whole filesystem of another
    /// stage or image onto the root of this one. A source stage built `FROM scratch`
    /// (directly or through other stages) is not reported: copying its root is how a
    /// stage that holds only a few files, or a squashed one, is merged in.
    ///
    /// ## Why is this bad?
    /// The copy brings an entire operating system along: the stage's package
    /// databases, caches and build tools end up in the image, over whatever the image
    /// had in the same places, and the image no longer says which files it needs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM debian:12
    /// COPY --from=build / /
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM debian:12
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    code: "DL3067",
    name: "copy-entire-filesystem",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Do not copy an entire filesystem from another stage",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for copy in super::copies::copies(context) {
        let Some((_, reference)) = copy.from else { continue };
        let [sources @ .., destination] = copy.words else { continue };
        if destination.value != "/" || !sources.iter().any(|s| s.value == "/") {
            continue;
        }
        let from_scratch = model
            .stage_by_reference(reference)
            .is_some_and(|stage| {
                model
                    .chain(stage.index)
                    .last()
                    .is_some_and(|root| root.base.is_scratch)
            });
        if !from_scratch {
            context.report(copy.instruction, copy.instruction.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn whole_filesystem() {
        assert_catches("DL3067", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a / /");
        assert_catches("DL3067", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a [\"/\", \"/\"]");
        assert_catches("DL3067", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a /x / /");
        assert_catches("DL3067", "FROM debian:12\nCOPY --from=alpine:3 / /");
        assert_catches("DL3067", "FROM debian:12 AS a\nFROM scratch\nCOPY --link --from=a / /");
    }

    #[test]
    fn parts_or_scratch_stages() {
        assert_catches_not("DL3067", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a / /dest");
        assert_catches_not("DL3067", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a /out /");
        assert_catches_not("DL3067", "FROM debian:12\nCOPY / /");
        assert_catches_not("DL3067", "FROM scratch AS a\nCOPY x /x\nFROM debian:12\nCOPY --from=a / /");
        assert_catches_not("DL3067", "FROM scratch AS a\nFROM a AS b\nFROM debian:12\nCOPY --from=b / /");
    }
}
