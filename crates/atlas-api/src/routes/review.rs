//! The moderators' queue: `GET /v1/moderation/queue`, `GET /v1/moderation/items/{id}` and
//! the decisions `approve`, `reject`, `request-changes`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use atlas_domain::diff::profile_diff;
use atlas_domain::query::DEFAULT_LIMIT;
use atlas_domain::{ActorQuery, FieldError, ValidationErrors};
use atlas_store::Decision;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Moderator;
use crate::error::{ApiError, Problem};
use crate::params::{parse_optional_json, parse_query};
use crate::routes::moderation::FieldChangeView;
use crate::AppState;

const KINDS: [&str; 4] = ["submission", "edit", "report", "erasure_request"];

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Only this kind: `submission`, `edit`, `report` or `erasure_request`.
    kind: Option<String>,
    /// 1 to 1000, default 50.
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
    /// Opaque cursor from the previous page's `next_cursor`.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemView {
    pub id: Uuid,
    pub kind: String,
    pub actor_id: Uuid,
    pub actor_name: String,
    /// For reports: wrong_data, closed, duplicate or abuse.
    pub reason: Option<String>,
    /// Data-quality flags (point outside its country, swapped coordinates, geocoded to town).
    #[schema(value_type = Object)]
    pub flags: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueResponse {
    /// Oldest first.
    pub items: Vec<QueueItemView>,
    pub next_cursor: Option<String>,
    /// Open items per kind (whatever the `kind` filter).
    #[schema(value_type = BTreeMap<String, i64>)]
    pub counts: std::collections::BTreeMap<String, i64>,
}

fn decode_queue_cursor(raw: &str) -> Result<(DateTime<Utc>, Uuid), FieldError> {
    let invalid = || {
        FieldError::new(
            "cursor",
            "invalid_cursor",
            "the cursor is not one this API returned",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// The review queue
///
/// Pending submissions, owner edits, reports and erasure requests, oldest first, with counts
/// per kind.
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])), params(QueueParams), responses(
    (status = 200, body = QueueResponse),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
))]
#[get("/moderation/queue")]
pub async fn moderation_queue(
    state: web::Data<AppState>,
    _moderator: Moderator,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: QueueParams = parse_query(&req)?;
    let mut errors = ValidationErrors::default();
    let kind = params.kind.as_deref().map(str::trim);
    if let Some(kind) = kind.filter(|k| !KINDS.contains(k)) {
        errors.push(
            "kind",
            "invalid_kind",
            format!("`{kind}` is not one of {}", KINDS.join(", ")),
        );
    }
    let limit = params
        .limit
        .as_deref()
        .and_then(|raw| errors.take(ActorQuery::parse_limit(raw)))
        .unwrap_or(DEFAULT_LIMIT);
    let after = params
        .cursor
        .as_deref()
        .and_then(|raw| errors.take(decode_queue_cursor(raw)));
    errors.into_result(|| ())?;
    let (items, counts) = state.store.moderation_queue(kind, after, limit).await?;
    let next_cursor = (items.len() == limit as usize)
        .then(|| {
            items.last().map(|i| {
                URL_SAFE_NO_PAD
                    .encode(serde_json::to_vec(&(i.created_at, i.id)).unwrap_or_default())
            })
        })
        .flatten();
    let items = items
        .into_iter()
        .map(|i| QueueItemView {
            id: i.id,
            kind: i.kind,
            actor_id: i.actor_id,
            actor_name: i.actor_name,
            reason: i.reason,
            flags: i.flags,
            created_at: i.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(QueueResponse {
            items,
            next_cursor,
            counts: counts.into_iter().collect(),
        }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub actor_id: Uuid,
    pub actor_status: String,
    pub actor_version: i32,
    /// The proposed profile (submissions and edits).
    #[schema(value_type = Object)]
    pub proposal: Option<serde_json::Value>,
    /// The current published profile, when the actor is published.
    #[schema(value_type = Object)]
    pub current: Option<serde_json::Value>,
    /// Field by field, current → proposed (multilingual text per language).
    pub diff: Vec<FieldChangeView>,
    #[schema(value_type = Object)]
    pub duplicates: serde_json::Value,
    #[schema(value_type = Object)]
    pub flags: serde_json::Value,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub feedback: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Sent by a partner with an API key (its name and key prefix): no email confirmation was
    /// needed, the partner vouches for the submitter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

/// One item to decide
///
/// The proposal, the current published version, a field-by-field diff, duplicate candidates
/// and data-quality flags. No outbound request is made (a website is not checked).
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 200, body = ItemResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/moderation/items/{id}")]
pub async fn moderation_item(
    state: web::Data<AppState>,
    _moderator: Moderator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = item_id(&path)?;
    let item = state
        .store
        .moderation_item(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("moderation item".into()))?;
    let current = (item.actor_status == "published").then_some(item.current);
    let diff = match &item.proposed {
        Some(proposed) => profile_diff(
            current.as_ref().unwrap_or(&serde_json::Value::Null),
            proposed,
        )
        .into_iter()
        .map(FieldChangeView::from)
        .collect(),
        None => Vec::new(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ItemResponse {
            id: item.id,
            kind: item.kind,
            status: item.status,
            actor_id: item.actor_id,
            actor_status: item.actor_status,
            actor_version: item.actor_version,
            proposal: item.proposed,
            current,
            diff,
            duplicates: item.duplicates,
            flags: item.flags,
            reason: item.reason,
            message: item.message,
            feedback: item.feedback,
            created_at: item.created_at,
            partner: item.partner,
        }))
}

fn item_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw)
        .map_err(|_| FieldError::new("id", "invalid_id", "an item id is a UUID").into())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// For the submitter and the record: why (required to reject or request changes).
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    pub id: Uuid,
    /// approved, rejected or changes_requested.
    pub status: String,
    pub actor_id: Uuid,
}

async fn decide(
    state: &AppState,
    moderator: &Moderator,
    req: &HttpRequest,
    raw_id: &str,
    body: &[u8],
    decision: Decision,
) -> Result<HttpResponse, ApiError> {
    let id = item_id(raw_id)?;
    let note = parse_optional_json::<DecisionRequest>(req, body)?
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if decision != Decision::Approve && note.is_none() {
        return Err(FieldError::new("note", "required", "say why, for the submitter").into());
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 2_000) {
        return Err(FieldError::new("note", "too_long", "at most 2000 characters").into());
    }
    let (actor, status) = state
        .store
        .decide_item(id, decision, &moderator.user, note.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(DecisionResponse {
        id,
        status,
        actor_id: actor.0,
    }))
}

/// Approve an item
///
/// A submission is published; an owner edit becomes the published profile (if the listing did
/// not change since); an erasure request removes the listing and its personal data for good;
/// a report is acknowledged. Deciding twice is a 409.
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The item's id")), request_body = DecisionRequest,
    responses(
        (status = 200, body = DecisionResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided, or the listing changed", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/moderation/items/{id}/approve")]
pub async fn approve_item(
    state: web::Data<AppState>,
    moderator: Moderator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &moderator, &req, &path, &body, Decision::Approve).await
}

/// Reject an item
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The item's id")), request_body = DecisionRequest,
    responses(
        (status = 200, body = DecisionResponse),
        (status = 400, description = "No reason given", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/moderation/items/{id}/reject")]
pub async fn reject_item(
    state: web::Data<AppState>,
    moderator: Moderator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &moderator, &req, &path, &body, Decision::Reject).await
}

/// Ask the submitter for changes
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The item's id")), request_body = DecisionRequest,
    responses(
        (status = 200, body = DecisionResponse),
        (status = 400, description = "No message given", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/moderation/items/{id}/request-changes")]
pub async fn request_changes(
    state: web::Data<AppState>,
    moderator: Moderator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    decide(
        &state,
        &moderator,
        &req,
        &path,
        &body,
        Decision::RequestChanges,
    )
    .await
}
