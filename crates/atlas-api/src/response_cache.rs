//! Public read answers kept in memory until actors change.
//!
//! A map front-end asks the same few questions over and over (the same viewport's list, its
//! facet counts, the clusters of a zoom level, the same autocomplete prefixes): each costs
//! PostgreSQL milliseconds, and answering from memory costs microseconds. Anonymous `GET`s of
//! the read endpoints below are kept whole (status 200 only: headers and body, bounded by
//! bytes, evicted by quick_cache's S3-FIFO) under their path, query, `Accept` and
//! `Accept-Language`, and everything is dropped when actors have changed, whatever process
//! wrote (see `change_watch`): a write shows within about `TILE_CACHE_CHECK_MS` — the same
//! promise as the tile cache, and shorter than the `max-age` shared caches are allowed.
//!
//! Not kept: anything sent with credentials (a moderator may see more), streamed exports (they
//! can be gigabytes), tiles (they have their own cache), the change feed, and answers from
//! Meilisearch (its index follows the database through the outbox, a little later than the
//! counter moves, so a kept answer could outlive the change; Meilisearch is fast anyway).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::change_watch::ChangeWatch;
use crate::http_cache::if_none_match_hits;
use crate::precompressed::Precompressed;
use crate::AppState;

/// The response header that says whether an answer came from this cache (`hit`) or was
/// computed (`miss`); only on cacheable requests.
pub const CACHE_STATUS: &str = "x-atlas-cache";

/// The headers of a kept answer that are sent again; everything else (CORS, compression) is
/// added per request by the middleware around this one.
const KEPT_HEADERS: [HeaderName; 6] = [
    header::CONTENT_TYPE,
    header::ETAG,
    header::CACHE_CONTROL,
    header::VARY,
    header::CONTENT_LANGUAGE,
    header::LINK,
];
const SEARCH_BACKEND: &str = "x-search-backend";

/// One answer, ready to send again.
struct CachedResponse {
    headers: Vec<(HeaderName, HeaderValue)>,
    etag: Option<String>,
    body: Bytes,
    compressed: Precompressed,
}

#[derive(Clone)]
struct BytesWeighter;

impl Weighter<String, Arc<CachedResponse>> for BytesWeighter {
    fn weight(&self, key: &String, kept: &Arc<CachedResponse>) -> u64 {
        let headers: usize = kept
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        // The bookkeeping around an entry is about a hundred bytes.
        (key.len() + headers + kept.body.len() + 100) as u64
    }
}

pub struct ResponseCache {
    /// Off when configured with no memory (`RESPONSE_CACHE_MB=0`).
    enabled: bool,
    answers: Cache<String, Arc<CachedResponse>, BytesWeighter>,
    watch: Arc<ChangeWatch>,
    /// The data generation the kept answers belong to.
    generation: AtomicU64,
}

impl ResponseCache {
    pub fn new(max_bytes: u64, watch: Arc<ChangeWatch>) -> ResponseCache {
        ResponseCache {
            enabled: max_bytes > 0,
            answers: Cache::with_weighter(
                usize::try_from(max_bytes / 4_096).unwrap_or(1024).max(16),
                max_bytes.max(1),
                BytesWeighter,
            ),
            watch,
            generation: AtomicU64::new(0),
        }
    }
}

/// Whether this request may be answered from (and its answer kept in) the cache.
fn cacheable(req: &ServiceRequest) -> bool {
    if req.method() != Method::GET || req.headers().contains_key(header::AUTHORIZATION) {
        return false;
    }
    let path = req.path();
    match path.strip_prefix("/v1/actors") {
        // The list, and one actor by id or slug — not the moderators' sub-resources.
        Some(rest) => rest.is_empty() || (rest.starts_with('/') && !rest[1..].contains('/')),
        None => matches!(
            path,
            "/v1/facets"
                | "/v1/search/suggest"
                | "/v1/clusters"
                | "/v1/categories"
                | "/ogc/collections/actors/items"
        ),
    }
}

/// The cache key: what the answer depends on besides the data.
fn cache_key(req: &ServiceRequest) -> String {
    let header_text = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or("")
    };
    format!(
        "{}?{}\n{}\n{}",
        req.path(),
        req.query_string(),
        header_text(header::ACCEPT),
        header_text(header::ACCEPT_LANGUAGE)
    )
}

/// Answers cacheable reads from memory, and keeps the answers it had to compute.
pub async fn serve_cached(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|s| s.response_cache.enabled && cacheable(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let cache = &state.response_cache;
    // Without the counter nothing can be trusted to be current: compute, keep nothing.
    let Ok(generation) = cache.watch.generation(&state.store).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if cache.generation.fetch_max(generation, Ordering::AcqRel) < generation {
        cache.answers.clear();
    }
    let key = cache_key(&req);
    if let Some(kept) = cache.answers.get(&key) {
        let response = replay(&req, &kept);
        return Ok(req.into_response(response));
    }

    let response = next.call(req).await?;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(SEARCH_BACKEND)
            .is_none_or(|backend| backend.as_bytes() == b"postgres");
    if !keep {
        return Ok(response.map_into_boxed_body());
    }
    let (http_req, res) = response.into_parts();
    let (mut res, body) = res.into_parts();
    let Ok(body) = body::to_bytes(body).await else {
        return Err(actix_web::error::ErrorInternalServerError(
            "the response body could not be read",
        ));
    };
    let kept = Arc::new(CachedResponse {
        headers: kept_headers(res.headers()),
        etag: res
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.clone(),
        compressed: Precompressed::default(),
    });
    // An answer computed while the data changed may show either side of the change.
    if cache.watch.last_generation() == generation {
        cache.answers.insert(key, kept);
    }
    res.headers_mut().insert(
        HeaderName::from_static(CACHE_STATUS),
        HeaderValue::from_static("miss"),
    );
    let res = res.set_body(BoxBody::new(body));
    Ok(ServiceResponse::new(http_req, res))
}

fn kept_headers(headers: &HeaderMap) -> Vec<(HeaderName, HeaderValue)> {
    let mut kept: Vec<(HeaderName, HeaderValue)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| headers.get(name).map(|v| (name.clone(), v.clone())))
        .collect();
    if let Some(backend) = headers.get(SEARCH_BACKEND) {
        kept.push((HeaderName::from_static(SEARCH_BACKEND), backend.clone()));
    }
    kept
}

/// The kept answer, or 304 when the client already has it; compressed as the client prefers
/// (the compression middleware leaves a response that already has a `Content-Encoding`).
fn replay(req: &ServiceRequest, kept: &CachedResponse) -> HttpResponse {
    let client_has_it = kept
        .etag
        .as_deref()
        .is_some_and(|etag| if_none_match_hits(req.request(), etag));
    let mut response = if client_has_it {
        HttpResponse::NotModified().finish()
    } else {
        match kept.compressed.for_request(req.request(), &kept.body) {
            Some((encoding, body)) => HttpResponse::Ok()
                .insert_header((header::CONTENT_ENCODING, encoding))
                .body(body),
            None => HttpResponse::Ok().body(kept.body.clone()),
        }
    };
    let headers = response.headers_mut();
    for (name, value) in &kept.headers {
        if client_has_it && name == header::CONTENT_TYPE {
            continue;
        }
        headers.insert(name.clone(), value.clone());
    }
    headers.insert(
        HeaderName::from_static(CACHE_STATUS),
        HeaderValue::from_static("hit"),
    );
    response
}
