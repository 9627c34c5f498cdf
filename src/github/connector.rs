//! The HTTPS connector of the GitHub client: hyper's connector with host names resolved
//! by hickory ([`crate::dns`], shared with reqwest's clients) rather than octocrab's
//! default, glibc's `getaddrinfo`, which the static binary cannot use.

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_timeout::TimeoutConnector;
use hyper_util::client::legacy::connect::HttpConnector;

use crate::dns::HickoryResolver;

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
