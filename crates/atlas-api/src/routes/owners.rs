//! What owners and the public can ask about a published listing: an edit link, an edit
//! (pending review), a report, an erasure request. All of it enters the moderation queue;
//! nothing here changes the published actor.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{patch, post, web, HttpRequest, HttpResponse};
use atlas_domain::actor::parse_email;
use atlas_domain::{ActorDraft, ActorId, Complaint, FieldError, Strictness};
use atlas_store::{EditAuthority, EditOutcome, NewComplaint, ProposedEdit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{is_partner_key, partner_of};
use crate::body::{merge_errors, parse_body};
use crate::error::{ApiError, Problem};
use crate::routes::submissions::{token_error, LinkInput, LocationInput};
use crate::secret::hash_token;
use crate::AppState;

fn actor_id(raw: &str) -> Result<ActorId, ApiError> {
    Uuid::parse_str(raw)
        .map(ActorId)
        .map_err(|_| ApiError::NotFound(format!("actor {raw}")))
}

/// An item now in the moderation queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedResponse {
    pub id: Uuid,
    #[schema(example = "pending_review")]
    pub status: String,
}

fn queued(id: Uuid) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(QueuedResponse {
            id,
            status: "pending_review".to_owned(),
        })
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EditLinkRequest {
    /// The listing's contact address.
    pub email: Option<String>,
}

/// Ask for an edit link
///
/// If `email` is the listing's contact address, an edit token is emailed there. The answer is
/// 202 either way, so the endpoint does not reveal who a listing's contact is.
#[utoipa::path(
    tag = "owners",
    params(("id" = Uuid, Path, description = "Actor id")),
    request_body = EditLinkRequest,
    responses(
        (status = 202, description = "If the address is the listing's contact, a link was sent"),
        (status = 400, description = "Invalid email", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/actors/{id}/edit-link")]
pub async fn request_edit_link(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let parsed = parse_body::<EditLinkRequest>(body.into_inner(), &["email"])?;
    if !parsed.errors.is_empty() {
        return Err(parsed.errors.into());
    }
    let email = match parsed.value.email.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(FieldError::new("email", "required", "an email address is required").into())
        }
        Some(raw) => parse_email("email", raw)?,
    };
    if state.store.request_edit_link(id, &email).await? {
        state.mail_wake.notify_one();
    }
    Ok(HttpResponse::Accepted()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// Fields to change; absent fields keep their current value, `""` clears a text field.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActorPatchRequest {
    pub name: Option<String>,
    pub alt_names: Option<Vec<String>>,
    pub summary: Option<BTreeMap<String, String>>,
    pub description: Option<BTreeMap<String, String>>,
    pub kind: Option<String>,
    pub categories: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub street: Option<String>,
    pub location: Option<LocationInput>,
    pub website: Option<String>,
    pub links: Option<Vec<LinkInput>>,
    pub founded_year: Option<i64>,
    pub identifiers: Option<BTreeMap<String, String>>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

const PATCH_FIELDS: &[&str] = &[
    "name",
    "alt_names",
    "summary",
    "description",
    "kind",
    "categories",
    "tags",
    "languages",
    "country",
    "region",
    "city",
    "postcode",
    "street",
    "location",
    "website",
    "links",
    "founded_year",
    "identifiers",
    "contact_email",
    "contact_phone",
];

impl ActorPatchRequest {
    fn is_empty(&self) -> bool {
        self.touched().is_empty()
    }

    fn touched(&self) -> Vec<&'static str> {
        let mut touched = Vec::new();
        macro_rules! check {
            ($($field:ident),*) => { $( if self.$field.is_some() { touched.push(stringify!($field)); } )* };
        }
        check!(
            name,
            alt_names,
            summary,
            description,
            kind,
            categories,
            tags,
            languages,
            country,
            region,
            city,
            postcode,
            street,
            location,
            website,
            links,
            founded_year,
            identifiers,
            contact_email,
            contact_phone
        );
        touched
    }

    fn apply_to(self, draft: &mut ActorDraft) {
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { draft.$field = v; } )* };
        }
        macro_rules! set_opt {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { draft.$field = Some(v); } )* };
        }
        set!(
            alt_names,
            summary,
            description,
            categories,
            tags,
            languages,
            identifiers
        );
        set_opt!(
            name,
            kind,
            country,
            region,
            city,
            postcode,
            street,
            website,
            contact_email,
            contact_phone
        );
        if let Some(year) = self.founded_year {
            draft.founded_year = Some(year);
        }
        if let Some(location) = self.location {
            draft.lat = location.lat;
            draft.lon = location.lon;
            draft.precision = Some("exact".to_owned());
        }
        if let Some(links) = self.links {
            draft.links = links.into_iter().map(|l| (l.kind, l.url)).collect();
        }
    }
}

/// `"3"`, `W/"3"` or `3` → 3.
fn parse_if_match(req: &HttpRequest) -> Result<i32, ApiError> {
    let raw = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    raw.to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            FieldError::new(
                "If-Match",
                "invalid_header",
                "If-Match is the quoted version you edit, e.g. \"3\"",
            )
            .into()
        })
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "token_required",
                "send the edit token from the email as Authorization: Bearer <token>".into(),
            )
        })
}

/// Propose a change to a listing (owner)
///
/// With the emailed edit token (Bearer) and `If-Match: "<version>"`. The change waits for a
/// moderator; the published listing does not change until it is approved. One pending edit
/// per version: a stale version, or a second edit of the same version, is 412.
///
/// Partners send their API key instead (`Bearer atlas_pk_...`); it must have the `edit` scope
/// for this listing (403 otherwise), and the request counts against the key's hourly quota.
#[utoipa::path(
    tag = "owners",
    params(
        ("id" = Uuid, Path, description = "Actor id"),
        ("If-Match" = String, Header, description = "The quoted version being edited, e.g. \"3\""),
    ),
    request_body = ActorPatchRequest,
    responses(
        (status = 202, description = "The edit waits for review", body = QueuedResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, unknown, used or expired token; unknown, revoked or expired partner key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token is for another listing, or the partner key's edit scope does not include it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such published listing", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The partner key's quota is used up (`quota_exceeded`), or too many requests from this client; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ),
    security(("edit_token" = []), ("partner_key" = ["edit"]))
)]
#[patch("/actors/{id}")]
pub async fn edit_actor(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let token = bearer(&req)?;
    let token_hash = hash_token(&token);
    let partner = if is_partner_key(&token) {
        let partner = partner_of(&state, &req)
            .await?
            .ok_or_else(|| ApiError::Internal("a bearer key vanished".into()))?;
        if !partner.scopes.may_edit(id) {
            return Err(ApiError::Forbidden(
                "out_of_scope",
                "this API key may not edit this listing (it is not in the key's edit scope)".into(),
            ));
        }
        Some(partner)
    } else {
        None
    };
    let (actor, contact) = state
        .store
        .actor_for_owner(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("actor {id}")))?;
    if partner.is_none() {
        state
            .store
            .check_edit_token(id, &token_hash)
            .await?
            .map_err(token_error)?;
    }
    let base_version = parse_if_match(&req)?;
    if base_version != actor.version {
        return Err(ApiError::VersionConflict {
            current: actor.version,
        });
    }
    let parsed = parse_body::<ActorPatchRequest>(body.into_inner(), PATCH_FIELDS)?;
    let errors = parsed.errors;
    let patch = parsed.value;
    if errors.is_empty() && patch.is_empty() {
        return Err(ApiError::BadBody {
            code: "empty_patch",
            detail: "the body changes nothing; send the fields to change".to_owned(),
        });
    }
    let mut draft = ActorDraft::from_profile(&actor.profile, &contact);
    patch.apply_to(&mut draft);
    let valid = match draft.parse(
        &state.taxonomy,
        &actor.profile.licence,
        actor.profile.source.clone(),
        Strictness::Submission,
    ) {
        Ok(valid) if errors.is_empty() => valid,
        Ok(_) => return Err(errors.into()),
        Err(domain_errors) => return Err(merge_errors(errors, domain_errors).into()),
    };
    let outcome = state
        .store
        .propose_edit(ProposedEdit {
            item_id: Uuid::new_v4(),
            actor_id: id,
            by: match &partner {
                Some(partner) => EditAuthority::Partner(partner),
                None => EditAuthority::EditToken(&token_hash),
            },
            base_version,
            profile: &valid.profile,
            contact: &valid.contact,
        })
        .await?;
    match outcome {
        EditOutcome::Proposed { item_id } => Ok(queued(item_id)),
        EditOutcome::Refused(rejection) => Err(token_error(rejection)),
        EditOutcome::StaleVersion { current } => Err(ApiError::VersionConflict { current }),
        EditOutcome::NotFound => Err(ApiError::NotFound(format!("actor {id}"))),
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReportRequest {
    /// `wrong_data`, `closed`, `duplicate` or `abuse`.
    #[schema(example = "closed")]
    pub reason: Option<String>,
    pub message: Option<String>,
    /// Optional: where a moderator may answer (private).
    pub email: Option<String>,
}

/// Report a listing
///
/// Anyone may flag wrong data, a closure, a duplicate or abuse; a moderator looks at it.
#[utoipa::path(
    tag = "owners",
    params(("id" = Uuid, Path, description = "Actor id")),
    request_body = ReportRequest,
    responses(
        (status = 202, description = "In the moderation queue", body = QueuedResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such published listing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/actors/{id}/reports")]
pub async fn report_actor(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let parsed = parse_body::<ReportRequest>(body.into_inner(), &["reason", "message", "email"])?;
    let request = parsed.value;
    let complaint = Complaint::parse_report(
        request.reason.as_deref(),
        request.message.as_deref(),
        request.email.as_deref(),
    );
    let complaint = match complaint {
        Ok(c) if parsed.errors.is_empty() => c,
        Ok(_) => return Err(parsed.errors.into()),
        Err(e) => return Err(merge_errors(parsed.errors, e).into()),
    };
    file(&state, id, false, &complaint).await
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ErasureRequest {
    /// The requester's address; a moderator checks it against the listing's contact.
    pub email: Option<String>,
    pub message: Option<String>,
}

/// Ask for a listing to be removed (GDPR)
///
/// The owner asks; a moderator confirms (the item records whether the address is the
/// listing's contact).
#[utoipa::path(
    tag = "owners",
    params(("id" = Uuid, Path, description = "Actor id")),
    request_body = ErasureRequest,
    responses(
        (status = 202, description = "In the moderation queue", body = QueuedResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such published listing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/actors/{id}/erasure-request")]
pub async fn request_erasure(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = actor_id(&path)?;
    let parsed = parse_body::<ErasureRequest>(body.into_inner(), &["email", "message"])?;
    let request = parsed.value;
    let complaint = Complaint::parse_erasure(request.message.as_deref(), request.email.as_deref());
    let complaint = match complaint {
        Ok(c) if parsed.errors.is_empty() => c,
        Ok(_) => return Err(parsed.errors.into()),
        Err(e) => return Err(merge_errors(parsed.errors, e).into()),
    };
    file(&state, id, true, &complaint).await
}

async fn file(
    state: &AppState,
    id: ActorId,
    erasure: bool,
    complaint: &Complaint,
) -> Result<HttpResponse, ApiError> {
    let item_id = Uuid::new_v4();
    let filed = state
        .store
        .file_complaint(NewComplaint {
            item_id,
            actor_id: id,
            erasure,
            complaint,
        })
        .await?;
    if filed {
        Ok(queued(item_id))
    } else {
        Err(ApiError::NotFound(format!("actor {id}")))
    }
}
