//! The search the API uses: Meilisearch when configured and able to answer, PostgreSQL
//! otherwise — and PostgreSQL again, within the same request, when Meilisearch fails.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use atlas_domain::{ActorPage, ActorQuery, FacetCounts, SearchError, SearchIndex};

use crate::meili::MeiliSearch;
use crate::postgres::PostgresSearch;

const UNKNOWN: u8 = 0;
const OK: u8 = 1;
const FAILING: u8 = 2;

/// A result and the backend that produced it.
#[derive(Debug)]
pub struct Answer<T> {
    pub value: T,
    pub backend: &'static str,
}

/// The search backend's state, for readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchStatus {
    /// The backend that answers text search when all is well.
    pub backend: &'static str,
    /// `not_configured` (PostgreSQL only), `ok`, or `unavailable` (PostgreSQL answers).
    pub state: &'static str,
}

#[derive(Clone)]
pub struct Search {
    postgres: PostgresSearch,
    meili: Option<MeiliSearch>,
    meili_state: Arc<AtomicU8>,
}

impl Search {
    pub fn new(postgres: PostgresSearch, meili: Option<MeiliSearch>) -> Search {
        Search {
            postgres,
            meili,
            meili_state: Arc::new(AtomicU8::new(UNKNOWN)),
        }
    }

    pub fn postgres(&self) -> &PostgresSearch {
        &self.postgres
    }

    pub fn meili(&self) -> Option<&MeiliSearch> {
        self.meili.as_ref()
    }

    fn note(&self, result: bool) {
        self.meili_state
            .store(if result { OK } else { FAILING }, Ordering::Relaxed);
    }

    pub async fn search(&self, query: &ActorQuery) -> Result<Answer<ActorPage>, SearchError> {
        if let Some(meili) = self.meili.as_ref().filter(|m| m.answers(query)) {
            match meili.search(query).await {
                Ok(page) => {
                    self.note(true);
                    return Ok(Answer {
                        value: page,
                        backend: meili.backend(),
                    });
                }
                Err(error) => {
                    self.note(false);
                    tracing::warn!(%error, "Meilisearch failed; answering from PostgreSQL");
                }
            }
        }
        Ok(Answer {
            value: self.postgres.search(query).await?,
            backend: self.postgres.backend(),
        })
    }

    pub async fn facets(&self, query: &ActorQuery) -> Result<Answer<FacetCounts>, SearchError> {
        if let Some(meili) = self.meili.as_ref().filter(|_| query.text.is_some()) {
            match meili.facets(query).await {
                Ok(facets) => {
                    self.note(true);
                    return Ok(Answer {
                        value: facets,
                        backend: meili.backend(),
                    });
                }
                Err(error) => {
                    self.note(false);
                    tracing::warn!(%error, "Meilisearch failed; counting in PostgreSQL");
                }
            }
        }
        Ok(Answer {
            value: self.postgres.facets(query).await?,
            backend: self.postgres.backend(),
        })
    }

    /// Asks Meilisearch whether it is healthy (when configured) and says who answers.
    pub async fn status(&self) -> SearchStatus {
        match &self.meili {
            None => SearchStatus {
                backend: "postgres",
                state: "not_configured",
            },
            Some(meili) => {
                let healthy = meili.is_healthy().await;
                self.note(healthy);
                SearchStatus {
                    backend: if healthy { "meilisearch" } else { "postgres" },
                    state: if healthy { "ok" } else { "unavailable" },
                }
            }
        }
    }
}
