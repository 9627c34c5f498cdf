use super::*;

/// Reference cases as Docker normalises them (see the header of the file).
const CASES: &str = include_str!("../../tests/fixtures/image-references/cases.tsv");

fn check(expected: &str, parsed: Result<Reference, ReferenceError>) -> Result<(), String> {
    let parsed = match (expected.strip_prefix("error: "), parsed) {
        (Some("any"), Err(_)) => return Ok(()),
        (Some(message), Err(error)) if error.to_string() == message => return Ok(()),
        (Some(message), Err(error)) => return Err(format!("error `{error}`, not `{message}`")),
        (Some(message), Ok(parsed)) => {
            return Err(format!("parsed to {parsed:?}, not `{message}`"));
        }
        (None, Err(error)) => return Err(format!("error `{error}`")),
        (None, Ok(parsed)) => parsed,
    };
    if expected == "ok" {
        return Ok(());
    }
    for part in expected.split(' ') {
        let (key, want) = part.split_once('=').ok_or(format!("bad part `{part}`"))?;
        let got = match key {
            "domain" => parsed.registry.clone(),
            "path" => parsed.repository.clone(),
            "tag" => parsed.tag.clone().unwrap_or_default(),
            "digest" => parsed.digest.clone().unwrap_or_default(),
            "string" => parsed.to_string(),
            "familiar_name" => parsed.familiar_name(),
            "familiar_string" => parsed.familiar_string(),
            other => return Err(format!("unknown part `{other}`")),
        };
        if got != want {
            return Err(format!("{key} is `{got}`, not `{want}`"));
        }
    }
    Ok(())
}

#[test]
fn every_case_parses_as_docker_does() {
    let mut passed = 0;
    let mut failures = Vec::new();
    for (number, line) in CASES.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [function, input, expected] = fields[..] else {
            panic!("line {}: not three fields", number + 1);
        };
        let parsed = match function {
            "Parse" => Reference::parse_as_written(input),
            "ParseNormalizedNamed" => Reference::parse(input),
            "ParseNamed" => Reference::parse_canonical(input),
            "ParseDockerRef" => Reference::parse_docker_ref(input),
            other => panic!("line {}: unknown function {other}", number + 1),
        };
        match check(expected, parsed) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("line {} {function}({input:?}): {why}", number + 1)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed >= 50, "only {passed} cases read");
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let _ = Reference::parse(&text);
        let _ = Reference::parse_as_written(&text);
    }

    #[test]
    fn what_parses_prints_back_to_itself(text in "[a-zA-Z0-9./:@_\\[\\]-]{0,60}") {
        if let Ok(reference) = Reference::parse(&text) {
            proptest::prop_assert_eq!(Reference::parse(&reference.to_string()), Ok(reference.clone()));
            proptest::prop_assert_eq!(Reference::parse(&reference.familiar_string()), Ok(reference));
        }
    }
}

#[test]
fn a_domain_that_is_no_host_is_refused_not_dropped() {
    // Docker's parser would return the path `a_b.com/x` with no domain.
    assert_eq!(
        Reference::parse("a_b.com/x"),
        Err(ReferenceError::InvalidFormat)
    );
    assert_eq!(
        Reference::parse_as_written("a_b.com/x").map(|r| r.registry),
        Ok(String::new())
    );
}
