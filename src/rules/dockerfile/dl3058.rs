//! DL3058: an `email`-typed label that is not an email address.

use super::labels::{SCHEMA, check_values};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks the value of each label the policy's label schema types `email`: it must
    /// be an email address as RFC 5322 defines an `addr-spec`, `local@domain`, the
    /// local part a dot-separated atom or a quoted string, the domain a dot-separated
    /// atom or a bracketed literal (`team@example.com`, `"a b"@[192.0.2.1]`). A display
    /// name (`Jane <jane@example.com>`), comments and non-ASCII characters are not
    /// accepted. Values are checked after quotes are removed and variables expanded; a
    /// value that depends on a build argument without a default is not judged. Without
    /// a schema the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// Contact labels are read by people and by tools that notify owners about
    /// vulnerable images. A name or a chat handle cannot be written to.
    ///
    /// ## Example
    /// With `labels: {required: {maintainer: email}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL maintainer="Jane Doe"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL maintainer="jane@example.com"
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    ///
    /// ## References
    /// - [RFC 5322, section 3.4.1: Addr-Spec Specification](https://www.rfc-editor.org/rfc/rfc5322#section-3.4.1)
    code: "DL3058",
    name: "invalid-email-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` is not a valid email format - must be conform to RFC5322.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    check_values(context, "email", is_email, |label| {
        format!("Label `{label}` is not a valid email format - must be conform to RFC5322.")
    });
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// `dot-atom-text`: atoms of `atext` joined by single dots.
fn is_dot_atom(text: &str) -> bool {
    text.split('.')
        .all(|atom| !atom.is_empty() && atom.bytes().all(is_atext))
}

/// RFC 5322's `addr-spec` without comments or folding white space.
pub(super) fn is_email(text: &str) -> bool {
    let (local_ok, domain) = if let Some(quoted) = text.strip_prefix('"') {
        // quoted-string: qtext, spaces and quoted pairs up to the closing quote.
        let bytes = quoted.as_bytes();
        let mut i = 0;
        loop {
            match bytes.get(i) {
                None => return false,
                Some(b'"') => break,
                Some(b'\\') => match bytes.get(i + 1) {
                    Some(&b) if b == b' ' || b == b'\t' || b.is_ascii_graphic() => i += 2,
                    _ => return false,
                },
                Some(&b) if b == b' ' || b == b'\t' || (b.is_ascii_graphic() && b != b'"') => i += 1,
                Some(_) => return false,
            }
        }
        match quoted[i + 1..].strip_prefix('@') {
            Some(domain) => (true, domain),
            None => return false,
        }
    } else {
        match text.rsplit_once('@') {
            Some((local, domain)) => (is_dot_atom(local), domain),
            None => return false,
        }
    };
    let domain_ok = match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(literal) => literal
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'[' | b']' | b'\\')),
        None => is_dot_atom(domain),
    };
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use super::is_email;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("emaillabel", "email"), ("other", "text")], None)
    }

    #[test]
    fn not_addresses() {
        assert_catches_with("DL3058", &options(), "FROM a\nLABEL emaillabel=\"not-email\"");
        assert_catches_with("DL3058", &options(), "FROM a\nLABEL emaillabel=\"\"");
        assert_catches_with("DL3058", &options(), "FROM a\nLABEL emaillabel Jane <jane@example.com>");
        assert_catches_with("DL3058", &options(), "FROM a\nLABEL other=x \\\n  emaillabel=a@@b");
        assert_catches_with("DL3058", &options(), "FROM a\nARG E=jane\nLABEL emaillabel=$E");
        assert_catches_with("DL3058", &options(), "FROM a AS b\nLABEL emaillabel=x\nFROM b");
        let found = findings_with("DL3058", &options(), "FROM a\nLABEL emaillabel=x");
        assert_eq!(
            found[0].message,
            "Label `emaillabel` is not a valid email format - must be conform to RFC5322."
        );
    }

    #[test]
    fn addresses_and_unknowable_values() {
        assert_catches_not_with("DL3058", &options(), "FROM a\nLABEL emaillabel=\"test@example.com\"");
        assert_catches_not_with(
            "DL3058",
            &options(),
            "FROM a\nARG DOMAIN=example.com\nLABEL \"emaillabel\"=\"team+ci@${DOMAIN}\"",
        );
        assert_catches_not_with("DL3058", &options(), "FROM a\nARG E\nLABEL emaillabel=$E");
        assert_catches_not_with("DL3058", &options(), "FROM a\nLABEL other=not-email");
        assert_catches_not("DL3058", "FROM a\nLABEL emaillabel=not-email");
    }

    #[test]
    fn rfc_5322_addr_spec() {
        for good in [
            "jane@example.com",
            "first.last+tag@sub.example.co.uk",
            "user@localhost",
            "\"john doe\"@example.com",
            "\"a\\\"b\"@example.com",
            "x@[192.0.2.1]",
            "!#$%&'*+-/=?^_`{|}~@example.com",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "example.com",
            "@example.com",
            "jane@",
            ".jane@example.com",
            "jane.@example.com",
            "ja..ne@example.com",
            "jane@example..com",
            "jane doe@example.com",
            "a@b@c",
            "\"unterminated@example.com",
            "jane@exa mple.com",
            "jäne@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
