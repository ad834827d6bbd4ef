//! The search port: what the Atlas needs from a search backend, whichever it is.
//!
//! Two implementations live in `atlas-search`: PostgreSQL full-text search (always there, the
//! default and the fallback) and Meilisearch (when configured). Methods return futures that are
//! `Send`, so callers may run them on any executor; this crate itself knows no runtime.

use std::collections::BTreeMap;
use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::actor::{Actor, ActorId};
use crate::query::{ActorPage, ActorQuery, BoundingBox};

/// Counts behind a filter menu: for exactly the actors a query returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCounts {
    pub total: u64,
    pub categories: BTreeMap<String, u64>,
    pub kinds: BTreeMap<String, u64>,
    pub countries: BTreeMap<String, u64>,
    pub languages: BTreeMap<String, u64>,
    /// No actor matched every word of the text, so these count the actors matching fewer
    /// (see `ActorPage::relaxed`).
    pub relaxed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Actor,
    City,
    Category,
    /// A town of the gazetteer that no actor gives as its town: somewhere to take the map.
    Place,
    /// A country, by any of its names: its actors' middle and extent.
    Country,
}

/// A point in WGS 84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// One autocomplete entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    /// The actor's UUID, the category id, the city name (cities have no id of their own), the
    /// place's GeoNames id, or the country's code.
    pub id: String,
    pub label: String,
    /// For actors, cities, places and countries: the country; for categories: none.
    pub country: Option<String>,
    /// How many published actors are behind a city, category or country suggestion.
    pub count: Option<u64>,
    /// Where a map shows it: the actor, the middle of a city's or country's actors, the
    /// place; none for a category.
    pub point: Option<LatLon>,
    /// The extent of a city's or country's actors, for a map to fit.
    pub extent: Option<BoundingBox>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The backend cannot be reached or answered with an error; another may answer instead.
    #[error("search backend unavailable: {0}")]
    Unavailable(String),
    /// The query cannot be expressed for this backend; another may answer instead.
    #[error("query not supported by this backend: {0}")]
    Unsupported(String),
    /// The search ran longer than it may and was stopped; asking again later (or narrower)
    /// may succeed.
    #[error("the search was stopped after {timeout_ms} ms")]
    TimedOut { timeout_ms: u64 },
}

/// A search backend. `search` and `facets` answer the same `ActorQuery` as the store's
/// listing, so the result set, its total and its facet counts always agree.
pub trait SearchIndex: Send + Sync {
    /// A short name for logs, headers and readiness: `postgres`, `meilisearch`.
    fn backend(&self) -> &'static str;

    /// A page of published actors matching the query, best match first for `sort=relevance`.
    fn search(
        &self,
        query: &ActorQuery,
    ) -> impl Future<Output = Result<ActorPage, SearchError>> + Send;

    /// Counts per category, kind, country and language of everything the query matches.
    fn facets(
        &self,
        query: &ActorQuery,
    ) -> impl Future<Output = Result<FacetCounts, SearchError>> + Send;

    /// Adds or replaces the documents of these published actors.
    fn upsert(&self, actors: &[Actor]) -> impl Future<Output = Result<(), SearchError>> + Send;

    /// Removes these actors (unpublished, archived, deleted). Removing an absent one is fine.
    fn remove(&self, ids: &[ActorId]) -> impl Future<Output = Result<(), SearchError>> + Send;
}
