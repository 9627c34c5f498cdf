//! The semantic model of a Dockerfile: global ARGs, stages with their base images, and
//! the variables in scope at each instruction, expanded by BuildKit's rules. Rules ask
//! the model "what is this value, if it is knowable" instead of reading raw text.
//!
//! What "knowable" means here: the value a build without any `--build-arg` would use,
//! when the Dockerfile alone determines it. An ARG that has no value at all (no default,
//! no global default) exists to be passed in, so it is unknown; so are BuildKit's
//! platform ARGs (`TARGETARCH`, ...) and anything an external base image may set.
//!
//! Scoping, as BuildKit's `dockerfile2llb` does it:
//! - FROM (image and `--platform`) sees only the global ARGs (those before the first
//!   FROM) and the automatic platform ARGs.
//! - A stage starts from its base: an earlier stage passes on everything it ended with
//!   (ENV *and* ARG values: BuildKit copies the whole build state); an external image
//!   may set any variable (unknown); `scratch` sets only `PATH`.
//! - `ARG X` without a default takes the global value of X, if there is one.
//! - ARG and ENV share one namespace: the later declaration wins. The pairs of one ARG
//!   see each other in order; the pairs of one ENV all see the scope before the ENV.

use crate::dockerfile::lex::{Env, LexError, Lexer, Lookup, Processed};
use crate::dockerfile::syntax::{Args, Dockerfile, Instruction, Keyword, Word};
use crate::source::TextRange;
use std::ops::Range;

/// The ARGs BuildKit defines for every build (`defaultArgs`): visible to FROM without a
/// declaration, and imported into a stage by `ARG NAME`. Their values depend on the
/// machine and the build options, so they are unknown.
pub const PLATFORM_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// ARGs BuildKit keeps out of the build environment (they configure SBOM scanning).
const NON_ENV_ARGS: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// The `PATH` BuildKit gives a Linux stage whose image sets none (`scratch`).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A variable's value as far as the Dockerfile determines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Known(String),
    /// Only the build knows it (an ARG without any default, a platform ARG, something
    /// derived from them).
    Unknown,
}

impl Value {
    pub fn known(&self) -> Option<&str> {
        match self {
            Value::Known(value) => Some(value),
            Value::Unknown => None,
        }
    }

    fn from_processed(processed: Result<Processed, LexError>) -> Value {
        match processed {
            Ok(p) if !p.unknown => Value::Known(p.result),
            _ => Value::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    Arg,
    Env,
}

/// One declaration of an ARG or ENV variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// Its value right after the declaration.
    pub value: Value,
    pub kind: VariableKind,
    /// The declaring instruction.
    pub instruction: usize,
    /// The declaring word (`NAME=value`) or, for ENV, the key.
    pub range: TextRange,
}

/// A base image's reference, split and normalised as Docker does it
/// (`distribution/reference.ParseNormalizedNamed`, shared with the registry client);
/// the error messages are Docker's.
pub use crate::reference::{Reference as ImageRef, ReferenceError};

/// BuildKit's rule for stage names: `^[a-z][a-z0-9-_.]*$` after lower-casing.
pub fn is_valid_stage_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// The image word as written in FROM.
    pub word: Word,
    /// Expanded with the global ARGs; `None` when it depends on an unknowable value.
    pub expanded: Option<String>,
    /// The earlier stage this stage builds on, if the base names one.
    pub stage: Option<usize>,
    /// `FROM scratch`: an empty filesystem and no configuration.
    pub is_scratch: bool,
    /// The split reference of an external image (not for stages or scratch).
    pub reference: Option<ImageRef>,
    /// Why the expanded name is not a valid reference, for an external image.
    pub reference_error: Option<ReferenceError>,
}

impl BaseImage {
    /// An image pulled from a registry (not a stage, not scratch; maybe unknowable).
    pub fn is_external(&self) -> bool {
        self.stage.is_none() && !self.is_scratch
    }
}

/// A `--platform` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// The flag value as written (quotes already removed by the parser).
    pub raw: String,
    /// Expanded with the global ARGs, when knowable.
    pub expanded: Option<String>,
    /// The whole flag.
    pub range: TextRange,
}

/// The USER in effect: the last USER instruction of the stage or of the stages it is
/// built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSetting {
    pub instruction: usize,
    /// Expanded; `None` when unknowable.
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit stores it.
    pub name: Option<String>,
    /// The name as written, with its range.
    pub name_word: Option<Word>,
    /// The FROM instruction.
    pub from: usize,
    /// The instructions of the stage, FROM included.
    pub instructions: Range<usize>,
    pub platform: Option<Platform>,
    pub base: BaseImage,
    /// The USER in effect at the end of the stage; `None` when neither this stage nor
    /// a stage it is built on sets one (the base image's user applies, root for
    /// scratch).
    pub user: Option<UserSetting>,
    /// The ARG and ENV declarations of this stage, in order.
    variables: Vec<Variable>,
}

impl Stage {
    /// The ARG and ENV declarations of this stage, in order (not the inherited ones).
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }
}

/// The variables visible at one point of the Dockerfile. It is an [`Env`] for the
/// lexer.
#[derive(Debug, Clone, Copy)]
pub struct ScopeEnv<'m> {
    model: &'m Model,
    /// `None`: the global scope.
    stage: Option<usize>,
    /// How many declarations of the innermost scope are visible.
    visible: usize,
}

/// Where a scope continues once its own declarations are exhausted.
enum Outer {
    /// Found among the declarations.
    Declared,
    /// An external image, or a base that cannot be known: any name may be set.
    Anything,
    Scratch,
    /// The global scope: platform ARGs only.
    Platform,
}

impl<'m> ScopeEnv<'m> {
    /// The declaration in effect for `name`, if the Dockerfile has one in scope.
    pub fn variable(&self, name: &str) -> Option<&'m Variable> {
        self.find(name).0
    }

    /// Walks from the innermost scope outwards.
    fn find(&self, name: &str) -> (Option<&'m Variable>, Outer) {
        let model = self.model;
        let mut stage = self.stage;
        let mut visible = self.visible;
        loop {
            let Some(index) = stage else {
                let found = model.global_args[..visible.min(model.global_args.len())]
                    .iter()
                    .rev()
                    .find(|v| v.name == name);
                return (found, Outer::Platform);
            };
            let current = &model.stages[index];
            let declared = &current.variables[..visible.min(current.variables.len())];
            if let Some(found) = declared.iter().rev().find(|v| v.name == name) {
                return (Some(found), Outer::Declared);
            }
            let base = &current.base;
            match base.stage {
                Some(parent) => {
                    stage = Some(parent);
                    visible = usize::MAX;
                }
                None if base.is_scratch => return (None, Outer::Scratch),
                None => return (None, Outer::Anything),
            }
        }
    }
}

impl Env for ScopeEnv<'_> {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.find(name) {
            (Some(variable), _) => match &variable.value {
                Value::Known(value) => Lookup::Value(value),
                Value::Unknown => Lookup::Unknown,
            },
            (None, Outer::Anything) => Lookup::Unknown,
            (None, Outer::Scratch) if name == "PATH" => Lookup::Value(DEFAULT_PATH),
            (None, Outer::Platform) if PLATFORM_ARGS.contains(&name) => Lookup::Unknown,
            (None, _) => Lookup::Unset,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    /// ARGs declared before the first FROM, in order.
    pub global_args: Vec<Variable>,
    pub stages: Vec<Stage>,
    escape: char,
    /// The keyword of each instruction, for questions about earlier instructions.
    keywords: Vec<Keyword>,
}

impl Model {
    pub fn new(dockerfile: &Dockerfile) -> Model {
        let mut model = Model {
            global_args: Vec::new(),
            stages: Vec::new(),
            escape: dockerfile.escape,
            keywords: dockerfile.instructions.iter().map(|i| i.keyword).collect(),
        };
        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            if instruction.keyword == Keyword::From {
                if let Some(previous) = model.stages.last_mut() {
                    previous.instructions.end = index;
                }
                let stage = model.new_stage(index, instruction);
                model.stages.push(stage);
                continue;
            }
            match (&instruction.keyword, &instruction.args) {
                (Keyword::Arg, Args::List(words)) => model.declare_args(index, words),
                (Keyword::Env, Args::KeyValues(pairs)) if !model.stages.is_empty() => {
                    // All pairs of one ENV are expanded in the scope before it.
                    let env = model.current_scope();
                    let declared: Vec<Variable> = pairs
                        .iter()
                        .filter_map(|pair| {
                            let name = model.process_in(env, &pair.key.value).ok()?;
                            Some(Variable {
                                name: name.known_result()?.to_string(),
                                value: Value::from_processed(
                                    model.process_in(env, &pair.value.value),
                                ),
                                kind: VariableKind::Env,
                                instruction: index,
                                range: pair.key.range,
                            })
                        })
                        .collect();
                    if let Some(stage) = model.stages.last_mut() {
                        stage.variables.extend(declared);
                    }
                }
                (Keyword::User, Args::Shell(word)) if !model.stages.is_empty() => {
                    let value = model
                        .process_in(model.current_scope(), &word.value)
                        .ok()
                        .and_then(|p| p.known_result().map(str::to_string));
                    if let Some(stage) = model.stages.last_mut() {
                        stage.user = Some(UserSetting {
                            instruction: index,
                            value,
                        });
                    }
                }
                _ => {}
            }
        }
        if let Some(last) = model.stages.last_mut() {
            last.instructions.end = dockerfile.instructions.len();
        }
        model
    }

    /// The scope at the end of what has been built so far.
    fn current_scope(&self) -> ScopeEnv<'_> {
        match self.stages.last() {
            Some(stage) => ScopeEnv {
                model: self,
                stage: Some(stage.index),
                visible: stage.variables.len(),
            },
            None => self.global_scope(),
        }
    }

    fn global_scope(&self) -> ScopeEnv<'_> {
        ScopeEnv {
            model: self,
            stage: None,
            visible: self.global_args.len(),
        }
    }

    fn process_in(&self, env: ScopeEnv<'_>, text: &str) -> Result<Processed, LexError> {
        Lexer::new(self.escape).process(text, &env)
    }

    /// ARG declarations, one by one: each sees the ones before it.
    fn declare_args(&mut self, index: usize, words: &[Word]) {
        for word in words {
            let (name, default) = match word.value.split_once('=') {
                Some((name, default)) => (name, Some(default)),
                None => (word.value.as_str(), None),
            };
            let value = match default {
                Some(default) => {
                    Value::from_processed(self.process_in(self.current_scope(), default))
                }
                None => self.imported_value(name),
            };
            let variable = Variable {
                name: name.to_string(),
                value,
                kind: VariableKind::Arg,
                instruction: index,
                range: word.range,
            };
            match self.stages.last_mut() {
                Some(_) if NON_ENV_ARGS.contains(&name) => {}
                Some(stage) => stage.variables.push(variable),
                None => self.global_args.push(variable),
            }
        }
    }

    /// The value of `ARG name` without a default: the global value if there is one (a
    /// platform ARG is unknown), else what the scope already holds; a name with no
    /// value at all is a parameter for `--build-arg`, so unknown.
    fn imported_value(&self, name: &str) -> Value {
        let global = self.global_scope();
        let from_global = match global.lookup(name) {
            Lookup::Unset => None,
            _ => Some(
                global
                    .variable(name)
                    .map_or(Value::Unknown, |v| v.value.clone()),
            ),
        };
        from_global.unwrap_or_else(|| match self.current_scope().lookup(name) {
            Lookup::Value(value) => Value::Known(value.to_string()),
            Lookup::Unknown | Lookup::Unset => Value::Unknown,
        })
    }

    fn new_stage(&self, from: usize, instruction: &Instruction) -> Stage {
        let index = self.stages.len();
        let words: &[Word] = match &instruction.args {
            Args::List(words) => words,
            _ => &[],
        };
        let word = words.first().cloned().unwrap_or_else(|| Word {
            value: String::new(),
            range: TextRange::empty(instruction.name_range.end),
        });
        let name_word = match words {
            [_, keyword, name] if is_as(&keyword.value) => Some(name.clone()),
            _ => None,
        };
        let global = self.global_scope();
        let expand = |text: &str| {
            self.process_in(global, text)
                .ok()
                .and_then(|p| p.known_result().map(str::to_string))
        };
        let expanded = expand(&word.value);
        // BuildKit looks the expanded name up among the earlier stages before anything
        // else. It compares with the lower-cased stage names; an upper-case name is no
        // valid image either, so matching it case-insensitively only names the intent.
        let stage = expanded.as_deref().and_then(|image| {
            let lower = image.to_lowercase();
            self.stages
                .iter()
                .rposition(|s| s.name.as_deref() == Some(lower.as_str()))
        });
        let is_scratch = stage.is_none() && expanded.as_deref() == Some("scratch");
        let (reference, reference_error) = match (&expanded, stage, is_scratch) {
            (Some(image), None, false) => match ImageRef::parse(image) {
                Ok(reference) => (Some(reference), None),
                Err(error) => (None, Some(error)),
            },
            _ => (None, None),
        };
        let platform = instruction
            .flags
            .iter()
            .find(|f| f.name == "platform")
            .map(|flag| {
                let raw = flag.value.clone().unwrap_or_default();
                Platform {
                    expanded: expand(&raw),
                    raw,
                    range: flag.range,
                }
            });
        Stage {
            index,
            name: name_word.as_ref().map(|w| w.value.to_lowercase()),
            name_word,
            from,
            instructions: from..from + 1,
            platform,
            user: stage.and_then(|base| self.stages[base].user.clone()),
            base: BaseImage {
                word,
                expanded,
                stage,
                is_scratch,
                reference,
                reference_error,
            },
            variables: Vec::new(),
        }
    }

    /// The variables in scope at an instruction, before it takes effect. Instructions
    /// before the first FROM, and every FROM, see the global ARGs.
    pub fn env(&self, instruction: usize) -> ScopeEnv<'_> {
        match self.stage_of(instruction) {
            Some(stage) if stage.from != instruction => ScopeEnv {
                model: self,
                stage: Some(stage.index),
                visible: stage
                    .variables
                    .partition_point(|v| v.instruction < instruction),
            },
            _ => ScopeEnv {
                model: self,
                stage: None,
                visible: self
                    .global_args
                    .partition_point(|v| v.instruction < instruction),
            },
        }
    }

    /// Runs BuildKit's lexer on `text` in the scope of `instruction`: the expanded word,
    /// its split words, and whether it depends on something unknowable.
    pub fn process(&self, instruction: usize, text: &str) -> Result<Processed, LexError> {
        self.process_in(self.env(instruction), text)
    }

    /// `text` expanded as BuildKit would at `instruction` (quotes and escapes removed);
    /// `None` when it depends on a value only the build knows, or does not lex.
    pub fn expand(&self, instruction: usize, text: &str) -> Option<String> {
        let processed = self.process(instruction, text).ok()?;
        (!processed.unknown).then_some(processed.result)
    }

    /// The escape character of the file.
    pub fn escape(&self) -> char {
        self.escape
    }

    /// The stage an instruction belongs to (`None` before the first FROM).
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        let after = self.stages.partition_point(|s| s.from <= instruction);
        after.checked_sub(1).map(|i| &self.stages[i])
    }

    /// The last `keyword` instruction before `instruction` in its stage or in the stages
    /// that stage is built on (say, whether a WORKDIR or SHELL is in effect).
    pub fn last_before(&self, instruction: usize, keyword: Keyword) -> Option<usize> {
        let mut stage = self.stage_of(instruction)?;
        let mut end = instruction.min(stage.instructions.end);
        loop {
            let range = stage.instructions.start + 1..end;
            if let Some(found) = range
                .rev()
                .find(|&i| self.keywords.get(i) == Some(&keyword))
            {
                return Some(found);
            }
            stage = &self.stages[stage.base.stage?];
            end = stage.instructions.end;
        }
    }

    /// The stage `docker build` builds when no `--target` is given.
    pub fn last_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// Stage `stage` and the stages it is built `FROM`, in that order (the image it
    /// makes holds all their instructions).
    pub fn chain(&self, stage: usize) -> Vec<&Stage> {
        let mut chain: Vec<&Stage> = self.stages.get(stage).into_iter().collect();
        while let Some(current) = chain.last()
            && let Some(base) = current.base.stage
            // A stage builds only on an earlier one; the guard keeps a bad model finite.
            && base < current.index
        {
            chain.push(&self.stages[base]);
        }
        chain
    }

    pub fn is_last_stage(&self, stage: &Stage) -> bool {
        stage.index + 1 == self.stages.len()
    }

    /// Whether the instruction belongs to the stage built by default.
    pub fn is_in_last_stage(&self, instruction: usize) -> bool {
        self.stage_of(instruction)
            .is_some_and(|stage| self.is_last_stage(stage))
    }

    /// The stage a `COPY --from=` or `RUN --mount=from=` names: a stage name
    /// (case-insensitive) or a stage index. BuildKit does not expand variables there.
    pub fn stage_by_reference(&self, reference: &str) -> Option<&Stage> {
        let lower = reference.to_lowercase();
        // A later stage of the same name shadows an earlier one, as in BuildKit's map.
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                reference
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.stages.get(i))
            })
    }

    /// For each stage, whether a later stage uses its result: as a base, through
    /// `COPY --from` or through `RUN --mount=from=`.
    pub fn stages_used_later(&self, dockerfile: &Dockerfile) -> Vec<bool> {
        let mut used = vec![false; self.stages.len()];
        for stage in &self.stages {
            if let Some(base) = stage.base.stage {
                used[base] = true;
            }
        }
        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            for reference in stage_references(instruction) {
                if let Some(source) = self.stage_by_reference(reference)
                    && self.stage_of(index).is_none_or(|s| s.index != source.index)
                {
                    used[source.index] = true;
                }
            }
        }
        used
    }
}

/// The stage (or image) names an instruction reads from: `COPY --from=NAME` and each
/// `RUN --mount=...,from=NAME`.
pub fn stage_references(instruction: &Instruction) -> impl Iterator<Item = &str> {
    instruction.flags.iter().filter_map(|flag| {
        let value = flag.value.as_deref()?;
        match flag.name.as_str() {
            "from" => Some(value),
            "mount" => value.split(',').find_map(|field| {
                let (key, value) = field.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("from")
                    .then_some(value.trim())
            }),
            _ => None,
        }
    })
}

/// `AS` in `FROM image AS name`, compared like Go's `strings.EqualFold`.
fn is_as(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some('a' | 'A'), Some('s' | 'S' | 'ſ'), None)
    )
}

#[cfg(test)]
mod tests;
