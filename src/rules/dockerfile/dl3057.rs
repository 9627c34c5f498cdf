//! DL3057: the image has no HEALTHCHECK.

use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports the `FROM` of the stage `docker build` builds (the last one) when
    /// neither it nor a stage it is built `FROM` has a `HEALTHCHECK`. `HEALTHCHECK
    /// NONE` counts: it says the image has none on purpose. Off by default, as in
    /// hadolint; hadolint reports every stage, builder stages included, which never
    /// run as containers. DG2032 checks a built image, whose base may set one.
    ///
    /// ## Why is this bad?
    /// Without a health check the runtime only knows whether the main process is
    /// alive, not whether it serves: a hung server keeps receiving traffic.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1
    /// ```
    code: "DL3057",
    name: "healthcheck-missing",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "`HEALTHCHECK` instruction missing.",
    enabled_by_default: false,
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    let Some(last) = model.last_stage() else { return };
    let instructions = context.instructions();
    let has_healthcheck = model.chain(last.index).iter().any(|stage| {
        instructions[stage.instructions.clone()]
            .iter()
            .any(|i| i.keyword == Keyword::Healthcheck)
    });
    if !has_healthcheck {
        let from = &instructions[last.from];
        context.report(from, from.range);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn missing() {
        assert_catches("DL3057", "FROM debian:12\nRUN a");
        assert_catches("DL3057", "FROM debian:12 AS a\nHEALTHCHECK CMD a\nFROM debian:12\nRUN b");
    }

    #[test]
    fn present_or_inherited() {
        assert_catches_not("DL3057", "FROM debian:12\nHEALTHCHECK CMD a");
        assert_catches_not("DL3057", "FROM debian:12\nHEALTHCHECK NONE");
        assert_catches_not("DL3057", "FROM debian:12 AS a\nHEALTHCHECK CMD a\nFROM a\nRUN b");
        assert_catches_not("DL3057", "FROM debian:12 AS a\nRUN a\nFROM debian:12\nHEALTHCHECK CMD b");
        assert_catches_not("DL3057", "");
    }

    #[test]
    fn off_by_default() {
        assert!(!crate::rules::find("DL3057").unwrap().enabled_by_default);
    }
}
