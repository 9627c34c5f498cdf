//! Inline pragmas that silence rules, compatible with hadolint's:
//!
//! - `# hadolint ignore=DL3006,DL3007` in the block of comment lines directly above an
//!   instruction silences those rules for that instruction (hadolint only reads the one
//!   line directly above; a block lets a pragma sit next to an explanatory comment);
//! - `# hadolint global ignore=DL3006` anywhere silences them for the whole file.
//!
//! `# dockgate ...` is accepted wherever `# hadolint ...` is. Anything after the code
//! list is ignored, so a reason can follow: `# hadolint ignore=DL3006 pinned by digest`.

use crate::dockerfile::Dockerfile;
use crate::source::{LineIndex, TextRange};

/// What a policy lets pragmas do (`pragmas:` in the policy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PragmaMode {
    /// Every pragma is honoured.
    #[default]
    Allowed,
    /// Only pragmas with a reason after the codes are honoured.
    ReasonRequired,
    /// No pragma is honoured.
    Forbidden,
}

impl PragmaMode {
    /// Whether a pragma comment silences what it names under this mode.
    pub fn honours(self, pragma: &PragmaComment) -> bool {
        match self {
            PragmaMode::Allowed => true,
            PragmaMode::ReasonRequired => pragma.has_reason,
            PragmaMode::Forbidden => false,
        }
    }
}

/// One pragma comment of a file.
#[derive(Debug, Clone)]
pub struct PragmaComment {
    /// The comment, for findings about the pragma itself.
    pub range: TextRange,
    pub global: bool,
    pub codes: Vec<String>,
    /// Whether text follows the codes (`ignore=DL3007 tracks latest on purpose`).
    pub has_reason: bool,
}

/// The pragmas of one file.
#[derive(Debug, Default)]
pub struct Pragmas {
    /// Every pragma comment, in file order.
    pub comments: Vec<PragmaComment>,
    /// 1-based line of each whole-line comment, with the index of its pragma in
    /// `comments` if it is one, sorted by line.
    comment_lines: Vec<(usize, Option<usize>)>,
}

/// One parsed pragma comment.
#[derive(Debug, PartialEq, Eq)]
struct Pragma {
    global: bool,
    codes: Vec<String>,
    has_reason: bool,
}

impl Pragmas {
    pub fn new(dockerfile: &Dockerfile, lines: &LineIndex) -> Pragmas {
        let mut pragmas = Pragmas::default();
        for comment in &dockerfile.comments {
            let line = lines.position(&dockerfile.source, comment.range.start).line;
            let index = parse(&comment.text).map(|pragma| {
                pragmas.comments.push(PragmaComment {
                    range: comment.range,
                    global: pragma.global,
                    codes: pragma.codes,
                    has_reason: pragma.has_reason,
                });
                pragmas.comments.len() - 1
            });
            pragmas.comment_lines.push((line, index));
        }
        pragmas.comment_lines.sort_by_key(|&(line, _)| line);
        pragmas
    }

    /// Whether a pragma that `mode` honours silences `rule` for the instruction at
    /// `instruction` (a byte range of `source`).
    pub fn ignores(
        &self,
        rule: &str,
        instruction: TextRange,
        source: &str,
        lines: &LineIndex,
        mode: PragmaMode,
    ) -> bool {
        let names = |pragma: &PragmaComment| {
            mode.honours(pragma) && pragma.codes.iter().any(|code| code == rule)
        };
        if self
            .comments
            .iter()
            .any(|pragma| pragma.global && names(pragma))
        {
            return true;
        }
        let mut line = lines.position(source, instruction.start).line;
        // Walk up through the comment block directly above the instruction.
        while line > 1 {
            line -= 1;
            let Ok(at) = self.comment_lines.binary_search_by_key(&line, |&(l, _)| l) else {
                return false;
            };
            if let Some(index) = self.comment_lines[at].1
                && !self.comments[index].global
                && names(&self.comments[index])
            {
                return true;
            }
        }
        false
    }
}

/// Parses the text of a comment (after `#`): `hadolint [global] ignore=CODE[,CODE...]`.
fn parse(comment: &str) -> Option<Pragma> {
    let rest = strip_word(comment.trim_start(), "hadolint")
        .or_else(|| strip_word(comment.trim_start(), "dockgate"))?;
    let (global, rest) = match strip_word(rest, "global") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let rest = rest.strip_prefix("ignore")?.trim_start();
    let mut rest = rest.strip_prefix('=')?;
    let mut codes = Vec::new();
    loop {
        rest = rest.trim_start();
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        codes.push(rest[..end].to_ascii_uppercase());
        rest = rest[end..].trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after,
            None => break,
        }
    }
    let has_reason = !rest.trim().is_empty();
    (!codes.is_empty()).then_some(Pragma {
        global,
        codes,
        has_reason,
    })
}

/// `text` without the leading `word` and the whitespace after it, if it starts so.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(word)?;
    let trimmed = rest.trim_start();
    (trimmed.len() < rest.len()).then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_follow_the_codes() {
        assert_eq!(
            parse("hadolint ignore=DL3006").map(|p| p.has_reason),
            Some(false)
        );
        assert_eq!(
            parse("hadolint ignore=DL3006,DL3007 pinned by digest").map(|p| p.has_reason),
            Some(true)
        );
    }

    fn codes(comment: &str) -> Option<(bool, Vec<&'static str>)> {
        parse(comment).map(|pragma| {
            let codes = pragma
                .codes
                .into_iter()
                .map(|code| &*Box::leak(code.into_boxed_str()))
                .collect();
            (pragma.global, codes)
        })
    }

    #[test]
    fn parses_hadolint_and_dockgate_pragmas() {
        assert_eq!(
            codes("hadolint ignore=DL3006"),
            Some((false, vec!["DL3006"]))
        );
        assert_eq!(
            codes("hadolint ignore=DL3006, DL3007"),
            Some((false, vec!["DL3006", "DL3007"]))
        );
        assert_eq!(
            codes("hadolint  ignore = DL3020"),
            Some((false, vec!["DL3020"]))
        );
        assert_eq!(
            codes("hadolint global ignore=DL3006"),
            Some((true, vec!["DL3006"]))
        );
        assert_eq!(
            codes("dockgate ignore=dl3006 pinned elsewhere"),
            Some((false, vec!["DL3006"]))
        );
        assert_eq!(codes("hadolint shell=powershell"), None);
        assert_eq!(codes("hadolintignore=DL3006"), None);
        assert_eq!(codes("hadolint ignore="), None);
        assert_eq!(codes("just a comment"), None);
    }
}
