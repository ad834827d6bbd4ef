//! The Atlas HTTP API (actix-web) and the use cases behind the `atlas` command line.
//!
//! Handlers parse requests into domain types, call the store, and map results to views;
//! `error.rs` alone decides what a client sees when something fails. This crate is the only
//! one that knows HTTP.

pub mod auth;
pub mod body;
pub mod change_watch;
pub mod config;
pub mod error;
pub mod export;
pub mod filters;
pub mod http_cache;
pub mod import;
pub mod lang;
pub mod mail;
pub mod methods;
pub mod params;
pub mod precompressed;
pub mod rate_limit;
pub mod remind;
pub mod response_cache;
pub mod routes;
pub mod secret;
pub mod seed;
pub mod tile_cache;
pub mod views;
pub mod webhooks;

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse};
use atlas_domain::Taxonomy;
use atlas_search::{MeiliSearch, PostgresSearch, Search};
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
    /// Where queued emails are sent (SMTP, or the local mailbox directory).
    pub mailer: mail::Mailer,
    /// Wakes the outbox worker when a request queued an email.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// One set of write limits for every worker thread, so a client's budget is per server.
    pub write_limits: Arc<rate_limit::WriteLimits>,
    /// Text search: PostgreSQL, or Meilisearch when `MEILI_URL` is set (PostgreSQL answering
    /// whenever it cannot).
    pub search: Search,
    /// Rendered vector tiles, dropped when actors change.
    pub tile_cache: Arc<tile_cache::TileCache>,
    /// Public read answers (lists, facets, suggestions, clusters), dropped when actors change.
    pub response_cache: Arc<response_cache::ResponseCache>,
    /// Sends webhook deliveries (the server's worker, and tests, through it).
    pub webhooks: webhooks::Deliverer,
}

impl AppState {
    pub async fn load(store: Store, config: Config) -> anyhow::Result<AppState> {
        let store = store
            .with_search_timeout(config.search_statement_timeout_ms)?
            .with_broad_matches(config.search_broad_matches)
            .with_expansion_cache(config.search_expansion_cache_mb << 20);
        let taxonomy = Arc::new(store.taxonomy().await?);
        let meili = match &config.meili_url {
            Some(url) => Some(MeiliSearch::new(
                url,
                config.meili_master_key.as_deref(),
                &config.meili_index,
                store.clone(),
                taxonomy.clone(),
            )?),
            None => None,
        };
        let mailer = mail::Mailer::from_config(&config)?;
        let write_limits = rate_limit::WriteLimits::new(&config);
        let webhooks = webhooks::Deliverer::from_config(&config)?;
        // One look at the actors change counter serves both caches.
        let change_watch = Arc::new(change_watch::ChangeWatch::new(
            std::time::Duration::from_millis(config.tile_cache_check_ms),
        ));
        let tile_cache = tile_cache::TileCache::new(
            config.tile_cache_mb.saturating_mul(1024 * 1024),
            change_watch.clone(),
        );
        let response_cache = response_cache::ResponseCache::new(
            config.response_cache_mb.saturating_mul(1024 * 1024),
            change_watch,
        );
        Ok(AppState {
            search: Search::new(PostgresSearch::new(store.clone()), meili),
            store,
            taxonomy,
            config: Arc::new(config),
            mailer,
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            write_limits: Arc::new(write_limits),
            tile_cache: Arc::new(tile_cache),
            response_cache: Arc::new(response_cache),
            webhooks,
        })
    }

    /// Sends every email that is due now (the server's worker does this continuously).
    pub async fn deliver_due_emails(&self) -> anyhow::Result<usize> {
        mail::deliver_due_emails(&self.store, &self.mailer, &self.config).await
    }

    /// Attempts every webhook delivery that is due now (the server's worker does this
    /// continuously); returns how many were attempted.
    pub async fn deliver_due_webhooks(&self) -> anyhow::Result<usize> {
        self.webhooks.deliver_due(&self.store).await
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
        (name = "submissions", description = "Partners proposing their listing"),
        (name = "owners", description = "Edits, reports and erasure requests about a listing"),
        (name = "search", description = "Facet counts and autocomplete"),
        (name = "map", description = "Clusters and vector tiles for maps at any zoom"),
        (name = "ogc", description = "OGC API - Features (Part 1 Core, GeoJSON; Part 3 queryables) for GIS clients"),
        (name = "operations", description = "Health and readiness"),
        (name = "webhooks", description = "Admins register URLs told of every change-feed event, signed with HMAC-SHA256"),
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
        components.add_security_scheme(
            "partner_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A partner API key (`atlas_pk_...`) issued by an admin with \
                         POST /v1/admin/api-keys; the scope names what it must allow \
                         (`submit`, `edit`). Its requests count against the key's hourly quota.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The largest JSON body accepted: a generous listing with long descriptions in several
/// languages fits many times over; anything bigger is refused before it is parsed.
pub const MAX_JSON_BODY_BYTES: usize = 256 * 1024;

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
            // Paths are tried in this order, each dynamic one by a regex: the requests a map
            // sends by the hundred (tiles, clusters) come first.
            scope::scope("/v1")
                .service(routes::map::get_tile)
                .service(routes::map::list_clusters)
                .service(routes::map::get_borders)
                .service(routes::actors::list_actors)
                .service(routes::actors::get_actor)
                .service(routes::search::list_facets)
                .service(routes::search::suggest)
                .service(routes::categories::list_categories)
                .service(routes::exports::export_actors)
                .service(routes::exports::datapackage)
                .service(routes::exports::catalog)
                .service(routes::changes::list_changes)
                .service(routes::auth::login)
                .service(routes::auth::logout)
                .service(routes::admin::create_user)
                .service(routes::api_keys::create_api_key)
                .service(routes::api_keys::list_api_keys)
                .service(routes::api_keys::revoke_api_key)
                .service(routes::imports::create_import)
                .service(routes::webhooks::create_webhook)
                .service(routes::webhooks::list_webhooks)
                .service(routes::webhooks::get_webhook)
                .service(routes::webhooks::delete_webhook)
                .service(routes::webhooks::retry_parked_deliveries)
                .service(routes::moderation::actor_history)
                .service(routes::moderation::archive_actor)
                .service(routes::moderation::restore_actor)
                .service(routes::moderation::merge_actor)
                .service(routes::moderation::audit_log)
                .service(routes::review::moderation_queue)
                .service(routes::review::moderation_item)
                .service(routes::review::approve_item)
                .service(routes::review::reject_item)
                .service(routes::review::request_changes)
                .service(routes::submissions::create_submission)
                .service(routes::submissions::confirm_submission)
                .service(routes::submissions::get_submission)
                .service(routes::submissions::check_duplicates)
                .service(routes::owners::request_edit_link)
                .service(routes::owners::edit_actor)
                .service(routes::owners::report_actor)
                .service(routes::owners::request_erasure)
                .service(routes::reminders::verify_page)
                .service(routes::reminders::verify_actor),
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
    let path_config = web::PathConfig::default().error_handler(|err, _| {
        error::ApiError::from(atlas_domain::FieldError::new(
            "path",
            "invalid_path",
            err.to_string(),
        ))
        .into()
    });
    let json_config = web::JsonConfig::default()
        .limit(MAX_JSON_BODY_BYTES)
        .error_handler(|err, _| error::json_body_error(err).into());
    let (app, api) = routes(
        App::new()
            .app_data(web::Data::new(state))
            .app_data(path_config)
            .app_data(json_config),
    );
    let known_paths = web::Data::new(methods::KnownPaths::from_openapi(&api));
    app.app_data(known_paths)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .service(web::redirect("/docs", "/docs/"))
        .app_data(web::PayloadConfig::new(MAX_JSON_BODY_BYTES))
        .configure(routes::demo::configure)
        .default_service(web::to(unrouted))
        .wrap(middleware::ErrorHandlers::new().default_handler(error::problem_for_framework_errors))
        .wrap(middleware::from_fn(response_cache::serve_cached))
        .wrap(middleware::from_fn(rate_limit::limit_writes))
        .wrap(middleware::Compress::default())
        .wrap(cors)
        .wrap(middleware::from_fn(methods::answer_head_as_get))
        .wrap(tracing_actix_web::TracingLogger::default())
}

/// What no route answered: a method the path does not take (405, or the methods for
/// OPTIONS), or a path that does not exist (404).
async fn unrouted(req: HttpRequest, known_paths: web::Data<methods::KnownPaths>) -> HttpResponse {
    let allowed = known_paths.allowed(req.path());
    if allowed.is_empty() {
        return not_found(&req);
    }
    if req.method() == actix_web::http::Method::OPTIONS {
        return methods::options_response(&allowed);
    }
    let refusal = error::ApiError::MethodNotAllowed {
        method: req.method().clone(),
        allowed,
    };
    actix_web::ResponseError::error_response(&refusal)
}

fn not_found(req: &HttpRequest) -> HttpResponse {
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
