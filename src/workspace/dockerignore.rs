//! `.dockerignore` files, read and matched as BuildKit does (moby's `patternmatcher`
//! and `ignorefile`), and the build context a Dockerfile is built from.
//!
//! BuildKit's semantics, which differ from `.gitignore`'s (so the `ignore` crate does
//! not fit): a pattern is anchored at the context root (`*.md` is only the root's
//! Markdown, `**/*.md` is all of it); it is cleaned like Go's `filepath.Clean` and a
//! leading `/` is dropped; `*` and `?` stay within one path segment, `**` spans any
//! number of them; a pattern that matches a directory matches everything under it;
//! `!pattern` re-includes; the last pattern that matches a path decides.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One line of a `.dockerignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// The pattern as BuildKit keeps it: cleaned, without a leading `/` or `!`.
    text: String,
    tokens: Vec<Token>,
    /// `!pattern`: matching paths are sent after all.
    exclusion: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`: one character other than `/`.
    Any,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**` (or `**/`) inside a pattern: any number of whole segments, none included.
    Segments,
    /// `**` at the end: everything.
    Rest,
    /// `[...]`: the ranges, and whether the class is negated.
    Class(Vec<(char, char)>, bool),
}

/// The longest pattern read; longer ones are skipped.
const MAX_PATTERN: usize = 1024;

/// The patterns of one ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerignore {
    /// The file the patterns come from.
    pub path: PathBuf,
    patterns: Vec<Pattern>,
}

impl Dockerignore {
    /// Reads the patterns of `text` as BuildKit's `ignorefile.ReadAll` does: one per
    /// line, blank lines and `#` comments skipped, surrounding blanks trimmed.
    pub fn parse(path: impl Into<PathBuf>, text: &str) -> Dockerignore {
        let patterns = text
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    return None;
                }
                let (exclusion, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let cleaned = clean(pattern);
                let cleaned = cleaned.trim_start_matches('/');
                // BuildKit rejects a lone `!`; an empty pattern matches nothing here, nor
                // does one longer than any real path (its match would recurse that deep).
                let usable = !cleaned.is_empty() && cleaned != "." && cleaned.len() <= MAX_PATTERN;
                usable.then(|| Pattern {
                    text: cleaned.to_string(),
                    tokens: compile(cleaned),
                    exclusion,
                })
            })
            .collect();
        Dockerignore {
            path: path.into(),
            patterns,
        }
    }

    /// Whether `path` (relative to the context root, `/`-separated) is left out of the
    /// context: the last pattern that matches it or one of its parent directories
    /// decides.
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let path = path.trim_start_matches('/');
        let mut excluded = false;
        for pattern in &self.patterns {
            // An inclusion cannot change an excluded path, nor an exclusion an included one.
            if pattern.exclusion != excluded {
                continue;
            }
            let matched = matches(&pattern.tokens, path)
                || parents(path).any(|parent| matches(&pattern.tokens, parent));
            if matched {
                excluded = !pattern.exclusion;
            }
        }
        excluded
    }

    /// Whether the file has no pattern at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether some pattern re-includes paths (`!pattern`): BuildKit's
    /// `PatternMatcher.Exclusions`.
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|pattern| pattern.exclusion)
    }

    /// Whether a pattern leaves out every entry of the context root (`*`, `**`,
    /// `**/*`), BuildKit's `copySourceRootIgnored`.
    pub fn excludes_every_root_entry(&self) -> bool {
        self.patterns.iter().any(|pattern| {
            !pattern.exclusion && matches!(pattern.text.as_str(), "*" | "**" | "**/*")
        })
    }

    /// BuildKit's `PatternMatcher.MatchesOrParentMatches`, used for COPY sources: like
    /// [`Dockerignore::excludes`] but on `file` as given (a leading `/` kept, so only
    /// a pattern that matches the empty parent, `*`, matches `/app`), its parents taken
    /// as Go's `filepath.Dir` splits them.
    pub fn matches_or_parent_matches(&self, file: &str) -> bool {
        let parent = match file.rfind('/') {
            Some(at) => clean(&file[..=at]),
            None => ".".to_string(),
        };
        let directories: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = matches(&pattern.tokens, file);
            if !hit && parent != "." {
                hit = (1..=directories.len())
                    .any(|count| matches(&pattern.tokens, &directories[..count].join("/")));
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        matched
    }
}

/// `a`, `a/b` for `a/b/c`: the parent directories of a relative path.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(at, _)| &path[..at])
}

/// Go's `filepath.Clean` on a `/` path: repeated and trailing separators, `.` and
/// resolvable `..` segments removed. BuildKit cleans patterns and `COPY` sources so.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if segments.last().is_some_and(|last| *last != "..") => {
                segments.pop();
            }
            ".." if rooted => {}
            _ => segments.push(segment),
        }
    }
    let joined = segments.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn compile(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                tokens.push(if i >= chars.len() {
                    Token::Rest
                } else {
                    Token::Segments
                });
                continue;
            }
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::Any),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                tokens.push(Token::Char(chars[i]));
            }
            '[' => {
                if let Some((class, next)) = class(&chars, i + 1) {
                    tokens.push(class);
                    i = next;
                    continue;
                }
                tokens.push(Token::Char('['));
            }
            c => tokens.push(Token::Char(c)),
        }
        i += 1;
    }
    tokens
}

/// `[abc]`, `[a-z]`, `[^x]` from just after the `[`; the token and the index after `]`.
fn class(chars: &[char], mut i: usize) -> Option<(Token, usize)> {
    let negated = matches!(chars.get(i), Some('^' | '!'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    while let Some(&c) = chars.get(i) {
        if c == ']' && !ranges.is_empty() {
            return Some((Token::Class(ranges, negated), i + 1));
        }
        let low = if c == '\\' {
            i += 1;
            *chars.get(i)?
        } else {
            c
        };
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&c| c != ']') {
            ranges.push((low, chars[i + 2]));
            i += 3;
        } else {
            ranges.push((low, low));
            i += 1;
        }
    }
    None
}

/// Whether `tokens` match the whole of `text`. Each (token, position) pair is decided
/// once and in constant time, so a hostile pattern (`*a*a*a*a*a*b`) costs time in
/// proportion to its length times the path's, never exponential backtracking.
fn matches(tokens: &[Token], text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let slots = (tokens.len() + 1) * (chars.len() + 1);
    Matcher {
        tokens,
        text: &chars,
        memo: vec![None; slots],
        segments: vec![None; slots],
    }
    .at(0, 0)
}

struct Matcher<'a> {
    tokens: &'a [Token],
    text: &'a [char],
    /// Whether `tokens[t..]` match `text[i..]`, by (t, i).
    memo: Vec<Option<bool>>,
    /// Whether some `/` at or after `i` ends a run that `tokens[t..]` then match.
    segments: Vec<Option<bool>>,
}

impl Matcher<'_> {
    fn slot(&self, token: usize, at: usize) -> usize {
        token * (self.text.len() + 1) + at
    }

    /// Whether `tokens[token..]` match `text[at..]`.
    fn at(&mut self, token: usize, at: usize) -> bool {
        let slot = self.slot(token, at);
        if let Some(known) = self.memo[slot] {
            return known;
        }
        let result = self.decide(token, at);
        self.memo[slot] = Some(result);
        result
    }

    fn decide(&mut self, token: usize, at: usize) -> bool {
        let Some(current) = self.tokens.get(token) else {
            return at == self.text.len();
        };
        let next = self.text.get(at).copied();
        match current {
            Token::Char(c) => next == Some(*c) && self.at(token + 1, at + 1),
            Token::Any => next.is_some_and(|c| c != '/') && self.at(token + 1, at + 1),
            Token::Class(ranges, negated) => {
                next.is_some_and(|c| {
                    c != '/' && ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                }) && self.at(token + 1, at + 1)
            }
            // `[^/]*`: stop here, or take one more character and stay on the star.
            Token::Star => {
                self.at(token + 1, at) || (next.is_some_and(|c| c != '/') && self.at(token, at + 1))
            }
            Token::Rest => true,
            // `(.*/)?`: nothing, or anything up to and including a `/`.
            Token::Segments => self.at(token + 1, at) || self.after_a_slash(token, at),
        }
    }

    /// Whether, for some `/` at index `j >= at`, `tokens[token + 1..]` match
    /// `text[j + 1..]`.
    fn after_a_slash(&mut self, token: usize, at: usize) -> bool {
        let mut at = at;
        let mut visited = Vec::new();
        let result = loop {
            if at >= self.text.len() {
                break false;
            }
            let slot = self.slot(token, at);
            if let Some(known) = self.segments[slot] {
                break known;
            }
            visited.push(slot);
            if self.text[at] == '/' && self.at(token + 1, at + 1) {
                break true;
            }
            at += 1;
        };
        for slot in visited {
            self.segments[slot] = Some(result);
        }
        result
    }
}

/// What a Dockerfile is built from, as far as the workspace tells: the candidate
/// context directories and the ignore file BuildKit would use for each.
///
/// The context is the Dockerfile's directory (`docker build .` next to it) unless a
/// policy says it is the repository root (`docker build -f svc/Dockerfile .`); both
/// are read so a rule can take either without the workspace knowing the rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildContext {
    /// The Dockerfile's directory.
    pub dockerfile_dir: PathBuf,
    /// The policy root (the repository).
    pub root: PathBuf,
    /// `<Dockerfile name>.dockerignore` next to the Dockerfile: it wins over the
    /// context's `.dockerignore`, whatever the context.
    pub own_ignore: Option<Arc<Dockerignore>>,
    /// `.dockerignore` in the Dockerfile's directory.
    pub dir_ignore: Option<Arc<Dockerignore>>,
    /// `.dockerignore` in the root.
    pub root_ignore: Option<Arc<Dockerignore>>,
}

impl BuildContext {
    /// The ignore file BuildKit uses when the context is the repository root (`true`)
    /// or the Dockerfile's directory.
    pub fn ignore_file(&self, context_at_root: bool) -> Option<&Dockerignore> {
        self.own_ignore.as_deref().or(if context_at_root {
            self.root_ignore.as_deref()
        } else {
            self.dir_ignore.as_deref()
        })
    }

    /// The context directory.
    pub fn directory(&self, context_at_root: bool) -> &Path {
        if context_at_root {
            &self.root
        } else {
            &self.dockerfile_dir
        }
    }
}

/// The ignore files of one run, each read once: a tree's Dockerfiles share the root's
/// and often their directory's.
#[derive(Debug, Default)]
pub struct IgnoreFiles {
    read: Mutex<HashMap<PathBuf, Option<Arc<Dockerignore>>>>,
    /// Whether a Dockerfile directory is the root itself.
    at_root: Mutex<HashMap<PathBuf, bool>>,
    /// The `*.dockerignore` names in each Dockerfile directory (`None`: it cannot be
    /// listed), so that a Dockerfile's own ignore file is looked for without an open
    /// that fails for nearly every one.
    own_names: Mutex<HashMap<PathBuf, Option<Arc<HashSet<OsString>>>>>,
}

impl IgnoreFiles {
    /// The build context of the Dockerfile at `dockerfile` in a workspace rooted at
    /// `root`. An ignore file that cannot be read as text counts as missing.
    pub fn context(&self, dockerfile: &Path, root: &Path) -> BuildContext {
        let dockerfile_dir = match dockerfile.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Its own name: no other Dockerfile shares it, so it is not kept.
        let own_ignore = dockerfile.file_name().and_then(|name| {
            let mut name = name.to_os_string();
            name.push(".dockerignore");
            let listed = self.ignore_names(&dockerfile_dir);
            if listed.is_some_and(|names| !names.contains(&name)) {
                return None;
            }
            read_ignore(&dockerfile_dir.join(name)).map(Arc::new)
        });
        let dir_ignore = self.shared(dockerfile_dir.join(".dockerignore"));
        let root_ignore = if self.is_root(&dockerfile_dir, root) {
            dir_ignore.clone()
        } else {
            self.shared(root.join(".dockerignore"))
        };
        BuildContext {
            dockerfile_dir,
            root: root.to_path_buf(),
            own_ignore,
            dir_ignore,
            root_ignore,
        }
    }

    fn shared(&self, path: PathBuf) -> Option<Arc<Dockerignore>> {
        if let Some(known) = lock(&self.read).get(&path) {
            return known.clone();
        }
        // Read outside the lock; two threads reading the same file both get its text.
        let ignore = read_ignore(&path).map(Arc::new);
        lock(&self.read).entry(path).or_insert(ignore).clone()
    }

    fn ignore_names(&self, dir: &Path) -> Option<Arc<HashSet<OsString>>> {
        if let Some(known) = lock(&self.own_names).get(dir) {
            return known.clone();
        }
        let names = std::fs::read_dir(dir).ok().map(|entries| {
            let names = entries
                .filter_map(|entry| Some(entry.ok()?.file_name()))
                .filter(|name| name.as_encoded_bytes().ends_with(b".dockerignore"));
            Arc::new(names.collect::<HashSet<OsString>>())
        });
        lock(&self.own_names)
            .entry(dir.to_path_buf())
            .or_insert(names)
            .clone()
    }

    fn is_root(&self, dir: &Path, root: &Path) -> bool {
        if let Some(&known) = lock(&self.at_root).get(dir) {
            return known;
        }
        let same = same_directory(dir, root);
        lock(&self.at_root).insert(dir.to_path_buf(), same);
        same
    }
}

/// A poisoned cache is still a correct cache: entries are whole when inserted.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read_ignore(path: &Path) -> Option<Dockerignore> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(Dockerignore::parse(path, &text))
}

fn same_directory(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> Dockerignore {
        Dockerignore::parse(".dockerignore", text)
    }

    /// The examples of Docker's `.dockerignore` documentation.
    #[test]
    fn documented_examples() {
        let file = ignore("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
        assert!(file.excludes("somedir/temporary.txt"));
        assert!(file.excludes("somedir/temp"));
        assert!(file.excludes("somedir/subdir/temporary.txt"));
        assert!(file.excludes("tempa"));
        assert!(file.excludes("tempb"));
        assert!(!file.excludes("temporary.txt"));
        assert!(!file.excludes("a/b/c/temp"));
        assert!(!file.excludes("# comment"));

        let go = ignore("**/*.go");
        assert!(go.excludes("main.go"));
        assert!(go.excludes("cmd/app/main.go"));
        assert!(!go.excludes("main.gox"));

        let markdown = ignore("*.md\n!README.md");
        assert!(markdown.excludes("CHANGES.md"));
        assert!(!markdown.excludes("README.md"));
        assert!(
            !markdown.excludes("docs/guide.md"),
            "`*.md` is anchored at the root"
        );

        let secret = ignore("*.md\n!README*.md\nREADME-secret.md");
        assert!(secret.excludes("CHANGES.md"));
        assert!(!secret.excludes("README.md"));
        assert!(secret.excludes("README-secret.md"));

        let last_wins = ignore("*.md\nREADME-secret.md\n!README*.md");
        assert!(!last_wins.excludes("README-secret.md"));
        assert!(last_wins.excludes("CHANGES.md"));
    }

    #[test]
    fn directories_cleaning_and_classes() {
        let file = ignore("/.git/\n./node_modules\nbuild/../dist\nlogs/**\n*.[ch]\n");
        assert!(file.excludes(".git"));
        assert!(
            file.excludes(".git/config"),
            "a directory's pattern covers its files"
        );
        assert!(file.excludes("node_modules/x/index.js"));
        assert!(file.excludes("dist/app.js"));
        assert!(!file.excludes("build/app.js"));
        assert!(file.excludes("logs/a/b.log"));
        assert!(file.excludes("x.c") && file.excludes("x.h") && !file.excludes("x.o"));
        assert!(!file.excludes("src/x.c"));

        let anywhere = ignore("**/.env*\n**/*.pem\n!**/.env.example\n");
        assert!(anywhere.excludes(".env"));
        assert!(anywhere.excludes("svc/.env.local"));
        assert!(!anywhere.excludes(".env.example"));
        assert!(anywhere.excludes("certs/server.pem"));

        let everything = ignore("*\n!src\n");
        assert!(everything.excludes("Dockerfile"));
        assert!(!everything.excludes("src/main.rs"));
        assert!(ignore("").is_empty());
    }

    #[test]
    fn hostile_patterns_take_no_time() {
        let pattern = "*a".repeat(30) + "b\n" + &"**/".repeat(30) + "c";
        let file = ignore(&pattern);
        let path = "a".repeat(200) + "/" + &"x/".repeat(50);
        let started = std::time::Instant::now();
        assert!(!file.excludes(&path));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn an_absurdly_long_pattern_is_skipped() {
        let file = ignore(&("*".repeat(100_000) + "\n.git\n"));
        assert!(file.excludes(".git"));
        assert!(!file.excludes("x"));
    }

    proptest::proptest! {
        #[test]
        fn any_file_any_path(text in "(?s).{0,300}", path in "[a-z./*?!\\[\\]^-]{0,60}") {
            let file = Dockerignore::parse("x", &text);
            let _ = file.excludes(&path);
        }
    }

    #[test]
    fn segments_in_the_middle() {
        let file = ignore("a/**/b");
        assert!(file.excludes("a/b"));
        assert!(file.excludes("a/x/y/b"));
        assert!(!file.excludes("a/xb"));
        assert!(!file.excludes("c/a/b"));
    }

    /// BuildKit's `MatchesOrParentMatches`, as CopyIgnoredFile (DG1114) uses it.
    #[test]
    fn matches_or_parent_matches_like_buildkit() {
        let file = ignore("dist\n*/tmp/*\n");
        assert!(file.matches_or_parent_matches("dist"));
        assert!(file.matches_or_parent_matches("dist/app.js"));
        assert!(file.matches_or_parent_matches("a/tmp/b"));
        assert!(!file.matches_or_parent_matches("src/dist"));
        // A leading `/` is kept: only a pattern matching the empty parent applies.
        assert!(!file.matches_or_parent_matches("/dist"));
        assert!(ignore("*\n").matches_or_parent_matches("/dist"));
        assert!(ignore("*\n").matches_or_parent_matches("."));
        assert!(!ignore(".*\n").matches_or_parent_matches("src"));
        assert!(ignore("**\n!Dockerfile\n").has_exclusions());
        assert!(ignore("**/*\n").excludes_every_root_entry());
        assert!(!ignore(".*\n").excludes_every_root_entry());
    }
}
