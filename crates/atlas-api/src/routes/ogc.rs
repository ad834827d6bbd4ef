//! OGC API - Features (Part 1 Core and GeoJSON, Part 3 queryables) under `/ogc`, so QGIS,
//! GDAL and OpenLayers read the Atlas as a layer without any Atlas-specific code.
//!
//! One collection, `actors`. Items take the standard `bbox`, `limit` (up to 10,000) and
//! `datetime` (on `updated_at`), and the list filters (`category`, `kind`, `country`, …) as
//! extra parameters; pages are linked by `next` links carrying an opaque cursor. As the
//! standard requires, an unknown parameter is a 400.

use actix_web::{get, web, HttpRequest, HttpResponse};
use atlas_domain::actor::ActorRef;
use atlas_domain::query::ActorQuery;
use atlas_domain::{ActorKind, FieldError, ValidationErrors};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

use crate::error::{ApiError, Problem};
use crate::filters::{parse_time, ActorFilterParams};
use crate::http_cache::Cacheable;
use crate::lang::Wanted;
use crate::params::{parse_filtered_query, parse_query};
use crate::routes::actors::{decode_cursor, encode_cursor, next_url, GEOJSON};
use crate::views::{ActorFeature, ActorResponse};
use crate::AppState;

const JSON: &str = "application/json";
const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.1";
const SCHEMA_JSON: &str = "application/schema+json";
const OGC_MAX_AGE: u32 = 60;
const COLLECTION: &str = "actors";
/// OGC API - Features allows large pages; QGIS and GDAL ask for up to 10,000.
const MAX_ITEMS_LIMIT: u32 = 10_000;
const DEFAULT_ITEMS_LIMIT: u32 = 100;

/// The parameters every OGC resource accepts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OgcParams {
    /// Output format: `json` (the only one; GeoJSON for features).
    f: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OgcItemsParams {
    /// Page size, 1 to 10,000 (default 100).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
    /// Opaque position from a `next` link.
    cursor: Option<String>,
    /// Last update (`updated_at`): an RFC 3339 instant, or an interval `start/end` where either
    /// end may be `..` (open).
    #[param(example = "2025-01-01T00:00:00Z/..")]
    datetime: Option<String>,
    /// Language of multilingual text (`*` for every translation); overrides `Accept-Language`.
    lang: Option<String>,
    /// Output format: `json` (GeoJSON).
    f: Option<String>,
}

fn check_format(f: Option<&str>) -> Result<(), ApiError> {
    match f {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(FieldError::new(
            "f",
            "invalid_format",
            format!("`{other}` is not an available format; use f=json"),
        )
        .into()),
    }
}

fn base(state: &AppState) -> String {
    format!("{}/ogc", state.config.public_base_url.trim_end_matches('/'))
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": media_type, "title": title})
}

fn respond(
    req: &HttpRequest,
    body: &Value,
    media_type: &'static str,
) -> Result<HttpResponse, ApiError> {
    Ok(Cacheable::json(body, media_type, OGC_MAX_AGE)?.respond(req, |_| {}))
}

/// OGC API landing page
///
/// What this service is and where its API description, conformance classes and collections are.
#[utoipa::path(
    tag = "ogc",
    params(OgcParams),
    responses(
        (status = 200, description = "The landing page", body = Object, content_type = "application/json"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn ogc_landing(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: OgcParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    let base = base(&state);
    let body = json!({
        "title": "Social Tech Atlas",
        "description": "Organisations of Europe's social economy and social tech, as OGC API - Features.",
        "attribution": format!("Social Tech Atlas contributors, data under {}", state.config.data_licence),
        "links": [
            link(base.clone(), "self", JSON, "This document"),
            link(format!("{base}/api"), "service-desc", OPENAPI_JSON, "The API definition"),
            link(format!("{}/docs/", state.config.public_base_url.trim_end_matches('/')), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/conformance"), "conformance", JSON, "Conformance classes implemented"),
            link(format!("{base}/collections"), "data", JSON, "The collections"),
        ],
    });
    respond(&req, &body, JSON)
}

/// OGC API conformance classes
#[utoipa::path(
    tag = "ogc",
    params(OgcParams),
    responses(
        (status = 200, description = "The conformance classes", body = Object, content_type = "application/json"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conformance")]
pub async fn ogc_conformance(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let params: OgcParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    let body = json!({
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        ]
    });
    respond(&req, &body, JSON)
}

/// OGC API definition
///
/// The OpenAPI document of the whole service (the same as `/openapi.json`).
#[utoipa::path(
    tag = "ogc",
    params(OgcParams),
    responses(
        (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/vnd.oai.openapi+json;version=3.1"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api")]
pub async fn ogc_api(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let params: OgcParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    let document =
        serde_json::to_value(crate::openapi()).map_err(|e| ApiError::Internal(e.to_string()))?;
    respond(&req, &document, OPENAPI_JSON)
}

/// The `actors` collection's description, with its extent computed from the data.
async fn actors_collection(state: &AppState) -> Result<Value, ApiError> {
    let extent = state.store.published_extent().await?;
    let base = base(state);
    let bbox = extent
        .bbox
        .map(|b| vec![b.min_lon, b.min_lat, b.max_lon, b.max_lat])
        .unwrap_or_else(|| vec![-180.0, -90.0, 180.0, 90.0]);
    let time =
        |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
    Ok(json!({
        "id": COLLECTION,
        "title": "Actors",
        "description": "Organisations of the social economy and social tech (published listings only).",
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "storageCrs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "extent": {
            "spatial": {"bbox": [bbox], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
            "temporal": {
                "interval": [[time(extent.first_update), time(extent.last_update)]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
            }
        },
        "links": [
            link(format!("{base}/collections/{COLLECTION}"), "self", JSON, "This collection"),
            link(format!("{base}/collections/{COLLECTION}/items"), "items", GEOJSON, "The actors"),
            link(format!("{base}/collections/{COLLECTION}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", SCHEMA_JSON, "What the items can be filtered on"),
            json!({"href": format!("https://opendatacommons.org/licenses/odbl/"), "rel": "license", "type": "text/html", "title": state.config.data_licence}),
        ],
    }))
}

fn check_collection(collection_id: &str) -> Result<(), ApiError> {
    if collection_id == COLLECTION {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("collection `{collection_id}`")))
    }
}

/// OGC API collections
#[utoipa::path(
    tag = "ogc",
    params(OgcParams),
    responses(
        (status = 200, description = "The collections (one: `actors`)", body = Object, content_type = "application/json"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections")]
pub async fn ogc_collections(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: OgcParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    let base = base(&state);
    let body = json!({
        "links": [link(format!("{base}/collections"), "self", JSON, "The collections")],
        "collections": [actors_collection(&state).await?],
    });
    respond(&req, &body, JSON)
}

/// OGC API collection
#[utoipa::path(
    tag = "ogc",
    params(("collectionId" = String, Path, description = "`actors`"), OgcParams),
    responses(
        (status = 200, description = "The collection, with its extent", body = Object, content_type = "application/json"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}")]
pub async fn ogc_collection(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_collection(&path)?;
    let params: OgcParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    respond(&req, &actors_collection(&state).await?, JSON)
}

/// OGC API queryables (Part 3)
///
/// The properties items can be filtered on, as a JSON Schema; each is also a query parameter
/// of the items.
#[utoipa::path(
    tag = "ogc",
    params(("collectionId" = String, Path, description = "`actors`"), OgcParams),
    responses(
        (status = 200, description = "The queryables", body = Object, content_type = "application/schema+json"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/queryables")]
pub async fn ogc_queryables(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_collection(&path)?;
    let params: OgcParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    let categories: Vec<&str> = state
        .taxonomy
        .categories
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let kinds: Vec<&str> = ActorKind::ALL.iter().map(|k| k.as_str()).collect();
    let body = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{}/collections/{COLLECTION}/queryables", base(&state)),
        "type": "object",
        "title": "Actors",
        "properties": {
            "geometry": {"title": "Location", "format": "geometry-point", "x-ogc-role": "primary-geometry"},
            "category": {"title": "Category (any of; a parent includes its children)", "type": "string", "enum": categories},
            "kind": {"title": "Kind of organisation", "type": "string", "enum": kinds},
            "country": {"title": "ISO 3166-1 alpha-2 country code", "type": "string", "pattern": "^[A-Z]{2}$"},
            "language": {"title": "ISO 639-1 language the actor works in", "type": "string", "pattern": "^[a-z]{2}$"},
            "tag": {"title": "Tag", "type": "string"},
            "updated_since": {"title": "Changed at or after", "type": "string", "format": "date-time"},
            "datetime": {"title": "Last update (updated_at)", "type": "string", "format": "date-time", "x-ogc-role": "primary-instant"},
        },
        "additionalProperties": false,
    });
    respond(&req, &body, SCHEMA_JSON)
}

/// Applies an OGC `datetime` (instant or interval, `..` for an open end) to `updated_at`.
fn apply_datetime(raw: &str, query: &mut ActorQuery, errors: &mut ValidationErrors) {
    let bound = |part: &str, errors: &mut ValidationErrors| match part.trim() {
        "" | ".." => None,
        value => errors.take(parse_time("datetime", value)),
    };
    let (start, end) = match raw.split_once('/') {
        None => {
            let instant = bound(raw, errors);
            (instant, instant)
        }
        Some((start, end)) => (bound(start, errors), bound(end, errors)),
    };
    if let (Some(start), Some(end)) = (start, end) {
        if start > end {
            errors.push(
                "datetime",
                "invalid_datetime",
                "the interval ends before it starts",
            );
        }
    }
    if let Some(start) = start {
        query.updated_since = Some(query.updated_since.map_or(start, |s| s.max(start)));
    }
    query.updated_until = end;
}

/// OGC API items: the actors as GeoJSON features
///
/// Published actors in a stable order (by name), `limit` at a time (up to 10,000), with
/// `numberMatched`, `numberReturned` and a `next` link while more follow. Filters: `bbox`,
/// `datetime` (on `updated_at`) and the list filters as extra parameters.
#[utoipa::path(
    tag = "ogc",
    params(("collectionId" = String, Path, description = "`actors`"), ActorFilterParams, OgcItemsParams),
    responses(
        (status = 200, description = "A page of features", body = Object, content_type = "application/geo+json"),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/items")]
pub async fn ogc_items(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_collection(&path)?;
    let (filters, params): (ActorFilterParams, OgcItemsParams) = parse_filtered_query(&req)?;
    check_format(params.f.as_deref())?;
    let wanted = Wanted::from_request(&req, params.lang.as_deref())?;
    let mut errors = ValidationErrors::default();
    let mut query = ActorQuery::default();
    filters.apply(&state.taxonomy, &mut query, &mut errors);
    if let Some(raw) = &params.datetime {
        apply_datetime(raw, &mut query, &mut errors);
    }
    query.limit = match params.limit.as_deref() {
        None => DEFAULT_ITEMS_LIMIT,
        Some(raw) => errors
            .take(match raw.trim().parse::<u32>() {
                Ok(limit) if (1..=MAX_ITEMS_LIMIT).contains(&limit) => Ok(limit),
                _ => Err(FieldError::new(
                    "limit",
                    "invalid_limit",
                    format!("limit must be a whole number from 1 to {MAX_ITEMS_LIMIT}"),
                )),
            })
            .unwrap_or(DEFAULT_ITEMS_LIMIT),
    };
    query.after = params
        .cursor
        .as_deref()
        .and_then(|raw| errors.take(decode_cursor(raw)));
    if errors.is_empty() {
        if let Err(combination) = query.check() {
            errors.0.extend(combination);
        }
    }
    let query = errors.into_result(|| query)?;
    let page = state.store.list_actors(&query).await?;

    let self_url = format!(
        "{}{}{}",
        state.config.public_base_url.trim_end_matches('/'),
        req.path(),
        if req.query_string().is_empty() {
            String::new()
        } else {
            format!("?{}", req.query_string())
        }
    );
    let mut links = vec![
        link(self_url, "self", GEOJSON, "This page"),
        link(
            format!("{}/collections/{COLLECTION}", base(&state)),
            "collection",
            JSON,
            "The collection",
        ),
    ];
    if let Some(next) = page.next.as_ref().map(encode_cursor) {
        links.push(link(
            next_url(&state, &req, &next),
            "next",
            GEOJSON,
            "Next page",
        ));
    }
    let features: Vec<ActorFeature> = page
        .items
        .iter()
        .map(|listed| ActorFeature::new(ActorResponse::new(&listed.actor, &wanted, None)))
        .collect();
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": page.total,
        "numberReturned": features.len(),
        "links": links,
        "features": features,
    });
    Ok(Cacheable::json(&body, GEOJSON, OGC_MAX_AGE)?
        .language(wanted.content_language())
        .respond(&req, |_| {}))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OgcItemParams {
    /// Language of multilingual text (`*` for every translation); overrides `Accept-Language`.
    lang: Option<String>,
    /// Output format: `json` (GeoJSON).
    f: Option<String>,
}

/// OGC API item: one actor as a GeoJSON feature
#[utoipa::path(
    tag = "ogc",
    params(
        ("collectionId" = String, Path, description = "`actors`"),
        ("featureId" = String, Path, description = "The actor's UUID (or slug)"),
        OgcItemParams,
    ),
    responses(
        (status = 200, description = "The feature", body = Object, content_type = "application/geo+json"),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such collection or feature", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/items/{featureId}")]
pub async fn ogc_item(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (collection_id, feature_id) = path.into_inner();
    check_collection(&collection_id)?;
    let params: OgcItemParams = parse_query(&req)?;
    check_format(params.f.as_deref())?;
    let wanted = Wanted::from_request(&req, params.lang.as_deref())?;
    let actor = state
        .store
        .published_actor(&ActorRef::parse(&feature_id))
        .await?
        .ok_or_else(|| ApiError::NotFound("feature".into()))?;
    let base = base(&state);
    let mut feature =
        serde_json::to_value(ActorFeature::new(ActorResponse::new(&actor, &wanted, None)))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    feature["links"] = json!([
        link(
            format!("{base}/collections/{COLLECTION}/items/{}", actor.id.0),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            format!("{base}/collections/{COLLECTION}"),
            "collection",
            JSON,
            "The collection"
        ),
    ]);
    Ok(Cacheable::json(&feature, GEOJSON, OGC_MAX_AGE)?
        .language(wanted.content_language())
        .respond(&req, |_| {}))
}
