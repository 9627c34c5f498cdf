//! The `COPY` instructions of the stages, as the rules about copies read them.

use crate::dockerfile::model::Stage;
use crate::dockerfile::{Args, Flag, Instruction, Keyword, Word};
use crate::rules::Context;

/// One `COPY` inside a stage.
pub(super) struct Copy<'a> {
    /// Its index in [`Context::instructions`].
    pub index: usize,
    pub instruction: &'a Instruction,
    pub stage: &'a Stage,
    /// The sources, then the destination (shell or JSON form; empty when neither).
    pub words: &'a [Word],
    /// `--from=...`, when it has a value.
    pub from: Option<(&'a Flag, &'a str)>,
}

impl Copy<'_> {
    /// Whether `--from` names the stage the `COPY` is in (by name, compared
    /// case-insensitively as BuildKit does, or by index).
    pub fn names_own_stage(&self) -> bool {
        self.from.is_some_and(|(_, reference)| {
            self.stage.name.as_deref() == Some(reference.to_lowercase().as_str())
                || reference.parse::<usize>() == Ok(self.stage.index)
        })
    }
}

/// Every `COPY` after the first `FROM`, in order (ONBUILD triggers are not included).
pub(super) fn copies<'a>(context: &Context<'a>) -> Vec<Copy<'a>> {
    let model = context.model();
    let instructions: &'a [Instruction] = context.instructions();
    instructions
        .iter()
        .enumerate()
        .filter(|(_, instruction)| instruction.keyword == Keyword::Copy)
        .filter_map(|(index, instruction)| {
            let words: &[Word] = match &instruction.args {
                Args::List(words) | Args::Exec(words) => words,
                _ => &[],
            };
            let from = instruction
                .flags
                .iter()
                .find(|flag| flag.name == "from")
                .and_then(|flag| Some((flag, flag.value.as_deref()?)));
            Some(Copy {
                index,
                instruction,
                stage: model.stage_of(index)?,
                words,
                from,
            })
        })
        .collect()
}
