//! The formats other tools read (`--format github`, `sarif`, `checkstyle`, `gitlab`,
//! `junit`), end to end through the binary on every command that has `--format`, each
//! checked against its consumer's schema or parser where one is installed.

use std::path::Path;

use assert_cmd::Command;
use dockgate::image::testing::{Compression, Image, Layer, passwd};
use tempfile::TempDir;

mod support;
use support::tree;

fn dockgate() -> Command {
    let mut command = Command::cargo_bin("dockgate").expect("the binary is built");
    command
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("CI_PROJECT_DIR");
    command
}

/// Runs `dockgate ARGS` in `dir`: the exit code and stdout.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = dockgate().current_dir(dir).args(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.code().is_some(),
        "killed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), stdout)
}

/// A Dockerfile with an error (DL3020), warnings (DL3006, DL3008) and notices.
const FINDINGS: &str = "FROM debian\nRUN apt-get update && apt-get install -y curl\nADD a.txt /a\n";

/// A root image without a health check: DG2001 (error) and DG2032, about the whole image.
fn root_image(dir: &Path) -> String {
    let image = Image::new().user("0:0").layer(
        Layer::new().file("etc/passwd", &passwd(&[])),
        Compression::Gzip,
        "base",
    );
    let path = dir.join("root.tar");
    image.write_docker_archive(&path);
    format!("docker-archive:{}", path.display())
}

mod github {
    use super::*;

    #[test]
    fn findings_are_workflow_commands_worst_first_with_escaped_properties() {
        // `,` and `:` in a path must be escaped, or GitHub cuts the property there.
        let dir = tree(&[("a,b:c/Dockerfile", FINDINGS)]);
        let (code, out) = run(dir.path(), &["lint", "--format", "github"]);
        assert_eq!(code, 1, "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=a%2Cb%3Ac/Dockerfile,line=3,col=1,endLine=3,endColumn=4,title=DL3020::Use COPY instead of ADD for files and folders"
        );
        assert!(
            lines.contains(
                &"::warning file=a%2Cb%3Ac/Dockerfile,line=1,col=6,endLine=1,endColumn=12,title=DL3006::Always tag the version of an image explicitly"
            ),
            "{out}"
        );
        let levels: Vec<&str> = lines
            .iter()
            .map(|line| line.split([' ', ':']).nth(2).unwrap())
            .collect();
        let mut sorted = levels.clone();
        sorted.sort_by_key(|level| {
            ["error", "warning", "notice"]
                .iter()
                .position(|l| l == level)
        });
        assert_eq!(levels, sorted, "worst first:\n{out}");
        assert!(levels.contains(&"notice"), "{out}");
        assert!(
            !out.contains("title=dockgate"),
            "no summary under 10 per level:\n{out}"
        );
    }

    #[test]
    fn paths_are_relative_to_the_github_workspace() {
        let dir = tree(&[("svc/Dockerfile", FINDINGS)]);
        let absolute = dir.path().join("svc/Dockerfile");
        let output = dockgate()
            .current_dir(dir.path().join("svc"))
            .env("GITHUB_WORKSPACE", dir.path())
            .args(["lint", "--format", "github"])
            .arg(&absolute)
            .output()
            .unwrap();
        let out = String::from_utf8(output.stdout).unwrap();
        assert!(
            out.starts_with("::error file=svc/Dockerfile,line=3,"),
            "{out}"
        );
    }

    #[test]
    fn a_multi_line_span_has_no_columns() {
        let dir = tree(&[(
            "Dockerfile",
            "FROM debian:12\nRUN apt-get update \\\n  && apt-get install -y curl\n",
        )]);
        let (_, out) = run(dir.path(), &["lint", "--format", "github"]);
        let dl3008 = out
            .lines()
            .find(|line| line.contains("title=DL3008"))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(
            dl3008.starts_with("::warning file=Dockerfile,line=2,endLine=3,title=DL3008::"),
            "{dl3008}"
        );
    }

    #[test]
    fn over_ten_per_level_a_notice_first_among_notices_counts_them() {
        let adds: String = (0..12).map(|n| format!("ADD f{n} /f{n}\n")).collect();
        let dir = tree(&[("Dockerfile", &format!("FROM debian:12\n{adds}"))]);
        let (code, out) = run(dir.path(), &["lint", "--format", "github"]);
        assert_eq!(code, 1);
        let lines: Vec<&str> = out.lines().collect();
        let errors = lines.iter().filter(|l| l.starts_with("::error ")).count();
        assert_eq!(errors, 12, "every finding is printed:\n{out}");
        let first_notice = lines
            .iter()
            .position(|line| line.starts_with("::notice"))
            .unwrap();
        assert_eq!(
            lines[first_notice],
            "::notice title=dockgate::12 errors (2 not shown); GitHub shows 10 annotations per level, worst first: the step log lists them all"
        );
        assert!(
            lines[..first_notice]
                .iter()
                .all(|l| !l.starts_with("::notice"))
        );
    }

    #[test]
    fn image_findings_name_the_image_and_input_errors_are_errors() {
        let dir = TempDir::new().unwrap();
        let reference = root_image(dir.path());
        let (code, out) = run(dir.path(), &["image", "--format", "github", &reference]);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.lines().any(|line| line.starts_with("::error title=DG2001::")
                && line.contains(&reference)),
            "{out}"
        );

        let dir = tree(&[("Dockerfile", "FROM debian:12\n")]);
        let (code, out) = run(
            dir.path(),
            &["check", "--format", "github", "missing/Dockerfile"],
        );
        assert_eq!(code, 2, "{out}");
        assert!(
            out.starts_with("::error file=missing/Dockerfile,title=input error::"),
            "{out}"
        );
    }

    #[test]
    fn a_clean_run_prints_nothing_and_passes() {
        let dir = tree(&[("Dockerfile", "FROM debian:12\nCMD [\"true\"]\n")]);
        let (code, out) = run(dir.path(), &["lint", "--format", "github"]);
        assert_eq!((code, out.as_str()), (0, ""));
    }
}

mod fingerprints {
    use super::*;
    use dockgate::gate::Settings;
    use dockgate::policy::{Choice, GithubFetcher};

    /// The fingerprints of the run over `dir`'s Dockerfile, by rule.
    fn of(dockerfile: &str) -> Vec<(String, String)> {
        let dir = tree(&[("svc/Dockerfile", dockerfile)]);
        let policy = dockgate::policy::load(
            &Choice::Explicit("builtin:recommended".into()),
            dir.path(),
            GithubFetcher::from_env(),
        )
        .unwrap();
        let settings = Settings {
            paths: vec![dir.path().join("svc")],
            ..Settings::default()
        };
        let run = dockgate::gate::run(&settings, policy);
        let mut prints: Vec<(String, String)> = dockgate::report::fingerprints(&run)
            .into_iter()
            .map(|f| (f.finding.rule.to_string(), f.fingerprint))
            .collect();
        prints.sort();
        prints
    }

    #[test]
    fn a_line_shift_keeps_them_and_a_changed_instruction_changes_them() {
        let before = of("FROM debian:12\nRUN apt-get install -y curl\n");
        assert!(
            before.iter().any(|(rule, _)| rule == "DL3008"),
            "{before:?}"
        );
        let shifted = of("# a comment\nFROM debian:12\n\nRUN apt-get install \\\n    -y curl\n");
        assert_eq!(before, shifted);
        let changed = of("FROM debian:12\nRUN apt-get install -y wget\n");
        let dl3008 = |prints: &[(String, String)]| {
            prints
                .iter()
                .find(|(rule, _)| rule == "DL3008")
                .unwrap()
                .1
                .clone()
        };
        assert_ne!(dl3008(&before), dl3008(&changed));
    }

    #[test]
    fn two_findings_of_one_rule_on_one_instruction_differ() {
        let prints = of("FROM debian:12\nRUN echo $1 $1\n");
        let sc2086: Vec<&String> = prints
            .iter()
            .filter(|(rule, _)| rule == "SC2086")
            .map(|(_, print)| print)
            .collect();
        assert_eq!(sc2086.len(), 2, "{prints:?}");
        assert_ne!(sc2086[0], sc2086[1]);
    }
}
