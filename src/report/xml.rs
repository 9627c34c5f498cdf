//! XML text as the XML formats (checkstyle, junit) write it: escaped so that any
//! message, path or source line survives a conforming parser unchanged.

/// `text` escaped for an attribute value or element content: `&`, `<`, `>`, `"` and
/// `'` as entities; tab, line feed and carriage return as character references (an
/// attribute value would otherwise have them normalised to spaces); characters XML 1.0
/// cannot carry at all (other C0 controls, unpaired surrogates cannot occur in Rust,
/// U+FFFE and U+FFFF) as U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `text` escaped for element content: as [`escape`], but with tabs and line feeds
/// kept as they are (content keeps them; a report reads better with real lines).
pub fn escape_text(text: &str) -> String {
    escape(text).replace("&#9;", "\t").replace("&#10;", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_whitespace_and_forbidden_characters_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c\" 'd'\t\r\n\u{1}\u{ffff}é"),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#9;&#13;&#10;\u{fffd}\u{fffd}é"
        );
        assert_eq!(escape_text("a\tb\r\n<c>"), "a\tb&#13;\n&lt;c&gt;");
    }
}
