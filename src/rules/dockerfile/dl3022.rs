//! DL3022: COPY --from names no earlier stage.

use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=NAME` when `NAME` is neither an earlier stage (by name,
    /// compared case-insensitively as BuildKit does, or by index) nor an image
    /// reference. A bare word such as `--from=buidler` that names no stage is
    /// reported: BuildKit would pull `docker.io/library/buidler`. So is a stage
    /// named later in the file, or an index past the current stage. References
    /// with a registry, path, tag or digest (`--from=alpine:3.20`,
    /// `--from=ghcr.io/acme/tools`) are images and are fine, and a `$VARIABLE` is
    /// not reported. The own stage is DL3023's.
    ///
    /// hadolint also reports image references without a tag or digest
    /// (`--from=crazymax/yasu`) and variables; the `images` option (on in
    /// `builtin:hadolint`) does the same.
    ///
    /// ## Why is this bad?
    /// A name that is no earlier stage is almost always a typo or a stage moved below
    /// its use; the build then pulls an image of that name, or fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=buidl /app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Options
    /// - `images`: also report `--from` naming an image or a variable, as hadolint does.
    code: "DL3022",
    name: "copy-from-unknown-stage",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "`COPY --from` should reference a previously defined `FROM` alias",
    options: [RuleOption::new("images", OptionKind::Bool, "Also report `--from` naming an image or a variable, as hadolint does.")],
    check: check,
}

fn check(context: &mut Context) {
    let images = context.option_bool("images");
    let model = context.model();
    for copy in super::copies::copies(context) {
        let Some((flag, reference)) = copy.from else { continue };
        if copy.names_own_stage() {
            continue; // DL3023
        }
        let stage = copy.stage;
        let lower = reference.to_lowercase();
        let earlier_name = model.stages[..stage.index]
            .iter()
            .any(|s| s.name.as_deref() == Some(lower.as_str()));
        let earlier_index = reference.parse::<usize>().is_ok_and(|i| i < stage.index);
        if earlier_name || earlier_index {
            continue;
        }
        let named_stage = model.stages.iter().any(|s| s.name.as_deref() == Some(lower.as_str()));
        let is_image = reference.contains(['/', ':', '@']);
        let is_variable = reference.contains('$');
        let is_number = reference.parse::<usize>().is_ok();
        // hadolint takes a reference with a tag or digest for an image, nothing else.
        let skip = match images {
            true => reference.contains(':'),
            false => is_image || is_variable,
        };
        if skip && !named_stage && !is_number {
            continue;
        }
        context.report(copy.instruction, flag.range);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unknown_stages() {
        assert_catches("DL3022", "FROM debian:12\nCOPY --from=x a /b");
        assert_catches("DL3022", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=5 x /y");
        assert_catches("DL3022", "FROM debian:12\nCOPY --from=1 x /y\nFROM debian:12");
        assert_catches("DL3022", "FROM debian:12\nCOPY --from=b x /y\nFROM debian:12 AS b");
    }

    #[test]
    fn earlier_stages_and_images() {
        assert_catches_not("DL3022", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a x /y");
        assert_catches_not("DL3022", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=A x /y");
        assert_catches_not("DL3022", "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=0 x /y");
        assert_catches_not("DL3022", "FROM debian:12\nCOPY --from=crazymax/yasu / /");
        assert_catches_not("DL3022", "FROM debian:12\nCOPY --from=alpine:3.20 /bin/sh /");
        assert_catches_not("DL3022", "FROM debian:12\nCOPY --from=$SRC /x /y");
        assert_catches_not("DL3022", "FROM debian:12 AS a\nCOPY --from=a x /y");
        assert_catches_not("DL3022", "FROM debian:12\nCOPY x /y");
    }

    #[test]
    fn images_with_the_option() {
        let options = switched_on("images");
        assert_catches_with("DL3022", &options, "FROM debian:12\nCOPY --from=crazymax/yasu / /");
        assert_catches_with("DL3022", &options, "FROM debian:12\nCOPY --from=${V} / /");
        assert_catches_not_with("DL3022", &options, "FROM debian:12 AS a\nFROM debian:12\nCOPY --from=a x /y");
        assert_catches_not_with("DL3022", &options, "FROM debian:12\nCOPY --from=composer:2 /x /y");
    }
}
