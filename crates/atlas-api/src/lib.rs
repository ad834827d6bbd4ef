//! The Atlas HTTP API (actix-web) and the use cases behind the `atlas` command line.
//!
//! Handlers parse requests into domain types, call the store, and map results to views;
//! `error.rs` alone decides what a client sees when something fails. This crate is the only
//! one that knows HTTP.

pub mod config;
pub mod error;
pub mod filters;
pub mod http_cache;
pub mod lang;
pub mod params;
pub mod routes;
pub mod seed;
pub mod tile_cache;
pub mod views;

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse};
use atlas_domain::Taxonomy;
use atlas_store::Store;
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

pub use config::Config;
use error::{problem_response, Problem};

/// What every handler may use.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Loaded at start-up; the taxonomy changes only through `atlas seed`.
    pub taxonomy: Arc<Taxonomy>,
    pub config: Arc<Config>,
    /// Rendered vector tiles, dropped when actors change.
    pub tile_cache: Arc<tile_cache::TileCache>,
}

impl AppState {
    pub async fn load(store: Store, config: Config) -> anyhow::Result<AppState> {
        let taxonomy = store.taxonomy().await?;
        let tile_cache = tile_cache::TileCache::new(
            config.tile_cache_mb.saturating_mul(1024 * 1024),
            std::time::Duration::from_millis(config.tile_cache_check_ms),
        );
        Ok(AppState {
            store,
            taxonomy: Arc::new(taxonomy),
            config: Arc::new(config),
            tile_cache: Arc::new(tile_cache),
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Social Tech Atlas API",
        description = "An open geospatial directory of Europe's social economy and social tech. \
Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.",
        license(name = "AGPL-3.0-or-later (code); data under ODbL-1.0 unless configured otherwise"),
    ),
    tags(
        (name = "actors", description = "Organisations on the map"),
        (name = "categories", description = "The taxonomy"),
        (name = "map", description = "Clusters and vector tiles for maps at any zoom"),
        (name = "ogc", description = "OGC API - Features (Part 1 Core, GeoJSON; Part 3 queryables) for GIS clients"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

/// The routes and the OpenAPI document describing them, built together so they cannot drift.
fn routes<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(
            scope::scope("/v1")
                .service(routes::actors::list_actors)
                .service(routes::actors::get_actor)
                .service(routes::categories::list_categories)
                .service(routes::map::list_clusters)
                .service(routes::map::get_tile)
                .service(routes::map::get_borders),
        )
        .service(
            scope::scope("/ogc")
                .service(routes::ogc::ogc_landing)
                .service(routes::ogc::ogc_conformance)
                .service(routes::ogc::ogc_api)
                .service(routes::ogc::ogc_collections)
                .service(routes::ogc::ogc_collection)
                .service(routes::ogc::ogc_queryables)
                .service(routes::ogc::ogc_items)
                .service(routes::ogc::ogc_item),
        )
        .split_for_parts()
}

/// The OpenAPI document the server serves at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes(App::new()).1
}

/// The whole application: routes, docs, errors as problem+json, CORS, compression, tracing.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = Cors::default()
        .allow_any_origin()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allow_any_header()
        .expose_headers(["ETag", "Link", "Content-Language", "Retry-After"])
        .max_age(86_400);
    let (app, api) = routes(App::new().app_data(web::Data::new(state)).app_data(
        web::PathConfig::default().error_handler(|err, _| {
            error::ApiError::from(atlas_domain::FieldError::new(
                "path",
                "invalid_path",
                err.to_string(),
            ))
            .into()
        }),
    ));
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .service(web::redirect("/docs", "/docs/"))
        .configure(routes::demo::configure)
        .default_service(web::to(not_found))
        .wrap(middleware::Compress::default())
        .wrap(cors)
        .wrap(tracing_actix_web::TracingLogger::default())
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    problem_response(
        StatusCode::NOT_FOUND,
        &Problem {
            problem_type: "/problems/not_found".into(),
            title: "Not found".into(),
            status: 404,
            detail: format!(
                "There is nothing at {} {}; see /docs for the API.",
                req.method(),
                req.path()
            ),
            code: "not_found".into(),
            errors: Vec::new(),
        },
    )
}
