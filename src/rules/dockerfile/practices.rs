//! What the container-practice rules (DG1003-DG1052) share: the stages the shipped
//! image is made of, and the files an instruction copies from the build context.

use crate::dockerfile::model::{Model, Stage};
use crate::dockerfile::{Args, Instruction, Keyword, Word};
use crate::rules::Context;

/// The stage `docker build` builds (the last) and the stages it is built `FROM`: what
/// the shipped image holds. Builder stages that are only copied from are not in it.
pub(super) fn final_chain(model: &Model) -> Vec<&Stage> {
    model
        .last_stage()
        .map(|last| model.chain(last.index))
        .unwrap_or_default()
}

/// The stage `docker build` builds and the first stage of its chain, whose base image
/// the shipped image starts from (the same stage when it builds on no other).
pub(super) fn shipped_and_base(model: &Model) -> Option<(&Stage, &Stage)> {
    let chain = final_chain(model);
    Some((*chain.first()?, *chain.last()?))
}

/// Whether instruction `index` belongs to the shipped image's stages.
pub(super) fn in_final_chain(model: &Model, index: usize) -> bool {
    let Some(stage) = model.stage_of(index) else {
        return false;
    };
    final_chain(model).iter().any(|s| s.index == stage.index)
}

/// One source of a `COPY` or `ADD` that reads the build context (no `--from`).
pub(super) struct ContextSource<'a> {
    pub index: usize,
    pub instruction: &'a Instruction,
    pub word: &'a Word,
    /// The source as BuildKit expands it, `None` when only the build knows.
    pub expanded: Option<String>,
}

/// The build-context sources of every `COPY` and `ADD` (not `--from`, not heredocs,
/// not URLs), in order.
pub(super) fn context_sources<'a>(context: &Context<'a>) -> Vec<ContextSource<'a>> {
    let instructions: &'a [Instruction] = context.instructions();
    let mut sources = Vec::new();
    for (index, instruction) in instructions.iter().enumerate() {
        if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add)
            || instruction.flags.iter().any(|flag| flag.name == "from")
            || context.model().stage_of(index).is_none()
        {
            continue;
        }
        let words: &'a [Word] = match &instruction.args {
            Args::List(words) | Args::Exec(words) => words,
            _ => continue,
        };
        let Some((_destination, words)) = words.split_last() else {
            continue;
        };
        for word in words {
            let heredoc = instruction
                .heredocs
                .iter()
                .any(|heredoc| word.value.starts_with("<<") && word.value.contains(&heredoc.name));
            if heredoc || is_url(&word.value) {
                continue;
            }
            sources.push(ContextSource {
                index,
                instruction,
                word,
                expanded: context.expand(index, &word.value),
            });
        }
    }
    sources
}

/// `http://`, `https://` and git URLs, which ADD fetches instead of reading the context.
pub(super) fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git@", "git://", "ssh://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Whether a source names the whole build context: `.`, `./`, `/`, `./.`.
pub(super) fn is_whole_context(source: &str) -> bool {
    source
        .split('/')
        .all(|segment| segment.is_empty() || segment == ".")
}

/// The name part of a `USER name:group` value, and whether it is root.
pub(super) fn user_name(value: &str) -> &str {
    value.trim().split(':').next().unwrap_or("").trim()
}

/// Whether a user name or UID is root.
pub(super) fn is_root(user: &str) -> bool {
    user == "root" || (!user.is_empty() && user.bytes().all(|b| b == b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_context_and_root() {
        for source in [".", "./", "/", "./.", "."] {
            assert!(is_whole_context(source), "{source}");
        }
        for source in ["src", "./src", "*", "..", "package.json"] {
            assert!(!is_whole_context(source), "{source}");
        }
        assert!(is_root("0") && is_root("root") && is_root("000"));
        assert!(!is_root("") && !is_root("10001") && !is_root("ROOT"));
        assert_eq!(user_name(" app:app "), "app");
    }
}
