//! The Atlas HTTP API (actix-web) and the use cases behind the `atlas` command line.
//!
//! Handlers parse requests into domain types, call the store, and map results to views;
//! `error.rs` alone decides what a client sees when something fails. This crate is the only
//! one that knows HTTP.

pub mod auth;
pub mod config;
pub mod error;
pub mod export;
pub mod http_cache;
pub mod lang;
pub mod params;
pub mod routes;
pub mod seed;
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
}

impl AppState {
    pub async fn load(store: Store, config: Config) -> anyhow::Result<AppState> {
        let taxonomy = store.taxonomy().await?;
        Ok(AppState {
            store,
            taxonomy: Arc::new(taxonomy),
            config: Arc::new(config),
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
        (name = "open data", description = "Exports, data package, catalogue entry and change feed"),
        (name = "moderation", description = "Moderator sessions, decisions, history and audit"),
        (name = "operations", description = "Health and readiness"),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the bearer scheme that guarded operations name in their `security`, with the role
/// they need as the scope (`moderator` or `admin`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A moderator session token from POST /v1/auth/login"))
                    .build(),
            ),
        );
    }
}

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
                .service(routes::exports::export_actors)
                .service(routes::exports::datapackage)
                .service(routes::exports::catalog)
                .service(routes::changes::list_changes)
                .service(routes::auth::login)
                .service(routes::auth::logout)
                .service(routes::admin::create_user)
                .service(routes::moderation::actor_history)
                .service(routes::moderation::archive_actor)
                .service(routes::moderation::restore_actor)
                .service(routes::moderation::merge_actor)
                .service(routes::moderation::audit_log),
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
    let path_config = web::PathConfig::default().error_handler(|err, _| {
        error::ApiError::from(atlas_domain::FieldError::new(
            "path",
            "invalid_path",
            err.to_string(),
        ))
        .into()
    });
    let json_config = web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _| json_error(&err).into());
    let (app, api) = routes(
        App::new()
            .app_data(web::Data::new(state))
            .app_data(path_config)
            .app_data(json_config),
    );
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .service(web::redirect("/docs", "/docs/"))
        .app_data(web::PayloadConfig::new(64 * 1024))
        .default_service(web::to(not_found))
        .wrap(middleware::ErrorHandlers::new().default_handler(error::problem_for_framework_errors))
        .wrap(middleware::Compress::default())
        .wrap(cors)
        .wrap(tracing_actix_web::TracingLogger::default())
}

/// A body that cannot be read: too large, not JSON, wrong types or unknown fields.
fn json_error(err: &actix_web::error::JsonPayloadError) -> error::ApiError {
    use actix_web::error::JsonPayloadError;
    let (code, message) = match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            return error::ApiError::PayloadTooLarge("the body is larger than 64 KiB".into())
        }
        JsonPayloadError::ContentType => (
            "unsupported_media_type",
            "send the body as application/json".to_owned(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ("invalid_field", e.to_string()),
        JsonPayloadError::Deserialize(e) => ("invalid_json", e.to_string()),
        other => ("invalid_body", other.to_string()),
    };
    atlas_domain::FieldError::new("body", code, message).into()
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
