//! Webhooks (admins): register a URL to be told of every change-feed event, see its recent
//! deliveries, retry the parked ones, remove it. Deliveries are sent by a worker (see
//! `crate::webhooks`), never inside a request.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use atlas_domain::{DeliveryStatus, FieldError, NewWebhook, Webhook, WebhookDelivery, WebhookId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::params::parse_json;
use crate::webhooks::UrlRefusal;
use crate::AppState;

/// Deliveries shown with a webhook.
const RECENT_DELIVERIES: u32 = 50;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// `http` or `https` URL the events are POSTed to. Its host must be a public internet
    /// address unless the server runs with `WEBHOOK_ALLOW_PRIVATE=true`.
    pub url: Option<String>,
    /// Change kinds to deliver: any of `created`, `updated`, `deleted` (a merge is a
    /// `deleted` of the duplicate and an `updated` of the actor it went into).
    pub events: Option<Vec<String>>,
    /// 16 to 256 characters; every delivery is signed with it. Never shown again.
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&Webhook> for WebhookView {
    fn from(webhook: &Webhook) -> Self {
        WebhookView {
            id: webhook.id.0,
            url: webhook.url.clone(),
            events: webhook
                .events
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
            created_at: webhook.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookListResponse {
    pub items: Vec<WebhookView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    /// The change event's position in the feed (`GET /v1/changes`).
    pub seq: i64,
    pub kind: String,
    /// `pending` (to be sent or retried), `delivered` or `parked` (gave up; see retry).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_response_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&WebhookDelivery> for DeliveryView {
    fn from(d: &WebhookDelivery) -> Self {
        DeliveryView {
            id: d.id,
            seq: d.seq,
            kind: d.kind.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_response_status: d.last_response_status,
            last_error: d.last_error.clone(),
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDetailResponse {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// Deliveries waiting to be sent or retried.
    pub pending: i64,
    /// Deliveries given up after the maximum attempts; `POST …/retry` queues them again.
    pub parked: i64,
    /// The 50 newest deliveries, newest first.
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetryResponse {
    /// Parked deliveries queued again.
    pub requeued: usize,
}

/// Register a webhook
///
/// Admins only. From now on, every change-feed event of the chosen kinds is POSTed to `url`
/// as JSON `{delivery_id, seq, actor_id, kind, version, at, actor_url}` (public data only),
/// with the headers `Atlas-Event`, `Atlas-Delivery` and
/// `Atlas-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
/// Verify by recomputing the HMAC over the timestamp, a `.` and the raw body, comparing in
/// constant time, and refusing timestamps more than 5 minutes from your clock (replays).
/// Answer 2xx to acknowledge; anything else (and redirects, which are not followed, and no
/// answer within the timeout) is retried with exponential back-off, then the delivery is
/// parked. Deliveries of one webhook may arrive out of order when retried: order by `seq`.
#[utoipa::path(tag = "webhooks", security(("bearer" = ["admin"])), request_body = CreateWebhookRequest, responses(
    (status = 201, body = WebhookView, headers(("Location" = String))),
    (status = 400, description = "Invalid fields, or a URL that may not receive webhooks (`forbidden_address`)", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
))]
#[post("/admin/webhooks")]
pub async fn create_webhook(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: CreateWebhookRequest = parse_json(&req, &body)?;
    let new = NewWebhook::parse(
        body.url.as_deref(),
        body.events.as_deref(),
        body.secret.as_deref(),
    )?;
    state
        .webhooks
        .guard()
        .check_url(&new.url)
        .await
        .map_err(|refusal| match refusal {
            UrlRefusal::Forbidden(m) => FieldError::new("url", "forbidden_address", m),
            UrlRefusal::Unresolvable(m) => FieldError::new("url", "unresolvable_host", m),
        })?;
    let webhook = state
        .store
        .create_webhook(&new, Some(admin.0.user.id))
        .await?;
    state
        .store
        .record_audit(
            Some(&admin.0.user),
            "create_webhook",
            "webhook",
            &webhook.id.to_string(),
            serde_json::json!({"url": webhook.url, "events": WebhookView::from(&webhook).events}),
        )
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/admin/webhooks/{}", webhook.id),
        ))
        .json(WebhookView::from(&webhook)))
}

/// List webhooks
///
/// Admins only; oldest first. Secrets are never shown.
#[utoipa::path(tag = "webhooks", security(("bearer" = ["admin"])), responses(
    (status = 200, body = WebhookListResponse),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/webhooks")]
pub async fn list_webhooks(
    _admin: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .store
        .webhooks()
        .await?
        .iter()
        .map(WebhookView::from)
        .collect();
    Ok(HttpResponse::Ok().json(WebhookListResponse { items }))
}

async fn found(state: &AppState, id: Uuid) -> Result<Webhook, ApiError> {
    state
        .store
        .webhook(WebhookId(id))
        .await?
        .ok_or_else(|| ApiError::NotFound("webhook".into()))
}

/// One webhook with its recent deliveries
///
/// Admins only: the 50 newest deliveries with their status, attempts and last error, and
/// how many are pending and parked.
#[utoipa::path(tag = "webhooks", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
    (status = 200, body = WebhookDetailResponse),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/webhooks/{id}")]
pub async fn get_webhook(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let webhook = found(&state, path.into_inner()).await?;
    let deliveries = state
        .store
        .webhook_deliveries(webhook.id, RECENT_DELIVERIES)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookDetailResponse {
        pending: state
            .store
            .webhook_delivery_count(webhook.id, DeliveryStatus::Pending)
            .await?,
        parked: state
            .store
            .webhook_delivery_count(webhook.id, DeliveryStatus::Parked)
            .await?,
        webhook: WebhookView::from(&webhook),
        deliveries: deliveries.iter().map(DeliveryView::from).collect(),
    }))
}

/// Remove a webhook
///
/// Admins only. Its pending deliveries are dropped with it.
#[utoipa::path(tag = "webhooks", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
    (status = 204, description = "Removed"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/webhooks/{id}")]
pub async fn delete_webhook(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = WebhookId(path.into_inner());
    if !state.store.delete_webhook(id).await? {
        return Err(ApiError::NotFound("webhook".into()));
    }
    state
        .store
        .record_audit(
            Some(&admin.0.user),
            "delete_webhook",
            "webhook",
            &id.to_string(),
            serde_json::json!({}),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Retry a webhook's parked deliveries
///
/// Admins only: every parked delivery is queued again, due now, with its attempts reset (for
/// when the receiver is back).
#[utoipa::path(tag = "webhooks", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
    (status = 200, body = RetryResponse),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
))]
#[post("/admin/webhooks/{id}/retry")]
pub async fn retry_parked_deliveries(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let webhook = found(&state, path.into_inner()).await?;
    let requeued = state.store.retry_parked_deliveries(webhook.id).await?;
    Ok(HttpResponse::Ok().json(RetryResponse { requeued }))
}
