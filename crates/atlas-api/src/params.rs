//! Query strings: repeated keys allowed, unknown keys refused (so `?categroy=` never silently
//! returns everything). The accepted names come from the same `IntoParams` type that documents
//! them in the OpenAPI, so the docs and the parser cannot disagree.

use std::collections::BTreeSet;

use actix_web::HttpRequest;
use atlas_domain::FieldError;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::filters::ActorFilterParams;

/// Parses the request's query string into `T`, refusing parameters `T` does not document.
pub fn parse_query<T: DeserializeOwned + IntoParams>(req: &HttpRequest) -> Result<T, ApiError> {
    refuse_unknown(req, &names_of::<T>())?;
    deserialize(req)
}

/// Parses the request's query string into the shared actor filters and the endpoint's own
/// parameters `T`, refusing any parameter neither documents.
pub fn parse_filtered_query<T: DeserializeOwned + IntoParams>(
    req: &HttpRequest,
) -> Result<(ActorFilterParams, T), ApiError> {
    let mut known = names_of::<ActorFilterParams>();
    known.extend(names_of::<T>());
    refuse_unknown(req, &known)?;
    Ok((deserialize(req)?, deserialize(req)?))
}

fn names_of<T: IntoParams>() -> BTreeSet<String> {
    T::into_params(|| None)
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn refuse_unknown(req: &HttpRequest, known: &BTreeSet<String>) -> Result<(), ApiError> {
    let mut unknown: Vec<String> = Vec::new();
    for (name, _) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if !known.contains(name.as_ref()) && !unknown.iter().any(|u| u == name.as_ref()) {
            unknown.push(name.chars().take(64).collect());
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::UnknownParameters(unknown))
    }
}

/// Reads the query string into `T`; parameters `T` does not name are skipped (they were
/// checked against the documented names before).
fn deserialize<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    serde_html_form::from_str(req.query_string()).map_err(|e| {
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
