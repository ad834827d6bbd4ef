//! The methods a path answers beyond its routes' own: HEAD wherever GET is, OPTIONS, and a
//! 405 naming the allowed methods when a path exists but not with the method asked
//! (RFC 9110 §9.3.2, §9.3.7, §15.5.6).
//!
//! Which methods a path has is read from the OpenAPI document the routes are built with, so
//! the two cannot drift.

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;

/// Answers HEAD through the GET routes. The HTTP/1 and HTTP/2 codecs remember that the
/// request was HEAD and send the response's headers only (Content-Length and ETag included),
/// so the handlers need not know, except one whose body is costly to make (`asked_head`).
pub async fn answer_head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(AskedHead);
    }
    next.call(req).await
}

/// Marks a request that came as HEAD.
#[derive(Clone, Copy)]
struct AskedHead;

/// Whether the request came as HEAD: its body would be thrown away, so a handler that reads
/// much to make one (a whole export) can leave it empty.
pub fn asked_head(req: &HttpRequest) -> bool {
    req.extensions().contains::<AskedHead>()
}

/// Every documented path, as actix matches it, with the methods it answers.
pub struct KnownPaths(Vec<(ResourceDef, Vec<Method>)>);

impl KnownPaths {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let paths = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, declared)| declared.then_some(method))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        KnownPaths(paths)
    }

    /// The methods `path` answers, in a fixed order, HEAD after GET and OPTIONS last; empty
    /// when no route has this path. Two templates may name one path (`/v1/actors/{id_or_slug}`
    /// for GET, `/v1/actors/{id}` for PATCH): their methods are joined.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let declared: Vec<&Method> = self
            .0
            .iter()
            .filter(|(template, _)| template.is_match(path))
            .flat_map(|(_, methods)| methods)
            .collect();
        if declared.is_empty() {
            return Vec::new();
        }
        let answered = |method: &Method| match *method {
            Method::HEAD => declared.contains(&&Method::GET),
            Method::OPTIONS => true,
            _ => declared.contains(&method),
        };
        [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ]
        .into_iter()
        .filter(answered)
        .collect()
    }
}

/// The `Allow` header's value: `GET, HEAD, OPTIONS`.
pub fn allow_header(methods: &[Method]) -> header::HeaderValue {
    let names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    header::HeaderValue::from_str(&names.join(", ")).expect("method names are header-safe")
}

/// The answer to OPTIONS on a known path that is not a CORS preflight (the CORS middleware
/// answers those): which methods the path takes.
pub fn options_response(methods: &[Method]) -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ALLOW, allow_header(methods)))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_answers_the_methods_of_every_template_it_matches() {
        let api = crate::openapi();
        let known = KnownPaths::from_openapi(&api);
        let names = |path: &str| -> Vec<String> {
            known
                .allowed(path)
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect()
        };
        assert_eq!(names("/v1/actors"), ["GET", "HEAD", "OPTIONS"]);
        assert_eq!(
            names("/v1/actors/some-slug"),
            ["GET", "HEAD", "PATCH", "OPTIONS"]
        );
        assert_eq!(names("/v1/submissions"), ["POST", "OPTIONS"]);
        assert_eq!(
            names("/v1/admin/webhooks/7"),
            ["GET", "HEAD", "DELETE", "OPTIONS"]
        );
        assert_eq!(names("/v1/exports/actors.csv"), ["GET", "HEAD", "OPTIONS"]);
        assert_eq!(names("/v1/tiles/3/4/2.mvt"), ["GET", "HEAD", "OPTIONS"]);
        assert!(names("/v1/nothing-here").is_empty());
        assert!(names("/v1/actors/a/b/c").is_empty());
        assert_eq!(
            allow_header(&known.allowed("/v1/facets")),
            "GET, HEAD, OPTIONS"
        );
    }
}
