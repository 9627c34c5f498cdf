//! A Dockerfile parser that follows BuildKit's (`frontend/dockerfile/parser`) line by
//! line, with two differences: every token keeps its source range, and errors never stop
//! the parse. Where BuildKit would abort, the error is recorded and parsing resumes at
//! the next instruction, so one typo does not hide the rest of the file.
//!
//! The stages mirror BuildKit's: physical lines are joined at continuation characters
//! into a logical line (comment lines and empty lines inside a continuation are
//! skipped), the instruction name and `--flags` are split off, the arguments are shaped
//! by the line parser of that instruction, and heredoc bodies are read from the lines
//! that follow.

mod instructions;
mod json;
mod line;

pub use instructions::{InstructionError, instruction_errors};

use crate::dockerfile::lex::Lexer;
use crate::dockerfile::syntax::{
    Args, Comment, Directive, Dockerfile, Heredoc, Instruction, SyntaxError,
};
use crate::source::{LineIndex, TextRange};
use line::{LineParser, Logical};

/// Parses a decoded Dockerfile. A leading BOM is ignored.
pub fn parse(source: &str) -> Dockerfile {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    Parser::new(source).run()
}

/// Decodes (see [`crate::source::decode`]) and parses.
pub fn parse_bytes(bytes: &[u8]) -> Dockerfile {
    parse(&crate::source::decode(bytes))
}

/// BuildKit reads lines with a `bufio.Scanner`, whose token limit rejects longer lines.
const MAX_LINE_LEN: usize = 64 * 1024 - 1;

/// Go's `unicode.IsSpace`; Rust's `char::is_whitespace` is the same set.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// One physical line: where it starts, and where its content ends before the line
/// ending (BuildKit trims every trailing `\r` and `\n`).
#[derive(Clone, Copy)]
struct PhysicalLine {
    start: usize,
    content_end: usize,
}

struct Parser<'a> {
    source: &'a str,
    lines: Vec<PhysicalLine>,
    next_line: usize,
    escape: char,
    directives_done: bool,
    result: Dockerfile,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        while start < source.len() {
            let end = source[start..]
                .find('\n')
                .map_or(source.len(), |i| start + i + 1);
            let content_end = start + source[start..end].trim_end_matches(['\r', '\n']).len();
            lines.push(PhysicalLine { start, content_end });
            start = end;
        }
        Parser {
            source,
            lines,
            next_line: 0,
            escape: '\\',
            directives_done: false,
            result: Dockerfile {
                source: source.to_string(),
                lines: LineIndex::new(source),
                escape: '\\',
                ..Dockerfile::default()
            },
        }
    }

    fn content(&self, line: PhysicalLine) -> &'a str {
        &self.source[line.start..line.content_end]
    }

    fn error(&mut self, message: impl Into<String>, range: TextRange) {
        self.result.errors.push(SyntaxError {
            message: message.into(),
            range,
        });
    }

    fn run(mut self) -> Dockerfile {
        let mut prev_comments: Vec<String> = Vec::new();
        while self.next_line < self.lines.len() {
            let first = self.lines[self.next_line];
            self.next_line += 1;
            self.check_line_length(first);
            let raw = self.content(first);
            let lead = raw.len() - raw.trim_start_matches(is_space).len();
            let token = &raw[lead..];
            if let Some(comment) = self.comment(first) {
                if comment.text.is_empty() {
                    prev_comments.clear();
                } else {
                    prev_comments.push(comment.text.clone());
                }
                self.result.comments.push(comment);
            }
            // BuildKit strips a directive from the comments it gives the next
            // instruction (`Node.PrevComment`), so `# check=...` describes nothing.
            if self.possible_directive(token, first) {
                prev_comments.pop();
            }
            let token = if token.starts_with('#') { "" } else { token };

            let (kept, mut at_end) = self.trim_continuation(token);
            if at_end && kept.is_empty() {
                continue;
            }
            let mut logical = Logical::default();
            logical.push(kept, first.start + lead);
            while !at_end && self.next_line < self.lines.len() {
                let next = self.lines[self.next_line];
                self.next_line += 1;
                self.check_line_length(next);
                let raw = self.content(next);
                let _ = self.possible_directive(raw, next);
                if let Some(comment) = self.comment(next) {
                    self.result.comments.push(comment);
                    continue;
                }
                if raw.trim_start_matches(is_space).is_empty() {
                    self.result.warnings.push(SyntaxError {
                        message: "empty continuation line".into(),
                        range: TextRange::new(next.start, next.content_end),
                    });
                    continue;
                }
                let (kept, end) = self.trim_continuation(raw);
                at_end = end;
                logical.push(kept, next.start);
            }

            let parser = LineParser {
                logical: &logical,
                escape: self.escape,
            };
            match parser.instruction(0, logical.text.len()) {
                Ok(mut instruction) => {
                    instruction.prev_comments = std::mem::take(&mut prev_comments);
                    self.read_heredocs(&mut instruction, &logical);
                    self.result.instructions.push(instruction);
                }
                Err(error) => {
                    prev_comments.clear();
                    self.result.errors.push(error);
                }
            }
        }
        if self.result.instructions.is_empty() && self.result.errors.is_empty() {
            let end = self.source.len();
            self.error("file with no instructions", TextRange::empty(end));
        }
        self.result.escape = self.escape;
        self.result
    }

    fn check_line_length(&mut self, line: PhysicalLine) {
        if line.content_end - line.start > MAX_LINE_LEN {
            self.error(
                format!("dockerfile line greater than max allowed size of {MAX_LINE_LEN}"),
                TextRange::new(line.start, line.content_end),
            );
        }
    }

    /// A comment line: `#` after optional leading whitespace.
    fn comment(&self, line: PhysicalLine) -> Option<Comment> {
        let raw = self.content(line);
        let trimmed = raw.trim_start_matches(is_space);
        let text = trimmed.strip_prefix('#')?;
        let start = line.start + (raw.len() - trimmed.len());
        Some(Comment {
            text: text.trim_matches(is_space).to_string(),
            range: TextRange::new(start, line.content_end),
        })
    }

    /// BuildKit's directive parser: `#name=value` lines at the very top of the file.
    /// The first line that is not a known directive ends the block. Returns whether
    /// the line is a directive BuildKit accepts.
    fn possible_directive(&mut self, token: &str, line: PhysicalLine) -> bool {
        if self.directives_done {
            return false;
        }
        let Some((name, value)) = match_directive(token) else {
            self.directives_done = true;
            return false;
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return false;
        }
        let range = TextRange::new(line.start, line.content_end);
        if self.result.directives.iter().any(|d| d.name == name) {
            self.error(
                format!("only one {name} parser directive can be used"),
                range,
            );
            return false;
        }
        if name == "escape" {
            match value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => {
                    self.error(
                        format!("invalid escape token '{value}' does not match ` or \\"),
                        range,
                    );
                    return false;
                }
            }
        }
        self.result.directives.push(Directive {
            name,
            value: value.to_string(),
            range,
        });
        true
    }

    /// BuildKit's continuation regex, `([^E])E[ \t]*$|^E[ \t]*$` replaced by `$1`:
    /// a trailing escape character (not itself escaped) continues the line.
    fn trim_continuation<'s>(&self, line: &'s str) -> (&'s str, bool) {
        let body = line.trim_end_matches([' ', '\t']);
        let Some(before) = body.strip_suffix(self.escape) else {
            return (line, true);
        };
        if before.ends_with(self.escape) {
            return (line, true);
        }
        (before, false)
    }

    /// Reads the bodies of the heredocs an instruction opens. As in BuildKit, an
    /// unterminated heredoc takes the rest of the file as its body; it is reported once,
    /// at its opening word, and any later heredoc of the line has nothing left to read.
    fn read_heredocs(&mut self, instruction: &mut Instruction, logical: &Logical) {
        if !can_contain_heredoc(instruction) {
            return;
        }
        let openers = match heredocs_from_line(&logical.text) {
            Ok(openers) => openers,
            Err(message) => {
                self.error(message, instruction.range);
                return;
            }
        };
        let mut search_from = 0;
        for opener in openers {
            let word_range = logical
                .text
                .get(search_from..)
                .and_then(|rest| rest.find(&opener.word))
                .map(|i| {
                    search_from += i + opener.word.len();
                    logical.range(search_from - opener.word.len(), search_from)
                })
                .unwrap_or(instruction.name_range);
            let mut heredoc = opener.heredoc;
            let body_start = self
                .lines
                .get(self.next_line)
                .map_or(self.source.len(), |l| l.start);
            let mut body_end = self.source.len();
            let mut terminated = false;
            while self.next_line < self.lines.len() {
                let line = self.lines[self.next_line];
                self.next_line += 1;
                let mut candidate = self.content(line);
                if heredoc.chomp {
                    candidate = candidate.trim_start_matches('\t');
                }
                if candidate == heredoc.name {
                    terminated = true;
                    body_end = line.start;
                    heredoc.range = TextRange::new(body_start, line.content_end);
                    break;
                }
            }
            heredoc.content = self.source[body_start..body_end].to_string();
            if !terminated {
                let opened_at = self
                    .result
                    .lines
                    .position(self.source, word_range.start)
                    .line;
                self.error(
                    format!(
                        "unterminated heredoc `{}` opened at line {opened_at}",
                        heredoc.name
                    ),
                    word_range,
                );
                heredoc.range = TextRange::new(body_start, self.source.len());
                instruction.range = instruction.range.cover(heredoc.range);
                instruction.heredocs.push(heredoc);
                return;
            }
            instruction.range = instruction.range.cover(heredoc.range);
            instruction.heredocs.push(heredoc);
        }
    }
}

/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` with Go's `\s` (`[\t\n\f\r ]`).
fn match_directive(token: &str) -> Option<(&str, &str)> {
    let is_go_space = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let rest = token.strip_prefix('#')?.trim_start_matches(is_go_space);
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let (name, rest) = rest.split_at(name_len);
    let after_equals = rest.trim_start_matches(is_go_space).strip_prefix('=')?;
    let value = after_equals.trim_start_matches(is_go_space);
    let value = if value.is_empty() {
        // `.+?` must take one character: with only spaces left, it takes the last one.
        let last = after_equals.chars().next_back()?;
        &after_equals[after_equals.len() - last.len_utf8()..]
    } else {
        value.trim_end_matches(is_go_space)
    };
    Some((name, value))
}

/// BuildKit reads heredocs only for RUN, COPY and ADD (also under ONBUILD), and only
/// in their shell form.
fn can_contain_heredoc(instruction: &Instruction) -> bool {
    use crate::dockerfile::syntax::Keyword;
    let inner = match &instruction.args {
        Args::Onbuild(inner) => inner,
        _ => instruction,
    };
    matches!(inner.keyword, Keyword::Run | Keyword::Copy | Keyword::Add)
        && !matches!(inner.args, Args::Exec(_))
}

struct Opener {
    /// The word as it appears in the line (`<<"EOF"`), to locate it.
    word: String,
    heredoc: Heredoc,
}

/// Every word of the line of the form `[n]<<[-]WORD` opens a heredoc, in order.
fn heredocs_from_line(line: &str) -> Result<Vec<Opener>, String> {
    // The raw lexer keeps every character and expands nothing, so no word holds `<<`
    // unless the line does; most lines don't, and lexing them is a tenth of a lint.
    if !line.contains("<<") {
        return Ok(Vec::new());
    }
    let raw_lexer = Lexer {
        escape: '\\',
        raw_quotes: true,
        raw_escapes: true,
        skip_unset_env: true,
        skip_process_quotes: false,
    };
    let words = raw_lexer.process_words(line, &()).unwrap_or_default();
    let mut openers = Vec::new();
    for word in words {
        if let Some(heredoc) = heredoc_from_word(&word)? {
            openers.push(Opener { word, heredoc });
        }
    }
    Ok(openers)
}

/// `^(\d*)<<(-?)([^<]*)$`, then the delimiter word: quoted in any part means the body
/// is not expanded.
fn heredoc_from_word(word: &str) -> Result<Option<Heredoc>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(rest) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let mut lexer = Lexer::new('\\');
    lexer.skip_unset_env = true;
    let words = lexer.process_words(rest, &()).map_err(|e| e.to_string())?;
    let [name] = words.as_slice() else {
        return Ok(None);
    };
    lexer.raw_quotes = true;
    let raw_words = lexer.process_words(rest, &()).map_err(|e| e.to_string())?;
    let [raw_name] = raw_words.as_slice() else {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    };
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    Ok(Some(Heredoc {
        name: name.clone(),
        file_descriptor: word[..digits].parse().unwrap_or(0),
        expand: quotes(name) == quotes(raw_name),
        chomp,
        content: String::new(),
        range: TextRange::default(),
    }))
}

#[cfg(test)]
mod tests;
