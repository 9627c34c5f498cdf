use super::*;
use crate::dockerfile::model::Model;
use crate::dockerfile::parse;

/// The argv of every command of `RUN <text>`, words joined by spaces.
fn commands(text: &str) -> Vec<String> {
    let dockerfile = parse(&format!("RUN {text}\n"));
    let script = parse_run(&dockerfile, &dockerfile.instructions[0]).expect("parses");
    script
        .commands
        .iter()
        .map(|c| {
            let words: Vec<&str> = c
                .assignments
                .iter()
                .chain(&c.argv)
                .map(|w| w.value.as_str())
                .collect();
            words.join(" ")
        })
        .collect()
}

fn script(source: &str) -> (Dockerfile, Option<Script>) {
    let dockerfile = parse(source);
    let index = dockerfile.instructions.len() - 1;
    let script = parse_run(&dockerfile, &dockerfile.instructions[index]);
    (dockerfile, script)
}

#[test]
fn lists_and_pipelines() {
    assert_eq!(
        commands("a && b || c; d | e & f"),
        ["a", "b", "c", "d", "e", "f"]
    );
    assert_eq!(
        commands("apt-get update&&apt-get install -y curl"),
        ["apt-get update", "apt-get install -y curl"]
    );
}

#[test]
fn quoting() {
    assert_eq!(commands("echo 'a b' \"c $D\" e\\ f"), ["echo a b c $D e f"]);
    assert_eq!(commands("echo \"a | b\" 'c && d'"), ["echo a | b c && d"]);
    assert_eq!(commands("echo $'x\\ty'"), ["echo x\\ty"]);
}

#[test]
fn subshells_groups_and_substitutions() {
    assert_eq!(
        commands("(cd /x && make) && { a; b; }"),
        ["cd /x", "make", "a", "b"]
    );
    assert_eq!(
        commands("x=$(cat f | wc -l) y"),
        ["x=$(cat f | wc -l) y", "cat f", "wc -l"]
    );
    assert_eq!(commands("echo `uname -m`"), ["echo `uname -m`", "uname -m"]);
    let (_, s) = script("RUN (cd /x && make) && cd /y\n");
    let s = s.unwrap();
    assert!(s.commands[0].subshell && !s.commands[2].subshell);
}

#[test]
fn assignments_and_redirections() {
    assert_eq!(
        commands("A=1 B=\"2 3\" make install > /dev/null 2>&1"),
        ["A=1 B=2 3 make install"]
    );
    assert_eq!(commands("FOO=bar"), ["FOO=bar"]);
    assert_eq!(commands("cmd <<EOF"), ["cmd"]);
    assert_eq!(commands("make &> log && make &>> log"), ["make", "make"]);
}

#[test]
fn compound_commands() {
    assert_eq!(
        commands("if [ -f x ]; then a; else b; fi"),
        ["[ -f x ]", "a", "b"]
    );
    assert_eq!(
        commands("for p in a b; do pip install $p; done"),
        ["pip install $p"]
    );
    assert_eq!(commands("while true; do x; done"), ["true", "x"]);
    assert_eq!(commands("case $A in x|y) a ;; *) b ;; esac"), ["a", "b"]);
    assert_eq!(
        commands("case $A in (x) a ;; (*) b;; esac; c"),
        ["a", "b", "c"]
    );
    assert_eq!(
        commands("A=$(case $B in x) echo 1;; *) echo 2;; esac) c"),
        [
            "A=$(case $B in x) echo 1;; *) echo 2;; esac) c",
            "echo 1",
            "echo 2"
        ]
    );
    assert_eq!(
        commands("[[ -f a && -f b ]] && c"),
        ["[[ -f a && -f b ]]", "c"]
    );
    assert_eq!(commands("f() { a; }; f"), ["a", "f"]);
    assert_eq!(commands("(( i = 1 + 2 )) && x"), ["(( i = 1 + 2 ))", "x"]);
    assert_eq!(commands("A=(x y) b"), ["A=(x y) b"]);
    assert_eq!(commands("diff <(a) <(b)"), ["diff <(a) <(b)", "a", "b"]);
}

#[test]
fn continuations_and_comment_lines() {
    let (df, s) =
        script("RUN apt-get update \\\n  # comment\n\n  && apt-get install \\\n   -y curl\n");
    let s = s.unwrap();
    assert_eq!(s.commands.len(), 2);
    let install = &s.commands[1];
    assert_eq!(install.argv.len(), 4);
    let curl = &install.argv[3];
    assert_eq!(&df.source[curl.range.start..curl.range.end], "curl");
    assert_eq!(df.lines.position(&df.source, curl.range.start).line, 5);
}

#[test]
fn spans_are_exact() {
    let (df, s) = script("RUN echo \"a b\" && apt-get   install  'x'\n");
    let s = s.unwrap();
    let text = |r: TextRange| &df.source[r.start..r.end];
    assert_eq!(text(s.commands[0].argv[1].range), "\"a b\"");
    assert_eq!(text(s.commands[1].argv[2].range), "'x'");
    assert_eq!(text(s.commands[1].range), "apt-get   install  'x'");
}

#[test]
fn heredocs() {
    let (_, s) = script("RUN <<EOF\napt-get update\napt-get install -y x\nEOF\n");
    assert_eq!(s.unwrap().commands.len(), 2);
    let (_, s) = script("RUN bash -e <<EOF\ncd /x && make\nEOF\n");
    assert!(s.unwrap().runs("make"));
    let (_, s) = script("RUN python3 <<EOF\nimport os\nEOF\n");
    assert!(!s.unwrap().runs("import"));
    let (_, s) = script("RUN <<EOF\ncat <<X > f\ncd a\nX\nls\nEOF\n");
    let s = s.unwrap();
    assert!(s.runs("ls") && !s.runs("cd"));
}

#[test]
fn exec_form_keeps_words() {
    let (_, s) = script("RUN [\"apt-get\", \"install\", \"a b\"]\n");
    let s = s.unwrap();
    assert_eq!(s.commands[0].argv[2].value, "a b");
}

#[test]
fn onbuild_run() {
    let (_, s) = script("ONBUILD RUN cd /x\n");
    assert!(s.unwrap().runs("cd"));
}

#[test]
fn pipes_and_pipefail() {
    let (_, s) = script("RUN a || b\n");
    assert_eq!(s.unwrap().pipes().count(), 0);
    let (_, s) = script("RUN set -eo pipefail && a | b\n");
    let s = s.unwrap();
    let pipe = s.pipes().next().unwrap();
    assert!(s.pipefail_before(pipe.start));
    let (_, s) = script("RUN a | b && set -o pipefail\n");
    let s = s.unwrap();
    assert!(!s.pipefail_before(s.pipes().next().unwrap().start));
}

#[test]
fn queries() {
    let (_, s) =
        script("RUN apt-get -qy -o Dpkg::Options::=x install --no-install-recommends curl=1 git\n");
    let s = s.unwrap();
    let c = s
        .commands_with("apt-get", &["install"], &["-o"])
        .next()
        .unwrap();
    assert!(c.has_flag(&["-y", "--yes"]));
    assert!(c.has_flag(&["--no-install-recommends"]));
    assert!(!c.has_flag(&["-t"]));
    let packages: Vec<&str> = c.operands(&["-o"]).map(|w| w.value.as_str()).collect();
    assert_eq!(packages, ["curl=1", "git"]);
    assert!(s.commands_named("apt-get").next().unwrap().is("apt-get"));
}

#[test]
fn unreadable_scripts_are_none() {
    for text in [
        "echo 'open",
        "echo \"open",
        "echo $(open",
        "a )",
        "( a",
        "echo `x",
        "a > ",
    ] {
        let (_, s) = script(&format!("RUN {text}\n"));
        assert!(s.is_none(), "{text}");
    }
}

#[test]
fn shell_setting() {
    let df = parse("FROM a AS x\nSHELL [\"pwsh\", \"-c\"]\nFROM x\nRUN a | b\n");
    let model = Model::new(&df);
    let shell = shell_at(&df, &model, 3);
    assert!(shell.origin == ShellOrigin::Instruction && !shell.is_posix());
    assert!(Scripts::new(&df).get(&df, &model, 3).is_none());
    let df = parse("FROM a\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN a | b\n");
    let model = Model::new(&df);
    assert!(shell_at(&df, &model, 2).pipefail());
}

#[test]
fn a_shell_run_through_env_is_that_shell() {
    let df = parse("FROM a\nSHELL [\"/usr/bin/env\", \"-S\", \"bash\", \"-c\"]\nRUN a | b\n");
    let model = Model::new(&df);
    assert_eq!(shell_at(&df, &model, 2).name(), "bash");
    assert!(Scripts::new(&df).get(&df, &model, 2).is_some());
}

#[test]
fn a_shell_pragma_declares_the_shell_until_a_later_shell_instruction() {
    let at = |source: &str, index: usize| {
        let df = parse(source);
        let model = Model::new(&df);
        let shell = shell_at(&df, &model, index);
        (shell.argv.join(" "), shell.origin)
    };
    let pragma = |name: &str| (name.to_string(), ShellOrigin::Pragma);
    let source =
        "# hadolint shell=powershell\nFROM a\nRUN x\nSHELL [\"/bin/bash\", \"-c\"]\nRUN y\n";
    assert_eq!(at(source, 1), pragma("powershell"));
    assert_eq!(
        at(source, 3),
        ("/bin/bash -c".to_string(), ShellOrigin::Instruction)
    );
    // A pragma after the SHELL is the later word.
    let source = "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\n# hadolint shell=pwsh\nRUN x\n";
    assert_eq!(at(source, 2), pragma("pwsh"));
    let source = "FROM a\nRUN x\n";
    assert_eq!(
        at(source, 1),
        ("/bin/sh -c".to_string(), ShellOrigin::Default)
    );
    // A non-POSIX pragma turns the shell rules off for the RUNs it holds for.
    let df = parse("# hadolint shell=powershell\nFROM a\nRUN a | b\n");
    let model = Model::new(&df);
    assert!(Scripts::new(&df).get(&df, &model, 1).is_none());
}

#[test]
fn scripts_past_the_size_limit_are_not_read() {
    let lines = "a b\n".repeat(MAX_SCRIPT_BYTES / 4 + 1);
    assert!(
        script(&format!("FROM scratch\nRUN <<EOF\n{lines}EOF\n"))
            .1
            .is_none()
    );
    assert!(
        script(&format!("FROM scratch\nRUN <<EOF\n{lines}"))
            .1
            .is_none(),
        "unterminated"
    );
    let small = "a b\n".repeat(100);
    assert!(
        script(&format!("FROM scratch\nRUN <<EOF\n{small}EOF\n"))
            .1
            .is_some()
    );
}

#[test]
fn a_windows_base_image_runs_cmd() {
    let shell = |source: &str| {
        let df = parse(source);
        let model = Model::new(&df);
        let index = df.instructions.len() - 1;
        let shell = shell_at(&df, &model, index);
        let parsed = Scripts::new(&df).get(&df, &model, index).is_some();
        (shell.argv.join(" "), shell.origin, parsed)
    };
    let cmd = || ("cmd /S /C".to_string(), ShellOrigin::WindowsBase, false);
    for source in [
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo print(\"hi\") > c:\\hello.py\n",
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2025 AS base\nFROM base\nRUN a | b\n",
        "FROM microsoft/windowsservercore\nRUN a | b\n",
        "FROM mcr.microsoft.com/windowsservercore-insider:10.0.17744.1001\nRUN a | b\n",
        "FROM golang:1.26-windowsservercore-ltsc2022\nRUN a | b\n",
        "ARG REPO=mcr.microsoft.com/dotnet/aspnet\nFROM $REPO:8.0-nanoserver-1809\nRUN a | b\n",
        "FROM --platform=windows/amd64 example.com/tools:1\nRUN a | b\n",
    ] {
        assert_eq!(shell(source), cmd(), "{source}");
    }
    // A SHELL or a pragma says otherwise; Linux images and unknown bases run sh.
    let source = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN a | b\n";
    assert_eq!(shell(source).1, ShellOrigin::Instruction);
    let sh = |parsed| ("/bin/sh -c".to_string(), ShellOrigin::Default, parsed);
    for source in [
        "FROM debian:12\nRUN a | b\n",
        "FROM windows-tools/linux:1\nRUN a | b\n",
        "ARG BASE\nFROM $BASE\nRUN a | b\n",
        "FROM --platform=linux/amd64 mcr.microsoft.com/windows/servercore:ltsc2022\nRUN a | b\n",
    ] {
        assert_eq!(shell(source), sh(true), "{source}");
    }
}

/// `logical_chars` a character at a time, as it was first written: the reference the
/// stretch-at-a-time version must agree with.
fn logical_chars_by_char(source: &str, range: TextRange, escape: char) -> Vec<Char> {
    let text = source.get(range.start..range.end).unwrap_or("");
    let bytes = text.as_bytes();
    let mut chars = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == escape {
            let mut j = i + c.len_utf8();
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\r' {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'\n' {
                let mut next = (j + 1).min(bytes.len());
                loop {
                    let line_end = text[next..].find('\n').map_or(text.len(), |e| next + e);
                    let line = text[next..line_end].trim();
                    if next < text.len() && (line.is_empty() || line.starts_with('#')) {
                        next = (line_end + 1).min(text.len());
                    } else {
                        break;
                    }
                }
                while iter.peek().is_some_and(|&(k, _)| k < next) {
                    iter.next();
                }
                continue;
            }
        }
        chars.push((c, range.start + i));
    }
    chars
}

proptest::proptest! {
    #[test]
    fn logical_chars_agree_with_the_character_at_a_time_reference(
        text in "[a \\t\\r\\n#\\\\`é]{0,40}",
        backtick in proptest::bool::ANY,
    ) {
        let source = format!("RUN {text}");
        let range = TextRange::new(4, source.len());
        let escape = if backtick { '`' } else { '\\' };
        proptest::prop_assert_eq!(
            logical_chars(&source, range, escape),
            logical_chars_by_char(&source, range, escape)
        );
    }
}
