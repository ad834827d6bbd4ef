//! Moderator sessions: `POST /v1/auth/login` and `POST /v1/auth/logout`.

use actix_web::{post, web, HttpResponse};
use atlas_domain::moderation::{LOCKOUT_MINUTES, MAX_FAILED_LOGINS};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{new_token, verify_password, Moderator};
use crate::error::{ApiError, Problem};
use crate::AppState;

const SESSION_HOURS: i64 = 12;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `moderator` or `admin`.
    pub role: String,
}

impl From<&atlas_domain::User> for UserView {
    fn from(user: &atlas_domain::User) -> Self {
        UserView {
            id: user.id.0,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// Log in
///
/// Exchanges a moderator's email and password for a bearer token valid for 12 hours. After
/// 5 failed attempts in a row the account is locked for 15 minutes (429 with `Retry-After`).
#[utoipa::path(tag = "moderation", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 400, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let record = state.store.login_record(body.email.trim()).await?;
    let now = Utc::now();
    if let Some(locked_until) = record
        .as_ref()
        .and_then(|r| r.locked_until)
        .filter(|until| *until > now)
    {
        return Err(ApiError::LoginLocked {
            retry_after_secs: u64::try_from((locked_until - now).num_seconds().max(1)).unwrap_or(1),
        });
    }
    let password = body.password.clone();
    let stored = record.as_ref().map(|r| r.password_hash.clone());
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let verified = web::block(move || verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let record = match (record, verified) {
        (Some(record), true) => record,
        (Some(record), false) => {
            state
                .store
                .record_failed_login(
                    record.user.id,
                    MAX_FAILED_LOGINS,
                    now + Duration::minutes(LOCKOUT_MINUTES),
                )
                .await?;
            return Err(ApiError::Unauthorized(
                "unauthorized",
                "wrong email or password".into(),
            ));
        }
        (None, _) => {
            return Err(ApiError::Unauthorized(
                "unauthorized",
                "wrong email or password".into(),
            ))
        }
    };
    let (token, hash) = new_token()?;
    let expires_at = now + Duration::hours(SESSION_HOURS);
    state
        .store
        .start_session(record.user.id, &hash, expires_at)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(LoginResponse {
            token,
            token_type: "Bearer",
            expires_at,
            user: UserView::from(&record.user),
        }))
}

/// Log out
///
/// Revokes the bearer token used for this request.
#[utoipa::path(tag = "moderation", security(("bearer" = ["moderator"])), responses(
    (status = 204, description = "The token no longer works"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    moderator: Moderator,
) -> Result<HttpResponse, ApiError> {
    state.store.revoke_session(&moderator.token_hash).await?;
    Ok(HttpResponse::NoContent().finish())
}
