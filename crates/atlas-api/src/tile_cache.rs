//! Vector tiles kept in memory until actors change.
//!
//! Rendering a low-zoom tile costs PostgreSQL tens of milliseconds; the same few thousand tiles
//! are asked for over and over. Tiles are kept (bounded by bytes, evicted by quick_cache's
//! S3-FIFO) under their URL, and the whole cache is dropped when the store's actors change
//! counter (advanced by a trigger on every write) has moved. The counter is read at most once
//! per `check_every`, so a write shows on tiles within that time. Keys are the request's path
//! and query as sent, so a hit is found before (and instead of) parsing the request again.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use atlas_store::{Store, StoreResult};
use quick_cache::sync::Cache;
use quick_cache::Weighter;

/// A rendered tile (empty when there is nothing in it) and its ETag, both ready to send:
/// answering from the cache copies no bytes and hashes nothing.
pub struct CachedTile {
    pub body: Bytes,
    pub etag: HeaderValue,
}

#[derive(Clone)]
struct BytesWeighter;

impl Weighter<String, Arc<CachedTile>> for BytesWeighter {
    fn weight(&self, key: &String, tile: &Arc<CachedTile>) -> u64 {
        // The bookkeeping around an entry is about a hundred bytes.
        (key.len() + tile.body.len() + tile.etag.len() + 100) as u64
    }
}

pub struct TileCache {
    /// Off when configured with no memory (`TILE_CACHE_MB=0`).
    enabled: bool,
    tiles: Cache<String, Arc<CachedTile>, BytesWeighter>,
    started: Instant,
    check_every: Duration,
    next_check_ms: AtomicU64,
    counter: AtomicI64,
    /// A counter read between a write's statement and its commit could let a tile of the old
    /// data in under the new counter: after each change the cache is dropped once more.
    drop_again: AtomicBool,
}

impl TileCache {
    pub fn new(max_bytes: u64, check_every: Duration) -> TileCache {
        TileCache {
            enabled: max_bytes > 0,
            tiles: Cache::with_weighter(
                usize::try_from(max_bytes / 8_192).unwrap_or(1024).max(16),
                max_bytes.max(1),
                BytesWeighter,
            ),
            started: Instant::now(),
            check_every,
            next_check_ms: AtomicU64::new(0),
            counter: AtomicI64::new(i64::MIN),
            drop_again: AtomicBool::new(false),
        }
    }

    /// Drops every tile if actors changed since the last look (looking at most once per
    /// `check_every`; one request does the looking while the others go on).
    pub async fn forget_if_changed(&self, store: &Store) -> StoreResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let due_ms = self.next_check_ms.load(Ordering::Acquire);
        let check_every_ms = u64::try_from(self.check_every.as_millis()).unwrap_or(u64::MAX);
        if now_ms < due_ms
            || self
                .next_check_ms
                .compare_exchange(
                    due_ms,
                    now_ms.saturating_add(check_every_ms),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
        {
            return Ok(());
        }
        let counter = store.actors_change_counter().await?;
        let previous = self.counter.swap(counter, Ordering::AcqRel);
        if previous != counter {
            self.tiles.clear();
            self.drop_again.store(true, Ordering::Release);
        } else if self.drop_again.swap(false, Ordering::AcqRel) {
            self.tiles.clear();
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedTile>> {
        self.tiles.get(key)
    }

    pub fn insert(&self, key: String, tile: Arc<CachedTile>) {
        if self.enabled {
            self.tiles.insert(key, tile);
        }
    }
}
