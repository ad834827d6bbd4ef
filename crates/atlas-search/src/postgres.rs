//! PostgreSQL full-text search: the store's own queries (see migration
//! 2026-11-28-000030_search for the search columns and `atlas_search_query`).

use atlas_domain::{Actor, ActorId, ActorPage, ActorQuery, FacetCounts, SearchError, SearchIndex};
use atlas_store::{Store, StoreError};

#[derive(Clone)]
pub struct PostgresSearch {
    store: Store,
}

impl PostgresSearch {
    pub fn new(store: Store) -> PostgresSearch {
        PostgresSearch { store }
    }
}

fn unavailable(error: StoreError) -> SearchError {
    match error {
        StoreError::SearchTimeout { timeout_ms } => SearchError::TimedOut { timeout_ms },
        other => SearchError::Unavailable(other.to_string()),
    }
}

impl SearchIndex for PostgresSearch {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn search(&self, query: &ActorQuery) -> Result<ActorPage, SearchError> {
        self.store.list_actors(query).await.map_err(unavailable)
    }

    async fn facets(&self, query: &ActorQuery) -> Result<FacetCounts, SearchError> {
        self.store.facets(query).await.map_err(unavailable)
    }

    /// The search columns are written by the actors table's triggers in the writing
    /// transaction: nothing is left to do.
    async fn upsert(&self, _actors: &[Actor]) -> Result<(), SearchError> {
        Ok(())
    }

    async fn remove(&self, _ids: &[ActorId]) -> Result<(), SearchError> {
        Ok(())
    }
}
