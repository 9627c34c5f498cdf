//! DG1041: a full base image where a slim variant exists.

use super::practices::final_chain;
use crate::rules::Context;

/// The official images with a `-slim` variant, and where it goes in the tag.
const SLIM_IMAGES: &[(&str, Slim)] = &[
    ("library/python", Slim::BeforeCodename),
    ("library/ruby", Slim::BeforeCodename),
    ("library/perl", Slim::BeforeCodename),
    ("library/rust", Slim::BeforeCodename),
    ("library/node", Slim::AfterCodename),
    ("library/debian", Slim::AfterCodename),
];

const CODENAMES: &[&str] = &["trixie", "bookworm", "bullseye", "buster"];

#[derive(Clone, Copy)]
enum Slim {
    /// `3.12-bookworm` -> `3.12-slim-bookworm`.
    BeforeCodename,
    /// `22-bookworm` -> `22-bookworm-slim`.
    AfterCodename,
}

crate::declare_rule! {
    /// ## What it does
    /// Reports the base image of the stage `docker build` builds (or of a stage it
    /// is built `FROM`) when it is the full variant of an official image that has a
    /// slim one: `python:3.12` → `python:3.12-slim`, `node:22` → `node:22-slim`,
    /// `debian:12` → `debian:12-slim`, `ruby`, `perl`, `rust`, with the Debian
    /// codename kept where the image puts it (`python:3.12-slim-bookworm`,
    /// `node:22-bookworm-slim`). Builder stages are not reported: compilers and
    /// headers belong there.
    ///
    /// ## Why is this bad?
    /// The full variants carry compilers, headers and hundreds of packages the
    /// service never runs: several hundred MB more to pull, and more packages for
    /// every vulnerability scan to flag.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    code: "DG1041",
    name: "full-base-image",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "A slim variant of this base image exists",
    check: check,
}

/// The slim tag for `tag` of an image that places `-slim` so, if the tag is a
/// version, a codename, or a version with a codename.
fn slim_tag(tag: &str, slim: Slim) -> Option<String> {
    let (version, codename) = match tag.rsplit_once('-') {
        Some((version, codename)) if CODENAMES.contains(&codename) => (Some(version), Some(codename)),
        _ if CODENAMES.contains(&tag) || tag == "stable" => (None, Some(tag)),
        _ => (Some(tag), None),
    };
    if let Some(version) = version {
        let is_version = version.starts_with(|c: char| c.is_ascii_digit())
            && version.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !is_version && !matches!(version, "lts" | "current") {
            return None;
        }
    }
    Some(match (version, codename, slim) {
        (Some(version), None, _) => format!("{version}-slim"),
        (None, Some(codename), _) => format!("{codename}-slim"),
        (Some(version), Some(codename), Slim::BeforeCodename) => format!("{version}-slim-{codename}"),
        (Some(version), Some(codename), Slim::AfterCodename) => format!("{version}-{codename}-slim"),
        (None, None, _) => return None,
    })
}

fn check(context: &mut Context) {
    let model = context.model();
    for stage in final_chain(model) {
        let Some(reference) = &stage.base.reference else { continue };
        let Some(&(_, slim)) = SLIM_IMAGES
            .iter()
            .find(|(name, _)| reference.registry == "docker.io" && reference.repository == *name)
        else {
            continue;
        };
        let Some(tag) = reference.tag.as_deref() else { continue };
        let Some(suggested) = slim_tag(tag, slim) else { continue };
        let image = reference.repository.trim_start_matches("library/");
        let from = &context.instructions()[stage.from];
        context.report(from, stage.base.word.range).message = format!(
            "`{image}:{tag}` is the full image: `{image}:{suggested}` has what a service needs in a fraction of the size"
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn full_variants() {
        assert_catches("DG1041", "FROM python:3.12");
        assert_catches("DG1041", "FROM node:22");
        assert_catches("DG1041", "FROM debian:12");
        assert_catches("DG1041", "FROM debian:bookworm");
        assert_catches("DG1041", "FROM python:3.12-bookworm");
        assert_catches("DG1041", "FROM docker.io/library/ruby:3.3");
        assert_catches("DG1041", "FROM node:lts");
        assert_catches("DG1041", "FROM python:3.12 AS base\nFROM base");
    }

    #[test]
    fn slim_or_builder_or_other() {
        assert_catches_not("DG1041", "FROM python:3.12-slim");
        assert_catches_not("DG1041", "FROM node:22-alpine");
        assert_catches_not("DG1041", "FROM debian:12-slim");
        assert_catches_not("DG1041", "FROM python:3.12 AS build\nFROM python:3.12-slim");
        assert_catches_not("DG1041", "FROM ubuntu:24.04");
        assert_catches_not("DG1041", "FROM python");
        assert_catches_not("DG1041", "FROM debian:latest");
        assert_catches_not("DG1041", "FROM python:3.12-windowsservercore");
        assert_catches_not("DG1041", "FROM ghcr.io/acme/python:3.12");
    }

    #[test]
    fn the_suggested_tag() {
        let found = findings("DG1041", "FROM python:3.12-bookworm\n");
        assert!(found[0].message.contains("`python:3.12-slim-bookworm`"), "{}", found[0].message);
        let found = findings("DG1041", "FROM node:22-bookworm\n");
        assert!(found[0].message.contains("`node:22-bookworm-slim`"), "{}", found[0].message);
    }
}
