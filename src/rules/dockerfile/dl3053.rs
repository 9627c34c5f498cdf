//! DL3053: an `rfc3339`-typed label that is not an RFC 3339 timestamp.

use super::labels::{SCHEMA, check_values};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks the value of each label the policy's label schema types `rfc3339`: it
    /// must be an RFC 3339 date-time, a calendar date, `T`, a time of day with
    /// optional fractional seconds, and `Z` or a `+hh:mm`/`-hh:mm` offset
    /// (`2024-05-01T12:30:00Z`, `2024-05-01T14:30:00.5+02:00`), with a day that
    /// exists. Values are checked after quotes are removed and variables expanded; a
    /// value that depends on a build argument without a default is not judged.
    /// Without a schema the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// `org.opencontainers.image.created` and similar labels are compared and sorted
    /// by tools. A date in a local format, or without a time zone, is ambiguous or
    /// cannot be read at all.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.created: rfc3339}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.created="05/01/2024 12:30"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ARG CREATED
    /// LABEL org.opencontainers.image.created="$CREATED"
    /// ```
    /// built with `--build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)`.
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    ///
    /// ## References
    /// - [RFC 3339: Date and Time on the Internet](https://www.rfc-editor.org/rfc/rfc3339#section-5.6)
    code: "DL3053",
    name: "invalid-time-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` is not a valid time format - must be conform to RFC3339.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    check_values(context, "rfc3339", is_rfc3339, |label| {
        format!("Label `{label}` is not a valid time format - must be conform to RFC3339.")
    });
}

/// A fixed-width decimal field at the start of `text`, and what follows it.
fn digits(text: &str, width: usize) -> Option<(u32, &str)> {
    let field = text.get(..width)?;
    if !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((field.parse().ok()?, &text[width..]))
}

/// `text` without the leading `separator`.
fn expect(text: &str, separator: char) -> Option<&str> {
    text.strip_prefix(separator)
}

/// RFC 3339's `date-time`: `full-date ("T"|"t") full-time`, the time zone required.
pub(super) fn is_rfc3339(text: &str) -> bool {
    parse(text).is_some()
}

fn parse(text: &str) -> Option<()> {
    let (year, rest) = digits(text, 4)?;
    let (month, rest) = digits(expect(rest, '-')?, 2)?;
    let (day, rest) = digits(expect(rest, '-')?, 2)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days).contains(&day) {
        return None;
    }
    let rest = rest.strip_prefix(['T', 't'])?;
    let (hour, rest) = digits(rest, 2)?;
    let (minute, rest) = digits(expect(rest, ':')?, 2)?;
    let (second, mut rest) = digits(expect(rest, ':')?, 2)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return None;
        }
        rest = &fraction[end..];
    }
    if rest == "Z" || rest == "z" {
        return Some(());
    }
    let offset = rest.strip_prefix(['+', '-'])?;
    let (hours, offset) = digits(offset, 2)?;
    let (minutes, offset) = digits(expect(offset, ':')?, 2)?;
    (hours <= 23 && minutes <= 59 && offset.is_empty()).then_some(())
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use super::is_rfc3339;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("datelabel", "rfc3339"), ("other", "text")], None)
    }

    #[test]
    fn not_timestamps() {
        assert_catches_with("DL3053", &options(), "FROM a\nLABEL datelabel=\"not-date\"");
        assert_catches_with("DL3053", &options(), "FROM a\nLABEL datelabel=\"2024-05-01\"");
        assert_catches_with("DL3053", &options(), "FROM a\nLABEL datelabel=\"\"");
        assert_catches_with("DL3053", &options(), "FROM a\nLABEL datelabel 2024-05-01 12:30:00");
        assert_catches_with(
            "DL3053",
            &options(),
            "FROM a\nLABEL other=x \\\n  datelabel=2024-13-01T00:00:00Z",
        );
        assert_catches_with("DL3053", &options(), "FROM a\nARG D=today\nLABEL datelabel=$D");
        assert_catches_with("DL3053", &options(), "FROM a AS b\nLABEL datelabel=x\nFROM b");
        let found = findings_with("DL3053", &options(), "FROM a\nLABEL datelabel=x");
        assert_eq!(
            found[0].message,
            "Label `datelabel` is not a valid time format - must be conform to RFC3339."
        );
    }

    #[test]
    fn timestamps_and_unknowable_values() {
        assert_catches_not_with(
            "DL3053",
            &options(),
            "FROM a\nLABEL datelabel=\"2021-03-10T10:26:33.564595127+01:00\"",
        );
        assert_catches_not_with("DL3053", &options(), "FROM a\nLABEL \"datelabel\"='2024-02-29T00:00:00Z'");
        assert_catches_not_with("DL3053", &options(), "FROM a\nARG D\nLABEL datelabel=$D");
        assert_catches_not_with("DL3053", &options(), "FROM a\nLABEL other=not-date");
        assert_catches_not("DL3053", "FROM a\nLABEL datelabel=not-date");
    }

    #[test]
    fn rfc_3339_grammar() {
        for good in [
            "1985-04-12T23:20:50.52Z",
            "1996-12-19T16:39:57-08:00",
            "1990-12-31T23:59:60Z",
            "2000-02-29t00:00:00z",
        ] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in [
            "1985-04-12",
            "1985-04-12T23:20:50",
            "1985-04-12 23:20:50Z",
            "1900-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-04-01T24:00:00Z",
            "2023-04-01T00:00:00.Z",
            "2023-04-01T00:00:00+0100",
            "2023-04-01T00:00:00+01:00x",
            "85-04-12T23:20:50Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
