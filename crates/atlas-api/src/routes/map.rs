//! Map reads: `GET /v1/clusters` (GeoJSON clusters and single actors per zoom) and
//! `GET /v1/tiles/{z}/{x}/{y}.mvt` (Mapbox Vector Tiles). Both take every list filter and
//! are computed by PostGIS.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use atlas_domain::map::{MapItem, TileId, Zoom};
use atlas_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, Problem};
use crate::filters::ActorFilterParams;
use crate::http_cache::{if_none_match_hits, Cacheable};
use crate::params::{parse_filtered_query, parse_query};
use crate::routes::actors::GEOJSON;
use crate::tile_cache::CachedTile;
use crate::views::PointGeometry;
use crate::AppState;

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
const MAP_MAX_AGE: u32 = 60;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClustersParams {
    /// Map zoom, 0 to 22 (Web Mercator, as in Leaflet, MapLibre or OpenLayers). Clusters are
    /// cells of a grid anchored to the world, 8 per tile side; from zoom 16 every actor
    /// comes on its own.
    #[param(value_type = u8, example = 5)]
    zoom: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCountView {
    pub id: String,
    pub count: u64,
}

/// A cluster (`cluster: true`) or a single actor (`cluster: false`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MapItemProperties {
    pub cluster: bool,
    /// How many actors the symbol stands for (1 for a single actor).
    pub count: u64,
    /// Clusters: the stable id of the grid cell, `zoom/column/row`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Clusters: the most frequent categories among the members (up to five).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_categories: Option<Vec<CategoryCountView>>,
    /// Single actors: the actor's UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MapItemFeature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub feature_type: &'static str,
    /// The cluster id (`zoom/column/row`) or the actor's UUID.
    pub id: String,
    /// Clusters: the box around the members `[west, south, east, north]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
    pub geometry: PointGeometry,
    pub properties: MapItemProperties,
}

/// Clusters and single actors (GeoJSON).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub collection_type: &'static str,
    pub zoom: u8,
    /// How many actors match (the sum of the features' `count`).
    #[serde(rename = "numberMatched")]
    pub number_matched: u64,
    pub features: Vec<MapItemFeature>,
}

impl MapItemFeature {
    fn new(item: MapItem) -> MapItemFeature {
        match item {
            MapItem::Cluster(cluster) => {
                let id = cluster.cell.to_string();
                MapItemFeature {
                    feature_type: "Feature",
                    id: id.clone(),
                    bbox: Some([
                        cluster.extent.min_lon,
                        cluster.extent.min_lat,
                        cluster.extent.max_lon,
                        cluster.extent.max_lat,
                    ]),
                    geometry: point(cluster.lon, cluster.lat),
                    properties: MapItemProperties {
                        cluster: true,
                        count: cluster.count,
                        cluster_id: Some(id),
                        top_categories: Some(
                            cluster
                                .top_categories
                                .into_iter()
                                .map(|c| CategoryCountView {
                                    id: c.category.as_str().to_owned(),
                                    count: c.count,
                                })
                                .collect(),
                        ),
                        id: None,
                        slug: None,
                        name: None,
                        kind: None,
                        categories: None,
                    },
                }
            }
            MapItem::Actor(actor) => MapItemFeature {
                feature_type: "Feature",
                id: actor.id.0.to_string(),
                bbox: None,
                geometry: point(actor.lon, actor.lat),
                properties: MapItemProperties {
                    cluster: false,
                    count: 1,
                    cluster_id: None,
                    top_categories: None,
                    id: Some(actor.id.0.to_string()),
                    slug: Some(actor.slug),
                    name: Some(actor.name),
                    kind: Some(actor.kind.as_str().to_owned()),
                    categories: Some(
                        actor
                            .categories
                            .iter()
                            .map(|c| c.as_str().to_owned())
                            .collect(),
                    ),
                },
            },
        }
    }
}

fn point(lon: f64, lat: f64) -> PointGeometry {
    PointGeometry {
        geometry_type: "Point",
        coordinates: [lon, lat],
    }
}

/// Clusters of actors for a map view
///
/// Every actor matching the filters (the same as `GET /v1/actors`) is counted once, in the
/// cell of a Web Mercator grid its position falls in: a cell holding several actors is a
/// cluster (`count`, `bbox` of the members, `top_categories`), a cell holding one is that actor.
/// The grid is anchored to the world, not to the viewport, so a cluster keeps its id and
/// members while the map pans (a cluster cut by the edge of `bbox` counts only the actors inside).
#[utoipa::path(
    tag = "map",
    params(ActorFilterParams, ClustersParams),
    responses(
        (status = 200, description = "Clusters and single actors", body = ClusterCollection, content_type = "application/geo+json"),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/clusters")]
pub async fn list_clusters(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (filters, params): (ActorFilterParams, ClustersParams) = parse_filtered_query(&req)?;
    let mut errors = ValidationErrors::default();
    let zoom = match params.zoom.as_deref() {
        Some(raw) => errors.take(Zoom::parse("zoom", raw)),
        None => {
            errors.push("zoom", "missing_parameter", "zoom is required (0 to 22)");
            None
        }
    };
    let query = match filters.to_query(&state.taxonomy) {
        Ok(query) => Some(query),
        Err(filter_errors) => {
            errors.0.extend(filter_errors.0);
            None
        }
    };
    let (Some(zoom), Some(query), true) = (zoom, query, errors.is_empty()) else {
        return Err(errors.into());
    };
    let items = state.store.map_items(&query, zoom).await?;
    let collection = ClusterCollection {
        collection_type: "FeatureCollection",
        zoom: zoom.level(),
        number_matched: items.iter().map(MapItem::count).sum(),
        features: items.into_iter().map(MapItemFeature::new).collect(),
    };
    Ok(Cacheable::json(&collection, GEOJSON, MAP_MAX_AGE)?.respond(&req, |_| {}))
}

/// A vector tile of actors
///
/// A Mapbox Vector Tile (XYZ scheme, Web Mercator, extent 4096) built by PostGIS, with one
/// layer, `actors`. Below zoom 16 nearby actors are clustered exactly as in `GET /v1/clusters`:
/// a point with `cluster = true`, `count`, `id` (the cell `zoom/column/row`) and `categories`
/// (the most frequent, comma-separated); single actors have `cluster = false`, `count = 1`,
/// `id` (UUID), `name`, `kind`, `slug` and `categories` (comma-separated). Takes every list
/// filter. A tile with nothing in it is answered `204 No Content`.
#[utoipa::path(
    tag = "map",
    params(
        ("z" = u8, Path, description = "Zoom, 0 to 22"),
        ("x" = u32, Path, description = "Column, 0 to 2^z − 1"),
        ("y" = u32, Path, description = "Row from the north, 0 to 2^z − 1"),
        ActorFilterParams,
    ),
    responses(
        (status = 200, description = "The tile", content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 204, description = "Nothing to show in this tile"),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid tile coordinates, or an invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tiles/{z}/{x}/{y}.mvt")]
pub async fn get_tile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let tile_cache = &state.tile_cache;
    tile_cache.forget_if_changed(&state.store).await?;
    // Only tiles of valid requests are cached: a hit needs no parsing.
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path(), |p| p.as_str());
    if let Some(cached) = tile_cache.get(key) {
        return Ok(tile_response(&req, &cached));
    }
    let (z, x, y) = path.into_inner();
    let mut errors = ValidationErrors::default();
    let tile = match TileId::parse(&z, &x, &y) {
        Ok(tile) => Some(tile),
        Err(tile_errors) => {
            errors.0.extend(tile_errors);
            None
        }
    };
    let filters: ActorFilterParams = parse_query(&req)?;
    let query = match filters.to_query(&state.taxonomy) {
        Ok(query) => Some(query),
        Err(filter_errors) => {
            errors.0.extend(filter_errors.0);
            None
        }
    };
    let (Some(tile), Some(query), true) = (tile, query, errors.is_empty()) else {
        return Err(errors.into());
    };
    let body = state.store.actor_tile(&query, tile).await?;
    let rendered = Cacheable {
        body,
        content_type: MVT,
        max_age_seconds: MAP_MAX_AGE,
        content_language: None,
    };
    let etag =
        HeaderValue::from_str(&rendered.etag()).map_err(|e| ApiError::Internal(e.to_string()))?;
    let cached = Arc::new(CachedTile {
        body: Bytes::from(rendered.body),
        etag,
        compressed: Default::default(),
    });
    tile_cache.insert(key.to_owned(), cached.clone());
    Ok(tile_response(&req, &cached))
}

/// `Cache-Control` of tiles (`MAP_MAX_AGE` seconds).
fn tile_cache_control() -> HeaderValue {
    HeaderValue::from_static("public, max-age=60")
}

/// 200 with the tile, 204 for an empty tile, 304 when the client has this tile already.
fn tile_response(req: &HttpRequest, tile: &CachedTile) -> HttpResponse {
    if tile.body.is_empty() {
        return HttpResponse::NoContent()
            .insert_header((header::CACHE_CONTROL, tile_cache_control()))
            .finish();
    }
    let has_it = tile
        .etag
        .to_str()
        .is_ok_and(|etag| if_none_match_hits(req, etag));
    let mut response = if has_it {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, tile.etag.clone()))
        .insert_header((header::CACHE_CONTROL, tile_cache_control()))
        .insert_header((
            header::VARY,
            HeaderValue::from_static("Accept, Accept-Language, Accept-Encoding"),
        ));
    if has_it {
        return response.finish();
    }
    match tile.compressed.for_request(req, &tile.body) {
        Some((encoding, body)) => response
            .insert_header((header::CONTENT_ENCODING, encoding))
            .content_type(MVT)
            .body(body),
        None => response.content_type(MVT).body(tile.body.clone()),
    }
}

/// Simplified country borders
///
/// Every country's border as one GeoJSON FeatureCollection (properties `country`, `name`),
/// simplified to about 2 km (topology kept), for a base map that needs no tile server — the
/// demo map at `/` draws it. Borders: @rapideditor/country-coder, ISC licence.
#[utoipa::path(
    tag = "map",
    responses(
        (status = 200, description = "The borders", body = Object, content_type = "application/geo+json"),
        (status = 304, description = "Not modified"),
    )
)]
#[get("/map/borders")]
pub async fn get_borders(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let _: NoParams = parse_query(&req)?;
    let geojson = state
        .store
        .simplified_borders_geojson(BORDER_TOLERANCE_DEGREES)
        .await?;
    Ok(Cacheable {
        body: geojson.into_bytes(),
        content_type: GEOJSON,
        max_age_seconds: BORDERS_MAX_AGE,
        content_language: None,
    }
    .respond(&req, |_| {}))
}

/// About 2 km: fine at the zooms where borders matter, a few hundred kB for all of them.
const BORDER_TOLERANCE_DEGREES: f64 = 0.02;
/// Borders change only with `atlas seed`.
const BORDERS_MAX_AGE: u32 = 86_400;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}
