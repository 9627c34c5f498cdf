//! DL3052: a `url`-typed label that is not an absolute URL.

use super::labels::{SCHEMA, check_values};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Checks the value of each label the policy's label schema types `url`: it must
    /// be an absolute URI as RFC 3986 defines it, a scheme followed by `:` and the
    /// rest (`https://github.com/acme/app`, `mailto:team@example.com`), with no
    /// spaces or other characters that must be percent-encoded. Values are checked
    /// after quotes are removed and variables expanded; a value that depends on a
    /// build argument without a default is not judged. Without a schema the rule
    /// reports nothing.
    ///
    /// ## Why is this bad?
    /// Tools follow URL labels: registries link `org.opencontainers.image.source` to
    /// the repository, scanners fetch `org.opencontainers.image.url`. A host name
    /// without a scheme or a URL with a space in it links nowhere.
    ///
    /// ## Example
    /// With `labels: {required: {org.opencontainers.image.source: url}}`:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="github.com/acme/app"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    ///
    /// ## Options
    /// - `schema`: label name to type; the policy's `labels.required` sets it.
    ///
    /// ## References
    /// - [RFC 3986: Uniform Resource Identifier](https://www.rfc-editor.org/rfc/rfc3986#section-4.3)
    code: "DL3052",
    name: "invalid-url-label",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Label `<label>` is not a valid URL.",
    options: [SCHEMA],
    check: check,
}

fn check(context: &mut Context) {
    check_values(context, "url", is_absolute_uri, |label| {
        format!("Label `{label}` is not a valid URL.")
    });
}

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn is_sub_delim(c: char) -> bool {
    matches!(c, '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=')
}

/// Whether `text` is made of `allowed` characters and `%XX` escapes only.
fn only(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let hex = (chars.next(), chars.next());
            if !matches!(hex, (Some(a), Some(b)) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit()) {
                return false;
            }
        } else if !allowed(c) {
            return false;
        }
    }
    true
}

fn is_pchar(c: char) -> bool {
    is_unreserved(c) || is_sub_delim(c) || matches!(c, ':' | '@')
}

/// `[userinfo "@"] host [":" port]`
fn is_authority(authority: &str) -> bool {
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (userinfo, host_port),
        None => ("", authority),
    };
    if !only(userinfo, |c| is_unreserved(c) || is_sub_delim(c) || c == ':') {
        return false;
    }
    let (host_ok, port) = if let Some(literal) = host_port.strip_prefix('[') {
        let Some((inner, rest)) = literal.split_once(']') else {
            return false;
        };
        let ip_future = inner.strip_prefix(['v', 'V']).and_then(|v| v.split_once('.')).is_some_and(
            |(version, rest)| {
                !version.is_empty()
                    && version.chars().all(|c| c.is_ascii_hexdigit())
                    && !rest.is_empty()
                    && rest.chars().all(|c| is_unreserved(c) || is_sub_delim(c) || c == ':')
            },
        );
        let ok = ip_future || inner.parse::<std::net::Ipv6Addr>().is_ok();
        match rest {
            "" => (ok, ""),
            _ => match rest.strip_prefix(':') {
                Some(port) => (ok, port),
                None => return false,
            },
        }
    } else {
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
        (only(host, |c| is_unreserved(c) || is_sub_delim(c)), port)
    };
    host_ok && port.chars().all(|c| c.is_ascii_digit())
}

/// RFC 3986's `absolute-URI` with an optional fragment (its `URI` production), the
/// grammar hadolint checks through Haskell's `Network.URI.parseURI`.
pub(super) fn is_absolute_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return false;
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (hier, query) = rest.split_once('?').unwrap_or((rest, ""));
    let query_char = |c: char| is_pchar(c) || matches!(c, '/' | '?');
    if !only(fragment, query_char) || !only(query, query_char) {
        return false;
    }
    let path = match hier.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            if !is_authority(&after[..end]) {
                return false;
            }
            &after[end..]
        }
        None => hier,
    };
    only(path, |c| is_pchar(c) || c == '/')
}

#[cfg(test)]
mod tests {
    use super::super::labels::test_support::schema;
    use super::is_absolute_uri;
    use crate::rules::testing::*;

    fn options() -> serde_json::Map<String, serde_json::Value> {
        schema(&[("urllabel", "url"), ("other", "text")], None)
    }

    #[test]
    fn not_urls() {
        assert_catches_with("DL3052", &options(), "FROM a\nLABEL urllabel=\"not-url\"");
        assert_catches_with("DL3052", &options(), "FROM a\nLABEL urllabel=\"github.com/acme/app\"");
        assert_catches_with("DL3052", &options(), "FROM a\nLABEL urllabel=\"\"");
        assert_catches_with("DL3052", &options(), "FROM a\nLABEL urllabel=\"https://a b\"");
        assert_catches_with("DL3052", &options(), "FROM a\nLABEL urllabel example.com/x");
        assert_catches_with("DL3052", &options(), "FROM a\nLABEL other=1 \\\n    urllabel=/path");
        assert_catches_with("DL3052", &options(), "FROM a\nARG H=example.com\nLABEL urllabel=$H");
        assert_catches_with("DL3052", &options(), "FROM a AS b\nLABEL urllabel=x\nFROM b");
        let found = findings_with("DL3052", &options(), "FROM a\nLABEL urllabel=x");
        assert_eq!(found[0].message, "Label `urllabel` is not a valid URL.");
    }

    #[test]
    fn urls_and_unknowable_values() {
        assert_catches_not_with(
            "DL3052",
            &options(),
            "FROM a\nLABEL urllabel=\"http://example.com\"",
        );
        assert_catches_not_with(
            "DL3052",
            &options(),
            "FROM a\nARG REPO=acme/app\nLABEL \"urllabel\"=\"https://github.com/${REPO}\"",
        );
        assert_catches_not_with("DL3052", &options(), "FROM a\nARG U\nLABEL urllabel=$U");
        assert_catches_not_with("DL3052", &options(), "FROM a\nLABEL other=not-url");
        assert_catches_not("DL3052", "FROM a\nLABEL urllabel=not-url");
    }

    #[test]
    fn rfc_3986_grammar() {
        for good in [
            "https://github.com/acme/app",
            "https://user:pw@example.com:8443/a/b?q=1&r=%20#frag",
            "mailto:team@example.com",
            "urn:isbn:0451450523",
            "http://[::1]:80/",
            "file:///etc/hosts",
            "git+ssh://git@github.com/acme/app.git",
        ] {
            assert!(is_absolute_uri(good), "{good}");
        }
        for bad in [
            "",
            "example.com",
            "//example.com/x",
            "1http://x",
            "https://exa mple.com",
            "https://example.com/%zz",
            "https://example.com:80a/",
            "http://[::1/",
            "https://x/#a#b",
            "https://x/<tag>",
        ] {
            assert!(!is_absolute_uri(bad), "{bad}");
        }
    }
}
