//! The one place that decides what a client sees when something goes wrong.
//!
//! Every failure becomes an RFC 9457 problem (`application/problem+json`) with a stable
//! snake_case `code` clients can switch on and, for input errors, the offending fields.
//! Unexpected failures are logged with their cause and answered with a generic 500 that
//! reveals no internals.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use atlas_domain::{FieldError, ValidationErrors};
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
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Every search backend failed (PostgreSQL included).
    #[error(transparent)]
    Search(#[from] atlas_domain::SearchError),
    #[error("internal error: {0}")]
    Internal(String),
}

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
    fn code(&self) -> String {
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
            ApiError::Store(StoreError::Unavailable(_)) | ApiError::Search(_) => {
                "service_unavailable".to_owned()
            }
            ApiError::Store(_) | ApiError::Internal(_) => "internal_error".to_owned(),
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::InvalidInput(_) => "Invalid input",
            ApiError::UnknownParameters(_) => "Unknown query parameter",
            ApiError::NotFound(_) => "Not found",
            ApiError::NotAcceptable(_) => "Not acceptable",
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
        match self {
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
            ApiError::Store(StoreError::Unavailable(_)) | ApiError::Search(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        problem_response(self.status_code(), &self.problem())
    }
}

pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(problem)
}
