//! Delivering change-feed events to webhooks: a worker in `atlas serve` claims due deliveries
//! from the outbox the database fills with every change, POSTs each as signed JSON, and
//! records the answer (delivered, retried later with back-off, or parked).
//!
//! Signature: `Atlas-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! A receiver recomputes the HMAC over the timestamp, a dot and the raw body with its secret,
//! compares in constant time, and refuses a timestamp more than [`SIGNATURE_TOLERANCE_SECS`]
//! from its clock (a replayed delivery carries an old one).
//!
//! SSRF guard: unless `WEBHOOK_ALLOW_PRIVATE` is set, a URL whose host is or resolves to a
//! non-public address is refused at registration, and again at every delivery through the
//! client's own resolver, so the connection goes to the very address that was checked (a DNS
//! answer that changes in between — rebinding — cannot slip through). Redirects are not
//! followed and no proxy from the environment is used.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use atlas_domain::{is_public_address, ChangeEvent};
use atlas_store::{DueDelivery, RetryPolicy, Store};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::{Host, Url};

use crate::Config;

/// How far from their own clock receivers should accept a signature's timestamp.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;
/// Longest wait between two attempts of a delivery.
const MAX_RETRY_DELAY_MS: i64 = 6 * 3600 * 1000;
/// Deliveries one worker sends at once (a slow receiver does not hold up the others).
const CONCURRENT_DELIVERIES: usize = 8;
/// What is kept of a receiver's error text.
const MAX_ERROR_CHARS: usize = 500;

/// `hex(HMAC-SHA256(secret, "<timestamp>.<body>"))`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length; the error case cannot happen.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a URL may not receive webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRefusal {
    /// The host is or resolves to a non-public address.
    Forbidden(String),
    /// The host does not resolve.
    Unresolvable(String),
}

impl std::fmt::Display for UrlRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlRefusal::Forbidden(m) | UrlRefusal::Unresolvable(m) => f.write_str(m),
        }
    }
}

/// The SSRF rule: which addresses webhooks may reach.
#[derive(Debug, Clone, Copy)]
pub struct AddressGuard {
    pub allow_private: bool,
}

impl AddressGuard {
    fn check(&self, address: IpAddr) -> Result<(), UrlRefusal> {
        if self.allow_private || is_public_address(address) {
            Ok(())
        } else {
            Err(UrlRefusal::Forbidden(format!(
                "{address} is not a public internet address (loopback, private, link-local, ...); \
                 webhooks may not reach it"
            )))
        }
    }

    /// Resolves `host` and checks every address it has (one bad address refuses the host: a
    /// client may pick any of them).
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, UrlRefusal> {
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| UrlRefusal::Unresolvable(format!("`{host}` does not resolve: {e}")))?
            .collect();
        if addresses.is_empty() {
            return Err(UrlRefusal::Unresolvable(format!("`{host}` has no address")));
        }
        for address in &addresses {
            self.check(address.ip())?;
        }
        Ok(addresses)
    }

    /// Checks a webhook URL as registration does.
    pub async fn check_url(&self, url: &Url) -> Result<(), UrlRefusal> {
        let port = url.port_or_known_default().unwrap_or(80);
        match url.host() {
            Some(Host::Ipv4(v4)) => self.check(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => self.check(IpAddr::V6(v6)),
            Some(Host::Domain(domain)) => self.resolve(domain, port).await.map(|_| ()),
            None => Err(UrlRefusal::Forbidden("the URL has no host".into())),
        }
    }
}

/// reqwest's resolver for deliveries: names resolve only to addresses the guard allows.
struct GuardedResolver(AddressGuard);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = guard.resolve(&host, 0).await.map_err(
                |e| -> Box<dyn std::error::Error + Send + Sync> { e.to_string().into() },
            )?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Sends deliveries; one per server, shared by the worker and the tests.
#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    guard: AddressGuard,
    policy: RetryPolicy,
    timeout_ms: u64,
    base_url: String,
}

impl Deliverer {
    pub fn from_config(config: &Config) -> anyhow::Result<Deliverer> {
        let guard = AddressGuard {
            allow_private: config.webhook_allow_private,
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_millis(config.webhook_timeout_ms))
            .connect_timeout(Duration::from_millis(config.webhook_timeout_ms))
            .user_agent("SocialTechAtlas-Webhooks/1")
            .dns_resolver(Arc::new(GuardedResolver(guard)))
            .build()?;
        Ok(Deliverer {
            client,
            guard,
            policy: RetryPolicy {
                max_attempts: config.webhook_max_attempts.max(1),
                base_delay_ms: config.webhook_retry_base_ms.max(0),
                max_delay_ms: MAX_RETRY_DELAY_MS,
            },
            timeout_ms: config.webhook_timeout_ms,
            base_url: config.public_base_url.trim_end_matches('/').to_owned(),
        })
    }

    pub fn guard(&self) -> AddressGuard {
        self.guard
    }

    /// The JSON a receiver gets: the change event (public data only) and where to read the
    /// actor now.
    pub fn payload(&self, delivery_id: i64, event: &ChangeEvent) -> serde_json::Value {
        serde_json::json!({
            "delivery_id": delivery_id,
            "seq": event.seq,
            "actor_id": event.actor_id.0,
            "kind": event.kind.as_str(),
            "version": event.version,
            "at": event.at,
            "actor_url": format!("{}/v1/actors/{}", self.base_url, event.actor_id.0),
        })
    }

    /// One attempt: `Ok(status)` on a 2xx answer, else the status (if any) and why.
    async fn attempt(&self, delivery: &DueDelivery) -> Result<u16, (Option<u16>, String)> {
        let url = Url::parse(&delivery.url).map_err(|e| (None, format!("bad URL: {e}")))?;
        // IP literals never reach the resolver: check them here (names are checked there).
        match url.host() {
            Some(Host::Ipv4(v4)) => self.guard.check(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => self.guard.check(IpAddr::V6(v6)),
            _ => Ok(()),
        }
        .map_err(|e| (None, e.to_string()))?;
        let body = serde_json::to_vec(&self.payload(delivery.id, &delivery.event))
            .map_err(|e| (None, e.to_string()))?;
        let timestamp = chrono::Utc::now().timestamp();
        let signature = signature(&delivery.secret, timestamp, &body);
        let response = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header("Atlas-Signature", format!("t={timestamp},v1={signature}"))
            .header("Atlas-Delivery", delivery.id.to_string())
            .header("Atlas-Event", delivery.event.kind.as_str())
            .body(body)
            .send()
            .await
            .map_err(|e| (None, describe(&e, self.timeout_ms)))?;
        let status = response.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err((
                Some(status.as_u16()),
                format!("the receiver answered {status}"),
            ))
        }
    }

    /// Sends one claimed delivery and records the outcome.
    async fn deliver(&self, store: &Store, delivery: DueDelivery) -> anyhow::Result<bool> {
        match self.attempt(&delivery).await {
            Ok(status) => {
                store
                    .webhook_delivered(delivery.id, i32::from(status))
                    .await?;
                Ok(true)
            }
            Err((status, error)) => {
                let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
                tracing::warn!(delivery = delivery.id, webhook = %delivery.webhook_id, attempts = delivery.attempts, %error, "webhook delivery failed");
                store
                    .webhook_failed(delivery.id, status.map(i32::from), &error, self.policy)
                    .await?;
                Ok(false)
            }
        }
    }

    /// Sends every delivery due now; returns how many were attempted.
    pub async fn deliver_due(&self, store: &Store) -> anyhow::Result<usize> {
        // A claim outlives the longest attempt, so no two workers send the same delivery.
        let lease_ms = i64::try_from(self.timeout_ms)
            .unwrap_or(i64::MAX / 2)
            .saturating_mul(2)
            .saturating_add(30_000);
        let mut attempted = 0;
        loop {
            let mut claimed = Vec::new();
            while claimed.len() < CONCURRENT_DELIVERIES {
                match store.claim_webhook_delivery(lease_ms).await? {
                    Some(delivery) => claimed.push(delivery),
                    None => break,
                }
            }
            if claimed.is_empty() {
                return Ok(attempted);
            }
            attempted += claimed.len();
            let results =
                futures_util::future::join_all(claimed.into_iter().map(|d| self.deliver(store, d)))
                    .await;
            for result in results {
                result?;
            }
        }
    }
}

/// A transport error in words a webhook's admin can act on.
fn describe(error: &reqwest::Error, timeout_ms: u64) -> String {
    if error.is_timeout() {
        format!("no answer within {timeout_ms} ms")
    } else if error.is_connect() {
        let mut text = format!("could not connect: {error}");
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    } else {
        error.to_string()
    }
}

/// Runs for the life of the server: sends due deliveries, then waits `WEBHOOK_POLL_MS`.
pub async fn run_worker(store: Store, deliverer: Deliverer, poll: Duration) {
    loop {
        if let Err(error) = deliverer.deliver_due(&store).await {
            tracing::error!(%error, "webhook worker: could not reach the outbox");
        }
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: `printf '1700000000.{}' | openssl dgst -sha256 -hmac key`.
        assert_eq!(
            signature("key", 1_700_000_000, b"{}"),
            "9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }
}
