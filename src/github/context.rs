//! Where the run is: the repository, the event and the commit, from the environment
//! GitHub Actions gives a container action and the event payload at
//! `GITHUB_EVENT_PATH`.
//!
//! For `pull_request` GITHUB_SHA is the merge commit, which no reviewer sees: check runs
//! and reviews go on the pull request's head SHA, read from the payload.

use std::path::PathBuf;

use serde::Deserialize;

/// The pull request a run is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub head_sha: String,
    pub base_sha: String,
    /// The head repository is not the base repository (or was deleted): on a
    /// `pull_request` event the token is then read-only.
    pub from_fork: bool,
}

/// One run's place on GitHub.
#[derive(Debug, Clone)]
pub struct Context {
    /// The API root, without a trailing slash (`GITHUB_API_URL`).
    pub api_url: String,
    pub owner: String,
    pub repo: String,
    /// `GITHUB_EVENT_NAME`.
    pub event: String,
    /// The commit the check run is attached to: the PR head, else `GITHUB_SHA`.
    pub head_sha: String,
    pub pull_request: Option<PullRequest>,
    /// The token cannot write: a `pull_request` from a fork.
    pub read_only: bool,
    pub workspace: PathBuf,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    /// Identifies this workflow job's check run across re-runs.
    pub external_id: String,
}

#[derive(Deserialize)]
struct Event {
    pull_request: Option<EventPullRequest>,
    merge_group: Option<EventMergeGroup>,
    after: Option<String>,
}

#[derive(Deserialize)]
struct EventPullRequest {
    number: u64,
    head: EventBranch,
    base: EventBranch,
}

#[derive(Deserialize)]
struct EventBranch {
    sha: String,
    repo: Option<EventRepo>,
}

#[derive(Deserialize)]
struct EventRepo {
    full_name: String,
}

#[derive(Deserialize)]
struct EventMergeGroup {
    head_sha: String,
}

impl Context {
    /// Reads the context through `env` (the process environment in the binary).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Context, String> {
        let var = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        let repository = var("GITHUB_REPOSITORY")
            .ok_or("`GITHUB_REPOSITORY` is not set: `dockgate github` runs inside GitHub Actions (or set GITHUB_REPOSITORY=OWNER/REPO)")?;
        let (owner, repo) = repository
            .split_once('/')
            .filter(|(owner, repo)| !owner.is_empty() && !repo.is_empty() && !repo.contains('/'))
            .ok_or_else(|| format!("`GITHUB_REPOSITORY` is `{repository}`: expected OWNER/REPO"))?;
        let event_name = var("GITHUB_EVENT_NAME").unwrap_or_default();
        let event = match var("GITHUB_EVENT_PATH") {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|error| format!("cannot read the event `{path}`: {error}"))?;
                serde_json::from_str::<Event>(&text).map_err(|error| {
                    format!(
                        "{path}:{}:{}: not a GitHub event payload: {error}",
                        error.line(),
                        error.column()
                    )
                })?
            }
            None => Event {
                pull_request: None,
                merge_group: None,
                after: None,
            },
        };
        let pull_request = match event_name.as_str() {
            "pull_request" | "pull_request_target" | "pull_request_review" => {
                event.pull_request.map(|pr| PullRequest {
                    number: pr.number,
                    from_fork: match (&pr.head.repo, &pr.base.repo) {
                        (Some(head), Some(base)) => head.full_name != base.full_name,
                        // The fork was deleted: its token is no better.
                        _ => true,
                    },
                    head_sha: pr.head.sha,
                    base_sha: pr.base.sha,
                })
            }
            _ => None,
        };
        let head_sha = match (&pull_request, event_name.as_str()) {
            (Some(pr), _) => pr.head_sha.clone(),
            (None, "merge_group") => match event.merge_group {
                Some(group) => group.head_sha,
                None => var("GITHUB_SHA").unwrap_or_default(),
            },
            (None, "push") => var("GITHUB_SHA").or(event.after).unwrap_or_default(),
            _ => var("GITHUB_SHA").unwrap_or_default(),
        };
        if head_sha.is_empty() {
            return Err("`GITHUB_SHA` is not set and the event names no commit".to_string());
        }
        // pull_request_target runs with the base repository's token, which may write.
        let read_only =
            event_name == "pull_request" && pull_request.as_ref().is_some_and(|pr| pr.from_fork);
        let external_id = format!(
            "dockgate/{}/{}",
            var("GITHUB_WORKFLOW").unwrap_or_default(),
            var("GITHUB_JOB").unwrap_or_default()
        );
        Ok(Context {
            api_url: var("GITHUB_API_URL")
                .unwrap_or_else(|| "https://api.github.com".to_string())
                .trim_end_matches('/')
                .to_string(),
            owner: owner.to_string(),
            repo: repo.to_string(),
            event: event_name,
            head_sha,
            pull_request,
            read_only,
            workspace: var("GITHUB_WORKSPACE")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".")),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            external_id,
        })
    }

    /// `/repos/OWNER/REPO`, the start of most routes.
    pub fn repo_route(&self) -> String {
        format!("/repos/{}/{}", self.owner, self.repo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn context(vars: &[(&str, &str)], event: &str) -> Result<Context, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("event.json");
        std::fs::write(&path, event).unwrap();
        let mut map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.insert("GITHUB_EVENT_PATH".into(), path.display().to_string());
        map.entry("GITHUB_REPOSITORY".into())
            .or_insert_with(|| "acme/app".into());
        Context::from_env(&|name| map.get(name).cloned())
    }

    const PR: &str = r#"{"pull_request": {"number": 7,
        "head": {"sha": "head1", "repo": {"full_name": "HEADREPO"}},
        "base": {"sha": "base1", "repo": {"full_name": "acme/app"}}}}"#;

    #[test]
    fn pull_requests_use_the_head_sha_not_the_merge_commit() {
        let pr = PR.replace("HEADREPO", "acme/app");
        let ctx = context(
            &[
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_SHA", "merge1"),
            ],
            &pr,
        )
        .unwrap();
        assert_eq!(ctx.head_sha, "head1");
        let number = ctx
            .pull_request
            .as_ref()
            .map(|pr| (pr.number, pr.base_sha.as_str()));
        assert_eq!(number, Some((7, "base1")));
        assert!(!ctx.read_only);
    }

    #[test]
    fn forks_are_read_only_on_pull_request_but_not_on_pull_request_target() {
        let pr = PR.replace("HEADREPO", "someone/app");
        let fork = context(&[("GITHUB_EVENT_NAME", "pull_request")], &pr).unwrap();
        assert!(fork.read_only && fork.pull_request.unwrap().from_fork);
        let target = context(&[("GITHUB_EVENT_NAME", "pull_request_target")], &pr).unwrap();
        assert!(!target.read_only);
        let deleted = PR.replace(r#"{"full_name": "HEADREPO"}"#, "null");
        assert!(
            context(&[("GITHUB_EVENT_NAME", "pull_request")], &deleted)
                .unwrap()
                .read_only
        );
    }

    #[test]
    fn other_events_use_their_commit() {
        let merge = context(
            &[("GITHUB_EVENT_NAME", "merge_group"), ("GITHUB_SHA", "x")],
            r#"{"merge_group": {"head_sha": "group1"}}"#,
        )
        .unwrap();
        assert_eq!(merge.head_sha, "group1");
        for event in ["push", "workflow_dispatch", "schedule"] {
            let ctx = context(
                &[("GITHUB_EVENT_NAME", event), ("GITHUB_SHA", "sha1")],
                "{}",
            )
            .unwrap();
            assert_eq!(ctx.head_sha, "sha1");
            assert!(ctx.pull_request.is_none());
        }
    }

    #[test]
    fn bad_environment_is_explained() {
        let error = context(&[("GITHUB_REPOSITORY", "acme")], "{}").unwrap_err();
        assert!(error.contains("OWNER/REPO"), "{error}");
        let error = context(&[("GITHUB_EVENT_NAME", "push")], "{\n  \"after\": [}").unwrap_err();
        assert!(error.contains("event.json:2:"), "{error}");
    }
}
