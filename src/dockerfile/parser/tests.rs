use super::*;
use crate::dockerfile::syntax::{Keyword, Word};
use crate::source::{LineIndex, Position};

/// (line, column) of the start and end of `range` in `dockerfile`.
fn span(dockerfile: &Dockerfile, range: TextRange) -> ((usize, usize), (usize, usize)) {
    let index = LineIndex::new(&dockerfile.source);
    let at = |offset| {
        let Position { line, column } = index.position(&dockerfile.source, offset);
        (line, column)
    };
    (at(range.start), at(range.end))
}

fn values(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.value.as_str()).collect()
}

fn only_error(dockerfile: &Dockerfile) -> (&str, (usize, usize)) {
    assert_eq!(dockerfile.errors.len(), 1, "{:?}", dockerfile.errors);
    let error = &dockerfile.errors[0];
    (error.message.as_str(), span(dockerfile, error.range).0)
}

#[test]
fn spans_of_name_flags_and_arguments() {
    let df = parse("FROM alpine:3.19 AS build\n  copy --from=build --chmod=755 a b /dst/\n");
    assert!(df.errors.is_empty());
    let from = &df.instructions[0];
    assert_eq!(from.keyword, Keyword::From);
    let Args::List(words) = &from.args else {
        panic!("{:?}", from.args)
    };
    assert_eq!(values(words), ["alpine:3.19", "AS", "build"]);
    assert_eq!(span(&df, words[0].range), ((1, 6), (1, 17)));
    let copy = &df.instructions[1];
    assert_eq!(copy.name, "copy");
    assert_eq!(span(&df, copy.name_range), ((2, 3), (2, 7)));
    assert_eq!(span(&df, copy.range), ((2, 3), (2, 42)));
    assert_eq!(copy.flags[0].name, "from");
    assert_eq!(copy.flags[0].value.as_deref(), Some("build"));
    assert_eq!(span(&df, copy.flags[1].range), ((2, 21), (2, 32)));
    let Args::List(words) = &copy.args else {
        panic!()
    };
    assert_eq!(span(&df, words[2].range), ((2, 37), (2, 42)));
}

#[test]
fn continuation_lines_map_back_to_their_physical_lines() {
    let df = parse(
        "RUN apt-get update && \\\n    # a comment inside\n\n    apt-get install -y curl \\\n  && rm -rf /var/lib/apt/lists/*\nUSER app\n",
    );
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.instructions.len(), 2);
    let run = &df.instructions[0];
    let Args::Shell(cmd) = &run.args else {
        panic!()
    };
    assert_eq!(
        cmd.value,
        "apt-get update &&     apt-get install -y curl   && rm -rf /var/lib/apt/lists/*"
    );
    assert_eq!(span(&df, run.range), ((1, 1), (5, 33)));
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, "a comment inside");
    assert_eq!(df.warnings.len(), 1, "the empty continuation line");
    assert_eq!(span(&df, df.instructions[1].range).0, (6, 1));
}

#[test]
fn escape_directive_changes_continuation() {
    let df = parse("# escape=`\nFROM windows\nRUN dir c:\\ `\n  && echo ok\n");
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[0].name, "escape");
    let Args::Shell(cmd) = &df.instructions[1].args else {
        panic!()
    };
    assert_eq!(cmd.value, "dir c:\\   && echo ok");
}

#[test]
fn directives_only_in_the_leading_block() {
    let df = parse("# hello\n# escape=`\nFROM a\nRUN a \\\n b\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    let df = parse("#syntax=docker/dockerfile:1\n# check=skip=all\n#escape=\\\nFROM a\n");
    let names: Vec<&str> = df.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["syntax", "check", "escape"]);
    assert_eq!(df.directives[1].value, "skip=all");
}

#[test]
fn bad_and_repeated_directives_are_errors_that_do_not_stop_the_parse() {
    let df = parse("# escape=x\nFROM a\n");
    assert_eq!(
        only_error(&df),
        ("invalid escape token 'x' does not match ` or \\", (1, 1))
    );
    assert_eq!(df.instructions.len(), 1);
    let df = parse("# syntax=a\n# syntax=b\nFROM a\n");
    assert_eq!(
        only_error(&df),
        ("only one syntax parser directive can be used", (2, 1))
    );
}

#[test]
fn heredoc_followed_directly_by_the_next_instruction() {
    let df = parse("FROM a\nRUN <<EOF\necho hi\nEOF\nUSER app\n");
    assert!(df.errors.is_empty());
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    let heredoc = &run.heredocs[0];
    assert_eq!(
        (heredoc.name.as_str(), heredoc.content.as_str()),
        ("EOF", "echo hi\n")
    );
    assert!(heredoc.expand && !heredoc.chomp);
    assert_eq!(span(&df, heredoc.range), ((3, 1), (4, 4)));
    assert_eq!(span(&df, run.range), ((2, 1), (4, 4)));
    assert_eq!(df.instructions[2].keyword, Keyword::User);
}

#[test]
fn heredoc_variants() {
    let df = parse(
        "FROM a\nRUN <<-'EOT' cat 3<<\"two\"\n\tone\n\tEOT\n$x\ntwo\nCOPY <<EOF /dest\nx\nEOF\nRUN python3 <<EOF\nprint(1)\nEOF\n",
    );
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let run = &df.instructions[1];
    let docs: Vec<_> = run
        .heredocs
        .iter()
        .map(|h| {
            (
                h.name.as_str(),
                h.chomp,
                h.expand,
                h.file_descriptor,
                h.content.as_str(),
            )
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("EOT", true, false, 0, "\tone\n"),
            ("two", false, false, 3, "$x\n")
        ]
    );
    assert_eq!(df.instructions[2].heredocs[0].content, "x\n");
    assert_eq!(df.instructions[3].heredocs[0].content, "print(1)\n");
}

#[test]
fn no_heredoc_in_exec_form_or_other_instructions() {
    let df = parse("FROM a\nRUN [\"cat\", \"<<EOF\"]\nCMD <<EOF\nUSER x\n");
    assert!(df.errors.is_empty());
    assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
    assert_eq!(df.instructions.len(), 4);
}

#[test]
fn unterminated_heredoc_takes_the_rest_of_the_file_as_its_body() {
    let df = parse("FROM a\nRUN cat <<EOF\nUSER app\nWORKDIR /x\n");
    assert_eq!(
        only_error(&df),
        ("unterminated heredoc `EOF` opened at line 2", (2, 9))
    );
    let keywords: Vec<Keyword> = df.instructions.iter().map(|i| i.keyword).collect();
    assert_eq!(keywords, [Keyword::From, Keyword::Run]);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    assert_eq!(run.heredocs[0].content, "USER app\nWORKDIR /x\n");
    assert_eq!(span(&df, run.range), ((2, 1), (5, 1)));
}

#[test]
fn an_unterminated_heredoc_at_the_end_of_the_file_has_an_empty_body() {
    let df = parse("FROM a\nRUN <<EOF");
    assert_eq!(
        only_error(&df),
        ("unterminated heredoc `EOF` opened at line 2", (2, 5))
    );
    assert_eq!(df.instructions[1].heredocs[0].content, "");
}

#[test]
fn a_later_unterminated_heredoc_takes_the_rest_after_the_earlier_body() {
    let df = parse("RUN <<A <<B\nFROM\nA\nx\n");
    assert_eq!(
        only_error(&df),
        ("unterminated heredoc `B` opened at line 1", (1, 9))
    );
    assert_eq!(df.instructions.len(), 1);
    let bodies: Vec<&str> = df.instructions[0]
        .heredocs
        .iter()
        .map(|h| h.content.as_str())
        .collect();
    assert_eq!(bodies, ["FROM\n", "x\n"]);
}

#[test]
fn one_unterminated_heredoc_is_one_error_whatever_follows() {
    let mut text = String::from("FROM scratch\nRUN <<EOF <<END\n");
    for i in 0..1000 {
        text.push_str(&format!("not an instruction {i}\n"));
    }
    let df = parse(&text);
    assert_eq!(
        only_error(&df),
        ("unterminated heredoc `EOF` opened at line 2", (2, 5))
    );
    assert_eq!(df.instructions.len(), 2);
    assert_eq!(df.instructions[1].heredocs.len(), 1);
}

#[test]
fn errors_carry_their_line_and_the_rest_is_parsed() {
    let df = parse("FROM a\n\nENV PATH\nCMD [\"a\", [1]]\nLABEL a=b c\nUSER app\n");
    let errors: Vec<_> = df
        .errors
        .iter()
        .map(|e| (e.message.as_str(), span(&df, e.range).0))
        .collect();
    assert_eq!(
        errors,
        [
            ("ENV must have two arguments", (3, 5)),
            (
                "when using JSON array syntax, arrays must be comprised of strings only",
                (4, 5)
            ),
            (
                "Syntax error - can't find = in \"c\". Must be of the form: name=value",
                (5, 11)
            ),
        ]
    );
    assert_eq!(df.instructions.len(), 2);
}

#[test]
fn empty_and_comment_only_files_have_no_instructions() {
    for text in ["", "# a\n\n   # b\n", "\u{feff}"] {
        assert_eq!(only_error(&parse(text)).0, "file with no instructions");
    }
}

#[test]
fn crlf_and_bom() {
    let df = parse_bytes(b"\xEF\xBB\xBFFROM a\r\nRUN x \\\r\n  y\r\n");
    assert!(df.errors.is_empty());
    let Args::Shell(cmd) = &df.instructions[1].args else {
        panic!()
    };
    assert_eq!(cmd.value, "x   y");
    assert_eq!(span(&df, cmd.range), ((2, 5), (3, 4)));
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("FROM a\nUSER b\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(parse_bytes(&utf16).instructions.len(), 2);
}

#[test]
fn legacy_env_and_label_forms() {
    let df = parse("FROM a\nENV A b c\nLABEL x=\"y z\" w=1\n");
    let Args::KeyValues(pairs) = &df.instructions[1].args else {
        panic!()
    };
    assert_eq!(
        (pairs[0].key.value.as_str(), pairs[0].value.value.as_str()),
        ("A", "b c")
    );
    assert_eq!(pairs[0].separator, "");
    let Args::KeyValues(pairs) = &df.instructions[2].args else {
        panic!()
    };
    assert_eq!(pairs[0].value.value, "\"y z\"");
    assert_eq!(span(&df, pairs[1].value.range), ((3, 17), (3, 18)));
}

#[test]
fn exec_form_and_its_fallback() {
    let df = parse("CMD [\"a\", \"b\"]\nCMD ['a']\nENTRYPOINT [\"a\"] extra\n");
    assert!(matches!(&df.instructions[0].args, Args::Exec(w) if values(w) == ["a", "b"]));
    assert!(matches!(&df.instructions[1].args, Args::Shell(w) if w.value == "['a']"));
    assert!(matches!(&df.instructions[2].args, Args::Shell(_)));
}

#[test]
fn onbuild_healthcheck_and_unknown_instructions() {
    let df = parse(
        "ONBUILD RUN --mount=type=cache,target=/x make\nHEALTHCHECK --interval=5s CMD [\"curl\"]\nHEALTHCHECK NONE\nFOO bar\n",
    );
    let Args::Onbuild(inner) = &df.instructions[0].args else {
        panic!()
    };
    assert_eq!(inner.keyword, Keyword::Run);
    assert_eq!(inner.flags[0].raw, "--mount=type=cache,target=/x");
    assert_eq!(span(&df, inner.flags[0].range).0, (1, 13));
    let Args::Healthcheck { kind, command } = &df.instructions[1].args else {
        panic!()
    };
    assert_eq!(kind.value, "CMD");
    assert!(matches!(&**command, Args::Exec(w) if values(w) == ["curl"]));
    assert!(
        matches!(&df.instructions[2].args, Args::Healthcheck { command, .. } if **command == Args::Empty)
    );
    assert_eq!(df.instructions[3].keyword, Keyword::Unknown);
    assert_eq!(df.instructions[3].name, "FOO");
}

#[test]
fn deep_onbuild_nesting_is_an_error_not_a_crash() {
    let text = format!("{}RUN x\n", "ONBUILD ".repeat(5_000));
    assert_eq!(only_error(&parse(&text)).0, "ONBUILD nested too deeply");
}

#[test]
fn continuation_at_end_of_file() {
    let df = parse("FROM a\nRUN something \\");
    let Args::Shell(cmd) = &df.instructions[1].args else {
        panic!()
    };
    assert_eq!(cmd.value, "something");
}

#[test]
fn a_directive_is_no_comment_of_the_first_instruction() {
    // BuildKit drops directive lines from `Node.PrevComment`.
    let df = parse("# check=skip=all\n# about it\nFROM a\n");
    assert_eq!(df.instructions[0].prev_comments, ["about it"]);
    let df = parse("# not a directive\n# check=skip=all\nFROM a\n");
    assert_eq!(
        df.instructions[0].prev_comments,
        ["not a directive", "check=skip=all"]
    );
}
