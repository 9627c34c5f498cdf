//! DG1103: `ENV key value` / `LABEL key value`, the legacy form (BuildKit's
//! LegacyKeyValueFormat).

use crate::dockerfile::{Args, KeyValue, Keyword};
use crate::finding::Fix;
use crate::rules::Context;
use crate::source::TextRange;

crate::declare_rule! {
    /// ## What it does
    /// Reports `ENV` and `LABEL` written in the legacy whitespace-separated form,
    /// `ENV KEY value`, instead of `ENV KEY=value`. This is BuildKit's build check
    /// [`LegacyKeyValueFormat`](https://docs.docker.com/reference/build-checks/legacy-key-value-format/)
    /// (`dockerfile2llb/convert.go`, `dispatchEnv` and `dispatchLabel`). Like BuildKit,
    /// it does not look at `ONBUILD` triggers, which run in another build.
    ///
    /// ## Why is this bad?
    /// The legacy form sets one variable per instruction, takes everything after the
    /// first space as the value (`ENV A b C=d` sets `A` to `b C=d`), and the Dockerfile
    /// reference says it may be removed in a future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ENV LANG C.UTF-8
    /// LABEL maintainer me@example.com
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ENV LANG=C.UTF-8
    /// LABEL maintainer=me@example.com
    /// ```
    ///
    /// ## Fix
    /// Joins key and value with `=` when the value is one word, and quotes it in `"`
    /// when it is several words without quotes or escapes (`ENV A b c` becomes
    /// `ENV A="b c"`, the same value). Other values are left to you.
    code: "DG1103",
    name: "legacy-key-value-format",
    severity: Warning,
    category: Deprecation,
    fixable: true,
    fix: Safe("Write `KEY=value`"),
    message: "Legacy key/value format with whitespace separator should not be used",
    buildkit: "LegacyKeyValueFormat",
    check: check,
}

fn check(context: &mut Context) {
    for instruction in context.instructions() {
        if !matches!(instruction.keyword, Keyword::Env | Keyword::Label) {
            continue;
        }
        let Args::KeyValues(pairs) = &instruction.args else {
            continue;
        };
        for pair in pairs.iter().filter(|pair| pair.separator.is_empty()) {
            let name = &instruction.name;
            let message = format!(
                "\"{name} key=value\" should be used instead of legacy \"{name} key value\" format"
            );
            let fix = joined(context, pair);
            let finding = context.report(instruction, pair.key.range.cover(pair.value.range));
            finding.message = message;
            finding.fix = fix;
        }
    }
}

/// `KEY=value` for the legacy pair, when it means the same.
fn joined(context: &Context, pair: &KeyValue) -> Option<Fix> {
    let gap = TextRange::new(pair.key.range.end, pair.value.range.start);
    let value = context.text(pair.value.range);
    // Both on one line, as written in the parse (no continuation in between).
    if !context.text(gap).chars().all(|c| c == ' ' || c == '\t') || value != pair.value.value {
        return None;
    }
    let escape = context.dockerfile().escape;
    let content = if !value.contains(char::is_whitespace) {
        format!("={value}")
    } else if !value.contains(['"', '\'', '\\', escape]) {
        format!("=\"{value}\"")
    } else {
        return None;
    };
    Some(Fix::replace(RULE.fixes[0].title, TextRange::new(gap.start, pair.value.range.end), content))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn legacy_form() {
        assert_catches("DG1103", "FROM debian:12\nENV A b");
        assert_catches("DG1103", "FROM debian:12\nENV A b c");
        assert_catches("DG1103", "FROM debian:12\nLABEL maintainer me");
        assert_catches("DG1103", "FROM debian:12\nenv A b");
    }

    #[test]
    fn key_value_form() {
        assert_catches_not("DG1103", "FROM debian:12\nENV A=b");
        assert_catches_not("DG1103", "FROM debian:12\nENV A=b C=\"d e\"");
        assert_catches_not("DG1103", "FROM debian:12\nLABEL a=b");
        assert_catches_not("DG1103", "FROM debian:12\nONBUILD ENV A b");
    }

    #[test]
    fn buildkit_message() {
        let found = findings("DG1103", "FROM scratch\nENV A b\n");
        assert_eq!(
            found[0].message,
            "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format"
        );
        let found = findings("DG1103", "FROM scratch\nlabel a b\n");
        assert_eq!(
            found[0].message,
            "\"label key=value\" should be used instead of legacy \"label key value\" format"
        );
    }

    #[test]
    fn fixes() {
        assert_fix("DG1103", "FROM a\nENV PATH /x:$PATH\n", "FROM a\nENV PATH=/x:$PATH\n");
        assert_fix("DG1103", "FROM a\nENV A  b c\n", "FROM a\nENV A=\"b c\"\n");
        let found = findings("DG1103", "FROM a\nENV A \"b c\" d\n");
        assert!(found[0].fix.is_none());
        let found = findings("DG1103", "FROM a\nENV A \\\n  b\n");
        assert!(found[0].fix.is_none());
    }
}
