//! The tokenizer and parser for the shell subset RUN instructions contain.
//!
//! Input is a list of characters, each with its byte offset into the Dockerfile source
//! (continuations and the comment lines BuildKit drops are already gone), so every word
//! keeps its exact range however the instruction was split over lines.

use super::{Command, Pipeline, Redirect, Script, ShellWord};
use crate::source::TextRange;

/// Why a script could not be read: the shell rules stay silent for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// The byte offset into the Dockerfile source.
    pub offset: usize,
}

/// One character of the logical script and where it is in the source.
pub type Char = (char, usize);

/// Command substitutions nest; deeper than this is not a real Dockerfile.
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    AndIf,
    OrIf,
    Pipe,
    Semi,
    DoubleSemi,
    Amp,
    Newline,
    LParen,
    RParen,
    Redirect(String),
}

#[derive(Debug, Clone)]
enum Token {
    Word(ShellWord),
    Op(Op, TextRange),
}

struct Tokens {
    tokens: Vec<Token>,
    /// Character ranges of `$(...)` and backtick bodies, parsed as scripts of their own.
    substitutions: Vec<Vec<Char>>,
}

fn error<T>(message: &str, offset: usize) -> Result<T, ParseError> {
    Err(ParseError {
        message: message.to_string(),
        offset,
    })
}

fn range_of(chars: &[Char], from: usize, to: usize) -> TextRange {
    // `from..to` are character indices, `to` exclusive and greater than `from`.
    let start = chars[from].1;
    let (last, at) = chars[to - 1];
    TextRange::new(start, (at + last.len_utf8()).max(start))
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '|' | '&' | ';' | '<' | '>' | '(' | ')')
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The index just after the `close` that matches an `open` already consumed before
/// `i`, skipping quoted text.
fn skip_balanced(chars: &[Char], mut i: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 1usize;
    // Inside `case ... esac` a `)` ends a pattern, not the substitution.
    let mut cases = 0usize;
    let word_at = |i: usize, word: &str| {
        let boundary = |k: Option<&Char>| k.is_none_or(|c| !is_name_char(c.0));
        let len = word.chars().count();
        (i == 0 || boundary(chars.get(i - 1)))
            && chars
                .get(i..i + len)
                .is_some_and(|s| s.iter().map(|c| c.0).eq(word.chars()))
            && boundary(chars.get(i + len))
    };
    while i < chars.len() {
        let c = chars[i].0;
        if open == '(' && c == 'c' && word_at(i, "case") {
            cases += 1;
        } else if c == 'e' && cases > 0 && word_at(i, "esac") {
            cases -= 1;
        }
        match c {
            '(' | ')' if cases > 0 => {}
            '\\' => i += 1,
            '\'' => {
                i += 1;
                while i < chars.len() && chars[i].0 != '\'' {
                    i += 1;
                }
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i].0 != '"' {
                    if chars[i].0 == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ if c == open => depth += 1,
            _ if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

struct Lexer<'c> {
    chars: &'c [Char],
    i: usize,
    out: Tokens,
    /// Heredocs whose bodies start at the next newline: (delimiter, strip tabs).
    pending_heredocs: Vec<(String, bool)>,
    heredoc_delimiter_next: Option<bool>,
}

impl<'c> Lexer<'c> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|c| c.0)
    }

    fn offset(&self) -> usize {
        self.chars
            .get(self.i)
            .or(self.chars.last())
            .map_or(0, |c| c.1)
    }

    fn op(&mut self, op: Op, len: usize) {
        let range = range_of(self.chars, self.i, self.i + len);
        self.out.tokens.push(Token::Op(op, range));
        self.i += len;
    }

    fn run(mut self) -> Result<Tokens, ParseError> {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => self.i += 1,
                '\\' if self.peek(1) == Some('\n') => self.i += 2,
                '\n' => {
                    self.op(Op::Newline, 1);
                    self.skip_heredoc_bodies();
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                '&' => match self.peek(1) {
                    Some('&') => self.op(Op::AndIf, 2),
                    Some('>') => self.redirect(0),
                    _ => self.op(Op::Amp, 1),
                },
                '|' => match self.peek(1) {
                    Some('|') => self.op(Op::OrIf, 2),
                    Some('&') => self.op(Op::Pipe, 2),
                    _ => self.op(Op::Pipe, 1),
                },
                ';' => match (self.peek(1), self.peek(2)) {
                    (Some(';'), Some('&')) => self.op(Op::DoubleSemi, 3),
                    (Some(';' | '&'), _) => self.op(Op::DoubleSemi, 2),
                    _ => self.op(Op::Semi, 1),
                },
                '(' if self.peek(1) == Some('(') => {
                    // `(( arithmetic ))`: one opaque word.
                    let start = self.i;
                    let Some(end) = skip_balanced(self.chars, self.i + 1, '(', ')') else {
                        return error("unterminated `((`", self.offset());
                    };
                    self.i = end;
                    let value: String = self.chars[start..end].iter().map(|c| c.0).collect();
                    self.word_token(ShellWord {
                        value,
                        range: range_of(self.chars, start, end),
                        quoted: false,
                        dynamic: true,
                    });
                }
                '(' => self.op(Op::LParen, 1),
                ')' => self.op(Op::RParen, 1),
                '<' | '>' if self.peek(1) == Some('(') => self.word()?,
                '<' | '>' => self.redirect(0),
                '0'..='9' => {
                    let mut j = self.i;
                    while self.chars.get(j).is_some_and(|c| c.0.is_ascii_digit()) {
                        j += 1;
                    }
                    match self.chars.get(j).map(|c| c.0) {
                        Some('<' | '>') => self.redirect(j - self.i),
                        _ => self.word()?,
                    }
                }
                _ => self.word()?,
            }
        }
        Ok(self.out)
    }

    /// A redirection operator starting `digits` characters after the current one.
    fn redirect(&mut self, digits: usize) {
        let at = self.i + digits;
        let get = |k: usize| self.chars.get(at + k).map(|c| c.0);
        let len = match (get(0), get(1), get(2)) {
            (Some('<'), Some('<'), Some('-' | '<')) => 3,
            (Some('<'), Some('<' | '>' | '&'), _) => 2,
            (Some('>'), Some('>' | '&' | '|'), _) => 2,
            (Some('&'), Some('>'), Some('>')) => 3,
            (Some('&'), Some('>'), _) => 2,
            _ => 1,
        };
        let text: String = self.chars[self.i..at + len].iter().map(|c| c.0).collect();
        if text.ends_with("<<") || text.ends_with("<<-") {
            self.heredoc_delimiter_next = Some(text.ends_with('-'));
        }
        self.op(Op::Redirect(text), digits + len);
    }

    fn word_token(&mut self, word: ShellWord) {
        if let Some(strip) = self.heredoc_delimiter_next.take() {
            self.pending_heredocs.push((word.value.clone(), strip));
        }
        self.out.tokens.push(Token::Word(word));
    }

    fn skip_heredoc_bodies(&mut self) {
        for (delimiter, strip) in std::mem::take(&mut self.pending_heredocs) {
            loop {
                let start = self.i;
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
                let line: String = self.chars[start..self.i].iter().map(|c| c.0).collect();
                if self.peek(0).is_some() {
                    self.i += 1;
                }
                let line = line.trim_end_matches('\r');
                let line = if strip {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if line == delimiter || self.peek(0).is_none() {
                    break;
                }
            }
        }
    }

    fn word(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        // Room for most words: growing from empty a character at a time reallocates.
        let mut value = String::with_capacity(32);
        let mut quoted = false;
        let mut dynamic = false;
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\n' | '\r' => break,
                '<' | '>' if self.i == start && self.peek(1) == Some('(') => {
                    // Process substitution: `<(cmd)`.
                    let Some(end) = skip_balanced(self.chars, self.i + 2, '(', ')') else {
                        return error("unterminated process substitution", self.offset());
                    };
                    self.out
                        .substitutions
                        .push(self.chars[self.i + 2..end - 1].to_vec());
                    value.extend(self.chars[self.i..end].iter().map(|c| c.0));
                    self.i = end;
                    dynamic = true;
                }
                '(' if value.ends_with('=') => {
                    // A bash array assignment: `A=(x y)`.
                    let from = self.i;
                    let Some(end) = skip_balanced(self.chars, self.i + 1, '(', ')') else {
                        return error("unterminated array", self.offset());
                    };
                    value.extend(self.chars[from..end].iter().map(|c| c.0));
                    self.i = end;
                    dynamic = true;
                }
                _ if is_operator_char(c) => break,
                '\\' => {
                    quoted = true;
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(next) => value.push(next),
                        None => value.push('\\'),
                    }
                    self.i += 2;
                }
                '\'' => {
                    quoted = true;
                    self.i += 1;
                    loop {
                        match self.peek(0) {
                            None => return error("unterminated single quote", self.offset()),
                            Some('\'') => break,
                            Some(c) => value.push(c),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                }
                '"' => {
                    quoted = true;
                    self.i += 1;
                    loop {
                        match self.peek(0) {
                            None => return error("unterminated double quote", self.offset()),
                            Some('"') => break,
                            Some('\\') => {
                                match self.peek(1) {
                                    Some('\n') => {}
                                    Some(next @ ('$' | '`' | '"' | '\\')) => value.push(next),
                                    Some(next) => {
                                        value.push('\\');
                                        value.push(next);
                                    }
                                    None => {
                                        return error("unterminated double quote", self.offset());
                                    }
                                }
                                self.i += 2;
                            }
                            Some('$') => {
                                dynamic |= self.dollar(&mut value, true)?;
                            }
                            Some('`') => {
                                self.backtick(&mut value)?;
                                dynamic = true;
                            }
                            Some(c) => {
                                value.push(c);
                                self.i += 1;
                            }
                        }
                    }
                    self.i += 1;
                }
                '$' => {
                    if self.peek(1) == Some('\'') {
                        quoted = true;
                    }
                    dynamic |= self.dollar(&mut value, false)?;
                }
                '`' => {
                    self.backtick(&mut value)?;
                    dynamic = true;
                }
                _ => {
                    value.push(c);
                    self.i += 1;
                }
            }
        }
        if self.i == start {
            // Cannot happen (every caller starts on a word character); never loop.
            self.i += 1;
            return Ok(());
        }
        let range = range_of(self.chars, start, self.i.min(self.chars.len()));
        self.word_token(ShellWord {
            value,
            range,
            quoted,
            dynamic,
        });
        Ok(())
    }

    /// Reads a `$` expansion at the current character into `value` (raw); whether the
    /// word's value now depends on the run.
    fn dollar(&mut self, value: &mut String, in_quotes: bool) -> Result<bool, ParseError> {
        let from = self.i;
        let end = match (self.peek(1), self.peek(2)) {
            (Some('('), Some('(')) => skip_balanced(self.chars, self.i + 2, '(', ')'),
            (Some('('), _) => {
                let end = skip_balanced(self.chars, self.i + 2, '(', ')');
                if let Some(end) = end {
                    self.out
                        .substitutions
                        .push(self.chars[self.i + 2..end - 1].to_vec());
                }
                end
            }
            (Some('{'), _) => skip_balanced(self.chars, self.i + 2, '{', '}'),
            (Some('\''), _) if !in_quotes => {
                // `$'...'`: ANSI-C quoting, a literal.
                let mut j = self.i + 2;
                while j < self.chars.len() && self.chars[j].0 != '\'' {
                    if self.chars[j].0 == '\\' {
                        j += 1;
                    }
                    j += 1;
                }
                if j >= self.chars.len() {
                    return error("unterminated $'...'", self.offset());
                }
                value.extend(self.chars[self.i + 2..j].iter().map(|c| c.0));
                self.i = j + 1;
                return Ok(false);
            }
            (Some(c), _) if is_name_char(c) => {
                let mut j = self.i + 1;
                while self.chars.get(j).is_some_and(|c| is_name_char(c.0)) {
                    j += 1;
                }
                Some(j)
            }
            (Some('@' | '*' | '#' | '?' | '-' | '$' | '!'), _) => Some(self.i + 2),
            _ => {
                value.push('$');
                self.i += 1;
                return Ok(false);
            }
        };
        let Some(end) = end else {
            return error("unterminated `$` expansion", self.offset());
        };
        value.extend(self.chars[from..end].iter().map(|c| c.0));
        self.i = end;
        Ok(true)
    }

    fn backtick(&mut self, value: &mut String) -> Result<(), ParseError> {
        let from = self.i;
        let mut j = self.i + 1;
        while j < self.chars.len() && self.chars[j].0 != '`' {
            if self.chars[j].0 == '\\' {
                j += 1;
            }
            j += 1;
        }
        if j >= self.chars.len() {
            return error("unterminated backquote", self.offset());
        }
        self.out
            .substitutions
            .push(self.chars[from + 1..j].to_vec());
        value.extend(self.chars[from..=j].iter().map(|c| c.0));
        self.i = j + 1;
        Ok(())
    }
}

fn tokenize(chars: &[Char]) -> Result<Tokens, ParseError> {
    Lexer {
        chars,
        i: 0,
        out: Tokens {
            tokens: Vec::new(),
            substitutions: Vec::new(),
        },
        pending_heredocs: Vec::new(),
        heredoc_delimiter_next: None,
    }
    .run()
}

fn is_assignment(word: &ShellWord) -> bool {
    let Some((name, _)) = word.value.split_once('=') else {
        return false;
    };
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(is_name_char)
}

#[derive(Default)]
struct Current {
    assignments: Vec<ShellWord>,
    argv: Vec<ShellWord>,
    redirects: Vec<Redirect>,
    range: Option<TextRange>,
}

impl Current {
    fn extend(&mut self, range: TextRange) {
        self.range = Some(self.range.map_or(range, |r| r.cover(range)));
    }
}

struct Parser {
    script: Script,
    current: Current,
    /// `(` subshells and `{` groups open around the current command.
    groups: Vec<char>,
    pipeline: Option<usize>,
    in_substitution: bool,
    /// Open `case` clauses: whether a pattern is expected next.
    cases: Vec<bool>,
}

impl Parser {
    fn finish(&mut self) {
        let current = std::mem::take(&mut self.current);
        let Some(range) = current.range else {
            return;
        };
        if current.argv.is_empty() && current.assignments.is_empty() {
            return;
        }
        let pipeline = match self.pipeline {
            Some(index) => index,
            None => {
                self.script.pipelines.push(Pipeline::default());
                self.script.pipelines.len() - 1
            }
        };
        self.pipeline = Some(pipeline);
        self.script.commands.push(Command {
            assignments: current.assignments,
            argv: current.argv,
            redirects: current.redirects,
            range,
            subshell: self.in_substitution || self.groups.contains(&'('),
            substitution: self.in_substitution,
            pipeline,
        });
    }

    fn separator(&mut self) {
        self.finish();
        self.pipeline = None;
    }

    fn at_start(&self) -> bool {
        self.current.argv.is_empty() && self.current.assignments.is_empty()
    }

    fn run(mut self, tokens: Vec<Token>) -> Result<Script, ParseError> {
        let mut tokens = tokens.into_iter().peekable();
        while let Some(token) = tokens.next() {
            let in_test = self.current.argv.first().is_some_and(|w| w.value == "[[")
                && !self.current.argv.iter().skip(1).any(|w| w.value == "]]");
            match token {
                Token::Op(op, range) if in_test && op != Op::Newline => {
                    let value = match op {
                        Op::AndIf => "&&",
                        Op::OrIf => "||",
                        Op::LParen => "(",
                        Op::RParen => ")",
                        Op::Redirect(ref text) => text,
                        _ => "?",
                    };
                    self.current.argv.push(ShellWord {
                        value: value.to_string(),
                        range,
                        quoted: false,
                        dynamic: false,
                    });
                    self.current.extend(range);
                }
                Token::Word(_) | Token::Op(Op::LParen, _)
                    if self.at_start() && self.cases.last() == Some(&true) =>
                {
                    if let Token::Word(word) = &token
                        && word.value == "esac"
                        && !word.quoted
                    {
                        self.cases.pop();
                        continue;
                    }
                    // A pattern: skip to its `)`.
                    for token in tokens.by_ref() {
                        if let Token::Op(Op::RParen, _) = token {
                            break;
                        }
                    }
                    if let Some(top) = self.cases.last_mut() {
                        *top = false;
                    }
                }
                Token::Word(word) if self.at_start() && !word.quoted => match word.value.as_str() {
                    "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "time" => {}
                    "fi" | "done" => self.separator(),
                    "esac" => {
                        self.separator();
                        self.cases.pop();
                    }
                    "{" => self.groups.push('{'),
                    "}" => {
                        self.separator();
                        if self.groups.pop() != Some('{') {
                            return error("unmatched `}`", word.range.start);
                        }
                    }
                    "for" | "select" => {
                        while let Some(token) = tokens.peek() {
                            match token {
                                Token::Word(w) if w.value == "do" => break,
                                Token::Op(Op::Semi | Op::Newline, _) => break,
                                _ => {
                                    tokens.next();
                                }
                            }
                        }
                    }
                    "case" => {
                        for token in tokens.by_ref() {
                            if let Token::Word(w) = token
                                && w.value == "in"
                            {
                                break;
                            }
                        }
                        self.cases.push(true);
                    }
                    _ if is_assignment(&word) => {
                        self.current.extend(word.range);
                        self.current.assignments.push(word);
                    }
                    _ => {
                        self.current.extend(word.range);
                        self.current.argv.push(word);
                    }
                },
                Token::Word(word) => {
                    if self.current.argv.is_empty() && is_assignment(&word) {
                        self.current.extend(word.range);
                        self.current.assignments.push(word);
                    } else {
                        self.current.extend(word.range);
                        self.current.argv.push(word);
                    }
                }
                Token::Op(Op::Redirect(op), range) => {
                    let Some(Token::Word(target)) = tokens.next() else {
                        return error("a redirection without a target", range.end);
                    };
                    self.current.extend(range.cover(target.range));
                    self.current.redirects.push(Redirect { op, target });
                }
                Token::Op(Op::Pipe, range) => {
                    self.finish();
                    let index = match self.pipeline {
                        Some(index) => index,
                        None => {
                            self.script.pipelines.push(Pipeline::default());
                            self.script.pipelines.len() - 1
                        }
                    };
                    self.pipeline = Some(index);
                    self.script.pipelines[index].pipes.push(range);
                }
                Token::Op(Op::AndIf | Op::OrIf | Op::Semi | Op::Amp | Op::Newline, _) => {
                    self.separator()
                }
                Token::Op(Op::DoubleSemi, _) => {
                    self.separator();
                    if let Some(top) = self.cases.last_mut() {
                        *top = true;
                    }
                }
                Token::Op(Op::LParen, range) => {
                    if self.at_start() {
                        self.groups.push('(');
                    } else if self.current.argv.len() == 1
                        && matches!(tokens.peek(), Some(Token::Op(Op::RParen, _)))
                    {
                        // `name() { ...; }`: a function definition, not a command.
                        tokens.next();
                        self.current = Current::default();
                    } else {
                        return error("unexpected `(`", range.start);
                    }
                }
                Token::Op(Op::RParen, range) => {
                    self.separator();
                    if self.groups.pop() != Some('(') {
                        return error("unmatched `)`", range.start);
                    }
                }
            }
        }
        self.separator();
        if !self.groups.is_empty() {
            return error("unclosed subshell or group", 0);
        }
        Ok(self.script)
    }
}

/// Parses `chars` as a shell script.
pub fn parse_chars(chars: &[Char]) -> Result<Script, ParseError> {
    parse_at_depth(chars, false, 0)
}

fn parse_at_depth(chars: &[Char], substitution: bool, depth: usize) -> Result<Script, ParseError> {
    if depth > MAX_DEPTH {
        return error(
            "command substitutions nest too deeply",
            chars.first().map_or(0, |c| c.1),
        );
    }
    let Tokens {
        tokens,
        substitutions,
    } = tokenize(chars)?;
    let mut script = Parser {
        script: Script::default(),
        current: Current::default(),
        groups: Vec::new(),
        pipeline: None,
        in_substitution: substitution,
        cases: Vec::new(),
    }
    .run(tokens)?;
    for inner in substitutions {
        script.append(parse_at_depth(&inner, true, depth + 1)?);
    }
    script.commands.sort_by_key(|command| command.range.start);
    Ok(script)
}
