//! Search backends behind the domain's `SearchIndex` port, and what keeps them current.
//!
//! - [`PostgresSearch`]: full-text search in the store itself (always there; the default and
//!   the fallback). Its "index" is the actors table, kept current by triggers, so upserts are
//!   no-ops.
//! - [`MeiliSearch`]: Meilisearch, when `MEILI_URL` is set. Documents hold public fields only.
//! - [`Search`]: what the API calls; asks Meilisearch when it is configured and can answer,
//!   and PostgreSQL otherwise or when Meilisearch fails, saying which one answered.
//! - [`outbox`]: the worker that applies queued changes to the index, with retries.
//!
//! This crate knows no HTTP; SQL stays in atlas-store.

mod document;
mod meili;
pub mod outbox;
mod postgres;
mod service;

pub use document::SearchDocument;
pub use meili::{index_settings, MeiliSearch, ReindexProgress};
pub use postgres::PostgresSearch;
pub use service::{Answer, Search, SearchStatus};
