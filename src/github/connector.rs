//! The HTTPS connector of the GitHub client: hyper's connector with host names resolved
//! by hickory, a resolver in pure Rust.
//!
//! octocrab's own connector resolves through glibc's `getaddrinfo`, which in a static
//! binary (the action's image) needs glibc's NSS modules at run time, and the image has
//! none. hickory reads `/etc/hosts` and `/etc/resolv.conf` itself (Docker writes both
//! into every container), so `localhost`, the runner's hosts and DNS names all resolve.
//! reqwest's clients (registries, remote policies) use the same resolver through its
//! `hickory-dns` feature.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::LookupIpStrategy;
use hyper_rustls::HttpsConnector;
use hyper_timeout::TimeoutConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;

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
                Ok(builder.build())
            })
            .as_ref()
            .map_err(|message| io::Error::other(message.clone()))
    }
}

type Addresses = std::vec::IntoIter<SocketAddr>;

impl tower_service::Service<Name> for HickoryResolver {
    type Response = Addresses;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Addresses, io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let resolver = this.resolver()?;
            let lookup = resolver
                .lookup_ip(name.as_str())
                .await
                .map_err(|error| io::Error::other(format!("cannot resolve `{name}`: {error}")))?;
            // The port is the URI's; hyper sets it on each address.
            let addresses: Vec<SocketAddr> =
                lookup.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(addresses.into_iter())
        })
    }
}

/// The connector: TCP through [`HickoryResolver`], TLS by rustls (ring) with the
/// system's CA certificates (`/etc/ssl/certs`, or `SSL_CERT_FILE`/`SSL_CERT_DIR`),
/// plain HTTP allowed for a local fake API or a GitHub Enterprise Server without TLS,
/// and the connect and read timeouts.
pub type Connector = TimeoutConnector<HttpsConnector<HttpConnector<HickoryResolver>>>;

pub fn connector(connect_timeout: Duration, read_timeout: Duration) -> Result<Connector, String> {
    let mut http = HttpConnector::new_with_resolver(HickoryResolver::default());
    // The HTTPS layer below decides the scheme; without this, `https://` is refused.
    http.enforce_http(false);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|error| format!("cannot load the CA certificates: {error}"))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    let mut connector = TimeoutConnector::new(https);
    connector.set_connect_timeout(Some(connect_timeout));
    connector.set_read_timeout(Some(read_timeout));
    Ok(connector)
}
