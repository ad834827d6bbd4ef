//! `GET /v1/facets` and `GET /v1/search/suggest`.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use atlas_domain::{Lang, SearchText, Suggestion};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, Problem};
use crate::filters::ActorFilterParams;
use crate::http_cache::Cacheable;
use crate::lang::Wanted;
use crate::params::{parse_filtered_query, parse_query};
use crate::routes::actors::ListActorsParams;
use crate::AppState;

const MAX_AGE: u32 = 60;
const MAX_SUGGESTIONS: u32 = 10;

/// The text of `GET /v1/actors`, for counting (the other filters are `ActorFilterParams`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FacetsParams {
    /// Text search, as in `GET /v1/actors`.
    q: Option<String>,
}

/// Counts for filter menus.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsResponse {
    /// How many actors match (the `total` of `GET /v1/actors` with the same filters).
    pub total: u64,
    /// Actors per category id; a parent counts its children's actors once.
    #[schema(value_type = BTreeMap<String, u64>, example = json!({"repair": 42, "circular-economy": 97}))]
    pub categories: BTreeMap<String, u64>,
    #[schema(value_type = BTreeMap<String, u64>)]
    pub kinds: BTreeMap<String, u64>,
    #[schema(value_type = BTreeMap<String, u64>)]
    pub countries: BTreeMap<String, u64>,
    #[schema(value_type = BTreeMap<String, u64>)]
    pub languages: BTreeMap<String, u64>,
    /// With `q`: true when no actor matched every word, so these count the actors matching
    /// all the words but one or two (places are dropped last), or else any word — the set
    /// `GET /v1/actors` then returns (its `relaxed`). Absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relaxed: bool,
    /// `postgres` or `meilisearch`: the backend that counted.
    pub search_backend: String,
}

/// Facet counts
///
/// For exactly the actors `GET /v1/actors` returns with the same filters (and `q`): the total,
/// and counts per category, kind, country and language.
#[utoipa::path(
    tag = "search",
    params(ActorFilterParams, FacetsParams),
    responses(
        (status = 200, body = FacetsResponse, headers(("X-Search-Backend" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`search_timeout`: the search ran longer than `SEARCH_STATEMENT_TIMEOUT_MS` (default 2 s) and was stopped; narrow it or retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
    )
)]
#[get("/facets")]
pub async fn list_facets(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (filters, params): (ActorFilterParams, FacetsParams) = parse_filtered_query(&req)?;
    let list = ListActorsParams {
        q: params.q,
        ..ListActorsParams::default()
    };
    let query = list.to_query(&filters, &state)?;
    let answer = state.search.facets(&query).await?;
    let facets = answer.value;
    let body = FacetsResponse {
        total: facets.total,
        categories: facets.categories,
        kinds: facets.kinds,
        countries: facets.countries,
        languages: facets.languages,
        relaxed: facets.relaxed,
        search_backend: answer.backend.to_owned(),
    };
    Ok(
        Cacheable::json(&body, "application/json", MAX_AGE)?.respond(&req, |builder| {
            builder.insert_header(("X-Search-Backend", answer.backend));
        }),
    )
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What the reader has typed so far (1 to 200 characters).
    #[param(example = "repa")]
    q: Option<String>,
    /// Language of category labels; overrides `Accept-Language` (default English).
    lang: Option<String>,
    /// At most this many suggestions, 1 to 10 (default 10).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
    /// The map's view, `min_lon,min_lat,max_lon,max_lat` (WGS84): actors and cities are then
    /// suggested from inside it, with a city's count of actors in it, and a category's count
    /// is its actors in it (one with none there comes last). A town whose actors are all
    /// outside it is a `place`, somewhere to take the map; places and countries are suggested
    /// wherever they are.
    #[param(example = "16.18,48.10,16.58,48.33")]
    bbox: Option<String>,
}

/// One suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    /// `actor`, `city`, `category`, `place`: a town (10,000 people or more, GeoNames)
    /// where no actor is listed, somewhere to take the map (`point`); its `id` is the GeoNames
    /// id. At most 3 places, ranked below what begins with the text. Or `country`: a country
    /// whose name in any language begins with the text (the English name from 3 letters,
    /// another from 5; `id` is its ISO code, for `country=`), at most 3.
    #[serde(rename = "type")]
    #[schema(example = "actor")]
    pub kind: String,
    /// The actor's UUID, the category id (for `category=`), the city's name, the place's
    /// GeoNames id, or the country's code (for `country=`).
    pub id: String,
    /// What to show: the actor's name, the city, the category label in the reader's language
    /// (or, when the text is only in another language's label, that label), the place's name
    /// (GeoNames' main name, often the English one: "Geneva"), or the country's name that
    /// begins with the text (its English name when that one does).
    pub label: String,
    /// ISO 3166-1 alpha-2 country of the actor, city, place or country; none for a category.
    pub country: Option<String>,
    /// How many published actors a city, category or country suggestion leads to.
    pub count: Option<u64>,
    /// Where a map shows it: the actor's location, the middle of a city's or country's
    /// actors, the place; absent for a category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<PointView>,
    /// A city's or country's actors' extent, `[minLon, minLat, maxLon, maxLat]` (as `bbox=`),
    /// for a map to fit; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([16.2776, 48.1477, 16.5018, 48.2728]))]
    pub bbox: Option<[f64; 4]>,
}

/// A point in WGS 84.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointView {
    #[schema(example = 48.2103)]
    pub lat: f64,
    #[schema(example = 16.3897)]
    pub lon: f64,
}

impl From<Suggestion> for SuggestionView {
    fn from(s: Suggestion) -> SuggestionView {
        SuggestionView {
            kind: serde_json::to_value(s.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            id: s.id,
            label: s.label,
            country: s.country,
            count: s.count,
            point: s.point.map(|p| PointView {
                lat: p.lat,
                lon: p.lon,
            }),
            bbox: s
                .extent
                .map(|b| [b.min_lon, b.min_lat, b.max_lon, b.max_lat]),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    pub items: Vec<SuggestionView>,
}

/// Autocomplete
///
/// Actor names, cities and category labels (in the reader's language) close to what was
/// typed, tolerant of typos, best first, at most 10; towns where no actor is listed
/// (`place`), so that a map can go there; and countries by any of their names (`country`).
/// Actors, cities, places and countries carry a `point`, cities and countries the `bbox` of
/// their actors. Answered by PostgreSQL.
#[utoipa::path(
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, body = SuggestResponse),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Missing, too long or invalid parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`search_timeout`: the search ran longer than `SEARCH_STATEMENT_TIMEOUT_MS` (default 2 s) and was stopped; narrow it or retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
    )
)]
#[get("/search/suggest")]
pub async fn suggest(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: SuggestParams = parse_query(&req)?;
    let wanted = Wanted::from_request(&req, params.lang.as_deref())?;
    let lang = wanted.0.first().copied().unwrap_or(Lang::EN);
    let text =
        SearchText::parse("q", params.q.as_deref().unwrap_or_default())?.ok_or_else(|| {
            atlas_domain::FieldError::new(
                "q",
                "invalid_query",
                "q is required: what was typed so far",
            )
        })?;
    let limit = match params.limit.as_deref() {
        None => MAX_SUGGESTIONS,
        Some(raw) => match raw.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_SUGGESTIONS).contains(&n) => n,
            _ => {
                return Err(atlas_domain::FieldError::new(
                    "limit",
                    "invalid_limit",
                    format!("limit must be a whole number from 1 to {MAX_SUGGESTIONS}"),
                )
                .into())
            }
        },
    };
    let view = params
        .bbox
        .as_deref()
        .map(|raw| atlas_domain::BoundingBox::parse("bbox", raw))
        .transpose()?;
    let suggestions = state
        .store
        .suggest(text.as_str(), lang, limit, view)
        .await?;
    let body = SuggestResponse {
        items: suggestions.into_iter().map(SuggestionView::from).collect(),
    };
    Ok(Cacheable::json(&body, "application/json", MAX_AGE)?
        .language(lang.as_str())
        .respond(&req, |_| {}))
}
