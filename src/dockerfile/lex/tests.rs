use super::*;

type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn word(input: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
    Lexer::new('\\')
        .process_word(input, &env(pairs))
        .map_err(|e| e.message)
}

fn words(lexer: Lexer, input: &str, pairs: &[(&str, &str)]) -> Vec<String> {
    lexer
        .process_words(input, &env(pairs))
        .unwrap_or_else(|_| vec!["error".into()])
}

/// Cases from BuildKit's `TestProcessWithMatches` and `envVarTest`: (input, env, result).
#[test]
fn expansion_matches_buildkit() {
    let base = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ];
    let cases: &[Case] = &[
        ("hello", &base, "hello"),
        ("he'll'o", &base, "hello"),
        ("he'llo", &base, "error"),
        ("he\\'llo", &base, "he'llo"),
        ("he\\\\'llo", &base, "error"),
        ("abc\\\\def", &base, "abc\\def"),
        ("\"abc\\\\def\"", &base, "abc\\def"),
        ("'abc\\\\def'", &base, "abc\\\\def"),
        ("\"he'll'o\"", &base, "he'll'o"),
        ("\"he\\\"ll\\\"o\"", &base, "he\"ll\"o"),
        ("\\$", &base, "$"),
        ("\"\\$\"", &base, "$"),
        ("'$'", &base, "$"),
        ("$", &base, "$"),
        ("he$1x", &base, "hex"),
        ("he$.x", &base, "he$.x"),
        ("he$pwd.", &base, "he."),
        ("he$PWD", &base, "he/home"),
        ("he\\$PWD", &base, "he$PWD"),
        ("he\\\\$PWD", &base, "he\\/home"),
        ("\"he\\\\$PWD\"", &base, "he\\/home"),
        ("he\\${}", &base, "he${}"),
        ("he\\${}xx", &base, "he${}xx"),
        ("he${}", &base, "error"),
        ("he${hi", &base, "error"),
        ("he${PWD", &base, "error"),
        ("he${PWD}", &base, "he/home"),
        ("he${PWD:}", &base, "error"),
        ("he${PWD:=000}xx", &base, "error"),
        ("he${PWD:+${PWD}}xx", &base, "he/homexx"),
        ("he${XXX:-000}xx", &base, "he000xx"),
        ("he${PWD:-000}xx", &base, "he/homexx"),
        ("he${XXX:-$PWD}xx", &base, "he/homexx"),
        ("he${XXX:-${PWD:-yyy}}xx", &base, "he/homexx"),
        ("he${XXX:-${YYY:-yyy}}xx", &base, "heyyyxx"),
        ("he${XXX:YYY}", &base, "error"),
        ("he${XXX?}", &base, "error"),
        ("he${PWD?}", &base, "he/home"),
        ("he${NULL?}", &base, "he"),
        ("he${NULL:?}", &base, "error"),
        ("he${XXX:?}", &base, "error"),
        ("${KOREAN}", &base, "한국어"),
        ("한국어${PWD}", &base, "한국어/home"),
        ("$KOREAN", &base, "한국어"),
        ("$#", &base, ""),
        ("$1", &base, ""),
        ("\"$PWD\"", &base, "/home"),
        ("'$PWD'", &base, "$PWD"),
        (
            "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "xxx  ccc",
        ),
        (
            "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "xxx bbb ccc",
        ),
        (
            "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "aaa bbb ",
        ),
        (
            "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "aaa  ",
        ),
        ("${BAR?bbb}", &[("BAR", "")], ""),
        ("${BAR:?bbb}", &[("BAR", "")], "error"),
        ("${FOO=aaa}", &[("FOO", "xxx")], "error"),
        (
            "${FOO#()[]{\\}^$.\\*\\?|\\\\}",
            &[("FOO", "()[]{}^$.*?|\\x")],
            "x",
        ),
        ("${FOO%%\\**}", &[("FOO", "xx**")], "xx"),
        ("${FOO#*x*y}", &[("FOO", "xxyy")], "y"),
        ("${FOO#*}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "x")], "xyy"),
        ("${FOO##*x}", &[("FOO", "xxyy")], "yy"),
        ("${FOO#?\\?}", &[("FOO", "???y")], "?y"),
        ("${ABC:-.}${FOO%x}${ABC:-.}", &[("FOO", "xxyy")], ".xxyy."),
        ("${FOO%%\\**\\*}", &[("FOO", "a***yy*")], "a"),
        ("${FOO%y*}", &[("FOO", "xxyy")], "xxy"),
        ("${FOO%%y*}", &[("FOO", "xxyy")], "xx"),
        (
            "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
            &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")],
            "/foo.*/*.txt - /foo..*.txt",
        ),
        (
            "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
            &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
            "/tmp/bar.txt - /bar.txt",
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "/a/foo/b/c.txt"),
                ("NEEDLE", "/?/"),
                ("REPLACEMENT", "/"),
            ],
            "/foo/b/c.txt - /foo/c.txt",
        ),
        (
            "${FOO//\\//\\/}",
            &[("FOO", "/tmp/foo.txt")],
            "\\/tmp\\/foo.txt",
        ),
        ("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")], "wwxxyy"),
        ("${FOO//ww}", &[("FOO", "xxyy")], "error"),
        ("${FOO//}", &[("FOO", "xxyy")], "error"),
        ("${FOO///}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO///}", &[], ""),
    ];
    for (input, pairs, expected) in cases {
        let actual = word(input, pairs).unwrap_or_else(|_| "error".into());
        assert_eq!(&actual, expected, "input {input:?}");
    }
}

#[test]
fn error_messages_are_buildkits() {
    assert_eq!(
        word("${VAR:?message here$ARG}", &[("VAR", ""), ("ARG", "x")]).unwrap_err(),
        "failed to process \"${VAR:?message here$ARG}\": VAR: message herex"
    );
    assert!(
        word("\"abc", &[])
            .unwrap_err()
            .ends_with("unexpected end of statement while looking for matching double-quote")
    );
    assert!(
        word("${", &[])
            .unwrap_err()
            .ends_with("syntax error: missing '}'")
    );
    assert!(
        word("${a:-b", &[])
            .unwrap_err()
            .ends_with("syntax error: missing '}'")
    );
    assert!(
        word("${a", &[])
            .unwrap_err()
            .ends_with("unsupported modifier (\u{FFFD}) in substitution")
    );
    assert!(
        word("${}", &[])
            .unwrap_err()
            .ends_with("syntax error: bad substitution")
    );
    assert!(
        word("${a:x}", &[])
            .unwrap_err()
            .ends_with("unsupported modifier (:x) in substitution")
    );
}

#[test]
fn word_splitting_matches_buildkit() {
    let normal = Lexer::new('\\');
    let pairs = [("PWD", "/home"), ("SHELL", "bash"), ("IFS", "x y")];
    let cases: &[(&str, &[&str])] = &[
        ("hello", &["hello"]),
        ("hello world", &["hello", "world"]),
        ("hello   world  ", &["hello", "world"]),
        ("'hello world'", &["hello world"]),
        ("\"hello world\" again", &["hello world", "again"]),
        ("he\\ llo", &["he llo"]),
        ("a$IFS b", &["ax", "y", "b"]),
        ("\"a$IFS\" b", &["ax y", "b"]),
        ("$PWD", &["/home"]),
        ("''", &[]),
        ("'' a", &["a"]),
        ("\"abc", &["error"]),
    ];
    for (input, expected) in cases {
        assert_eq!(words(normal, input, &pairs), *expected, "input {input:?}");
    }
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
        words(raw, "RUN <<\"EOF\" cat $X ${Y:-z}", &[]),
        ["RUN", "<<\"EOF\"", "cat", "$X", "${Y:-z}"]
    );
    assert_eq!(words(raw, "a\\ b 'c d'", &[]), ["a\\ b", "'c d'"]);
}

#[test]
fn backtick_escape() {
    let lexer = Lexer::new('`');
    assert_eq!(
        lexer.process_word("c:\\dir` x`$PWD", &()).unwrap(),
        "c:\\dir x$PWD"
    );
}

#[test]
fn unknown_values_are_flagged() {
    struct Declared;
    impl Env for Declared {
        fn lookup(&self, name: &str) -> Lookup<'_> {
            if name == "V" {
                Lookup::Unknown
            } else {
                Lookup::Unset
            }
        }
    }
    let lexer = Lexer::new('\\');
    let processed = lexer.process("img:${V}", &Declared).unwrap();
    assert!(processed.unknown);
    assert_eq!(processed.matched, ["V"]);
    let processed = lexer.process("img:${W:-1}", &Declared).unwrap();
    assert!(!processed.unknown);
    assert_eq!(
        (processed.result.as_str(), processed.unmatched.as_slice()),
        ("img:1", &["W".to_string()][..])
    );
}

#[test]
fn patterns_reject_bad_escapes() {
    for bad in ["\\", "\\x", "\\\\\\"] {
        assert!(Pattern::compile(bad).is_err(), "{bad:?}");
    }
}

proptest::proptest! {
    #[test]
    fn never_panics(input in "[-${}:#%/?+*a-z\\\\'\" ]{0,40}") {
        for lexer in [Lexer::new('\\'), Lexer { raw_quotes: true, raw_escapes: true, skip_unset_env: true, ..Lexer::new('`') }] {
            let _ = lexer.process(&input, &env(&[("a", "x*y"), ("b", "")]));
        }
    }
}
