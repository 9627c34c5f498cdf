//! The action's inputs as the runner passes them to a container action:
//! `INPUT_<NAME>` with the name upper-cased and its hyphens kept
//! (`INPUT_GITHUB-TOKEN`). An empty input is unset, so the policy's `reporting`
//! section (then the built-in default) decides.

use std::path::PathBuf;

use crate::policy::FailOn;
use crate::policy::file::ReviewComments;

/// Which findings become inline review comments.
pub type CommentMode = ReviewComments;

/// The names of every input of `action.yml` (a test holds the two equal).
pub const NAMES: &[&str] = &[
    "github-token",
    "config",
    "required-policy",
    "dockerfiles",
    "images",
    "baseline-image",
    "fail-on",
    "comment-mode",
    "max-comments",
    "check-name",
    "summary-comment",
    "sarif-file",
];

/// Every input of `action.yml`.
#[derive(Clone, Default)]
pub struct Inputs {
    pub github_token: Option<String>,
    pub config: Option<String>,
    /// Policies that always apply under the repository's, one per line.
    pub required_policies: Vec<String>,
    /// Dockerfiles or directories, one per line.
    pub dockerfiles: Vec<PathBuf>,
    /// Image references, one per line.
    pub images: Vec<String>,
    pub baseline_image: Option<String>,
    pub fail_on: Option<FailOn>,
    pub comment_mode: Option<CommentMode>,
    pub max_comments: Option<u32>,
    pub check_name: Option<String>,
    pub summary_comment: Option<bool>,
    pub sarif_file: Option<PathBuf>,
}

impl std::fmt::Debug for Inputs {
    // By hand, so the token can never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("github_token", &self.github_token.as_ref().map(|_| "***"))
            .field("config", &self.config)
            .field("dockerfiles", &self.dockerfiles)
            .field("images", &self.images)
            .field("comment_mode", &self.comment_mode)
            .field("max_comments", &self.max_comments)
            .field("check_name", &self.check_name)
            .finish_non_exhaustive()
    }
}

impl Inputs {
    /// Reads the inputs through `env`; a malformed one is an error naming it.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Inputs, String> {
        let input = |name: &str| {
            debug_assert!(NAMES.contains(&name), "`{name}` is not in NAMES");
            env(&format!("INPUT_{}", name.to_ascii_uppercase()))
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        let lines = |name: &str| -> Vec<String> {
            input(name)
                .map(|text| {
                    text.lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty() && !line.starts_with('#'))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let fail_on = match input("fail-on") {
            None => None,
            Some(value) => Some(
                <FailOn as clap::ValueEnum>::from_str(&value, true).map_err(|_| {
                    format!(
                        "input `fail-on` is `{value}`: expected error, warning, info, style or never"
                    )
                })?,
            ),
        };
        let comment_mode = match input("comment-mode").as_deref() {
            None => None,
            Some("off") => Some(ReviewComments::Off),
            Some("changed-lines") => Some(ReviewComments::ChangedLines),
            Some("all") => Some(ReviewComments::All),
            Some(other) => {
                return Err(format!(
                    "input `comment-mode` is `{other}`: expected off, changed-lines or all"
                ));
            }
        };
        let max_comments = match input("max-comments") {
            None => None,
            Some(value) => Some(value.parse::<u32>().map_err(|_| {
                format!("input `max-comments` is `{value}`: expected a whole number (0 or more)")
            })?),
        };
        let summary_comment = match input("summary-comment").as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                return Err(format!(
                    "input `summary-comment` is `{other}`: expected true or false"
                ));
            }
        };
        Ok(Inputs {
            github_token: input("github-token"),
            config: input("config"),
            required_policies: lines("required-policy"),
            dockerfiles: lines("dockerfiles")
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            images: lines("images"),
            baseline_image: input("baseline-image"),
            fail_on,
            comment_mode,
            max_comments,
            check_name: input("check-name"),
            summary_comment,
            sarif_file: input("sarif-file").map(PathBuf::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(vars: &[(&str, &str)]) -> Result<Inputs, String> {
        Inputs::from_env(&|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn names_are_upper_cased_with_hyphens_kept_and_lists_are_lines() {
        let read = inputs(&[
            ("INPUT_GITHUB-TOKEN", "ghs_abc"),
            (
                "INPUT_DOCKERFILES",
                "svc/Dockerfile\n\n  web/ \n# not this\n",
            ),
            ("INPUT_IMAGES", "docker-archive:a.tar\noci:b"),
            ("INPUT_MAX-COMMENTS", "5"),
            ("INPUT_COMMENT-MODE", "all"),
            ("INPUT_FAIL-ON", "error"),
            ("INPUT_CHECK-NAME", ""),
        ])
        .unwrap();
        assert_eq!(read.github_token.as_deref(), Some("ghs_abc"));
        assert_eq!(
            read.dockerfiles,
            [PathBuf::from("svc/Dockerfile"), PathBuf::from("web/")]
        );
        assert_eq!(read.images, ["docker-archive:a.tar", "oci:b"]);
        assert_eq!(read.max_comments, Some(5));
        assert_eq!(read.comment_mode, Some(ReviewComments::All));
        assert_eq!(read.fail_on, Some(FailOn::Error));
        assert_eq!(read.check_name, None, "empty is unset");
        assert!(!format!("{read:?}").contains("ghs_abc"));
    }

    #[test]
    fn malformed_inputs_name_themselves() {
        let error = inputs(&[("INPUT_MAX-COMMENTS", "many")]).unwrap_err();
        assert!(error.contains("max-comments"), "{error}");
        let error = inputs(&[("INPUT_COMMENT-MODE", "some")]).unwrap_err();
        assert!(error.contains("off, changed-lines or all"), "{error}");
        assert!(inputs(&[("INPUT_FAIL-ON", "fatal")]).is_err());
    }
}
