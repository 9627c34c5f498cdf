//! Inline pragmas that silence rules, compatible with hadolint's:
//!
//! - `# hadolint ignore=DL3006,DL3007` in the block of comment lines directly above an
//!   instruction silences those rules for that instruction (hadolint only reads the one
//!   line directly above; a block lets a pragma sit next to an explanatory comment);
//! - `# hadolint global ignore=DL3006` anywhere silences them for the whole file.
//!
//! An ignore pragma silences every finding of the instruction below it, wherever in the
//! instruction the finding is: in an `ONBUILD` trigger, on a continuation line, in a
//! heredoc body. A comment line inside an instruction (between continuation lines) is
//! not a pragma, nor is a `#` line of a heredoc body (both as in hadolint).
//!
//! `# hadolint shell=powershell` is no ignore pragma: it declares the shell of the
//! base image, which the shell front end reads
//! ([`crate::dockerfile::shell::pragma`]).
//!
//! `# dockgate ...` is accepted wherever `# hadolint ...` is. Anything after the code
//! list is ignored, so a reason can follow: `# hadolint ignore=DL3006 pinned by digest`.
//!
//! BuildKit's `# check=skip=NAME` ([`crate::rules::check_directive`]) is a pragma too:
//! as the file's directive it is a global ignore of every rule that is that BuildKit
//! check, as a comment above an instruction an ignore for that instruction; its reason
//! is the text after the first space, which BuildKit ignores.

use crate::dockerfile::Dockerfile;
use crate::dockerfile::shell::pragma::strip_word;
use crate::rules::check_directive::{self, CheckOptions, UnknownCheck};
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
    /// A BuildKit `check=skip=...` comment rather than a hadolint-style pragma.
    pub buildkit: bool,
}

/// The pragmas of one file.
#[derive(Debug, Default)]
pub struct Pragmas {
    /// Every ignore pragma comment, in file order.
    pub comments: Vec<PragmaComment>,
    /// 1-based line of each whole-line comment, with the index of its pragma in
    /// `comments` if it is one, sorted by line.
    comment_lines: Vec<(usize, Option<usize>)>,
    /// The range of each top-level instruction, in file order.
    instructions: Vec<TextRange>,
    /// `# check=error=true`: the findings of BuildKit's checks are errors.
    pub check_error: bool,
    /// Names in the `# check=` directive that are no BuildKit check.
    pub unknown_checks: Vec<UnknownCheck>,
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
        let mut pragmas = Pragmas {
            instructions: dockerfile
                .instructions
                .iter()
                .map(|instruction| instruction.range)
                .collect(),
            ..Pragmas::default()
        };
        let directive = check_directive::of(dockerfile);
        let directive_range = directive.as_ref().map(|(_, range)| *range);
        if let Some((Ok(options), range)) = directive {
            pragmas.check_error = options.error;
            pragmas.unknown_checks =
                check_directive::unknown_names(&options, &dockerfile.source, range);
            if let Some(pragma) = buildkit_skips(&options, true) {
                pragmas.comments.push(PragmaComment { range, ..pragma });
            }
        }
        for comment in &dockerfile.comments {
            let at = comment.range.start;
            if pragmas.inside_instruction(at) || Some(comment.range) == directive_range {
                continue;
            }
            let line = lines.position(&dockerfile.source, at).line;
            let pragma = match parse(&comment.text) {
                Some(pragma) => Some(PragmaComment {
                    range: comment.range,
                    global: pragma.global,
                    codes: pragma.codes,
                    has_reason: pragma.has_reason,
                    buildkit: false,
                }),
                None => check_directive::comment_options(&comment.text)
                    .and_then(|options| buildkit_skips(&options, false))
                    .map(|pragma| PragmaComment {
                        range: comment.range,
                        ..pragma
                    }),
            };
            let index = pragma.map(|pragma| {
                pragmas.comments.push(pragma);
                pragmas.comments.len() - 1
            });
            pragmas.comment_lines.push((line, index));
        }
        pragmas.comment_lines.sort_by_key(|&(line, _)| line);
        pragmas
    }

    /// The top-level instruction whose range holds `offset`.
    fn instruction_at(&self, offset: usize) -> Option<TextRange> {
        let index = self
            .instructions
            .partition_point(|range| range.start <= offset)
            .checked_sub(1)?;
        let range = self.instructions[index];
        (offset <= range.end).then_some(range)
    }

    /// Whether `offset` is strictly inside an instruction (a comment between its
    /// continuation lines).
    fn inside_instruction(&self, offset: usize) -> bool {
        self.instruction_at(offset)
            .is_some_and(|range| range.start < offset && offset < range.end)
    }

    /// The inline ignore pragmas (not the global ones, nor BuildKit's `check`
    /// comments): what DL1001 reports.
    pub fn inline(&self) -> impl Iterator<Item = &PragmaComment> {
        self.comments
            .iter()
            .filter(|pragma| !pragma.global && !pragma.buildkit)
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
        // The instruction that holds the finding's anchor (an ONBUILD trigger, a
        // heredoc body) is the one the comment block sits above.
        let start = self
            .instruction_at(instruction.start)
            .map_or(instruction.start, |range| range.start);
        let mut line = lines.position(source, start).line;
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

/// The pragma that skips what `options` skip: every rule that is one of the skipped
/// BuildKit checks; `None` when no rule is. Its range is the caller's to set.
fn buildkit_skips(options: &CheckOptions, global: bool) -> Option<PragmaComment> {
    let codes: Vec<String> = crate::rules::all()
        .iter()
        .filter(|rule| rule.buildkit.is_some_and(|name| options.skips(name)))
        .map(|rule| rule.code.to_string())
        .collect();
    (!codes.is_empty()).then(|| PragmaComment {
        range: TextRange::default(),
        global,
        codes,
        has_reason: options.has_reason,
        buildkit: true,
    })
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

    #[test]
    fn comments_inside_an_instruction_are_not_pragmas() {
        let dockerfile = crate::dockerfile::parse(
            "FROM a\nRUN x \\\n# hadolint ignore=DL3003\n  && y\n# hadolint ignore=DL3004\nRUN z\n",
        );
        let pragmas = Pragmas::new(&dockerfile, &dockerfile.lines);
        let codes: Vec<&str> = pragmas.inline().map(|p| p.codes[0].as_str()).collect();
        assert_eq!(codes, ["DL3004"]);
    }

    #[test]
    fn a_pragma_covers_every_part_of_the_instruction_below_it() {
        let source = "FROM a\n# hadolint ignore=DL3043,SC2086\nONBUILD \\\n  FROM b\n# hadolint ignore=SC2086\nRUN <<EOF\necho $x\nEOF\nRUN <<EOF\necho $x\nEOF\n";
        let dockerfile = crate::dockerfile::parse(source);
        let pragmas = Pragmas::new(&dockerfile, &dockerfile.lines);
        let at = |needle: &str, nth: usize| {
            let start = source.match_indices(needle).nth(nth).unwrap().0;
            TextRange::new(start, start + needle.len())
        };
        let ignores = |rule: &str, anchor: TextRange| {
            pragmas.ignores(rule, anchor, source, &dockerfile.lines, PragmaMode::Allowed)
        };
        // The ONBUILD trigger on its continuation line.
        assert!(ignores("DL3043", at("FROM b", 0)));
        // A heredoc body line.
        assert!(ignores("SC2086", at("echo $x", 0)));
        assert!(!ignores("SC2086", at("echo $x", 1)));
    }
}
