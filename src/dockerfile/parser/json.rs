//! The JSON (exec) form: Go's `encoding/json` rules, as BuildKit applies them through
//! `json.Unmarshal` into `[]interface{}`.
//!
//! Three outcomes matter: a valid array of strings (exec form), valid JSON that is not
//! an array of strings (BuildKit rejects the instruction), and anything else (BuildKit
//! falls back to the shell form). Validation is iterative with Go's nesting limit, so
//! hostile input cannot overflow the stack.

/// A string element with its byte range (quotes included) relative to the input.
#[derive(Debug, PartialEq, Eq)]
pub struct JsonString {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub enum JsonArray {
    Strings(Vec<JsonString>),
    /// Valid JSON, but not an array of strings only.
    NotStrings,
    /// Not valid JSON: the instruction is in shell form.
    Invalid,
}

/// Go's `maxNestingDepth` in encoding/json.
const MAX_DEPTH: usize = 10_000;

pub fn parse_array(text: &str) -> JsonArray {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    reader.skip_whitespace();
    if reader.peek() != Some(b'[') {
        return JsonArray::Invalid;
    }
    match reader.top_level_array() {
        Some(array) => {
            reader.skip_whitespace();
            if reader.pos != reader.bytes.len() {
                JsonArray::Invalid
            } else {
                array
            }
        }
        None => JsonArray::Invalid,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Reads the outer array; `None` when it is not valid JSON.
    fn top_level_array(&mut self) -> Option<JsonArray> {
        self.pos += 1; // '['
        let mut strings = Vec::new();
        let mut only_strings = true;
        self.skip_whitespace();
        if self.eat(b']') {
            return Some(JsonArray::Strings(strings));
        }
        loop {
            self.skip_whitespace();
            if self.peek() == Some(b'"') {
                let start = self.pos;
                let value = self.string()?;
                strings.push(JsonString {
                    value,
                    start,
                    end: self.pos,
                });
            } else {
                self.value(1)?;
                only_strings = false;
            }
            self.skip_whitespace();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                break;
            }
            return None;
        }
        Some(if only_strings {
            JsonArray::Strings(strings)
        } else {
            JsonArray::NotStrings
        })
    }

    /// Validates any JSON value, iteratively.
    fn value(&mut self, depth: usize) -> Option<()> {
        // Each open container on the stack: whether it is an object.
        let mut stack: Vec<bool> = Vec::new();
        loop {
            self.skip_whitespace();
            // A value.
            match self.peek()? {
                b'[' | b'{' => {
                    let is_object = self.peek() == Some(b'{');
                    self.pos += 1;
                    if depth + stack.len() + 1 > MAX_DEPTH {
                        return None;
                    }
                    stack.push(is_object);
                    self.skip_whitespace();
                    let close = if is_object { b'}' } else { b']' };
                    if self.eat(close) {
                        stack.pop();
                    } else {
                        if is_object {
                            self.object_key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a value: close containers or move to the next element.
            loop {
                let Some(&is_object) = stack.last() else {
                    return Some(());
                };
                self.skip_whitespace();
                if self.eat(b',') {
                    if is_object {
                        self.skip_whitespace();
                        self.object_key()?;
                    }
                    break;
                }
                let close = if is_object { b'}' } else { b']' };
                if self.eat(close) {
                    stack.pop();
                    continue;
                }
                return None;
            }
        }
    }

    fn object_key(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.string()?;
        self.skip_whitespace();
        self.eat(b':').then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// Decodes a string the way Go does: lone surrogates become U+FFFD, control
    /// characters are errors.
    fn string(&mut self) -> Option<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let plain = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < 0x20)?;
            out.push_str(&rest[..plain]);
            self.pos += plain;
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = self.peek()?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            out.push(self.surrogate_aware(unit));
                        }
                        _ => return None,
                    }
                }
                _ => return None, // control character
            }
        }
    }

    fn surrogate_aware(&mut self, unit: u32) -> char {
        if !(0xD800..0xDC00).contains(&unit) {
            return char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER);
        }
        let save = self.pos;
        if self.text[self.pos..].starts_with("\\u") {
            self.pos += 2;
            if let Some(low) = self.hex4()
                && (0xDC00..0xE000).contains(&low)
            {
                let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return char::from_u32(combined).unwrap_or(char::REPLACEMENT_CHARACTER);
            }
        }
        self.pos = save;
        char::REPLACEMENT_CHARACTER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Option<Vec<String>> {
        match parse_array(text) {
            JsonArray::Strings(s) => Some(s.into_iter().map(|s| s.value).collect()),
            _ => None,
        }
    }

    #[test]
    fn string_arrays() {
        assert_eq!(values(r#"[]"#), Some(vec![]));
        assert_eq!(
            values(r#"[ "a" , "b" ]  "#),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            values(r#"["\" \\ \/ \b \f \n \r \t \u0000 \u2603"]"#),
            Some(vec!["\" \\ / \u{8} \u{c} \n \r \t \0 ☃".into()])
        );
        assert_eq!(
            values(r#"["\ud83d\ude00", "\ud83d"]"#),
            Some(vec!["😀".into(), "\u{FFFD}".into()])
        );
    }

    #[test]
    fn invalid_json_falls_back_to_shell() {
        for text in [
            "['a']",
            r#"["a"] b"#,
            r#"["a""#,
            r#"["a",]"#,
            r#"["a	"]"#,
            r#"["\x"]"#,
            r#"[01]"#,
            r#"[1.]"#,
            r#"[{"a"}]"#,
            "[",
        ] {
            assert_eq!(parse_array(text), JsonArray::Invalid, "{text}");
        }
    }

    #[test]
    fn valid_json_that_is_not_strings() {
        for text in [
            r#"["a", ["b"]]"#,
            "[1]",
            "[null]",
            r#"[{"a": [1, {"b": -1.5e3}]}]"#,
            "[true]",
        ] {
            assert_eq!(parse_array(text), JsonArray::NotStrings, "{text}");
        }
    }

    #[test]
    fn nesting_limit_is_not_a_stack_overflow() {
        let deep = "[".repeat(200_000);
        assert_eq!(parse_array(&deep), JsonArray::Invalid);
        let ok = format!("[{}{}]", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(parse_array(&ok), JsonArray::NotStrings);
    }

    #[test]
    fn ranges_cover_the_quotes() {
        let JsonArray::Strings(s) = parse_array(r#"[ "ab", "c" ]"#) else {
            panic!()
        };
        assert_eq!((s[0].start, s[0].end), (2, 6));
        assert_eq!((s[1].start, s[1].end), (8, 11));
    }
}
