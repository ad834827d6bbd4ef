//! `GET /v1/categories`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, Problem};
use crate::http_cache::Cacheable;
use crate::lang::Wanted;
use crate::params::parse_query;
use crate::views::{CategoryListResponse, CategoryResponse};
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCategoriesParams {
    /// Language of the labels; overrides `Accept-Language`.
    lang: Option<String>,
}

/// The taxonomy
///
/// Every category, parents before their children, with its label in the requested language
/// (requested → English → any) and all translations.
#[utoipa::path(
    tag = "categories",
    params(ListCategoriesParams),
    responses(
        (status = 200, description = "All categories", body = CategoryListResponse),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: ListCategoriesParams = parse_query(&req)?;
    let wanted = Wanted::from_request(&req, params.lang.as_deref())?;
    let items = state
        .taxonomy
        .categories
        .iter()
        .map(|c| CategoryResponse::new(c, &wanted))
        .collect();
    let cacheable = Cacheable::json(&CategoryListResponse { items }, "application/json", 300)?;
    Ok(cacheable
        .language(wanted.content_language())
        .respond(&req, |_| {}))
}
