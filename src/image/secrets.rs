//! Secrets in files: by well-known file names and by content (private keys, tokens with
//! known prefixes), and secret-looking environment variables.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// What kind of secret was found; the text names it in findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretKind {
    PrivateKey,
    DotEnv,
    AwsCredentials,
    DockerAuth,
    NpmToken,
    GitCredentials,
    GithubToken,
    AwsAccessKey,
    SlackToken,
    GitlabToken,
}

impl SecretKind {
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "a private key",
            SecretKind::DotEnv => "a .env file",
            SecretKind::AwsCredentials => "AWS credentials",
            SecretKind::DockerAuth => "Docker registry credentials",
            SecretKind::NpmToken => "an npm auth token",
            SecretKind::GitCredentials => "git credentials",
            SecretKind::GithubToken => "a GitHub token",
            SecretKind::AwsAccessKey => "an AWS access key ID",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::GitlabToken => "a GitLab token",
        }
    }
}

/// Whether a file with this path may hold a secret by its name alone, before reading it.
/// `content` is the file's start when it was read (small files), to confirm names like
/// `.npmrc` that are only secret when they carry a token.
pub fn by_name(path: &str, content: Option<&[u8]>) -> Option<SecretKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.rsplit('/').nth(1).unwrap_or("");
    let contains = |needle: &str| content.is_some_and(|c| memfind(c, needle.as_bytes()));
    match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            Some(SecretKind::PrivateKey)
        }
        ".env" => Some(SecretKind::DotEnv),
        _ if name.starts_with(".env.")
            && !matches!(
                &name[5..],
                "example" | "sample" | "template" | "dist" | "defaults"
            ) =>
        {
            Some(SecretKind::DotEnv)
        }
        "credentials" if parent == ".aws" => Some(SecretKind::AwsCredentials),
        "config.json" if parent == ".docker" && contains("\"auth\"") => {
            Some(SecretKind::DockerAuth)
        }
        ".npmrc" if contains("_authToken") || contains("_auth=") => Some(SecretKind::NpmToken),
        ".git-credentials" => Some(SecretKind::GitCredentials),
        _ => None,
    }
}

struct Pattern {
    prefix: &'static str,
    kind: SecretKind,
    /// Characters after the prefix that a real token has at least this many of.
    min_tail: usize,
    tail: fn(u8) -> bool,
}

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn dashed_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

const PATTERNS: &[Pattern] = &[
    Pattern {
        prefix: "ghp_",
        kind: SecretKind::GithubToken,
        min_tail: 36,
        tail: token_char,
    },
    Pattern {
        prefix: "gho_",
        kind: SecretKind::GithubToken,
        min_tail: 36,
        tail: token_char,
    },
    Pattern {
        prefix: "ghs_",
        kind: SecretKind::GithubToken,
        min_tail: 36,
        tail: token_char,
    },
    Pattern {
        prefix: "github_pat_",
        kind: SecretKind::GithubToken,
        min_tail: 59,
        tail: token_char,
    },
    Pattern {
        prefix: "AKIA",
        kind: SecretKind::AwsAccessKey,
        min_tail: 16,
        tail: upper_alnum,
    },
    Pattern {
        prefix: "xoxb-",
        kind: SecretKind::SlackToken,
        min_tail: 20,
        tail: dashed_token_char,
    },
    Pattern {
        prefix: "xoxp-",
        kind: SecretKind::SlackToken,
        min_tail: 20,
        tail: dashed_token_char,
    },
    Pattern {
        prefix: "glpat-",
        kind: SecretKind::GitlabToken,
        min_tail: 20,
        tail: dashed_token_char,
    },
    Pattern {
        prefix: "-----BEGIN ",
        kind: SecretKind::PrivateKey,
        min_tail: 0,
        tail: |_| true,
    },
];

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(PATTERNS.iter().map(|p| p.prefix)).expect("the patterns are valid")
});

/// Secrets in a file's content: PEM private keys and tokens with known prefixes.
pub fn by_content(content: &[u8]) -> Vec<SecretKind> {
    let mut found = Vec::new();
    for hit in MATCHER.find_overlapping_iter(content) {
        let pattern = &PATTERNS[hit.pattern().as_usize()];
        let start = hit.start();
        // A token starts a word: `xghp_...` is part of something else.
        if start > 0 && token_char(content[start - 1]) && pattern.min_tail > 0 {
            continue;
        }
        let rest = &content[hit.end()..];
        let matched = if pattern.kind == SecretKind::PrivateKey {
            is_private_key_header(rest)
        } else {
            let tail = rest.iter().take_while(|&&b| (pattern.tail)(b)).count();
            // Documentation's placeholders (AWS's `AKIAIOSFODNN7EXAMPLE`) ship in SDKs.
            tail >= pattern.min_tail && !rest[..tail].ends_with(b"EXAMPLE")
        };
        if matched && !found.contains(&pattern.kind) {
            found.push(pattern.kind);
        }
    }
    found
}

/// After `-----BEGIN `: `RSA PRIVATE KEY-----`, `OPENSSH PRIVATE KEY-----`, `PRIVATE
/// KEY-----`, `ENCRYPTED PRIVATE KEY-----`, ...
fn is_private_key_header(rest: &[u8]) -> bool {
    let line = &rest[..rest.len().min(64)];
    let line = line.split(|&b| b == b'\n').next().unwrap_or(line);
    memfind(line, b"PRIVATE KEY-----")
}

fn memfind(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Whether an environment variable of the config looks like it carries a secret: a name
/// that says so with a literal value (not a path to a mounted file), or a value that is a
/// known token.
pub fn env_is_secret(name: &str, value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    if !by_content(value.as_bytes()).is_empty() {
        return true;
    }
    let upper = name.to_ascii_uppercase();
    if ["_FILE", "_PATH", "_DIR", "_URL", "_ENDPOINT"]
        .iter()
        .any(|suffix| upper.ends_with(suffix))
    {
        return false;
    }
    // Names that say "secret" but are public by convention (signing-key fingerprints).
    if upper.starts_with("GPG_") || upper.ends_with("_FINGERPRINT") {
        return false;
    }
    const WORDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
        "AUTH_KEY",
    ];
    let looks_like_path = value.starts_with('/') || value.starts_with("file:");
    WORDS.iter().any(|word| upper.contains(word)) && !looks_like_path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            by_name("root/.ssh/id_rsa", None),
            Some(SecretKind::PrivateKey)
        );
        assert_eq!(by_name("root/.ssh/id_rsa.pub", None), None);
        assert_eq!(by_name("app/.env", None), Some(SecretKind::DotEnv));
        assert_eq!(
            by_name("app/.env.production", None),
            Some(SecretKind::DotEnv)
        );
        assert_eq!(by_name("app/.env.example", None), None);
        assert_eq!(
            by_name("root/.aws/credentials", None),
            Some(SecretKind::AwsCredentials)
        );
        assert_eq!(by_name("etc/credentials", None), None);
        let auths = br#"{"auths":{"r.example":{"auth":"dXNlcjpwYXNz"}}}"#;
        assert_eq!(
            by_name("root/.docker/config.json", Some(auths)),
            Some(SecretKind::DockerAuth)
        );
        assert_eq!(by_name("root/.docker/config.json", Some(b"{}")), None);
        assert_eq!(
            by_name("app/.npmrc", Some(b"//registry.npmjs.org/:_authToken=abc")),
            Some(SecretKind::NpmToken)
        );
        assert_eq!(
            by_name("app/.npmrc", Some(b"registry=https://r.example")),
            None
        );
        assert_eq!(
            by_name("root/.git-credentials", None),
            Some(SecretKind::GitCredentials)
        );
    }

    #[test]
    fn contents() {
        let token = format!("TOKEN=ghp_{}\n", "a1B2".repeat(9));
        assert_eq!(by_content(token.as_bytes()), vec![SecretKind::GithubToken]);
        assert!(by_content(b"ghp_short").is_empty());
        assert_eq!(
            by_content(b"key AKIAQWERTYUIOPASDFGH."),
            vec![SecretKind::AwsAccessKey]
        );
        assert!(by_content(b"XAKIAQWERTYUIOPASDFGH").is_empty());
        assert!(by_content(b"aws_access_key_id = AKIAIOSFODNN7EXAMPLE").is_empty());
        assert_eq!(
            by_content(b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n"),
            vec![SecretKind::PrivateKey]
        );
        assert!(by_content(b"-----BEGIN CERTIFICATE-----\nMIIB\n").is_empty());
        let gitlab = format!("glpat-{}", "x".repeat(20));
        assert_eq!(by_content(gitlab.as_bytes()), vec![SecretKind::GitlabToken]);
        let slack = format!("xoxb-{}", "1234-".repeat(5));
        assert_eq!(by_content(slack.as_bytes()), vec![SecretKind::SlackToken]);
    }

    #[test]
    fn env() {
        assert!(env_is_secret("DB_PASSWORD", "hunter2"));
        assert!(env_is_secret("GITHUB_TOKEN", "x"));
        assert!(env_is_secret(
            "NOTHING_SPECIAL",
            &format!("ghp_{}", "a".repeat(36))
        ));
        assert!(!env_is_secret("DB_PASSWORD_FILE", "/run/secrets/db"));
        assert!(!env_is_secret("DB_PASSWORD", ""));
        assert!(!env_is_secret(
            "GPG_KEY",
            "A035C8C19219BA821ECEA86B64E628F8D684696D"
        ));
        assert!(!env_is_secret("PATH", "/usr/bin"));
    }
}
