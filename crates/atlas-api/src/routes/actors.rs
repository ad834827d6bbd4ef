//! `GET /v1/actors` and `GET /v1/actors/{id_or_slug}`.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use atlas_domain::actor::ActorRef;
use atlas_domain::query::{ActorQuery, PageCursor, SearchText, SortOrder};
use atlas_domain::{FieldError, ValidationErrors};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, Problem};
use crate::filters::ActorFilterParams;
use crate::http_cache::Cacheable;
use crate::lang::Wanted;
use crate::params::{parse_filtered_query, parse_query};
use crate::views::{
    ActorFeature, ActorFeatureCollection, ActorPageResponse, ActorResponse, LinkObject,
};
use crate::AppState;

pub const GEOJSON: &str = "application/geo+json";
const LIST_MAX_AGE: u32 = 60;

/// Filters, order and paging for a list of actors.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListActorsParams {
    /// Text search over names, other names, category labels (in every language), tags, places
    /// and descriptions: accent- and case-insensitive, stemmed per language, tolerant of one or
    /// two typos. Every word must match somewhere. Up to 200 characters; blank means no text
    /// filter. Results then carry `_matches`, and the order defaults to `relevance`.
    #[param(example = "repair cafe")]
    pub(crate) q: Option<String>,
    /// `relevance` (default with `q`; best match first, names above descriptions; a text
    /// naming a category in a language other than English, such as "Tafel", lists the
    /// category's actors writing that language first), `name` (default otherwise),
    /// `distance` (default with `near` and no `q`) or `updated`.
    pub(crate) sort: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>)]
    pub(crate) limit: Option<String>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub(crate) cursor: Option<String>,
    /// Language of multilingual text (`*` for every translation); overrides `Accept-Language`.
    pub(crate) lang: Option<String>,
    /// `json` (default) or `geojson` (same as `Accept: application/geo+json`).
    pub(crate) format: Option<String>,
}

impl ListActorsParams {
    /// Turns the raw parameters into a domain query, collecting every problem at once.
    pub(crate) fn to_query(
        &self,
        filters: &ActorFilterParams,
        state: &AppState,
    ) -> Result<ActorQuery, ApiError> {
        let mut errors = ValidationErrors::default();
        let mut query = ActorQuery {
            text: self
                .q
                .as_deref()
                .and_then(|raw| errors.take(SearchText::parse("q", raw)))
                .flatten(),
            ..ActorQuery::default()
        };
        filters.apply(&state.taxonomy, &mut query, &mut errors);
        let default_sort = if query.text.is_some() {
            SortOrder::Relevance
        } else if query.near.is_some() {
            SortOrder::Distance
        } else {
            SortOrder::Name
        };
        query.sort = match self.sort.as_deref() {
            None => default_sort,
            Some(raw) => errors
                .take(
                    raw.parse::<SortOrder>()
                        .map_err(|m| FieldError::new("sort", "invalid_sort", m)),
                )
                .unwrap_or(default_sort),
        };
        if let Some(raw) = &self.limit {
            if let Some(limit) = errors.take(ActorQuery::parse_limit(raw)) {
                query.limit = limit;
            }
        }
        query.after = self
            .cursor
            .as_deref()
            .and_then(|raw| errors.take(decode_cursor(raw)));
        if errors.is_empty() {
            if let Err(combination) = query.check() {
                errors.0.extend(combination);
            }
        }
        errors.into_result(|| query).map_err(ApiError::from)
    }
}

pub fn encode_cursor(cursor: &PageCursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

pub fn decode_cursor(raw: &str) -> Result<PageCursor, FieldError> {
    let invalid = || {
        FieldError::new(
            "cursor",
            "invalid_cursor",
            "the cursor is not one this API returned; start again without it",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// Whether the client asked for GeoJSON (`format=geojson` or `Accept: application/geo+json`).
pub fn wants_geojson(req: &HttpRequest, format: Option<&str>) -> Result<bool, ApiError> {
    match format {
        Some("geojson") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(FieldError::new(
            "format",
            "invalid_format",
            format!("`{other}` is not one of json, geojson"),
        )
        .into()),
        None => Ok(req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains(GEOJSON))),
    }
}

/// The URL of the next page: this request's query with the cursor replaced.
pub fn next_url(state: &AppState, req: &HttpRequest, cursor: &str) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if name != "cursor" {
            serializer.append_pair(&name, &value);
        }
    }
    serializer.append_pair("cursor", cursor);
    format!(
        "{}{}?{}",
        state.config.public_base_url.trim_end_matches('/'),
        req.path(),
        serializer.finish()
    )
}

/// List and search published actors
///
/// Filters combine with AND; repeated values of one filter combine with OR. With `q`, a text
/// search: results carry `_matches` (where the words were found, with a highlighted
/// extract), and the `X-Search-Backend` header and `search_backend` field say which backend
/// answered (`postgres`, or `meilisearch` when configured and reachable). Pages are
/// ordered stably and linked by an opaque cursor (`next_cursor`, and a `Link: rel="next"`
/// header). Answers JSON, or GeoJSON with `Accept: application/geo+json` or `format=geojson`.
#[utoipa::path(
    tag = "actors",
    params(ActorFilterParams, ListActorsParams),
    responses(
        (status = 200, description = "A page of actors", content(
            (ActorPageResponse = "application/json"),
            (ActorFeatureCollection = "application/geo+json"),
        ), headers(
            ("ETag" = String, description = "Validator for If-None-Match"),
            ("Link" = String, description = "`<url>; rel=\"next\"` when there is another page"),
            ("Content-Language" = String),
            ("X-Search-Backend" = String, description = "With `q`: `postgres` or `meilisearch`, whichever answered"),
        )),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`search_timeout`: the search ran longer than `SEARCH_STATEMENT_TIMEOUT_MS` (default 2 s) and was stopped; narrow it or retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
    )
)]
#[get("/actors")]
pub async fn list_actors(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (filters, params): (ActorFilterParams, ListActorsParams) = parse_filtered_query(&req)?;
    let wanted = Wanted::from_request(&req, params.lang.as_deref())?;
    let geojson = wants_geojson(&req, params.format.as_deref())?;
    let query = params.to_query(&filters, &state)?;
    let (page, backend) = if query.text.is_some() {
        let answer = state.search.search(&query).await?;
        (answer.value, Some(answer.backend))
    } else {
        (state.store.list_actors(&query).await?, None)
    };

    let next_cursor = page.next.as_ref().map(encode_cursor);
    let next_link = next_cursor.as_deref().map(|c| next_url(&state, &req, c));
    let items = page.items.iter().map(|listed| {
        ActorResponse::new(&listed.actor, &wanted, listed.distance_km)
            .with_matches(listed.matches.clone())
    });
    let cacheable = if geojson {
        let features: Vec<ActorFeature> = items.map(ActorFeature::new).collect();
        let links = next_link
            .iter()
            .map(|href| LinkObject {
                href: href.clone(),
                rel: "next".into(),
                media_type: GEOJSON.into(),
            })
            .collect();
        Cacheable::json(
            &ActorFeatureCollection {
                collection_type: "FeatureCollection",
                number_returned: features.len(),
                features,
                number_matched: (!page.total_estimated).then_some(page.total),
                total: page.total,
                total_estimated: page.total_estimated,
                links,
                next_cursor,
                relaxed: page.relaxed,
                search_backend: backend.map(str::to_owned),
            },
            GEOJSON,
            LIST_MAX_AGE,
        )?
    } else {
        Cacheable::json(
            &ActorPageResponse {
                items: items.collect(),
                next_cursor,
                total: page.total,
                total_estimated: page.total_estimated,
                relaxed: page.relaxed,
                search_backend: backend.map(str::to_owned),
            },
            "application/json",
            LIST_MAX_AGE,
        )?
    };
    Ok(cacheable
        .language(wanted.content_language())
        .respond(&req, |builder| {
            if let Some(link) = next_link {
                builder.insert_header((header::LINK, format!("<{link}>; rel=\"next\"")));
            }
            if let Some(backend) = backend {
                builder.insert_header(("X-Search-Backend", backend));
            }
        }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetActorParams {
    /// Language of multilingual text (`*` for every translation); overrides `Accept-Language`.
    lang: Option<String>,
    /// `json` (default) or `geojson` (a Feature).
    format: Option<String>,
}

/// One published actor
///
/// By UUID or by slug. JSON, or a GeoJSON Feature with `Accept: application/geo+json` or
/// `format=geojson`.
#[utoipa::path(
    tag = "actors",
    params(("id_or_slug" = String, Path, description = "The actor's UUID or slug"), GetActorParams),
    responses(
        (status = 200, description = "The actor", content(
            (ActorResponse = "application/json"),
            (ActorFeature = "application/geo+json"),
        )),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 301, description = "The actor was merged into another; `Location` names it"),
        (status = 404, description = "No published actor with this id or slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/actors/{id_or_slug}")]
pub async fn get_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params: GetActorParams = parse_query(&req)?;
    let wanted = Wanted::from_request(&req, params.lang.as_deref())?;
    let geojson = wants_geojson(&req, params.format.as_deref())?;
    let reference = ActorRef::parse(&path.into_inner());
    let Some(actor) = state.store.published_actor(&reference).await? else {
        // A merged actor answers with the place of the one it was merged into.
        return match state.store.redirect_for(&reference).await? {
            Some((_, slug)) => {
                let mut location = format!("/v1/actors/{slug}");
                if !req.query_string().is_empty() {
                    location = format!("{location}?{}", req.query_string());
                }
                Ok(HttpResponse::MovedPermanently()
                    .insert_header((header::LOCATION, location))
                    .finish())
            }
            None => Err(ApiError::NotFound("actor".into())),
        };
    };
    let view = ActorResponse::new(&actor, &wanted, None);
    let cacheable = if geojson {
        Cacheable::json(&ActorFeature::new(view), GEOJSON, LIST_MAX_AGE)?
    } else {
        Cacheable::json(&view, "application/json", LIST_MAX_AGE)?
    };
    Ok(cacheable
        .language(wanted.content_language())
        .respond(&req, |_| {}))
}
