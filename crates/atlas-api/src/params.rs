//! Query strings: repeated keys allowed, unknown keys refused (so `?categroy=` never silently
//! returns everything). The accepted names come from the same `IntoParams` type that documents
//! them in the OpenAPI, so the docs and the parser cannot disagree.

use std::collections::BTreeSet;

use actix_web::HttpRequest;
use atlas_domain::FieldError;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;

/// Parses the request's query string into `T`, refusing parameters `T` does not document.
pub fn parse_query<T: DeserializeOwned + IntoParams>(req: &HttpRequest) -> Result<T, ApiError> {
    let query = req.query_string();
    let known: BTreeSet<String> = T::into_params(|| None)
        .into_iter()
        .map(|p| p.name)
        .collect();
    let mut unknown: Vec<String> = Vec::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        if !known.contains(name.as_ref()) && !unknown.iter().any(|u| u == name.as_ref()) {
            unknown.push(name.chars().take(64).collect());
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::UnknownParameters(unknown));
    }
    serde_html_form::from_str(query).map_err(|e| {
        FieldError::new(
            "query",
            "invalid_parameter",
            format!("the query string cannot be read: {e}"),
        )
        .into()
    })
}

/// Splits repeated and comma-separated values: `kind=a&kind=b,c` → `[a, b, c]`.
pub fn list(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Reads a JSON body after the handler's guards have run. (`web::Json` is extracted at the same
/// time as the credentials, so a bad body would be reported before a missing token.)
pub fn parse_json<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim().eq_ignore_ascii_case("application/json") || t.trim().ends_with("+json")
            })
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType(
            "send the body as JSON with Content-Type: application/json".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let code = if e.is_data() {
            "invalid_field"
        } else {
            "invalid_json"
        };
        FieldError::new("body", code, e.to_string()).into()
    })
}

/// Like [`parse_json`], for bodies that may be left out entirely.
pub fn parse_optional_json<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(req, body)
    }
}
