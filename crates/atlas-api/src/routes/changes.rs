//! `GET /v1/changes`: the change feed, for keeping a copy in sync.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use atlas_domain::query::{DEFAULT_LIMIT, MAX_LIMIT};
use atlas_domain::{FieldError, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::http_cache::Cacheable;
use crate::params::parse_query;
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// Return events after this sequence number (default 0: from the beginning).
    #[param(value_type = Option<i64>)]
    since: Option<String>,
    /// At most this many events, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeEventView {
    pub seq: i64,
    pub actor_id: Uuid,
    /// `created`, `updated` or `deleted`.
    pub kind: String,
    /// The actor's version after the change.
    pub version: i32,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesResponse {
    pub items: Vec<ChangeEventView>,
    /// Pass as `since` for the next call (the last `seq` returned, or your `since` when none).
    pub next_since: i64,
    /// Whether more events are waiting now.
    pub has_more: bool,
}

/// The change feed
///
/// Ordered events `{seq, actor_id, kind, version, at}`, deletions included, written in the same
/// transaction as the change itself: replaying the feed from 0 (fetching each changed actor,
/// dropping deleted ones) reproduces the published dataset.
#[utoipa::path(tag = "open data", params(ChangesParams), responses(
    (status = 200, body = ChangesResponse),
    (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
))]
#[get("/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: ChangesParams = parse_query(&req)?;
    let mut errors = ValidationErrors::default();
    let since = match params.since.as_deref().map(str::trim) {
        None => 0,
        Some(raw) => errors
            .take(raw.parse::<i64>().ok().filter(|s| *s >= 0).ok_or_else(|| {
                FieldError::new(
                    "since",
                    "invalid_since",
                    "since is a sequence number from a previous response (0 or more)",
                )
            }))
            .unwrap_or(0),
    };
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => errors
            .take(atlas_domain::ActorQuery::parse_limit(raw))
            .unwrap_or(DEFAULT_LIMIT),
    };
    errors.into_result(|| ())?;
    // One more than asked tells whether more are waiting.
    let mut events = state
        .store
        .changes_since(since, (limit + 1).min(MAX_LIMIT + 1))
        .await?;
    let has_more = events.len() > limit as usize;
    events.truncate(limit as usize);
    let next_since = events.last().map(|e| e.seq).unwrap_or(since);
    let items = events
        .into_iter()
        .map(|e| ChangeEventView {
            seq: e.seq,
            actor_id: e.actor_id.0,
            kind: e.kind.as_str().to_owned(),
            version: e.version,
            at: e.at,
        })
        .collect();
    let body = ChangesResponse {
        items,
        next_since,
        has_more,
    };
    // The feed grows at its end only: a short cache is safe.
    Ok(
        Cacheable::json(&body, "application/json", 10)?.respond(&req, |builder| {
            builder.insert_header((header::VARY, "Accept-Encoding"));
        }),
    )
}
