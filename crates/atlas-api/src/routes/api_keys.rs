//! Partner API keys, issued and revoked by admins: `POST/GET /v1/admin/api-keys`,
//! `DELETE /v1/admin/api-keys/{id}`. The secret is shown once, in the 201 answer; the Atlas
//! keeps only its SHA-256 and a visible prefix.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use atlas_domain::{ApiKeyDraft, FieldError};
use atlas_store::ApiKeyRecord;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{mint_partner_key, Admin};
use crate::body::parse_body;
use crate::error::{ApiError, Problem};
use crate::params::parse_json;
use crate::AppState;

/// A key to issue to a partner organisation.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// The partner organisation (shown to moderators as the submitter).
    #[schema(example = "Netzwerk Soziale Ökonomie Wien")]
    pub name: Option<String>,
    /// `submit` (propose new listings) and/or `edit` (propose edits to the listings in
    /// `actor_ids`).
    #[schema(example = json!(["submit", "edit"]))]
    pub scopes: Vec<String>,
    /// With the `edit` scope: the ids of the listings the partner may edit (they must exist).
    pub actor_ids: Vec<String>,
    /// Write requests the key may make per clock hour (UTC), 1 to 100000.
    #[schema(example = 500)]
    pub quota_per_hour: Option<i64>,
    /// RFC 3339; the key is refused from then on. Absent: it does not expire.
    #[schema(example = "2027-12-31T23:59:59Z")]
    pub expires_at: Option<String>,
}

const CREATE_FIELDS: &[&str] = &[
    "name",
    "scopes",
    "actor_ids",
    "quota_per_hour",
    "expires_at",
];

/// A partner key as admins see it (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    /// The key's first characters, to recognise it (`atlas_pk_` and 8 more).
    #[schema(example = "atlas_pk_Xk3vQ9aB")]
    pub prefix: String,
    #[schema(example = json!(["submit"]))]
    pub scopes: Vec<String>,
    /// The listings the `edit` scope covers.
    pub actor_ids: Vec<Uuid>,
    pub quota_per_hour: i32,
    /// Write requests counted in the current clock hour.
    pub requests_this_hour: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// `active`, `revoked` or `expired`.
    #[schema(example = "active")]
    pub status: String,
}

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(record: &ApiKeyRecord) -> Self {
        let status = if record.revoked_at.is_some() {
            "revoked"
        } else if record.expires_at.is_some_and(|at| at <= Utc::now()) {
            "expired"
        } else {
            "active"
        };
        ApiKeyView {
            id: record.id,
            name: record.name.clone(),
            prefix: record.prefix.clone(),
            scopes: record
                .scopes()
                .names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            actor_ids: record.editable_actors.clone(),
            quota_per_hour: record.quota_per_hour,
            requests_this_hour: record.requests_this_hour,
            expires_at: record.expires_at,
            created_at: record.created_at,
            revoked_at: record.revoked_at,
            last_used_at: record.last_used_at,
            status: status.to_owned(),
        }
    }
}

/// A new key: its description and, this once, the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The secret, shown only now: the partner sends it as `Authorization: Bearer <secret>`.
    #[schema(example = "atlas_pk_Xk3vQ9aB...")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyListResponse {
    pub items: Vec<ApiKeyView>,
}

/// Issue a partner API key
///
/// Admins only. The answer holds the secret, shown this once; the Atlas stores its SHA-256.
/// With the key, a partner's submissions skip the email confirmation (not moderation) and it
/// may propose edits to the listings of its `edit` scope. The key's write requests count
/// against `quota_per_hour` (per clock hour, UTC) instead of the per-client limit. Recorded
/// in the audit log.
#[utoipa::path(tag = "moderation", security(("bearer" = ["admin"])), request_body = CreateApiKeyRequest, responses(
    (status = 201, description = "Issued; the secret is in the body, once", body = CreatedApiKeyResponse),
    (status = 400, description = "Invalid fields (all of them): scopes, actor_ids (malformed or unknown), quota_per_hour, expires_at", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
))]
#[post("/admin/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    admin: Admin,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: serde_json::Value = parse_json(&req, &body)?;
    let parsed = parse_body::<CreateApiKeyRequest>(body, CREATE_FIELDS)?;
    let mut errors = parsed.errors;
    let request = parsed.value;
    let draft = ApiKeyDraft {
        name: request.name,
        scopes: request.scopes,
        actor_ids: request.actor_ids.clone(),
        quota_per_hour: request.quota_per_hour,
        expires_at: request.expires_at,
    };
    let new = match draft.parse(Utc::now()) {
        Ok(new) if errors.is_empty() => new,
        Ok(_) => return Err(errors.into()),
        Err(domain) => {
            errors.0.extend(domain.0);
            return Err(errors.into());
        }
    };
    let minted = mint_partner_key()?;
    let id = Uuid::new_v4();
    let record = state
        .store
        .create_api_key(id, &minted.prefix, &minted.hash, &new, &admin.0.user)
        .await?
        .map_err(|unknown| {
            ApiError::from(
                unknown
                    .iter()
                    .map(|missing| {
                        let index = request
                            .actor_ids
                            .iter()
                            .position(|raw| Uuid::parse_str(raw.trim()).ok() == Some(missing.0))
                            .unwrap_or_default();
                        FieldError::new(
                            format!("actor_ids[{index}]"),
                            "unknown_actor",
                            format!("there is no listing {}", missing.0),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::LOCATION, format!("/v1/admin/api-keys/{id}")))
        .json(CreatedApiKeyResponse {
            key: ApiKeyView::from(&record),
            secret: minted.key,
        }))
}

/// List partner API keys
///
/// Admins only. Every key ever issued, newest first, with its status and this hour's usage;
/// never the secrets. (Not paginated: keys are issued by hand, a few dozen at most.)
#[utoipa::path(tag = "moderation", security(("bearer" = ["admin"])), responses(
    (status = 200, body = ApiKeyListResponse),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    _admin: Admin,
) -> Result<HttpResponse, ApiError> {
    let keys = state.store.api_keys().await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiKeyListResponse {
            items: keys.iter().map(ApiKeyView::from).collect(),
        }))
}

/// Revoke a partner API key
///
/// Admins only. The key is refused (401) from now on; what it submitted stays in the queue.
/// Revoking a revoked key changes nothing. Recorded in the audit log.
#[utoipa::path(tag = "moderation", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Key id")),
    responses(
    (status = 200, description = "Revoked", body = ApiKeyView),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/api-keys/{id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path).map_err(|_| ApiError::NotFound(format!("API key {path}")))?;
    let record = state
        .store
        .revoke_api_key(id, &admin.0.user)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("API key {id}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiKeyView::from(&record)))
}
