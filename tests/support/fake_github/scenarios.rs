//! The pull requests of the end-to-end scenarios (issue 12, "Tests with real parts"),
//! as git fixtures whose findings sit where each scenario needs them. The findings
//! named here are dockgate's with the default policy; tests/fake_github.rs runs the
//! real binary on each scenario to keep these claims true.
//!
//! - first run: [`first_run`] — two findings on new lines, one on an old line outside
//!   the diff (annotated, never commented inline); an identical re-run is the same
//!   fixture run twice.
//! - after a fix: [`fix`] pushes a head without the two new findings.
//! - a rebase that shifts lines: [`rebase_shifting_lines`] moves every finding 3
//!   lines down without changing the pull request's own change.
//! - 60 findings: [`sixty_findings`], all on new lines of one hunk.
//! - fork: [`first_run`] with [`FixtureRepo::with_fork`] ([`fork`]).
//! - benchmark: [`twenty_dockerfiles`], one finding on a new line of each.

use super::fixture_repo::FixtureRepo;

pub const OWNER: &str = "acme";
pub const REPO: &str = "app";
pub const NUMBER: u64 = 12;

/// The base Dockerfile: one finding (DL3011, an invalid port) on line 2, which the
/// pull request does not touch.
pub const BASE_DOCKERFILE: &str = "FROM debian:12.7-slim\nEXPOSE 99999\nWORKDIR /app\nCOPY src/ .\nENV A=1\nENV B=2\nENV C=3\nENV D=4\nUSER 10001\n";

/// Lines 9 and 10 the pull request adds: DL3008 (unpinned apt package) on line 9,
/// DL3011 on line 10.
pub const NEW_LINES: &str = "RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nEXPOSE 70000\n";

/// Where [`first_run`]'s findings are: (rule, line) in `Dockerfile`.
pub const FIRST_RUN_FINDINGS: [(&str, u64); 3] = [("DL3011", 2), ("DL3008", 9), ("DL3011", 10)];

/// The lines [`first_run`] adds, as `GET /pulls/{n}/files` shows them: lines 6 to 11 of
/// the new file are in the hunk (3 lines of context around 9 and 10).
pub const FIRST_RUN_HUNK: std::ops::RangeInclusive<u64> = 6..=11;

pub fn head_dockerfile() -> String {
    BASE_DOCKERFILE.replace("USER 10001\n", &format!("{NEW_LINES}USER 10001\n"))
}

/// Pull request 12 of acme/app: the head adds [`NEW_LINES`] to the Dockerfile and
/// changes the README.
pub fn first_run() -> FixtureRepo {
    let head = head_dockerfile();
    FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("Dockerfile", BASE_DOCKERFILE), ("README.md", "# app\n")],
        &[
            ("Dockerfile", Some(&head)),
            ("README.md", Some("# app\n\nNow with curl.\n")),
        ],
    )
}

/// [`first_run`] from the fork `contributor/app`.
pub fn fork() -> FixtureRepo {
    first_run().with_fork("contributor/app")
}

/// A push that pins the package and uses a valid port: only the old finding on line
/// 2 remains.
pub fn fix(fixture: &mut FixtureRepo) {
    let fixed = head_dockerfile()
        .replace("curl &&", "curl=8.5.0-2 &&")
        .replace("EXPOSE 70000\n", "EXPOSE 8080\n");
    fixture.push(&[("Dockerfile", Some(&fixed))]);
}

/// Three comment lines land on top of the Dockerfile on `main`, and the pull request is
/// rebased onto it: every finding moves 3 lines down (2→5, 9→12, 10→13).
pub fn rebase_shifting_lines(fixture: &mut FixtureRepo) {
    let moved = format!("# acme app image\n# owners: platform\n# see README.md\n{BASE_DOCKERFILE}");
    fixture.rebase(&[("Dockerfile", Some(&moved))]);
}

/// Sixty findings (DL3011 on lines 2 to 61), all on lines the pull request adds.
pub fn sixty_findings() -> FixtureRepo {
    let ports: String = (0..60)
        .map(|i| format!("EXPOSE {}\n", 70_000 + i))
        .collect();
    let head = format!("FROM debian:12.7-slim\n{ports}USER 10001\n");
    FixtureRepo::create(
        OWNER,
        REPO,
        NUMBER,
        &[("Dockerfile", "FROM debian:12.7\nUSER 10001\n")],
        &[("Dockerfile", Some(&head))],
    )
}

/// Twenty Dockerfiles (`svc01/Dockerfile` … `svc20/Dockerfile`), each given one
/// finding (DL3018, an unpinned apk package) on its new line 2.
pub fn twenty_dockerfiles() -> FixtureRepo {
    let paths: Vec<String> = (1..=20).map(|i| format!("svc{i:02}/Dockerfile")).collect();
    let base: Vec<(&str, &str)> = paths
        .iter()
        .map(|p| (p.as_str(), "FROM alpine:3.20\nUSER 10001\n"))
        .collect();
    let head: Vec<(&str, Option<&str>)> = paths
        .iter()
        .map(|p| {
            (
                p.as_str(),
                Some("FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 10001\n"),
            )
        })
        .collect();
    FixtureRepo::create(OWNER, REPO, NUMBER, &base, &head)
}
