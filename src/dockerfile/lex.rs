//! BuildKit's shell-word lexer (`frontend/dockerfile/shell`): quotes, escapes, word
//! splitting and `$VAR` / `${VAR...}` expansion, with the same results and error
//! messages, so that rules see the values BuildKit would use.
//!
//! dockgate adds one notion: a variable may be declared but unknowable statically (an
//! `ARG` without a default). [`Lookup::Unknown`] expands like an empty value and sets
//! [`Processed::unknown`], so callers can say "not knowable" instead of guessing.

use std::collections::HashMap;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// The value of a variable, as far as it can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Value(&'a str),
    /// Declared, but its value is only known at build time.
    Unknown,
    Unset,
}

/// Variables visible to an expansion.
pub trait Env {
    fn lookup(&self, name: &str) -> Lookup<'_>;
}

/// No variables at all.
impl Env for () {
    fn lookup(&self, _: &str) -> Lookup<'_> {
        Lookup::Unset
    }
}

impl Env for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        self.get(name).map_or(Lookup::Unset, |v| Lookup::Value(v))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LexError {
    pub message: String,
}

fn error<T>(message: impl Into<String>) -> Result<T, LexError> {
    Err(LexError {
        message: message.into(),
    })
}

/// The result of processing one word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processed {
    /// The word with quotes removed and variables expanded.
    pub result: String,
    /// The same, split into words on unquoted whitespace.
    pub words: Vec<String>,
    /// Variables that were referenced and set (or unknown).
    pub matched: Vec<String>,
    /// Variables that were referenced but unset.
    pub unmatched: Vec<String>,
    /// Some referenced variable has a value only known at build time.
    pub unknown: bool,
}

/// BuildKit's `shell.Lex` and its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    pub escape: char,
    /// Keep quote characters in the result.
    pub raw_quotes: bool,
    /// Keep escape characters in the result.
    pub raw_escapes: bool,
    /// Leave references to unset variables as written.
    pub skip_unset_env: bool,
    /// Treat quotes as ordinary characters.
    pub skip_process_quotes: bool,
}

impl Lexer {
    pub fn new(escape: char) -> Lexer {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset_env: false,
            skip_process_quotes: false,
        }
    }

    pub fn process(&self, word: &str, env: &dyn Env) -> Result<Processed, LexError> {
        let mut scanner = Scanner {
            lexer: *self,
            chars: word.chars().collect(),
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            processed: Processed::default(),
        };
        let (result, words) =
            scanner
                .process_until(None, self.raw_escapes)
                .map_err(|e| LexError {
                    message: format!("failed to process \"{word}\": {}", e.message),
                })?;
        let mut processed = scanner.processed;
        processed.result = result;
        processed.words = words;
        Ok(processed)
    }

    pub fn process_word(&self, word: &str, env: &dyn Env) -> Result<String, LexError> {
        Ok(self.process(word, env)?.result)
    }

    pub fn process_words(&self, word: &str, env: &dyn Env) -> Result<Vec<String>, LexError> {
        Ok(self.process(word, env)?.words)
    }
}

/// Go's `unicode.IsSpace`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Word splitting as BuildKit does it: characters from variable values split on
/// whitespace, quoted text never does.
#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if is_space(c) {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(c);
        }
    }

    fn add_raw_char(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        s.chars().for_each(|c| self.add_char(c));
    }

    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(self.word);
        }
        self.words
    }
}

struct Scanner<'a> {
    lexer: Lexer,
    chars: Vec<char>,
    pos: usize,
    env: &'a dyn Env,
    raw_escapes: bool,
    processed: Processed,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn lookup(&mut self, name: &str) -> (String, bool) {
        let found = match self.env.lookup(name) {
            Lookup::Value(value) => Some(value.to_string()),
            Lookup::Unknown => {
                self.processed.unknown = true;
                Some(String::new())
            }
            Lookup::Unset => None,
        };
        let list = if found.is_some() {
            &mut self.processed.matched
        } else {
            &mut self.processed.unmatched
        };
        if !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
        match found {
            Some(value) => (value, true),
            None => (String::new(), false),
        }
    }

    /// Processes up to `stop` (consumed) or the end of input when `stop` is `None`.
    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), LexError> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_until_inner(stop);
        self.raw_escapes = saved;
        result
    }

    fn process_until_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), LexError> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(c) = self.peek() {
            if stop == Some(c) {
                self.next();
                return Ok((result, words.finish()));
            }
            let quotes = !self.lexer.skip_process_quotes;
            if c == '$' {
                let value = self.dollar()?;
                result.push_str(&value);
                words.add_string(&value);
            } else if quotes && c == '\'' {
                let value = self.single_quoted()?;
                result.push_str(&value);
                words.add_raw_string(&value);
            } else if quotes && c == '"' {
                let value = self.double_quoted()?;
                result.push_str(&value);
                words.add_raw_string(&value);
            } else {
                self.next();
                if c == self.lexer.escape {
                    if self.raw_escapes {
                        words.add_raw_char(c);
                        result.push(c);
                    }
                    // The escape character escapes anything, except at the end.
                    let Some(escaped) = self.next() else {
                        break;
                    };
                    words.add_raw_char(escaped);
                    result.push(escaped);
                } else {
                    words.add_char(c);
                    result.push(c);
                }
            }
        }
        if let Some(stop) = stop {
            return error(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, words.finish()))
    }

    fn single_quoted(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return error(
                        "unexpected end of statement while looking for matching single-quote",
                    );
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn double_quoted(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return error(
                        "unexpected end of statement while looking for matching double-quote",
                    );
                }
                Some('"') => {
                    self.next();
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.dollar()?;
                    result.push_str(&value);
                }
                Some(mut c) => {
                    self.next();
                    if c == self.lexer.escape {
                        if self.raw_escapes {
                            result.push(c);
                        }
                        match self.peek() {
                            // An escape at the very end: the missing quote is reported.
                            None => continue,
                            // Only these can be escaped inside double quotes.
                            Some(n) if n == '"' || n == '$' || n == self.lexer.escape => {
                                self.next();
                                c = n;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(c);
                }
            }
        }
    }

    fn dollar(&mut self) -> Result<String, LexError> {
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            let (value, set) = self.lookup(&name);
            if !set && self.lexer.skip_unset_env {
                return Ok(format!("${name}"));
            }
            return Ok(value);
        }
        self.next(); // '{'
        match self.peek() {
            None => return error("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return error("syntax error: bad substitution"),
            Some(_) => {}
        }
        let name = self.name();
        let mut modifier = self.next();
        let mut written = char_text(modifier);
        match modifier {
            Some('}') => {
                let (value, set) = self.lookup(&name);
                if !set && self.lexer.skip_unset_env {
                    return Ok(format!("${{{name}}}"));
                }
                Ok(value)
            }
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let null_is_unset = modifier == Some(':');
                if null_is_unset {
                    modifier = self.next();
                    written.push_str(&char_text(modifier));
                }
                let raw = matches!(modifier, Some('#' | '%'));
                let word = self.operand('}', raw, "syntax error: missing '}'")?;
                let (value, set) = self.lookup(&name);
                if !set && self.lexer.skip_unset_env {
                    return Ok(format!("${{{name}{written}{word}}}"));
                }
                let empty_or_unset = !set || (null_is_unset && value.is_empty());
                match modifier {
                    Some('-') => Ok(if empty_or_unset { word } else { value }),
                    Some('+') => Ok(if empty_or_unset { String::new() } else { word }),
                    Some('?') => {
                        let default_message = if !set {
                            "is not allowed to be unset"
                        } else if null_is_unset && value.is_empty() {
                            "is not allowed to be empty"
                        } else {
                            return Ok(value);
                        };
                        let message = if word.is_empty() {
                            default_message
                        } else {
                            &word
                        };
                        error(format!("{name}: {message}"))
                    }
                    Some(c @ ('%' | '#')) => {
                        let (greedy, pattern) = match word.strip_prefix(c) {
                            Some(rest) => (true, rest),
                            None => (false, word.as_str()),
                        };
                        let pattern = Pattern::compile(pattern)?;
                        Ok(if c == '%' {
                            pattern.trim_suffix(&value, greedy)
                        } else {
                            pattern.trim_prefix(&value, greedy)
                        })
                    }
                    _ => error(format!("unsupported modifier ({written}) in substitution")),
                }
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern_text = self.operand('/', true, "syntax error: missing '/' in ${}")?;
                let replacement = self.operand('}', true, "syntax error: missing '}'")?;
                let (value, set) = self.lookup(&name);
                if !set && self.lexer.skip_unset_env {
                    return Ok(format!("${{{name}/{pattern_text}/{replacement}}}"));
                }
                let pattern = Pattern::compile(&pattern_text).map_err(|e| LexError {
                    message: format!("invalid pattern ({pattern_text}) in substitution: {e}"),
                })?;
                Ok(pattern.replace(&value, &replacement, replace_all))
            }
            _ => error(format!("unsupported modifier ({written}) in substitution")),
        }
    }

    /// The word after a `${name<op>` up to `stop`.
    fn operand(&mut self, stop: char, raw: bool, at_end: &str) -> Result<String, LexError> {
        match self.process_until(Some(stop), raw) {
            Ok((word, _)) => Ok(word),
            Err(_) if self.peek().is_none() => error(at_end),
            Err(e) => Err(e),
        }
    }

    /// A variable name: letters, digits and `_`; a run of digits; or one special
    /// parameter character.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && is_go_digit(c) {
                while let Some(d) = self.peek().filter(|&d| is_go_digit(d)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return c.to_string();
            }
            if !(is_go_letter(c) || is_go_digit(c) || c == '_') {
                break;
            }
            self.next();
            name.push(c);
        }
        name
    }
}

/// How Go prints `string(rune)` of a scanned character, EOF included.
fn char_text(c: Option<char>) -> String {
    c.unwrap_or(char::REPLACEMENT_CHARACTER).to_string()
}

fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.general_category() == GeneralCategory::DecimalNumber)
}

fn is_go_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (!c.is_ascii() && c.general_category_group() == GeneralCategoryGroup::Letter)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Star,
    AnyChar,
    Literal(char),
}

/// A shell pattern of `${V#pat}`, `${V%pat}` and `${V/pat/rep}`: `*`, `?` and escaped
/// literals (no bracket expressions, like BuildKit). Matched directly, with no regex.
struct Pattern {
    tokens: Vec<Token>,
}

impl Pattern {
    fn compile(pattern: &str) -> Result<Pattern, LexError> {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Star,
                '?' => Token::AnyChar,
                '\\' => match chars.peek() {
                    // `}` and `/` are escaped only to get through `${...}` parsing.
                    Some('}' | '/') => continue,
                    Some(&e @ ('*' | '?' | '\\')) => {
                        chars.next();
                        Token::Literal(e)
                    }
                    other => {
                        return error(format!(
                            "invalid escape '\\{}'",
                            other.copied().unwrap_or(char::REPLACEMENT_CHARACTER)
                        ));
                    }
                },
                c => Token::Literal(c),
            });
        }
        Ok(Pattern { tokens })
    }

    /// Every `end` such that the pattern matches `text[start..end]`, ascending.
    fn match_ends(&self, text: &[char], start: usize) -> Vec<usize> {
        // states[j]: the pattern prefix of length i matches text[start..j].
        let mut states = vec![false; text.len() + 1];
        states[start] = true;
        for token in &self.tokens {
            let mut next = vec![false; text.len() + 1];
            for j in start..=text.len() {
                match token {
                    Token::Star => {
                        if states[j] || (j > start && next[j - 1]) {
                            next[j] = true;
                        }
                    }
                    Token::AnyChar => {
                        if j > start && states[j - 1] {
                            next[j] = true;
                        }
                    }
                    Token::Literal(c) => {
                        if j > start && states[j - 1] && text[j - 1] == *c {
                            next[j] = true;
                        }
                    }
                }
            }
            states = next;
        }
        (start..=text.len()).filter(|&j| states[j]).collect()
    }

    fn trim_prefix(&self, value: &str, longest: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let ends = self.match_ends(&chars, 0);
        let end = if longest { ends.last() } else { ends.first() };
        match end {
            Some(&end) => chars[end..].iter().collect(),
            None => value.to_string(),
        }
    }

    fn trim_suffix(&self, value: &str, longest: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let mut starts =
            (0..=chars.len()).filter(|&s| self.match_ends(&chars, s).last() == Some(&chars.len()));
        let start = if longest {
            starts.next()
        } else {
            starts.next_back()
        };
        match start {
            Some(start) => chars[..start].iter().collect(),
            None => value.to_string(),
        }
    }

    /// Leftmost-longest matches, replaced once or everywhere; an empty match right
    /// after a previous match is skipped, as Go's `ReplaceAllString` does.
    fn replace(&self, value: &str, replacement: &str, all: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let mut out = String::new();
        let mut copied = 0;
        let mut search = 0;
        let mut last_match_end = None;
        while search <= chars.len() {
            let found = (search..=chars.len())
                .find_map(|s| self.match_ends(&chars, s).last().map(|&e| (s, e)));
            let Some((start, end)) = found else { break };
            if start == end && last_match_end == Some(start) {
                search = start + 1;
                continue;
            }
            out.extend(&chars[copied..start]);
            out.push_str(replacement);
            copied = end;
            last_match_end = Some(end);
            if !all {
                break;
            }
            search = if end > start { end } else { end + 1 };
        }
        out.extend(&chars[copied.min(chars.len())..]);
        out
    }
}

#[cfg(test)]
mod tests;
