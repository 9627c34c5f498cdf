use super::*;
use crate::dockerfile::parse;

fn reference(text: &str) -> (String, String, Option<String>, Option<String>) {
    let r = ImageRef::parse(text).unwrap();
    (r.registry, r.repository, r.tag, r.digest)
}

fn owned(
    r: &str,
    n: &str,
    t: Option<&str>,
    d: Option<&str>,
) -> (String, String, Option<String>, Option<String>) {
    (r.into(), n.into(), t.map(Into::into), d.map(Into::into))
}

#[test]
fn image_references_split_like_docker() {
    assert_eq!(
        reference("debian"),
        owned("docker.io", "library/debian", None, None)
    );
    assert_eq!(
        reference("debian:12-slim"),
        owned("docker.io", "library/debian", Some("12-slim"), None)
    );
    assert_eq!(
        reference("bitnami/redis:7"),
        owned("docker.io", "bitnami/redis", Some("7"), None)
    );
    assert_eq!(
        reference("localhost:5000/app"),
        owned("localhost:5000", "app", None, None)
    );
    assert_eq!(
        reference("localhost/app:1"),
        owned("localhost", "app", Some("1"), None)
    );
    assert_eq!(
        reference("ghcr.io/org/img:1.2@sha256:abc"),
        owned("ghcr.io", "org/img", Some("1.2"), Some("sha256:abc"))
    );
    assert_eq!(
        reference("img@sha256:abc"),
        owned("docker.io", "library/img", None, Some("sha256:abc"))
    );
    assert_eq!(
        reference("index.docker.io/nginx"),
        owned("docker.io", "library/nginx", None, None)
    );
    assert!(ImageRef::parse("").is_none());
}

#[test]
fn stages_names_and_bases() {
    let df = parse(
        "ARG V=3.19\nFROM --platform=$BUILDPLATFORM alpine:${V} AS Build\nRUN x\nFROM build\nFROM scratch AS final\nCOPY --from=build /a /b\n",
    );
    let model = Model::new(&df);
    assert_eq!(model.global_args.len(), 1);
    assert_eq!(model.stages.len(), 3);
    let build = &model.stages[0];
    assert_eq!(build.name.as_deref(), Some("build"));
    assert_eq!(build.instructions, 1..3);
    assert_eq!(build.base.expanded.as_deref(), Some("alpine:3.19"));
    assert_eq!(
        build.base.reference.as_ref().unwrap().tag.as_deref(),
        Some("3.19")
    );
    assert_eq!(build.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(model.stages[1].base.stage, Some(0));
    assert!(model.stages[1].base.reference.is_none());
    assert!(model.stages[2].base.is_scratch);
    assert_eq!(model.stage_of(2).unwrap().index, 0);
    assert!(model.stage_of(0).is_none());
    assert!(model.is_last_stage(&model.stages[2]));
    assert_eq!(model.stages_used_later(&df), [true, false, false]);
    assert_eq!(model.stage_by_reference("1").unwrap().index, 1);
}

#[test]
fn from_sees_only_global_args() {
    let df = parse("ARG TAG\nFROM img:$TAG\nARG TAG2=x\nFROM img:$TAG2\n");
    let model = Model::new(&df);
    assert_eq!(
        model.stages[0].base.expanded, None,
        "ARG without default: unknowable"
    );
    assert_eq!(model.stages[1].base.expanded.as_deref(), Some("img:"));
}

#[test]
fn variables_follow_buildkit_scoping() {
    let df = parse(concat!(
        "ARG U=root\n",          // 0
        "FROM scratch AS a\n",   // 1
        "USER $U\n",             // 2: global ARG not imported: empty
        "ARG U\n",               // 3: imports the global value
        "USER $U\n",             // 4
        "ENV HOME=/h P=$HOME\n", // 5: pairs see the scope before the ENV
        "ARG HOME=/ignored\n",   // 6
        "WORKDIR $HOME/$P\n",    // 7: ENV wins over ARG
        "ARG NODEFAULT\n",       // 8
        "USER ${NODEFAULT}\n",   // 9
        "FROM a\n",              // 10
        "WORKDIR $HOME\n",       // 11: ENV inherited from the base stage
        "FROM debian\n",         // 12
        "USER $FROM_IMAGE\n",    // 13: may come from the image's ENV
    ));
    let model = Model::new(&df);
    assert_eq!(model.expand(2, "$U").as_deref(), Some(""));
    assert_eq!(model.expand(4, "$U").as_deref(), Some("root"));
    assert_eq!(model.expand(7, "$HOME/$P").as_deref(), Some("/h/"));
    assert_eq!(model.expand(9, "${NODEFAULT}"), None);
    assert_eq!(model.expand(9, "${NODEFAULT:-x}"), None);
    assert_eq!(model.expand(11, "$HOME").as_deref(), Some("/h"));
    assert_eq!(model.expand(13, "$FROM_IMAGE"), None);
    assert_eq!(model.expand(13, "static").as_deref(), Some("static"));
}

#[test]
fn automatic_args_are_unknown() {
    let df = parse("FROM scratch\nARG TARGETARCH\nRUN echo $TARGETARCH\n");
    assert_eq!(Model::new(&df).expand(2, "$TARGETARCH"), None);
}
