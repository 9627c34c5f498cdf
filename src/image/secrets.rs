//! Secrets in files: by well-known file names and by content (private keys, tokens with
//! known prefixes), and secret-looking environment variables. The one table of secret
//! formats: the image gate scans layers with it, the Dockerfile rules (DG1020, DG1021)
//! read instructions and copied file names with it.

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
    Jwt,
    PypiCredentials,
    Credentials,
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
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::PypiCredentials => "PyPI credentials",
            SecretKind::Credentials => "a credentials file",
        }
    }
}

/// How a file name is matched (its last path segment).
enum Name {
    Exact(&'static str),
    Prefix(&'static str),
    Suffix(&'static str),
}

/// A file that holds a secret by its name.
struct SecretFile {
    name: Name,
    kind: SecretKind,
    /// The directory the file must be in (`.aws` for `credentials`).
    parent: Option<&'static str>,
    /// In an image, where the file can be read, it counts only when its start contains
    /// one of these (an `.npmrc` without a token is configuration). A Dockerfile's
    /// `COPY` cannot read it: the name alone is the risk there.
    confirmed_by: &'static [&'static str],
    /// Only a `COPY` of it is reported: in an image the name is too common to mean a
    /// secret (`/etc/ssl/certs/*.pem`, a library's `credentials.py`); the content scan
    /// finds the keys among them.
    copy_only: bool,
}

const fn file(name: Name, kind: SecretKind) -> SecretFile {
    SecretFile {
        name,
        kind,
        parent: None,
        confirmed_by: &[],
        copy_only: false,
    }
}

const SECRET_FILES: &[SecretFile] = &[
    file(Name::Exact("id_rsa"), SecretKind::PrivateKey),
    file(Name::Exact("id_dsa"), SecretKind::PrivateKey),
    file(Name::Exact("id_ecdsa"), SecretKind::PrivateKey),
    file(Name::Exact("id_ed25519"), SecretKind::PrivateKey),
    file(Name::Exact("id_ecdsa_sk"), SecretKind::PrivateKey),
    file(Name::Exact("id_ed25519_sk"), SecretKind::PrivateKey),
    file(Name::Exact(".env"), SecretKind::DotEnv),
    file(Name::Prefix(".env."), SecretKind::DotEnv),
    SecretFile {
        parent: Some(".aws"),
        ..file(Name::Exact("credentials"), SecretKind::AwsCredentials)
    },
    SecretFile {
        copy_only: true,
        ..file(Name::Prefix("credentials"), SecretKind::Credentials)
    },
    SecretFile {
        parent: Some(".docker"),
        confirmed_by: &["\"auth\""],
        ..file(Name::Exact("config.json"), SecretKind::DockerAuth)
    },
    SecretFile {
        confirmed_by: &["_authToken", "_auth="],
        ..file(Name::Exact(".npmrc"), SecretKind::NpmToken)
    },
    SecretFile {
        confirmed_by: &["password"],
        ..file(Name::Exact(".pypirc"), SecretKind::PypiCredentials)
    },
    file(Name::Exact(".git-credentials"), SecretKind::GitCredentials),
    SecretFile {
        copy_only: true,
        ..file(Name::Suffix(".pem"), SecretKind::PrivateKey)
    },
    SecretFile {
        copy_only: true,
        ..file(Name::Suffix(".key"), SecretKind::PrivateKey)
    },
];

/// Templates that ship on purpose: `.env.example`, `credentials.sample.json`.
fn is_template(name: &str) -> bool {
    ["example", "sample", "template", "dist", "defaults"]
        .iter()
        .any(|word| name.split(['.', '-', '_']).any(|part| part == *word))
}

/// The entry of the table `path` matches, if any.
fn secret_file(path: &str, for_copy: bool) -> Option<&'static SecretFile> {
    let path = path.trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.rsplit('/').nth(1).unwrap_or("");
    if is_template(name) {
        return None;
    }
    SECRET_FILES.iter().find(|entry| {
        let named = match entry.name {
            Name::Exact(exact) => name == exact,
            Name::Prefix(prefix) => name.starts_with(prefix),
            Name::Suffix(suffix) => name.len() > suffix.len() && name.ends_with(suffix),
        };
        named && entry.parent.is_none_or(|p| p == parent) && (for_copy || !entry.copy_only)
    })
}

/// Whether a file with this path may hold a secret by its name alone, before reading it.
/// `content` is the file's start when it was read (small files), to confirm names like
/// `.npmrc` that are only secret when they carry a token.
pub fn by_name(path: &str, content: Option<&[u8]>) -> Option<SecretKind> {
    let entry = secret_file(path, false)?;
    let confirmed = entry.confirmed_by.is_empty()
        || entry
            .confirmed_by
            .iter()
            .any(|needle| content.is_some_and(|c| memfind(c, needle.as_bytes())));
    confirmed.then_some(entry.kind)
}

/// Whether a file a Dockerfile copies into the image is a secret by its name (`.env`,
/// `id_rsa`, `*.pem`, `*.key`, `credentials*`, `.npmrc`, `.pypirc`): the content is not
/// at hand, so names that need it in an image count here.
pub fn copied_file(path: &str) -> Option<SecretKind> {
    secret_file(path, true).map(|entry| entry.kind)
}

struct Pattern {
    prefix: &'static str,
    kind: SecretKind,
    tail: Tail,
}

/// What follows a token's prefix in a real token.
enum Tail {
    /// At least `min` characters that `allowed` accepts.
    Chars { min: usize, allowed: fn(u8) -> bool },
    /// `RSA PRIVATE KEY-----` and the like, up to the key's END line.
    PrivateKey,
    /// The rest of `header.payload.signature`, each part base64url.
    Jwt,
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

const fn chars(
    prefix: &'static str,
    kind: SecretKind,
    min: usize,
    allowed: fn(u8) -> bool,
) -> Pattern {
    Pattern {
        prefix,
        kind,
        tail: Tail::Chars { min, allowed },
    }
}

const PATTERNS: &[Pattern] = &[
    chars("ghp_", SecretKind::GithubToken, 36, token_char),
    chars("gho_", SecretKind::GithubToken, 36, token_char),
    chars("ghs_", SecretKind::GithubToken, 36, token_char),
    chars("github_pat_", SecretKind::GithubToken, 59, token_char),
    chars("AKIA", SecretKind::AwsAccessKey, 16, upper_alnum),
    chars("xoxb-", SecretKind::SlackToken, 20, dashed_token_char),
    chars("xoxp-", SecretKind::SlackToken, 20, dashed_token_char),
    chars("glpat-", SecretKind::GitlabToken, 20, dashed_token_char),
    // `{"` base64url-encoded: every JWT header starts so.
    Pattern {
        prefix: "eyJ",
        kind: SecretKind::Jwt,
        tail: Tail::Jwt,
    },
    Pattern {
        prefix: "-----BEGIN ",
        kind: SecretKind::PrivateKey,
        tail: Tail::PrivateKey,
    },
];

/// No secret value is shorter: `AKIA` and 16 characters (a private key's header alone
/// is 22, a JWT at least 44). Most words a Dockerfile is searched in are.
const SHORTEST_SECRET: usize = 20;

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(PATTERNS.iter().map(|p| p.prefix)).expect("the patterns are valid")
});

/// One secret value in a text: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretMatch {
    pub kind: SecretKind,
    pub start: usize,
    pub end: usize,
    /// The length of the format's public prefix (`ghp_`, `AKIA`, `-----BEGIN `): what a
    /// message may show of it.
    pub prefix: usize,
}

impl SecretMatch {
    /// The value as a message may show it: the format's prefix, the rest masked.
    pub fn redacted(&self, text: &str) -> String {
        redact(text.get(self.start..self.end).unwrap_or(""), self.prefix)
    }
}

/// `value` with all but its first `prefix` characters (at most 11, never more than a
/// third of it) masked: enough to recognise the format, nothing to reuse.
pub fn redact(value: &str, prefix: usize) -> String {
    let shown = prefix.min(11).min(value.chars().count() / 3);
    let kept: String = value.chars().take(shown).collect();
    format!("{kept}***")
}

/// Every secret value in `content`: PEM private keys, JWTs and tokens with known
/// prefixes, in order.
pub fn find(content: &[u8]) -> Vec<SecretMatch> {
    // An overlapping search cannot use the automaton's prefilter; most texts hold no
    // prefix at all, and saying so first is many times faster.
    if content.len() < SHORTEST_SECRET || !MATCHER.is_match(content) {
        return Vec::new();
    }
    let mut found: Vec<SecretMatch> = Vec::new();
    for hit in MATCHER.find_overlapping_iter(content) {
        let pattern = &PATTERNS[hit.pattern().as_usize()];
        let start = hit.start();
        if found.last().is_some_and(|last| start < last.end) {
            continue;
        }
        let rest = &content[hit.end()..];
        let tail = match pattern.tail {
            Tail::PrivateKey => private_key_length(rest),
            Tail::Jwt => jwt_length(rest),
            Tail::Chars { min, allowed } => {
                let tail = rest.iter().take_while(|&&b| allowed(b)).count();
                // Documentation's placeholders (AWS's `AKIAIOSFODNN7EXAMPLE`) ship in SDKs.
                (tail >= min && !rest[..tail].ends_with(b"EXAMPLE")).then_some(tail)
            }
        };
        // A token starts a word: `xghp_...` is part of something else.
        let starts_word = start == 0 || !token_char(content[start - 1]);
        let Some(tail) = tail else { continue };
        if starts_word || matches!(pattern.tail, Tail::PrivateKey) {
            found.push(SecretMatch {
                kind: pattern.kind,
                start,
                end: hit.end() + tail,
                prefix: pattern.prefix.len(),
            });
        }
    }
    found
}

/// `text` with every secret value in it redacted to its prefix (`ghp_***`): for
/// messages, which must never carry one.
pub fn redact_all(text: &str) -> std::borrow::Cow<'_, str> {
    let found = find(text.as_bytes());
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for secret in found {
        let (Some(before), true) = (
            text.get(at..secret.start),
            text.is_char_boundary(secret.end),
        ) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&secret.redacted(text));
        at = secret.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
}

/// `text` with the characters of every secret value past its prefix replaced by `*`:
/// for source snippets. Only ASCII characters other than blanks are replaced, so every
/// byte offset, line and column stays where it was and underlines stay in place.
pub fn mask(text: &str) -> std::borrow::Cow<'_, str> {
    let found = find(text.as_bytes());
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for secret in found {
        let shown = secret.start + secret.prefix.min((secret.end - secret.start) / 3);
        for byte in &mut bytes[shown..secret.end] {
            if byte.is_ascii() && !byte.is_ascii_whitespace() {
                *byte = b'*';
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
}

/// Secrets in a file's content: PEM private keys, JWTs and tokens with known prefixes.
pub fn by_content(content: &[u8]) -> Vec<SecretKind> {
    let mut kinds = Vec::new();
    for found in find(content) {
        if !kinds.contains(&found.kind) {
            kinds.push(found.kind);
        }
    }
    kinds
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// After `eyJ`: the rest of the header, `.eyJ` and a payload, `.` and a signature, each
/// part long enough to be one (`eyJ.eyJ.x` in a doc is not).
fn jwt_length(rest: &[u8]) -> Option<usize> {
    let header = rest.iter().take_while(|&&b| base64url(b)).count();
    let after = rest.get(header..)?;
    let payload = after.strip_prefix(b".eyJ")?;
    let payload_len = payload.iter().take_while(|&&b| base64url(b)).count();
    let signature = payload.get(payload_len..)?.strip_prefix(b".")?;
    let signature_len = signature.iter().take_while(|&&b| base64url(b)).count();
    (header >= 10 && payload_len >= 10 && signature_len >= 16)
        .then_some(header + 4 + payload_len + 1 + signature_len)
}

/// After `-----BEGIN `: the length up to the end of the key's `-----END ...-----`
/// line (or of the text), when the header names a private key.
fn private_key_length(rest: &[u8]) -> Option<usize> {
    if !is_private_key_header(rest) {
        return None;
    }
    let end = find_bytes(rest, b"-----END ")
        .and_then(|at| {
            let close = find_bytes(&rest[at + 9..], b"-----")?;
            Some(at + 9 + close + 5)
        })
        .unwrap_or(rest.len());
    Some(end)
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// After `-----BEGIN `: `RSA PRIVATE KEY-----`, `OPENSSH PRIVATE KEY-----`, `PRIVATE
/// KEY-----`, `ENCRYPTED PRIVATE KEY-----`, ...
fn is_private_key_header(rest: &[u8]) -> bool {
    let line = &rest[..rest.len().min(64)];
    let line = line.split(|&b| b == b'\n').next().unwrap_or(line);
    memfind(line, b"PRIVATE KEY-----")
}

fn memfind(haystack: &[u8], needle: &[u8]) -> bool {
    find_bytes(haystack, needle).is_some()
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
        // The shortest secret there is passes the length gate.
        assert_eq!(b"AKIAQWERTYUIOPASDFGH".len(), SHORTEST_SECRET);
        assert_eq!(
            by_content(b"AKIAQWERTYUIOPASDFGH"),
            vec![SecretKind::AwsAccessKey]
        );
        for pattern in PATTERNS {
            if let Tail::Chars { min, .. } = pattern.tail {
                assert!(
                    pattern.prefix.len() + min >= SHORTEST_SECRET,
                    "{}",
                    pattern.prefix
                );
            }
        }
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
    fn jwts() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(by_content(jwt.as_bytes()), vec![SecretKind::Jwt]);
        assert!(by_content(b"eyJhbGciOiJIUzI1NiJ9.eyJ.x").is_empty());
        assert!(by_content(b"base64 of {\"a\": eyJhbGciOiJIUzI1NiJ9").is_empty());
    }

    #[test]
    fn ranges_and_redaction() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        let text = format!("X={token} ");
        let found = find(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..found[0].end], token);
        assert_eq!(found[0].redacted(&text), "ghp_***");
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
        let text = format!("{key}\nnext");
        let found = find(text.as_bytes());
        assert_eq!(&text[found[0].start..found[0].end], key);
        assert_eq!(redact("secret", 11), "se***");
        let line = format!("ENV T={token} X=1");
        assert_eq!(redact_all(&line), "ENV T=ghp_*** X=1");
        let masked = mask(&line);
        assert_eq!(masked.chars().count(), line.chars().count());
        assert!(
            masked.starts_with("ENV T=ghp_****") && masked.ends_with(" X=1"),
            "{masked}"
        );
        assert_eq!(mask("nothing here"), "nothing here");
    }

    #[test]
    fn copied_files() {
        for name in [
            ".env",
            "app/.env.production",
            "id_rsa",
            "certs/server.pem",
            "tls.key",
            "credentials.json",
            ".npmrc",
            ".pypirc",
            ".aws/credentials",
        ] {
            assert!(copied_file(name).is_some(), "{name}");
        }
        for name in [
            ".env.example",
            "id_rsa.pub",
            "config.json",
            "app.py",
            "keys/",
            "credentials.sample.json",
        ] {
            assert_eq!(copied_file(name), None, "{name}");
        }
        // In an image these names need their content (or are left to the content scan).
        assert_eq!(by_name("etc/ssl/certs/ca.pem", None), None);
        assert_eq!(
            by_name("app/.pypirc", Some(b"[pypi]\npassword = x")),
            Some(SecretKind::PypiCredentials)
        );
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
