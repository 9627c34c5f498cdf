//! Which Dockerfile instruction made each step of an image, so that image findings land
//! on a Dockerfile line (and, later, become review comments there).
//!
//! An image's config history has one entry per build step, in order, each with the
//! builder's rendering of the instruction in `created_by`:
//!
//! | builder | `RUN` | other instructions |
//! |---|---|---|
//! | BuildKit | `RUN \|1 A=b /bin/sh -c make # buildkit` | `COPY app /app # buildkit`, `USER app` |
//! | classic builder, buildah | `\|1 A=b /bin/sh -c make` | `/bin/sh -c #(nop) COPY file:4f2a in /app ` |
//!
//! The stage that produced the image (the last one, or the `--target` of the build) is
//! a chain of stages, each built on the one before it, whose instructions after `FROM`
//! are the last entries of the history, in the same order; what comes before them is
//! the base image's history. The match walks both backwards from the end: each entry
//! must be made by the instruction with the same keyword (a `RUN` by its command, a
//! `COPY`/`ADD` by its destination where the builder records them), an `ARG` may have
//! no entry, and an entry that made no layer may be skipped. The chain matches when
//! every instruction of it has been accounted for; of several Dockerfiles and stages
//! that match, the one with the most exact matches wins, and a tie places nothing
//! rather than guessing.

use crate::dockerfile::model::Model;
use crate::dockerfile::syntax::{Args, Dockerfile, Instruction, Keyword};
use crate::finding::{Finding, Location, Span};
use crate::source::TextRange;

use super::facts::HistoryStep;

/// What an image finding is about, for placing it on a Dockerfile line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The image as a whole (sizes, layer count, a missing health check): no line.
    Image,
    /// One layer, by index in the manifest: the instruction that made it.
    Layer(usize),
    /// The runtime user: the last `USER`, else the `FROM` the user is inherited from.
    User,
    /// An environment variable: the `ENV` that set it.
    Env(String),
    /// An exposed port (`8080/tcp`): the `EXPOSE` that declared it.
    Port(String),
}

/// The Dockerfile an image was built from, with the instruction of each history step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The Dockerfile's path as the report shows it.
    pub path: String,
    /// The stage the image is: its `AS` name, else its index.
    pub stage: String,
    /// The `FROM` of the stage chain's first stage.
    from: Placed,
    /// One per history entry: the instruction that made it, `None` for the base image's.
    steps: Vec<Option<Placed>>,
    /// The history index of each layer.
    layer_steps: Vec<usize>,
}

/// An instruction of the Dockerfile: what a finding needs to point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placed {
    keyword: Keyword,
    /// The instruction's range in the Dockerfile's source.
    range: TextRange,
    /// The same as 1-based positions: a finding placed here needs no source.
    span: Span,
    /// ENV keys, EXPOSE ports: what [`Subject::Env`] and [`Subject::Port`] look for.
    names: Vec<String>,
    /// The instruction as written (continuations joined).
    text: String,
}

impl Provenance {
    /// The Dockerfile line of the instruction that made layer `index`; `None` for a
    /// layer of the base image.
    pub fn layer_line(&self, index: usize) -> Option<usize> {
        self.layer_instruction(index).map(|placed| placed.span.line)
    }

    /// The instruction that made layer `index` as written, with where it is:
    /// ``COPY app /app` (Dockerfile:7)`.
    pub fn layer_step(&self, index: usize) -> Option<(String, usize)> {
        self.layer_instruction(index)
            .map(|placed| (placed.text.clone(), placed.span.line))
    }

    /// How many layers (from the bottom) came before the Dockerfile's first step: the
    /// base image's. `None` when no layer is placed.
    pub fn base_layers(&self) -> Option<usize> {
        (0..self.layer_steps.len()).find(|&index| self.layer_instruction(index).is_some())
    }

    /// The image the chain starts `FROM`, as written.
    /// Where the stage chain's first `FROM` is: what a report points at for a finding
    /// about the whole image.
    pub fn from_span(&self) -> Span {
        self.from.span
    }

    pub fn base_image(&self) -> &str {
        self.from
            .text
            .split_whitespace()
            .filter(|word| !word.starts_with("--"))
            .nth(1)
            .unwrap_or("")
    }

    fn layer_instruction(&self, index: usize) -> Option<&Placed> {
        let step = *self.layer_steps.get(index)?;
        self.steps.get(step)?.as_ref()
    }

    fn last(&self, keyword: Keyword, name: Option<&str>) -> Option<&Placed> {
        self.steps.iter().rev().flatten().find(|placed| {
            placed.keyword == keyword
                && name.is_none_or(|name| placed.names.iter().any(|n| n == name))
        })
    }

    fn place(&self, subject: &Subject) -> Option<&Placed> {
        match subject {
            Subject::Image => None,
            Subject::Layer(index) => self.layer_instruction(*index),
            Subject::User => self.last(Keyword::User, None).or(Some(&self.from)),
            Subject::Env(name) => self.last(Keyword::Env, Some(name)),
            Subject::Port(port) => {
                let number = port.split('/').next().unwrap_or(port);
                self.last(Keyword::Expose, Some(number))
            }
        }
    }

    /// Moves `finding` (about the image `reference`) onto the instruction its subject
    /// names, when this Dockerfile made it; else leaves it on the image.
    pub fn place_finding(&self, finding: &mut Finding, subject: &Subject) {
        let Some(placed) = self.place(subject) else {
            return;
        };
        finding.location = Some(Location {
            path: self.path.clone(),
            range: placed.range,
            instruction_range: placed.range,
            span: placed.span,
        });
    }
}

/// How well one stage chain explains the history: the more exact matches, the better.
#[derive(Debug)]
struct Alignment {
    /// The instruction of each history entry.
    steps: Vec<Option<usize>>,
    exact: usize,
    matched: usize,
    /// The same two counts for the entries that made a layer.
    layers_exact: usize,
    layers_matched: usize,
    /// The chain's first `FROM`.
    from: usize,
}

/// Why nothing of an image could be placed on a Dockerfile line: the text report says
/// it in one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unplaced {
    /// No Dockerfile to match.
    NoDockerfile,
    /// The config has no history (a hand-made or stripped image).
    NoHistory,
    /// The history's entries that made a layer do not pair up with the layers (a
    /// squashed or edited config): which step made which layer is unknown.
    Layers { steps: usize, layers: usize },
    /// No stage of the Dockerfile(s) explains the history.
    NoMatch,
    /// Several stages or Dockerfiles explain it equally well.
    Tied,
}

impl std::fmt::Display for Unplaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unplaced::NoDockerfile => write!(f, "no Dockerfile"),
            Unplaced::NoHistory => write!(f, "the image's config has no history"),
            Unplaced::Layers { steps, layers } => write!(
                f,
                "the history's {steps} layer-making steps do not pair up with the image's {layers} layers"
            ),
            Unplaced::NoMatch => write!(f, "the history matches no stage of the Dockerfile"),
            Unplaced::Tied => write!(f, "the history matches several stages equally well"),
        }
    }
}

/// The best explanation of an image's `history` (with `layers` layers) among
/// `candidates` (path, parsed Dockerfile and its model), or why there is none: nothing matches,
/// the best is tied, or the history does not list one step per layer (then nothing at
/// all is placed, not even the user: a history that does not fit its layers is not
/// known to be this image's). `strict` (the Dockerfile was not named by the user, only
/// found in the repository) also wants every layer-making step matched exactly and at
/// least one of them, so that a small Dockerfile ending in `USER app` cannot claim any
/// image that does.
pub fn find(
    history: &[HistoryStep],
    layers: usize,
    candidates: &[(&str, &Dockerfile, &Model)],
    strict: bool,
) -> Result<Provenance, Unplaced> {
    if candidates.is_empty() {
        return Err(Unplaced::NoDockerfile);
    }
    if history.is_empty() {
        return Err(Unplaced::NoHistory);
    }
    // A history that does not list every layer cannot say which step made which.
    let layer_steps: Vec<usize> = history
        .iter()
        .enumerate()
        .filter(|(_, entry)| !entry.empty_layer)
        .map(|(step, _)| step)
        .collect();
    if layer_steps.len() != layers {
        return Err(Unplaced::Layers {
            steps: layer_steps.len(),
            layers,
        });
    }
    // Each entry read once, then matched against every candidate stage.
    let steps: Vec<Step> = history.iter().map(|h| Step::parse(&h.created_by)).collect();
    let mut best: Option<(usize, usize, &str, &Dockerfile, String, Alignment)> = None;
    let mut tied = false;
    for &(path, dockerfile, model) in candidates {
        for stage in &model.stages {
            let Some(alignment) = align(history, &steps, dockerfile, model, stage.index) else {
                continue;
            };
            // A chain that made no step proves nothing (an empty stage matches anything).
            let convincing = if strict {
                alignment.layers_matched > 0 && alignment.layers_exact == alignment.layers_matched
            } else {
                alignment.matched > 0
            };
            if !convincing {
                continue;
            }
            let score = (alignment.exact, alignment.matched);
            let name = stage
                .name
                .clone()
                .unwrap_or_else(|| stage.index.to_string());
            match &best {
                Some((exact, matched, ..)) if (*exact, *matched) > score => {}
                Some((exact, matched, ..)) if (*exact, *matched) == score => tied = true,
                _ => {
                    tied = false;
                    best = Some((score.0, score.1, path, dockerfile, name, alignment));
                }
            }
        }
    }
    if tied {
        return Err(Unplaced::Tied);
    }
    let (_, _, path, dockerfile, stage, alignment) = best.ok_or(Unplaced::NoMatch)?;
    let placed = |index: usize| place(dockerfile, &dockerfile.instructions[index]);
    Ok(Provenance {
        path: path.to_string(),
        stage,
        from: placed(alignment.from),
        steps: alignment
            .steps
            .iter()
            .map(|step| step.map(placed))
            .collect(),
        layer_steps,
    })
}

fn place(dockerfile: &Dockerfile, instruction: &Instruction) -> Placed {
    let names = match (&instruction.keyword, &instruction.args) {
        (Keyword::Env, Args::KeyValues(pairs)) => {
            pairs.iter().map(|pair| pair.key.value.clone()).collect()
        }
        (Keyword::Expose, Args::List(words)) => words
            .iter()
            .map(|word| word.value.split('/').next().unwrap_or("").to_string())
            .collect(),
        _ => Vec::new(),
    };
    // What `Finding::locate` makes of a finding whose range is the whole instruction.
    let position = |offset| dockerfile.lines.position(&dockerfile.source, offset);
    let (start, end) = (
        position(instruction.range.start),
        position(instruction.range.end),
    );
    Placed {
        text: instruction.original.trim().to_string(),
        keyword: instruction.keyword,
        range: instruction.range,
        span: Span {
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        },
        names,
    }
}

/// The instructions of the chain ending with stage `last`, oldest first, without the
/// `FROM`s, and the chain's first `FROM`.
fn chain(model: &Model, last: usize) -> (Vec<usize>, usize) {
    let stages = model.chain(last);
    let first_from = stages.last().map_or(0, |stage| stage.from);
    let instructions = stages
        .iter()
        .rev()
        .flat_map(|stage| stage.instructions.clone().filter(move |&i| i != stage.from))
        .collect();
    (instructions, first_from)
}

/// Matches the chain ending with stage `last` against the end of `history` (`steps_read`:
/// its entries read back into instructions).
fn align(
    history: &[HistoryStep],
    steps_read: &[Step],
    dockerfile: &Dockerfile,
    model: &Model,
    last: usize,
) -> Option<Alignment> {
    let (instructions, from) = chain(model, last);
    let mut steps = vec![None; history.len()];
    let (mut exact, mut matched, mut layers_exact, mut layers_matched) = (0, 0, 0, 0);
    let mut entry = history.len();
    let mut pending = instructions.len();
    while pending > 0 {
        let instruction = &dockerfile.instructions[instructions[pending - 1]];
        let step = entry.checked_sub(1).map(|i| (i, &steps_read[i]));
        match step {
            Some((i, step)) if step.keyword == instruction.keyword => {
                let is_exact = usize::from(step.made_exactly_by(instruction));
                exact += is_exact;
                matched += 1;
                if !history[i].empty_layer {
                    layers_exact += is_exact;
                    layers_matched += 1;
                }
                steps[i] = Some(instructions[pending - 1]);
                entry = i;
                pending -= 1;
            }
            // BuildKit and the classic builder record ARG differently (or not at all).
            _ if instruction.keyword == Keyword::Arg => pending -= 1,
            Some((i, _)) if history[i].empty_layer => entry = i,
            _ => return None,
        }
    }
    Some(Alignment {
        steps,
        exact,
        matched,
        layers_exact,
        layers_matched,
        from,
    })
}

/// A history entry read back into an instruction.
#[derive(Debug, PartialEq, Eq)]
struct Step<'a> {
    keyword: Keyword,
    /// What follows the keyword (for a `RUN`, the command with its shell prefix).
    args: &'a str,
}

impl<'a> Step<'a> {
    fn parse(created_by: &'a str) -> Step<'a> {
        let text = created_by.trim();
        let (text, buildkit) = match text.strip_suffix("# buildkit") {
            Some(rest) => (rest.trim_end(), true),
            None => (text, false),
        };
        if let Some(rest) = text.strip_prefix("/bin/sh -c #(nop)") {
            return Step::keyword_first(rest.trim_start()).unwrap_or(Step {
                keyword: Keyword::Unknown,
                args: rest,
            });
        }
        // BuildKit and builders like kaniko write the keyword; the classic builder
        // writes a RUN's command line alone (`/bin/sh -c ...`, `|1 A=b /bin/sh -c ...`).
        match Step::keyword_first(text) {
            Some(step) if buildkit || step.keyword != Keyword::Unknown => step,
            _ => Step {
                keyword: Keyword::Run,
                args: text,
            },
        }
    }

    /// `KEYWORD args` with an upper-case Dockerfile keyword.
    fn keyword_first(text: &'a str) -> Option<Step<'a>> {
        let (word, args) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let keyword = Keyword::from_name(word);
        (word.bytes().all(|b| b.is_ascii_uppercase()) && keyword != Keyword::Unknown).then(|| {
            Step {
                keyword,
                args: args.trim(),
            }
        })
    }

    /// Whether the entry's text shows it was made by `instruction`, beyond the keyword:
    /// a RUN's command, a COPY's or ADD's destination, the arguments of the others.
    fn made_exactly_by(&self, instruction: &Instruction) -> bool {
        let recorded = squeeze(self.args);
        let written = match (&instruction.keyword, &instruction.args) {
            (Keyword::Copy | Keyword::Add, Args::List(words) | Args::Exec(words)) => words
                .last()
                .map(|word| squeeze(&word.value))
                .unwrap_or_default(),
            (_, Args::Shell(word)) => squeeze(&word.value),
            (_, Args::Exec(words) | Args::List(words)) => {
                words.iter().map(|word| squeeze(&word.value)).collect()
            }
            (_, Args::KeyValues(pairs)) => pairs
                .iter()
                .map(|pair| squeeze(&format!("{}={}", pair.key.value, pair.value.value)))
                .collect(),
            _ => return false,
        };
        !written.is_empty()
            && match instruction.keyword {
                Keyword::Run | Keyword::Copy | Keyword::Add => recorded.ends_with(&written),
                _ => recorded.contains(&written),
            }
    }
}

/// The text without whitespace and quotes: builders re-space and re-quote what they
/// record (`ENV A="b c"` is recorded as `ENV A=b c`).
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parser::parse;
    use crate::finding::Severity;

    fn step(created_by: &str) -> (Keyword, &str) {
        let step = Step::parse(created_by);
        (step.keyword, step.args)
    }

    #[test]
    fn reads_each_builders_rendering() {
        assert_eq!(
            step("/bin/sh -c #(nop)  USER 65534"),
            (Keyword::User, "65534")
        );
        assert_eq!(
            step("/bin/sh -c #(nop) COPY file:a2c5 in /root/.ssh/id_ed25519 "),
            (Keyword::Copy, "file:a2c5 in /root/.ssh/id_ed25519")
        );
        assert_eq!(step("/bin/sh -c rm /x"), (Keyword::Run, "/bin/sh -c rm /x"));
        assert_eq!(
            step("|1 V=2 /bin/sh -c make"),
            (Keyword::Run, "|1 V=2 /bin/sh -c make")
        );
        assert_eq!(
            step("RUN /bin/sh -c apk add curl # buildkit"),
            (Keyword::Run, "/bin/sh -c apk add curl")
        );
        assert_eq!(
            step("COPY app /app # buildkit"),
            (Keyword::Copy, "app /app")
        );
        assert_eq!(step("WORKDIR /app"), (Keyword::Workdir, "/app"));
        assert_eq!(
            step("EXPOSE map[8080/tcp:{}]"),
            (Keyword::Expose, "map[8080/tcp:{}]")
        );
        // A classic RUN whose command starts with an upper-case word is still a RUN.
        assert_eq!(
            step("/bin/bash -c FOO=1 make"),
            (Keyword::Run, "/bin/bash -c FOO=1 make")
        );
    }

    fn history(entries: &[(&str, bool)]) -> Vec<HistoryStep> {
        entries
            .iter()
            .map(|&(created_by, empty_layer)| HistoryStep {
                created_by: created_by.to_string(),
                empty_layer,
            })
            .collect()
    }

    /// The provenance among `candidates`, found as for a Dockerfile in the repository.
    fn find_in(entries: &[(&str, bool)], candidates: &[(&str, &Dockerfile)]) -> Option<Provenance> {
        let history = history(entries);
        let layers = history.iter().filter(|h| !h.empty_layer).count();
        let models: Vec<Model> = candidates.iter().map(|(_, d)| Model::new(d)).collect();
        let candidates: Vec<(&str, &Dockerfile, &Model)> = candidates
            .iter()
            .zip(&models)
            .map(|(&(path, dockerfile), model)| (path, dockerfile, model))
            .collect();
        find(&history, layers, &candidates, true).ok()
    }

    /// The Debian-based history with the project's steps, as the classic builder
    /// records them.
    const CLASSIC: &[(&str, bool)] = &[
        ("/bin/sh -c #(nop) ADD file:0a1b in / ", false),
        ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
        ("/bin/sh -c #(nop)  ENV APP_HOME=/app", true),
        (
            "/bin/sh -c apt-get update &&     apt-get install -y curl",
            false,
        ),
        ("/bin/sh -c #(nop) COPY dir:77aa in /app ", false),
        ("/bin/sh -c #(nop)  EXPOSE 8080", true),
        ("/bin/sh -c #(nop)  USER app", true),
    ];

    const DOCKERFILE: &str = "FROM debian:12\nARG V=1\nENV APP_HOME=/app\nRUN apt-get update && \\\n    apt-get install -y curl\nCOPY . /app\nEXPOSE 8080\nUSER app\n";

    #[test]
    fn places_layers_and_config_on_their_instructions() {
        let dockerfile = parse(DOCKERFILE);
        let provenance = find_in(CLASSIC, &[("Dockerfile", &dockerfile)]).expect("matches");
        assert_eq!(provenance.layer_line(0), None, "the base image's layer");
        assert_eq!(provenance.base_layers(), Some(1));
        assert_eq!(provenance.base_image(), "debian:12");
        assert_eq!(
            provenance.layer_step(2),
            Some(("COPY . /app".to_string(), 6))
        );
        assert_eq!(provenance.layer_line(1), Some(4));
        assert_eq!(provenance.layer_line(2), Some(6));
        let line = |subject: Subject| provenance.place(&subject).map(|placed| placed.span.line);
        assert_eq!(line(Subject::User), Some(8));
        assert_eq!(line(Subject::Env("APP_HOME".into())), Some(3));
        assert_eq!(line(Subject::Env("OTHER".into())), None);
        assert_eq!(line(Subject::Port("8080/tcp".into())), Some(7));
        assert_eq!(line(Subject::Image), None);

        let mut finding = Finding::about_image("DG2001", Severity::Error, "img", "runs as root");
        provenance.place_finding(&mut finding, &Subject::User);
        assert_eq!(
            (finding.path(), finding.line(), finding.column()),
            ("Dockerfile", 8, 1)
        );
        // The same span `locate` gives a finding on the whole instruction.
        let placed = finding.location.clone().expect("placed");
        let mut located = placed.clone();
        located.locate(&dockerfile.source, &dockerfile.lines);
        assert_eq!(located.span, placed.span);
    }

    #[test]
    fn buildkit_history_and_a_multi_stage_chain() {
        let dockerfile = parse(
            "FROM golang:1.22 AS build\nRUN go build -o /out/app .\n\n\
             FROM debian:12 AS base\nRUN useradd app\n\
             FROM base\nCOPY --from=build /out/app /usr/local/bin/app\nUSER app\n",
        );
        let entries = &[
            ("/bin/sh -c #(nop) ADD file:0a1b in / ", false),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            ("RUN /bin/sh -c useradd app # buildkit", false),
            ("COPY /out/app /usr/local/bin/app # buildkit", false),
            ("USER app", true),
        ];
        let provenance = find_in(entries, &[("Dockerfile", &dockerfile)]).expect("matches");
        assert_eq!(provenance.stage, "2");
        assert_eq!(
            provenance.layer_line(1),
            Some(5),
            "made in the parent stage"
        );
        assert_eq!(provenance.layer_line(2), Some(7));
    }

    #[test]
    fn the_build_target_stage_is_found() {
        // `docker build --target base`: the last stage did not make this image.
        let dockerfile = parse("FROM debian:12 AS base\nRUN useradd app\nFROM base\nUSER app\n");
        let entries = &[
            ("/bin/sh -c #(nop) ADD file:0a1b in / ", false),
            ("/bin/sh -c useradd app", false),
        ];
        let provenance = find_in(entries, &[("Dockerfile", &dockerfile)]).expect("matches");
        assert_eq!(provenance.stage, "base");
        assert_eq!(provenance.layer_line(1), Some(2));
    }

    #[test]
    fn another_dockerfile_does_not_match() {
        let other = parse("FROM debian:12\nRUN apt-get install -y nginx\nUSER www\n");
        let missing_step = parse(
            "FROM debian:12\nRUN make\nENV APP_HOME=/app\nRUN apt-get update && apt-get install -y curl\nCOPY . /app\nEXPOSE 8080\nUSER app\n",
        );
        assert_eq!(find_in(CLASSIC, &[("other/Dockerfile", &other)]), None);
        assert_eq!(find_in(CLASSIC, &[("Dockerfile", &missing_step)]), None);
    }

    #[test]
    fn the_best_of_several_wins_and_a_tie_places_nothing() {
        let right = parse(DOCKERFILE);
        // Same keywords, different commands: matches, but not exactly.
        let loose = parse(
            "FROM debian:12\nENV APP_HOME=/srv\nRUN make\nCOPY . /srv\nEXPOSE 9090\nUSER app\n",
        );
        let candidates = [("a/Dockerfile", &loose), ("b/Dockerfile", &right)];
        let provenance = find_in(CLASSIC, &candidates).expect("matches");
        assert_eq!(provenance.path, "b/Dockerfile");
        let tie = [("a/Dockerfile", &right), ("b/Dockerfile", &right)];
        assert_eq!(find_in(CLASSIC, &tie), None);
    }

    #[test]
    fn no_history_places_nothing() {
        let dockerfile = parse(DOCKERFILE);
        let model = Model::new(&dockerfile);
        let candidates = [("Dockerfile", &dockerfile, &model)];
        assert_eq!(find(&[], 1, &candidates, false), Err(Unplaced::NoHistory));
        // One layer more than the history made: not even the user is placed.
        let history = history(CLASSIC);
        assert_eq!(
            find(&history, 4, &candidates, false),
            Err(Unplaced::Layers {
                steps: 3,
                layers: 4
            })
        );
        assert!(find(&history, 3, &candidates, false).is_ok());
        assert_eq!(find(&history, 3, &[], false), Err(Unplaced::NoDockerfile));
        let other = parse("FROM debian:12\nRUN make\n");
        let other_model = Model::new(&other);
        assert_eq!(
            find(&history, 3, &[("Dockerfile", &other, &other_model)], false),
            Err(Unplaced::NoMatch)
        );
        let tie = [
            ("a/Dockerfile", &dockerfile, &model),
            ("b/Dockerfile", &dockerfile, &model),
        ];
        assert_eq!(find(&history, 3, &tie, false), Err(Unplaced::Tied));
    }
}
