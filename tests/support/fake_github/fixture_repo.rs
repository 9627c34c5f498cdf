//! A real git repository for an end-to-end run: a base commit on `main`, a head commit
//! on `feature`, and the merge commit `actions/checkout` checks out for a
//! `pull_request` run. The pull request's files and patches come from `git diff`, so
//! the fake's diff and the workspace's agree; the event payloads are the ones the
//! runner writes to `GITHUB_EVENT_PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use super::{FakeGithub, PullFile, PullRequest};

enum Root {
    Temporary(tempfile::TempDir),
    Kept(PathBuf),
}

pub struct FixtureRepo {
    root: Root,
    pub owner: String,
    pub repo: String,
    pub number: u64,
    pub base_sha: String,
    pub head_sha: String,
    /// The head before the last [`FixtureRepo::push`] or [`FixtureRepo::rebase`].
    pub previous_head_sha: Option<String>,
    pub merge_sha: String,
    /// `owner/repo` of the fork the head comes from.
    pub fork: Option<String>,
}

/// A file change: `Some(text)` writes the file, `None` deletes it.
pub type Change<'a> = (&'a str, Option<&'a str>);

impl FixtureRepo {
    /// OWNER/REPO with BASE on `main` and pull request NUMBER making HEAD's changes on
    /// `feature`, in a temporary directory.
    pub fn create(
        owner: &str,
        repo: &str,
        number: u64,
        base: &[(&str, &str)],
        head: &[Change],
    ) -> FixtureRepo {
        let root = Root::Temporary(tempfile::TempDir::new().expect("temporary directory"));
        FixtureRepo::create_at(root, owner, repo, number, base, head)
    }

    /// The same in DIR, which stays when the fixture is dropped.
    pub fn create_in(
        dir: &Path,
        owner: &str,
        repo: &str,
        number: u64,
        base: &[(&str, &str)],
        head: &[Change],
    ) -> FixtureRepo {
        std::fs::create_dir_all(dir).expect("fixture directory");
        FixtureRepo::create_at(
            Root::Kept(dir.to_path_buf()),
            owner,
            repo,
            number,
            base,
            head,
        )
    }

    fn create_at(
        root: Root,
        owner: &str,
        repo: &str,
        number: u64,
        base: &[(&str, &str)],
        head: &[Change],
    ) -> FixtureRepo {
        let mut fixture = FixtureRepo {
            root,
            owner: owner.into(),
            repo: repo.into(),
            number,
            base_sha: String::new(),
            head_sha: String::new(),
            previous_head_sha: None,
            merge_sha: String::new(),
            fork: None,
        };
        std::fs::create_dir_all(fixture.workspace()).expect("workspace directory");
        fixture.git(&["init", "--quiet", "--initial-branch=main"]);
        let base: Vec<Change> = base.iter().map(|(p, t)| (*p, Some(*t))).collect();
        fixture.base_sha = fixture.commit(&base, "base");
        fixture.git(&["checkout", "--quiet", "-b", "feature"]);
        fixture.head_sha = fixture.commit(head, "head");
        fixture.merge();
        fixture
    }

    /// Makes the head come from the fork FORK (`owner/repo`), as a fork pull request.
    pub fn with_fork(mut self, fork: &str) -> FixtureRepo {
        self.fork = Some(fork.into());
        self
    }

    fn root_path(&self) -> &Path {
        match &self.root {
            Root::Temporary(dir) => dir.path(),
            Root::Kept(dir) => dir,
        }
    }

    /// The checkout (`GITHUB_WORKSPACE`).
    pub fn workspace(&self) -> PathBuf {
        self.root_path().join("workspace")
    }

    /// A directory outside the checkout for the event, output and summary files.
    pub fn runner_dir(&self) -> PathBuf {
        let dir = self.root_path().join("runner");
        std::fs::create_dir_all(&dir).expect("runner directory");
        dir
    }

    /// Runs git in the checkout and returns its standard output; panics on failure (a
    /// broken fixture, not a finding).
    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=Fixture",
                "-c",
                "user.email=fixture@example.com",
            ])
            .args(["-c", "commit.gpgsign=false", "-c", "core.quotePath=false"])
            .args(args)
            .current_dir(self.workspace())
            // A git hook or an outer repository must not redirect the fixture's git.
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_OBJECT_DIRECTORY")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_string()
    }

    fn commit(&self, changes: &[Change], message: &str) -> String {
        for (path, text) in changes {
            let file = self.workspace().join(path);
            match text {
                Some(text) => {
                    std::fs::create_dir_all(file.parent().unwrap()).expect("directory");
                    std::fs::write(&file, text).expect("write fixture file");
                }
                None => {
                    let _ = std::fs::remove_file(&file);
                }
            }
        }
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Makes the merge commit of head into base and checks it out, as
    /// `actions/checkout` does for `pull_request` (`refs/pull/N/merge`).
    fn merge(&mut self) {
        self.git(&["checkout", "--quiet", "--detach", &self.base_sha.clone()]);
        self.git(&["merge", "--quiet", "--no-ff", "--no-edit", "feature"]);
        self.merge_sha = self.git(&["rev-parse", "HEAD"]);
    }

    /// A new commit on `feature` with CHANGES (a `synchronize` push).
    pub fn push(&mut self, changes: &[Change]) {
        self.git(&["checkout", "--quiet", "feature"]);
        self.previous_head_sha = Some(self.head_sha.clone());
        self.head_sha = self.commit(changes, "push");
        self.merge();
    }

    /// A new commit on `main` with BASE_CHANGES, and `feature` rebased onto it: the
    /// pull request's lines move without its own change changing.
    pub fn rebase(&mut self, base_changes: &[Change]) {
        self.git(&["checkout", "--quiet", "main"]);
        self.base_sha = self.commit(base_changes, "base moves");
        self.git(&["checkout", "--quiet", "feature"]);
        self.git(&["rebase", "--quiet", "main"]);
        self.previous_head_sha = Some(self.head_sha.clone());
        self.head_sha = self.git(&["rev-parse", "HEAD"]);
        self.merge();
    }

    /// The pull request's files as GitHub lists them: from `git diff base head` with
    /// rename detection, each patch from its first `@@`.
    pub fn files(&self) -> Vec<PullFile> {
        let listing = self.git(&[
            "diff",
            "--name-status",
            "-z",
            "-M",
            &self.base_sha,
            &self.head_sha,
        ]);
        let mut fields = listing.split('\0').filter(|f| !f.is_empty());
        let mut files = Vec::new();
        while let Some(code) = fields.next() {
            let (status, previous) = match code.as_bytes().first() {
                Some(b'A') => ("added", None),
                Some(b'D') => ("removed", None),
                Some(b'R') => ("renamed", fields.next()),
                Some(b'C') => ("copied", fields.next()),
                Some(b'T') => ("changed", None),
                _ => ("modified", None),
            };
            let Some(path) = fields.next() else { break };
            let mut args = vec![
                "diff",
                "--no-color",
                "--no-ext-diff",
                "-M",
                &self.base_sha,
                &self.head_sha,
                "--",
            ];
            args.extend(previous);
            args.push(path);
            let diff = self.git(&args);
            let patch = diff.find("\n@@").map(|start| diff[start + 1..].to_string());
            let mut file = PullFile::new(path, status, patch.as_deref());
            file.previous_filename = previous.map(str::to_string);
            let blob = if status == "removed" {
                format!("{}:{path}", self.base_sha)
            } else {
                format!("{}:{path}", self.head_sha)
            };
            file.sha = self.git(&["rev-parse", &blob]);
            files.push(file);
        }
        files
    }

    /// The pull request for [`FakeGithub::put_pull`].
    pub fn pull_request(&self) -> PullRequest {
        let mut pull = PullRequest::new(
            &self.owner,
            &self.repo,
            self.number,
            &self.base_sha,
            &self.head_sha,
        );
        pull.merge_sha = Some(self.merge_sha.clone());
        pull.head_repo = self.fork.clone();
        pull.files = self.files();
        pull
    }

    /// Registers (or moves) the pull request on FAKE.
    pub fn publish(&self, fake: &FakeGithub) {
        fake.put_pull(self.pull_request());
        fake.add_commit(&self.owner, &self.repo, &self.merge_sha);
    }

    /// The `pull_request` event payload for ACTION (`opened`, `synchronize`, …), with the
    /// pull request as FAKE serves it; publish first.
    pub fn pull_request_event(&self, fake: &FakeGithub, action: &str) -> Value {
        let pull = fake
            .pull_json(&self.owner, &self.repo, self.number)
            .expect("publish the fixture's pull request on the fake first");
        let mut event = json!({
            "action": action,
            "number": self.number,
            "pull_request": pull,
            "repository": fake.repo_json(&self.owner, &self.repo),
            "sender": pull["user"],
        });
        if action == "synchronize" {
            event["before"] = json!(
                self.previous_head_sha
                    .clone()
                    .unwrap_or_else(|| self.base_sha.clone())
            );
            event["after"] = json!(self.head_sha);
        }
        event
    }

    /// The `push` event payload for the head commit pushed to `feature`.
    pub fn push_event(&self, fake: &FakeGithub) -> Value {
        let before = self
            .previous_head_sha
            .clone()
            .unwrap_or_else(|| self.base_sha.clone());
        let repository = fake.repo_json(&self.owner, &self.repo);
        let (added, removed, modified) = {
            let files = self.files();
            let pick = |statuses: &[&str]| {
                files
                    .iter()
                    .filter(|f| statuses.contains(&f.status.as_str()))
                    .map(|f| f.filename.clone())
                    .collect::<Vec<_>>()
            };
            (
                pick(&["added", "renamed", "copied"]),
                pick(&["removed"]),
                pick(&["modified", "changed"]),
            )
        };
        let commit = json!({
            "id": self.head_sha,
            "tree_id": self.git(&["rev-parse", &format!("{}^{{tree}}", self.head_sha)]),
            "distinct": true,
            "message": self.git(&["log", "-1", "--format=%B", &self.head_sha]),
            "timestamp": "2026-01-01T00:00:00Z",
            "url": format!("https://github.com/{}/{}/commit/{}", self.owner, self.repo, self.head_sha),
            "author": {"name": "Fixture", "email": "fixture@example.com", "username": "octocat"},
            "committer": {"name": "Fixture", "email": "fixture@example.com", "username": "octocat"},
            "added": added, "removed": removed, "modified": modified,
        });
        json!({
            "ref": "refs/heads/feature",
            "before": before,
            "after": self.head_sha,
            "created": false,
            "deleted": false,
            "forced": false,
            "base_ref": null,
            "compare": format!("https://github.com/{}/{}/compare/{}...{}", self.owner, self.repo, &before[..12], &self.head_sha[..12]),
            "commits": [commit.clone()],
            "head_commit": commit,
            "repository": repository,
            "pusher": {"name": "octocat", "email": "octocat@example.com"},
            "sender": repository["owner"],
        })
    }

    /// Writes EVENT where the runner would, and returns the environment a container
    /// action gets for it: `GITHUB_*` (token, API URL at FAKE, workspace, SHA and ref of
    /// the event, output and summary files). `INPUT_*` are the action's, not these.
    pub fn action_env(
        &self,
        fake: &FakeGithub,
        event_name: &str,
        event: &Value,
    ) -> Vec<(String, String)> {
        let runner = self.runner_dir();
        let event_path = runner.join("event.json");
        std::fs::write(&event_path, serde_json::to_string_pretty(event).unwrap())
            .expect("write event");
        let output = runner.join("output");
        let summary = runner.join("step_summary.md");
        for file in [&output, &summary] {
            if !file.exists() {
                std::fs::write(file, "").expect("create runner file");
            }
        }
        let (sha, reference, ref_name, head_ref, base_ref) = if event_name == "push" {
            self.git(&["checkout", "--quiet", "--detach", &self.head_sha]);
            let reference = event["ref"]
                .as_str()
                .unwrap_or("refs/heads/feature")
                .to_string();
            let name = reference.trim_start_matches("refs/heads/").to_string();
            (
                self.head_sha.clone(),
                reference,
                name,
                String::new(),
                String::new(),
            )
        } else {
            self.git(&["checkout", "--quiet", "--detach", &self.merge_sha]);
            (
                self.merge_sha.clone(),
                format!("refs/pull/{}/merge", self.number),
                format!("{}/merge", self.number),
                "feature".to_string(),
                "main".to_string(),
            )
        };
        let token = if self.fork.is_some() {
            &fake.read_only_token
        } else {
            &fake.token
        };
        let path = |p: &Path| p.to_string_lossy().into_owned();
        [
            ("CI", "true".to_string()),
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_EVENT_NAME", event_name.to_string()),
            ("GITHUB_EVENT_PATH", path(&event_path)),
            ("GITHUB_SHA", sha),
            ("GITHUB_REF", reference),
            ("GITHUB_REF_NAME", ref_name),
            ("GITHUB_HEAD_REF", head_ref),
            ("GITHUB_BASE_REF", base_ref),
            ("GITHUB_REPOSITORY", format!("{}/{}", self.owner, self.repo)),
            ("GITHUB_REPOSITORY_OWNER", self.owner.clone()),
            ("GITHUB_WORKSPACE", path(&self.workspace())),
            ("GITHUB_API_URL", fake.url.clone()),
            ("GITHUB_SERVER_URL", "https://github.com".to_string()),
            ("GITHUB_GRAPHQL_URL", format!("{}/graphql", fake.url)),
            ("GITHUB_TOKEN", token.clone()),
            ("GITHUB_OUTPUT", path(&output)),
            ("GITHUB_STEP_SUMMARY", path(&summary)),
            ("GITHUB_RUN_ID", "4242".to_string()),
            ("GITHUB_RUN_NUMBER", "7".to_string()),
            ("GITHUB_RUN_ATTEMPT", "1".to_string()),
            ("GITHUB_WORKFLOW", "container policy".to_string()),
            ("GITHUB_JOB", "dockgate".to_string()),
            ("GITHUB_ACTION", "dockgate".to_string()),
            ("GITHUB_ACTOR", "octocat".to_string()),
            ("RUNNER_OS", "Linux".to_string()),
            ("RUNNER_TEMP", path(&runner)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}
