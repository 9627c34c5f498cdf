use super::*;
use crate::dockerfile::parse;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn split(text: &str) -> (String, String, Option<String>, Option<String>) {
    let r = ImageRef::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    (r.registry, r.repository, r.tag, r.digest)
}

fn parts(
    registry: &str,
    repository: &str,
    tag: Option<&str>,
    digest: Option<&str>,
) -> (String, String, Option<String>, Option<String>) {
    (
        registry.into(),
        repository.into(),
        tag.map(Into::into),
        digest.map(Into::into),
    )
}

fn build(source: &str) -> (Dockerfile, Model) {
    let dockerfile = parse(source);
    assert!(dockerfile.errors.is_empty(), "{:?}", dockerfile.errors);
    let model = Model::new(&dockerfile);
    (dockerfile, model)
}

#[test]
fn references_split_like_docker() {
    let with_digest = format!("host.io/a/b:tag@{DIGEST}");
    let digest_only = format!("img@{DIGEST}");
    let cases = [
        ("debian", parts("docker.io", "library/debian", None, None)),
        (
            "debian:12-slim",
            parts("docker.io", "library/debian", Some("12-slim"), None),
        ),
        (
            "bitnami/redis:7",
            parts("docker.io", "bitnami/redis", Some("7"), None),
        ),
        (
            "docker.io/bitnami/redis",
            parts("docker.io", "bitnami/redis", None, None),
        ),
        (
            "docker.io/debian",
            parts("docker.io", "library/debian", None, None),
        ),
        (
            "index.docker.io/nginx",
            parts("docker.io", "library/nginx", None, None),
        ),
        (
            "localhost:5000/app",
            parts("localhost:5000", "app", None, None),
        ),
        (
            "localhost/app:1",
            parts("localhost", "app", Some("1"), None),
        ),
        (
            "registry.example.com:5000/team/app",
            parts("registry.example.com:5000", "team/app", None, None),
        ),
        (
            with_digest.as_str(),
            parts("host.io", "a/b", Some("tag"), Some(DIGEST)),
        ),
        (
            digest_only.as_str(),
            parts("docker.io", "library/img", None, Some(DIGEST)),
        ),
        ("[::1]:5000/x:y", parts("[::1]:5000", "x", Some("y"), None)),
        // An upper-case first component can only be a registry.
        ("Registry/app", parts("Registry", "app", None, None)),
        (
            "a/b_c__d-e--f.g",
            parts("docker.io", "a/b_c__d-e--f.g", None, None),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(split(text), expected, "{text}");
    }
}

#[test]
fn invalid_references_are_docker_errors() {
    let hex64 = "0123456789abcdef".repeat(4);
    let cases = [
        ("", "invalid reference format"),
        ("img:", "invalid reference format"),
        ("img@sha256:abc", "invalid reference format"),
        ("a..b", "invalid reference format"),
        ("-a", "invalid reference format"),
        ("a/", "invalid reference format"),
        ("a:b:c", "invalid reference format"),
        ("host:port/x", "invalid reference format"),
        ("img:-tag", "invalid reference format"),
        (
            "Debian:12",
            "invalid reference format: repository name (library/Debian) must be lowercase",
        ),
        (
            "ghcr.io/Org/img",
            "invalid reference format: repository name (Org/img) must be lowercase",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(
            ImageRef::parse(text).map_err(|e| e.to_string()),
            Err(message.to_string()),
            "{text:?}"
        );
    }
    assert!(
        ImageRef::parse(&hex64)
            .unwrap_err()
            .to_string()
            .contains("cannot specify 64-byte hexadecimal strings")
    );
    let long = format!("a/{}", "b".repeat(260));
    assert!(
        ImageRef::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("255")
    );
    assert!(ImageRef::parse(&format!("img:{}", "t".repeat(128))).is_ok());
    assert!(ImageRef::parse(&format!("img:{}", "t".repeat(129))).is_err());
}

#[test]
fn references_print_canonically_and_familiarly() {
    let r = ImageRef::parse("debian:12").unwrap();
    assert_eq!(r.to_string(), "docker.io/library/debian:12");
    assert_eq!(r.familiar_name(), "debian");
    let r = ImageRef::parse(&format!("ghcr.io/o/i@{DIGEST}")).unwrap();
    assert_eq!(r.to_string(), format!("ghcr.io/o/i@{DIGEST}"));
    assert_eq!(r.familiar_name(), "ghcr.io/o/i");
    assert_eq!(
        ImageRef::parse("bitnami/redis").unwrap().familiar_name(),
        "bitnami/redis"
    );
}

#[test]
fn stages_have_names_ranges_and_bases() {
    let (df, model) = build(concat!(
        "ARG V=3.19\n",                                          // 0
        "FROM --platform=$BUILDPLATFORM alpine:${V} AS Build\n", // 1
        "RUN x\n",                                               // 2
        "FROM build\n",                                          // 3
        "FROM scratch AS final\n",                               // 4
        "COPY --from=build /a /b\n",                             // 5
    ));
    assert_eq!(model.global_args.len(), 1);
    assert_eq!(model.stages.len(), 3);
    let build = &model.stages[0];
    assert_eq!(build.name.as_deref(), Some("build"));
    let name_word = build.name_word.as_ref().unwrap();
    assert_eq!(name_word.value, "Build");
    assert_eq!(
        &df.source[name_word.range.start..name_word.range.end],
        "Build"
    );
    assert_eq!((build.from, build.instructions.clone()), (1, 1..3));
    assert_eq!(build.base.word.value, "alpine:${V}");
    assert_eq!(build.base.expanded.as_deref(), Some("alpine:3.19"));
    let reference = build.base.reference.as_ref().unwrap();
    assert_eq!(
        (reference.repository.as_str(), reference.tag.as_deref()),
        ("library/alpine", Some("3.19"))
    );
    let platform = build.platform.as_ref().unwrap();
    assert_eq!(
        (platform.raw.as_str(), platform.expanded.as_deref()),
        ("$BUILDPLATFORM", None)
    );
    assert!(build.base.is_external());
    let derived = &model.stages[1];
    assert_eq!(derived.base.stage, Some(0));
    assert!(derived.base.reference.is_none() && !derived.base.is_external());
    assert_eq!(derived.instructions, 3..4);
    let last = &model.stages[2];
    assert!(last.base.is_scratch && last.base.reference.is_none());
    assert_eq!(last.instructions, 4..6);
}

#[test]
fn base_stage_lookup_follows_buildkit() {
    let (_, model) = build(concat!(
        "FROM a\n",              // 0: no earlier stage `a`: an image
        "FROM debian:12 AS a\n", // 1
        "FROM A\n",              // 2: stage a, whatever the case
        "FROM 1\n",              // 3: FROM never takes an index: image `1`
        "FROM alpine AS a\n",    // 4: shadows the first `a`
        "FROM a\n",              // 5: the latest earlier `a`
        "FROM x AS scratch\n",   // 6
        "FROM scratch\n",        // 7: a stage name wins over scratch
        "FROM final AS final\n", // 8: not itself
    ));
    let bases: Vec<Option<usize>> = model.stages.iter().map(|s| s.base.stage).collect();
    assert_eq!(
        bases,
        [
            None,
            None,
            Some(1),
            None,
            None,
            Some(4),
            None,
            Some(6),
            None
        ]
    );
    assert_eq!(
        model.stages[3].base.reference.as_ref().unwrap().repository,
        "library/1"
    );
    assert!(!model.stages[7].base.is_scratch);
}

#[test]
fn unusual_from_lines_do_not_break_the_model() {
    // Parse errors or not, the model takes what the parser kept.
    let model = Model::new(&parse(
        "FROM\nFROM a b\nFROM a AS\nFROM \"\" AS x\nFROM a aS b\n",
    ));
    assert_eq!(model.stages.len(), 5);
    assert_eq!(model.stages[0].base.word.value, "");
    assert_eq!(model.stages[1].name, None);
    assert_eq!(model.stages[2].name, None);
    let blank = &model.stages[3].base;
    assert_eq!(blank.expanded.as_deref(), Some(""));
    assert!(blank.reference.is_none() && blank.reference_error.is_some());
    assert_eq!(model.stages[4].name.as_deref(), Some("b"));
    assert!(is_as("aſ"));
}

#[test]
fn stage_names_are_validated_like_buildkit() {
    for valid in ["a", "build-1", "a.b_c"] {
        assert!(is_valid_stage_name(valid), "{valid}");
    }
    for invalid in ["", "1a", "-a", "a/b", "A", "a b"] {
        assert!(!is_valid_stage_name(invalid), "{invalid}");
    }
}

#[test]
fn from_sees_only_global_and_platform_args() {
    let (_, model) = build(concat!(
        "ARG TAG\n",                // 0: no default: a parameter
        "ARG A=1 B=${A}2\n",        // 1: pairs see earlier pairs
        "ARG A\n",                  // 2: re-declaring keeps the value
        "FROM img:$TAG\n",          // 3
        "ARG TAG2=x\n",             // 4: a stage ARG, invisible to FROM
        "FROM img:$TAG2$B\n",       // 5
        "FROM img:${TARGETARCH}\n", // 6: platform ARGs need no declaration
        "FROM img:1$HTTP_PROXY\n",  // 7: proxies are not global ARGs
    ));
    let globals: Vec<(&str, Option<&str>)> = model
        .global_args
        .iter()
        .map(|v| (v.name.as_str(), v.value.known()))
        .collect();
    assert_eq!(
        globals,
        [
            ("TAG", None),
            ("A", Some("1")),
            ("B", Some("12")),
            ("A", Some("1"))
        ]
    );
    let expanded: Vec<Option<&str>> = model
        .stages
        .iter()
        .map(|s| s.base.expanded.as_deref())
        .collect();
    assert_eq!(expanded, [None, Some("img:12"), None, Some("img:1")]);
    assert_eq!(model.expand(0, "$A"), Some(String::new()));
    assert_eq!(model.expand(2, "$A$B").as_deref(), Some("112"));
}

#[test]
fn variables_follow_buildkit_scoping() {
    let (_, model) = build(concat!(
        "ARG U=root\n",                    // 0
        "FROM scratch AS a\n",             // 1
        "USER $U\n",                       // 2: global ARG not imported: unset
        "ARG U\n",                         // 3: imports the global value
        "USER $U\n",                       // 4
        "ENV HOME=/h P=$HOME\n",           // 5: pairs see the scope before the ENV
        "ARG HOME=/arg\n",                 // 6: ARG and ENV share a namespace
        "WORKDIR $HOME/$P\n",              // 7
        "ARG NODEFAULT\n",                 // 8
        "USER ${NODEFAULT}\n",             // 9
        "ENV \"K\"=1 ${U}_HOME=\"a b\"\n", // 10: keys are expanded too
        "RUN x\n",                         // 11
        "FROM a\n",                        // 12
        "WORKDIR $HOME/$U\n",              // 13: ENV and ARG inherited from stage a
        "FROM debian\n",                   // 14
        "USER $FROM_IMAGE\n",              // 15: may come from the image's ENV
        "ENV X=1\n",                       // 16
        "RUN $X\n",                        // 17
    ));
    assert_eq!(model.expand(2, "$U").as_deref(), Some(""));
    assert_eq!(model.expand(4, "$U").as_deref(), Some("root"));
    assert_eq!(model.expand(6, "$HOME|$P").as_deref(), Some("/h|"));
    assert_eq!(model.expand(7, "$HOME/$P").as_deref(), Some("/arg/"));
    assert_eq!(model.expand(9, "${NODEFAULT}"), None);
    assert_eq!(model.expand(9, "${NODEFAULT:-x}"), None);
    assert_eq!(model.expand(11, "$K|$root_HOME").as_deref(), Some("1|a b"));
    assert_eq!(model.expand(13, "$HOME/$U").as_deref(), Some("/arg/root"));
    assert_eq!(model.expand(15, "$FROM_IMAGE"), None);
    assert_eq!(model.expand(15, "static").as_deref(), Some("static"));
    assert_eq!(model.expand(17, "$X").as_deref(), Some("1"));
    assert_eq!(model.expand(17, "${X:+set}").as_deref(), Some("set"));
    assert_eq!(model.expand(17, "$PATH"), None);
    assert_eq!(model.expand(2, "$PATH").as_deref(), Some(DEFAULT_PATH));
}

#[test]
fn declarations_are_recorded() {
    let (_, model) = build("FROM scratch\nARG A=1 B\nENV C=$A\n");
    let declared: Vec<(&str, VariableKind, Option<&str>, usize)> = model.stages[0]
        .variables()
        .iter()
        .map(|v| (v.name.as_str(), v.kind, v.value.known(), v.instruction))
        .collect();
    assert_eq!(
        declared,
        [
            ("A", VariableKind::Arg, Some("1"), 1),
            ("B", VariableKind::Arg, None, 1),
            ("C", VariableKind::Env, Some("1"), 2),
        ]
    );
    let env = model.env(2);
    assert_eq!(env.variable("A").map(|v| v.instruction), Some(1));
    assert_eq!(
        env.variable("C"),
        None,
        "ENV C is not in scope before itself"
    );
    assert_eq!(model.env(3).variable("C").unwrap().kind, VariableKind::Env);
    assert_eq!(env.lookup("B"), Lookup::Unknown);
    assert_eq!(env.lookup("NOPE"), Lookup::Unset);
}

#[test]
fn platform_args_are_unknown_once_declared() {
    let (_, model) = build(concat!(
        "FROM scratch\n",
        "RUN echo $TARGETARCH\n",      // 1: not declared in the stage: unset
        "ARG TARGETARCH HTTP_PROXY\n", // 2
        "RUN echo $TARGETARCH\n",      // 3
    ));
    assert_eq!(model.expand(1, "$TARGETARCH").as_deref(), Some(""));
    assert_eq!(model.expand(3, "$TARGETARCH"), None);
    assert_eq!(model.expand(3, "$HTTP_PROXY"), None);
    // A global default overrides the platform value, as in BuildKit.
    let (_, model) = build("ARG TARGETARCH=amd64\nFROM scratch\nARG TARGETARCH\nRUN x\n");
    assert_eq!(model.expand(3, "$TARGETARCH").as_deref(), Some("amd64"));
}

#[test]
fn unknowable_bases_make_undeclared_names_unknown() {
    let (_, model) = build("ARG BASE\nFROM $BASE\nRUN x\nFROM ${BASE:-scratch}\nRUN y\n");
    assert_eq!(model.stages[0].base.expanded, None);
    assert!(model.stages[0].base.is_external());
    assert_eq!(model.expand(2, "$ANY"), None);
    assert_eq!(model.expand(4, "$ANY"), None);
}

#[test]
fn expansion_failures_are_none_and_processing_shows_why() {
    let (_, model) = build("FROM scratch\nENV A=1\nRUN x\n");
    assert_eq!(model.expand(2, "${A"), None);
    assert!(model.process(2, "${A").is_err());
    let processed = model.process(2, "$A \"b c\"").unwrap();
    assert_eq!(processed.words, ["1", "b c"]);
    assert_eq!(model.expand(99, "$A").as_deref(), Some("1"));
}

#[test]
fn backtick_escape_files_expand_with_backticks() {
    let (_, model) = build("# escape=`\nFROM scratch\nENV A=c:\\dir\nRUN x\n");
    assert_eq!(model.escape(), '`');
    assert_eq!(model.expand(2, "$A\\x` y").as_deref(), Some("c:\\dir\\x y"));
}

#[test]
fn effective_user() {
    let (_, model) = build(concat!(
        "FROM debian:12 AS base\n", // 0
        "ARG NAME=app\n",           // 1
        "USER root\n",              // 2
        "USER ${NAME}:${NAME}\n",   // 3
        "FROM base AS child\n",     // 4: inherits USER from base
        "FROM child\n",             // 5
        "ARG UID\n",                // 6
        "USER $UID\n",              // 7
        "FROM scratch\n",           // 8
    ));
    let users: Vec<Option<(usize, Option<&str>)>> = model
        .stages
        .iter()
        .map(|s| s.user.as_ref().map(|u| (u.instruction, u.value.as_deref())))
        .collect();
    assert_eq!(
        users,
        [
            Some((3, Some("app:app"))),
            Some((3, Some("app:app"))),
            Some((7, None)),
            None
        ]
    );
}

#[test]
fn stage_helpers() {
    let (df, model) = build(concat!(
        "ARG X\n",                                         // 0
        "FROM debian:12 AS build\n",                       // 1
        "RUN make\n",                                      // 2
        "FROM debian:12 AS cache\n",                       // 3
        "FROM debian:12 AS unused\n",                      // 4
        "FROM debian:12\n",                                // 5
        "COPY --from=build /a /b\n",                       // 6
        "RUN --mount=type=cache,from=cache,target=/c x\n", // 7
        "COPY --from=0 /a /c\n",                           // 8
    ));
    assert!(model.stage_of(0).is_none());
    assert_eq!(model.stage_of(1).unwrap().index, 0);
    assert_eq!(model.stage_of(2).unwrap().index, 0);
    assert_eq!(model.stage_of(7).unwrap().index, 3);
    assert_eq!(model.stage_of(100).unwrap().index, 3);
    assert!(model.is_in_last_stage(8) && !model.is_in_last_stage(2));
    assert!(!model.is_in_last_stage(0));
    assert_eq!(model.last_stage().unwrap().index, 3);
    assert_eq!(model.stage_by_reference("BUILD").unwrap().index, 0);
    assert_eq!(model.stage_by_reference("2").unwrap().index, 2);
    assert!(model.stage_by_reference("nope").is_none());
    assert!(model.stage_by_reference("9").is_none());
    assert_eq!(model.stages_used_later(&df), [true, true, false, false]);
    let refs: Vec<&str> = stage_references(&df.instructions[7]).collect();
    assert_eq!(refs, ["cache"]);
}

#[test]
fn onbuild_triggers_do_not_change_the_scope() {
    let (_, model) = build("FROM scratch\nONBUILD ENV A=1\nONBUILD USER x\nRUN y\n");
    assert_eq!(model.expand(3, "$A").as_deref(), Some(""));
    assert_eq!(model.stages[0].user, None);
}

#[test]
fn instructions_before_from_see_earlier_global_args() {
    let (_, model) = build("ARG A=1\nARG B=$A$C\nARG C=3\nFROM scratch\n");
    let values: Vec<Option<&str>> = model.global_args.iter().map(|v| v.value.known()).collect();
    assert_eq!(values, [Some("1"), Some("1"), Some("3")]);
    assert_eq!(model.expand(1, "$A$C").as_deref(), Some("1"));
}

#[test]
fn many_stages_and_variables_stay_fast() {
    let mut source = String::from("ARG BASE=debian:12\n");
    for i in 0..300 {
        source.push_str(&format!("FROM $BASE AS s{i}\n"));
        for j in 0..20 {
            source.push_str(&format!("ENV V{j}=${{V{j}:-x}}{i}\nRUN echo $V{j}\n"));
        }
    }
    let dockerfile = parse(&source);
    let started = std::time::Instant::now();
    let model = Model::new(&dockerfile);
    assert_eq!(model.stages.len(), 300);
    let last = dockerfile.instructions.len() - 1;
    assert_eq!(model.expand(last, "$V19"), None, "may come from the image");
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn last_instruction_of_a_kind_through_the_stage_chain() {
    let (_, model) = build(concat!(
        "FROM debian:12 AS base\n", // 0
        "WORKDIR /app\n",           // 1
        "RUN a\n",                  // 2
        "FROM base AS next\n",      // 3
        "RUN b\n",                  // 4
        "WORKDIR sub\n",            // 5
        "COPY x y\n",               // 6
        "FROM debian:12\n",         // 7
        "COPY x y\n",               // 8
    ));
    assert_eq!(model.last_before(2, Keyword::Workdir), Some(1));
    assert_eq!(model.last_before(1, Keyword::Workdir), None);
    assert_eq!(model.last_before(4, Keyword::Workdir), Some(1));
    assert_eq!(model.last_before(6, Keyword::Workdir), Some(5));
    assert_eq!(model.last_before(8, Keyword::Workdir), None);
    assert_eq!(
        model.last_before(6, Keyword::From),
        None,
        "FROM is not looked at"
    );
    assert_eq!(model.last_before(0, Keyword::Run), None);
}

proptest::proptest! {
    #[test]
    fn never_panics(
        source in r#"((FROM|ARG|ENV|USER|RUN|COPY|WORKDIR|ONBUILD|from)( (--platform=|--from=|AS )?[-a-zA-Z0-9$={}:/@.\"'\\ _]{0,16}){0,4}\n){0,10}"#
    ) {
        let dockerfile = parse(&source);
        let model = Model::new(&dockerfile);
        for index in 0..=dockerfile.instructions.len() {
            let _ = model.expand(index, "$A${B:-$C}");
            let _ = model.last_before(index, Keyword::Workdir);
            let _ = model.stage_of(index);
        }
        let _ = model.stages_used_later(&dockerfile);
        for stage in &model.stages {
            proptest::prop_assert!(stage.instructions.start <= stage.instructions.end);
            proptest::prop_assert!(stage.base.stage.is_none_or(|base| base < stage.index));
        }
    }

    #[test]
    fn reference_parsing_never_panics(reference in r"[-a-zA-Z0-9:/@._\[\]é]{0,40}") {
        if let Ok(parsed) = ImageRef::parse(&reference) {
            // What parses prints back to something that parses to the same.
            proptest::prop_assert_eq!(ImageRef::parse(&parsed.to_string()), Ok(parsed));
        }
    }
}
