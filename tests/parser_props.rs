//! Property tests for the Dockerfile front end: no input panics the parser, the BuildKit
//! dump, the model or the rules, and every source range the parser hands out is a valid
//! slice of the source it describes.
//!
//! The run is deterministic (a fixed seed) and small enough for every `cargo test`; set
//! `PROPTEST_CASES` and/or `PROPTEST_RNG_SEED` to search longer or elsewhere, e.g.
//! `PROPTEST_CASES=20000 cargo test --release --test parser_props`.

use dockgate::dockerfile::{self, Args, Dockerfile, Instruction, buildkit_dump};
use dockgate::rules::{self, RuleSet};
use dockgate::source::{LineIndex, TextRange};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 600;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x00d0_c59a_7e00);
    }
    // A failing case is kept in tests/parser_props.proptest-regressions and replayed first.
    config.failure_persistence = Some(Box::new(FileFailurePersistence::WithSource(
        "proptest-regressions",
    )));
    // Shrinking a failure is worth a little time, but must not hang CI.
    config.max_shrink_time = 30_000;
    config
}

// ---------------------------------------------------------------------------------------
// The checks.

/// Everything the front end does with one input; panics (test failure) on any violation.
fn check_all(input: &str) -> Result<(), TestCaseError> {
    let dockerfile = dockerfile::parse(input);
    check_dockerfile(&dockerfile)?;
    let _ = buildkit_dump::dump(&dockerfile);
    check_findings(&dockerfile)
}

fn check_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dockerfile = dockerfile::parse_bytes(bytes);
    check_dockerfile(&dockerfile)?;
    let _ = buildkit_dump::dump(&dockerfile);
    check_findings(&dockerfile)
}

/// Every rule runs; findings point into the source and their fixes apply cleanly.
fn check_findings(dockerfile: &Dockerfile) -> Result<(), TestCaseError> {
    let source = dockerfile.source.as_str();
    for finding in rules::lint("Dockerfile", dockerfile, &RuleSet::all()) {
        let location = finding
            .location
            .as_ref()
            .expect("a Dockerfile finding is located");
        check_range(source, location.range, "finding")?;
        check_range(source, location.instruction_range, "finding anchor")?;
        prop_assert!(finding.line() >= 1 && finding.column() >= 1, "{finding:?}");
        prop_assert!(
            (finding.line(), finding.column()) <= (finding.end_line(), finding.end_column()),
            "finding ends before it starts: {finding:?} in {source:?}"
        );
        if let Some(fix) = &finding.fix {
            let mut edits: Vec<_> = fix.edits.iter().map(|edit| edit.range).collect();
            edits.sort();
            for pair in edits.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "overlapping edits: {fix:?}");
            }
            for &range in &edits {
                check_range(source, range, "fix edit")?;
            }
            fix.apply(source);
        }
    }
    Ok(())
}

fn check_range(source: &str, range: TextRange, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        range.start <= range.end,
        "{what}: inverted range {range:?} in {source:?}"
    );
    prop_assert!(
        range.end <= source.len(),
        "{what}: range {range:?} past the end ({}) of {source:?}",
        source.len()
    );
    prop_assert!(
        source.is_char_boundary(range.start) && source.is_char_boundary(range.end),
        "{what}: range {range:?} not on char boundaries of {source:?}"
    );
    Ok(())
}

fn check_inside(
    source: &str,
    outer: TextRange,
    inner: TextRange,
    what: &str,
) -> Result<(), TestCaseError> {
    check_range(source, inner, what)?;
    prop_assert!(
        outer.start <= inner.start && inner.end <= outer.end,
        "{what}: range {inner:?} ({:?}) outside its instruction {outer:?} ({:?}) in {source:?}",
        &source[inner.start..inner.end],
        &source[outer.start..outer.end],
    );
    Ok(())
}

fn check_dockerfile(dockerfile: &Dockerfile) -> Result<(), TestCaseError> {
    let source = dockerfile.source.as_str();
    prop_assert!(matches!(dockerfile.escape, '\\' | '`'));
    let lines = LineIndex::new(source);

    let mut previous_end = 0;
    for instruction in &dockerfile.instructions {
        check_instruction(source, instruction)?;
        prop_assert!(
            previous_end <= instruction.range.start,
            "instructions overlap or are out of order at {:?} in {source:?}",
            instruction.range
        );
        previous_end = instruction.range.end;
        // Positions must be computable for every range (the reporters need them).
        let start = lines.position(source, instruction.range.start);
        let end = lines.position(source, instruction.range.end);
        prop_assert!(start <= end);
        prop_assert!(start.line >= 1 && start.column >= 1);
    }
    for directive in &dockerfile.directives {
        check_range(source, directive.range, "directive")?;
    }
    for comment in &dockerfile.comments {
        check_range(source, comment.range, "comment")?;
        prop_assert!(
            source[comment.range.start..].starts_with('#'),
            "comment range {:?} does not start at `#` in {source:?}",
            comment.range
        );
    }
    for error in dockerfile.errors.iter().chain(&dockerfile.warnings) {
        check_range(source, error.range, "error")?;
        prop_assert!(!error.message.is_empty());
        lines.position(source, error.range.start);
    }
    Ok(())
}

fn check_instruction(source: &str, instruction: &Instruction) -> Result<(), TestCaseError> {
    let outer = instruction.range;
    check_range(source, outer, "instruction")?;
    check_inside(source, outer, instruction.name_range, "instruction name")?;
    let written = &source[instruction.name_range.start..instruction.name_range.end];
    if written.contains('\n') {
        // A name split by a line continuation: the range covers the continuation too.
        let name = instruction.name.as_str();
        prop_assert!(
            written.starts_with(&name[..name.chars().next().map_or(0, char::len_utf8)])
                && written.ends_with(name.chars().last().map_or("", |_| {
                    &name[name.char_indices().last().map_or(0, |(i, _)| i)..]
                })),
            "name range {written:?} does not cover the name {name:?} in {source:?}"
        );
    } else {
        prop_assert_eq!(
            written,
            instruction.name.as_str(),
            "name range does not cover the name in {:?}",
            source
        );
    }
    for flag in &instruction.flags {
        check_inside(source, outer, flag.range, "flag")?;
    }
    check_args(source, outer, &instruction.args)?;
    let mut previous_end = instruction.name_range.end;
    for heredoc in &instruction.heredocs {
        check_inside(source, outer, heredoc.range, "heredoc")?;
        prop_assert!(
            previous_end <= heredoc.range.start,
            "heredoc {:?} overlaps what precedes it in {source:?}",
            heredoc.range
        );
        previous_end = heredoc.range.end;
        // The range is the body as written, then the terminator line.
        let written = &source[heredoc.range.start..heredoc.range.end];
        prop_assert!(
            written.starts_with(heredoc.content.as_str()),
            "heredoc body {:?} is not the start of its range {written:?} in {source:?}",
            heredoc.content
        );
        let terminator = &written[heredoc.content.len()..];
        if terminator.is_empty() && heredoc.range.end == source.len() {
            // Unterminated: BuildKit reads the rest of the file as the body.
            continue;
        }
        let terminator = if heredoc.chomp {
            terminator.trim_start_matches('\t')
        } else {
            terminator
        };
        prop_assert_eq!(
            terminator,
            heredoc.name.as_str(),
            "heredoc range {:?} does not end with its terminator in {:?}",
            heredoc.range,
            source
        );
    }
    Ok(())
}

fn check_args(source: &str, outer: TextRange, args: &Args) -> Result<(), TestCaseError> {
    match args {
        Args::Empty => {}
        Args::Exec(words) | Args::List(words) => {
            for word in words {
                check_inside(source, outer, word.range, "word")?;
            }
        }
        Args::Shell(word) => check_inside(source, outer, word.range, "shell word")?,
        Args::KeyValues(pairs) => {
            for pair in pairs {
                check_inside(source, outer, pair.key.range, "key")?;
                check_inside(source, outer, pair.value.range, "value")?;
            }
        }
        Args::Healthcheck { kind, command } => {
            check_inside(source, outer, kind.range, "healthcheck kind")?;
            check_args(source, outer, command)?;
        }
        Args::Onbuild(inner) => {
            check_inside(source, outer, inner.range, "onbuild trigger")?;
            check_instruction(source, inner)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Generators of Dockerfile-like text.

const KEYWORDS: &[&str] = &[
    "FROM",
    "from",
    "RUN",
    "run",
    "Run",
    "CMD",
    "ENTRYPOINT",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "LABEL",
    "EXPOSE",
    "WORKDIR",
    "USER",
    "VOLUME",
    "SHELL",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "ONBUILD",
    "MAINTAINER",
    "FOOBAR",
    "onbuild run",
    "ONBUILD ONBUILD",
    "HEALTHCHECK CMD",
    "HEALTHCHECK NONE",
    "HEALTHCHECK --interval=5s CMD",
];

const TOKENS: &[&str] = &[
    "alpine",
    "alpine:3.20",
    "ubuntu@sha256:abc",
    "AS",
    "as",
    "build",
    "echo",
    "hello world",
    "/app",
    ".",
    "key=value",
    "key=\"a b\"",
    "key value",
    "k=",
    "=",
    "==",
    "\"",
    "'",
    "\"quoted \\\" string\"",
    "'single $V'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "[\"sh\", \"-c\", \"echo \\u00e9\"]",
    "[]",
    "[\"unterminated",
    ",",
    "$V",
    "${V}",
    "${V:-x}",
    "${V:+y}",
    "${V-}",
    "${",
    "$",
    "--platform=$BUILDPLATFORM",
    "--mount=type=cache,target=/root/.cache",
    "--mount=type=secret,id=x",
    "--from=build",
    "--chown=1000:1000",
    "--chmod=755",
    "--link",
    "--network=none",
    "--unknown-flag",
    "--",
    "--=",
    "--x=\"a b\"",
    "<<EOF",
    "<<-EOF",
    "<<\"EOF\"",
    "<<'EOF'",
    "3<<EOF",
    "<<EOT",
    "<<",
    "<<-",
    "cat <<EOF > /f",
    "8080/tcp",
    "1000-2000/udp",
    "&&",
    "|",
    ";",
    "#",
    "# not a comment",
    "\\",
    "`",
    "\\\\",
    "\\$",
    "é",
    "日本語",
    "🦀",
    "\u{0}",
    "\u{feff}",
    "\u{a0}",
    "\u{2028}",
    "\t",
    "\r",
];

const LINE_ENDS: &[&str] = &[
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\\\n",
    "\\\r\n",
    "\\  \n",
    "`\n",
    "\n\n",
    "\\\n\n",
    "\\\n# comment in continuation\n",
    "\\\n   \n",
    "",
];

const STANDALONE_LINES: &[&str] = &[
    "",
    "   ",
    "# a comment",
    "#",
    "# escape=`",
    "# escape=\\",
    "#escape = `",
    "# syntax=docker/dockerfile:1",
    "# check=skip=all",
    "# hadolint ignore=DL3006",
    "EOF",
    "\tEOF",
    "  EOF",
    "EOT",
    "body line $V",
    "\tindented body",
    "FROM alpine",
    "RUN <<EOF",
    "COPY <<EOF /dest",
    "RUN <<A <<B",
    "A",
    "B",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(list)
}

/// One physical-ish line: a keyword with arguments, or a line that stands alone
/// (comments, directives, heredoc bodies and terminators).
fn line() -> impl Strategy<Value = String> {
    let instruction = (
        pick(KEYWORDS),
        prop::collection::vec(pick(TOKENS), 0..6),
        prop::collection::vec(pick(&[" ", " ", "  ", "\t", ""]), 6),
    )
        .prop_map(|(keyword, tokens, spaces)| {
            let mut text = String::from(keyword);
            for (token, space) in tokens.iter().zip(spaces.iter().cycle()) {
                text.push_str(if space.is_empty() { " " } else { space });
                text.push_str(token);
            }
            text
        });
    let indent = pick(&["", "", " ", "\t"]);
    (
        indent,
        prop_oneof![
            3 => instruction,
            2 => pick(STANDALONE_LINES).prop_map(String::from),
            1 => heredoc_block(),
        ],
        pick(LINE_ENDS),
    )
        .prop_map(|(indent, body, end)| format!("{indent}{body}{end}"))
}

/// An instruction with heredocs and their bodies: `RUN <<A cat <<-"B"`, body lines,
/// terminators (sometimes tab-indented, sometimes missing).
fn heredoc_block() -> impl Strategy<Value = String> {
    let opener = (
        pick(&["", "", "3", "cat ", "python3 - "]),
        pick(&["<<", "<<", "<<-"]),
        pick(&["EOF", "EOT", "A", "END_1"]),
        pick(&["", "", "\"", "'"]),
    );
    let body = prop::collection::vec(
        pick(&[
            "echo hello",
            "\tindented",
            "",
            "  EOF",
            "EOFX",
            "$V ${V:-x}",
            "é 日本",
            "# not a comment",
            "RUN not an instruction",
            "line with trailing \\",
        ]),
        0..4,
    );
    (
        pick(&[
            "RUN",
            "COPY",
            "ADD",
            "run",
            "RUN --mount=type=cache,target=/x",
            "FROM",
        ]),
        prop::collection::vec(
            (
                opener,
                body,
                pick(&["", "", "\t", "\t\t", " "]),
                any::<bool>(),
            ),
            1..4,
        ),
        pick(&["", " /dest", " > /out"]),
        pick(&["\n", "\r\n"]),
    )
        .prop_map(|(keyword, heredocs, tail, newline)| {
            let mut text = String::from(keyword);
            for ((prefix, op, name, quote), _, _, _) in &heredocs {
                text.push_str(&format!(" {prefix}{op}{quote}{name}{quote}"));
            }
            text.push_str(tail);
            text.push_str(newline);
            for ((_, _, name, _), body, indent, terminated) in &heredocs {
                for line in body {
                    text.push_str(line);
                    text.push_str(newline);
                }
                if *terminated {
                    text.push_str(indent);
                    text.push_str(name);
                    text.push_str(newline);
                }
            }
            text
        })
}

/// A Dockerfile-like text: optional BOM, optional directive block, then lines.
fn dockerfile_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(
            pick(&[
                "# syntax=docker/dockerfile:1\n",
                "# escape=`\n",
                "# escape=\\\n",
                "# check=error=true\n",
                "#escape=`\r\n",
                "# escape=x\n",
            ]),
            0..3,
        ),
        prop::collection::vec(line(), 0..24),
        any::<bool>(),
    )
        .prop_map(|(bom, directives, lines, crlf)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            for directive in directives {
                text.push_str(directive);
            }
            for line in lines {
                text.push_str(&line);
            }
            if crlf {
                text = text.replace("\r\n", "\n").replace('\n', "\r\n");
            }
            text
        })
}

/// Tokens and separators glued in any order: exercises the odd corners (a heredoc
/// opener at end of file, a continuation right after a quote, ...).
fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            pick(KEYWORDS),
            pick(TOKENS),
            pick(LINE_ENDS),
            pick(STANDALONE_LINES),
            pick(&[" ", "\n", "\r\n", "\\", "`", "\"", "'", "<<", "EOF", "-"]),
        ],
        0..48,
    )
    .prop_map(|parts| parts.concat())
}

/// Bytes a file may start with: the BOMs `decode` recognises, or none.
fn encoded_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        pick(&["", "utf8", "utf16le", "utf16be", "utf32le", "utf32be"]),
        dockerfile_text(),
        any::<bool>(),
    )
        .prop_map(|(encoding, text, truncate)| {
            let mut bytes: Vec<u8> = match encoding {
                "utf8" => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                "utf16le" => [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect(),
                "utf16be" => [0xFE, 0xFF]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                    .collect(),
                "utf32le" => [0xFF, 0xFE, 0, 0]
                    .into_iter()
                    .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
                    .collect(),
                "utf32be" => [0, 0, 0xFE, 0xFF]
                    .into_iter()
                    .chain(text.chars().flat_map(|c| (c as u32).to_be_bytes()))
                    .collect(),
                _ => text.into_bytes(),
            };
            if truncate && !bytes.is_empty() {
                // An odd length: a partial code unit at the end.
                bytes.pop();
            }
            bytes
        })
}

/// Plain tokens: no quotes, escapes or variables, so a word's value is exactly its
/// source text with the line continuations taken out.
const PLAIN: &[&str] = &[
    "a", "b1", "app", "/usr/src", "x.tar", "3.20", "é", "日本", "🦀", "k-v", "a:b", "p_q",
];

/// Between two tokens: spaces, or a line continuation, possibly with a comment line or
/// an empty line inside it. `{e}` is the escape character.
const SEPARATORS: &[&str] = &[
    " ",
    "  ",
    "\t",
    " {e}\n",
    " {e}\n  ",
    " {e}  \n\t",
    " {e}\r\n ",
    " {e}\n# a comment\n ",
    " {e}\n  # indented comment\n ",
    " {e}\n\n ",
    "{e}\n ",
];

/// A valid instruction made of plain tokens, with continuations between the tokens.
fn plain_instruction() -> impl Strategy<Value = String> {
    let plain = || pick(PLAIN);
    let words = |min: usize| prop::collection::vec(plain(), min..5);
    let pairs = || {
        prop::collection::vec((plain(), plain()), 1..4)
            .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect())
    };
    let shape = prop_oneof![
        words(1).prop_map(|w| [vec!["FROM".to_string()], s(w)].concat()),
        (plain(), plain()).prop_map(|(i, n)| vec!["FROM".into(), i.into(), "AS".into(), n.into()]),
        pairs().prop_map(|p: Vec<String>| [vec!["ENV".to_string()], p].concat()),
        pairs().prop_map(|p: Vec<String>| [vec!["LABEL".to_string()], p].concat()),
        (plain(), words(1)).prop_map(|(k, w)| [vec!["ENV".to_string(), k.into()], s(w)].concat()),
        words(1).prop_map(|w| [vec!["ARG".to_string()], s(w)].concat()),
        words(1).prop_map(|w| [vec!["EXPOSE".to_string()], s(w)].concat()),
        (prop::option::of(plain()), words(2)).prop_map(|(from, w)| {
            let mut v = vec!["COPY".to_string()];
            v.extend(from.map(|f| format!("--from={f}")));
            v.extend(s(w));
            v
        }),
        (any::<bool>(), words(1)).prop_map(|(mount, w)| {
            let mut v = vec!["RUN".to_string()];
            if mount {
                v.push("--mount=type=cache,target=/root".into());
            }
            v.extend(s(w));
            v
        }),
        words(1).prop_map(|w| [vec!["CMD".to_string()], s(w)].concat()),
        words(1).prop_map(|w| [vec!["VOLUME".to_string()], s(w)].concat()),
        plain().prop_map(|w| vec!["USER".to_string(), w.into()]),
        plain().prop_map(|w| vec!["WORKDIR".to_string(), w.into()]),
    ];
    (
        shape,
        prop::collection::vec(pick(SEPARATORS), 8),
        prop::collection::vec(
            prop::option::weighted(0.3, (any::<usize>(), pick(SPLITS))),
            8,
        ),
    )
        .prop_map(|(tokens, separators, splits)| {
            let mut text = String::new();
            for (i, token) in tokens.iter().enumerate() {
                if i > 0 {
                    text.push_str(separators[i % separators.len()]);
                }
                // A continuation inside the token: `ke\<newline>y=value`.
                let inner: Vec<usize> = token.char_indices().map(|(at, _)| at).skip(1).collect();
                match splits[i % splits.len()] {
                    Some((at, split)) if !inner.is_empty() => {
                        let at = inner[at % inner.len()];
                        text.push_str(&token[..at]);
                        text.push_str(split);
                        text.push_str(&token[at..]);
                    }
                    _ => text.push_str(token),
                }
            }
            text
        })
}

/// A continuation inside a token (nothing before the escape, nothing after the line).
const SPLITS: &[&str] = &["{e}\n", "{e}\r\n", "{e}  \n", "{e}\n# comment\n", "{e}\n\n"];

fn s(words: Vec<&'static str>) -> Vec<String> {
    words.into_iter().map(String::from).collect()
}

/// A Dockerfile of plain instructions, with either escape character.
fn plain_dockerfile() -> impl Strategy<Value = (String, char)> {
    (
        any::<bool>(),
        prop::collection::vec(plain_instruction(), 1..6),
    )
        .prop_map(|(backtick, instructions)| {
            let escape = if backtick { '`' } else { '\\' };
            let mut text = String::new();
            if backtick {
                text.push_str("# escape=`\n");
            }
            for instruction in instructions {
                text.push_str(&instruction.replace("{e}", &escape.to_string()));
                text.push('\n');
            }
            (text, escape)
        })
}

/// What BuildKit makes of a span of physical lines: continuation characters (with the
/// blanks after them) and the line ending removed, comment and empty lines inside a
/// continuation skipped.
fn join_continuations(text: &str, escape: char) -> String {
    let mut out = String::new();
    let count = text.split('\n').count();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if i > 0 && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        let kept = line.trim_end_matches([' ', '\t']);
        match kept.strip_suffix(escape) {
            Some(before) if i + 1 < count => out.push_str(before),
            _ => out.push_str(line),
        }
    }
    out
}

fn check_text(
    source: &str,
    escape: char,
    range: TextRange,
    expected: &str,
    what: &str,
) -> Result<(), TestCaseError> {
    check_range(source, range, what)?;
    let written = &source[range.start..range.end];
    prop_assert_eq!(
        join_continuations(written, escape),
        expected,
        "{} range {:?} covers {:?} in {:?}",
        what,
        range,
        written,
        source
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The properties.

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        check_all(&input)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_bytes(&bytes)?;
    }

    #[test]
    fn dockerfile_like_text_has_valid_ranges(input in dockerfile_text()) {
        check_all(&input)?;
    }

    #[test]
    fn token_soup_has_valid_ranges(input in token_soup()) {
        check_all(&input)?;
    }

    #[test]
    fn encoded_files_have_valid_ranges(bytes in encoded_bytes()) {
        check_bytes(&bytes)?;
    }

    #[test]
    fn bom_and_crlf_do_not_change_the_instructions(input in dockerfile_text()) {
        // The same text with LF endings, with a BOM and with CRLF endings parses into the
        // same instruction names (ranges shift, the structure must not).
        let lf = input.trim_start_matches('\u{feff}').replace("\r\n", "\n");
        let names = |text: &str| -> Vec<String> {
            dockerfile::parse(text)
                .instructions
                .iter()
                .map(|i| i.name.clone())
                .collect()
        };
        let expected = names(&lf);
        prop_assert_eq!(&names(&format!("\u{feff}{lf}")), &expected);
        // Only when no lone `\r` is around: BuildKit trims every trailing `\r`.
        if !lf.contains('\r') {
            prop_assert_eq!(&names(&lf.replace('\n', "\r\n")), &expected);
        }
    }

    #[test]
    fn word_ranges_cover_exactly_their_words((input, escape) in plain_dockerfile()) {
        let dockerfile = dockerfile::parse(&input);
        prop_assert!(dockerfile.errors.is_empty(), "{:?} in {input:?}", dockerfile.errors);
        check_dockerfile(&dockerfile)?;
        let source = dockerfile.source.as_str();
        for instruction in &dockerfile.instructions {
            check_text(source, escape, instruction.name_range, &instruction.name, "name")?;
            for flag in &instruction.flags {
                check_text(source, escape, flag.range, &flag.raw, "flag")?;
            }
            match &instruction.args {
                Args::List(words) => {
                    for word in words {
                        check_text(source, escape, word.range, &word.value, "word")?;
                    }
                }
                Args::Shell(word) => {
                    check_text(source, escape, word.range, &word.value, "shell word")?;
                }
                Args::KeyValues(pairs) => {
                    for pair in pairs {
                        check_text(source, escape, pair.key.range, &pair.key.value, "key")?;
                        check_text(source, escape, pair.value.range, &pair.value.value, "value")?;
                    }
                }
                other => prop_assert!(false, "unexpected args {other:?} in {input:?}"),
            }
        }
    }
}

#[test]
fn long_lines_and_deep_continuations_do_not_panic() {
    let long = format!("RUN {}\n", "x".repeat(70_000));
    check_all(&long).unwrap();
    let continued = format!("RUN a{}b\n", " \\\n".repeat(5_000));
    check_all(&continued).unwrap();
    let heredocs = format!("RUN {}\n", "<<EOF ".repeat(200));
    check_all(&heredocs).unwrap();
    let onbuild = format!("{}RUN x\n", "ONBUILD ".repeat(200));
    check_all(&onbuild).unwrap();
    let unterminated = "RUN <<EOF\nbody\n".repeat(100);
    check_all(&unterminated).unwrap();
}
