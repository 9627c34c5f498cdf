//! Host names resolved by hickory, a resolver in pure Rust, for every HTTP client
//! (GitHub's, the registries', remote policies').
//!
//! glibc's `getaddrinfo` needs its NSS modules at run time, which a static binary on
//! `scratch` (the action's image) does not have. hickory reads `/etc/hosts` and
//! `/etc/resolv.conf` itself (Docker writes both into every container), so
//! `localhost`, the runner's hosts and DNS names all resolve.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use hickory_resolver::TokioResolver;
use hickory_resolver::config::LookupIpStrategy;

/// Resolves host names with hickory, built on first use (inside the runtime that drives
/// it) and shared by every connection of the client.
#[derive(Clone, Default)]
pub struct HickoryResolver {
    resolver: Arc<OnceLock<Result<TokioResolver, String>>>,
}

impl HickoryResolver {
    fn resolver(&self) -> Result<&TokioResolver, io::Error> {
        self.resolver
            .get_or_init(|| {
                let mut builder = TokioResolver::builder_tokio().map_err(|error| {
                    format!("cannot read the DNS configuration (/etc/resolv.conf): {error}")
                })?;
                // Both families, for hyper's happy eyeballs, as reqwest's resolver does.
                builder.options_mut().ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
                builder
                    .build()
                    .map_err(|error| format!("cannot start the DNS resolver: {error}"))
            })
            .as_ref()
            .map_err(|message| io::Error::other(message.clone()))
    }

    /// The addresses of `host`, with port 0: the caller sets the URL's.
    fn lookup(
        &self,
        host: String,
    ) -> impl Future<Output = Result<Vec<SocketAddr>, io::Error>> + Send + 'static {
        let this = self.clone();
        async move {
            let resolver = this.resolver()?;
            let lookup = resolver
                .lookup_ip(host.as_str())
                .await
                .map_err(|error| io::Error::other(format!("cannot resolve `{host}`: {error}")))?;
            Ok(lookup.iter().map(|ip| SocketAddr::new(ip, 0)).collect())
        }
    }
}

type Addresses = std::vec::IntoIter<SocketAddr>;

/// hyper's resolver (the GitHub client's connector).
impl tower_service::Service<hyper_util::client::legacy::connect::dns::Name> for HickoryResolver {
    type Response = Addresses;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Addresses, io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        let lookup = self.lookup(name.as_str().to_string());
        Box::pin(async move { Ok(lookup.await?.into_iter()) })
    }
}

/// reqwest's resolver (registries, remote policies).
impl reqwest::dns::Resolve for HickoryResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let lookup = self.lookup(name.as_str().to_string());
        Box::pin(async move {
            let addresses: reqwest::dns::Addrs = Box::new(lookup.await?.into_iter());
            Ok(addresses)
        })
    }
}

/// A fresh resolver for one reqwest client (each blocking client runs its own runtime).
pub fn for_reqwest() -> Arc<HickoryResolver> {
    Arc::new(HickoryResolver::default())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// reqwest's clients reach `localhost` through hickory (`/etc/hosts`), as in the
    /// action's image where glibc's resolver cannot load.
    #[test]
    fn a_reqwest_client_resolves_localhost_through_hickory() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0; 1024];
            let _ = stream.read(&mut request).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .unwrap();
        });
        let client = reqwest::blocking::Client::builder()
            .dns_resolver(super::for_reqwest())
            .no_proxy()
            .build()
            .unwrap();
        let response = client
            .get(format!("http://localhost:{port}/"))
            .send()
            .unwrap();
        assert_eq!(response.text().unwrap(), "ok");
        server.join().unwrap();

        let error = client
            .get("http://no-such-host.invalid/")
            .send()
            .unwrap_err();
        assert!(
            format!("{error:?}").contains("cannot resolve `no-such-host.invalid`"),
            "{error:?}"
        );
    }
}
