//! One logical line to one [`Instruction`]: the instruction name, BuildKit's
//! `--flag` extraction, and the per-instruction line parsers (BuildKit's
//! `line_parsers.go` dispatch table).

use super::is_space;
use super::json::{JsonArray, parse_array};
use crate::dockerfile::syntax::{Args, Flag, Instruction, KeyValue, Keyword, SyntaxError, Word};
use crate::source::TextRange;

/// A logical line: pieces of physical lines joined at continuations, with a map from
/// each byte of the joined text back to the source.
#[derive(Default)]
pub(super) struct Logical {
    pub text: String,
    /// (offset in `text`, offset in the source) where each piece starts.
    segments: Vec<(usize, usize)>,
}

impl Logical {
    pub fn push(&mut self, piece: &str, source_start: usize) {
        self.segments.push((self.text.len(), source_start));
        self.text.push_str(piece);
    }

    fn source_offset(&self, offset: usize) -> usize {
        let segment = self.segments.partition_point(|&(start, _)| start <= offset);
        let (logical_start, source_start) = self.segments[segment.saturating_sub(1)];
        source_start + (offset - logical_start)
    }

    /// The source range of `text[start..end]`.
    pub fn range(&self, start: usize, end: usize) -> TextRange {
        if start >= end {
            return TextRange::empty(self.source_offset(start));
        }
        TextRange::new(self.source_offset(start), self.source_offset(end - 1) + 1)
    }
}

/// `[\t\v\f\r ]`, the separator of BuildKit's whitespace-split regexes.
fn is_split_space(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Trims Go's `unicode.IsSpace` from both ends of `text[start..end]`.
fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = &text[start..end];
    let left = slice.len() - slice.trim_start_matches(is_space).len();
    let right = slice.trim_end_matches(is_space).len();
    if right <= left {
        (end, end)
    } else {
        (start + left, start + right)
    }
}

const MAX_ONBUILD_NESTING: usize = 16;

type ParseResult<T> = Result<T, SyntaxError>;

pub(super) struct LineParser<'a> {
    pub logical: &'a Logical,
    pub escape: char,
}

impl LineParser<'_> {
    fn text(&self) -> &str {
        &self.logical.text
    }

    fn word(&self, value: impl Into<String>, start: usize, end: usize) -> Word {
        Word {
            value: value.into(),
            range: self.logical.range(start, end),
        }
    }

    fn error(&self, message: impl Into<String>, start: usize, end: usize) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            range: self.logical.range(start, end),
        }
    }

    /// BuildKit's `newNodeFromLine` for `text[start..end]`.
    pub fn instruction(&self, start: usize, end: usize) -> ParseResult<Instruction> {
        self.nested_instruction(start, end, 0)
    }

    fn nested_instruction(
        &self,
        start: usize,
        end: usize,
        depth: usize,
    ) -> ParseResult<Instruction> {
        let (start, end) = trim_span(self.text(), start, end);
        let line = &self.text()[start..end];
        let name_len = line.find(is_split_space).unwrap_or(line.len());
        let name = &line[..name_len];
        let keyword = Keyword::from_name(name);
        let mut flags = Vec::new();
        let (mut rest_start, rest_end) = (end, end);
        if name_len < line.len() {
            let after = start + name_len;
            let after = after + self.text()[after..end].len()
                - self.text()[after..end]
                    .trim_start_matches(is_split_space)
                    .len();
            let (rest, raw_flags) = extract_builder_flags(&self.text()[after..end]);
            rest_start = after + rest;
            flags = raw_flags
                .into_iter()
                .map(|raw| {
                    let body = raw.word.strip_prefix("--").unwrap_or(&raw.word);
                    let (flag_name, value) = match body.split_once('=') {
                        Some((n, v)) => (n.to_string(), Some(v.to_string())),
                        None => (body.to_string(), None),
                    };
                    Flag {
                        name: flag_name,
                        value,
                        range: self.logical.range(after + raw.start, after + raw.end),
                        raw: raw.word,
                    }
                })
                .collect();
        }
        let (rest_start, rest_end) = trim_span(self.text(), rest_start, rest_end);
        let args = self.args(keyword, rest_start, rest_end, depth)?;
        Ok(Instruction {
            keyword,
            name: name.to_string(),
            name_range: self.logical.range(start, start + name_len),
            range: self.logical.range(start, end),
            flags,
            args,
            heredocs: Vec::new(),
            original: self.text().to_string(),
            prev_comments: Vec::new(),
        })
    }

    /// BuildKit's dispatch table: each instruction's arguments have their own shape.
    fn args(&self, keyword: Keyword, start: usize, end: usize, depth: usize) -> ParseResult<Args> {
        match keyword {
            Keyword::Add | Keyword::Copy | Keyword::Volume => self.maybe_json_to_list(start, end),
            Keyword::Cmd | Keyword::Entrypoint | Keyword::Run | Keyword::Shell => {
                self.maybe_json(start, end)
            }
            Keyword::Arg => Ok(self.name_or_name_values(start, end)),
            Keyword::Env | Keyword::Label => {
                let label = if keyword == Keyword::Env {
                    "ENV"
                } else {
                    "LABEL"
                };
                self.name_values(label, start, end)
            }
            Keyword::Expose | Keyword::From => Ok(self.whitespace_delimited(start, end)),
            Keyword::Healthcheck => self.health_config(start, end),
            Keyword::Maintainer
            | Keyword::Stopsignal
            | Keyword::User
            | Keyword::Workdir
            | Keyword::Unknown => Ok(self.string(start, end)),
            Keyword::Onbuild => {
                if start == end {
                    return Ok(Args::Empty);
                }
                // BuildKit's parser recurses without a bound; its builder then rejects
                // any nesting. A bound keeps hostile input off the stack.
                if depth >= MAX_ONBUILD_NESTING {
                    return Err(self.error("ONBUILD nested too deeply", start, end));
                }
                let inner = self.nested_instruction(start, end, depth + 1)?;
                Ok(Args::Onbuild(Box::new(inner)))
            }
        }
    }

    fn string(&self, start: usize, end: usize) -> Args {
        if start == end {
            Args::Empty
        } else {
            Args::Shell(self.word(&self.text()[start..end], start, end))
        }
    }

    fn whitespace_delimited(&self, start: usize, end: usize) -> Args {
        if start == end {
            return Args::Empty;
        }
        let mut words = Vec::new();
        let mut word_start = start;
        let text = self.text();
        let mut chars = text[start..end].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_split_space(c) {
                words.push(self.word(&text[word_start..start + i], word_start, start + i));
                let mut next = start + i + c.len_utf8();
                while let Some(&(j, c)) = chars.peek() {
                    if !is_split_space(c) {
                        break;
                    }
                    next = start + j + c.len_utf8();
                    chars.next();
                }
                word_start = next;
            }
        }
        words.push(self.word(&text[word_start..end], word_start, end));
        Args::List(words)
    }

    /// Exec form when the arguments are a JSON array of strings.
    fn json(&self, start: usize, end: usize) -> ParseResult<Option<Args>> {
        match parse_array(&self.text()[start..end]) {
            JsonArray::Strings(strings) => Ok(Some(Args::Exec(
                strings
                    .into_iter()
                    .map(|s| self.word(s.value, start + s.start, start + s.end))
                    .collect(),
            ))),
            JsonArray::NotStrings => Err(self.error(
                "when using JSON array syntax, arrays must be comprised of strings only",
                start,
                end,
            )),
            JsonArray::Invalid => Ok(None),
        }
    }

    fn maybe_json(&self, start: usize, end: usize) -> ParseResult<Args> {
        if start == end {
            return Ok(Args::Empty);
        }
        Ok(self
            .json(start, end)?
            .unwrap_or_else(|| self.string(start, end)))
    }

    fn maybe_json_to_list(&self, start: usize, end: usize) -> ParseResult<Args> {
        Ok(self
            .json(start, end)?
            .unwrap_or_else(|| self.whitespace_delimited(start, end)))
    }

    /// HEALTHCHECK: a type word (`CMD`, `NONE`) then a maybe-JSON command.
    fn health_config(&self, start: usize, end: usize) -> ParseResult<Args> {
        let text = &self.text()[start..end];
        let sep = text.find(is_space).unwrap_or(text.len());
        if sep == 0 {
            return Ok(Args::Empty);
        }
        let next = sep + (text[sep..].len() - text[sep..].trim_start_matches(is_space).len());
        let kind = self.word(&text[..sep], start, start + sep);
        let command = self.maybe_json(start + next, end)?;
        Ok(Args::Healthcheck {
            kind,
            command: Box::new(command),
        })
    }

    /// ARG: `name`, `name=value`, several per line.
    fn name_or_name_values(&self, start: usize, end: usize) -> Args {
        let words = self.words(start, end);
        if words.is_empty() {
            Args::Empty
        } else {
            Args::List(words)
        }
    }

    /// ENV and LABEL: `key=value ...`, or the legacy `key value` form (a space comes
    /// before any `=` in the first word).
    fn name_values(&self, instruction: &str, start: usize, end: usize) -> ParseResult<Args> {
        let words = self.raw_words(start, end);
        let Some((first, _, _)) = words.first() else {
            return Ok(Args::Empty);
        };
        if !first.contains('=') {
            let text = &self.text()[start..end];
            let Some(key_end) = text.find(is_split_space) else {
                return Err(self.error(
                    format!("{instruction} must have two arguments"),
                    start,
                    end,
                ));
            };
            let value_start = key_end + text[key_end..].len()
                - text[key_end..].trim_start_matches(is_split_space).len();
            return Ok(Args::KeyValues(vec![KeyValue {
                key: self.word(&text[..key_end], start, start + key_end),
                value: self.word(&text[value_start..], start + value_start, end),
                separator: String::new(),
            }]));
        }
        let mut pairs = Vec::new();
        for (word, word_start, word_end) in words {
            let Some((key, value)) = word.split_once('=') else {
                return Err(self.error(
                    format!(
                        "Syntax error - can't find = in {}. Must be of the form: name=value",
                        crate::dockerfile::buildkit_dump::go_quote(&word)
                    ),
                    word_start,
                    word_end,
                ));
            };
            // The key is written as is; offsets are mapped through the logical line,
            // since a word may span a continuation.
            let key_end = word_start + key.len();
            pairs.push(KeyValue {
                key: self.word(key, word_start, key_end),
                value: self.word(value, (key_end + 1).min(word_end), word_end),
                separator: "=".into(),
            });
        }
        Ok(Args::KeyValues(pairs))
    }

    fn words(&self, start: usize, end: usize) -> Vec<Word> {
        self.raw_words(start, end)
            .into_iter()
            .map(|(value, word_start, word_end)| self.word(value, word_start, word_end))
            .collect()
    }

    /// BuildKit's `parseWords`: split on whitespace outside quotes, keeping quotes and
    /// escape characters in the words. Each word with its logical-line offsets.
    fn raw_words(&self, start: usize, end: usize) -> Vec<(String, usize, usize)> {
        #[derive(PartialEq)]
        enum Phase {
            Spaces,
            Word,
            Quote,
        }
        let text = &self.text()[start..end];
        let chars = indexed_chars(text);
        let mut words = Vec::new();
        let mut phase = Phase::Spaces;
        let mut word = String::new();
        let mut word_start = 0;
        let mut quote = '\0';
        let mut blank_ok = false;
        let mut i = 0;
        loop {
            let at_end = i == chars.len();
            let (pos, mut ch) = chars.get(i).copied().unwrap_or((text.len(), '\0'));
            if phase == Phase::Spaces {
                if at_end {
                    break;
                }
                if is_space(ch) {
                    i += 1;
                    continue;
                }
                phase = Phase::Word;
                word_start = pos;
            }
            if at_end {
                if blank_ok || !word.is_empty() {
                    words.push((word, start + word_start, end));
                }
                break;
            }
            if phase == Phase::Word {
                if is_space(ch) {
                    phase = Phase::Spaces;
                    if blank_ok || !word.is_empty() {
                        words.push((std::mem::take(&mut word), start + word_start, start + pos));
                    }
                    word.clear();
                    blank_ok = false;
                    i += 1;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = ch;
                    blank_ok = true;
                    phase = Phase::Quote;
                }
                if ch == self.escape {
                    if i + 1 == chars.len() {
                        i += 1;
                        continue;
                    }
                    word.push(ch);
                    i += 1;
                    ch = chars[i].1;
                }
                word.push(ch);
                i += 1;
                continue;
            }
            // Phase::Quote
            if ch == quote {
                phase = Phase::Word;
            }
            if ch == self.escape && quote != '\'' {
                if i + 1 == chars.len() {
                    phase = Phase::Word;
                    i += 1;
                    continue;
                }
                word.push(ch);
                i += 1;
                ch = chars[i].1;
            }
            word.push(ch);
            i += 1;
        }
        words
    }
}

pub(super) struct RawFlag {
    pub word: String,
    pub start: usize,
    pub end: usize,
}

/// BuildKit's `extractBuilderFlags`: leading words starting with `--` are flags (quotes
/// and backslashes processed); `--` alone ends them. Returns where the arguments start.
pub(super) fn extract_builder_flags(line: &str) -> (usize, Vec<RawFlag>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    // Most instructions have no flags: say so without scanning the whole line.
    match line.char_indices().find(|&(_, c)| !is_space(c)) {
        None => return (line.len(), Vec::new()),
        Some((pos, _)) if !line[pos..].starts_with("--") => return (pos, Vec::new()),
        Some(_) => {}
    }
    let chars = indexed_chars(line);
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut word_start = 0;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let at_end = i == chars.len();
        let (pos, mut ch) = chars.get(i).copied().unwrap_or((line.len(), '\0'));
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space(ch) {
                i += 1;
                continue;
            }
            if ch != '-' || chars.get(i + 1).map(|c| c.1) != Some('-') {
                return (pos, flags);
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if at_end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                flags.push(RawFlag {
                    word,
                    start: word_start,
                    end: line.len(),
                });
            }
            break;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (pos, flags);
                }
                if blank_ok || !word.is_empty() {
                    flags.push(RawFlag {
                        word: std::mem::take(&mut word),
                        start: word_start,
                        end: pos,
                    });
                }
                word.clear();
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                i += 1;
                continue;
            }
            if ch == '\\' {
                if i + 1 == chars.len() {
                    i += 1;
                    continue;
                }
                i += 1;
                ch = chars[i].1;
            }
            word.push(ch);
            i += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            i += 1;
            continue;
        }
        if ch == '\\' {
            if i + 1 == chars.len() {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            i += 1;
            ch = chars[i].1;
        }
        word.push(ch);
        i += 1;
    }
    (line.len(), flags)
}

/// `text.char_indices()`, collected into a vector sized for it up front (collecting
/// grows it from a quarter, copying twice).
fn indexed_chars(text: &str) -> Vec<(usize, char)> {
    let mut chars = Vec::with_capacity(text.len());
    chars.extend(text.char_indices());
    chars
}
