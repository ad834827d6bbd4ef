//! Vector tiles kept in memory until actors change.
//!
//! Rendering a low-zoom tile costs PostgreSQL tens of milliseconds; the same few thousand tiles
//! are asked for over and over. Tiles are kept (bounded by bytes, evicted by quick_cache's
//! S3-FIFO) under their URL, and the whole cache is dropped when actors have changed (see
//! `change_watch`), so a write shows on tiles within about `TILE_CACHE_CHECK_MS`. Keys are the request's path
//! and query as sent, so a hit is found before (and instead of) parsing the request again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use atlas_store::{Store, StoreResult};
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::change_watch::ChangeWatch;
use crate::precompressed::Precompressed;

/// A rendered tile (empty when there is nothing in it) and its ETag, both ready to send:
/// answering from the cache copies no bytes and hashes nothing.
pub struct CachedTile {
    pub body: Bytes,
    pub etag: HeaderValue,
    /// Map clients ask for gzip: each tile is compressed once, not on every hit.
    pub compressed: Precompressed,
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
    watch: Arc<ChangeWatch>,
    /// The data generation the kept tiles belong to.
    generation: AtomicU64,
}

impl TileCache {
    pub fn new(max_bytes: u64, watch: Arc<ChangeWatch>) -> TileCache {
        TileCache {
            enabled: max_bytes > 0,
            tiles: Cache::with_weighter(
                usize::try_from(max_bytes / 8_192).unwrap_or(1024).max(16),
                max_bytes.max(1),
                BytesWeighter,
            ),
            watch,
            generation: AtomicU64::new(0),
        }
    }

    /// Drops every tile if actors changed since the tiles were kept.
    pub async fn forget_if_changed(&self, store: &Store) -> StoreResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let now = self.watch.generation(store).await?;
        if self.generation.fetch_max(now, Ordering::AcqRel) < now {
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
