//! DL3062: `go install` without a version.

use crate::rules::Context;

use super::scripts::report_runs;

crate::declare_rule! {
    /// ## What it does
    /// Reports `go install` (and `go get`) of a remote package without a version
    /// (`@v1.2.3`), or with `@latest`.
    ///
    /// ## Why is this bad?
    /// Without a version Go resolves the newest release on each build: the image is not
    /// reproducible, and a new major release can break it. Local packages (`.`,
    /// `./...`) build the module's own code and are not reported, nor are paths without
    /// a domain (`tool`, `cmd/vet`), nor `go run` (hadolint reports `go run build.go
    /// install x`, reading `install` as go's subcommand).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@v0.16.2
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3062](https://github.com/hadolint/hadolint/wiki/DL3062)
    code: "DL3062",
    name: "go-install-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
    check: check,
}

/// `go build` flags that take a value.
const VALUE_FLAGS: &[&str] = &[
    "-ldflags", "-gcflags", "-asmflags", "-gccgoflags", "-tags", "-o", "-mod", "-modfile",
    "-p", "-buildmode", "-compiler", "-installsuffix", "-overlay", "-pkgdir", "-toolexec",
    "-exec", "-pgo",
];

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let package = run
            .script
            .commands_with("go", &["install", "get"], VALUE_FLAGS)
            .flat_map(|command| command.operands(VALUE_FLAGS))
            .find(|package| {
                let value = package.value.as_str();
                // A remote path has a dot in its first element (`github.com/...`);
                // `tool`, `all`, `std` and `cmd/...` are not downloaded.
                let first = value.split('/').next().unwrap_or(value);
                let local = value.starts_with(['.', '/']) || !first.contains('.');
                let version = value.rsplit_once('@').map(|(_, version)| version);
                !local && version.is_none_or(|v| v.is_empty() || v == "latest")
            })?;
        Some((package.range, None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3062", "FROM golang:1\nRUN go install github.com/x/y");
        assert_catches("DL3062", "FROM golang:1\nRUN go install github.com/x/y@latest");
        assert_catches("DL3062", "FROM golang:1\nRUN go install -ldflags \"-s -w\" github.com/x/y");
        assert_catches("DL3062", "FROM golang:1\nRUN go get github.com/x/y");
    }

    #[test]
    fn pinned_or_local() {
        assert_catches_not("DL3062", "FROM golang:1\nRUN go install github.com/x/y@v1.2.3");
        assert_catches_not("DL3062", "FROM golang:1\nRUN go install -v github.com/x/y@$VERSION");
        assert_catches_not("DL3062", "FROM golang:1\nRUN go install ./... && go install .");
        assert_catches_not("DL3062", "FROM golang:1\nRUN go install");
        assert_catches_not("DL3062", "FROM golang:1\nRUN go install tool && go install cmd/vet");
        assert_catches_not("DL3062", "FROM golang:1\nRUN go run build.go -no-upgrade build syncthing");
        assert_catches_not("DL3062", "FROM golang:1\nRUN go build -o /app github.com/x/y");
    }
}
