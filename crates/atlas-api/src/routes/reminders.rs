//! The "still correct" link of a stale-listing reminder (`atlas remind`).
//!
//! Mail scanners and link previews fetch every link in an email, so the link itself must not
//! act: `GET /v1/actors/{id}/verify?token=` only shows a tiny page with one button, and the
//! button POSTs the token to `/v1/actors/{id}/verify`, which spends it (single use) and
//! records the confirmation. The POST also takes JSON, for forms and scripts.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use atlas_domain::{ActorId, FieldError};
use atlas_store::VerifyOutcome;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::body::parse_body;
use crate::error::{ApiError, Problem};
use crate::params::{parse_json, parse_query};
use crate::routes::submissions::token_error;
use crate::secret::hash_token;
use crate::AppState;

fn actor_id(raw: &str) -> Result<ActorId, ApiError> {
    Uuid::parse_str(raw)
        .map(ActorId)
        .map_err(|_| ApiError::NotFound(format!("actor {raw}")))
}

fn required_token(token: Option<String>) -> Result<String, ApiError> {
    token
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            FieldError::new(
                "token",
                "required",
                "the token from the reminder email is required",
            )
            .into()
        })
}

/// Text for an HTML page: the five characters that could start markup, escaped.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // The token is in the URL: do not hand it to other sites.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\"><title>{title}</title></head>\
             <body style=\"font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em\">\
             {body}</body></html>",
            title = html_text(title),
        ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyPageParams {
    /// The token from the reminder email.
    token: Option<String>,
}

/// The "still correct" page of a reminder email
///
/// Shows the listing's name and one button that confirms it (a POST to the same address).
/// Opening the page changes nothing, so mail scanners that fetch links cannot confirm a
/// listing on the owner's behalf; the token is checked but not spent.
#[utoipa::path(
    tag = "owners",
    params(("id" = Uuid, Path, description = "Actor id"), VerifyPageParams),
    responses(
        (status = 200, description = "A page with a confirmation button", body = String, content_type = "text/html"),
        (status = 400, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, used or expired token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not an actor id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/actors/{id}/verify")]
pub async fn verify_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let params: VerifyPageParams = parse_query(&req)?;
    let token = required_token(params.token)?;
    let name = state
        .store
        .check_verify_token(id, &hash_token(&token))
        .await?
        .map_err(token_error)?;
    Ok(page(
        "Is your listing still correct?",
        &format!(
            "<h1>Is \u{201c}{name}\u{201d} still correct?</h1>\
             <p>If the listing on the Social Tech Atlas is still right, press the button. \
             To change something instead, ask for an edit link on the listing.</p>\
             <form method=\"post\" action=\"/v1/actors/{id}/verify\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <button type=\"submit\" style=\"font-size: 1.2em; padding: .5em 1em\">Yes, it is still correct</button>\
             </form>",
            name = html_text(&name),
            id = id.0,
            token = html_text(&token),
        ),
    ))
}

/// `{token}` from the reminder email.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyRequest {
    pub token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedResponse {
    pub id: Uuid,
    /// Now: the listing was just confirmed.
    pub last_verified_at: DateTime<Utc>,
}

/// Confirm a listing is still correct
///
/// With the token of a reminder email (JSON `{"token": ...}`, or the page's form,
/// `application/x-www-form-urlencoded`). Sets the listing's `last_verified_at`; this is not a
/// change of content, so the version stays and no change-feed event is written. The audit
/// log records it. A token works once.
#[utoipa::path(
    tag = "owners",
    params(("id" = Uuid, Path, description = "Actor id")),
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "Confirmed (a thank-you page when the form was posted)", body = VerifiedResponse),
        (status = 400, description = "No token, or an unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, used or expired token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not an actor id", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/actors/{id}/verify")]
pub async fn verify_actor(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let from_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let token = if from_form {
        form_urlencoded::parse(&body)
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.into_owned())
    } else {
        let value: serde_json::Value = parse_json(&req, &body)?;
        let parsed = parse_body::<VerifyRequest>(value, &["token"])?;
        if !parsed.errors.is_empty() {
            return Err(parsed.errors.into());
        }
        parsed.value.token
    };
    let token = required_token(token)?;
    match state.store.verify_actor(id, &hash_token(&token)).await? {
        VerifyOutcome::Refused(rejection) => Err(token_error(rejection)),
        VerifyOutcome::Verified { name, .. } if from_form => Ok(page(
            "Thank you",
            &format!(
                "<h1>Thank you</h1><p>\u{201c}{}\u{201d} is marked as checked today.</p>",
                html_text(&name)
            ),
        )),
        VerifyOutcome::Verified { at, .. } => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(VerifiedResponse {
                id: id.0,
                last_verified_at: at,
            })),
    }
}
