//! The demo map at `/`: a static page (Leaflet, vendored) compiled into the binary, so the
//! map works from a single file with nothing fetched from the internet, and the deployment's
//! optional base-map settings (`/map-config.json`).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::error::ApiError;
use crate::http_cache::Cacheable;
use crate::AppState;

const ASSET_MAX_AGE: u32 = 300;

/// Path under `/static/`, media type, content.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "map.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/map.js"),
    ),
    (
        "map.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/map.css"),
    ),
    (
        "vendor/leaflet-1.9.4/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/vendor/leaflet-1.9.4/leaflet.js"),
    ),
    (
        "vendor/leaflet-1.9.4/leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/vendor/leaflet-1.9.4/leaflet.css"),
    ),
    (
        "vendor/leaflet-1.9.4/images/layers.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet-1.9.4/images/layers.png"),
    ),
    (
        "vendor/leaflet-1.9.4/images/layers-2x.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet-1.9.4/images/layers-2x.png"),
    ),
    (
        "vendor/leaflet-1.9.4/images/marker-icon.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet-1.9.4/images/marker-icon.png"),
    ),
    (
        "vendor/leaflet-1.9.4/images/marker-icon-2x.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet-1.9.4/images/marker-icon-2x.png"),
    ),
    (
        "vendor/leaflet-1.9.4/images/marker-shadow.png",
        "image/png",
        include_bytes!("../../static/vendor/leaflet-1.9.4/images/marker-shadow.png"),
    ),
    (
        "vendor/leaflet-1.9.4/LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../static/vendor/leaflet-1.9.4/LICENSE"),
    ),
];

const INDEX_HTML: &[u8] = include_bytes!("../../static/index.html");

fn asset(req: &HttpRequest, content_type: &'static str, body: &[u8]) -> HttpResponse {
    Cacheable {
        body: body.to_vec(),
        content_type,
        max_age_seconds: ASSET_MAX_AGE,
        content_language: None,
    }
    .respond(req, |_| {})
}

/// `GET /`: the demo map.
pub async fn index(req: HttpRequest) -> HttpResponse {
    asset(&req, "text/html; charset=utf-8", INDEX_HTML)
}

/// `GET /static/{path}`: the map's script, style and the vendored Leaflet.
pub async fn static_asset(
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let wanted = path.into_inner();
    ASSETS
        .iter()
        .find(|(name, _, _)| *name == wanted)
        .map(|(_, content_type, body)| asset(&req, content_type, body))
        .ok_or_else(|| ApiError::NotFound(format!("static file `{wanted}`")))
}

/// `GET /map-config.json`: the base map a deployment configured (`MAP_TILE_URL`,
/// `MAP_TILE_ATTRIBUTION`); without one the page draws the country borders alone.
pub async fn map_config(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(json!({
            "tile_url": state.config.map_tile_url,
            "tile_attribution": state.config.map_tile_attribution,
        }))
}

/// Registers the page's routes (not part of the API document: they are a web page).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(index))
        .route("/static/{path:.*}", web::get().to(static_asset))
        .route("/map-config.json", web::get().to(map_config));
}
