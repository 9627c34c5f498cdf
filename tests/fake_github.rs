//! The fake GitHub of tests/support/fake_github/ behaves like GitHub: each behaviour
//! the client relies on, asserted with raw HTTP requests, and every response it sends
//! checked against GitHub's response schemas.

mod support;

use std::collections::HashMap;

use serde_json::{Value, json};
use support::fake_github::fixture_repo::FixtureRepo;
use support::fake_github::{
    FakeGithub, Fault, FaultKind, MAX_PULL_FILES, PullFile, PullRequest, openapi, patch,
};

/// One answer: status, headers (lower-case names), JSON body (`null` if not JSON).
struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: Value,
}

fn send_with(
    fake: &FakeGithub,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    let client = reqwest::blocking::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client
        .request(method, format!("{}{path}", fake.url))
        .header("user-agent", "dockgate-fake-tests")
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = response.text().unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

fn send(fake: &FakeGithub, method: &str, path: &str, body: Option<&Value>) -> Answer {
    send_with(fake, Some(&fake.token), method, path, body)
}

fn get(fake: &FakeGithub, path: &str) -> Answer {
    send(fake, "GET", path, None)
}

fn post(fake: &FakeGithub, path: &str, body: Value) -> Answer {
    send(fake, "POST", path, Some(&body))
}

fn patch_request(fake: &FakeGithub, path: &str, body: Value) -> Answer {
    send(fake, "PATCH", path, Some(&body))
}

/// Every JSON response the fake sent matches the schema GitHub documents for that
/// operation and status, and none was the fake's own 500.
fn assert_documented(fake: &FakeGithub) {
    for request in fake.requests() {
        assert_ne!(
            request.status, 500,
            "{} {}: {}",
            request.method, request.path, request.response
        );
        let (Some(id), Ok(body)) = (
            &request.operation,
            serde_json::from_str::<Value>(&request.response),
        ) else {
            continue;
        };
        let problems = openapi::operation(id).response_errors(request.status, &body);
        assert!(
            problems.is_empty(),
            "{} {} answered {} against its schema: {problems:#?}",
            request.method,
            request.path,
            request.status
        );
    }
}

const DOCKERFILE_BASE: &str = "FROM debian:12\nRUN apt-get update\nRUN echo one\nRUN echo two\nRUN echo three\nRUN echo four\nRUN echo five\nRUN echo six\nRUN echo seven\nRUN echo eight\nRUN echo nine\nRUN echo ten\nUSER app\n";

/// Line 2 changed, line 12 changed: two hunks far apart.
fn dockerfile_head() -> String {
    DOCKERFILE_BASE
        .replace(
            "RUN apt-get update\n",
            "RUN apt-get update && apt-get install -y curl\n",
        )
        .replace("RUN echo ten\n", "RUN echo TEN\n")
}

fn fixture() -> FixtureRepo {
    let head = dockerfile_head();
    FixtureRepo::create(
        "acme",
        "app",
        7,
        &[("Dockerfile", DOCKERFILE_BASE), ("README.md", "# app\n")],
        &[
            ("Dockerfile", Some(&head)),
            ("web/Dockerfile", Some("FROM alpine:3.20\nCMD [\"true\"]\n")),
        ],
    )
}

fn published() -> (FakeGithub, FixtureRepo) {
    let fake = FakeGithub::start();
    let fixture = fixture();
    fixture.publish(&fake);
    (fake, fixture)
}

#[test]
fn patch_hunks_give_each_sides_lines_and_positions() {
    const PATCH: &str = "@@ -1,3 +1,4 @@\n FROM debian\n-RUN a\n+RUN b\n+RUN c\n USER app\n@@ -10,2 +11,2 @@ LABEL x\n-EXPOSE 1\n+EXPOSE 2\n CMD x";
    let hunks = patch::hunks(PATCH);
    assert_eq!(hunks.len(), 2);
    let right: Vec<u64> = hunks[0]
        .lines
        .iter()
        .filter(|(_, side, _)| *side == "RIGHT")
        .map(|(_, _, line)| *line)
        .collect();
    assert_eq!(right, [1, 2, 3, 4]);
    assert!(hunks[1].shows("RIGHT", 11) && hunks[1].shows("RIGHT", 12));
    assert!(!hunks[1].shows("RIGHT", 10) && hunks[1].shows("LEFT", 10));
    assert_eq!(hunks[0].position_of("RIGHT", 1), Some(1));
    assert_eq!(hunks[1].header_position, 6);
    assert_eq!(hunks[1].position_of("RIGHT", 11), Some(8));
    assert_eq!(
        hunks[0].excerpt_to("RIGHT", 2),
        "@@ -1,3 +1,4 @@\n FROM debian\n-RUN a\n+RUN b"
    );
    assert_eq!(patch::line_counts(PATCH), (3, 2));
}

#[test]
fn identity_is_checked_like_github() {
    let (fake, _fixture) = published();
    let path = "/repos/acme/app/pulls/7";
    assert_eq!(get(&fake, path).status, 200);
    assert_eq!(get(&fake, "/repos/acme/app/pulls/7/nonsense").status, 404);
    assert_eq!(
        get(&fake, "/repos/acme/other/pulls/7").status,
        404,
        "unknown repository"
    );
    assert_eq!(
        get(&fake, "/repos/acme/app/pulls/8").status,
        404,
        "unknown pull request"
    );
    let wrong = send_with(&fake, Some("ghs_wrong"), "GET", path, None);
    assert_eq!(
        (wrong.status, wrong.body["message"].as_str()),
        (401, Some("Bad credentials"))
    );
    assert_eq!(send_with(&fake, None, "GET", path, None).status, 404);
    let anonymous_write = send_with(
        &fake,
        None,
        "POST",
        "/repos/acme/app/issues/7/comments",
        Some(&json!({"body": "x"})),
    );
    assert_eq!(anonymous_write.status, 401);

    let client = reqwest::blocking::Client::builder()
        .user_agent("")
        .build()
        .unwrap();
    let no_agent = client
        .get(format!("{}{path}", fake.url))
        .header("authorization", format!("Bearer {}", fake.token))
        .send()
        .unwrap();
    assert_eq!(no_agent.status().as_u16(), 403);
    let old_version = reqwest::blocking::Client::new()
        .get(format!("{}{path}", fake.url))
        .header("user-agent", "t")
        .header("authorization", format!("Bearer {}", fake.token))
        .header("x-github-api-version", "2020-01-01")
        .send()
        .unwrap();
    assert_eq!(old_version.status().as_u16(), 400);
    let answer = get(&fake, path);
    assert_eq!(answer.headers["x-ratelimit-limit"], "5000");
    assert!(answer.headers.contains_key("x-ratelimit-reset"));
    assert_documented(&fake);
}

#[test]
fn an_operation_of_the_subset_the_fake_does_not_serve_is_501_not_a_fake_404() {
    let (fake, _fixture) = published();
    let answer = get(&fake, "/repos/acme/app/git/trees/main");
    assert_eq!(answer.status, 501, "{}", answer.body);
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("git/get-tree")
    );
}

#[test]
fn invalid_bodies_are_422_with_the_reason() {
    let (fake, fixture) = published();
    let runs = "/repos/acme/app/check-runs";
    let missing = post(&fake, runs, json!({"name": "dockgate"}));
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["message"], "Validation Failed");
    let reasons = missing.body["errors"].to_string();
    assert!(reasons.contains("head_sha"), "{reasons}");

    let completed_without_conclusion = post(
        &fake,
        runs,
        json!({"name": "dockgate", "head_sha": fixture.head_sha, "status": "completed"}),
    );
    assert_eq!(completed_without_conclusion.status, 422);

    let bad_level = post(
        &fake,
        runs,
        json!({"name": "d", "head_sha": fixture.head_sha, "output": {"title": "t", "summary": "s",
            "annotations": [{"path": "Dockerfile", "start_line": 1, "end_line": 1, "annotation_level": "error", "message": "m"}]}}),
    );
    assert_eq!(bad_level.status, 422);
    assert!(
        bad_level.body["errors"]
            .to_string()
            .contains("annotation_level"),
        "{}",
        bad_level.body
    );

    let wrong_type = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "body": 5}),
    );
    assert_eq!(wrong_type.status, 422);
    assert!(
        wrong_type.body["errors"][0].is_string(),
        "the review schema's errors are strings"
    );

    let not_json = send_with(&fake, Some(&fake.token), "POST", runs, None);
    assert_eq!(
        not_json.status, 422,
        "an empty body is an empty object, which lacks name"
    );
    let client = reqwest::blocking::Client::new();
    let garbage = client
        .post(format!("{}{runs}", fake.url))
        .header("user-agent", "t")
        .header("authorization", format!("Bearer {}", fake.token))
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(garbage.status().as_u16(), 400);

    let bad_page = get(&fake, "/repos/acme/app/pulls/7/files?per_page=lots");
    assert_eq!(bad_page.status, 422);
    assert!(bad_page.body["errors"].to_string().contains("per_page"));
    assert_eq!(get(&fake, "/repos/acme/app/pulls/seven").status, 422);
    assert!(
        fake.check_runs("acme", "app").is_empty(),
        "nothing invalid was stored"
    );
    assert_documented(&fake);
}

fn annotation(line: u64) -> Value {
    json!({"path": "Dockerfile", "start_line": line, "end_line": line,
        "annotation_level": "warning", "message": format!("finding {line}"), "title": "DL3008"})
}

#[test]
fn check_run_limits_are_enforced_at_the_edge() {
    let (fake, fixture) = published();
    let runs = "/repos/acme/app/check-runs";
    let with_output =
        |output: Value| json!({"name": "dockgate", "head_sha": fixture.head_sha, "output": output});
    let fifty: Vec<Value> = (1..=50).map(annotation).collect();
    let fifty_one: Vec<Value> = (1..=51).map(annotation).collect();
    let at_limit = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s".repeat(65_535), "annotations": fifty})),
    );
    assert_eq!(at_limit.status, 201, "{}", at_limit.body);
    let over = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s", "annotations": fifty_one})),
    );
    assert_eq!(over.status, 422);
    assert!(
        over.body["errors"].to_string().contains("annotations"),
        "{}",
        over.body
    );
    let long_summary = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s".repeat(65_536)})),
    );
    assert_eq!(long_summary.status, 422);
    let long_text = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s", "text": "x".repeat(65_536)})),
    );
    assert_eq!(long_text.status, 422);

    let mut long_title = annotation(1);
    long_title["title"] = json!("t".repeat(256));
    let answer = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s", "annotations": [long_title]})),
    );
    assert_eq!(answer.status, 422);
    assert!(
        answer.body["errors"].to_string().contains("title"),
        "{}",
        answer.body
    );
    let mut title_at_limit = annotation(1);
    title_at_limit["title"] = json!("t".repeat(255));
    let answer = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s", "annotations": [title_at_limit]})),
    );
    assert_eq!(answer.status, 201);

    let mut columns_across_lines = annotation(1);
    columns_across_lines["end_line"] = json!(3);
    columns_across_lines["start_column"] = json!(2);
    let answer = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s", "annotations": [columns_across_lines]})),
    );
    assert_eq!(answer.status, 422);
    let mut huge_message = annotation(1);
    huge_message["message"] = json!("m".repeat(64 * 1024 + 1));
    let answer = post(
        &fake,
        runs,
        with_output(json!({"title": "t", "summary": "s", "annotations": [huge_message]})),
    );
    assert_eq!(answer.status, 422);

    let unknown_commit = post(
        &fake,
        runs,
        json!({"name": "dockgate", "head_sha": "0".repeat(40)}),
    );
    assert_eq!(unknown_commit.status, 422);
    assert!(
        unknown_commit.body["message"]
            .as_str()
            .unwrap()
            .starts_with("No commit found for SHA")
    );
    assert_eq!(
        fake.check_runs("acme", "app").len(),
        2,
        "only the two valid runs exist"
    );
    assert_documented(&fake);
}

#[test]
fn check_runs_are_created_updated_in_batches_and_listed() {
    let (fake, fixture) = published();
    let created = post(
        &fake,
        "/repos/acme/app/check-runs",
        json!({"name": "dockgate", "head_sha": fixture.head_sha, "status": "in_progress", "external_id": "dockgate:v1",
            "output": {"title": "Running", "summary": "…", "annotations": (1..=50).map(annotation).collect::<Vec<_>>()}}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.headers["location"].ends_with(&format!("/check-runs/{}", created.body["id"])));
    let id = created.body["id"].as_u64().unwrap();
    assert_eq!(created.body["status"], "in_progress");
    assert_eq!(created.body["conclusion"], Value::Null);
    let path = format!("/repos/acme/app/check-runs/{id}");
    let second = patch_request(
        &fake,
        &path,
        json!({"output": {"title": "Running", "summary": "…", "annotations": (51..=60).map(annotation).collect::<Vec<_>>()}}),
    );
    assert_eq!(second.status, 200);
    assert_eq!(
        second.body["output"]["annotations_count"], 60,
        "annotations add up"
    );
    let done = patch_request(
        &fake,
        &path,
        json!({"conclusion": "failure", "output": {"title": "3 findings", "summary": "done"}}),
    );
    assert_eq!(done.status, 200);
    assert_eq!(
        done.body["status"], "completed",
        "a conclusion completes the run"
    );
    assert!(done.body["completed_at"].is_string());
    assert_eq!(done.body["external_id"], "dockgate:v1");
    assert_eq!(done.body["output"]["title"], "3 findings");
    let annotations = fake.annotations(id);
    assert_eq!(annotations.len(), 60);
    assert_eq!(annotations[59]["message"], "finding 60");

    let other = post(
        &fake,
        "/repos/acme/app/check-runs",
        json!({"name": "other", "head_sha": fixture.head_sha, "conclusion": "success"}),
    );
    assert_eq!(other.status, 201);
    assert_eq!(other.body["status"], "completed");
    let rerun = post(
        &fake,
        "/repos/acme/app/check-runs",
        json!({"name": "dockgate", "head_sha": fixture.head_sha}),
    );
    assert_eq!(rerun.body["status"], "queued");

    let list = |query: &str| {
        get(
            &fake,
            &format!(
                "/repos/acme/app/commits/{}/check-runs{query}",
                fixture.head_sha
            ),
        )
        .body
    };
    assert_eq!(list("")["total_count"], 2, "latest run per name");
    assert_eq!(list("?filter=all")["total_count"], 3);
    let named = list("?check_name=dockgate&filter=all");
    assert_eq!(named["total_count"], 2);
    assert_eq!(
        named["check_runs"][0]["id"], rerun.body["id"],
        "newest first"
    );
    assert_eq!(
        list("?check_name=dockgate")["check_runs"][0]["id"],
        rerun.body["id"]
    );
    assert_eq!(list("?status=completed")["total_count"], 1);
    let by_branch = get(
        &fake,
        "/repos/acme/app/commits/feature/check-runs?filter=all",
    )
    .body;
    assert_eq!(
        by_branch["total_count"], 3,
        "a branch name resolves to its head"
    );
    assert_eq!(
        get(&fake, &format!("/repos/acme/app/check-runs/{}", id + 999)).status,
        404
    );
    let missing = patch_request(
        &fake,
        &format!("/repos/acme/app/check-runs/{}", id + 999),
        json!({"status": "in_progress"}),
    );
    assert_eq!(missing.status, 404);
    let pulls = &fake.check_runs("acme", "app")[0]["pull_requests"];
    assert_eq!(
        pulls[0]["number"], 7,
        "a run on the head names its pull request"
    );
    assert_documented(&fake);
}

fn synthetic_pull(files: usize) -> PullRequest {
    let mut pull = PullRequest::new("acme", "big", 1, &"b".repeat(40), &"h".repeat(40));
    pull.files = (0..files)
        .map(|i| {
            PullFile::new(
                &format!("svc{i:04}/Dockerfile"),
                "added",
                Some("@@ -0,0 +1 @@\n+FROM scratch"),
            )
        })
        .collect();
    pull
}

fn link(answer: &Answer, rel: &str) -> Option<String> {
    let header = answer.headers.get("link")?;
    header.split(", ").find_map(|part| {
        let (url, relation) = part.split_once("; ")?;
        (relation == format!("rel=\"{rel}\"")).then(|| url.trim_matches(['<', '>']).to_string())
    })
}

#[test]
fn pull_files_paginate_with_link_headers_up_to_3000() {
    let fake = FakeGithub::start();
    fake.put_pull(synthetic_pull(250));
    let first = get(&fake, "/repos/acme/big/pulls/1/files?per_page=100");
    assert_eq!(first.body.as_array().unwrap().len(), 100);
    let next = link(&first, "next").expect("a next link");
    assert!(
        next.starts_with(&fake.url) && next.contains("page=2") && next.contains("per_page=100"),
        "{next}"
    );
    assert!(link(&first, "last").unwrap().contains("page=3"));
    assert!(link(&first, "prev").is_none());
    let mut names: Vec<Value> = Vec::new();
    let mut url = Some(format!(
        "{}/repos/acme/big/pulls/1/files?per_page=100",
        fake.url
    ));
    while let Some(next_url) = url {
        let answer = get(&fake, next_url.strip_prefix(&fake.url).unwrap());
        names.extend(
            answer
                .body
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["filename"].clone()),
        );
        url = link(&answer, "next");
    }
    assert_eq!(names.len(), 250);
    assert_eq!(names[249], "svc0249/Dockerfile");
    let default_page = get(&fake, "/repos/acme/big/pulls/1/files");
    assert_eq!(
        default_page.body.as_array().unwrap().len(),
        30,
        "30 per page by default"
    );
    let clamped = get(&fake, "/repos/acme/big/pulls/1/files?per_page=500");
    assert_eq!(
        clamped.body.as_array().unwrap().len(),
        100,
        "at most 100 per page"
    );
    let beyond = get(&fake, "/repos/acme/big/pulls/1/files?per_page=100&page=9");
    assert_eq!(beyond.body, json!([]));
    assert!(link(&beyond, "prev").is_some());

    fake.put_pull(synthetic_pull(MAX_PULL_FILES + 100));
    let last = get(&fake, "/repos/acme/big/pulls/1/files?per_page=100&page=30");
    assert_eq!(last.body.as_array().unwrap().len(), 100);
    assert!(
        link(&last, "next").is_none(),
        "the list stops at 3,000 files"
    );
    assert_eq!(
        get(&fake, "/repos/acme/big/pulls/1/files?per_page=100&page=31").body,
        json!([])
    );
    assert_eq!(
        get(&fake, "/repos/acme/big/pulls/1").body["changed_files"],
        3100
    );
    assert_documented(&fake);
}

#[test]
fn pull_files_come_from_git_and_match_the_workspace() {
    let (fake, fixture) = published();
    let files = get(&fake, "/repos/acme/app/pulls/7/files").body;
    let files = files.as_array().unwrap();
    assert_eq!(files.len(), 2);
    let dockerfile = files
        .iter()
        .find(|f| f["filename"] == "Dockerfile")
        .unwrap();
    assert_eq!(dockerfile["status"], "modified");
    assert_eq!(
        (
            dockerfile["additions"].as_u64(),
            dockerfile["deletions"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let patch_text = dockerfile["patch"].as_str().unwrap();
    assert!(patch_text.starts_with("@@ -1,"), "{patch_text}");
    assert!(patch_text.contains("+RUN apt-get update && apt-get install -y curl"));
    let web = files
        .iter()
        .find(|f| f["filename"] == "web/Dockerfile")
        .unwrap();
    assert_eq!(web["status"], "added");
    assert_eq!(
        web["sha"],
        fixture.git(&["rev-parse", &format!("{}:web/Dockerfile", fixture.head_sha)])
    );
    // The workspace is the merge commit, whose diff against base is the same.
    let workspace_diff = fixture.git(&["diff", &fixture.base_sha, "HEAD", "--", "Dockerfile"]);
    assert!(
        workspace_diff.ends_with(patch_text),
        "{workspace_diff}\n---\n{patch_text}"
    );

    let mut pull = fixture.pull_request();
    pull.files[0].patch = None;
    fake.put_pull(pull);
    let files = get(&fake, "/repos/acme/app/pulls/7/files").body;
    assert!(
        files[0].get("patch").is_none(),
        "a too-large diff has no patch"
    );
    assert_documented(&fake);
}

fn comment(path: &str, line: u64, body: &str) -> Value {
    json!({"path": path, "line": line, "side": "RIGHT", "body": body})
}

#[test]
fn a_review_with_one_comment_off_the_diff_fails_whole() {
    let (fake, fixture) = published();
    let reviews = "/repos/acme/app/pulls/7/reviews";
    let failed = post(
        &fake,
        reviews,
        json!({"commit_id": fixture.head_sha, "event": "COMMENT", "body": "dockgate",
            "comments": [comment("Dockerfile", 2, "ok"), comment("Dockerfile", 8, "line 8 is not in a hunk")]}),
    );
    assert_eq!(failed.status, 422, "{}", failed.body);
    assert_eq!(failed.body["message"], "Unprocessable Entity");
    assert_eq!(
        failed.body["errors"],
        json!(["Pull request review thread line must be part of the diff"])
    );
    assert!(
        fake.reviews("acme", "app", 7).is_empty()
            && fake.review_comments("acme", "app", 7).is_empty()
    );

    for (bad, reason) in [
        (
            json!({"path": "README.md", "line": 1, "body": "x"}),
            "Path could not be resolved",
        ),
        (
            json!({"path": "Dockerfile", "line": 7, "side": "LEFT", "body": "x"}),
            "must be part of the diff",
        ),
        (
            json!({"path": "Dockerfile", "line": 12, "start_line": 2, "body": "x"}),
            "same hunk",
        ),
        (
            json!({"path": "Dockerfile", "body": "x"}),
            "Line could not be resolved",
        ),
    ] {
        let answer = post(
            &fake,
            reviews,
            json!({"event": "COMMENT", "body": "b", "comments": [bad]}),
        );
        assert_eq!(answer.status, 422);
        assert!(
            answer.body["errors"][0].as_str().unwrap().contains(reason),
            "{}",
            answer.body
        );
    }
    let two_reasons = post(
        &fake,
        reviews,
        json!({"event": "COMMENT", "body": "b", "comments": [comment("Dockerfile", 8, "x"), comment("nope", 1, "y")]}),
    );
    assert_eq!(
        two_reasons.body["errors"][0],
        "Pull request review thread line must be part of the diff and Path could not be resolved"
    );

    // New-side lines of the hunks: added lines and their context, on either hunk.
    let posted = post(
        &fake,
        reviews,
        json!({"commit_id": fixture.head_sha, "event": "COMMENT", "body": "dockgate found 3 problems",
        "comments": [
            comment("Dockerfile", 2, "```suggestion\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n```"),
            {"path": "Dockerfile", "start_line": 10, "line": 12, "side": "RIGHT", "start_side": "RIGHT", "body": "range"},
            comment("web/Dockerfile", 1, "pin the tag"),
            {"path": "Dockerfile", "line": 2, "side": "LEFT", "body": "old side"},
        ]}),
    );
    // The LEFT comment names line 2 of the old file, which the first hunk removed.
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(posted.body["state"], "COMMENTED");
    assert_eq!(posted.body["commit_id"], fixture.head_sha);
    assert_eq!(posted.body["user"]["login"], "github-actions[bot]");
    let comments = fake.review_comments("acme", "app", 7);
    assert_eq!(comments.len(), 4);
    assert_eq!(comments[0]["pull_request_review_id"], posted.body["id"]);
    assert_eq!(
        (comments[0]["line"].as_u64(), comments[0]["side"].as_str()),
        (Some(2), Some("RIGHT"))
    );
    assert!(
        comments[0]["diff_hunk"]
            .as_str()
            .unwrap()
            .ends_with("+RUN apt-get update && apt-get install -y curl")
    );
    assert_eq!(
        (
            comments[1]["start_line"].as_u64(),
            comments[1]["line"].as_u64()
        ),
        (Some(10), Some(12))
    );
    assert_eq!(comments[3]["side"], "LEFT");

    let listed = get(&fake, "/repos/acme/app/pulls/7/comments?per_page=2");
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    assert!(link(&listed, "next").is_some());
    assert_eq!(
        get(&fake, "/repos/acme/app/pulls/7/reviews")
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_documented(&fake);
}

#[test]
fn a_comment_on_a_file_without_a_patch_fails_the_review() {
    let (fake, fixture) = published();
    let mut pull = fixture.pull_request();
    for file in &mut pull.files {
        file.patch = None;
    }
    fake.put_pull(pull);
    let answer = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "body": "b", "comments": [comment("Dockerfile", 2, "x")]}),
    );
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.body["errors"][0],
        "Pull request review thread diff hunk can't be blank"
    );
    assert_documented(&fake);
}

#[test]
fn review_events_and_commits_follow_github_rules() {
    let (fake, fixture) = published();
    let reviews = "/repos/acme/app/pulls/7/reviews";
    let no_body = post(&fake, reviews, json!({"event": "REQUEST_CHANGES"}));
    assert_eq!(no_body.status, 422);
    let comments_only = post(
        &fake,
        reviews,
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 2, "x")]}),
    );
    assert_eq!(comments_only.status, 200, "{}", comments_only.body);
    let unknown_commit = post(
        &fake,
        reviews,
        json!({"event": "COMMENT", "body": "b", "commit_id": fixture.base_sha}),
    );
    assert_eq!(
        unknown_commit.status, 422,
        "the base is not a head of the pull request"
    );
    let pending = post(&fake, reviews, json!({"body": "draft"}));
    assert_eq!(pending.body["state"], "PENDING");
    assert!(pending.body.get("submitted_at").is_none());
    let second_pending = post(&fake, reviews, json!({"body": "draft 2"}));
    assert_eq!(second_pending.status, 422);
    assert_eq!(
        second_pending.body["errors"][0],
        "User can only have one pending review per pull request"
    );
    let by_position = post(
        &fake,
        reviews,
        json!({"event": "COMMENT", "comments": [{"path": "Dockerfile", "position": 3, "body": "p"}]}),
    );
    assert_eq!(by_position.status, 200, "{}", by_position.body);
    let placed = fake.review_comments("acme", "app", 7).pop().unwrap();
    assert_eq!(
        (placed["line"].as_u64(), placed["position"].as_u64()),
        (Some(2), Some(3))
    );
    assert_documented(&fake);
}

#[test]
fn review_comments_reply_update_and_delete() {
    let (fake, fixture) = published();
    let single = post(
        &fake,
        "/repos/acme/app/pulls/7/comments",
        json!({"body": "root", "commit_id": fixture.head_sha, "path": "Dockerfile", "line": 12, "side": "RIGHT"}),
    );
    assert_eq!(single.status, 201, "{}", single.body);
    let root = single.body["id"].as_u64().unwrap();
    let off_diff = post(
        &fake,
        "/repos/acme/app/pulls/7/comments",
        json!({"body": "x", "commit_id": fixture.head_sha, "path": "Dockerfile", "line": 7}),
    );
    assert_eq!(off_diff.status, 422);
    assert_eq!(
        off_diff.body["errors"][0]["field"],
        "pull_request_review_thread.line"
    );
    assert_eq!(
        off_diff.body["errors"][0]["message"],
        "pull_request_review_thread.line must be part of the diff"
    );
    let missing_commit = post(
        &fake,
        "/repos/acme/app/pulls/7/comments",
        json!({"body": "x", "path": "Dockerfile", "line": 12}),
    );
    assert_eq!(missing_commit.status, 422, "the schema requires commit_id");

    let reply = |to: u64, body: &str| {
        post(
            &fake,
            "/repos/acme/app/pulls/7/comments",
            json!({"body": body, "commit_id": fixture.head_sha, "path": "Dockerfile", "in_reply_to": to}),
        )
    };
    let first = reply(root, "reply");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["in_reply_to_id"], root);
    assert_eq!(first.body["line"], 12, "a reply sits on its thread's line");
    let nested = reply(first.body["id"].as_u64().unwrap(), "reply to the reply");
    assert_eq!(
        nested.body["in_reply_to_id"], root,
        "a reply to a reply joins the root"
    );
    assert_eq!(reply(root + 999, "lost").status, 404);

    let file_level = post(
        &fake,
        "/repos/acme/app/pulls/7/comments",
        json!({"body": "whole file", "commit_id": fixture.head_sha, "path": "web/Dockerfile", "subject_type": "file"}),
    );
    assert_eq!(file_level.status, 201, "{}", file_level.body);
    assert_eq!(file_level.body["subject_type"], "file");
    assert_eq!(file_level.body["line"], Value::Null);

    let path = format!("/repos/acme/app/pulls/comments/{root}");
    let updated = patch_request(&fake, &path, json!({"body": "root, edited"}));
    assert_eq!(
        (updated.status, updated.body["body"].as_str()),
        (200, Some("root, edited"))
    );
    assert_eq!(send(&fake, "DELETE", &path, None).status, 204);
    assert_eq!(send(&fake, "DELETE", &path, None).status, 404);
    let left: Vec<String> = fake
        .review_comments("acme", "app", 7)
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, ["reply", "reply to the reply", "whole file"]);
    assert_eq!(
        fake.reviews("acme", "app", 7).len(),
        4,
        "each single comment is a review"
    );
    assert_documented(&fake);
}

#[test]
fn issue_comments_make_a_sticky_summary() {
    let (fake, _fixture) = published();
    let human = fake.seed_issue_comment("acme", "app", 7, "octocat", "looks good");
    let comments = "/repos/acme/app/issues/7/comments";
    let created = post(
        &fake,
        comments,
        json!({"body": "<!-- dockgate -->\n3 findings"}),
    );
    assert_eq!(created.status, 201);
    assert_eq!(created.body["user"]["type"], "Bot");
    let id = created.body["id"].as_u64().unwrap();
    let listed = get(&fake, comments).body;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["id"], human);
    assert_eq!(listed[0]["user"]["login"], "octocat");
    let updated = patch_request(
        &fake,
        &format!("/repos/acme/app/issues/comments/{id}"),
        json!({"body": "<!-- dockgate -->\n0 findings"}),
    );
    assert_eq!(updated.status, 200);
    assert_eq!(
        fake.issue_comments("acme", "app", 7)[1]["body"],
        "<!-- dockgate -->\n0 findings"
    );
    assert_eq!(
        post(&fake, comments, json!({"body": "x".repeat(65_537)})).status,
        422
    );
    assert_eq!(post(&fake, comments, json!({"nobody": 1})).status, 422);
    assert_eq!(
        post(
            &fake,
            "/repos/acme/app/issues/99/comments",
            json!({"body": "x"})
        )
        .status,
        404
    );
    assert_eq!(
        patch_request(
            &fake,
            "/repos/acme/app/issues/comments/1",
            json!({"body": "x"})
        )
        .status,
        404
    );
    assert_eq!(get(&fake, "/repos/acme/app/pulls/7").body["comments"], 2);
    assert_documented(&fake);
}

#[test]
fn a_read_only_token_is_refused_every_write() {
    let (fake, fixture) = published();
    let token = Some(fake.read_only_token.as_str());
    let writes = [
        (
            "POST",
            "/repos/acme/app/check-runs".to_string(),
            json!({"name": "d", "head_sha": fixture.head_sha}),
        ),
        (
            "PATCH",
            "/repos/acme/app/check-runs/1".to_string(),
            json!({"status": "completed", "conclusion": "success"}),
        ),
        (
            "POST",
            "/repos/acme/app/pulls/7/reviews".to_string(),
            json!({"event": "COMMENT", "body": "b"}),
        ),
        (
            "POST",
            "/repos/acme/app/pulls/7/comments".to_string(),
            json!({"body": "b", "commit_id": fixture.head_sha, "path": "Dockerfile", "line": 2}),
        ),
        (
            "PATCH",
            "/repos/acme/app/pulls/comments/1".to_string(),
            json!({"body": "b"}),
        ),
        (
            "DELETE",
            "/repos/acme/app/pulls/comments/1".to_string(),
            json!({}),
        ),
        (
            "POST",
            "/repos/acme/app/issues/7/comments".to_string(),
            json!({"body": "b"}),
        ),
        (
            "PATCH",
            "/repos/acme/app/issues/comments/1".to_string(),
            json!({"body": "b"}),
        ),
    ];
    for (method, path, body) in &writes {
        let answer = send_with(&fake, token, method, path, Some(body));
        assert_eq!(answer.status, 403, "{method} {path}");
        assert_eq!(
            answer.body["message"],
            "Resource not accessible by integration"
        );
    }
    assert_eq!(
        send_with(&fake, token, "GET", "/repos/acme/app/pulls/7/files", None).status,
        200
    );
    assert!(fake.check_runs("acme", "app").is_empty());

    fake.forbid_writes();
    let answer = post(
        &fake,
        "/repos/acme/app/issues/7/comments",
        json!({"body": "b"}),
    );
    assert_eq!(
        (answer.status, answer.body["message"].as_str()),
        (403, Some("Resource not accessible by integration"))
    );
    assert_eq!(fake.writes().len(), writes.len() + 1);
    assert_documented(&fake);
}

#[test]
fn faults_are_scripted_per_request() {
    let (fake, fixture) = published();
    let reviews = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews";
    fake.inject(Fault::new(FaultKind::BadGatewayAfter, "POST", reviews));
    let lost = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 2, "x")]}),
    );
    assert_eq!(lost.status, 502);
    assert_eq!(
        fake.review_comments("acme", "app", 7).len(),
        1,
        "502 after applying: the review exists"
    );
    let again = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 2, "x")]}),
    );
    assert_eq!(again.status, 200, "the fault fires once");

    fake.inject(Fault::new(FaultKind::BadGatewayBefore, "post", "/repos/*/*/check-runs").nth(2));
    let run = json!({"name": "dockgate", "head_sha": fixture.head_sha});
    assert_eq!(
        post(&fake, "/repos/acme/app/check-runs", run.clone()).status,
        201
    );
    assert_eq!(
        post(&fake, "/repos/acme/app/check-runs", run.clone()).status,
        502,
        "the second one"
    );
    assert_eq!(
        fake.check_runs("acme", "app").len(),
        1,
        "502 before applying: nothing made"
    );
    assert_eq!(
        post(&fake, "/repos/acme/app/check-runs", run.clone()).status,
        201
    );

    fake.inject(
        Fault::new(
            FaultKind::TooManyRequests { retry_after: 3 },
            "GET",
            "/repos/acme/app/pulls/7/files",
        )
        .times(2),
    );
    for _ in 0..2 {
        let limited = get(&fake, "/repos/acme/app/pulls/7/files");
        assert_eq!(
            (limited.status, limited.headers["retry-after"].as_str()),
            (429, "3")
        );
    }
    assert_eq!(get(&fake, "/repos/acme/app/pulls/7/files").status, 200);

    fake.inject(Fault::new(
        FaultKind::SecondaryRateLimit { retry_after: 60 },
        "*",
        "/repos/acme/app/issues/7/comments",
    ));
    let secondary = post(
        &fake,
        "/repos/acme/app/issues/7/comments",
        json!({"body": "x"}),
    );
    assert_eq!(secondary.status, 403);
    assert_eq!(secondary.headers["retry-after"], "60");
    assert!(
        secondary.body["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    assert!(fake.issue_comments("acme", "app", 7).is_empty());

    fake.inject(Fault::new(
        FaultKind::PrimaryRateLimit { reset_in: 30 },
        "GET",
        "/repos/acme/app/pulls/7",
    ));
    let primary = get(&fake, "/repos/acme/app/pulls/7");
    assert_eq!(
        (
            primary.status,
            primary.headers["x-ratelimit-remaining"].as_str()
        ),
        (403, "0")
    );
    let reset: u64 = primary.headers["x-ratelimit-reset"].parse().unwrap();
    assert!(reset > support::fake_github::unix_now());

    fake.inject(
        Fault::new(
            FaultKind::Forbidden,
            "PATCH",
            "/repos/acme/app/check-runs/{id}",
        )
        .times(usize::MAX),
    );
    let id = fake.check_runs("acme", "app")[0]["id"].as_u64().unwrap();
    for _ in 0..3 {
        let answer = patch_request(
            &fake,
            &format!("/repos/acme/app/check-runs/{id}"),
            json!({"conclusion": "success"}),
        );
        assert_eq!(answer.status, 403);
    }
    fake.fail_next(1);
    assert_eq!(get(&fake, "/repos/acme/app/pulls/7").status, 502);
    assert_eq!(get(&fake, "/repos/acme/app/pulls/7").status, 200);
    assert_documented(&fake);
}

#[test]
fn requests_and_state_can_be_inspected() {
    let (fake, fixture) = published();
    post(
        &fake,
        "/repos/acme/app/check-runs",
        json!({"name": "dockgate", "head_sha": fixture.head_sha}),
    );
    get(&fake, "/repos/acme/app/pulls/7/files?per_page=100");
    get(&fake, "/repos/acme/app/pulls/7/files?per_page=100&page=2");
    let requests = fake.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].json()["name"], "dockgate");
    assert_eq!(requests[0].operation.as_deref(), Some("checks/create"));
    assert_eq!(requests[0].headers["user-agent"], "dockgate-fake-tests");
    assert_eq!(requests[2].query["page"], "2");
    assert_eq!(
        fake.count("GET", "/repos/{owner}/{repo}/pulls/{n}/files"),
        2
    );
    assert_eq!(fake.counts()["pulls/list-files"], 2);
    assert_eq!(fake.counts()["checks/create"], 1);
    assert_eq!(fake.writes().len(), 1);

    let dump = reqwest::blocking::get(format!("{}/_fake/state", fake.url))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !dump.contains(&fake.token),
        "the state never shows the token"
    );
    let dump: Value = serde_json::from_str(&dump).unwrap();
    assert_eq!(dump["check_runs"][0]["name"], "dockgate");
    assert_eq!(dump["pulls"][0]["head"]["sha"], fixture.head_sha);
    assert_eq!(
        dump["requests"][0]["headers"]["authorization"],
        "[redacted]"
    );
    assert_documented(&fake);
}

#[test]
fn comments_follow_their_line_through_a_rebase_or_go_outdated() {
    let (fake, mut fixture) = published();
    post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 2, "apt"), comment("Dockerfile", 12, "ten")]}),
    );
    // Three lines land above the pull request's change on main.
    let moved_base = DOCKERFILE_BASE.replace(
        "FROM debian:12\n",
        "# syntax=docker/dockerfile:1\n# one\n# two\nFROM debian:12\n",
    );
    fixture.rebase(&[("Dockerfile", Some(&moved_base))]);
    fixture.publish(&fake);
    let comments = fake.review_comments("acme", "app", 7);
    assert_eq!(
        (
            comments[0]["line"].as_u64(),
            comments[0]["original_line"].as_u64()
        ),
        (Some(5), Some(2))
    );
    assert_eq!(comments[1]["line"], 15);
    assert_eq!(comments[0]["commit_id"], fixture.head_sha);
    assert_eq!(
        comments[0]["original_commit_id"],
        fixture.previous_head_sha.clone().unwrap()
    );
    let shifted = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 5, "apt again")]}),
    );
    assert_eq!(shifted.status, 200, "{}", shifted.body);
    let stale = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 10, "between the hunks")]}),
    );
    assert_eq!(stale.status, 422, "line 10 is between the moved hunks");

    // The fix: the head undoes its change to line "ten".
    let head_now = fixture.git(&["show", &format!("{}:Dockerfile", fixture.head_sha)]) + "\n";
    fixture.push(&[(
        "Dockerfile",
        Some(&head_now.replace("RUN echo TEN\n", "RUN echo ten\n")),
    )]);
    fixture.publish(&fake);
    let comments = fake.review_comments("acme", "app", 7);
    assert_eq!(
        comments[1]["line"],
        Value::Null,
        "the fixed line is outdated"
    );
    assert_eq!(comments[1]["position"], Value::Null);
    assert_eq!(
        comments[1]["commit_id"],
        fixture.previous_head_sha.clone().unwrap(),
        "an outdated comment stays on the commit it was last on"
    );
    assert_eq!(comments[0]["line"], 5);
    assert_eq!(comments[0]["commit_id"], fixture.head_sha);
    assert_eq!(get(&fake, "/repos/acme/app/pulls/7").body["commits"], 3);
    assert_documented(&fake);
}

#[test]
fn event_payloads_and_environment_are_the_runners() {
    let (fake, fixture) = published();
    let event = fixture.pull_request_event(&fake, "opened");
    assert_eq!(event["action"], "opened");
    assert_eq!(event["number"], 7);
    assert_eq!(event["pull_request"]["head"]["sha"], fixture.head_sha);
    assert_eq!(event["pull_request"]["base"]["sha"], fixture.base_sha);
    assert_eq!(event["pull_request"]["merge_commit_sha"], fixture.merge_sha);
    assert_eq!(event["repository"]["full_name"], "acme/app");
    assert_eq!(
        openapi::operation("pulls/get").response_errors(200, &event["pull_request"]),
        vec![]
    );
    let env: HashMap<String, String> = fixture
        .action_env(&fake, "pull_request", &event)
        .into_iter()
        .collect();
    assert_eq!(
        env["GITHUB_SHA"], fixture.merge_sha,
        "a pull_request run's SHA is the merge commit"
    );
    assert_ne!(env["GITHUB_SHA"], fixture.head_sha);
    assert_eq!(env["GITHUB_REF"], "refs/pull/7/merge");
    assert_eq!(env["GITHUB_API_URL"], fake.url);
    assert_eq!(env["GITHUB_TOKEN"], fake.token);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&env["GITHUB_EVENT_PATH"]).unwrap()).unwrap();
    assert_eq!(written, event);
    assert!(!std::path::Path::new(&env["GITHUB_EVENT_PATH"]).starts_with(&env["GITHUB_WORKSPACE"]));
    assert_eq!(fixture.git(&["rev-parse", "HEAD"]), fixture.merge_sha);
    assert_eq!(
        std::fs::read_to_string(fixture.workspace().join("Dockerfile")).unwrap(),
        dockerfile_head()
    );
    let check = post(
        &fake,
        "/repos/acme/app/check-runs",
        json!({"name": "d", "head_sha": env["GITHUB_SHA"]}),
    );
    assert_eq!(check.status, 201, "the merge commit exists too");

    let push = fixture.push_event(&fake);
    assert_eq!(push["ref"], "refs/heads/feature");
    assert_eq!(push["after"], fixture.head_sha);
    assert_eq!(push["head_commit"]["id"], fixture.head_sha);
    assert_eq!(push["head_commit"]["added"], json!(["web/Dockerfile"]));
    assert_eq!(push["head_commit"]["modified"], json!(["Dockerfile"]));
    let env: HashMap<String, String> = fixture
        .action_env(&fake, "push", &push)
        .into_iter()
        .collect();
    assert_eq!(env["GITHUB_SHA"], fixture.head_sha);
    assert_eq!(env["GITHUB_REF_NAME"], "feature");
    assert_eq!(fixture.git(&["rev-parse", "HEAD"]), fixture.head_sha);
    assert_documented(&fake);
}

#[test]
fn a_fork_pull_request_comes_from_another_repository_with_a_read_only_token() {
    let fake = FakeGithub::start();
    let fixture = fixture().with_fork("contributor/app");
    fixture.publish(&fake);
    let event = fixture.pull_request_event(&fake, "synchronize");
    let pull = &event["pull_request"];
    assert_eq!(pull["head"]["repo"]["full_name"], "contributor/app");
    assert_eq!(pull["head"]["repo"]["fork"], true);
    assert_eq!(pull["base"]["repo"]["full_name"], "acme/app");
    assert_eq!(pull["head"]["label"], "contributor:feature");
    assert_eq!(event["after"], fixture.head_sha);
    let env: HashMap<String, String> = fixture
        .action_env(&fake, "pull_request", &event)
        .into_iter()
        .collect();
    assert_eq!(env["GITHUB_TOKEN"], fake.read_only_token);
    let answer = send_with(
        &fake,
        Some(&env["GITHUB_TOKEN"]),
        "POST",
        "/repos/acme/app/issues/7/comments",
        Some(&json!({"body": "x"})),
    );
    assert_eq!(answer.status, 403);
    assert_documented(&fake);
}

#[test]
fn request_bodies_can_be_chunked() {
    let (fake, _fixture) = published();
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(fake.url.trim_start_matches("http://")).unwrap();
    let body = json!({"body": "chunked"}).to_string();
    let (first, second) = body.split_at(5);
    write!(
        stream,
        "POST /repos/acme/app/issues/7/comments HTTP/1.1\r\nhost: x\r\nuser-agent: raw\r\nauthorization: token {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        fake.token,
        first.len(),
        second.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201 Created"), "{answer}");
    assert_eq!(fake.issue_comments("acme", "app", 7)[0]["body"], "chunked");
}

#[test]
fn the_standalone_server_serves_a_fixture_file_and_takes_faults_over_http() {
    use support::fake_github::standalone::serve_fixture;
    let dir = tempfile::TempDir::new().unwrap();
    let fixture = r#"{"owner": "acme", "repo": "app", "number": 3,
        "base": {"Dockerfile": "FROM debian:12\n", "old.txt": "x\n"},
        "head": {"Dockerfile": "FROM debian:12\nRUN apt-get install curl\n", "old.txt": null},
        "contents": [{"owner": "acme", "repo": "policies", "path": "p.yml", "ref": "v1", "text": "rules: {}\n"}]}"#;
    let served = serve_fixture(fixture, &dir.path().join("run"), "127.0.0.1:0").unwrap();
    let fake = &served.fake;
    let announcement = &served.announcement;
    assert_eq!(announcement["url"], fake.url);
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(announcement["env"]["GITHUB_EVENT_PATH"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(event["pull_request"]["number"], 3);
    let workspace = std::path::Path::new(announcement["workspace"].as_str().unwrap());
    assert!(workspace.join("Dockerfile").exists() && !workspace.join("old.txt").exists());
    let files = get(fake, "/repos/acme/app/pulls/3/files").body;
    let statuses: Vec<&str> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["modified", "removed"]);
    assert_eq!(
        get(fake, "/repos/acme/policies/contents/p.yml?ref=v1").status,
        200
    );

    let control = |route: &str, body: Value| {
        reqwest::blocking::Client::new()
            .post(format!("{}/_fake/{route}", fake.url))
            .body(body.to_string())
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        control(
            "faults",
            json!({"kind": "bad_gateway_after", "method": "POST", "pattern": "/repos/*/*/check-runs"})
        ),
        204
    );
    assert_eq!(
        control(
            "faults",
            json!({"kind": "meltdown", "method": "POST", "pattern": "/"})
        ),
        422
    );
    let run = post(
        fake,
        "/repos/acme/app/check-runs",
        json!({"name": "d", "head_sha": served.fixture.head_sha}),
    );
    assert_eq!(run.status, 502);
    assert_eq!(fake.check_runs("acme", "app").len(), 1);
    assert_eq!(control("forbid-writes", json!({})), 204);
    assert_eq!(
        post(
            fake,
            "/repos/acme/app/check-runs",
            json!({"name": "d", "head_sha": served.fixture.head_sha})
        )
        .status,
        403
    );

    let again = serve_fixture(fixture, &dir.path().join("run"), "127.0.0.1:0");
    assert!(again.err().unwrap().contains("already holds a workspace"));
    let typo = serve_fixture(
        r#"{"owner": "a", "repo": "b", "number": 1, "base": {}, "head": {}, "forks": "x"}"#,
        &dir.path().join("typo"),
        "127.0.0.1:0",
    );
    assert!(
        typo.err().unwrap().contains("forks"),
        "unknown fixture keys are named"
    );
}

/// (path, rule, line) of every finding `dockgate lint` reports in the workspace.
fn dockgate_findings(workspace: &std::path::Path) -> Vec<(String, String, u64)> {
    let output = assert_cmd::Command::cargo_bin("dockgate")
        .unwrap()
        .current_dir(workspace)
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Whether PATH LINE is a new-side line of the pull request's diff as the fake serves it.
fn in_diff(fake: &FakeGithub, number: u64, path: &str, line: u64) -> bool {
    let files = get(
        fake,
        &format!("/repos/acme/app/pulls/{number}/files?per_page=100"),
    )
    .body;
    files.as_array().unwrap().iter().any(|f| {
        f["filename"] == path
            && f["patch"]
                .as_str()
                .is_some_and(|p| patch::hunks(p).iter().any(|h| h.shows("RIGHT", line)))
    })
}

#[test]
fn the_first_run_and_fix_scenarios_put_dockgates_findings_where_they_say() {
    use support::fake_github::scenarios;
    let fake = FakeGithub::start();
    let mut fixture = scenarios::first_run();
    fixture.publish(&fake);
    let findings = dockgate_findings(&fixture.workspace());
    let expected: Vec<(String, String, u64)> = scenarios::FIRST_RUN_FINDINGS
        .iter()
        .map(|(rule, line)| ("Dockerfile".to_string(), rule.to_string(), *line))
        .collect();
    assert_eq!(findings, expected);
    let in_hunk: Vec<u64> = (1..=20)
        .filter(|l| in_diff(&fake, 12, "Dockerfile", *l))
        .collect();
    assert_eq!(in_hunk, scenarios::FIRST_RUN_HUNK.collect::<Vec<_>>());
    let review = |lines: &[u64]| {
        let comments: Vec<Value> = lines
            .iter()
            .map(|l| comment("Dockerfile", *l, "finding"))
            .collect();
        post(
            &fake,
            "/repos/acme/app/pulls/12/reviews",
            json!({"event": "COMMENT", "comments": comments}),
        )
        .status
    };
    assert_eq!(review(&[2]), 422, "the old finding is outside the diff");
    assert_eq!(review(&[9, 10]), 200);

    scenarios::fix(&mut fixture);
    fixture.publish(&fake);
    let findings = dockgate_findings(&fixture.workspace());
    assert_eq!(
        findings,
        [("Dockerfile".to_string(), "DL3011".to_string(), 2)]
    );
    let comments = fake.review_comments("acme", "app", 12);
    assert!(
        comments.iter().all(|c| c["line"].is_null()),
        "the fixed lines' comments are outdated"
    );

    assert_documented(&fake);
}

#[test]
fn the_rebase_scenario_moves_findings_and_comments_3_lines_down() {
    use support::fake_github::scenarios;
    let mut fixture = scenarios::first_run();
    let fake = FakeGithub::start();
    fixture.publish(&fake);
    post(
        &fake,
        "/repos/acme/app/pulls/12/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 9, "a"), comment("Dockerfile", 10, "b")]}),
    );
    scenarios::rebase_shifting_lines(&mut fixture);
    fixture.publish(&fake);
    let lines: Vec<u64> = dockgate_findings(&fixture.workspace())
        .iter()
        .map(|f| f.2)
        .collect();
    assert_eq!(lines, [5, 12, 13]);
    let followed: Vec<Value> = fake
        .review_comments("acme", "app", 12)
        .iter()
        .map(|c| c["line"].clone())
        .collect();
    assert_eq!(followed, [json!(12), json!(13)]);
    assert!(in_diff(&fake, 12, "Dockerfile", 12) && !in_diff(&fake, 12, "Dockerfile", 5));
    assert_documented(&fake);
}

/// Publishes FIXTURE and returns dockgate's findings in its workspace, each checked
/// to be on a new line of the fake's diff.
fn findings_all_in_diff(fixture: &FixtureRepo) -> Vec<(String, String, u64)> {
    let fake = FakeGithub::start();
    fixture.publish(&fake);
    let findings = dockgate_findings(&fixture.workspace());
    for (path, rule, line) in &findings {
        assert!(
            in_diff(&fake, 12, path, *line),
            "{rule} at {path}:{line} is off the diff"
        );
    }
    assert_documented(&fake);
    findings
}

#[test]
fn the_sixty_findings_scenario_has_all_on_new_lines() {
    let findings = findings_all_in_diff(&support::fake_github::scenarios::sixty_findings());
    assert_eq!(findings.len(), 60);
    assert!(findings.iter().all(|(_, rule, _)| rule == "DL3011"));
}

#[test]
fn the_benchmark_scenario_has_one_finding_in_each_of_twenty_dockerfiles() {
    let findings = findings_all_in_diff(&support::fake_github::scenarios::twenty_dockerfiles());
    let paths: Vec<String> = findings
        .iter()
        .map(|(path, _, line)| format!("{path}:{line}"))
        .collect();
    let expected: Vec<String> = (1..=20)
        .map(|i| format!("svc{i:02}/Dockerfile:2"))
        .collect();
    assert_eq!(paths, expected);
}

#[test]
fn a_fork_scenario_comes_from_the_fork() {
    use support::fake_github::scenarios;
    let fork = scenarios::fork();
    let fake = FakeGithub::start();
    fork.publish(&fake);
    assert_eq!(
        fork.pull_request_event(&fake, "opened")["pull_request"]["head"]["repo"]["fork"],
        true
    );
    assert_documented(&fake);
}

fn gzip_base64(text: &str) -> String {
    use base64::Engine as _;
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(encoder.finish().unwrap())
}

#[test]
fn sarif_uploads_must_be_gzip_base64_sarif_2_1_0() {
    use base64::Engine as _;
    let (fake, fixture) = published();
    let sarifs = "/repos/acme/app/code-scanning/sarifs";
    let log = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "dockgate"}}, "results": []}]}).to_string();
    let upload = |sarif: String| {
        post(
            &fake,
            sarifs,
            json!({"commit_sha": fixture.head_sha, "ref": "refs/pull/7/head", "sarif": sarif}),
        )
    };
    let accepted = upload(gzip_base64(&log));
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert!(
        accepted.body["url"]
            .as_str()
            .unwrap()
            .ends_with(accepted.body["id"].as_str().unwrap())
    );
    let uploads = fake.sarif_uploads("acme", "app");
    assert_eq!(
        uploads[0]["sarif"]["runs"][0]["tool"]["driver"]["name"],
        "dockgate"
    );
    assert_eq!(uploads[0]["ref"], "refs/pull/7/head");

    let plain = base64::engine::general_purpose::STANDARD.encode(&log);
    assert_eq!(upload(plain).status, 400, "not gzip-compressed");
    assert_eq!(upload("%%%".into()).status, 400, "not base64");
    assert_eq!(
        upload(gzip_base64(r#"{"version": "2.0.0", "runs": []}"#)).status,
        400
    );
    let short_sha = post(
        &fake,
        sarifs,
        json!({"commit_sha": "abc", "ref": "refs/heads/main", "sarif": gzip_base64(&log)}),
    );
    assert_eq!(short_sha.status, 422, "the schema wants a full SHA");
    let bad_ref = post(
        &fake,
        sarifs,
        json!({"commit_sha": fixture.head_sha, "ref": "main", "sarif": gzip_base64(&log)}),
    );
    assert_eq!(
        bad_ref.status, 422,
        "the ref must be refs/heads|tags|pull/…"
    );
    let extra = post(
        &fake,
        sarifs,
        json!({"commit_sha": fixture.head_sha, "ref": "refs/heads/main", "sarif": gzip_base64(&log), "extra": 1}),
    );
    assert_eq!(extra.status, 422, "additionalProperties is false");
    // Base64 of random bytes keeps about 6 bits in 8 through gzip: 16 MB of it
    // compresses to about 12 MB.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let bytes: Vec<u8> = (0..12 * 1024 * 1024)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    let random = base64::engine::general_purpose::STANDARD.encode(bytes);
    let big = gzip_base64(&format!(
        r#"{{"version": "2.1.0", "runs": [], "x": "{random}"}}"#
    ));
    assert_eq!(upload(big).status, 413, "over 10 MB compressed");
    assert_eq!(fake.sarif_uploads("acme", "app").len(), 1);
    assert_documented(&fake);
}

#[test]
fn the_rate_limit_and_media_types() {
    let (fake, _fixture) = published();
    get(&fake, "/repos/acme/app/pulls/7");
    let limit = get(&fake, "/rate_limit");
    assert_eq!(limit.status, 200);
    assert_eq!(limit.body["resources"]["core"]["used"], 1);
    assert_eq!(limit.body["rate"]["remaining"], 4999);
    let client = reqwest::blocking::Client::new();
    let diff = client
        .get(format!("{}/repos/acme/app/pulls/7", fake.url))
        .header("user-agent", "t")
        .header("authorization", format!("Bearer {}", fake.token))
        .header("accept", "application/vnd.github.diff")
        .send()
        .unwrap();
    assert_eq!(
        diff.status().as_u16(),
        501,
        "a media type the fake cannot serve is loud"
    );
    assert_documented(&fake);
}

#[test]
fn a_large_body_sent_with_expect_100_continue_is_not_delayed() {
    use std::io::{BufRead, BufReader, Read, Write};
    let (fake, _fixture) = published();
    let mut stream = std::net::TcpStream::connect(fake.url.trim_start_matches("http://")).unwrap();
    let body = json!({"body": "x".repeat(2_000_000)}).to_string();
    write!(
        stream,
        "POST /repos/acme/app/issues/7/comments HTTP/1.1\r\nhost: x\r\nuser-agent: raw\r\nauthorization: token {}\r\ncontent-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
        fake.token,
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut interim = String::new();
    reader.read_line(&mut interim).unwrap();
    assert_eq!(
        interim, "HTTP/1.1 100 Continue\r\n",
        "the fake asks for the body at once"
    );
    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    reader.read_to_string(&mut answer).unwrap();
    assert!(
        answer.contains("HTTP/1.1 422"),
        "a 2 MB comment is over 65,536 characters: {}",
        &answer[..answer.len().min(300)]
    );
}

#[test]
fn bodies_over_65536_characters_are_refused_everywhere() {
    let (fake, fixture) = published();
    let long = "x".repeat(65_537);
    let review = post(
        &fake,
        "/repos/acme/app/pulls/7/reviews",
        json!({"event": "COMMENT", "comments": [comment("Dockerfile", 2, &long)]}),
    );
    assert_eq!(review.status, 422);
    assert!(
        review.body["errors"][0]
            .as_str()
            .unwrap()
            .contains("too long")
    );
    let single = post(
        &fake,
        "/repos/acme/app/pulls/7/comments",
        json!({"body": long, "commit_id": fixture.head_sha, "path": "Dockerfile", "line": 2}),
    );
    assert_eq!(single.status, 422);
    let at_limit = post(
        &fake,
        "/repos/acme/app/pulls/7/comments",
        json!({"body": "x".repeat(65_536), "commit_id": fixture.head_sha, "path": "Dockerfile", "line": 2}),
    );
    assert_eq!(at_limit.status, 201);
    let id = at_limit.body["id"].as_u64().unwrap();
    let edit = patch_request(
        &fake,
        &format!("/repos/acme/app/pulls/comments/{id}"),
        json!({"body": long}),
    );
    assert_eq!(edit.status, 422);
    assert_documented(&fake);
}

#[test]
fn garbage_on_the_wire_never_stops_the_server() {
    use std::io::{Read, Write};
    let (fake, _fixture) = published();
    let address = fake.url.trim_start_matches("http://").to_string();
    for garbage in [
        &b"\r\n"[..],
        b"GET\r\n\r\n",
        b"POST /x HTTP/1.1\r\ncontent-length: 99999999999\r\n\r\n",
        b"POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"\xff\xfe\x00 /%zz%4 HTTP/1.1\r\n\r\n",
        b"GET /repos/acme/app/contents/%E2%82 HTTP/1.1\r\nuser-agent: t\r\nauthorization: token x\r\nconnection: close\r\n\r\n",
    ] {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream.write_all(garbage).unwrap();
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
    assert_eq!(
        get(&fake, "/repos/acme/app/pulls/7").status,
        200,
        "still serving"
    );
}
