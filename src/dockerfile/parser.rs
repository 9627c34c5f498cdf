//! (being written)
use super::syntax::Dockerfile;

pub fn parse(source: &str) -> Dockerfile {
    Dockerfile { source: source.to_string(), escape: '\\', ..Default::default() }
}

pub fn parse_bytes(bytes: &[u8]) -> Dockerfile {
    parse(&crate::source::decode(bytes))
}
