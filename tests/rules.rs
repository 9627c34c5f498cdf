//! The rule registry as a whole: every rule is documented and registered the same way,
//! `docs/rules.md` is up to date, and the fixtures' findings match their snapshots.
//! Each rule's own one-line cases live next to it in `src/rules/dockerfile/` and
//! `src/rules/image/`.

use std::fmt::Write as _;
use std::path::Path;

use dockgate::dockerfile::parse_bytes;
use dockgate::rules::{self, RuleSet, docs};

const DOC_SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
];

#[test]
fn rules_are_registered_in_code_order_with_unique_codes_and_names() {
    let all = rules::all();
    let codes: Vec<&str> = all.iter().map(|rule| rule.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        codes, sorted,
        "rules must be registered once, in code order"
    );

    let mut names: Vec<&str> = all.iter().map(|rule| rule.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "rule names must be unique");
}

#[test]
fn every_rule_lives_in_a_file_named_by_its_code() {
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    for rule in rules::all() {
        let name = format!("{}.rs", rule.code.to_ascii_lowercase());
        let found = ["dockerfile", "image", "policy"]
            .iter()
            .any(|folder| rules_dir.join(folder).join(&name).exists());
        assert!(
            found,
            "{} should be in src/rules/{{dockerfile,image,policy}}/{name}",
            rule.code
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in rules::all() {
        let code = rule.code;
        assert!(
            rule.code.len() == 6 && rule.code.starts_with("DL") || rule.code.starts_with("DG"),
            "{code}: codes are DLxxxx (hadolint's) or DGxxxx (dockgate's)"
        );
        let is_kebab = rule.name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        assert!(is_kebab, "{code}: name `{}` must be kebab-case", rule.name);
        let doc = rule.doc();
        let mut at = 0;
        for section in DOC_SECTIONS {
            let found = doc[at..].find(section);
            assert!(
                found.is_some(),
                "{code}: doc needs `{section}` (in this order)"
            );
            at += found.unwrap_or(0);
        }
        assert_eq!(
            rule.fixable,
            doc.contains("## Fix\n"),
            "{code}: a fixable rule documents its fix in a `## Fix` section, others have none"
        );
        assert_eq!(
            rule.fixable,
            !rule.fixes.is_empty(),
            "{code}: a fixable rule declares its fixes (`fix: Safe(\"title\")` or `Unsafe(...)` after `fixable`), others none"
        );
        assert!(!rule.message.is_empty(), "{code}: needs a message");
    }
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let expected = docs::markdown(rules::all());
    if std::env::var_os("DOCKGATE_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date with the rules' doc comments; regenerate it with\n\n    {}\n",
        docs::REGENERATE
    );
}

#[test]
fn rule_pages_come_from_the_doc_comments() {
    let rule = rules::find("dl3006").expect("DL3006 is registered");
    let page = docs::rule_page(rule);
    assert!(
        page.starts_with("# DL3006: untagged-base-image\n"),
        "{page}"
    );
    assert!(
        page.contains("## What it does\nChecks that every `FROM`"),
        "{page}"
    );
    assert_eq!(
        rules::find("untagged-base-image").map(|r| r.code),
        Some("DL3006")
    );
    assert!(rules::find("DL9999").is_none());
}

#[test]
fn rule_pages_name_the_fix_and_where_the_rule_comes_from() {
    let page = |code: &str| docs::rule_page(rules::find(code).expect("registered"));
    let add = page("DL3020");
    assert!(
        add.contains("\nFix (safe): Replace `ADD` with `COPY`\n"),
        "{add}"
    );
    assert!(add.contains("Fix: safe · From: hadolint"), "{add}");
    let recommends = page("DL3015");
    assert!(
        recommends.contains("\nFix (unsafe): Add `--no-install-recommends`\n"),
        "{recommends}"
    );
    let json = page("DL3025");
    assert!(
        json.contains("Fix: safe, unsafe · From: hadolint; BuildKit `JSONArgsRecommended`"),
        "{json}"
    );
    let own = page("DG1001");
    assert!(own.contains("Fix: none · From: dockgate"), "{own}");
}

/// The findings of every rule on a fixture, one per line, with fixes applied-as-text.
fn findings_of(fixture: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(fixture);
    let bytes = std::fs::read(&path).unwrap();
    let dockerfile = parse_bytes(&bytes);
    let findings = rules::lint(fixture, &dockerfile, &RuleSet::all());
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}:{}-{}:{} {} [{}] {}",
            f.line(),
            f.column(),
            f.end_line(),
            f.end_column(),
            f.rule,
            f.severity,
            f.message
        );
        if let Some(fix) = &f.fix {
            for edit in &fix.edits {
                let _ = writeln!(
                    out,
                    "    fix {:?}: {:?} -> {:?}",
                    fix.title,
                    &dockerfile.source[edit.range.start..edit.range.end],
                    edit.content
                );
            }
        }
    }
    out
}

macro_rules! snapshot {
    ($name:ident, $fixture:literal) => {
        #[test]
        fn $name() {
            insta::with_settings!({
                snapshot_path => "fixtures/snapshots",
                prepend_module_to_snapshot => false,
                description => $fixture,
            }, {
                insta::assert_snapshot!(stringify!($name), findings_of($fixture));
            });
        }
    };
}

snapshot!(every_rule, "every-rule.Dockerfile");
snapshot!(clean, "clean.Dockerfile");
snapshot!(windows, "windows.Dockerfile");

/// Images that every image rule catches between them (a root image, and a non-root one
/// for the rules about the runtime user's files), with a policy that enables them all.
fn every_image_rule_findings() -> String {
    every_image_rule_findings_as("app:staff", "every-rule-root")
        + &every_image_rule_findings_as("10001", "every-rule-non-root")
}

fn every_image_rule_findings_as(user: &str, name: &str) -> String {
    use dockgate::image::baseline::Baseline;
    use dockgate::image::testing::{Compression, Image, Layer, Scratch, passwd};
    use dockgate::image::{AnalyzeOptions, ImageReference, Inspection, analyze, open};

    let key = b"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n";
    let base_layer = || {
        Layer::new()
            .dir("etc")
            .file("etc/passwd", &passwd(&[("app", 0)]))
            .file_with("bin/busybox", b"busybox", 0o4755, 0, 0)
            .symlink("bin/sh", "busybox")
    };
    // The baseline (for DG2015): the base layer alone.
    let baseline = Image::new().user(user).layer(
        base_layer(),
        Compression::Gzip,
        "/bin/sh -c #(nop) ADD file:0a1b in / ",
    );
    let image = Image::new()
        .user(user)
        .env("DB_PASSWORD=hunter2")
        .expose("8080/tcp")
        .expose("5005/tcp")
        .layer(
            base_layer(),
            Compression::Gzip,
            "/bin/sh -c #(nop) ADD file:0a1b in / ",
        )
        .empty_step("/bin/sh -c #(nop)  CMD [\"sh\"]")
        .layer(
            Layer::new()
                .file("var/cache/apk/APKINDEX.tar.gz", &[1; 3000])
                .file("root/.ssh/id_ed25519", key)
                .file_with("app/main.sh", b"echo hi", 0o666, 0, 0),
            Compression::Zstd,
            "RUN /bin/sh -c apk add curl # buildkit",
        )
        .layer(
            Layer::new().whiteout("root/.ssh/id_ed25519"),
            Compression::Gzip,
            "RUN /bin/sh -c rm /root/.ssh/id_ed25519 # buildkit",
        );
    let options = AnalyzeOptions {
        read_layers: true,
        ..AnalyzeOptions::default()
    };
    let facts_of = |image: &Image, name: &str| {
        let scratch = Scratch::new();
        image.write_oci_dir(scratch.path());
        let reference =
            ImageReference::parse(&format!("oci:{}", scratch.path().display())).unwrap();
        let source = open(&reference).unwrap();
        analyze(name, source.as_ref(), &options).unwrap()
    };
    let mut inspection = Inspection::new(facts_of(&image, name));
    inspection.baseline = Some(Baseline::new(facts_of(&baseline, "baseline")));
    let mut rules = RuleSet::all();
    for (key, value) in [
        ("image.max_size", serde_json::json!(1000)),
        ("image.max_compressed_size", serde_json::json!(100)),
        ("image.max_layer_size", serde_json::json!(4000)),
        ("image.max_layers", serde_json::json!(2)),
        ("image.max_wasted", serde_json::json!(10)),
        ("image.max_growth", serde_json::json!(1000)),
        ("image.allowed_ports", serde_json::json!(["8080"])),
        ("image.allowed_users", serde_json::json!(["10001"])),
    ] {
        rules.set_policy_value(key, value);
    }
    let mut out = String::new();
    for f in rules::check_image(&inspection, &rules) {
        let _ = writeln!(
            out,
            "{} [{}] {}: {}",
            f.rule,
            f.severity,
            f.path(),
            f.message
        );
    }
    out
}

#[test]
fn every_image_rule() {
    let findings = every_image_rule_findings();
    let image_rules = rules::all()
        .iter()
        .filter(|rule| matches!(rule.check, rules::Check::Image { .. }));
    for rule in image_rules {
        assert!(
            findings.contains(&format!("{} [", rule.code)),
            "{} does not fire on the every-rule image:\n{findings}",
            rule.code
        );
    }
    insta::with_settings!({
        snapshot_path => "fixtures/snapshots",
        prepend_module_to_snapshot => false,
        description => "every image rule",
    }, {
        insta::assert_snapshot!("every_image_rule", findings);
    });
}
