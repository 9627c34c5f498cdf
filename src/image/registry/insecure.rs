//! Which scheme reaches a registry: plain HTTP for local ones, HTTPS for the rest, and
//! for those named with `--insecure-registry` HTTPS without certificate checks, then
//! plain HTTP.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use reqwest::Url;

/// One `--insecure-registry HOST[:PORT]`: a registry the user trusts the network path to,
/// reached like Docker reaches its `insecure-registries` (see [`InsecureRegistries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsecureRegistry {
    /// Lowercase (host names are case-insensitive); an IPv6 address without brackets.
    host: String,
    /// `None`: every port of the host.
    port: Option<u16>,
}

impl InsecureRegistry {
    /// Whether `host` (as [`split_host_port`] returns it) and `port` are this entry's.
    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        self.host.eq_ignore_ascii_case(host) && (self.port.is_none() || self.port == port)
    }
}

impl FromStr for InsecureRegistry {
    type Err = String;

    /// `host`, `host:port`, `1.2.3.4:5000`, `[fd00::2]:5000` or a bare IPv6 address; no
    /// scheme and no path, since the entry names a registry, not a URL.
    fn from_str(text: &str) -> Result<InsecureRegistry, String> {
        let invalid = |reason: &str| format!("`{text}` is not HOST[:PORT]: {reason}");
        if text.contains("://") {
            return Err(invalid("give the registry without a scheme"));
        }
        if text.contains('/') {
            return Err(invalid("give the registry without a path"));
        }
        let (host, port) = if text.parse::<std::net::Ipv6Addr>().is_ok() {
            (text, None)
        } else if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| invalid("unclosed `[`"))?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid("only an IPv6 address goes in brackets"));
            }
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(
                        after
                            .strip_prefix(':')
                            .ok_or_else(|| invalid("expected `:PORT` after `]`"))?,
                    ),
                ),
            }
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        let port = port
            .map(|port| {
                port.parse::<u16>()
                    .ok()
                    .filter(|port| *port != 0)
                    .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))
            })
            .transpose()?;
        let host_ok = !host.is_empty()
            && (host.parse::<IpAddr>().is_ok()
                || host.split('.').all(|label| {
                    !label.is_empty()
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                }));
        if !host_ok {
            return Err(invalid("not a host name or IP address"));
        }
        Ok(InsecureRegistry {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl fmt::Display for InsecureRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.host.contains(':'), self.port) {
            (true, Some(port)) => write!(f, "[{}]:{port}", self.host),
            (false, Some(port)) => write!(f, "{}:{port}", self.host),
            (_, None) => f.write_str(&self.host),
        }
    }
}

/// The registries named with `--insecure-registry`, as Docker's `insecure-registries`:
/// each is tried over HTTPS without verifying its certificate (a self-signed or private
/// CA's certificate is accepted), then, if no HTTPS connection can be made, over plain
/// HTTP. Matched by host, and by port when the entry gives one: `registry.internal`
/// covers every port of that host, `registry.internal:5000` only that port (Docker
/// matches the exact `host:port` text; a host without a port covering all of them is the
/// less surprising rule for `registry.internal:5000/app` references).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsecureRegistries(Vec<InsecureRegistry>);

impl InsecureRegistries {
    pub fn new(entries: impl IntoIterator<Item = InsecureRegistry>) -> InsecureRegistries {
        InsecureRegistries(entries.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `registry` (`host[:port]` as in [`Reference::registry`]) was named.
    pub fn contains(&self, registry: &str) -> bool {
        let (host, port) = split_host_port(registry);
        let port = port.and_then(|port| port.parse::<u16>().ok());
        self.0.iter().any(|entry| entry.matches(host, port))
    }

    /// Whether `url`'s host was named (its port being the scheme's default if not given).
    pub(super) fn contains_url(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = url.port_or_known_default();
        self.0.iter().any(|entry| entry.matches(host, port))
    }
}

/// `host[:port]` (an IPv6 address in brackets) → (host without brackets, port text). A
/// colon not followed by digits only is no port (a bare IPv6 address).
fn split_host_port(registry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = registry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => (rest, None),
        };
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (host, Some(port))
        }
        _ => (registry, None),
    }
}

/// Docker's rule: these registries are local, so TLS buys nothing and is not expected.
pub fn is_local_registry(registry: &str) -> bool {
    let (host, _) = split_host_port(registry);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// How a registry is reached: the scheme choice of the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryTransport {
    /// Certificates verified (unless [`ClientOptions::tls_verify`] is off).
    Https,
    /// localhost and 127.0.0.0/8.
    PlainHttp,
    /// A named insecure registry: HTTPS with any certificate, else plain HTTP.
    HttpsUnverifiedThenPlainHttp,
}

impl RegistryTransport {
    pub fn for_registry(registry: &str, insecure: &InsecureRegistries) -> RegistryTransport {
        if is_local_registry(registry) {
            RegistryTransport::PlainHttp
        } else if insecure.contains(registry) {
            RegistryTransport::HttpsUnverifiedThenPlainHttp
        } else {
            RegistryTransport::Https
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::registry::tests::named;

    #[test]
    fn local_registries_are_plain_http() {
        for local in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
        ] {
            assert!(is_local_registry(local), "{local}");
        }
        for remote in [
            "ghcr.io",
            "10.0.0.1:5000",
            "registry-1.docker.io",
            "localhost.example.com",
        ] {
            assert!(!is_local_registry(remote), "{remote}");
        }
    }

    #[test]
    fn insecure_registries_parse_host_and_optional_port() {
        for (text, shown) in [
            ("registry.internal", "registry.internal"),
            ("Registry.Internal:5000", "registry.internal:5000"),
            ("10.0.0.7:5000", "10.0.0.7:5000"),
            ("[fd00::2]:5000", "[fd00::2]:5000"),
            ("[fd00::2]", "fd00::2"),
            ("fd00::2", "fd00::2"),
        ] {
            let entry: InsecureRegistry = text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(entry.to_string(), shown, "{text}");
        }
        for (bad, why) in [
            ("http://registry.internal", "scheme"),
            ("registry.internal/path", "path"),
            ("registry.internal:", "port"),
            ("registry.internal:http", "port"),
            ("registry.internal:0", "port"),
            ("registry.internal:70000", "port"),
            ("", "host"),
            ("reg_istry", "host"),
            ("[registry.internal]:5000", "IPv6"),
            ("[fd00::2", "unclosed"),
        ] {
            let err = bad.parse::<InsecureRegistry>().unwrap_err();
            assert!(
                err.contains(why) && err.contains("HOST[:PORT]"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn insecure_registries_match_per_host_and_port_when_given() {
        let list = named(&["registry.internal", "mirror.internal:5000", "[fd00::2]:443"]);
        // A host without a port: every port of it, case-insensitively.
        assert!(list.contains("registry.internal"));
        assert!(list.contains("registry.internal:5000"));
        assert!(list.contains("REGISTRY.internal:8443"));
        // A host with a port: that port only.
        assert!(list.contains("mirror.internal:5000"));
        assert!(!list.contains("mirror.internal:5001"));
        assert!(!list.contains("mirror.internal"));
        assert!(list.contains("[fd00::2]:443"));
        assert!(!list.contains("[fd00::2]:5000"));
        // Other hosts, and names that only contain a named one.
        for other in [
            "ghcr.io",
            "registry.internal.example.com",
            "evil-registry.internal",
            "internal",
        ] {
            assert!(!list.contains(other), "{other}");
        }
        assert!(!InsecureRegistries::default().contains("registry.internal"));
        // URLs (redirects, token realms): a missing port is the scheme's default.
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(list.contains_url(&url("http://registry.internal:9000/token")));
        assert!(list.contains_url(&url("https://[fd00::2]/v2/")));
        assert!(!list.contains_url(&url("http://[fd00::2]/v2/")));
        assert!(!list.contains_url(&url("http://mirror.internal/v2/")));
        assert!(!list.contains_url(&url("http://storage.example.com/blob")));
    }
}
