//! Liveness and readiness for orchestrators and monitoring.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    pub status: &'static str,
}

/// Alive
///
/// The process answers; says nothing about its dependencies.
#[utoipa::path(tag = "operations", responses((status = 200, body = HealthResponse)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(HealthResponse { status: "ok" })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchBackendState {
    /// The backend answering text search now: `meilisearch` when configured and healthy,
    /// else `postgres`.
    pub backend: &'static str,
    /// Meilisearch: `not_configured` (PostgreSQL alone), `ok`, or `unavailable` (PostgreSQL
    /// answers meanwhile; queued changes wait in the outbox).
    pub state: &'static str,
    /// Actor changes waiting to reach the search index.
    pub outbox_backlog: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessResponse {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    /// `ok` or `unavailable`.
    pub database: &'static str,
    /// The PostGIS library version, when the database answers.
    pub postgis: Option<String>,
    pub search: SearchBackendState,
}

/// Ready to serve
///
/// 200 when the database answers; 503 otherwise. The search backend's state is reported but
/// never fails readiness: search falls back to PostgreSQL.
#[utoipa::path(tag = "operations", responses(
    (status = 200, body = ReadinessResponse),
    (status = 503, body = ReadinessResponse, description = "The database is unreachable"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let postgis = state.store.postgis_version().await;
    let status = state.search.status().await;
    let search = SearchBackendState {
        backend: status.backend,
        state: status.state,
        outbox_backlog: state.store.outbox_backlog().await.ok(),
    };
    let body = ReadinessResponse {
        status: if postgis.is_ok() {
            "ready"
        } else {
            "unavailable"
        },
        database: if postgis.is_ok() { "ok" } else { "unavailable" },
        postgis: postgis.as_ref().ok().cloned(),
        search,
    };
    if let Err(error) = &postgis {
        tracing::warn!(%error, "readiness check: database unavailable");
    }
    let mut response = if postgis.is_ok() {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}
