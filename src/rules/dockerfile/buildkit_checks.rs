//! What the ports of BuildKit's build checks about variables (DG1110-DG1112) share:
//! BuildKit's "did you mean" search and the scopes its checks expand words in.
//!
//! The reference is BuildKit's source (`frontend/dockerfile/dockerfile2llb/
//! validations.go`, `convert.go`, `util/suggest/error.go`), read, not copied.

use crate::dockerfile::lex::{Env, Lookup};
use crate::dockerfile::model::{Model, PLATFORM_ARGS, ScopeEnv, Stage};

/// BuildKit's `suggest.Search`, case-sensitive as on Linux: the first option closest to
/// `name` by Levenshtein distance, if that distance is below 3; nothing when an option
/// is `name` itself.
pub(super) fn suggest<'a>(
    name: &str,
    options: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best = None;
    let mut min = 3;
    for option in options {
        if option == name {
            return None;
        }
        let distance = strsim::levenshtein(name, option);
        if distance < min {
            min = distance;
            best = Some(option);
        }
    }
    best
}

/// A scope in which only what the Dockerfile declares, and `PATH`, is set: a name an
/// external base image might set is unset here, so the lexer lists it as unmatched
/// and the caller decides whether it could come from the image.
pub(super) struct DeclaredOnly<'m>(pub ScopeEnv<'m>);

impl Env for DeclaredOnly<'_> {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        if self.0.variable(name).is_some() || name == "PATH" {
            self.0.lookup(name)
        } else {
            Lookup::Unset
        }
    }
}

/// Whether the stage and every stage it is built on start from `scratch`, so that
/// the Dockerfile alone says which variables are set (BuildKit gives such a stage
/// `PATH` and nothing else). An external or unknowable base has an image
/// configuration BuildKit reads and dockgate does not.
pub(super) fn fully_declared(model: &Model, stage: &Stage) -> bool {
    model
        .chain(stage.index)
        .last()
        .is_some_and(|root| root.base.is_scratch)
}

/// Whether `name` is one of BuildKit's automatic platform ARGs, which a stage only
/// sees after `ARG NAME` and which no image configuration sets.
pub(super) fn is_platform_arg(name: &str) -> bool {
    PLATFORM_ARGS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn suggests_like_buildkit() {
        assert_eq!(
            suggest("DIR_ASSET", ["DIR_BINARIES", "DIR_ASSETS", "DIR_CONFIG"]),
            Some("DIR_ASSETS")
        );
        assert_eq!(suggest("PAHT", ["PATH"]), Some("PATH"));
        assert_eq!(
            suggest("BULIDPLATFORM", ["BUILDPLATFORM"]),
            Some("BUILDPLATFORM")
        );
        assert_eq!(suggest("foo", ["bar"]), None);
        assert_eq!(suggest("path", ["PATH"]), None);
        assert_eq!(suggest("ABC", ["ABD", "ABC"]), None);
    }
}
