//! The one place that decides what a client sees when something goes wrong.
//!
//! Every failure becomes an RFC 9457 problem (`application/problem+json`) with a stable
//! snake_case `code` clients can switch on and, for input errors, the offending fields.
//! Unexpected failures are logged with their cause and answered with a generic 500 that
//! reveals no internals.

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use atlas_domain::{FieldError, SearchError, ValidationErrors};
use atlas_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem details document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable identifier of the problem, e.g. `invalid_bbox`, `unknown_parameter`, `not_found`.
    pub code: String,
    /// The fields at fault, when the problem is with the input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The parameter or body field at fault (`bbox`, `location.lat`, `categories[0]`).
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more query parameters or body fields are invalid.
    #[error("invalid input: {0}")]
    InvalidInput(ValidationErrors),
    #[error("unknown parameter(s): {}", .0.join(", "))]
    UnknownParameters(Vec<String>),
    #[error("{0} not found")]
    NotFound(String),
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// The path exists, but not with this method.
    #[error("{method} is not a method of this path; it takes {}", .allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", "))]
    MethodNotAllowed {
        method: Method,
        allowed: Vec<Method>,
    },
    /// The body is not usable JSON (empty, malformed, not an object).
    #[error("{detail}")]
    BadBody { code: &'static str, detail: String },
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A token is missing, unknown, spent or expired.
    #[error("{1}")]
    Unauthorized(&'static str, String),
    /// A valid credential that does not allow this.
    #[error("{1}")]
    Forbidden(&'static str, String),
    #[error("{1}")]
    Conflict(&'static str, String),
    /// `If-Match` names another version than the current one.
    #[error("the listing is at version {current}, or an edit of the version you quoted is already waiting for review; reload and edit again")]
    VersionConflict { current: i32 },
    #[error("this request must say which version it changes: send If-Match: \"<version>\"")]
    PreconditionRequired,
    #[error("too many requests from this client; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A partner key used up its hourly quota.
    #[error("this API key has used up its quota of {quota_per_hour} requests per hour; retry in {retry_after_secs} s")]
    QuotaExceeded {
        quota_per_hour: i32,
        retry_after_secs: u64,
    },
    /// Too many failed logins in a row: the account waits before it accepts another.
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    LoginLocked { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Every search backend failed (PostgreSQL included).
    #[error(transparent)]
    Search(#[from] atlas_domain::SearchError),
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a client is told to wait after a search timed out: the statement ran into the timeout
/// because the database was busy or the query was broad; a moment later the first may be over.
pub const SEARCH_RETRY_AFTER_SECS: u64 = 2;

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::InvalidInput(errors)
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::InvalidInput(ValidationErrors(vec![error]))
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::InvalidInput(ValidationErrors(errors))
    }
}

impl ApiError {
    /// The search statement timeout that stopped this request, if that is what happened.
    fn search_timeout_ms(&self) -> Option<u64> {
        match self {
            ApiError::Store(StoreError::SearchTimeout { timeout_ms })
            | ApiError::Search(SearchError::TimedOut { timeout_ms }) => Some(*timeout_ms),
            _ => None,
        }
    }

    fn code(&self) -> String {
        if self.search_timeout_ms().is_some() {
            return "search_timeout".to_owned();
        }
        match self {
            // One kind of mistake is named after it (`invalid_bbox`); a mix is `validation_failed`.
            ApiError::InvalidInput(errors) => match errors.0.as_slice() {
                [first, rest @ ..] if rest.iter().all(|e| e.code == first.code) => {
                    first.code.to_owned()
                }
                _ => "validation_failed".to_owned(),
            },
            ApiError::UnknownParameters(_) => "unknown_parameter".to_owned(),
            ApiError::NotFound(_) => "not_found".to_owned(),
            ApiError::NotAcceptable(_) => "not_acceptable".to_owned(),
            ApiError::MethodNotAllowed { .. } => "method_not_allowed".to_owned(),
            ApiError::BadBody { code, .. }
            | ApiError::Unauthorized(code, _)
            | ApiError::Forbidden(code, _)
            | ApiError::Conflict(code, _) => (*code).to_owned(),
            ApiError::PayloadTooLarge(_) => "payload_too_large".to_owned(),
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type".to_owned(),
            ApiError::VersionConflict { .. } => "version_conflict".to_owned(),
            ApiError::PreconditionRequired => "precondition_required".to_owned(),
            ApiError::RateLimited { .. } => "rate_limited".to_owned(),
            ApiError::QuotaExceeded { .. } => "quota_exceeded".to_owned(),
            ApiError::LoginLocked { .. } => "login_locked".to_owned(),
            ApiError::Store(StoreError::Conflict { code, .. }) => (*code).to_owned(),
            ApiError::Store(StoreError::NotFound(_)) => "not_found".to_owned(),
            ApiError::Store(StoreError::Unavailable(_)) | ApiError::Search(_) => {
                "service_unavailable".to_owned()
            }
            ApiError::Store(_) | ApiError::Internal(_) => "internal_error".to_owned(),
        }
    }

    fn title(&self) -> &'static str {
        if self.search_timeout_ms().is_some() {
            return "Search timed out";
        }
        match self {
            ApiError::InvalidInput(_) => "Invalid input",
            ApiError::UnknownParameters(_) => "Unknown query parameter",
            ApiError::NotFound(_) => "Not found",
            ApiError::NotAcceptable(_) => "Not acceptable",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::BadBody { .. } => "Unreadable body",
            ApiError::PayloadTooLarge(_) => "Payload too large",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::Unauthorized(..) => "Unauthorized",
            ApiError::Forbidden(..) => "Forbidden",
            ApiError::Conflict(..) => "Conflict",
            ApiError::VersionConflict { .. } => "Version conflict",
            ApiError::PreconditionRequired => "Precondition required",
            ApiError::RateLimited { .. }
            | ApiError::LoginLocked { .. }
            | ApiError::QuotaExceeded { .. } => "Too many requests",
            ApiError::Store(StoreError::Conflict { .. }) => "Conflict",
            ApiError::Store(StoreError::NotFound(_)) => "Not found",
            ApiError::Store(StoreError::Unavailable(_)) | ApiError::Search(_) => {
                "Service unavailable"
            }
            ApiError::Store(_) | ApiError::Internal(_) => "Internal server error",
        }
    }

    fn fields(&self) -> Vec<ProblemField> {
        match self {
            ApiError::InvalidInput(errors) => errors
                .0
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.to_owned(),
                    message: e.message.clone(),
                })
                .collect(),
            ApiError::UnknownParameters(names) => names
                .iter()
                .map(|name| ProblemField {
                    field: name.clone(),
                    code: "unknown_parameter".to_owned(),
                    message: format!("`{name}` is not a parameter of this endpoint"),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn detail(&self) -> String {
        if let Some(timeout_ms) = self.search_timeout_ms() {
            return format!(
                "the search was stopped after {timeout_ms} ms; narrow it (a smaller area, more \
                 words, a filter) or retry in {SEARCH_RETRY_AFTER_SECS} s"
            );
        }
        match self {
            ApiError::Store(error @ (StoreError::NotFound(_) | StoreError::Conflict { .. })) => {
                error.to_string()
            }
            ApiError::Store(_) | ApiError::Internal(_) | ApiError::Search(_) => {
                "Something went wrong on our side; it has been logged.".to_owned()
            }
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let code = self.code();
        Problem {
            problem_type: format!("/problems/{code}"),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code,
            errors: self.fields(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidInput(_) | ApiError::UnknownParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(..) => StatusCode::FORBIDDEN,
            ApiError::Conflict(..) => StatusCode::CONFLICT,
            ApiError::VersionConflict { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::RateLimited { .. }
            | ApiError::LoginLocked { .. }
            | ApiError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
            ApiError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            ApiError::Store(StoreError::Unavailable(_) | StoreError::SearchTimeout { .. })
            | ApiError::Search(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.search_timeout_ms().is_some() {
            // Load or a broad query, not a fault: worth watching, not an alarm.
            tracing::warn!(error = %self, "search timed out");
        } else if self.status_code().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = problem_response(self.status_code(), &self.problem());
        if let ApiError::RateLimited { retry_after_secs }
        | ApiError::LoginLocked { retry_after_secs }
        | ApiError::QuotaExceeded {
            retry_after_secs, ..
        } = self
        {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(*retry_after_secs),
            );
        }
        if self.search_timeout_ms().is_some() {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(SEARCH_RETRY_AFTER_SECS),
            );
        }
        if let ApiError::MethodNotAllowed { allowed, .. } = self {
            response
                .headers_mut()
                .insert(header::ALLOW, crate::methods::allow_header(allowed));
        }
        if let ApiError::Unauthorized(..) = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// Problems with a JSON body as actix reports them (`JsonConfig` error handler): every one
/// becomes a problem+json, never actix's plain-text default.
pub fn json_body_error(error: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match error {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            ApiError::PayloadTooLarge(limit)
        }
        E::ContentType => ApiError::UnsupportedMediaType(
            "send the body as JSON with Content-Type: application/json".to_owned(),
        ),
        E::Deserialize(e) if e.is_eof() && e.line() == 1 && e.column() == 0 => ApiError::BadBody {
            code: "empty_body",
            detail: "the request body is empty; send a JSON object".to_owned(),
        },
        E::Deserialize(e) => ApiError::BadBody {
            code: "invalid_json",
            detail: format!("the body is not valid JSON: {e}"),
        },
        E::Payload(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge(0),
        other => ApiError::BadBody {
            code: "invalid_body",
            detail: format!("the body could not be read: {other}"),
        },
    }
}

pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(problem)
}
/// Errors answered by actix-web itself (an oversized body, a wrong method) become problems too,
/// so every error a client sees has the same shape.
pub fn problem_for_framework_errors<B: actix_web::body::MessageBody + 'static>(
    response: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::BAD_REQUEST => "bad_request",
        s if s.is_server_error() => "internal_error",
        _ => "error",
    };
    let problem = Problem {
        problem_type: format!("/problems/{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: status.canonical_reason().unwrap_or("Error").to_owned(),
        code: code.to_owned(),
        errors: Vec::new(),
    };
    let (request, _) = response.into_parts();
    let replaced = problem_response(status, &problem).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(request, replaced),
    ))
}
