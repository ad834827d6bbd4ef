//! The outbox worker: applies queued actor changes to a search index. A row is deleted only
//! after the index accepted the change; a failure keeps it and retries it later with
//! exponential back-off, so no update is lost while the index is down.

use std::collections::HashSet;
use std::time::Duration;

use atlas_domain::{ActorId, SearchError, SearchIndex};
use atlas_store::{Store, StoreError};

/// How long a claimed batch is hidden from other workers before it may be claimed again
/// (covers a worker that died mid-batch).
const LEASE_SECS: f64 = 300.0;
const BATCH: u32 = 200;
const IDLE: Duration = Duration::from_secs(1);
const MAX_BACKOFF_SECS: f64 = 600.0;

/// Seconds before the next try after `attempts` failures: 2, 4, 8, … up to ten minutes.
pub fn backoff_secs(attempts: i32) -> f64 {
    2f64.powi(attempts.clamp(0, 30) + 1).min(MAX_BACKOFF_SECS)
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub upserted: usize,
    pub removed: usize,
    pub failed: usize,
}

impl Drained {
    pub fn rows(&self) -> usize {
        self.upserted + self.removed + self.failed
    }
}

/// Claims a batch of due rows, re-reads the actors, upserts the published ones and removes the
/// others, then completes (or, on failure, reschedules) the rows.
pub async fn drain_once<I: SearchIndex>(
    store: &Store,
    index: &I,
    batch: u32,
) -> Result<Drained, OutboxError> {
    let items = store.claim_outbox(batch, LEASE_SECS).await?;
    if items.is_empty() {
        return Ok(Drained::default());
    }
    let mut seen = HashSet::new();
    let ids: Vec<ActorId> = items
        .iter()
        .map(|i| i.actor_id)
        .filter(|id| seen.insert(*id))
        .collect();
    let published = store.published_actors(&ids).await?;
    let gone: Vec<ActorId> = ids
        .iter()
        .filter(|id| !published.iter().any(|a| a.id == **id))
        .copied()
        .collect();
    let applied: Result<(), SearchError> = async {
        if !published.is_empty() {
            index.upsert(&published).await?;
        }
        if !gone.is_empty() {
            index.remove(&gone).await?;
        }
        Ok(())
    }
    .await;
    let rows: Vec<i64> = items.iter().map(|i| i.id).collect();
    match applied {
        Ok(()) => {
            store.complete_outbox(&rows).await?;
            Ok(Drained {
                upserted: published.len(),
                removed: gone.len(),
                failed: 0,
            })
        }
        Err(error) => {
            let attempts = items.iter().map(|i| i.attempts).max().unwrap_or_default();
            let retry = backoff_secs(attempts);
            tracing::warn!(%error, rows = rows.len(), retry_in_secs = retry, "search index update failed; will retry");
            store.fail_outbox(&rows, &error.to_string(), retry).await?;
            Ok(Drained {
                failed: rows.len(),
                ..Drained::default()
            })
        }
    }
}

/// Runs forever: drains the outbox, idling a second when there is nothing to do.
pub async fn run<I: SearchIndex>(store: Store, index: I) {
    tracing::info!(backend = index.backend(), "search outbox worker started");
    loop {
        match drain_once(&store, &index, BATCH).await {
            Ok(drained) if drained.rows() > 0 && drained.failed == 0 => continue,
            Ok(_) => tokio::time::sleep(IDLE).await,
            Err(error) => {
                tracing::warn!(%error, "search outbox worker: database error");
                tokio::time::sleep(IDLE * 5).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_ten_minutes() {
        assert_eq!(backoff_secs(0), 2.0);
        assert_eq!(backoff_secs(1), 4.0);
        assert_eq!(backoff_secs(3), 16.0);
        assert_eq!(backoff_secs(100), MAX_BACKOFF_SECS);
    }
}
