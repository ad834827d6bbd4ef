//! Moderator actions on published actors: history, archive, restore, merge; and the audit log.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use atlas_domain::actor::ActorRef;
use atlas_domain::diff::{profile_diff, FieldChange};
use atlas_domain::query::{DEFAULT_LIMIT, MAX_LIMIT};
use atlas_domain::{ActorId, ActorQuery, FieldError, ReviewAction, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Moderator;
use crate::error::{ApiError, Problem};
use crate::params::{parse_json, parse_optional_json, parse_query};
use crate::AppState;

fn actor_id(raw: &str) -> Result<ActorId, ApiError> {
    match ActorRef::parse(raw) {
        ActorRef::Id(id) => Ok(id),
        ActorRef::Slug(_) => Err(FieldError::new(
            "id",
            "invalid_id",
            "moderation endpoints take the actor's UUID",
        )
        .into()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeView {
    /// The field, with the language for multilingual text (`description.de`).
    pub field: String,
    #[schema(value_type = Object)]
    pub old: serde_json::Value,
    #[schema(value_type = Object)]
    pub new: serde_json::Value,
}

impl From<FieldChange> for FieldChangeView {
    fn from(change: FieldChange) -> Self {
        FieldChangeView {
            field: change.field,
            old: change.old,
            new: change.new,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub version: i32,
    pub status: String,
    /// Who made the change.
    pub author: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    /// What changed from the previous version (everything, for the first).
    pub changes: Vec<FieldChangeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryResponse {
    pub actor_id: Uuid,
    pub revisions: Vec<RevisionView>,
}

/// An actor's history
///
/// Every revision, oldest first: who, when, why, and a field-by-field diff.
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The actor's UUID")),
    responses(
        (status = 200, body = HistoryResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such actor", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/actors/{id}/history")]
pub async fn actor_history(
    state: web::Data<AppState>,
    _moderator: Moderator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let revisions = state
        .store
        .actor_history(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("actor".into()))?;
    let mut previous = serde_json::Value::Null;
    let mut views = Vec::with_capacity(revisions.len());
    for revision in revisions {
        let changes = profile_diff(&previous, &revision.profile)
            .into_iter()
            .map(FieldChangeView::from)
            .collect();
        previous = revision.profile;
        views.push(RevisionView {
            version: revision.version,
            status: revision.status,
            author: revision.author,
            note: revision.note,
            at: revision.at,
            changes,
        });
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(HistoryResponse {
            actor_id: id.0,
            revisions: views,
        }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationNoteRequest {
    /// Why; kept in the history and the audit log.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    pub id: Uuid,
    pub status: String,
    pub version: i32,
}

async fn change_status(
    state: &AppState,
    moderator: &Moderator,
    raw_id: &str,
    action: ReviewAction,
    note: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(raw_id)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 2_000) {
        return Err(FieldError::new("note", "too_long", "at most 2000 characters").into());
    }
    let (status, version) = state
        .store
        .change_actor_status(id, action, &moderator.user, note)
        .await?;
    Ok(HttpResponse::Ok().json(StatusResponse {
        id: id.0,
        status: status.as_str().to_owned(),
        version,
    }))
}

/// Archive an actor
///
/// Takes a published actor off the map (a `deleted` event in the change feed).
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The actor's UUID")), request_body = ModerationNoteRequest,
    responses(
        (status = 200, body = StatusResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such actor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/actors/{id}/archive")]
pub async fn archive_actor(
    state: web::Data<AppState>,
    moderator: Moderator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let note = parse_optional_json::<ModerationNoteRequest>(&req, &body)?.note;
    change_status(
        &state,
        &moderator,
        &path,
        ReviewAction::Archive,
        note.as_deref(),
    )
    .await
}

/// Restore an archived actor
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The actor's UUID")), request_body = ModerationNoteRequest,
    responses(
        (status = 200, body = StatusResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such actor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not archived, or merged", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/actors/{id}/restore")]
pub async fn restore_actor(
    state: web::Data<AppState>,
    moderator: Moderator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let note = parse_optional_json::<ModerationNoteRequest>(&req, &body)?.note;
    change_status(
        &state,
        &moderator,
        &path,
        ReviewAction::Restore,
        note.as_deref(),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The UUID of the actor that stays.
    pub into: Uuid,
}

/// Merge a duplicate into another actor
///
/// The duplicate leaves the map; its id and slug answer 301 to the survivor, which keeps the
/// duplicate's name as an alternative name. Recorded in both histories and the audit log.
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])),
    params(("id" = Uuid, Path, description = "The duplicate's UUID")), request_body = MergeRequest,
    responses(
        (status = 200, body = StatusResponse, description = "The survivor after the merge"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such actor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cannot merge these", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/actors/{id}/merge")]
pub async fn merge_actor(
    state: web::Data<AppState>,
    moderator: Moderator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let from = actor_id(&path)?;
    let into = ActorId(parse_json::<MergeRequest>(&req, &body)?.into);
    state.store.merge_actor(from, into, &moderator.user).await?;
    let survivor = state
        .store
        .published_actor(&ActorRef::Id(into))
        .await?
        .ok_or_else(|| ApiError::NotFound("actor".into()))?;
    Ok(HttpResponse::Ok().json(StatusResponse {
        id: into.0,
        status: survivor.status.as_str().to_owned(),
        version: survivor.version,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries older than this entry id (from the previous page's `next_before`).
    #[param(value_type = Option<i64>)]
    before: Option<String>,
    /// 1 to 1000, default 50.
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who: display name and email, or `cli`.
    pub by: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditResponse {
    pub items: Vec<AuditEntryView>,
    /// Pass as `before` for older entries; absent at the beginning of the log.
    pub next_before: Option<i64>,
}

/// The audit log
///
/// Every moderation and administration action, newest first. Append-only: the database
/// refuses to change or delete an entry.
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])), params(AuditParams), responses(
    (status = 200, body = AuditResponse),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
))]
#[get("/audit")]
pub async fn audit_log(
    state: web::Data<AppState>,
    _moderator: Moderator,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: AuditParams = parse_query(&req)?;
    let mut errors = ValidationErrors::default();
    let before = params.before.as_deref().and_then(|raw| {
        errors.take(raw.trim().parse::<i64>().map_err(|_| {
            FieldError::new(
                "before",
                "invalid_before",
                "an entry id from a previous page",
            )
        }))
    });
    let limit = params
        .limit
        .as_deref()
        .and_then(|raw| errors.take(ActorQuery::parse_limit(raw)))
        .unwrap_or(DEFAULT_LIMIT);
    errors.into_result(|| ())?;
    let entries = state.store.audit_log(before, limit.min(MAX_LIMIT)).await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let items = entries
        .into_iter()
        .map(|e| AuditEntryView {
            id: e.id,
            at: e.at,
            by: e.user_label,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            details: e.details,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AuditResponse { items, next_before }))
}
