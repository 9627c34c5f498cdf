//! `dockgate github` end to end, as the action runs it: the real binary, in a fixture
//! repository's checkout, with the environment the runner gives a container action
//! (every `INPUT_*` of `action.yml` at its default, read from `action.yml` itself;
//! `GITHUB_EVENT_PATH` with a real `pull_request` payload; `GITHUB_API_URL` at the fake
//! GitHub of `tests/support/fake_github`; the output and summary files), for each
//! scenario issue 12 lists.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use serde_json::Value;
use support::fake_github::fixture_repo::FixtureRepo;
use support::fake_github::{FakeGithub, Fault, FaultKind};

const OWNER: &str = "acme";
const REPO: &str = "app";
const NUMBER: u64 = 12;

/// One run of the action on `repo`'s pull request, `inputs` overriding the defaults.
fn run_action(fake: &FakeGithub, repo: &FixtureRepo, event: &str, inputs: &[(&str, &str)]) -> Run {
    run_action_with(fake, repo, event, inputs, &[])
}

/// [`run_action`] with more environment variables.
fn run_action_with(
    fake: &FakeGithub,
    repo: &FixtureRepo,
    event: &str,
    inputs: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Run {
    let payload = match event {
        "push" => repo.push_event(fake),
        "pull_request_opened" => repo.pull_request_event(fake, "opened"),
        _ => repo.pull_request_event(fake, "synchronize"),
    };
    let event_name = if event == "push" {
        "push"
    } else {
        "pull_request"
    };
    let env = repo.action_env(fake, event_name, &payload);
    let token = env
        .iter()
        .find(|(name, _)| name == "GITHUB_TOKEN")
        .map(|(_, value)| value.clone())
        .unwrap();
    let runner = repo.runner_dir();
    // Each step starts with empty files, as the runner gives every step its own.
    std::fs::write(runner.join("output"), "").unwrap();
    std::fs::write(runner.join("step_summary.md"), "").unwrap();
    let before = fake.requests().len();
    let mut command = support::action::github_command(&repo.workspace());
    command.envs(env).envs(support::action::inputs(&token));
    for (name, value) in inputs {
        command.env(format!("INPUT_{}", name.to_ascii_uppercase()), value);
    }
    command.envs(extra.iter().copied());
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stderr.contains(&token) && !String::from_utf8_lossy(&output.stdout).contains(&token),
        "the token was printed"
    );
    Run {
        summary: std::fs::read_to_string(runner.join("step_summary.md")).unwrap(),
        outputs: support::action::parse_outputs(
            &std::fs::read_to_string(runner.join("output")).unwrap(),
        ),
        requests: fake.requests().len() - before,
        writes: fake.requests()[before..]
            .iter()
            .filter(|r| r.is_write())
            .count(),
        output,
        stderr,
    }
}

struct Run {
    output: Output,
    stderr: String,
    summary: String,
    outputs: BTreeMap<String, String>,
    /// Requests (and writes) this run made.
    requests: usize,
    writes: usize,
}

impl Run {
    fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Why the run wrote to the log instead of GitHub, when it did.
    fn degraded_reason(&self) -> Option<&str> {
        self.stderr
            .lines()
            .find(|line| line.contains("annotated in the log instead"))
    }

    /// The findings of the `report-json` output.
    fn findings(&self) -> Vec<Value> {
        let report: Value = serde_json::from_str(&self.outputs["report-json"]).unwrap();
        report["findings"].as_array().unwrap().clone()
    }
}

const BASE: &str = "FROM debian:12-slim\nWORKDIR /app\n";
/// The head adds DL3020 (ADD of a file that is no archive, with a fix), DL3008 (apt-get)
/// and DL3002 (USER root) on new lines.
const HEAD: &str = "FROM debian:12-slim\nWORKDIR /app\nRUN apt-get install -y curl\nADD app.tar.gz /app/\nADD config.txt /app/\nUSER root\n";

fn pull_request(head: &str) -> (FakeGithub, FixtureRepo) {
    let fake = FakeGithub::start();
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("Dockerfile", BASE), ("README.md", "app\n")],
        &[("Dockerfile", Some(head))],
    );
    repo.publish(&fake);
    (fake, repo)
}

fn comments(fake: &FakeGithub) -> Vec<Value> {
    fake.review_comments(OWNER, REPO, NUMBER)
}

/// The fingerprint markers of the review comments (dockgate's own), with duplicates.
fn markers(fake: &FakeGithub) -> Vec<String> {
    let mut markers: Vec<String> = comments(fake)
        .iter()
        .filter_map(|comment| {
            let body = comment["body"].as_str()?;
            let start = body.find("<!-- dockgate:fingerprint=")?;
            Some(body[start..].lines().next()?.to_string())
        })
        .collect();
    markers.sort();
    markers
}

fn assert_no_duplicates(fake: &FakeGithub) {
    let markers = markers(fake);
    let unique: BTreeSet<&String> = markers.iter().collect();
    assert_eq!(
        markers.len(),
        unique.len(),
        "a comment was posted twice: {markers:#?}"
    );
}

fn check_runs(fake: &FakeGithub) -> Vec<Value> {
    fake.check_runs(OWNER, REPO)
}

#[test]
fn first_run_reviews_the_changed_lines_and_reports() {
    let (fake, repo) = pull_request(HEAD);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1, "the policy fails: {}", run.stderr);

    // One COMMENT review on the head commit, one inline comment per finding on an added
    // line, each with rule, severity, link, why and the hidden fingerprint.
    let reviews = fake.reviews(OWNER, REPO, NUMBER);
    assert_eq!(reviews.len(), 1, "{reviews:#?}");
    assert_eq!(reviews[0]["state"], "COMMENTED");
    assert_eq!(reviews[0]["commit_id"], repo.head_sha.as_str());
    let comments = comments(&fake);
    let findings = run.findings();
    let on_added_lines = findings
        .iter()
        .filter(|f| f["line"].as_u64() > Some(2))
        .count();
    assert_eq!(comments.len(), on_added_lines, "{comments:#?}");
    for comment in &comments {
        let body = comment["body"].as_str().unwrap();
        assert!(body.contains("docs/rules.md#"), "{body}");
        assert!(body.contains("*Why:*"), "{body}");
        assert!(body.contains("<!-- dockgate:fingerprint="), "{body}");
        assert!(
            comment["line"].as_u64().unwrap() > 2,
            "only added lines: {comment}"
        );
    }
    // DL3020's fix is a one-click suggestion on its own line.
    let add = comments
        .iter()
        .find(|c| c["body"].as_str().unwrap().contains("DL3020") && c["line"] == 5)
        .expect("DL3020 on line 5");
    assert!(
        add["body"]
            .as_str()
            .unwrap()
            .contains("```suggestion\nCOPY config.txt /app/\n```"),
        "{}",
        add["body"]
    );

    // One check run on the PR head (not the merge commit), completed, failed, every
    // finding annotated.
    let runs = check_runs(&fake);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    assert_eq!(runs[0]["head_sha"], repo.head_sha.as_str());
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(runs[0]["conclusion"], "failure");
    assert_eq!(runs[0]["name"], "dockgate");
    let annotations = fake.annotations(runs[0]["id"].as_u64().unwrap());
    assert_eq!(annotations.len(), findings.len());
    assert!(
        runs[0]["output"]["summary"]
            .as_str()
            .unwrap()
            .contains("### `Dockerfile`")
    );

    // The job summary and the outputs.
    assert!(run.summary.contains("dockgate: failed"), "{}", run.summary);
    assert!(run.summary.contains("| Line | Rule | Severity | Message |"));
    assert_eq!(run.outputs["passed"], "false");
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert_eq!(run.outputs["errors"], errors.to_string());
    assert_eq!(run.outputs["sarif-file"], "");
}

#[test]
fn an_identical_rerun_adds_nothing_and_updates_its_own_check_run() {
    let (fake, repo) = pull_request(HEAD);
    run_action(&fake, &repo, "pull_request_opened", &[]);
    let comments_before = comments(&fake);
    let rerun = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(rerun.code(), 1);
    assert_eq!(
        fake.reviews(OWNER, REPO, NUMBER).len(),
        1,
        "no second review"
    );
    assert_eq!(comments(&fake), comments_before);
    let runs = check_runs(&fake);
    assert_eq!(runs.len(), 1, "the re-run updated its check run: {runs:#?}");
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(fake.count("POST", "/repos/{owner}/{repo}/check-runs"), 1);
    // GitHub appends annotations on every update: the re-run sent none again.
    let annotations = fake.annotations(runs[0]["id"].as_u64().unwrap());
    assert_eq!(
        annotations.len(),
        rerun.findings().len(),
        "{annotations:#?}"
    );
}

#[test]
fn after_a_fix_the_stale_comment_goes_and_the_others_stay() {
    let (fake, mut repo) = pull_request(HEAD);
    run_action(&fake, &repo, "pull_request_opened", &[]);
    let before = markers(&fake);
    let fixed = HEAD.replace("ADD config.txt /app/\n", "COPY config.txt /app/\n");
    repo.push(&[("Dockerfile", Some(&fixed))]);
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request", &[]);
    assert_eq!(run.code(), 1);
    let after = markers(&fake);
    assert_eq!(after.len(), before.len() - 1, "{before:#?}\n{after:#?}");
    assert!(after.iter().all(|marker| before.contains(marker)));
    assert_eq!(
        fake.count("DELETE", "/repos/{owner}/{repo}/pulls/comments/{id}"),
        1
    );
    assert_eq!(
        fake.reviews(OWNER, REPO, NUMBER).len(),
        1,
        "nothing new to post"
    );
}

#[test]
fn a_rebase_that_shifts_lines_duplicates_nothing() {
    let (fake, mut repo) = pull_request(HEAD);
    run_action(&fake, &repo, "pull_request_opened", &[]);
    let before = markers(&fake);
    repo.rebase(&[(
        "Dockerfile",
        Some(
            "# syntax=docker/dockerfile:1\n# the base branch moved\nFROM debian:12-slim\nWORKDIR /app\n",
        ),
    )]);
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(
        markers(&fake),
        before,
        "same comments, none added or deleted"
    );
    assert_eq!(fake.reviews(OWNER, REPO, NUMBER).len(), 1);
    assert_eq!(
        fake.count("DELETE", "/repos/{owner}/{repo}/pulls/comments/{id}"),
        0
    );
    assert_no_duplicates(&fake);
}

#[test]
fn sixty_findings_are_all_annotated_in_batches_and_at_most_max_comments_are_inline() {
    let mut head = String::from(BASE);
    for index in 0..60 {
        head.push_str(&format!("ADD file{index}.txt /app/\n"));
    }
    head.push_str("USER 10001\n");
    let (fake, repo) = pull_request(&head);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1);
    let findings = run.findings();
    assert!(findings.len() >= 60, "{}", findings.len());
    let runs = check_runs(&fake);
    let annotations = fake.annotations(runs[0]["id"].as_u64().unwrap());
    assert_eq!(annotations.len(), findings.len(), "every finding annotated");
    let patches = fake.count("PATCH", "/repos/{owner}/{repo}/check-runs/{id}");
    assert_eq!(patches, findings.len().div_ceil(50), "50 per request");
    let comments = comments(&fake);
    assert_eq!(comments.len(), 30, "the default max-comments");
    let review = &fake.reviews(OWNER, REPO, NUMBER)[0];
    let more = findings.len() - 30;
    assert!(
        review["body"]
            .as_str()
            .unwrap()
            .contains(&format!("{more} more finding")),
        "{}",
        review["body"]
    );
    // The cap is an input.
    let (fake, repo) = pull_request(&head);
    run_action(
        &fake,
        &repo,
        "pull_request_opened",
        &[("max-comments", "5")],
    );
    assert_eq!(fake.review_comments(OWNER, REPO, NUMBER).len(), 5);
}

#[test]
fn a_502_after_github_created_the_review_leaves_exactly_one_copy_of_each_comment() {
    let (fake, repo) = pull_request(HEAD);
    fake.inject(Fault::new(
        FaultKind::BadGatewayAfter,
        "POST",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    ));
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let expected = run
        .findings()
        .iter()
        .filter(|f| f["line"].as_u64() > Some(2))
        .count();
    assert_eq!(comments(&fake).len(), expected);
    assert_no_duplicates(&fake);
    assert_eq!(fake.reviews(OWNER, REPO, NUMBER).len(), 1);
}

#[test]
fn a_502_on_check_run_creation_ends_in_one_completed_run() {
    for kind in [FaultKind::BadGatewayAfter, FaultKind::BadGatewayBefore] {
        let (fake, repo) = pull_request(HEAD);
        fake.inject(Fault::new(
            kind.clone(),
            "POST",
            "/repos/{owner}/{repo}/check-runs",
        ));
        let run = run_action(&fake, &repo, "pull_request_opened", &[]);
        assert_eq!(run.code(), 1, "{kind:?}: {}", run.stderr);
        let runs = check_runs(&fake);
        assert_eq!(runs.len(), 1, "{kind:?}: {runs:#?}");
        assert_eq!(runs[0]["status"], "completed", "{kind:?}");
        assert_eq!(runs[0]["conclusion"], "failure", "{kind:?}");
    }
}

#[test]
fn a_403_on_every_write_degrades_to_annotations_and_the_summary_and_still_fails() {
    let (fake, repo) = pull_request(HEAD);
    fake.forbid_writes();
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(
        run.code(),
        1,
        "the exit code follows the policy: {}",
        run.stderr
    );
    // The first refusal stops writing: one write, refused.
    assert_eq!(run.writes, 1, "{}", run.stderr);
    let stdout = run.stdout();
    assert!(
        stdout.contains("::error file=Dockerfile,line=5"),
        "{stdout}"
    );
    assert!(run.summary.contains("GitHub refused"), "{}", run.summary);
    assert!(run.summary.contains("### `Dockerfile`"));
    assert!(
        run.stderr.contains("annotated in the log"),
        "{}",
        run.stderr
    );
    assert_eq!(run.outputs["passed"], "false");
}

#[test]
fn a_fork_pull_request_makes_no_write_request() {
    let fake = FakeGithub::start();
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("Dockerfile", BASE)],
        &[("Dockerfile", Some(HEAD))],
    )
    .with_fork("someone/app");
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1);
    assert_eq!(fake.writes().len(), 0, "{:#?}", fake.writes());
    assert_eq!(run.requests, 0, "nothing to read either");
    assert!(
        run.stdout().contains("::error file=Dockerfile"),
        "{}",
        run.stdout()
    );
    assert!(run.summary.contains("read-only token"), "{}", run.summary);
}

#[test]
fn a_push_gets_a_check_run_on_its_commit_and_no_review() {
    let (fake, repo) = pull_request(HEAD);
    fake.add_commit(OWNER, REPO, &repo.head_sha);
    let run = run_action(&fake, &repo, "push", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let runs = check_runs(&fake);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["head_sha"], repo.head_sha.as_str());
    assert!(fake.reviews(OWNER, REPO, NUMBER).is_empty());
}

#[test]
fn a_passing_run_concludes_success_and_debug_output_counts_the_calls() {
    let (fake, repo) =
        pull_request("FROM debian:12-slim\nWORKDIR /app\nCOPY app /app\nUSER 10001\n");
    let run = run_action_with(
        &fake,
        &repo,
        "pull_request_opened",
        &[],
        &[("DOCKGATE_LOG", "debug")],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.findings().is_empty());
    assert_eq!(check_runs(&fake)[0]["conclusion"], "success");
    assert_eq!(run.outputs["passed"], "true");
    // Every call is logged, and their number, which is small.
    let calls = format!("dockgate: debug: {} API calls", run.requests);
    assert!(run.stderr.contains(&calls), "{calls}\n{}", run.stderr);
    assert!(run.requests <= 8, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("POST /repos/acme/app/check-runs -> 201"),
        "{}",
        run.stderr
    );
}

/// `scripts/bench-github`: a pull request touching 20 Dockerfiles, no image, against the
/// fake on 127.0.0.1: the time from starting the process to its exit (the check run is
/// completed by then) and the number of API calls. Ignored in the suite: a benchmark
/// is timed with the release build, which the script makes.
#[test]
#[ignore]
fn bench_twenty_dockerfiles() {
    let base: Vec<(String, String)> = (0..20)
        .map(|index| (format!("svc{index:02}/Dockerfile"), BASE.to_string()))
        .collect();
    let head: Vec<(String, String)> = (0..20)
        .map(|index| {
            (
                format!("svc{index:02}/Dockerfile"),
                format!("{BASE}ADD config{index}.txt /app/\nUSER 10001\n"),
            )
        })
        .collect();
    let base_refs: Vec<(&str, &str)> = base.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let head_refs: Vec<(&str, Option<&str>)> = head
        .iter()
        .map(|(p, t)| (p.as_str(), Some(t.as_str())))
        .collect();
    let mut timings = Vec::new();
    let mut calls = 0;
    for _ in 0..5 {
        let fake = FakeGithub::start();
        let repo = FixtureRepo::create(OWNER, REPO, NUMBER, &base_refs, &head_refs);
        repo.publish(&fake);
        let started = std::time::Instant::now();
        let run = run_action(&fake, &repo, "pull_request_opened", &[]);
        timings.push(started.elapsed());
        assert_eq!(run.code(), 1, "{}", run.stderr);
        assert_eq!(check_runs(&fake)[0]["status"], "completed");
        assert_eq!(comments(&fake).len(), 20);
        calls = run.requests;
    }
    timings.sort();
    let median = timings[timings.len() / 2];
    println!(
        "bench-github: 20 Dockerfiles, no image: process start to completed check run {:.0} ms (median of {}, min {:.0} ms, max {:.0} ms), {calls} API calls",
        median.as_secs_f64() * 1000.0,
        timings.len(),
        timings[0].as_secs_f64() * 1000.0,
        timings[timings.len() - 1].as_secs_f64() * 1000.0,
    );
    assert!(median < std::time::Duration::from_secs(1), "{median:?}");
    assert!(calls <= 8, "{calls} API calls");
}

#[test]
fn the_sticky_summary_comment_is_one_comment_updated_in_place() {
    let (fake, mut repo) = pull_request(HEAD);
    fake.seed_issue_comment(
        OWNER,
        REPO,
        NUMBER,
        "octocat",
        "Looks good, but see the bot.",
    );
    let inputs = [("summary-comment", "true")];
    run_action(&fake, &repo, "pull_request_opened", &inputs);
    let ours = |fake: &FakeGithub| -> Vec<Value> {
        fake.issue_comments(OWNER, REPO, NUMBER)
            .into_iter()
            .filter(|c| {
                c["body"]
                    .as_str()
                    .unwrap()
                    .contains("<!-- dockgate:summary -->")
            })
            .collect()
    };
    let first = ours(&fake);
    assert_eq!(first.len(), 1);
    assert!(
        first[0]["body"]
            .as_str()
            .unwrap()
            .contains("dockgate: failed")
    );
    let fixed = "FROM debian:12-slim\nWORKDIR /app\nCOPY app /app\nUSER 10001\n";
    repo.push(&[("Dockerfile", Some(fixed))]);
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request", &inputs);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let second = ours(&fake);
    assert_eq!(second.len(), 1, "updated, not added");
    assert_eq!(second[0]["id"], first[0]["id"]);
    assert!(
        second[0]["body"]
            .as_str()
            .unwrap()
            .contains("dockgate: passed")
    );
    assert_eq!(
        fake.issue_comments(OWNER, REPO, NUMBER).len(),
        2,
        "the human's stays"
    );
    // Off by default.
    let (fake, repo) = pull_request(HEAD);
    run_action(&fake, &repo, "pull_request_opened", &[]);
    assert!(ours(&fake).is_empty());
}

#[test]
fn a_stale_comment_someone_answered_is_answered_fixed_once_and_left() {
    let (fake, mut repo) = pull_request(HEAD);
    run_action(&fake, &repo, "pull_request_opened", &[]);
    let add = comments(&fake)
        .into_iter()
        .find(|c| c["body"].as_str().unwrap().contains("DL3020"))
        .unwrap();
    // Someone answers the DL3020 comment (through the API, as GitHub's UI does).
    let reply = reqwest::blocking::Client::new()
        .post(format!(
            "{}/repos/{OWNER}/{REPO}/pulls/{NUMBER}/comments",
            fake.url
        ))
        .header("authorization", format!("Bearer {}", fake.token))
        .header("user-agent", "a-reviewer")
        .header("accept", "application/vnd.github+json")
        .header("content-type", "application/json")
        .body(
            serde_json::json!({
                "body": "Will fix.",
                "commit_id": repo.head_sha,
                "path": "Dockerfile",
                "in_reply_to": add["id"],
            })
            .to_string(),
        )
        .send()
        .unwrap();
    assert!(reply.status().is_success(), "{:?}", reply.text());
    let fixed = HEAD.replace("ADD config.txt /app/\n", "COPY config.txt /app/\n");
    repo.push(&[("Dockerfile", Some(&fixed))]);
    repo.publish(&fake);
    for _ in 0..2 {
        let run = run_action(&fake, &repo, "pull_request", &[]);
        assert_eq!(run.code(), 1, "{}", run.stderr);
    }
    let thread: Vec<Value> = comments(&fake)
        .into_iter()
        .filter(|c| c["id"] == add["id"] || c["in_reply_to_id"] == add["id"])
        .collect();
    assert_eq!(
        thread.len(),
        3,
        "the comment, the answer, one Fixed: {thread:#?}"
    );
    assert!(thread[2]["body"].as_str().unwrap().starts_with("Fixed"));
    assert_eq!(
        fake.count("DELETE", "/repos/{owner}/{repo}/pulls/comments/{id}"),
        0
    );
}

#[test]
fn a_422_moves_the_refused_comments_to_the_summary_and_posts_the_rest() {
    let fake = FakeGithub::start();
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("a/Dockerfile", BASE), ("big/Dockerfile", BASE)],
        &[("a/Dockerfile", Some(HEAD)), ("big/Dockerfile", Some(HEAD))],
    );
    // GitHub lists big/Dockerfile without a patch (too large to show) and refuses
    // comments on it; dockgate reads its lines from git and tries.
    let mut pull = repo.pull_request();
    pull.files
        .iter_mut()
        .filter(|file| file.filename == "big/Dockerfile")
        .for_each(|file| file.patch = None);
    fake.put_pull(pull);
    fake.add_commit(OWNER, REPO, &repo.merge_sha);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let comments = comments(&fake);
    assert!(!comments.is_empty());
    assert!(
        comments.iter().all(|c| c["path"] == "a/Dockerfile"),
        "{comments:#?}"
    );
    assert_eq!(fake.reviews(OWNER, REPO, NUMBER).len(), 1);
    assert!(
        run.summary
            .contains("### Comments GitHub did not accept inline"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("`big/Dockerfile:5` DL3020"),
        "{}",
        run.summary
    );
}

#[test]
fn the_sarif_file_input_writes_sarif_and_names_it_in_the_outputs() {
    let (fake, repo) = pull_request(HEAD);
    let run = run_action(
        &fake,
        &repo,
        "pull_request_opened",
        &[("sarif-file", "dockgate.sarif")],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(run.outputs["sarif-file"], "dockgate.sarif");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.workspace().join("dockgate.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), run.findings().len());
}

#[test]
fn rate_limits_are_waited_out_and_nothing_is_posted_twice() {
    let (fake, repo) = pull_request(HEAD);
    fake.inject(Fault::new(
        FaultKind::TooManyRequests { retry_after: 1 },
        "POST",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    ));
    fake.inject(Fault::new(
        FaultKind::SecondaryRateLimit { retry_after: 1 },
        "PATCH",
        "/repos/{owner}/{repo}/check-runs/{check_run_id}",
    ));
    let started = std::time::Instant::now();
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "retry-after honoured"
    );
    assert_eq!(fake.reviews(OWNER, REPO, NUMBER).len(), 1);
    assert_no_duplicates(&fake);
    assert_eq!(check_runs(&fake)[0]["status"], "completed");
    assert!(run.degraded_reason().is_none(), "{}", run.stderr);
}

#[test]
fn without_a_token_nothing_is_sent_and_the_log_has_the_annotations() {
    let (fake, repo) = pull_request(HEAD);
    let run = run_action_with(
        &fake,
        &repo,
        "pull_request_opened",
        &[("github-token", "")],
        &[("GITHUB_TOKEN", "")],
    );
    assert_eq!(run.code(), 1);
    assert_eq!(run.requests, 0);
    assert!(
        run.stdout().contains("::error file=Dockerfile,line=5"),
        "{}",
        run.stdout()
    );
    assert!(run.summary.contains("no token"), "{}", run.summary);
}

#[test]
fn a_renamed_dockerfile_is_commented_on_under_its_new_name() {
    let fake = FakeGithub::start();
    let old = format!("{HEAD}# padding so that git sees a rename\nLABEL a=b\nLABEL c=d\n");
    let new = old.replace("USER root\n", "USER root\nADD extra.txt /app/\n");
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("old/Dockerfile", &old)],
        &[("old/Dockerfile", None), ("new/Dockerfile", Some(&new))],
    );
    repo.publish(&fake);
    assert_eq!(repo.files()[0].status, "renamed");
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let comments = comments(&fake);
    assert_eq!(comments.len(), 1, "only the added line: {comments:#?}");
    assert_eq!(comments[0]["path"], "new/Dockerfile");
    assert_eq!(comments[0]["line"], 7);
}

#[test]
fn images_get_a_table_in_the_summary_with_user_and_size_against_the_budget() {
    use dockgate::image::testing::{Compression, Image, Layer, passwd};

    let (fake, repo) = pull_request(HEAD);
    let layout = repo.runner_dir().join("app-oci");
    Image::new()
        .user("app")
        .layer(
            Layer::new()
                .dir("etc")
                .file("etc/passwd", &passwd(&[("app", 0)]))
                .file("opt/blob", &[7; 5000]),
            Compression::Gzip,
            "/bin/sh -c #(nop) ADD file:0a1b in / ",
        )
        .write_oci_dir(&layout);
    std::fs::write(
        repo.workspace().join("dockgate.yml"),
        "image:\n  max_size: 4kB\n",
    )
    .unwrap();
    let reference = format!("oci:{}", layout.display());
    let run = run_action(
        &fake,
        &repo,
        "pull_request_opened",
        &[("images", &reference)],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let summary = &run.summary;
    assert!(
        summary.contains(&format!("### Image `{reference}`")),
        "{summary}"
    );
    // `app` is UID 0 in the image's own /etc/passwd: root.
    assert!(
        summary.contains("| User | `app` (UID 0): ❌ runs as root |"),
        "{summary}"
    );
    assert!(summary.contains("of 4.0 kB `▓▓▓▓▓▓▓▓▓▓`"), "{summary}");
    assert!(summary.contains("❌ over budget"), "{summary}");
    assert!(
        summary.contains("| Biggest layers | Size | Made by |"),
        "{summary}"
    );
    assert!(
        run.findings().iter().any(|f| f["rule"] == "DG2001"),
        "{:?}",
        run.findings()
    );
    let check_summary = check_runs(&fake)[0]["output"]["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(check_summary.contains("runs as root"), "{check_summary}");
}

#[test]
fn a_required_policy_applies_under_the_repositorys() {
    let (fake, repo) = pull_request(HEAD);
    let required = repo.runner_dir().join("org.yml");
    std::fs::write(&required, "rules:\n  DL3020: off\n").unwrap();
    let without = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert!(without.findings().iter().any(|f| f["rule"] == "DL3020"));
    let with = run_action(
        &fake,
        &repo,
        "pull_request_opened",
        &[("required-policy", &required.display().to_string())],
    );
    assert!(with.code() != 2, "{}", with.stderr);
    assert!(
        !with.findings().iter().any(|f| f["rule"] == "DL3020"),
        "{:?}",
        with.findings()
    );
}

#[test]
fn a_pull_request_that_weakens_the_policy_gets_a_review_comment_on_the_policy_file() {
    let fake = FakeGithub::start();
    let dockerfile = "FROM python:latest\nWORKDIR /app\nUSER 10001\n";
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[
            ("Dockerfile", dockerfile),
            ("dockgate.yml", "rules:\n  DL3007: error\n"),
        ],
        &[("dockgate.yml", Some("rules:\n  DL3007: off\n"))],
    );
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert_eq!(run.code(), 1, "the weakening fails the run: {}", run.stderr);
    let weakening = run
        .findings()
        .into_iter()
        .find(|f| f["rule"] == "DG0004")
        .unwrap_or_else(|| panic!("no DG0004: {}", run.stderr));
    assert_eq!(weakening["path"], "dockgate.yml");
    assert_eq!(weakening["line"], 2);
    // The pull request's own policy turned DL3007 off: the Dockerfile is judged by it,
    // and the reviewer sees the change on the line that made it.
    assert!(!run.findings().iter().any(|f| f["rule"] == "DL3007"));
    let posted = comments(&fake);
    let on_policy: Vec<&Value> = posted
        .iter()
        .filter(|c| c["path"] == "dockgate.yml")
        .collect();
    assert_eq!(on_policy.len(), 1, "{posted:#?}");
    assert_eq!(on_policy[0]["line"], 2);
    let body = on_policy[0]["body"].as_str().unwrap();
    assert!(
        body.contains("DG0004") && body.contains("DL3007 turned off (was error)"),
        "{body}"
    );
    assert!(
        run.summary.contains("### Policy against `"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("1 weakening"), "{}", run.summary);

    // A pull request that only tightens the policy gets no such comment.
    let fake = FakeGithub::start();
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /app\nUSER 10001\n",
            ),
            ("dockgate.yml", "rules:\n  DL3007: warning\n"),
        ],
        &[("dockgate.yml", Some("rules:\n  DL3007: error\n"))],
    );
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert!(
        !run.findings().iter().any(|f| f["rule"] == "DG0004"),
        "{:?}",
        run.findings()
    );
    assert!(comments(&fake).is_empty());
}

#[test]
fn under_pull_request_target_the_bases_policy_judges_the_head() {
    let fake = FakeGithub::start();
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /app\nUSER 10001\n",
            ),
            ("dockgate.yml", "rules:\n  DL3007: error\n"),
        ],
        &[
            (
                "Dockerfile",
                Some("FROM python:latest\nWORKDIR /app\nUSER 10001\n"),
            ),
            ("dockgate.yml", Some("rules:\n  DL3007: off\n")),
        ],
    );
    repo.publish(&fake);
    let run = run_action_with(
        &fake,
        &repo,
        "pull_request_opened",
        &[],
        &[("GITHUB_EVENT_NAME", "pull_request_target")],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let findings = run.findings();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "DL3007" && f["severity"] == "error"),
        "the base's policy keeps DL3007 on: {findings:?}"
    );
    assert!(
        findings.iter().any(|f| f["rule"] == "DG0004"),
        "{findings:?}"
    );
}

#[test]
fn image_findings_placed_on_a_dockerfile_line_are_commented_there() {
    use support::app_image::{APP_DOCKERFILE, app_image};

    let fake = FakeGithub::start();
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("README.md", "app\n")],
        &[("svc/Dockerfile", Some(APP_DOCKERFILE))],
    );
    repo.publish(&fake);
    let archive = repo.runner_dir().join("app.tar");
    app_image().write_docker_archive(&archive);
    let reference = format!("docker-archive:{}", archive.display());
    let run = run_action(
        &fake,
        &repo,
        "pull_request_opened",
        &[("images", &reference)],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let posted = comments(&fake);
    let on = |rule: &str| {
        posted
            .iter()
            .filter(|c| c["path"] == "svc/Dockerfile" && c["body"].as_str().unwrap().contains(rule))
            .map(|c| c["line"].as_u64().unwrap())
            .collect::<Vec<u64>>()
    };
    // The image runs as root: on its `USER root` line (5). The private key is in the
    // layer of the COPY on line 3.
    assert_eq!(on("DG2001"), vec![5], "{posted:#?}");
    assert_eq!(on("DG2020"), vec![3], "{posted:#?}");
    // The key itself is never shown.
    for comment in &posted {
        assert!(
            !comment["body"]
                .as_str()
                .unwrap()
                .contains("b3BlbnNzaC1rZXktdjEAAAAA")
        );
    }
}

#[test]
fn an_exception_the_pull_request_adds_is_listed_in_the_summary_with_who_waived_what() {
    let fake = FakeGithub::start();
    let dockerfile = "FROM python:latest\nWORKDIR /app\nUSER 10001\n";
    let exception = "exceptions:\n  - rules: [DL3007]\n    paths: [Dockerfile]\n    owner: \"@acme/payments\"\n    reason: pinned after the migration\n    expires: 2099-01-31\n";
    let repo = FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[
            ("Dockerfile", dockerfile),
            ("dockgate.yml", "fail_on: warning\n"),
        ],
        &[(
            "dockgate.yml",
            Some(&format!("fail_on: warning\n{exception}")),
        )],
    );
    repo.publish(&fake);
    let run = run_action(&fake, &repo, "pull_request_opened", &[]);
    assert!(
        run.summary.contains(
            "| added `dockgate.yml:3` | DL3007 | in Dockerfile | @acme/payments | 2099-01-31 | pinned after the migration |"
        ),
        "{}",
        run.summary
    );
    let check_summary = check_runs(&fake)[0]["output"]["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(check_summary.contains("@acme/payments"), "{check_summary}");
}
