//! DG1108: `FROM --platform=linux/amd64`, a constant platform (BuildKit's
//! FromPlatformFlagConstDisallowed).

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `FROM --platform` flag with a constant value (`linux/amd64`, no
    /// variable), unless the stage's name mentions the platform's OS or architecture
    /// (`AS build-amd64`), which says the pin is on purpose. This is BuildKit's build
    /// check
    /// [`FromPlatformFlagConstDisallowed`](https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/)
    /// (`dockerfile2llb/validations.go`, `reportConstPlatformDisallowed`), with
    /// containerd's reading of platforms (`amd64` alone is `linux/amd64`, `x86_64` is
    /// `amd64`, `aarch64` is `arm64`); a value that is no platform is left alone, as the
    /// build fails on it anyway.
    ///
    /// hadolint's DL3029 reports every `--platform` but `$BUILDPLATFORM`; this rule
    /// only the constant ones.
    ///
    /// ## Why is this bad?
    /// The stage is built for that platform whatever `docker build --platform` asks
    /// for: a multi-platform build gets an `amd64` binary in its `arm64` image, and
    /// the image runs under emulation or not at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// ARG TARGETOS TARGETARCH
    /// RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .
    /// ```
    code: "DG1108",
    name: "from-platform-flag-const",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "FROM --platform flag should not use a constant value",
    buildkit: "FromPlatformFlagConstDisallowed",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for stage in &model.stages {
        let Some(flag) = &stage.platform else {
            continue;
        };
        let Ok(processed) = model.process(stage.from, &flag.raw) else {
            continue;
        };
        // Any variable, set or not, makes the value depend on the build.
        if !processed.matched.is_empty() || !processed.unmatched.is_empty() {
            continue;
        }
        let Some((os, arch)) = platform(&processed.result) else {
            continue;
        };
        let name = stage.name.as_deref().unwrap_or("");
        if name.contains(&os) || name.contains(&arch) {
            continue;
        }
        let message = format!(
            "FROM --platform flag should not use constant value \"{}\"",
            processed.result
        );
        let from = &context.instructions()[stage.from];
        context.report(from, flag.range).message = message;
    }
}

/// The OS and architecture of a platform specifier, normalised as containerd's
/// `platforms.Parse` does on a Linux/amd64 host; `None` when it is no platform.
fn platform(specifier: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = specifier.split('/').collect();
    let valid = |part: &&str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    };
    if !parts.iter().all(valid) {
        return None;
    }
    match parts.as_slice() {
        [one] => {
            let one = one.to_ascii_lowercase();
            if KNOWN_OS.contains(&one.as_str()) {
                Some((normalize_os(&one), "amd64".into()))
            } else {
                let arch = normalize_arch(&one);
                KNOWN_ARCH
                    .contains(&arch.as_str())
                    .then(|| ("linux".into(), arch))
            }
        }
        [os, arch] | [os, arch, _] => Some((normalize_os(os), normalize_arch(arch))),
        _ => None,
    }
}

fn normalize_os(os: &str) -> String {
    match os.to_ascii_lowercase().as_str() {
        "macos" => "darwin".into(),
        other => other.into(),
    }
}

fn normalize_arch(arch: &str) -> String {
    match arch.to_ascii_lowercase().as_str() {
        "i386" => "386".into(),
        "x86_64" | "x86-64" | "amd64" => "amd64".into(),
        "aarch64" | "arm64" => "arm64".into(),
        "armhf" | "armel" | "arm" => "arm".into(),
        other => other.into(),
    }
}

/// Go's `GOOS` values, which containerd knows as operating systems.
const KNOWN_OS: &[&str] = &[
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
    "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
];

/// Go's `GOARCH` values, which containerd knows as architectures.
const KNOWN_ARCH: &[&str] = &[
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
    "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
    "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
];

#[cfg(test)]
mod tests {
    use super::platform;
    use crate::rules::testing::*;

    #[test]
    fn constant_platforms() {
        assert_catches("DG1108", "FROM --platform=linux/amd64 scratch");
        assert_catches("DG1108", "FROM --platform=linux/arm64/v8 debian:12 AS build");
        assert_catches("DG1108", "FROM --platform=amd64 debian:12");
        assert_catches("DG1108", "FROM --platform=\"linux/amd64\" debian:12");
    }

    #[test]
    fn variables_or_named_stages() {
        assert_catches_not("DG1108", "FROM scratch");
        assert_catches_not("DG1108", "FROM --platform=$BUILDPLATFORM scratch");
        assert_catches_not("DG1108", "ARG P=linux/amd64\nFROM --platform=$P scratch");
        assert_catches_not("DG1108", "FROM --platform=linux/amd64 scratch AS my_amd64_stage");
        assert_catches_not("DG1108", "FROM --platform=linux/amd64 scratch AS linux");
        assert_catches_not("DG1108", "FROM --platform=x86_64 scratch AS build-amd64");
        // No platform at all: the build fails on it, not this rule's business.
        assert_catches_not("DG1108", "FROM --platform=not/a/plat/form scratch");
        assert_catches_not("DG1108", "FROM --platform=bogus scratch");
    }

    #[test]
    fn buildkit_message() {
        let found = findings("DG1108", "FROM --platform=linux/amd64 scratch\n");
        assert_eq!(
            found[0].message,
            "FROM --platform flag should not use constant value \"linux/amd64\""
        );
    }

    #[test]
    fn containerd_platforms() {
        assert_eq!(platform("linux/amd64"), Some(("linux".into(), "amd64".into())));
        assert_eq!(platform("Linux/AArch64"), Some(("linux".into(), "arm64".into())));
        assert_eq!(platform("arm64"), Some(("linux".into(), "arm64".into())));
        assert_eq!(platform("windows"), Some(("windows".into(), "amd64".into())));
        assert_eq!(platform("linux/amd64/v2/x"), None);
        assert_eq!(platform("linux/*"), None);
    }
}
