//! Rate limiting of write requests per client IP (actix-governor), answered with a
//! problem+json 429 and `Retry-After`.
//!
//! The client is the TCP peer. `X-Forwarded-For` is only believed when the peer is the
//! configured reverse proxy (`TRUSTED_PROXY`); otherwise anyone could pick their own key.

use std::net::IpAddr;

use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::governor::NotUntil;
use actix_governor::{GovernorConfig, GovernorConfigBuilder, KeyExtractor};
use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};

use crate::error::ApiError;
use crate::Config;

#[derive(Debug, Clone)]
pub struct ClientIp {
    trusted_proxy: Option<IpAddr>,
}

impl ClientIp {
    fn client_of(&self, req: &ServiceRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if Some(peer) == self.trusted_proxy {
            // The proxy appends the address it saw last; that one is the client.
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|ip| ip.trim().parse().ok());
            return Some(forwarded.unwrap_or(peer));
        }
        Some(peer)
    }
}

/// Without a peer address (a test request that set none) there is no one to limit: refuse
/// rather than lump every such request together.
#[derive(Debug, thiserror::Error)]
#[error("the client address is unknown")]
pub struct NoClientAddress;

impl ResponseError for NoClientAddress {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::BAD_REQUEST
    }
    fn error_response(&self) -> HttpResponse {
        ApiError::BadBody {
            code: "unknown_client",
            detail: self.to_string(),
        }
        .error_response()
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;
    type KeyExtractionError = NoClientAddress;

    fn extract(&self, req: &ServiceRequest) -> Result<IpAddr, NoClientAddress> {
        let ip = self.client_of(req).ok_or(NoClientAddress)?;
        // IPv6 clients often hold a whole /64; limit the prefix, not each address.
        Ok(match ip {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
            v4 => v4,
        })
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        _response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative.wait_time_from(DefaultClock::default().now());
        ApiError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
        .error_response()
    }
}

pub type WriteLimit = GovernorConfig<ClientIp, NoOpMiddleware<QuantaInstant>>;

/// `burst` writes at once per client, then one more every `period_secs` seconds; reads are
/// never limited here.
pub fn write_limit(config: &Config) -> anyhow::Result<WriteLimit> {
    GovernorConfigBuilder::default()
        .key_extractor(ClientIp {
            trusted_proxy: config.trusted_proxy,
        })
        .seconds_per_request(config.write_rate_limit_period_secs.max(1))
        .burst_size(config.write_rate_limit_burst.max(1))
        .methods(vec![
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .finish()
        .ok_or_else(|| anyhow::anyhow!("invalid rate limit settings"))
}
