//! DG1021: a secret file is copied into the image.

use super::practices::context_sources;
use crate::image::secrets;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` from the build context whose source names a secret
    /// file: `.env` and `.env.*` (not `.env.example` and other templates), SSH keys
    /// (`id_rsa`, `id_ed25519`, ...), `*.pem`, `*.key`, `credentials*`, `.npmrc`,
    /// `.pypirc`, `.git-credentials`, `.aws/credentials`, `.docker/config.json`.
    /// The names are the image gate's table (DG2020 finds the same files in layers,
    /// where it can read them and needs their content for the common names). Every
    /// stage is checked: a builder's copy stays in its layers and build cache.
    ///
    /// ## Why is this bad?
    /// A file copied in is in a layer for good: deleting it later only hides it, and
    /// everyone who can pull the image can extract it. Build-time credentials
    /// (`.npmrc` with a token, a deploy key) are needed for one `RUN`, not in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY .npmrc package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Use instead
    /// Mount it for the one step that needs it (`docker build --secret id=npmrc,src=.npmrc`):
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package.json package-lock.json ./
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    code: "DG1021",
    name: "secret-file-copied",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "A secret file is copied into the image: mount it with `RUN --mount=type=secret` for the step that needs it",
    check: check,
}

fn check(context: &mut Context) {
    for source in context_sources(context) {
        let path = source.expanded.as_deref().unwrap_or(&source.word.value);
        let Some(kind) = secrets::copied_file(path) else {
            continue;
        };
        let keyword = source.instruction.name.to_ascii_uppercase();
        context.report(source.instruction, source.word.range).message = format!(
            "{keyword} of `{path}`, which by its name holds {}, puts it into the image: mount it with `RUN --mount=type=secret` for the step that needs it",
            kind.describe()
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn secret_files() {
        assert_catches("DG1021", "FROM a:1\nCOPY .env /app/.env");
        assert_catches("DG1021", "FROM a:1\nCOPY .env.production ./");
        assert_catches("DG1021", "FROM a:1\nADD id_rsa /root/.ssh/id_rsa");
        assert_catches("DG1021", "FROM a:1\nCOPY certs/server.pem /etc/ssl/");
        assert_catches("DG1021", "FROM a:1\nCOPY *.key /keys/");
        assert_catches("DG1021", "FROM a:1\nCOPY credentials.json /app/");
        assert_catches("DG1021", "FROM a:1\nCOPY .npmrc package.json ./");
        assert_catches("DG1021", "FROM a:1\nCOPY [\".pypirc\", \"/root/\"]");
        assert_catches("DG1021", "FROM a:1\nARG KEY=deploy.key\nCOPY $KEY /k");
    }

    #[test]
    fn other_files() {
        assert_catches_not("DG1021", "FROM a:1\nCOPY .env.example /app/");
        assert_catches_not("DG1021", "FROM a:1\nCOPY id_rsa.pub /root/.ssh/authorized_keys");
        assert_catches_not("DG1021", "FROM a:1\nCOPY --from=build /app/.env /app/");
        assert_catches_not("DG1021", "FROM a:1\nCOPY package.json .npmignore ./");
        assert_catches_not("DG1021", "FROM a:1\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci");
    }
}
