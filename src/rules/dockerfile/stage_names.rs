//! The `FROM image AS name` instructions, for the rules about how the keyword and
//! the name are written (DG1100, DG1101).

use crate::dockerfile::{Args, Instruction, Keyword, Word};
use crate::rules::Context;

/// Each top-level FROM whose second word is `AS` (in any case), with its words (three
/// or more; more is a syntax error, DL1000's).
pub(super) fn named_froms<'a>(context: &Context<'a>) -> Vec<(&'a Instruction, &'a [Word])> {
    context
        .instructions()
        .iter()
        .filter(|instruction| instruction.keyword == Keyword::From)
        .filter_map(|instruction| match &instruction.args {
            Args::List(words) if words.len() >= 3 && words[1].value.eq_ignore_ascii_case("as") => {
                Some((instruction, words.as_slice()))
            }
            _ => None,
        })
        .collect()
}
