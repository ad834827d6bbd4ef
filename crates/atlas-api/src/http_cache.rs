//! Cacheable public responses: a validator (`ETag`) computed from the body, `If-None-Match`
//! answered with 304, and how long shared caches may keep the answer.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use sha2::{Digest, Sha256};

/// Whether the request's `If-None-Match` names `etag` (weakly) or is `*`: the client has it.
pub fn if_none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                t.trim() == etag
                    || t.trim() == "*"
                    || t.trim().trim_start_matches("W/") == etag.trim_start_matches("W/")
            })
        })
}

/// A response body with its content type, ready to be sent with caching headers.
pub struct Cacheable {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub max_age_seconds: u32,
    pub content_language: Option<String>,
}

impl Cacheable {
    pub fn json<T: serde::Serialize>(
        value: &T,
        content_type: &'static str,
        max_age_seconds: u32,
    ) -> Result<Cacheable, crate::error::ApiError> {
        let body = serde_json::to_vec(value)
            .map_err(|e| crate::error::ApiError::Internal(e.to_string()))?;
        Ok(Cacheable {
            body,
            content_type,
            max_age_seconds,
            content_language: None,
        })
    }

    pub fn language(mut self, lang: &str) -> Cacheable {
        self.content_language = Some(lang.to_owned());
        self
    }

    /// The validator of the body (weak: the same representation may be sent gzip- or
    /// br-encoded).
    pub fn etag(&self) -> String {
        let digest = Sha256::digest(&self.body);
        let tag: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("W/\"{tag}\"")
    }

    /// 200 with the body, or 304 when the client already has this exact body.
    pub fn respond(
        self,
        req: &HttpRequest,
        extra: impl FnOnce(&mut HttpResponseBuilder),
    ) -> HttpResponse {
        let etag = self.etag();
        self.respond_tagged(req, etag, extra)
    }

    /// As `respond`, with the body's ETag already known (a cached body).
    pub fn respond_tagged(
        self,
        req: &HttpRequest,
        etag: String,
        extra: impl FnOnce(&mut HttpResponseBuilder),
    ) -> HttpResponse {
        let matches = if_none_match_hits(req, &etag);
        let status = if matches {
            StatusCode::NOT_MODIFIED
        } else {
            StatusCode::OK
        };
        let mut builder = HttpResponse::build(status);
        builder
            .insert_header((header::ETAG, etag))
            .insert_header((
                header::CACHE_CONTROL,
                format!("public, max-age={}", self.max_age_seconds),
            ))
            .insert_header((
                header::VARY,
                HeaderValue::from_static("Accept, Accept-Language, Accept-Encoding"),
            ));
        if let Some(lang) = &self.content_language {
            builder.insert_header((header::CONTENT_LANGUAGE, lang.as_str()));
        }
        extra(&mut builder);
        if matches {
            builder.finish()
        } else {
            builder.content_type(self.content_type).body(self.body)
        }
    }
}
