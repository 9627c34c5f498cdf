//! The semantic model of a Dockerfile: global ARGs, stages with their base images, and
//! the variables in scope at each instruction, expanded by BuildKit's rules. Rules ask
//! the model "what is this value, if it is knowable" instead of reading raw text.

use crate::dockerfile::lex::{Env, Lexer, Lookup};
use crate::dockerfile::syntax::{Args, Dockerfile, Keyword, Word};
use std::ops::Range;

/// ARGs BuildKit defines automatically: declared in a stage (or used in FROM), their
/// value depends on the build, not on the Dockerfile.
const AUTOMATIC_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "ftp_proxy",
    "no_proxy",
    "all_proxy",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Known(String),
    /// Declared, but only the build knows it (an ARG without default, a
    /// `--build-arg`, a variable of an external base image).
    Unknown,
}

/// A global ARG (declared before the first FROM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalArg {
    pub name: String,
    pub value: Value,
    pub instruction: usize,
}

/// A Docker image reference split by Docker's normalisation rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io` when the name has no registry part.
    pub registry: String,
    /// With `library/` for official Docker Hub images.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits `[registry/]repository[:tag][@digest]`; `None` for an empty name.
    pub fn parse(reference: &str) -> Option<ImageRef> {
        let (name, digest) = match reference.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (reference, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(name[last_slash + i + 1..].to_string()),
            ),
            None => (name, None),
        };
        if name.is_empty() {
            return None;
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// The image word as written in FROM.
    pub word: Word,
    /// Expanded with the global ARGs; `None` when it depends on an unknowable value.
    pub expanded: Option<String>,
    /// The earlier stage this stage builds on, if the base names one.
    pub stage: Option<usize>,
    pub is_scratch: bool,
    /// The split reference of an external image (not for stages or scratch).
    pub reference: Option<ImageRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit compares it.
    pub name: Option<String>,
    pub name_word: Option<Word>,
    /// The FROM instruction.
    pub from: usize,
    /// The instructions of the stage, FROM included.
    pub instructions: Range<usize>,
    /// `--platform`, expanded when knowable, else as written.
    pub platform: Option<String>,
    pub base: BaseImage,
}

/// Variables in scope at one instruction: ENV wins over ARG of the same name.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    env: Vec<(String, Value)>,
    args: Vec<(String, Value)>,
    /// What an undeclared name means: unknown when it may come from an external base
    /// image's environment, unset otherwise.
    undeclared_unknown: bool,
}

impl Scope {
    fn set(list: &mut Vec<(String, Value)>, name: &str, value: Value) {
        match list.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => list.push((name.to_string(), value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        fn find<'a>(list: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
            list.iter().find(|(n, _)| n == name).map(|(_, v)| v)
        }
        find(&self.env, name).or_else(|| find(&self.args, name))
    }
}

impl Env for Scope {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.get(name) {
            Some(Value::Known(v)) => Lookup::Value(v),
            Some(Value::Unknown) => Lookup::Unknown,
            None if self.undeclared_unknown => Lookup::Unknown,
            None => Lookup::Unset,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub global_args: Vec<GlobalArg>,
    pub stages: Vec<Stage>,
    escape: char,
    /// The scope at each instruction, before it takes effect.
    scopes: Vec<Scope>,
    global_scope: Scope,
}

impl Model {
    pub fn new(dockerfile: &Dockerfile) -> Model {
        let lexer = Lexer::new(dockerfile.escape);
        let expand_with = |scope: &Scope, text: &str| -> Value {
            match lexer.process(text, scope) {
                Ok(p) if !p.unknown => Value::Known(p.result),
                _ => Value::Unknown,
            }
        };
        let mut global_scope = Scope::default();
        for name in AUTOMATIC_ARGS {
            Scope::set(&mut global_scope.args, name, Value::Unknown);
        }
        let mut global_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        let mut scopes = Vec::with_capacity(dockerfile.instructions.len());
        let mut scope = global_scope.clone();
        // The scope each stage ends with, for stages built on it.
        let mut final_scopes: Vec<Scope> = Vec::new();

        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            if instruction.keyword == Keyword::From {
                if let Some(last) = stages.last_mut() {
                    last.instructions.end = index;
                    final_scopes.push(std::mem::take(&mut scope));
                }
                let stage = Self::stage(stages.len(), index, instruction, &stages, &|text| {
                    expand_with(&global_scope, text)
                });
                scope = match stage.base.stage {
                    Some(base) => Scope {
                        env: final_scopes[base].env.clone(),
                        args: Vec::new(),
                        undeclared_unknown: final_scopes[base].undeclared_unknown,
                    },
                    None => Scope {
                        undeclared_unknown: !stage.base.is_scratch,
                        ..Scope::default()
                    },
                };
                scopes.push(global_scope.clone());
                stages.push(stage);
                continue;
            }
            scopes.push(if stages.is_empty() {
                global_scope.clone()
            } else {
                scope.clone()
            });
            match (&instruction.keyword, &instruction.args) {
                (Keyword::Arg, Args::List(words)) => {
                    for word in words {
                        let (name, value) = match word.value.split_once('=') {
                            Some((name, default)) => {
                                let current = if stages.is_empty() {
                                    &global_scope
                                } else {
                                    &scope
                                };
                                (name, expand_with(current, default))
                            }
                            None if stages.is_empty() => (word.value.as_str(), Value::Unknown),
                            // Re-declaring a global ARG imports its value into the stage.
                            None => (
                                word.value.as_str(),
                                global_scope
                                    .get(&word.value)
                                    .cloned()
                                    .unwrap_or(Value::Unknown),
                            ),
                        };
                        if stages.is_empty() {
                            Scope::set(&mut global_scope.args, name, value.clone());
                            global_args.push(GlobalArg {
                                name: name.to_string(),
                                value,
                                instruction: index,
                            });
                        } else {
                            Scope::set(&mut scope.args, name, value);
                        }
                    }
                }
                (Keyword::Env, Args::KeyValues(pairs)) if !stages.is_empty() => {
                    // All pairs of one ENV are expanded with the scope before it.
                    let before = scope.clone();
                    for pair in pairs {
                        let value = expand_with(&before, &pair.value.value);
                        Scope::set(&mut scope.env, &pair.key.value, value);
                    }
                }
                _ => {}
            }
        }
        if let Some(last) = stages.last_mut() {
            last.instructions.end = dockerfile.instructions.len();
        }
        Model {
            global_args,
            stages,
            escape: dockerfile.escape,
            scopes,
            global_scope,
        }
    }

    fn stage(
        index: usize,
        from: usize,
        instruction: &crate::dockerfile::Instruction,
        earlier: &[Stage],
        expand: &dyn Fn(&str) -> Value,
    ) -> Stage {
        let words: &[Word] = match &instruction.args {
            Args::List(words) => words,
            _ => &[],
        };
        let word = words.first().cloned().unwrap_or_else(|| Word {
            value: String::new(),
            range: instruction.range,
        });
        let name_word = match words {
            [_, r#as, name] if r#as.value.eq_ignore_ascii_case("as") => Some(name.clone()),
            _ => None,
        };
        let expanded = match expand(&word.value) {
            Value::Known(v) => Some(v),
            Value::Unknown => None,
        };
        let stage = expanded.as_deref().and_then(|image| {
            earlier
                .iter()
                .position(|s| s.name.as_deref() == Some(image.to_lowercase().as_str()))
        });
        let is_scratch = expanded
            .as_deref()
            .is_some_and(|i| i.eq_ignore_ascii_case("scratch"));
        let reference = match (&expanded, stage, is_scratch) {
            (Some(image), None, false) => ImageRef::parse(image),
            _ => None,
        };
        let platform = instruction
            .flags
            .iter()
            .find(|f| f.name == "platform")
            .and_then(|f| {
                let value = f.value.as_deref()?;
                Some(match expand(value) {
                    Value::Known(v) => v,
                    Value::Unknown => value.to_string(),
                })
            });
        Stage {
            index,
            name: name_word.as_ref().map(|w| w.value.to_lowercase()),
            name_word,
            from,
            instructions: from..from + 1,
            platform,
            base: BaseImage {
                word,
                expanded,
                stage,
                is_scratch,
                reference,
            },
        }
    }

    /// The variables in scope at an instruction (before it takes effect). Instructions
    /// before the first FROM, and FROM itself, see the global ARGs.
    pub fn scope(&self, instruction: usize) -> &Scope {
        self.scopes.get(instruction).unwrap_or(&self.global_scope)
    }

    /// `text` expanded as BuildKit would at `instruction`; `None` when it depends on a
    /// value only the build knows, or does not lex.
    pub fn expand(&self, instruction: usize, text: &str) -> Option<String> {
        let processed = Lexer::new(self.escape)
            .process(text, self.scope(instruction))
            .ok()?;
        (!processed.unknown).then_some(processed.result)
    }

    /// The stage an instruction belongs to (`None` before the first FROM).
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.instructions.contains(&instruction))
    }

    pub fn is_last_stage(&self, stage: &Stage) -> bool {
        stage.index + 1 == self.stages.len()
    }

    /// The stage a `--from=` or base name refers to: a stage name (case-insensitive)
    /// or a numeric index of an earlier stage.
    pub fn stage_by_reference(&self, reference: &str) -> Option<&Stage> {
        let lower = reference.to_lowercase();
        self.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                reference
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.stages.get(i))
            })
    }

    /// Stages whose result some later stage uses (as base or via `COPY --from`).
    pub fn stages_used_later(&self, dockerfile: &Dockerfile) -> Vec<bool> {
        let mut used = vec![false; self.stages.len()];
        for stage in &self.stages {
            if let Some(base) = stage.base.stage {
                used[base] = true;
            }
        }
        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            for flag in instruction.flags.iter().filter(|f| f.name == "from") {
                let Some(value) = flag.value.as_deref() else {
                    continue;
                };
                let value = self
                    .expand(index, value)
                    .unwrap_or_else(|| value.to_string());
                if let Some(stage) = self.stage_by_reference(&value) {
                    used[stage.index] = true;
                }
            }
        }
        used
    }
}

#[cfg(test)]
mod tests;
