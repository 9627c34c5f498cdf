//! DG1010: the whole build context is copied into the shipped image.

use super::practices::{context_sources, in_final_chain, is_whole_context};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` of the whole build context (`COPY . .`,
    /// `ADD . /app`, `COPY ./ /src/`) in the stage `docker build` builds or a stage
    /// it is built `FROM`. Copies in builder stages, whose files reach the image only
    /// through `COPY --from`, are not reported; DG1011 checks the `.dockerignore`
    /// that decides what such a copy takes in every stage.
    ///
    /// ## Why is this bad?
    /// Everything in the directory lands in the image: `.git`, local `.env` files,
    /// test data, editor files, build output. The image grows, secrets ship, and any
    /// change to any file invalidates the layer cache from that instruction on.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY requirements.txt ./
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// COPY src/ ./src/
    /// ```
    code: "DG1010",
    name: "whole-context-copied",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "The whole build context is copied into the image: copy only what the image needs",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    for source in context_sources(context) {
        let whole = source.expanded.as_deref().is_some_and(is_whole_context);
        if whole && in_final_chain(model, source.index) {
            let keyword = source.instruction.name.to_ascii_uppercase();
            context.report(source.instruction, source.word.range).message = format!(
                "`{keyword} {}` copies the whole build context into the image: copy only what the image needs",
                source.word.value
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn whole_context() {
        assert_catches("DG1010", "FROM debian:12\nCOPY . .");
        assert_catches("DG1010", "FROM debian:12\nADD . /app");
        assert_catches("DG1010", "FROM debian:12\nCOPY ./ /src/");
        assert_catches("DG1010", "FROM debian:12\nCOPY --chown=app . /app");
        assert_catches("DG1010", "FROM debian:12\nARG SRC=.\nCOPY ${SRC} /app");
        assert_catches("DG1010", "FROM debian:12\nCOPY [\".\", \"/app\"]");
    }

    #[test]
    fn parts_or_builder_stages() {
        assert_catches_not("DG1010", "FROM debian:12\nCOPY src/ /app/src/");
        assert_catches_not("DG1010", "FROM debian:12\nCOPY --from=build . /app");
        assert_catches_not("DG1010", "FROM golang:1.22 AS build\nCOPY . .\nFROM scratch\nCOPY --from=build /app /app");
        assert_catches_not("DG1010", "FROM debian:12\nCOPY package.json .");
    }
}
