use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be reached or no connection is free.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// A stored value no longer parses into the domain type: a bug or a manual edit.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A search statement ran longer than the search statement timeout and was cancelled.
    #[error("the search was cancelled after {timeout_ms} ms")]
    SearchTimeout { timeout_ms: u64 },
    /// The change conflicts with the current state (deciding twice, merging into itself).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for StoreError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

impl StoreError {
    /// `error` as a search timeout when PostgreSQL cancelled the statement because of
    /// `statement_timeout` (SQLSTATE 57014). diesel-async reports that SQLSTATE only as
    /// `DatabaseErrorKind::Unknown`, so the server's message tells it apart from other
    /// cancellations (the cluster's messages are in English: `lc_messages` is only settable by
    /// a superuser, and the Atlas never changes it).
    pub(crate) fn from_search(error: diesel::result::Error, timeout_ms: u64) -> StoreError {
        match &error {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::Unknown,
                info,
            ) if info.message().contains("statement timeout") => {
                StoreError::SearchTimeout { timeout_ms }
            }
            _ => StoreError::Query(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
