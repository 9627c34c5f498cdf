use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The expanded word, or `"error"` as BuildKit's table files write it.
fn word_or_error(lexer: Lexer, input: &str, env: &dyn Env) -> String {
    lexer
        .process_word(input, env)
        .unwrap_or_else(|_| "error".into())
}

fn word(input: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
    Lexer::new('\\')
        .process_word(input, &env(pairs))
        .map_err(|e| e.message)
}

/// BuildKit's `envVarTest`: every line marked A (all platforms) or U (Unix), with the
/// environment `TestShellParser4EnvVars` uses.
#[test]
fn buildkit_env_var_test() {
    let environment = env(&[
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]);
    let cases: &[(&str, &str)] = &[
        (r#"hello"#, r#"hello"#),
        (r#"he'll'o"#, r#"hello"#),
        (r#"he'llo"#, r#"error"#),
        (r#"he\'llo"#, r#"he'llo"#),
        (r#"he\\'llo"#, r#"error"#),
        (r#"abc\tdef"#, r#"abctdef"#),
        (r#""abc\tdef""#, r#"abc\tdef"#),
        (r#""abc\\tdef""#, r#"abc\tdef"#),
        (r#"'abc\tdef'"#, r#"abc\tdef"#),
        (r#"hello\"#, r#"hello"#),
        (r#"hello\\"#, r#"hello\"#),
        (r#""hello"#, r#"error"#),
        (r#""hello\""#, r#"error"#),
        (r#""hel'lo""#, r#"hel'lo"#),
        (r#"'hello"#, r#"error"#),
        (r#"'hello\'"#, r#"hello\"#),
        (r#"'hello\there'"#, r#"hello\there"#),
        (r#"'hello\\there'"#, r#"hello\\there"#),
        (r#""''""#, r#"''"#),
        (r#"$."#, r#"$."#),
        (r#"$1"#, r#""#),
        (r#"$#"#, r#""#),
        (r#"he$1x"#, r#"hex"#),
        (r#"he$.x"#, r#"he$.x"#),
        (r#"he$pwd."#, r#"he."#),
        (r#"he$PWD"#, r#"he/home"#),
        (r#"he\$PWD"#, r#"he$PWD"#),
        (r#"he\\$PWD"#, r#"he\/home"#),
        (r#""he\$PWD""#, r#"he$PWD"#),
        (r#""he\\$PWD""#, r#"he\/home"#),
        (r#"\${}"#, r#"${}"#),
        (r#"\${}aaa"#, r#"${}aaa"#),
        (r#"he\${}"#, r#"he${}"#),
        (r#"he\${}xx"#, r#"he${}xx"#),
        (r#"${}"#, r#"error"#),
        (r#"${}aaa"#, r#"error"#),
        (r#"he${}"#, r#"error"#),
        (r#"he${}xx"#, r#"error"#),
        (r#"he${hi}"#, r#"he"#),
        (r#"he${hi}xx"#, r#"hexx"#),
        (r#"he${PWD}"#, r#"he/home"#),
        (r#"he${.}"#, r#"error"#),
        (r#"he${XXX:-000}xx"#, r#"he000xx"#),
        (r#"he${PWD:-000}xx"#, r#"he/homexx"#),
        (r#"he${XXX:-$PWD}xx"#, r#"he/homexx"#),
        (r#"he${XXX:-${PWD:-yyy}}xx"#, r#"he/homexx"#),
        (r#"he${XXX:-${YYY:-yyy}}xx"#, r#"heyyyxx"#),
        (r#"he${XXX:YYY}"#, r#"error"#),
        (r#"he${XXX?}"#, r#"error"#),
        (r#"he${PWD?}"#, r#"he/home"#),
        (r#"he${NULL?}"#, r#"he"#),
        (r#"he${NULL:?}"#, r#"error"#),
        (r#"he${XXX:?}"#, r#"error"#),
        (r#"he${XXX:+${PWD}}xx"#, r#"hexx"#),
        (r#"he${PWD:+${XXX}}xx"#, r#"hexx"#),
        (r#"he${PWD:+${SHELL}}xx"#, r#"hebashxx"#),
        (r#"he${XXX:+000}xx"#, r#"hexx"#),
        (r#"he${PWD:+000}xx"#, r#"he000xx"#),
        (r#"'he${XX}'"#, r#"he${XX}"#),
        (r#""he${PWD}""#, r#"he/home"#),
        (r#""he'$PWD'""#, r#"he'/home'"#),
        (r#""$PWD""#, r#"/home"#),
        (r#"'$PWD'"#, r#"$PWD"#),
        (r#"'\$PWD'"#, r#"\$PWD"#),
        (r#"'"hello"'"#, r#""hello""#),
        (r#"he\$PWD"#, r#"he$PWD"#),
        (r#""he\$PWD""#, r#"he$PWD"#),
        (r#"'he\$PWD'"#, r#"he\$PWD"#),
        (r#"he${PWD"#, r#"error"#),
        (r#"he${PWD:=000}xx"#, r#"error"#),
        (r#"he${PWD:+${PWD}:}xx"#, r#"he/home:xx"#),
        (r#"he${XXX:-\$PWD:}xx"#, r#"he$PWD:xx"#),
        (r#"he${XXX:-\${PWD}z}xx"#, r#"he${PWDz}xx"#),
        (r#"안녕하세요"#, r#"안녕하세요"#),
        (r#"안'녕'하세요"#, r#"안녕하세요"#),
        (r#"안'녕하세요"#, r#"error"#),
        (r#"안녕\'하세요"#, r#"안녕'하세요"#),
        (r#"안\\'녕하세요"#, r#"error"#),
        (r#"안녕\t하세요"#, r#"안녕t하세요"#),
        (r#""안녕\t하세요""#, r#"안녕\t하세요"#),
        (r#"'안녕\t하세요"#, r#"error"#),
        (r#"안녕하세요\"#, r#"안녕하세요"#),
        (r#"안녕하세요\\"#, r#"안녕하세요\"#),
        (r#""안녕하세요"#, r#"error"#),
        (r#""안녕하세요\""#, r#"error"#),
        (r#""안녕'하세요""#, r#"안녕'하세요"#),
        (r#"'안녕하세요"#, r#"error"#),
        (r#"'안녕하세요\'"#, r#"안녕하세요\"#),
        (r#"안녕$1x"#, r#"안녕x"#),
        (r#"안녕$.x"#, r#"안녕$.x"#),
        (r#"안녕$pwd."#, r#"안녕."#),
        (r#"안녕$PWD"#, r#"안녕/home"#),
        (r#"안녕\$PWD"#, r#"안녕$PWD"#),
        (r#"안녕\\$PWD"#, r#"안녕\/home"#),
        (r#"안녕\${}"#, r#"안녕${}"#),
        (r#"안녕\${}xx"#, r#"안녕${}xx"#),
        (r#"안녕${}"#, r#"error"#),
        (r#"안녕${}xx"#, r#"error"#),
        (r#"안녕${hi}"#, r#"안녕"#),
        (r#"안녕${hi}xx"#, r#"안녕xx"#),
        (r#"안녕${PWD}"#, r#"안녕/home"#),
        (r#"안녕${.}"#, r#"error"#),
        (r#"안녕${XXX:-000}xx"#, r#"안녕000xx"#),
        (r#"안녕${PWD:-000}xx"#, r#"안녕/homexx"#),
        (r#"안녕${XXX:-$PWD}xx"#, r#"안녕/homexx"#),
        (r#"안녕${XXX:-${PWD:-yyy}}xx"#, r#"안녕/homexx"#),
        (r#"안녕${XXX:-${YYY:-yyy}}xx"#, r#"안녕yyyxx"#),
        (r#"안녕${XXX:YYY}"#, r#"error"#),
        (r#"안녕${XXX:+${PWD}}xx"#, r#"안녕xx"#),
        (r#"안녕${PWD:+${XXX}}xx"#, r#"안녕xx"#),
        (r#"안녕${PWD:+${SHELL}}xx"#, r#"안녕bashxx"#),
        (r#"안녕${XXX:+000}xx"#, r#"안녕xx"#),
        (r#"안녕${PWD:+000}xx"#, r#"안녕000xx"#),
        (r#"'안녕${XX}'"#, r#"안녕${XX}"#),
        (r#""안녕${PWD}""#, r#"안녕/home"#),
        (r#""안녕'$PWD'""#, r#"안녕'/home'"#),
        (r#"'"안녕"'"#, r#""안녕""#),
        (r#"안녕\$PWD"#, r#"안녕$PWD"#),
        (r#""안녕\$PWD""#, r#"안녕$PWD"#),
        (r#"'안녕\$PWD'"#, r#"안녕\$PWD"#),
        (r#"안녕${PWD"#, r#"error"#),
        (r#"안녕${PWD:=000}xx"#, r#"error"#),
        (r#"안녕${PWD:+${PWD}:}xx"#, r#"안녕/home:xx"#),
        (r#"안녕${XXX:-\$PWD:}xx"#, r#"안녕$PWD:xx"#),
        (r#"안녕${XXX:-\${PWD}z}xx"#, r#"안녕${PWDz}xx"#),
        (r#"$KOREAN"#, r#"한국어"#),
        (r#"${KOREAN}"#, r#"한국어"#),
        (r#"안녕$KOREAN"#, r#"안녕한국어"#),
        (r#"${{aaa}"#, r#"error"#),
        (r#"${aaa}}"#, r#"}"#),
        (r#"${aaa"#, r#"error"#),
        (r#"${{aaa:-bbb}"#, r#"error"#),
        (r#"${aaa:-bbb}}"#, r#"bbb}"#),
        (r#"${aaa:-bbb"#, r#"error"#),
        (r#"${aaa:-bbb}"#, r#"bbb"#),
        (r#"${aaa:-${bbb:-ccc}}"#, r#"ccc"#),
        (r#"${aaa:-bbb ${foo}"#, r#"error"#),
        (r#"${aaa:-bbb {foo}"#, r#"bbb {foo"#),
        (r#"${:}"#, r#"error"#),
        (r#"${:-bbb}"#, r#"error"#),
        (r#"${:+bbb}"#, r#"error"#),
    ];
    for (input, expected) in cases {
        let actual = word_or_error(Lexer::new('\\'), input, &environment);
        assert_eq!(&actual, expected, "input {input:?}");
    }
}

/// BuildKit's `wordsTest`: `ENV` lines add to the environment of the lines after them.
#[test]
fn buildkit_words_test() {
    enum Line<'a> {
        Env(&'a str, &'a str),
        Words(&'a str, &'a [&'a str]),
    }
    use Line::{Env as Set, Words as W};
    let lines = [
        W("hello", &["hello"]),
        W("hello${hi}bye", &["hellobye"]),
        Set("hi", "hi"),
        W("hello${hi}bye", &["hellohibye"]),
        Set("space", "abc  def"),
        W("hello${space}bye", &["helloabc", "defbye"]),
        W(r#"hello"${space}"bye"#, &["helloabc  defbye"]),
        W(r#"hello "${space}"bye"#, &["hello", "abc  defbye"]),
        Set("leading", "  ab c"),
        W("hello${leading}def", &["hello", "ab", "cdef"]),
        W(r#"hello"${leading}" def"#, &["hello  ab c", "def"]),
        W(r#"hello"${leading}""#, &["hello  ab c"]),
        W("hello${leading}", &["hello", "ab", "c"]),
        Set("trailing", "ab c   "),
        W("hello${trailing}", &["helloab", "c"]),
        W("hello${trailing}d", &["helloab", "c", "d"]),
        W(r#"hello"${trailing}"d"#, &["helloab c   d"]),
        W(r#"hel"lo${trailing}""#, &["helloab c   "]),
        W(r#"hello" there  ""#, &["hello there  "]),
        W("hello there", &["hello", "there"]),
        W(r#"hello\ there"#, &["hello there"]),
        W(r#"hello" there"#, &["error"]),
        W(r#"hello\" there"#, &["hello\"", "there"]),
        W(r#"hello"\\there""#, &[r"hello\there"]),
        W(r#"hello"\there""#, &[r"hello\there"]),
        W(r#"hello'\\there'"#, &[r"hello\\there"]),
        W(r#"hello'\there'"#, &[r"hello\there"]),
        W(r#"hello'$there'"#, &["hello$there"]),
    ];
    let mut environment = HashMap::new();
    for line in lines {
        match line {
            Set(name, value) => {
                environment.insert(name.to_string(), value.to_string());
            }
            W(input, expected) => {
                let actual = Lexer::new('\\')
                    .process_words(input, &environment)
                    .unwrap_or_else(|_| vec!["error".into()]);
                assert_eq!(actual, expected, "input {input:?}");
            }
        }
    }
}

/// BuildKit's `TestProcessWithMatches`: results plus the matched and unmatched names.
#[test]
fn buildkit_process_with_matches() {
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
    );
    let foo_bar: &[(&str, &str)] = &[("FOO", "xxx"), ("BAR", "")];
    let cases: &[Case] = &[
        ("x", &[("DUMMY", "dummy")], "x", &[], &[]),
        ("x ${UNUSED}", &[("DUMMY", "dummy")], "x ", &[], &["UNUSED"]),
        ("x ${FOO}", &[("FOO", "y")], "x y", &["FOO"], &[]),
        (
            "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
            foo_bar,
            "xxx  ccc",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        (
            "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
            foo_bar,
            "xxx bbb ccc",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        ("${FOO:-}", foo_bar, "xxx", &["FOO"], &[]),
        ("${FOO:-}", &[], "", &[], &["FOO"]),
        (
            "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
            foo_bar,
            "aaa bbb ",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        (
            "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
            foo_bar,
            "aaa  ",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        ("${FOO?aaa}", foo_bar, "xxx", &["FOO"], &[]),
        ("${BAR?bbb}", foo_bar, "", &["BAR"], &[]),
        ("${BAZ?ccc}", foo_bar, "error", &[], &[]),
        ("${FOO:?aaa}", foo_bar, "xxx", &["FOO"], &[]),
        ("${BAR:?bbb}", foo_bar, "error", &[], &[]),
        ("${BAZ:?ccc}", foo_bar, "error", &[], &[]),
        ("${BAZ:?}", foo_bar, "error", &[], &[]),
        ("${FOO=aaa}", foo_bar, "error", &[], &[]),
        ("${FOO=:aaa}", foo_bar, "error", &[], &[]),
        ("${FOO=}", &[], "error", &[], &[]),
        (
            r"${FOO#()[]{\}^$.\*\?|\\}",
            &[("FOO", r"()[]{}^$.*?|\x")],
            "x",
            &["FOO"],
            &[],
        ),
        (r"${FOO%%\**}", &[("FOO", "xx**")], "xx", &["FOO"], &[]),
        ("${FOO#*x*y}", &[("FOO", "xxyy")], "y", &["FOO"], &[]),
        ("${FOO#*}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        (
            "${FOO#$BAR}",
            &[("FOO", "xxyy"), ("BAR", "x")],
            "xyy",
            &["FOO", "BAR"],
            &[],
        ),
        (
            "${FOO#$BAR}",
            &[("FOO", "xxyy"), ("BAR", "")],
            "xxyy",
            &["FOO", "BAR"],
            &[],
        ),
        ("${FOO#}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        ("${FOO##*x}", &[("FOO", "xxyy")], "yy", &["FOO"], &[]),
        ("${FOO##}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        (r"${FOO#?\?}", &[("FOO", "???y")], "?y", &["FOO"], &[]),
        (
            "${ABC:-.}${FOO%x}${ABC:-.}",
            &[("FOO", "xxyy")],
            ".xxyy.",
            &["FOO"],
            &["ABC"],
        ),
        (r"${FOO%%\**\*}", &[("FOO", "a***yy*")], "a", &["FOO"], &[]),
        ("${FOO%}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        (
            "${FOO%%$BAR}",
            &[("FOO", "xxyy"), ("BAR", "")],
            "xxyy",
            &["FOO", "BAR"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
            &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", r"\*/")],
            "/foo.*/*.txt - /foo..*.txt",
            &["FOO", "NEEDLE"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
            &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
            "/tmp/bar.txt - /bar.txt",
            &["FOO", "NEEDLE"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "/a/foo/b/c.txt"),
                ("NEEDLE", "/?/"),
                ("REPLACEMENT", "/"),
            ],
            "/foo/b/c.txt - /foo/c.txt",
            &["FOO", "NEEDLE", "REPLACEMENT"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "http://google.de"),
                ("NEEDLE", "http://"),
                ("REPLACEMENT", "https://"),
            ],
            "https://google.de",
            &["FOO", "NEEDLE", "REPLACEMENT"],
            &[],
        ),
        (
            r"${FOO//\//\/}",
            &[("FOO", "/tmp/foo.txt")],
            r"\/tmp\/foo.txt",
            &["FOO"],
            &[],
        ),
        (
            "${FOO/$BAR/ww}",
            &[("FOO", "xxyy"), ("BAR", "")],
            "wwxxyy",
            &["FOO", "BAR"],
            &[],
        ),
        ("${FOO//ww}", &[("FOO", "xxyy")], "error", &[], &[]),
        ("${FOO//}", &[("FOO", "xxyy")], "error", &[], &[]),
        ("${FOO///}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        ("${FOO///}", &[], "", &[], &["FOO"]),
    ];
    for (input, pairs, expected, matched, unmatched) in cases {
        let lexer = Lexer::new('\\');
        match lexer.process(input, &env(pairs)) {
            Err(_) => assert_eq!(*expected, "error", "input {input:?}"),
            Ok(processed) => {
                assert_eq!(processed.result, *expected, "input {input:?}");
                let mut names = processed.matched.clone();
                names.sort();
                let mut want = matched.to_vec();
                want.sort();
                assert_eq!(names, want, "matched of {input:?}");
                assert_eq!(processed.unmatched, *unmatched, "unmatched of {input:?}");
                assert!(!processed.unknown);
            }
        }
    }
}

/// BuildKit's `TestProcessWithMatchesPlatform`.
#[test]
fn buildkit_release_file_name() {
    let release =
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
    let mut pairs = vec![
        ("VERSION", "v1.2.3"),
        ("TARGETOS", "linux"),
        ("TARGETARCH", "arm"),
        ("TARGETVARIANT", "v7"),
    ];
    assert_eq!(
        word(release, &pairs).unwrap(),
        "something-v1.2.3.linux-arm-v7.tar.gz"
    );
    pairs[3].1 = "";
    assert_eq!(
        word(release, &pairs).unwrap(),
        "something-v1.2.3.linux-arm.tar.gz"
    );
    pairs.pop();
    assert_eq!(
        word(release, &pairs).unwrap(),
        "something-v1.2.3.linux-arm.tar.gz"
    );
}

/// BuildKit's `TestShellParserMandatoryEnvVars`.
#[test]
fn buildkit_mandatory_variables() {
    let set = [("VAR", "plain"), ("ARG", "x")];
    let empty = [("VAR", ""), ("ARG", "x")];
    let unset = [("ARG", "x")];
    let no_empty = "${VAR:?message here$ARG}";
    let no_unset = "${VAR?message here$ARG}";
    assert_eq!(word(no_empty, &set).unwrap(), "plain");
    assert!(
        word(no_empty, &empty)
            .unwrap_err()
            .contains("message herex")
    );
    assert!(
        word(no_empty, &unset)
            .unwrap_err()
            .contains("message herex")
    );
    assert_eq!(word(no_unset, &set).unwrap(), "plain");
    assert_eq!(word(no_unset, &empty).unwrap(), "");
    assert!(
        word(no_unset, &unset)
            .unwrap_err()
            .contains("message herex")
    );
}

/// BuildKit's `TestConvertShellPatternToRegex` (the invalid ones) and
/// `TestReversePattern`.
#[test]
fn buildkit_pattern_helpers() {
    for bad in [r"\", r"\x", r"\\\"] {
        assert!(pattern::compile_check(bad).is_err(), "{bad:?}");
    }
    for good in ["*", "?", r"\*", r"(()[]{\}^$.\*\?|\\"] {
        assert!(pattern::compile_check(good).is_ok(), "{good:?}");
    }
    for (input, reversed) in [
        (r"a\*c", r"c\*a"),
        (r"\\\ab", r"b\a\\"),
        (r"ab\", r"\ba"),
        (r"👽\🚀🖖", r"🖖\🚀👽"),
        (r"\\b", r"b\\"),
    ] {
        assert_eq!(pattern::reverse_for_test(input), reversed, "{input:?}");
    }
}

#[test]
fn default_and_alternative_values() {
    let pairs = [("SET", "v"), ("EMPTY", "")];
    let cases = [
        ("${SET:-d}", "v"),
        ("${EMPTY:-d}", "d"),
        ("${UNSET:-d}", "d"),
        ("${SET-d}", "v"),
        ("${EMPTY-d}", ""),
        ("${UNSET-d}", "d"),
        ("${SET:+a}", "a"),
        ("${EMPTY:+a}", ""),
        ("${UNSET:+a}", ""),
        ("${SET+a}", "a"),
        ("${EMPTY+a}", "a"),
        ("${UNSET+a}", ""),
        ("${UNSET:-'a b'}", "a b"),
        ("${UNSET:-\"$SET\"}", "v"),
        ("${UNSET:-'}'}", "}"),
    ];
    for (input, expected) in cases {
        assert_eq!(word(input, &pairs).unwrap(), expected, "{input:?}");
    }
}

#[test]
fn required_values_and_their_messages() {
    let pairs = [("SET", "v"), ("EMPTY", "")];
    assert_eq!(word("${SET:?no}", &pairs).unwrap(), "v");
    assert_eq!(word("${SET?no}", &pairs).unwrap(), "v");
    assert_eq!(word("${EMPTY?no}", &pairs).unwrap(), "");
    let messages = [
        ("${UNSET?}", "UNSET: is not allowed to be unset"),
        ("${UNSET:?}", "UNSET: is not allowed to be unset"),
        ("${EMPTY:?}", "EMPTY: is not allowed to be empty"),
        ("${EMPTY:?say $SET}", "EMPTY: say v"),
    ];
    for (input, message) in messages {
        assert_eq!(
            word(input, &pairs).unwrap_err(),
            format!("failed to process \"{input}\": {message}")
        );
    }
}

#[test]
fn prefix_and_suffix_removal() {
    let pairs = [("P", "/usr/local/bin/tool.tar.gz"), ("V", "aXbXc")];
    let cases = [
        ("${P#*/}", "usr/local/bin/tool.tar.gz"),
        ("${P##*/}", "tool.tar.gz"),
        ("${P%.*}", "/usr/local/bin/tool.tar"),
        ("${P%%.*}", "/usr/local/bin/tool"),
        ("${P%/*}", "/usr/local/bin"),
        ("${P#/usr}", "/local/bin/tool.tar.gz"),
        ("${P#nomatch}", "/usr/local/bin/tool.tar.gz"),
        ("${V#?X}", "bXc"),
        ("${V%X?}", "aXb"),
        ("${V##*X}", "c"),
        ("${V%%X*}", "a"),
        ("${V:#a}", "XbXc"),
        ("${UNSET#a}", ""),
        ("${V#\"a\"}", "XbXc"),
    ];
    for (input, expected) in cases {
        assert_eq!(word(input, &pairs).unwrap(), expected, "{input:?}");
    }
}

#[test]
fn patterns_never_cross_newlines() {
    // BuildKit's patterns are Go regexes without the `s` flag: `.` skips `\n`.
    let pairs = [("M", "a\nb\nc")];
    assert_eq!(word("${M#*}", &pairs).unwrap(), "a\nb\nc");
    assert_eq!(word("${M##*}", &pairs).unwrap(), "\nb\nc");
    assert_eq!(word("${M##*b}", &pairs).unwrap(), "a\nb\nc");
    assert_eq!(word("${M%%*}", &pairs).unwrap(), "a\nb\n");
    assert_eq!(word("${M#a?b}", &pairs).unwrap(), "a\nb\nc");
    assert_eq!(word("${M//*/x}", &pairs).unwrap(), "x\nx\nx");
}

#[test]
fn stars_prefer_left_to_right() {
    // Leftmost-first: each star, from the left, takes as much (or as little) as it can.
    let pairs = [("V", "abcabc")];
    assert_eq!(word("${V##*b}", &pairs).unwrap(), "c");
    assert_eq!(word("${V#*b}", &pairs).unwrap(), "cabc");
    assert_eq!(word("${V%b*}", &pairs).unwrap(), "abca");
    assert_eq!(word("${V%%b*}", &pairs).unwrap(), "a");
    assert_eq!(word("${V/b*/x}", &pairs).unwrap(), "ax");
    assert_eq!(word("${V//b?/x}", &pairs).unwrap(), "axax");
}

#[test]
fn replacement() {
    let pairs = [("V", "a-b-c"), ("E", ""), ("T", "<$$|$0|${0}|$1|$x|${|$>")];
    let cases = [
        ("${V/-/+}", "a+b-c"),
        ("${V//-/+}", "a+b+c"),
        ("${V/x/+}", "a-b-c"),
        ("${V//-/}", "abc"),
        ("${V/#/x}", "a-b-c"),
        ("${E//*/x}", "x"),
        ("${V//*/x}", "x"),
        ("${V///x}", "xax-xbx-xcx"),
        ("${UNSET/a/b}", ""),
        // Go's ReplaceAllString template: `$0` is the match, `$$` a dollar.
        (r"${V//-/<\$0>}", r"a<\->b<\->c"),
        ("${V//-/$T}", "a<$|-|-|||${|$>b<$|-|-|||${|$>c"),
        // A single replacement is literal.
        (r"${V/-/\$0}", r"a\$0b-c"),
        ("${V/-/$T}", "a<$$|$0|${0}|$1|$x|${|$>b-c"),
    ];
    for (input, expected) in cases {
        assert_eq!(word(input, &pairs).unwrap(), expected, "{input:?}");
    }
}

#[test]
fn pattern_errors_are_buildkits() {
    let pairs = [("V", "abc")];
    assert_eq!(
        word(r"${V#\x}", &pairs).unwrap_err(),
        r#"failed to process "${V#\\x}": invalid pattern (\x) in substitution: invalid escape '\x'"#
    );
    // `%` reverses the pattern first, and the message shows the reversed one.
    assert_eq!(
        word(r"${V%a\x}", &pairs).unwrap_err(),
        r#"failed to process "${V%a\\x}": invalid pattern (\xa) in substitution: invalid escape '\x'"#
    );
    assert_eq!(
        word(r"${V/\x/y}", &pairs).unwrap_err(),
        r#"failed to process "${V/\\x/y}": invalid pattern (\x) in substitution: invalid escape '\x'"#
    );
    assert_eq!(
        Lexer::new('`')
            .process_word(r"${V#ab\}", &env(&pairs))
            .unwrap_err()
            .message,
        "failed to process \"${V#ab\\\\}\": invalid pattern (ab\\) in substitution: invalid escape '\\\u{FFFD}'"
    );
}

#[test]
fn syntax_error_messages_are_buildkits() {
    let cases = [
        (
            "\"abc",
            "unexpected end of statement while looking for matching double-quote",
        ),
        (
            "'abc",
            "unexpected end of statement while looking for matching single-quote",
        ),
        ("${", "syntax error: missing '}'"),
        ("${a:-b", "syntax error: missing '}'"),
        ("${a:", "syntax error: missing '}'"),
        ("${a", "unsupported modifier (\u{FFFD}) in substitution"),
        ("${}", "syntax error: bad substitution"),
        ("${:}", "syntax error: bad substitution"),
        ("${{a}", "syntax error: bad substitution"),
        ("${a:x}", "unsupported modifier (:x) in substitution"),
        ("${a:/x/y}", "unsupported modifier (:/) in substitution"),
        ("${a=b}", "unsupported modifier (=) in substitution"),
        ("${a/b", "syntax error: missing '/' in ${}"),
        ("${a/b/c", "syntax error: missing '}'"),
        // The quote runs to the end, and running out inside `${` is reported as such.
        ("${a:-\"b}", "syntax error: missing '}'"),
        ("${a:-\"b\"", "syntax error: missing '}'"),
    ];
    for (input, message) in cases {
        assert_eq!(
            word(input, &[]).unwrap_err(),
            format!("failed to process {}: {message}", go_quote(input)),
            "{input:?}"
        );
    }
}

#[test]
fn errors_quote_the_word_like_go() {
    assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(go_quote("\t\n\r\u{7}\u{0}\u{7f}"), r#""\t\n\r\a\x00\x7f""#);
    assert_eq!(go_quote("é 한\u{a0}\u{200b}"), "\"é 한\\u00a0\\u200b\"");
    assert_eq!(go_quote("\u{e0001}"), r#""\U000e0001""#);
    assert_eq!(
        word("'a\tb", &[]).unwrap_err(),
        r#"failed to process "'a\tb": unexpected end of statement while looking for matching single-quote"#
    );
}

#[test]
fn special_parameters_and_digits() {
    let pairs = [("1", "one"), ("12", "twelve"), ("@", "at"), ("_x", "u")];
    let cases = [
        ("$1", "one"),
        ("$12", "twelve"),
        ("${12}", "twelve"),
        ("$@x", "atx"),
        ("$_x", "u"),
        ("$$", ""),
        ("$!", ""),
        ("$-", ""),
        ("$*", ""),
        ("$?", ""),
        ("$", "$"),
        ("a$ b", "a$ b"),
        ("$é", ""),
        ("$٣", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(word(input, &pairs).unwrap(), expected, "{input:?}");
    }
}

#[test]
fn names_are_case_sensitive() {
    assert_eq!(word("$path|$PATH", &[("PATH", "/bin")]).unwrap(), "|/bin");
}

#[test]
fn escapes_and_quotes() {
    let cases = [
        (r"a\ b", "a b"),
        (r"a\\b", r"a\b"),
        (r"'a\b'", r"a\b"),
        (r#""a\b""#, r"a\b"),
        (r#""a\"b""#, r#"a"b"#),
        (r#""a\\b""#, r"a\b"),
        (r#""\$x""#, "$x"),
        (r#"'a'"b"c"#, "abc"),
        ("\u{FEFF}abc", "abc"),
        ("a\u{FEFF}b", "a\u{FEFF}b"),
    ];
    for (input, expected) in cases {
        assert_eq!(word(input, &[]).unwrap(), expected, "{input:?}");
    }
}

#[test]
fn backtick_escape() {
    let lexer = Lexer::new('`');
    let env = env(&[("PWD", "/home")]);
    assert_eq!(
        lexer.process_word(r"c:\dir` x`$PWD", &env).unwrap(),
        r"c:\dir x$PWD"
    );
    assert_eq!(lexer.process_word(r#""a`"b""#, &env).unwrap(), r#"a"b"#);
    assert_eq!(lexer.process_word(r#""a\$PWD""#, &env).unwrap(), r"a\/home");
    assert_eq!(lexer.process_word("a``", &env).unwrap(), "a`");
}

#[test]
fn raw_options() {
    let raw_quotes = Lexer {
        raw_quotes: true,
        ..Lexer::new('\\')
    };
    assert_eq!(
        raw_quotes.process_word(r#"'a'"b""#, &()).unwrap(),
        r#"'a'"b""#
    );
    let raw_escapes = Lexer {
        raw_escapes: true,
        ..Lexer::new('\\')
    };
    assert_eq!(raw_escapes.process_word(r"a\ b", &()).unwrap(), r"a\ b");
    // Inside double quotes a raw, non-special escape is written twice, as in BuildKit.
    assert_eq!(raw_escapes.process_word(r#""a\b""#, &()).unwrap(), r"a\\b");
    assert_eq!(raw_escapes.process_word(r#""a\$""#, &()).unwrap(), r"a\$");
    let skip_unset = Lexer {
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    let pairs = env(&[("SET", "v")]);
    let cases = [
        ("$U ${U} $SET", "$U ${U} v"),
        ("${U:-$SET}", "${U:-v}"),
        ("${U#x}", "${U#x}"),
        ("${U/a/b}", "${U/a/b}"),
        ("${U:x}", "${U:x}"),
    ];
    for (input, expected) in cases {
        assert_eq!(skip_unset.process_word(input, &pairs).unwrap(), expected);
    }
    let skip_quotes = Lexer {
        skip_process_quotes: true,
        ..Lexer::new('\\')
    };
    assert_eq!(
        skip_quotes.process_words(r#"'a b' "c""#, &()).unwrap(),
        ["'a", "b'", "\"c\""]
    );
}

#[test]
fn raw_modes_used_for_heredoc_detection() {
    let raw = Lexer {
        raw_quotes: true,
        raw_escapes: true,
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    assert_eq!(
        raw.process_words("RUN <<\"EOF\" cat $X ${Y:-z}", &())
            .unwrap(),
        ["RUN", "<<\"EOF\"", "cat", "$X", "${Y:-z}"]
    );
    assert_eq!(
        raw.process_words(r"a\ b 'c d'", &()).unwrap(),
        [r"a\ b", "'c d'"]
    );
}

#[test]
fn word_splitting_edges() {
    let pairs = env(&[("IFS", "x y"), ("NBSP", "a\u{a0}b"), ("NEL", "a\u{85}b")]);
    let cases: &[(&str, &[&str])] = &[
        ("a$IFS b", &["ax", "y", "b"]),
        ("\"a$IFS\" b", &["ax y", "b"]),
        ("''", &[]),
        ("'' a", &["a"]),
        ("$NBSP", &["a", "b"]),
        ("$NEL", &["a", "b"]),
        ("a\u{a0}b", &["a", "b"]),
        ("\t a \u{3000}b ", &["a", "b"]),
    ];
    for (input, expected) in cases {
        assert_eq!(
            Lexer::new('\\').process_words(input, &pairs).unwrap(),
            *expected,
            "{input:?}"
        );
    }
}

/// An environment where `U` is declared but unknowable.
struct WithUnknown;

impl Env for WithUnknown {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match name {
            "U" => Lookup::Unknown,
            "SET" => Lookup::Value("v"),
            "EMPTY" => Lookup::Value(""),
            _ => Lookup::Unset,
        }
    }
}

#[test]
fn unknown_values_taint_only_what_they_reach() {
    let lexer = Lexer::new('\\');
    let known = |input: &str| {
        let processed = lexer.process(input, &WithUnknown).unwrap();
        processed.known_result().map(str::to_string)
    };
    for input in [
        "$U",
        "${U}",
        "img:${U}",
        "${U:-x}",
        "${U-x}",
        "${U:+x}",
        "${U+x}",
        "${U#x}",
        "${U/a/b}",
        "${SET#$U}",
        "${SET/$U/x}",
        "${SET/v/$U}",
        "${UNSET:-$U}",
        "${SET:+$U}",
        "\"$U\"",
    ] {
        assert_eq!(known(input), None, "{input:?}");
    }
    for (input, expected) in [
        ("${SET:-$U}", "v"),
        ("${EMPTY-$U}", ""),
        ("${UNSET:+$U}", ""),
        ("${EMPTY:+$U}", ""),
        ("${UNSET:-x}", "x"),
        ("a'$U'", "a$U"),
        (r"\$U", "$U"),
    ] {
        assert_eq!(known(input).as_deref(), Some(expected), "{input:?}");
    }
    let processed = lexer.process("${U}${UNSET}", &WithUnknown).unwrap();
    assert_eq!(
        (processed.matched, processed.unmatched),
        (vec!["U".to_string()], vec!["UNSET".to_string()])
    );
    // An unknown variable is declared: not an error, whatever the build gives it.
    assert_eq!(known("${U:?must be set}"), None);
    assert!(
        lexer
            .process("${UNSET:?must be set}", &WithUnknown)
            .is_err()
    );
}

#[test]
fn long_patterns_are_fast_and_shallow() {
    let value = "a".repeat(5000);
    let pattern = "*a".repeat(2000);
    let input = format!("${{V##{pattern}}}");
    assert_eq!(word(&input, &[("V", &value)]).unwrap(), "");
    let input = format!("${{V//{pattern}b/x}}");
    assert_eq!(word(&input, &[("V", &value)]).unwrap(), value);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let nested = |depth: usize, open: &str| {
        let mut word = open.repeat(depth);
        word.push('x');
        word.push_str(&"}".repeat(depth));
        word
    };
    // Run on a small stack to show the limit leaves plenty of room.
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let lexer = Lexer::new('\\');
            assert_eq!(lexer.process_word(&nested(60, "${a:-"), &()).unwrap(), "x");
            for open in ["${a:-", "${a:-\"", "${a/", "${a#"] {
                let result = lexer.process_word(&nested(100_000, open), &());
                assert!(result.is_err(), "{open}");
            }
            let error = lexer.process_word(&nested(100, "${a:-"), &()).unwrap_err();
            assert!(error.message.ends_with("substitutions nested too deeply"));
        })
        .unwrap()
        .join()
        .unwrap();
}

proptest::proptest! {
    #[test]
    fn never_panics(input in r#"[-${}:#%/?+*=@!0-9a-z\\`'" \n\t\u{feff}é]{0,48}"#) {
        let pairs = env(&[("a", "x*y\n"), ("b", ""), ("c", "$0 $$ ${0}")]);
        for lexer in [
            Lexer::new('\\'),
            Lexer { raw_quotes: true, raw_escapes: true, skip_unset_env: true, ..Lexer::new('`') },
            Lexer { skip_process_quotes: true, ..Lexer::new('\\') },
        ] {
            let _ = lexer.process(&input, &pairs);
            let _ = lexer.process(&input, &WithUnknown);
        }
    }

    #[test]
    fn plain_words_skip_the_scan_and_get_its_result(
        input in "[-a-z0-9 \t\n\u{feff}\u{a0}\u{2003}é:/=.@]{0,32}",
    ) {
        for lexer in [
            Lexer::new('\\'),
            Lexer { raw_quotes: true, raw_escapes: true, skip_unset_env: true, ..Lexer::new('`') },
            Lexer { skip_process_quotes: true, ..Lexer::new('\\') },
        ] {
            proptest::prop_assert!(lexer.plain(&input).is_some());
            proptest::prop_assert_eq!(lexer.process(&input, &()), lexer.scan(&input, &()));
        }
    }

    #[test]
    fn patterns_agree_with_a_naive_backtracker(
        pattern in r"[ab*?\n]{0,6}",
        value in r"[ab\n]{0,8}",
        longest in proptest::bool::ANY,
    ) {
        let word = format!("${{V{}{pattern}}}", if longest { "##" } else { "#" });
        let actual = Lexer::new('\\').process_word(&word, &env(&[("V", &value)])).unwrap();
        let chars: Vec<char> = value.chars().collect();
        let pattern: Vec<char> = pattern.chars().collect();
        let end = naive_match(&pattern, &chars, 0, longest).unwrap_or(0);
        proptest::prop_assert_eq!(actual, chars[end..].iter().collect::<String>());
    }
}

/// A direct backtracking matcher with Perl preferences, to check the dynamic program.
fn naive_match(pattern: &[char], text: &[char], pos: usize, greedy: bool) -> Option<usize> {
    let Some((&first, rest)) = pattern.split_first() else {
        return Some(pos);
    };
    match first {
        '*' => {
            let run = text[pos..].iter().take_while(|&&c| c != '\n').count();
            let mut lengths: Vec<usize> = (0..=run).collect();
            if greedy {
                lengths.reverse();
            }
            lengths
                .into_iter()
                .find_map(|k| naive_match(rest, text, pos + k, greedy))
        }
        '?' => (pos < text.len() && text[pos] != '\n')
            .then(|| naive_match(rest, text, pos + 1, greedy))
            .flatten(),
        c => (pos < text.len() && text[pos] == c)
            .then(|| naive_match(rest, text, pos + 1, greedy))
            .flatten(),
    }
}
