//! The model as a rule sees it: through the public API only.

use dockgate::dockerfile::lex::{Env, Lexer, Lookup};
use dockgate::dockerfile::model::{ImageRef, Model, Value};
use dockgate::dockerfile::{Keyword, parse};

const DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1
ARG REGISTRY=ghcr.io/acme
ARG VERSION
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ARG TARGETARCH
ENV CGO_ENABLED=0 OUT=/out/app
RUN go build -o "$OUT" .

FROM ${REGISTRY}/runtime:${VERSION:-1.0} AS runtime
ARG USER_NAME=app
USER ${USER_NAME}
WORKDIR /srv
COPY --from=build /out/app /srv/app
"#;

#[test]
fn a_rule_can_ask_what_values_are() {
    let dockerfile = parse(DOCKERFILE);
    assert!(dockerfile.errors.is_empty());
    let model = Model::new(&dockerfile);

    let globals: Vec<(&str, Option<&str>)> = model
        .global_args
        .iter()
        .map(|v| (v.name.as_str(), v.value.known()))
        .collect();
    assert_eq!(
        globals,
        [("REGISTRY", Some("ghcr.io/acme")), ("VERSION", None)]
    );

    let [build, runtime] = model.stages.as_slice() else {
        panic!("two stages expected");
    };
    assert_eq!(build.name.as_deref(), Some("build"));
    assert_eq!(build.platform.as_ref().unwrap().expanded, None);
    // `${VERSION:-1.0}` with VERSION a parameter: the default may or may not apply.
    assert_eq!(runtime.base.expanded, None);
    assert!(runtime.base.is_external());

    let run = dockerfile
        .instructions
        .iter()
        .position(|i| i.keyword == Keyword::Run)
        .unwrap();
    assert_eq!(model.expand(run, "\"$OUT\"").as_deref(), Some("/out/app"));
    assert_eq!(model.expand(run, "$TARGETARCH"), None);
    assert_eq!(model.env(run).lookup("CGO_ENABLED"), Lookup::Value("0"));

    let copy = dockerfile.instructions.len() - 1;
    assert!(model.is_in_last_stage(copy));
    assert_eq!(model.stage_of(copy).unwrap().index, 1);
    assert_eq!(model.stage_by_reference("build").unwrap().index, 0);
    assert_eq!(model.last_before(copy, Keyword::Workdir), Some(copy - 1));
    let user = runtime.user.as_ref().unwrap();
    assert_eq!(user.value.as_deref(), Some("app"));
    assert_eq!(model.stages_used_later(&dockerfile), [true, false]);
}

#[test]
fn references_and_the_lexer_are_usable_alone() {
    let reference = ImageRef::parse("localhost:5000/team/app:1.2").unwrap();
    assert_eq!(
        (reference.registry.as_str(), reference.repository.as_str()),
        ("localhost:5000", "team/app")
    );
    assert_eq!(reference.tag.as_deref(), Some("1.2"));

    struct Declared;
    impl Env for Declared {
        fn lookup(&self, name: &str) -> Lookup<'_> {
            match name {
                "KNOWN" => Lookup::Value("v"),
                "PARAM" => Lookup::Unknown,
                _ => Lookup::Unset,
            }
        }
    }
    let lexer = Lexer::new('\\');
    let processed = lexer.process("$KNOWN-${PARAM:-x}", &Declared).unwrap();
    assert!(processed.unknown);
    assert_eq!(processed.known_result(), None);
    assert_eq!(lexer.process_word("${KNOWN}", &Declared).unwrap(), "v");
    assert_eq!(Value::Known("a".into()).known(), Some("a"));
}
