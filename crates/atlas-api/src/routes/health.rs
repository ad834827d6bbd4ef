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
    /// The backend that answers text search: `postgres`, or `meilisearch` when configured.
    pub backend: &'static str,
    /// Meilisearch: `not_configured`, or `not_supported_yet` when `MEILI_URL` is set (this
    /// version searches PostgreSQL only).
    pub state: &'static str,
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
    let search = SearchBackendState {
        backend: "postgres",
        state: if state.config.meili_url.is_some() {
            "not_supported_yet"
        } else {
            "not_configured"
        },
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
