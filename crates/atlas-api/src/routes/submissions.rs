//! Partners proposing a listing: `POST /v1/submissions`, its email confirmation, its status,
//! and `POST /v1/duplicates/check` for forms that warn early.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use atlas_domain::{
    country, location_flags, ActorDraft, ActorId, FieldError, LocationPrecision, QualityFlag,
    SubmissionDraft, ValidationErrors,
};
use atlas_store::{DuplicateCandidate, DuplicateQuery, NewSubmission, TokenRejection};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::body::{merge_errors, parse_body};
use crate::error::{ApiError, Problem};
use crate::params::parse_query;
use crate::secret::hash_token;
use crate::AppState;

/// A point given by the submitter.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LocationInput {
    #[schema(example = 48.2082)]
    pub lat: Option<f64>,
    #[schema(example = 16.3738)]
    pub lon: Option<f64>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LinkInput {
    #[schema(example = "mastodon")]
    pub kind: String,
    pub url: String,
}

/// The submitter's consent to publication under the Atlas's data licence.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentInput {
    /// Must be `true`.
    pub publish: Option<bool>,
    /// Must be the Atlas's data licence (`ODbL-1.0` unless configured otherwise).
    #[schema(example = "ODbL-1.0")]
    pub licence: Option<String>,
}

/// A proposed listing. Unknown fields are refused; every field error is reported at once.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SubmissionRequest {
    #[schema(example = "Wiener Tafel")]
    pub name: Option<String>,
    pub alt_names: Vec<String>,
    /// Short text per ISO 639-1 language.
    pub summary: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    #[schema(example = "association")]
    pub kind: Option<String>,
    /// Taxonomy ids (`GET /v1/categories`).
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub languages: Vec<String>,
    /// ISO 3166-1 alpha-2 (country names are accepted too).
    #[schema(example = "AT")]
    pub country: Option<String>,
    pub region: Option<String>,
    /// Without `location`, the town is looked up in the GeoNames gazetteer and the listing is
    /// placed at its centre (`precision: city`).
    #[schema(example = "Wien")]
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub street: Option<String>,
    pub location: Option<LocationInput>,
    pub website: Option<String>,
    pub links: Vec<LinkInput>,
    pub founded_year: Option<i64>,
    pub identifiers: BTreeMap<String, String>,
    /// Private: where the confirmation link goes; never published.
    #[schema(example = "info@example.org")]
    pub contact_email: Option<String>,
    /// Private; never published.
    pub contact_phone: Option<String>,
    pub consent: Option<ConsentInput>,
    /// Leave empty: a field forms hide from people, so only bots fill it in.
    pub homepage: Option<String>,
}

const SUBMISSION_FIELDS: &[&str] = &[
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
    "consent",
    "homepage",
];

/// Something the submitter (and the moderators) should know, not an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// `point_outside_country`, `coordinates_look_swapped`, `geocoded_to_city`, `possible_duplicate`.
    pub code: String,
    pub message: String,
}

/// A published listing the proposal may duplicate.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// `same_website` or `similar_name_nearby`.
    pub reason: String,
    pub distance_km: Option<f64>,
}

impl From<DuplicateCandidate> for DuplicateView {
    fn from(c: DuplicateCandidate) -> Self {
        DuplicateView {
            id: c.id,
            slug: c.slug,
            name: c.name,
            reason: c.reason,
            distance_km: c.distance_km.map(|d| (d * 1000.0).round() / 1000.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionAcceptedResponse {
    pub id: Uuid,
    /// `awaiting_confirmation`: an email with a confirmation token went to `contact_email`;
    /// `pending_review` when sent with a partner key (no confirmation needed).
    #[schema(example = "awaiting_confirmation")]
    pub status: String,
    /// Possible duplicates; a warning, not an error.
    pub duplicates: Vec<DuplicateView>,
    pub warnings: Vec<WarningView>,
}

fn warning(flag: &QualityFlag) -> WarningView {
    WarningView {
        code: flag.code.clone(),
        message: flag.message.clone(),
    }
}

/// Propose a new listing
///
/// Checks every field and answers 202 with the submission id; a confirmation token is
/// emailed to `contact_email`. Nothing is public until the email is confirmed and a moderator
/// approves. Points outside the claimed country, or that look swapped, are flagged for the
/// moderators (and returned as warnings), not refused. Rate limited per client.
///
/// Partners send their API key (`Authorization: Bearer atlas_pk_...`, scope `submit`): the
/// submission skips the email confirmation and goes straight to the moderation queue
/// (`status: pending_review`), with the partner as its submitter. Such requests count against
/// the key's hourly quota (429 `quota_exceeded`), not the per-client limit.
#[utoipa::path(
    tag = "submissions",
    request_body = SubmissionRequest,
    responses(
        (status = 202, description = "Accepted; awaiting email confirmation (or, with a partner key, in the moderation queue)", body = SubmissionAcceptedResponse),
        (status = 400, description = "Invalid fields (all of them), unknown fields, or a body that is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A bearer token that is not a valid partner key (unknown, revoked, expired)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The partner key lacks the `submit` scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client (`rate_limited`), or the partner key's quota is used up (`quota_exceeded`); see Retry-After", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("partner_key" = ["submit"]))
)]
#[post("/submissions")]
pub async fn create_submission(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let partner = crate::auth::partner_of(&state, &req).await?;
    if partner.as_ref().is_some_and(|p| !p.scopes.submit) {
        return Err(ApiError::Forbidden(
            "scope_missing",
            "this API key may not submit new listings (it has no `submit` scope)".into(),
        ));
    }
    let parsed = parse_body::<SubmissionRequest>(body.into_inner(), SUBMISSION_FIELDS)?;
    let request = parsed.value;
    if request
        .homepage
        .as_deref()
        .is_some_and(|h| !h.trim().is_empty())
    {
        // A bot filled the hidden field: answer as if accepted, keep nothing.
        tracing::info!("submission with the honeypot field filled in; discarded");
        return Ok(accepted(Uuid::new_v4(), false, Vec::new(), Vec::new()));
    }
    let mut errors = parsed.errors;
    let mut warnings: Vec<QualityFlag> = Vec::new();
    let (consent_publish, consent_licence) = request
        .consent
        .as_ref()
        .map(|c| (c.publish, c.licence.clone()))
        .unwrap_or_default();
    let mut draft = draft_from(&request);
    if draft.lat.is_none() && draft.lon.is_none() {
        geocode_into(&state, &mut draft, &mut errors, &mut warnings).await?;
    }
    let submission = SubmissionDraft {
        actor: draft,
        consent_publish,
        consent_licence,
    }
    .parse(&state.taxonomy, &state.config.data_licence);
    let submission = match submission {
        Ok(submission) if errors.is_empty() => submission,
        Ok(_) => return Err(errors.into()),
        Err(domain_errors) => return Err(merge_errors(errors, domain_errors).into()),
    };

    let profile = &submission.actor.profile;
    let location = profile.location;
    if location.precision == LocationPrecision::Exact {
        let at_point = state.store.countries_at(location.lon, location.lat).await?;
        let at_swapped = match location.swapped() {
            Some(swapped) => state.store.countries_at(swapped.lon, swapped.lat).await?,
            None => Vec::new(),
        };
        warnings.extend(location_flags(
            profile.address.country,
            &at_point,
            &at_swapped,
        ));
    }
    let duplicates = state
        .store
        .duplicate_candidates(&DuplicateQuery {
            name: &profile.name,
            website: profile.website.as_ref().map(|w| w.as_str()),
            lon_lat: Some((location.lon, location.lat)),
            excluding: None,
        })
        .await?;
    let item_id = Uuid::new_v4();
    // Moderators see only the data-quality flags; the geocoding note is for the submitter.
    let flags: Vec<QualityFlag> = warnings
        .iter()
        .filter(|w| w.code != "geocoded_to_city")
        .cloned()
        .collect();
    state
        .store
        .create_submission(NewSubmission {
            item_id,
            actor_id: ActorId::new(),
            submission: &submission,
            flags: &flags,
            duplicates: &duplicates,
            partner: partner.as_ref(),
        })
        .await?;
    if partner.is_none() {
        state.mail_wake.notify_one();
    }
    if !duplicates.is_empty() {
        warnings.push(QualityFlag::new(
            "possible_duplicate",
            format!(
                "{} published listing(s) look similar; see `duplicates`",
                duplicates.len()
            ),
        ));
    }
    Ok(accepted(
        item_id,
        partner.is_some(),
        duplicates.into_iter().map(DuplicateView::from).collect(),
        warnings.iter().map(warning).collect(),
    ))
}

fn accepted(
    id: Uuid,
    by_partner: bool,
    duplicates: Vec<DuplicateView>,
    warnings: Vec<WarningView>,
) -> HttpResponse {
    let status = if by_partner {
        "pending_review"
    } else {
        "awaiting_confirmation"
    };
    HttpResponse::Accepted()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(SubmissionAcceptedResponse {
            id,
            status: status.to_owned(),
            duplicates,
            warnings,
        })
}

fn draft_from(request: &SubmissionRequest) -> ActorDraft {
    let location = request.location.as_ref();
    ActorDraft {
        name: request.name.clone(),
        alt_names: request.alt_names.clone(),
        summary: request.summary.clone(),
        description: request.description.clone(),
        kind: request.kind.clone(),
        categories: request.categories.clone(),
        tags: request.tags.clone(),
        languages: request.languages.clone(),
        country: request.country.clone(),
        region: request.region.clone(),
        city: request.city.clone(),
        postcode: request.postcode.clone(),
        street: request.street.clone(),
        lat: location.and_then(|l| l.lat),
        lon: location.and_then(|l| l.lon),
        precision: None,
        website: request.website.clone(),
        links: request
            .links
            .iter()
            .map(|l| (l.kind.clone(), l.url.clone()))
            .collect(),
        founded_year: request.founded_year,
        identifiers: request.identifiers.clone(),
        contact_email: request.contact_email.clone(),
        contact_phone: request.contact_phone.clone(),
    }
}

/// Places a draft without coordinates at the centre of its town, found in the gazetteer.
async fn geocode_into(
    state: &AppState,
    draft: &mut ActorDraft,
    errors: &mut ValidationErrors,
    warnings: &mut Vec<QualityFlag>,
) -> Result<(), ApiError> {
    let Some(city) = draft
        .city
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.chars().count() <= 200)
    else {
        return Ok(());
    };
    let country = draft
        .country
        .as_deref()
        .and_then(country::normalise)
        .map(|found| found.code);
    match state
        .store
        .geocode_city(city, country.as_ref().map(|c| c.as_str()))
        .await?
    {
        Some(place) => {
            draft.lat = Some(place.lat);
            draft.lon = Some(place.lon);
            draft.precision = Some(LocationPrecision::City.as_str().to_owned());
            warnings.push(QualityFlag::new(
                "geocoded_to_city",
                format!(
                    "no coordinates given: placed at the centre of {} ({}), precision city ({} match; GeoNames, CC-BY 4.0)",
                    place.name, place.country, place.matched
                ),
            ));
        }
        None => errors.0.push(FieldError::new(
            "city",
            "city_not_found",
            "no coordinates given and this town is not in our gazetteer; send location.lat and location.lon",
        )),
    }
    Ok(())
}

/// `{token}` from the confirmation email.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ConfirmRequest {
    pub token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionStatusResponse {
    pub id: Uuid,
    /// `awaiting_confirmation`, `pending_review`, `approved`, `rejected`, `changes_requested`.
    #[schema(example = "pending_review")]
    pub status: String,
    /// The moderator's feedback, once there is some.
    pub feedback: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn item_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound(format!("submission {raw}")))
}

pub(crate) fn token_error(rejection: TokenRejection) -> ApiError {
    match rejection {
        TokenRejection::Unknown => ApiError::Unauthorized(
            "invalid_token",
            "this token is not valid here (mistyped, or for another submission or listing)".into(),
        ),
        TokenRejection::Expired => ApiError::Unauthorized(
            "token_expired",
            "this token has expired; ask for a new one".into(),
        ),
        TokenRejection::Used => ApiError::Unauthorized(
            "token_used",
            "this token was already used; tokens work once".into(),
        ),
        TokenRejection::OtherActor => ApiError::Forbidden(
            "token_for_other_actor",
            "this edit token belongs to another listing".into(),
        ),
    }
}

fn required_token(token: Option<String>) -> Result<String, ApiError> {
    token
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            FieldError::new("token", "required", "the token from the email is required").into()
        })
}

/// Confirm a submission's email address
///
/// With the token from the confirmation email; the submission moves to `pending_review`.
/// A token works once.
#[utoipa::path(
    tag = "submissions",
    params(("id" = Uuid, Path, description = "Submission id")),
    request_body = ConfirmRequest,
    responses(
        (status = 200, description = "Confirmed; waiting for a moderator", body = SubmissionStatusResponse),
        (status = 400, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired or already used token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/confirm")]
pub async fn confirm_submission(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = item_id(&path)?;
    let parsed = parse_body::<ConfirmRequest>(body.into_inner(), &["token"])?;
    if !parsed.errors.is_empty() {
        return Err(parsed.errors.into());
    }
    let token = required_token(parsed.value.token)?;
    let status = state
        .store
        .confirm_submission(id, &hash_token(&token))
        .await?
        .map_err(token_error)?;
    let state_now = state
        .store
        .submission_state(id, &hash_token(&token))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(SubmissionStatusResponse {
            id,
            status: status.as_str().to_owned(),
            feedback: state_now.as_ref().and_then(|s| s.feedback.clone()),
            created_at: state_now.as_ref().map(|s| s.created_at),
            confirmed_at: state_now.as_ref().and_then(|s| s.confirmed_at),
            decided_at: state_now.as_ref().and_then(|s| s.decided_at),
        }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionStatusParams {
    /// The token from the confirmation email.
    token: Option<String>,
}

/// A submission's status and the moderator's feedback
///
/// For the holder of the token from the confirmation email (it keeps working for this after
/// confirming, for 90 days), or for the partner whose API key sent it (Bearer, no `token`).
#[utoipa::path(
    tag = "submissions",
    params(("id" = Uuid, Path, description = "Submission id"), SubmissionStatusParams),
    responses(
        (status = 200, description = "Status", body = SubmissionStatusResponse),
        (status = 400, description = "No token (and no partner key)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown token; unknown, revoked or expired partner key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a submission this partner key sent", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("partner_key" = []))
)]
#[get("/submissions/{id}")]
pub async fn get_submission(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = item_id(&path)?;
    let params: SubmissionStatusParams = parse_query(&req)?;
    let found = match crate::auth::partner_of(&state, &req).await? {
        Some(partner) => state
            .store
            .partner_submission_state(id, partner.key_id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("submission {id}")))?,
        None => {
            let token = required_token(params.token)?;
            state
                .store
                .submission_state(id, &hash_token(&token))
                .await?
                .ok_or_else(|| token_error(TokenRejection::Unknown))?
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(SubmissionStatusResponse {
            id: found.id,
            status: found.status,
            feedback: found.feedback,
            created_at: Some(found.created_at),
            confirmed_at: found.confirmed_at,
            decided_at: found.decided_at,
        }))
}

/// What a form knows so far about an organisation.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DuplicateCheckRequest {
    pub name: Option<String>,
    pub location: Option<LocationInput>,
    pub website: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateCheckResponse {
    pub candidates: Vec<DuplicateView>,
}

/// Find published listings a new one may duplicate
///
/// The same website host, or a similar name within 1 km of `location`.
#[utoipa::path(
    tag = "submissions",
    request_body = DuplicateCheckRequest,
    responses(
        (status = 200, description = "Candidates (possibly none)", body = DuplicateCheckResponse),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/duplicates/check")]
pub async fn check_duplicates(
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let parsed =
        parse_body::<DuplicateCheckRequest>(body.into_inner(), &["name", "location", "website"])?;
    let mut errors = parsed.errors;
    let request = parsed.value;
    let name = request.name.as_deref().map(str::trim).unwrap_or_default();
    let name = if name.is_empty() {
        String::new()
    } else {
        errors
            .take(atlas_domain::actor::plain_text(
                "name",
                name,
                atlas_domain::actor::MAX_NAME_CHARS,
                false,
            ))
            .unwrap_or_default()
    };
    let website = match request
        .website
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        None => None,
        Some(raw) => errors
            .take(atlas_domain::Website::parse("website", raw))
            .map(|(site, _)| site),
    };
    let lon_lat = match request.location {
        None => None,
        Some(LocationInput {
            lat: Some(lat),
            lon: Some(lon),
        }) => match atlas_domain::Location::parse(lat, lon, LocationPrecision::Exact) {
            Ok(l) => Some((l.lon, l.lat)),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        },
        Some(_) => {
            errors.push("location", "required", "a location needs lat and lon");
            None
        }
    };
    if errors.is_empty() && website.is_none() && (name.is_empty() || lon_lat.is_none()) {
        errors.push(
            "name",
            "required",
            "send a website, or a name and a location",
        );
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let candidates = state
        .store
        .duplicate_candidates(&DuplicateQuery {
            name: &name,
            website: website.as_ref().map(|w| w.as_str()),
            lon_lat,
            excluding: None,
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(DuplicateCheckResponse {
            candidates: candidates.into_iter().map(DuplicateView::from).collect(),
        }))
}
