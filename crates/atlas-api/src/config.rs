//! Configuration from environment variables (documented in `.env.example`). Defaults make the
//! local `make run` work with no configuration at all.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL + PostGIS connection URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://atlas@127.0.0.1:54329/atlas"
    )]
    pub database_url: String,
    /// Maximum number of pooled database connections.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 16)]
    pub database_pool_size: usize,
    /// Address the HTTP server listens on.
    #[arg(long, env = "ATLAS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The URL clients reach the API at, for absolute links (next pages, OGC links).
    #[arg(long, env = "PUBLIC_BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub public_base_url: String,
    /// SPDX id of the licence of the published data.
    #[arg(long, env = "DATA_LICENCE", default_value = "ODbL-1.0")]
    pub data_licence: String,
    /// Meilisearch URL; unset means search answers from PostgreSQL alone.
    #[arg(long, env = "MEILI_URL")]
    pub meili_url: Option<String>,
    /// Directory with the seed data (taxonomy and initial actors).
    #[arg(long, env = "ATLAS_SEED_DIR", default_value = "seed-data")]
    pub seed_dir: PathBuf,
    /// Directory with the shared open datasets (country borders, GeoNames).
    #[arg(long, env = "ATLAS_SHARED_DATA", default_value = "../shared/data")]
    pub shared_data: PathBuf,
    /// Raster base-map tiles for the demo map at `/`, e.g. `https://tile.example.org/{z}/{x}/{y}.png`;
    /// unset, the map draws the country borders served by the Atlas itself (works offline).
    #[arg(long, env = "MAP_TILE_URL")]
    pub map_tile_url: Option<String>,
    /// Attribution shown with `MAP_TILE_URL` tiles (required by most tile providers).
    #[arg(long, env = "MAP_TILE_ATTRIBUTION")]
    pub map_tile_attribution: Option<String>,
    /// Memory for rendered vector tiles, in MiB (0 turns the tile cache off).
    #[arg(long, env = "TILE_CACHE_MB", default_value_t = 64)]
    pub tile_cache_mb: u64,
    /// How often (milliseconds) the tile cache looks whether actors changed; a write shows on
    /// cached tiles within this time.
    #[arg(long, env = "TILE_CACHE_CHECK_MS", default_value_t = 1000)]
    pub tile_cache_check_ms: u64,
}

impl Config {
    /// The configuration with every default, pointing at `database_url`; for tests and tools.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            database_pool_size: 4,
            addr: "127.0.0.1:0".to_owned(),
            public_base_url: "http://127.0.0.1:8080".to_owned(),
            data_licence: "ODbL-1.0".to_owned(),
            meili_url: None,
            seed_dir: PathBuf::from("seed-data"),
            shared_data: PathBuf::from("../shared/data"),
            map_tile_url: None,
            map_tile_attribution: None,
            tile_cache_mb: 16,
            // Tests write and read at once: look at every request.
            tile_cache_check_ms: 0,
        }
    }
}
