//! Administration: `POST /v1/admin/users`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use atlas_domain::{NewUser, User, UserId};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{hash_password, Admin};
use crate::error::{ApiError, Problem};
use crate::params::parse_json;
use crate::routes::auth::UserView;
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub display_name: String,
    /// `moderator` or `admin`.
    pub role: String,
    /// At least 12 characters.
    pub password: String,
}

/// Create a moderator or admin
///
/// Admins only. The new user logs in with `POST /v1/auth/login`.
#[utoipa::path(tag = "moderation", security(("bearer" = ["admin"])), request_body = CreateUserRequest, responses(
    (status = 201, body = UserView),
    (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
))]
#[post("/admin/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: Admin,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: CreateUserRequest = parse_json(&req, &body)?;
    let user = create_account(
        &state,
        Some(&admin.0.user),
        &body.email,
        &body.display_name,
        &body.role,
        &body.password,
    )
    .await?;
    Ok(HttpResponse::Created().json(UserView::from(&user)))
}

/// Creates an account and records it in the audit log; used by the API and `atlas create-admin`.
pub async fn create_account(
    state: &AppState,
    by: Option<&User>,
    email: &str,
    display_name: &str,
    role: &str,
    password: &str,
) -> Result<User, ApiError> {
    let new = NewUser::parse(email, display_name, role, password)?;
    let password = new.password.clone();
    let hash = web::block(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let user = User {
        id: UserId(Uuid::new_v4()),
        email: new.email,
        display_name: new.display_name,
        role: new.role,
    };
    let created = state
        .store
        .create_user(&user, &hash)
        .await?
        .ok_or_else(|| ApiError::Conflict("email_taken", "a user with this email exists".into()))?;
    state
        .store
        .record_audit(
            by,
            "create_user",
            "user",
            &created.id.to_string(),
            serde_json::json!({"email": created.email, "role": created.role.as_str()}),
        )
        .await?;
    Ok(created)
}
