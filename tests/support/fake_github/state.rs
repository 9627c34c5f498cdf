//! What the fake remembers: repositories, pull requests and their files, reviews,
//! comments, check runs, the recorded requests and the scripted faults.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::openapi::operation;
use super::patch;
use super::{Fault, PullFile, PullRequest, Request};

/// Who made a comment or review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub id: u64,
    pub kind: &'static str,
}

impl User {
    /// The identity behind `GITHUB_TOKEN` in a workflow.
    pub fn actions_bot() -> User {
        User {
            login: "github-actions[bot]".into(),
            id: 41898282,
            kind: "Bot",
        }
    }

    pub fn human(login: &str) -> User {
        User {
            login: login.into(),
            id: 1000 + login.bytes().map(u64::from).sum::<u64>(),
            kind: "User",
        }
    }

    pub fn render(&self, api: &str) -> Value {
        let mut user = operation("pulls/get").example(200)["user"].clone();
        // GitHub escapes a bot's brackets in its URLs: `github-actions%5Bbot%5D`.
        let escaped = self.login.replace('[', "%5B").replace(']', "%5D");
        if let Some(fields) = user.as_object_mut() {
            for (key, value) in fields.iter_mut() {
                if let Value::String(text) = value
                    && key.ends_with("url")
                {
                    *text = text
                        .replace("https://api.github.com", api)
                        .replace("octocat", &escaped);
                }
            }
        }
        let html_url = match self.login.strip_suffix("[bot]") {
            Some(app) => format!("https://github.com/apps/{app}"),
            None => format!("https://github.com/{escaped}"),
        };
        for (key, value) in [
            ("login", json!(self.login)),
            ("id", json!(self.id)),
            ("node_id", json!(format!("U_{}", self.id))),
            ("type", json!(self.kind)),
            ("html_url", json!(html_url)),
            ("site_admin", json!(false)),
        ] {
            user[key] = value;
        }
        user
    }
}

pub struct Pull {
    pub spec: PullRequest,
    /// Every head the pull request had, oldest first: a review may name any of them.
    pub heads: Vec<String>,
    /// The files of each head.
    pub files_at: HashMap<String, Vec<PullFile>>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub id: u64,
    pub repo: (String, String),
    pub number: u64,
    pub user: User,
    pub body: String,
    pub state: String,
    pub commit_id: String,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReviewComment {
    pub id: u64,
    pub repo: (String, String),
    pub number: u64,
    pub review_id: u64,
    pub user: User,
    pub body: String,
    pub path: String,
    pub subject_type: String,
    /// None once the line left the diff (an outdated comment).
    pub line: Option<u64>,
    pub original_line: Option<u64>,
    pub side: String,
    pub start_line: Option<u64>,
    pub original_start_line: Option<u64>,
    pub start_side: Option<String>,
    pub position: Option<usize>,
    pub original_position: Option<usize>,
    /// The text of the commented line, to follow it when the pull request changes.
    pub line_text: Option<String>,
    pub commit_id: String,
    pub original_commit_id: String,
    pub in_reply_to: Option<u64>,
    pub diff_hunk: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct IssueComment {
    pub id: u64,
    pub repo: (String, String),
    pub number: u64,
    pub user: User,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct CheckRun {
    pub id: u64,
    pub repo: (String, String),
    pub head_sha: String,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub external_id: Option<String>,
    pub details_url: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub text: Option<String>,
    pub annotations: Vec<Value>,
    pub actions: Vec<Value>,
}

/// A fault and how many matching requests it has seen and answered.
pub struct ScriptedFault {
    pub fault: Fault,
    pub seen: usize,
    pub fired: usize,
}

#[derive(Default)]
pub struct State {
    pub api_url: String,
    /// (owner, repo, path, ref) -> file text.
    pub files: HashMap<(String, String, String, String), String>,
    /// Repositories that exist, and the commits each one has.
    pub repos: BTreeMap<(String, String), BTreeSet<String>>,
    pub pulls: BTreeMap<(String, String, u64), Pull>,
    pub reviews: Vec<Review>,
    pub review_comments: Vec<ReviewComment>,
    pub issue_comments: Vec<IssueComment>,
    pub check_runs: Vec<CheckRun>,
    pub sarif_uploads: Vec<super::code_scanning::SarifUpload>,
    pub requests: Vec<Request>,
    /// Requests to answer with 502 before serving normally (retry tests).
    pub failures_left: usize,
    pub faults: Vec<ScriptedFault>,
    pub writes_forbidden: bool,
    pub rate_limit_used: u64,
    pub next_id: u64,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        1000 + self.next_id
    }

    pub fn add_repo(&mut self, owner: &str, repo: &str) -> &mut BTreeSet<String> {
        self.repos.entry((owner.into(), repo.into())).or_default()
    }

    pub fn repo_exists(&self, owner: &str, repo: &str) -> bool {
        self.repos
            .contains_key(&(owner.to_string(), repo.to_string()))
    }

    pub fn pull(&self, owner: &str, repo: &str, number: u64) -> Option<&Pull> {
        self.pulls
            .get(&(owner.to_string(), repo.to_string(), number))
    }

    /// Opens the pull request, or moves an open one to its new head (a push or a
    /// rebase): comments follow their line's text into the new diff or become outdated.
    pub fn put_pull(&mut self, spec: PullRequest) {
        let now = now_iso();
        let (owner, repo, number) = (spec.owner.clone(), spec.repo.clone(), spec.number);
        let commits = self.add_repo(&owner, &repo);
        commits.insert(spec.head_sha.clone());
        commits.insert(spec.base_sha.clone());
        if let Some(fork) = &spec.head_repo
            && let Some((fork_owner, fork_repo)) = fork.split_once('/')
        {
            self.add_repo(fork_owner, fork_repo)
                .insert(spec.head_sha.clone());
        }
        let key = (owner.clone(), repo.clone(), number);
        let files = spec.files.clone();
        match self.pulls.get_mut(&key) {
            Some(pull) => {
                if !pull.heads.contains(&spec.head_sha) {
                    pull.heads.push(spec.head_sha.clone());
                }
                pull.files_at.insert(spec.head_sha.clone(), files.clone());
                pull.spec = spec;
                pull.updated_at = now;
            }
            None => {
                self.pulls.insert(
                    key,
                    Pull {
                        heads: vec![spec.head_sha.clone()],
                        files_at: HashMap::from([(spec.head_sha.clone(), files.clone())]),
                        spec,
                        created_at: now.clone(),
                        updated_at: now,
                    },
                );
            }
        }
        let head = self
            .pull(&owner, &repo, number)
            .unwrap()
            .spec
            .head_sha
            .clone();
        for comment in self
            .review_comments
            .iter_mut()
            .filter(|c| c.repo == (owner.clone(), repo.clone()) && c.number == number)
        {
            follow_line(comment, &files, &head);
        }
    }

    /// The check runs of a repository, oldest first.
    pub fn check_runs_of<'a>(
        &'a self,
        owner: &'a str,
        repo: &'a str,
    ) -> impl Iterator<Item = &'a CheckRun> + 'a {
        self.check_runs
            .iter()
            .filter(move |run| run.repo.0 == owner && run.repo.1 == repo)
    }

    pub fn render_pull(&self, pull: &Pull) -> Value {
        render_pull(&self.api_url, pull, self)
    }

    pub fn render_review(&self, review: &Review) -> Value {
        let api = &self.api_url;
        let (owner, repo) = &review.repo;
        let number = review.number;
        let mut value = operation("pulls/create-review").example(200);
        let html = format!(
            "https://github.com/{owner}/{repo}/pull/{number}#pullrequestreview-{}",
            review.id
        );
        let pull_url = format!("{api}/repos/{owner}/{repo}/pulls/{number}");
        value["id"] = json!(review.id);
        value["node_id"] = json!(format!("PRR_{}", review.id));
        value["user"] = review.user.render(api);
        value["body"] = json!(review.body);
        value["state"] = json!(review.state);
        value["html_url"] = json!(html);
        value["pull_request_url"] = json!(pull_url);
        value["_links"] = json!({"html": {"href": html}, "pull_request": {"href": pull_url}});
        value["commit_id"] = json!(review.commit_id);
        value["author_association"] = json!(association(&review.user));
        match &review.submitted_at {
            Some(at) => value["submitted_at"] = json!(at),
            None => {
                value.as_object_mut().unwrap().remove("submitted_at");
            }
        }
        value
    }

    pub fn render_review_comment(&self, comment: &ReviewComment) -> Value {
        let api = &self.api_url;
        let (owner, repo) = &comment.repo;
        let number = comment.number;
        let mut value = operation("pulls/create-review-comment").example(201);
        let url = format!("{api}/repos/{owner}/{repo}/pulls/comments/{}", comment.id);
        let html = format!(
            "https://github.com/{owner}/{repo}/pull/{number}#discussion_r{}",
            comment.id
        );
        let pull_url = format!("{api}/repos/{owner}/{repo}/pulls/{number}");
        let object = value.as_object_mut().unwrap();
        for key in [
            "in_reply_to_id",
            "start_line",
            "original_start_line",
            "start_side",
            "reactions",
            "body_html",
            "body_text",
        ] {
            object.remove(key);
        }
        value["url"] = json!(url);
        value["id"] = json!(comment.id);
        value["node_id"] = json!(format!("PRRC_{}", comment.id));
        value["pull_request_review_id"] = json!(comment.review_id);
        value["diff_hunk"] = json!(comment.diff_hunk);
        value["path"] = json!(comment.path);
        value["commit_id"] = json!(comment.commit_id);
        value["original_commit_id"] = json!(comment.original_commit_id);
        value["user"] = comment.user.render(api);
        value["body"] = json!(comment.body);
        value["created_at"] = json!(comment.created_at);
        value["updated_at"] = json!(comment.updated_at);
        value["html_url"] = json!(html);
        value["pull_request_url"] = json!(pull_url);
        value["author_association"] = json!(association(&comment.user));
        value["_links"] = json!({
            "self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull_url}
        });
        // The schema types these as integers, not nullable: an outdated or file-level
        // comment leaves them out.
        let object = value.as_object_mut().unwrap();
        for (key, number) in [
            ("line", comment.line),
            ("original_line", comment.original_line),
            ("position", comment.position.map(|p| p as u64)),
            (
                "original_position",
                comment.original_position.map(|p| p as u64),
            ),
        ] {
            match number {
                Some(number) => {
                    object.insert(key.into(), json!(number));
                }
                None => {
                    object.remove(key);
                }
            }
        }
        value["side"] = json!(comment.side);
        value["subject_type"] = json!(comment.subject_type);
        if let Some(parent) = comment.in_reply_to {
            value["in_reply_to_id"] = json!(parent);
        }
        if comment.original_start_line.is_some() {
            value["start_line"] = json!(comment.start_line);
            value["original_start_line"] = json!(comment.original_start_line);
            value["start_side"] = json!(comment.start_side);
        }
        value
    }

    pub fn render_issue_comment(&self, comment: &IssueComment) -> Value {
        let api = &self.api_url;
        let (owner, repo) = &comment.repo;
        let number = comment.number;
        let mut value = operation("issues/create-comment").example(201);
        let object = value.as_object_mut().unwrap();
        for key in [
            "reactions",
            "body_html",
            "body_text",
            "performed_via_github_app",
        ] {
            object.remove(key);
        }
        value["id"] = json!(comment.id);
        value["node_id"] = json!(format!("IC_{}", comment.id));
        value["url"] = json!(format!(
            "{api}/repos/{owner}/{repo}/issues/comments/{}",
            comment.id
        ));
        value["html_url"] = json!(format!(
            "https://github.com/{owner}/{repo}/pull/{number}#issuecomment-{}",
            comment.id
        ));
        value["issue_url"] = json!(format!("{api}/repos/{owner}/{repo}/issues/{number}"));
        value["body"] = json!(comment.body);
        value["user"] = comment.user.render(api);
        value["created_at"] = json!(comment.created_at);
        value["updated_at"] = json!(comment.updated_at);
        value["author_association"] = json!(association(&comment.user));
        value
    }

    pub fn render_check_run(&self, run: &CheckRun) -> Value {
        let api = &self.api_url;
        let (owner, repo) = &run.repo;
        let mut value = operation("checks/create").example(201);
        let url = format!("{api}/repos/{owner}/{repo}/check-runs/{}", run.id);
        value["id"] = json!(run.id);
        value["head_sha"] = json!(run.head_sha);
        value["node_id"] = json!(format!("CR_{}", run.id));
        value["external_id"] = json!(run.external_id.clone().unwrap_or_default());
        value["url"] = json!(url);
        value["html_url"] = json!(format!("https://github.com/{owner}/{repo}/runs/{}", run.id));
        value["details_url"] = json!(run.details_url);
        value["status"] = json!(run.status);
        value["conclusion"] = json!(run.conclusion);
        value["started_at"] = json!(run.started_at);
        value["completed_at"] = json!(run.completed_at);
        value["output"] = json!({
            "title": run.title,
            "summary": run.summary,
            "text": run.text,
            "annotations_count": run.annotations.len(),
            "annotations_url": format!("{url}/annotations"),
        });
        value["name"] = json!(run.name);
        value["check_suite"] = json!({"id": run.id + 500_000});
        value["app"]["slug"] = json!("github-actions");
        value["app"]["name"] = json!("GitHub Actions");
        value["pull_requests"] = json!(
            self.pulls
                .values()
                .filter(|pull| pull.spec.owner == *owner
                    && pull.spec.repo == *repo
                    && pull.spec.head_sha == run.head_sha
                    && pull.spec.head_repo.is_none())
                .map(|pull| {
                    let repo_ref = json!({
                        "id": repo_id(owner, repo),
                        "url": format!("{api}/repos/{owner}/{repo}"),
                        "name": repo,
                    });
                    json!({
                        "url": format!("{api}/repos/{owner}/{repo}/pulls/{}", pull.spec.number),
                        "id": pull.spec.number + 9_000_000,
                        "number": pull.spec.number,
                        "head": {"ref": pull.spec.head_ref, "sha": pull.spec.head_sha, "repo": repo_ref},
                        "base": {"ref": pull.spec.base_ref, "sha": pull.spec.base_sha, "repo": repo_ref},
                    })
                })
                .collect::<Vec<_>>()
        );
        value
    }

    /// Everything the fake holds, as `GET /_fake/state` serves it.
    pub fn dump(&self) -> Value {
        json!({
            "pulls": self.pulls.values().map(|p| self.render_pull(p)).collect::<Vec<_>>(),
            "reviews": self.reviews.iter().map(|r| self.render_review(r)).collect::<Vec<_>>(),
            "review_comments": self.review_comments.iter().map(|c| self.render_review_comment(c)).collect::<Vec<_>>(),
            "issue_comments": self.issue_comments.iter().map(|c| self.render_issue_comment(c)).collect::<Vec<_>>(),
            "check_runs": self.check_runs.iter().map(|run| {
                let mut value = self.render_check_run(run);
                value["annotations"] = json!(run.annotations);
                value
            }).collect::<Vec<_>>(),
            "sarif_uploads": self.sarif_uploads.iter().map(|u| u.to_json()).collect::<Vec<_>>(),
            "requests": self.requests.iter().map(Request::to_json).collect::<Vec<_>>(),
        })
    }
}

fn association(user: &User) -> &'static str {
    if user.kind == "Bot" { "NONE" } else { "MEMBER" }
}

/// A stable id for a repository name.
pub fn repo_id(owner: &str, repo: &str) -> u64 {
    format!("{owner}/{repo}").bytes().fold(7u64, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(u64::from(byte))
    }) % 900_000_000
        + 100_000_000
}

pub fn render_repo(api: &str, owner: &str, repo: &str, fork: bool) -> Value {
    let mut value = operation("pulls/get").example(200)["base"]["repo"].clone();
    let object = value.as_object_mut().unwrap();
    let full_name = format!("{owner}/{repo}");
    for (key, text) in object.iter_mut() {
        // The example's URLs name octocat/Hello-World; point them at this repository.
        if let Value::String(text) = text
            && key.ends_with("url")
        {
            *text = text
                .replace("https://api.github.com", api)
                .replace("octocat/Hello-World", &full_name)
                .replace("octocat/Hello-World.git", &format!("{full_name}.git"));
        }
    }
    value["id"] = json!(repo_id(owner, repo));
    value["node_id"] = json!(format!("R_{}", repo_id(owner, repo)));
    value["name"] = json!(repo);
    value["full_name"] = json!(full_name);
    value["fork"] = json!(fork);
    value["private"] = json!(false);
    value["owner"] = User::human(owner).render(api);
    value["default_branch"] = json!("main");
    value
}

fn render_pull(api: &str, pull: &Pull, state: &State) -> Value {
    let spec = &pull.spec;
    let (owner, repo, number) = (&spec.owner, &spec.repo, spec.number);
    let mut value = operation("pulls/get").example(200);
    let base_repo = render_repo(api, owner, repo, false);
    let (head_owner, head_repo) = spec
        .head_repo
        .as_deref()
        .and_then(|full| full.split_once('/'))
        .unwrap_or((owner, repo));
    let head_repo_value = render_repo(api, head_owner, head_repo, spec.head_repo.is_some());
    let author = User::human(&spec.author);
    let pull_api = format!("{api}/repos/{owner}/{repo}/pulls/{number}");
    let issue_api = format!("{api}/repos/{owner}/{repo}/issues/{number}");
    let html = format!("https://github.com/{owner}/{repo}/pull/{number}");
    let files = &spec.files;
    let count = |pick: fn(&PullFile) -> u64| files.iter().map(pick).sum::<u64>();
    let review_comments = state
        .review_comments
        .iter()
        .filter(|c| c.repo.0 == *owner && c.repo.1 == *repo && c.number == number)
        .count();
    let comments = state
        .issue_comments
        .iter()
        .filter(|c| c.repo.0 == *owner && c.repo.1 == *repo && c.number == number)
        .count();
    let side = |label_owner: &str, reference: &str, sha: &str, repo_value: &Value| {
        json!({
            "label": format!("{label_owner}:{reference}"),
            "ref": reference,
            "sha": sha,
            "user": User::human(label_owner).render(api),
            "repo": repo_value,
        })
    };
    for (key, field) in [
        ("url", json!(pull_api)),
        ("id", json!(number + 9_000_000)),
        ("node_id", json!(format!("PR_{number}"))),
        ("html_url", json!(html)),
        ("diff_url", json!(format!("{html}.diff"))),
        ("patch_url", json!(format!("{html}.patch"))),
        ("issue_url", json!(issue_api)),
        ("commits_url", json!(format!("{pull_api}/commits"))),
        ("review_comments_url", json!(format!("{pull_api}/comments"))),
        (
            "review_comment_url",
            json!(format!(
                "{api}/repos/{owner}/{repo}/pulls/comments{{/number}}"
            )),
        ),
        ("comments_url", json!(format!("{issue_api}/comments"))),
        (
            "statuses_url",
            json!(format!(
                "{api}/repos/{owner}/{repo}/statuses/{}",
                spec.head_sha
            )),
        ),
        ("number", json!(number)),
        ("state", json!("open")),
        ("locked", json!(false)),
        ("title", json!(spec.title)),
        ("user", author.render(api)),
        ("body", json!(spec.body)),
        ("labels", json!([])),
        ("milestone", Value::Null),
        ("active_lock_reason", Value::Null),
        ("created_at", json!(pull.created_at)),
        ("updated_at", json!(pull.updated_at)),
        ("closed_at", Value::Null),
        ("merged_at", Value::Null),
        ("merge_commit_sha", json!(spec.merge_sha)),
        ("assignee", Value::Null),
        ("assignees", json!([])),
        ("requested_reviewers", json!([])),
        ("requested_teams", json!([])),
        (
            "head",
            side(head_owner, &spec.head_ref, &spec.head_sha, &head_repo_value),
        ),
        (
            "base",
            side(owner, &spec.base_ref, &spec.base_sha, &base_repo),
        ),
        ("author_association", json!("MEMBER")),
        ("auto_merge", Value::Null),
        ("draft", json!(false)),
        ("merged", json!(false)),
        ("mergeable", json!(true)),
        ("rebaseable", json!(true)),
        ("mergeable_state", json!("clean")),
        ("merged_by", Value::Null),
        ("comments", json!(comments)),
        ("review_comments", json!(review_comments)),
        ("maintainer_can_modify", json!(spec.head_repo.is_some())),
        ("commits", json!(pull.heads.len())),
        ("additions", json!(count(|f| f.additions))),
        ("deletions", json!(count(|f| f.deletions))),
        ("changed_files", json!(files.len())),
    ] {
        value[key] = field;
    }
    value["_links"] = json!({
        "self": {"href": pull_api},
        "html": {"href": html},
        "issue": {"href": issue_api},
        "comments": {"href": format!("{issue_api}/comments")},
        "review_comments": {"href": format!("{pull_api}/comments")},
        "review_comment": {"href": format!("{api}/repos/{owner}/{repo}/pulls/comments{{/number}}")},
        "commits": {"href": format!("{pull_api}/commits")},
        "statuses": {"href": format!("{api}/repos/{owner}/{repo}/statuses/{}", spec.head_sha)},
    });
    value
}

pub fn render_file(api: &str, pull: &PullRequest, file: &PullFile) -> Value {
    let (owner, repo, head) = (&pull.owner, &pull.repo, &pull.head_sha);
    let name = &file.filename;
    let mut value = json!({
        "sha": file.sha,
        "filename": name,
        "status": file.status,
        "additions": file.additions,
        "deletions": file.deletions,
        "changes": file.additions + file.deletions,
        "blob_url": format!("https://github.com/{owner}/{repo}/blob/{head}/{name}"),
        "raw_url": format!("https://github.com/{owner}/{repo}/raw/{head}/{name}"),
        "contents_url": format!("{api}/repos/{owner}/{repo}/contents/{name}?ref={head}"),
    });
    if let Some(patch) = &file.patch {
        value["patch"] = json!(patch);
    }
    if let Some(previous) = &file.previous_filename {
        value["previous_filename"] = json!(previous);
    }
    value
}

/// Moves COMMENT onto the new diff FILES at HEAD: to the line of the new side with the
/// same text nearest its old line, as GitHub does for an unchanged line, or makes it
/// outdated (`line`/`position` null) when that text is no longer in the diff.
fn follow_line(comment: &mut ReviewComment, files: &[PullFile], head: &str) {
    if comment.subject_type == "file" || comment.commit_id == head {
        return;
    }
    let (Some(old_line), Some(text)) = (comment.line, comment.line_text.clone()) else {
        return;
    };
    let found = files
        .iter()
        .find(|f| f.filename == comment.path)
        .and_then(|f| f.patch.as_deref())
        .and_then(|patch_text| {
            let hunks = patch::hunks(patch_text);
            hunks
                .iter()
                .flat_map(|hunk| hunk.lines.iter().map(move |line| (hunk, line)))
                .filter(|(_, (_, side, _))| *side == comment.side)
                .filter(|(hunk, (position, _, _))| {
                    hunk.text[position - hunk.header_position].get(1..) == Some(text.as_str())
                })
                .min_by_key(|(_, (_, _, line))| line.abs_diff(old_line))
                .map(|(hunk, (position, _, line))| (*line, *position, hunk.clone()))
        });
    match found {
        Some((line, position, hunk)) => {
            // An outdated comment keeps the commit it was last on; a followed one moves.
            comment.commit_id = head.to_string();
            comment.line = Some(line);
            comment.position = Some(position);
            comment.start_line = comment
                .start_line
                .map(|start| start.min(line))
                .filter(|start| {
                    hunk.shows(comment.start_side.as_deref().unwrap_or("RIGHT"), *start)
                });
        }
        None => {
            comment.line = None;
            comment.position = None;
            comment.start_line = None;
        }
    }
}

/// Now as GitHub writes times: `2026-12-03T16:40:00Z`.
pub fn now_iso() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    iso_time(seconds)
}

pub fn iso_time(seconds: u64) -> String {
    let date = dockgate::policy::Date::from_days((seconds / 86_400) as i64);
    let rest = seconds % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}
