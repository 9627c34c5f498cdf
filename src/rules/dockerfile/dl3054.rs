//! DL3054: an `spdx`-typed label that is not an SPDX license expression.

use super::labels::{SCHEMA, check_values};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks the value of each label the policy's label schema types `spdx`: it must
    /// be an SPDX license expression, a license identifier from the SPDX license list
    /// (`Apache-2.0`, `GPL-3.0-or-later`, deprecated ones such as `GPL-2.0` included),
    /// a `LicenseRef-...`, or several of them joined with `AND`, `OR` and `WITH`
    /// (`MIT OR Apache-2.0`). Identifiers are case-sensitive. Values are checked after
    /// quotes are removed and variables expanded; a value that depends on a build
    /// argument without a default is not judged. Without a schema the rule reports
    /// nothing.
    ///
    /// hadolint accepts a single identifier only; dockgate accepts expressions, since
    /// `org.opencontainers.image.licenses` is defined as an SPDX license expression.
    ///
    /// ## Why is this bad?
    /// Licence scanners and compliance tools read the licence label. A free-text
    /// licence name (`Apache License`, `BSD`) cannot be matched to a licence text.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.licenses: spdx}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.licenses="Apache License 2"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    ///
    /// ## References
    /// - [SPDX license list](https://spdx.org/licenses/)
    /// - [SPDX license expressions](https://spdx.github.io/spdx-spec/v3.0.1/annexes/spdx-license-expressions/)
    code: "DL3054",
    name: "invalid-spdx-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` is not a valid SPDX identifier.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    check_values(context, "spdx", is_spdx_expression, |label| {
        format!("Label `{label}` is not a valid SPDX identifier.")
    });
}

/// An SPDX license expression of listed identifiers (deprecated ones accepted).
fn is_spdx_expression(value: &str) -> bool {
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    spdx::Expression::parse_mode(value, mode).is_ok()
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("spdxlabel", "spdx"), ("other", "text")], None)
    }

    #[test]
    fn not_spdx() {
        assert_catches_with("DL3054", &options(), "FROM a\nLABEL spdxlabel=\"not-spdx\"");
        assert_catches_with("DL3054", &options(), "FROM a\nLABEL spdxlabel=\"\"");
        assert_catches_with("DL3054", &options(), "FROM a\nLABEL spdxlabel=mit");
        assert_catches_with("DL3054", &options(), "FROM a\nLABEL spdxlabel Apache License 2");
        assert_catches_with("DL3054", &options(), "FROM a\nLABEL spdxlabel=\"MIT OR\"");
        assert_catches_with("DL3054", &options(), "FROM a\nLABEL other=x \\\n  spdxlabel=BSD");
        assert_catches_with("DL3054", &options(), "FROM a\nARG L=GPL\nLABEL spdxlabel=$L");
        assert_catches_with("DL3054", &options(), "FROM a AS b\nLABEL spdxlabel=x\nFROM b");
        let found = findings_with("DL3054", &options(), "FROM a\nLABEL spdxlabel=x");
        assert_eq!(found[0].message, "Label `spdxlabel` is not a valid SPDX identifier.");
    }

    #[test]
    fn spdx_and_unknowable_values() {
        for value in [
            "BSD-3-Clause",
            "Apache-2.0",
            "GPL-2.0",
            "GPL-3.0-or-later",
            "MIT OR Apache-2.0",
            "(MIT AND BSD-2-Clause) OR GPL-2.0-only WITH Classpath-exception-2.0",
            "LicenseRef-acme-proprietary",
        ] {
            let source = format!("FROM a\nLABEL \"spdxlabel\"=\"{value}\"");
            assert_catches_not_with("DL3054", &options(), &source);
        }
        assert_catches_not_with("DL3054", &options(), "FROM a\nARG L\nLABEL spdxlabel=$L");
        assert_catches_not_with("DL3054", &options(), "FROM a\nLABEL other=not-spdx");
        assert_catches_not("DL3054", "FROM a\nLABEL spdxlabel=not-spdx");
    }
}
