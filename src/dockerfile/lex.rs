//! BuildKit's shell-word lexer (`frontend/dockerfile/shell/lex.go`): quotes, escapes,
//! word splitting and `$VAR` / `${VAR...}` expansion, with the same results and the same
//! error messages, so that rules see the values BuildKit would use.
//!
//! dockgate adds one notion: a variable may be declared but unknowable statically (an
//! `ARG` without a default, a `--build-arg`, BuildKit's automatic platform ARGs).
//! [`Lookup::Unknown`] expands like an empty value and sets [`Processed::unknown`] when
//! the result depends on it, so callers can say "not knowable" instead of guessing.
//!
//! Behaviour worth knowing, all inherited from BuildKit:
//! - A U+FEFF at the very start of a word is dropped (Go's `text/scanner` skips a BOM).
//! - The shell patterns of `${V#pat}`, `${V%pat}` and `${V/pat/rep}` know `*`, `?` and
//!   `\` escapes only. BuildKit turns them into a Go regular expression, so `*` and `?`
//!   never match a newline, and `*` prefers the longest (or, for `#`/`%`, the shortest)
//!   run from left to right rather than the overall longest match. [`pattern`] matches
//!   the same way without building a regex.
//! - `${V//pat/rep}` goes through Go's `Regexp.ReplaceAllString`, so `$0` in the
//!   replacement stands for the matched text and other `$name`s for nothing.

use crate::dockerfile::buildkit_dump::go_quote;
use std::collections::HashMap;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// The value of a variable, as far as it can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Value(&'a str),
    /// Declared, but only the build knows whether it is set and to what.
    Unknown,
    Unset,
}

/// Variables visible to an expansion. Names compare case-sensitively (BuildKit on Linux).
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

/// A word BuildKit would refuse; `message` is BuildKit's, word for word.
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
    /// Variables that were referenced and set (or unknown), in order of first use.
    pub matched: Vec<String>,
    /// Variables that were referenced but unset, in order of first use.
    pub unmatched: Vec<String>,
    /// The result depends on a [`Lookup::Unknown`] variable: `result` and `words` are
    /// only a guess (unknown values taken as empty).
    pub unknown: bool,
}

impl Processed {
    /// The expanded word, when it does not depend on anything unknowable.
    pub fn known_result(&self) -> Option<&str> {
        (!self.unknown).then_some(self.result.as_str())
    }
}

/// BuildKit's `shell.Lex` and its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    /// The escape character: `\`, or `` ` `` after `# escape=``.
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
        match self.plain(word) {
            Some(plain) => Ok(plain),
            None => self.scan(word, env),
        }
    }

    /// BuildKit's scan, character by character.
    fn scan(&self, word: &str, env: &dyn Env) -> Result<Processed, LexError> {
        let mut scanner = Scanner {
            lexer: *self,
            chars: scanner_chars(word),
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            unknown: false,
            depth: 0,
            matched: Vec::new(),
            unmatched: Vec::new(),
        };
        let (result, words) =
            scanner
                .process_until(None, self.raw_escapes)
                .map_err(|e| LexError {
                    message: format!("failed to process {}: {}", go_quote(word), e.message),
                })?;
        Ok(Processed {
            result,
            words,
            matched: scanner.matched,
            unmatched: scanner.unmatched,
            unknown: scanner.unknown,
        })
    }

    /// A word without `$`, quotes or escapes is itself, split on whitespace: most
    /// words are, and scanning them character by character is most of a lint.
    fn plain(&self, word: &str) -> Option<Processed> {
        let text = word.strip_prefix('\u{FEFF}').unwrap_or(word);
        let special = |c: char| c == '$' || c == self.escape || c == '\'' || c == '"';
        if text.contains(special) {
            return None;
        }
        Some(Processed {
            result: text.to_string(),
            words: text.split_whitespace().map(str::to_string).collect(),
            ..Processed::default()
        })
    }

    /// The expanded word ([`Processed::result`]).
    pub fn process_word(&self, word: &str, env: &dyn Env) -> Result<String, LexError> {
        Ok(self.process(word, env)?.result)
    }

    /// The expanded word split into words ([`Processed::words`]).
    pub fn process_words(&self, word: &str, env: &dyn Env) -> Result<Vec<String>, LexError> {
        Ok(self.process(word, env)?.words)
    }
}

/// The characters Go's `text/scanner` yields for `text`: everything, except a byte
/// order mark in first position.
fn scanner_chars(text: &str) -> Vec<char> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut chars = Vec::with_capacity(text.len());
    chars.extend(text.chars());
    chars
}

/// Go's `unicode.IsSpace`: the Latin-1 spaces plus Unicode White_Space, which is exactly
/// Rust's `char::is_whitespace`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.IsDigit`: Unicode decimal digits (Nd).
fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.general_category() == GeneralCategory::DecimalNumber)
}

/// Go's `unicode.IsLetter`: Unicode letters (L).
fn is_go_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (!c.is_ascii() && c.general_category_group() == GeneralCategoryGroup::Letter)
}

/// How Go prints `string(ch)` of a scanned character: end of input becomes U+FFFD.
fn char_text(c: Option<char>) -> String {
    c.unwrap_or(char::REPLACEMENT_CHARACTER).to_string()
}

/// Word splitting as BuildKit does it: characters from variable values split on
/// whitespace, quoted and escaped text never does.
#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if is_space(c) {
            // `''` starts a word without adding to it; a space after it ends nothing.
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

/// How deeply `${a:-${b:-...}}` may nest: far beyond real use, well within a 2 MiB
/// thread stack (the one place dockgate departs from BuildKit, which has no limit).
const MAX_NESTING: usize = 64;

/// A variable as one expansion sees it.
enum Variable {
    Set(String),
    /// Set or not, to some value: only the build knows.
    Unknown,
    Unset,
}

struct Scanner<'a> {
    lexer: Lexer,
    chars: Vec<char>,
    pos: usize,
    env: &'a dyn Env,
    /// Whether escape characters are kept: the lexer's option, but always on inside
    /// the operands of `${V#...}`, `${V%...}` and `${V/.../...}`.
    raw_escapes: bool,
    /// The text produced so far depends on an unknown variable.
    unknown: bool,
    /// How many `${...}` operands enclose the current position.
    depth: usize,
    matched: Vec<String>,
    unmatched: Vec<String>,
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

    /// Looks a variable up and records it as matched or unmatched.
    fn variable(&mut self, name: &str) -> Variable {
        let variable = match self.env.lookup(name) {
            Lookup::Value(value) => Variable::Set(value.to_string()),
            Lookup::Unknown => Variable::Unknown,
            Lookup::Unset => Variable::Unset,
        };
        let list = match variable {
            Variable::Unset => &mut self.unmatched,
            _ => &mut self.matched,
        };
        if !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
        variable
    }

    /// Processes up to `stop` (consumed), or to the end of input when `stop` is `None`.
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
        let quotes = !self.lexer.skip_process_quotes;
        while let Some(c) = self.peek() {
            if stop == Some(c) {
                self.next();
                return Ok((result, words.finish()));
            }
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
                    // The escape character escapes anything; at the very end it vanishes.
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

    /// `'...'`: everything literal, no escapes.
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

    /// `"..."`: variables expand; the escape character escapes only `"`, `$` and itself.
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
                            // An escape right before the end: the missing quote is reported.
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.lexer.escape => {
                                self.next();
                                c = n;
                            }
                            // Anything else keeps its escape character (twice when raw).
                            Some(_) => {}
                        }
                    }
                    result.push(c);
                }
            }
        }
    }

    /// A `$` reference, starting at the `$`.
    fn dollar(&mut self) -> Result<String, LexError> {
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.variable(&name) {
                Variable::Set(value) => value,
                Variable::Unknown => {
                    self.unknown = true;
                    String::new()
                }
                Variable::Unset if self.lexer.skip_unset_env => format!("${name}"),
                Variable::Unset => String::new(),
            });
        }
        self.next(); // '{'
        match self.peek() {
            None => return error("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return error("syntax error: bad substitution"),
            Some(_) => {}
        }
        let name = self.name();
        let first = self.next();
        match first {
            Some('}') => Ok(match self.variable(&name) {
                Variable::Set(value) => value,
                Variable::Unknown => {
                    self.unknown = true;
                    String::new()
                }
                Variable::Unset if self.lexer.skip_unset_env => format!("${{{name}}}"),
                Variable::Unset => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => self.modifier(&name, first),
            Some('/') => self.substitution(&name),
            _ => error(format!(
                "unsupported modifier ({}) in substitution",
                char_text(first)
            )),
        }
    }

    /// `${name:-word}`, `${name+word}`, `${name:?word}`, `${name#word}`, ... after the
    /// name, `first` being the character after it.
    fn modifier(&mut self, name: &str, first: Option<char>) -> Result<String, LexError> {
        let mut written = char_text(first);
        let mut modifier = first;
        let null_is_unset = first == Some(':');
        if null_is_unset {
            modifier = self.next();
            written.push_str(&char_text(modifier));
        }
        // Patterns keep their escapes, so `\*` still means a literal star.
        let raw = matches!(modifier, Some('#' | '%'));
        let (word, word_unknown) = self.operand('}', raw, "syntax error: missing '}'")?;
        let (value, set, value_unknown) = match self.variable(name) {
            Variable::Set(value) => (value, true, false),
            Variable::Unknown => (String::new(), true, true),
            Variable::Unset if self.lexer.skip_unset_env => {
                self.unknown |= word_unknown;
                return Ok(format!("${{{name}{written}{word}}}"));
            }
            Variable::Unset => (String::new(), false, false),
        };
        let use_word = !set || (null_is_unset && value.is_empty());
        // Whether `name` is empty or set decides the result, so an unknown `name`
        // makes any result unknown; an unknown word matters only where it is used.
        let (result, word_used) = match modifier {
            Some('-') if use_word => (word, true),
            Some('-') => (value, false),
            Some('+') if use_word => (String::new(), false),
            Some('+') => (word, true),
            Some('?') if value_unknown => (value, false),
            Some('?') if use_word => {
                let message = match (set, word.is_empty()) {
                    (_, false) => word.as_str(),
                    (false, true) => "is not allowed to be unset",
                    (true, true) => "is not allowed to be empty",
                };
                return error(format!("{name}: {message}"));
            }
            Some('?') => (value, false),
            Some(c @ ('#' | '%')) => {
                // `##` and `%%` remove the longest match, `#` and `%` the shortest.
                let (longest, pattern) = match word.strip_prefix(c) {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                let trimmed = if c == '#' {
                    pattern::trim_prefix(pattern, &value, longest)?
                } else {
                    pattern::trim_suffix(pattern, &value, longest)?
                };
                (trimmed, true)
            }
            _ => {
                return error(format!("unsupported modifier ({written}) in substitution"));
            }
        };
        self.unknown |= value_unknown || (word_used && word_unknown);
        Ok(result)
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`, after the
    /// first `/`.
    fn substitution(&mut self, name: &str) -> Result<String, LexError> {
        let replace_all = self.peek() == Some('/');
        if replace_all {
            self.next();
        }
        let (pattern, pattern_unknown) =
            self.operand('/', true, "syntax error: missing '/' in ${}")?;
        let (replacement, replacement_unknown) =
            self.operand('}', true, "syntax error: missing '}'")?;
        let (value, value_unknown) = match self.variable(name) {
            Variable::Set(value) => (value, false),
            Variable::Unknown => (String::new(), true),
            Variable::Unset if self.lexer.skip_unset_env => {
                self.unknown |= pattern_unknown || replacement_unknown;
                return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
            }
            Variable::Unset => (String::new(), false),
        };
        let result = if replace_all {
            pattern::replace_all(&pattern, &value, &replacement)
        } else {
            pattern::replace_first(&pattern, &value, &replacement)
        };
        let result = result.map_err(|e| LexError {
            message: format!("invalid pattern ({pattern}) in substitution: {}", e.message),
        })?;
        self.unknown |= value_unknown || pattern_unknown || replacement_unknown;
        Ok(result)
    }

    /// The word after `${name<modifier>` up to `stop`, and whether it depends on an
    /// unknown variable. Running out of input is reported as `at_end`.
    fn operand(
        &mut self,
        stop: char,
        raw_escapes: bool,
        at_end: &str,
    ) -> Result<(String, bool), LexError> {
        // Go's stacks grow; ours do not. No real Dockerfile nests anywhere near this.
        if self.depth >= MAX_NESTING {
            return error("syntax error: substitutions nested too deeply");
        }
        self.depth += 1;
        let outer_unknown = std::mem::take(&mut self.unknown);
        let result = self.process_until(Some(stop), raw_escapes);
        let word_unknown = std::mem::replace(&mut self.unknown, outer_unknown);
        self.depth -= 1;
        match result {
            Ok((word, _)) => Ok((word, word_unknown)),
            Err(_) if self.peek().is_none() => error(at_end),
            Err(e) => Err(e),
        }
    }

    /// A variable name: a run of digits; else one special parameter character; else
    /// letters, digits and `_`. Empty when none of these follows.
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

/// The shell patterns of `${V#pat}`, `${V%pat}` and `${V/pat/rep}`, matched exactly as
/// BuildKit's regular expressions match them, by a linear-time dynamic program instead
/// of a regex compiled per word.
pub(crate) mod pattern {
    use super::{LexError, error, scanner_chars};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Token {
        /// `*`: any run of characters other than newline.
        Star,
        /// `?`: one character other than newline.
        AnyChar,
        Literal(char),
    }

    /// `*`, `?`, `\*`, `\?`, `\\`; `\}` and `\/` are `}` and `/` (their escape only
    /// got them through `${...}`); any other escape is an error, as in BuildKit. There
    /// are no bracket expressions.
    fn tokens(pattern: &str) -> Result<Vec<Token>, LexError> {
        let chars = scanner_chars(pattern);
        let mut tokens = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            tokens.push(match c {
                '*' => Token::Star,
                '?' => Token::AnyChar,
                '\\' if matches!(chars.get(i), Some('}' | '/')) => continue,
                '\\' => {
                    let escaped = chars.get(i).copied();
                    i += 1;
                    match escaped {
                        Some(e @ ('*' | '?' | '\\')) => Token::Literal(e),
                        other => {
                            return error(format!(
                                "invalid escape '\\{}'",
                                other.unwrap_or(char::REPLACEMENT_CHARACTER)
                            ));
                        }
                    }
                }
                c => Token::Literal(c),
            });
        }
        Ok(tokens)
    }

    /// For every start position in `text`, where the match that a backtracking regex
    /// engine would report ends (`None`: no match starts there). Stars are tried longest
    /// first when `greedy`, shortest first otherwise; that is Go's leftmost-first
    /// semantics for `.*` and `.*?`.
    fn match_ends(tokens: &[Token], text: &[char], greedy: bool) -> Vec<Option<usize>> {
        let n = text.len();
        // ends[p]: where the match of the remaining tokens, started at p, ends.
        let mut ends: Vec<Option<usize>> = (0..=n).map(Some).collect();
        let mut before = vec![None; n + 1];
        for token in tokens.iter().rev() {
            match *token {
                Token::Literal(c) => {
                    for p in 0..=n {
                        before[p] = if p < n && text[p] == c {
                            ends[p + 1]
                        } else {
                            None
                        };
                    }
                }
                Token::AnyChar => {
                    for p in 0..=n {
                        before[p] = if p < n && text[p] != '\n' {
                            ends[p + 1]
                        } else {
                            None
                        };
                    }
                }
                Token::Star => {
                    // From p the star can stop anywhere in p..=q, q being the first
                    // newline at or after p (or the end). The preferred stop is the
                    // furthest (greedy) or nearest (lazy) one the rest can match from.
                    let mut preferred: Option<usize> = None;
                    for p in (0..=n).rev() {
                        if p == n || text[p] == '\n' {
                            preferred = None;
                        }
                        if ends[p].is_some() && (!greedy || preferred.is_none()) {
                            preferred = Some(p);
                        }
                        before[p] = preferred.and_then(|stop| ends[stop]);
                    }
                }
            }
            std::mem::swap(&mut ends, &mut before);
        }
        ends
    }

    /// `${V#pattern}` (shortest) and `${V##pattern}` (longest).
    pub(super) fn trim_prefix(
        pattern: &str,
        value: &str,
        longest: bool,
    ) -> Result<String, LexError> {
        let tokens = tokens(pattern).map_err(|e| invalid(pattern, e))?;
        let text: Vec<char> = value.chars().collect();
        Ok(match match_ends(&tokens, &text, longest)[0] {
            Some(end) => text[end..].iter().collect(),
            None => value.to_string(),
        })
    }

    /// `${V%pattern}` (shortest) and `${V%%pattern}` (longest). Like BuildKit, this
    /// reverses pattern and value and trims a prefix; errors name the reversed pattern.
    pub(super) fn trim_suffix(
        pattern: &str,
        value: &str,
        longest: bool,
    ) -> Result<String, LexError> {
        let reversed_value: String = value.chars().rev().collect();
        let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, longest)?;
        Ok(trimmed.chars().rev().collect())
    }

    fn invalid(pattern: &str, e: LexError) -> LexError {
        LexError {
            message: format!("invalid pattern ({pattern}) in substitution: {}", e.message),
        }
    }

    /// Reverses a pattern but keeps each `\x` escape in order: `a\*c` becomes `c\*a`.
    fn reverse_pattern(pattern: &str) -> String {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pieces: Vec<&[char]> = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let width = if chars[i] == '\\' && i + 1 < chars.len() {
                2
            } else {
                1
            };
            pieces.push(&chars[i..i + width]);
            i += width;
        }
        pieces.iter().rev().flat_map(|p| p.iter()).collect()
    }

    /// `${V/pattern/replacement}`: the leftmost match, longest stars first, replaced
    /// literally.
    pub(super) fn replace_first(
        pattern: &str,
        value: &str,
        replacement: &str,
    ) -> Result<String, LexError> {
        let tokens = tokens(pattern)?;
        let text: Vec<char> = value.chars().collect();
        let ends = match_ends(&tokens, &text, true);
        Ok(
            match (0..=text.len()).find_map(|s| ends[s].map(|e| (s, e))) {
                Some((start, end)) => {
                    let mut out: String = text[..start].iter().collect();
                    out.push_str(replacement);
                    out.extend(&text[end..]);
                    out
                }
                None => value.to_string(),
            },
        )
    }

    /// `${V//pattern/replacement}` as Go's `Regexp.ReplaceAllString` does it: matches
    /// left to right, an empty match right after a match is not replaced, and the
    /// replacement is a template where `$0` is the match.
    pub(super) fn replace_all(
        pattern: &str,
        value: &str,
        replacement: &str,
    ) -> Result<String, LexError> {
        let tokens = tokens(pattern)?;
        let text: Vec<char> = value.chars().collect();
        let ends = match_ends(&tokens, &text, true);
        let mut out = String::new();
        let mut last_match_end = 0;
        let mut search = 0;
        while search <= text.len() {
            let Some((start, end)) = (search..=text.len()).find_map(|s| ends[s].map(|e| (s, e)))
            else {
                break;
            };
            out.extend(&text[last_match_end..start]);
            if end > last_match_end || start == 0 {
                let matched: String = text[start..end].iter().collect();
                expand_template(&mut out, replacement, &matched);
            }
            last_match_end = end;
            // Always advance by at least one character.
            search = if end > search { end } else { search + 1 };
        }
        out.extend(&text[last_match_end.min(text.len())..]);
        Ok(out)
    }

    /// Go's `Regexp.Expand` for a regex without groups: `$$` is `$`, `$0` and `${0}`
    /// are the match, other `$name`s are empty, a malformed `$` stays.
    fn expand_template(out: &mut String, template: &str, matched: &str) {
        let mut rest = template;
        while let Some(dollar) = rest.find('$') {
            out.push_str(&rest[..dollar]);
            rest = &rest[dollar + 1..];
            if let Some(after) = rest.strip_prefix('$') {
                out.push('$');
                rest = after;
                continue;
            }
            let (braced, body) = match rest.strip_prefix('{') {
                Some(body) => (true, body),
                None => (false, rest),
            };
            let name_len: usize = body
                .chars()
                .take_while(|&c| super::is_go_letter(c) || super::is_go_digit(c) || c == '_')
                .map(char::len_utf8)
                .sum();
            let closed = !braced || body[name_len..].starts_with('}');
            if name_len == 0 || !closed {
                out.push('$');
                continue;
            }
            if &body[..name_len] == "0" {
                out.push_str(matched);
            }
            rest = &body[name_len + usize::from(braced)..];
        }
        out.push_str(rest);
    }

    #[cfg(test)]
    pub(super) fn compile_check(pattern: &str) -> Result<(), LexError> {
        tokens(pattern).map(|_| ())
    }

    #[cfg(test)]
    pub(super) fn reverse_for_test(pattern: &str) -> String {
        reverse_pattern(pattern)
    }
}

#[cfg(test)]
mod tests;
