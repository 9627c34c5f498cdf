//! DL1001: an inline ignore pragma (off by default, as in hadolint).

use crate::rules::{Context, Pragmas};

crate::declare_rule! {
    /// ## What it does
    /// Reports every inline ignore pragma, `# hadolint ignore=CODE` (or `# dockgate
    /// ignore=CODE`), on its line. Off by default, as in hadolint (whose default severity
    /// for it is `ignore`); a policy turns it on (`rules: {DL1001: on}`, or hadolint's
    /// `override: {error: [DL1001]}`). The pragmas still work: this rule only reports
    /// them. Global pragmas (`# hadolint global ignore=...`) and `shell=` pragmas are
    /// not reported, and a pragma on the line above can silence it, as in hadolint.
    ///
    /// DG0003 is different: under `pragmas: forbidden` pragmas silence nothing, and
    /// each one (global ones too) is a DG0003 error that nothing can silence.
    ///
    /// ## Why is this bad?
    /// Each inline pragma is a decision, taken in the Dockerfile, to ship what a rule
    /// warns about. A team that wants waivers reviewed in one place, with an owner and
    /// an expiry date, keeps them in the policy's `exceptions`.
    ///
    /// ## Example
    /// ```dockerfile
    /// # hadolint ignore=DL3007
    /// FROM debian:latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ```
    code: "DL1001",
    name: "inline-ignore-pragma",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.",
    enabled_by_default: false,
    check: check,
}

fn check(context: &mut Context) {
    let pragmas = Pragmas::new(context.dockerfile(), context.lines());
    for pragma in pragmas.inline() {
        context.report_at(pragma.range, pragma.range);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn inline_pragmas() {
        assert_catches("DL1001", "FROM debian:12\n# hadolint ignore=DL3003\nRUN true");
        assert_catches("DL1001", "FROM debian:12\n# dockgate ignore=DL3003\n");
        assert_catches_not("DL1001", "# hadolint global ignore=DL3003\nFROM debian:12");
        assert_catches_not("DL1001", "FROM debian:12\n# hadolint shell=powershell\nRUN x");
        assert_catches_not("DL1001", "FROM debian:12\nRUN <<EOF\n# hadolint ignore=DL3003\nEOF");
    }
}
