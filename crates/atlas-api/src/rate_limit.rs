//! Limits on write requests (POST, PATCH, PUT, DELETE), by who is writing:
//! - anonymous clients per IP address (governor, GCRA), answered 429 `rate_limited`;
//! - moderators and admins with a valid session per user, with a more generous budget, so a
//!   team deciding many items from one office address is not throttled as one stranger;
//! - partners with a valid API key by the key's hourly quota (kept in the database, shared by
//!   every server process), answered 429 `quota_exceeded`, and not by their IP address.
//!
//! Reads are never limited here. The client IP is the TCP peer; `X-Forwarded-For` is only
//! believed when the peer is the configured reverse proxy (`TRUSTED_PROXY`), otherwise anyone
//! could pick their own key. A bearer token that is unknown, revoked or expired counts as
//! anonymous (the handler then refuses it).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use atlas_domain::UserId;
use atlas_store::KeyLookup;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::{bearer_token, is_partner_key, token_hash};
use crate::error::ApiError;
use crate::secret::hash_token;
use crate::{AppState, Config};

/// Above this many remembered clients, forget those whose budget is full again.
const MAX_REMEMBERED_CLIENTS: usize = 10_000;

/// The write budgets of anonymous clients (per IP) and of moderators (per user).
pub struct WriteLimits {
    anonymous: DefaultKeyedRateLimiter<IpAddr>,
    staff: DefaultKeyedRateLimiter<UserId>,
    trusted_proxy: Option<IpAddr>,
}

fn quota(period: Duration, burst: u32) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl WriteLimits {
    /// Anonymous: `WRITE_RATE_LIMIT_BURST` writes at once, then one every
    /// `WRITE_RATE_LIMIT_PERIOD_SECS`. Moderators: `MODERATOR_WRITE_RATE_LIMIT_BURST`, then one
    /// every `MODERATOR_WRITE_RATE_LIMIT_PERIOD_MS`.
    pub fn new(config: &Config) -> WriteLimits {
        WriteLimits {
            anonymous: RateLimiter::keyed(quota(
                Duration::from_secs(config.write_rate_limit_period_secs.max(1)),
                config.write_rate_limit_burst,
            )),
            staff: RateLimiter::keyed(quota(
                Duration::from_millis(config.moderator_write_rate_limit_period_ms),
                config.moderator_write_rate_limit_burst,
            )),
            trusted_proxy: config.trusted_proxy,
        }
    }

    fn client_ip(&self, req: &ServiceRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let ip = if Some(peer) == self.trusted_proxy {
            // The proxy appends the address it saw last; that one is the client.
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|ip| ip.trim().parse().ok())
                .unwrap_or(peer)
        } else {
            peer
        };
        // IPv6 clients often hold a whole /64; limit the prefix, not each address.
        Some(match ip {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
            v4 => v4,
        })
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), ApiError> {
        if limiter.len() > MAX_REMEMBERED_CLIENTS {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

/// Who is writing, as far as the limits are concerned.
enum Writer {
    Anonymous,
    Staff(UserId),
    Partner(atlas_domain::Partner),
}

async fn writer(state: &AppState, req: &ServiceRequest) -> Writer {
    let Some(token) = bearer_token(req.request()) else {
        return Writer::Anonymous;
    };
    // A failing lookup (database trouble) limits like an anonymous client; the handler
    // reports the trouble itself.
    if is_partner_key(&token) {
        match state.store.partner_by_key(&hash_token(&token)).await {
            Ok(Some(KeyLookup::Valid(partner))) => Writer::Partner(partner),
            _ => Writer::Anonymous,
        }
    } else {
        match state.store.session_user(&token_hash(&token)).await {
            Ok(Some(user)) => Writer::Staff(user.id),
            _ => Writer::Anonymous,
        }
    }
}

fn is_write(method: &Method) -> bool {
    [Method::POST, Method::PATCH, Method::PUT, Method::DELETE].contains(method)
}

/// The middleware (`actix_web::middleware::from_fn`).
pub async fn limit_writes<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|_| is_write(req.method())) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let limits = &state.write_limits;
    let verdict = match writer(&state, &req).await {
        Writer::Staff(user) => WriteLimits::check(&limits.staff, &user),
        Writer::Partner(partner) => match state.store.take_api_key_request(&partner).await {
            Ok(Ok(_left)) => Ok(()),
            Ok(Err(exceeded)) => Err(ApiError::QuotaExceeded {
                quota_per_hour: partner.quota_per_hour,
                retry_after_secs: exceeded.retry_after_secs,
            }),
            Err(error) => Err(ApiError::from(error)),
        },
        Writer::Anonymous => match limits.client_ip(&req) {
            Some(ip) => WriteLimits::check(&limits.anonymous, &ip),
            // Without a peer address (a test request that set none) there is no one to
            // limit: refuse rather than lump every such request together.
            None => Err(ApiError::BadBody {
                code: "unknown_client",
                detail: "the client address is unknown".to_owned(),
            }),
        },
    };
    match verdict {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        Err(refusal) => Ok(req
            .into_response(refusal.error_response())
            .map_into_right_body()),
    }
}
