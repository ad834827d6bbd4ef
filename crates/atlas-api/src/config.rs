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
    /// Maximum number of pooled database connections, for searches and for everything else
    /// each (so up to twice as many).
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 16)]
    pub database_pool_size: usize,
    /// Address the HTTP server listens on.
    #[arg(long, env = "ATLAS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The URL clients reach the API at, for absolute links (next pages, OGC links). Unset:
    /// `http://` and ATLAS_ADDR (0.0.0.0 read as 127.0.0.1), see [`Config::resolved`].
    #[arg(long, env = "PUBLIC_BASE_URL", default_value = "")]
    pub public_base_url: String,
    /// SPDX id of the licence of the published data.
    #[arg(long, env = "DATA_LICENCE", default_value = "ODbL-1.0")]
    pub data_licence: String,
    /// Meilisearch URL; unset means search answers from PostgreSQL alone.
    #[arg(long, env = "MEILI_URL")]
    pub meili_url: Option<String>,
    /// Meilisearch API key (the master key, or a key allowed to manage the index).
    #[arg(long, env = "MEILI_MASTER_KEY", hide_env_values = true)]
    pub meili_master_key: Option<String>,
    /// Name of the Meilisearch index holding the actors.
    #[arg(long, env = "MEILI_INDEX", default_value = "actors")]
    pub meili_index: String,
    /// Directory with the seed data (taxonomy and initial actors).
    #[arg(long, env = "ATLAS_SEED_DIR", default_value = "seed-data")]
    pub seed_dir: PathBuf,
    /// Directory with the shared open datasets (country borders, GeoNames).
    #[arg(long, env = "ATLAS_SHARED_DATA", default_value = "../shared/data")]
    pub shared_data: PathBuf,
    /// SMTP server for outgoing mail (`smtp://host:port`, `smtps://user:pass@host`); unset
    /// means emails are written as .eml files to MAIL_DIR instead.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The local mailbox directory used when SMTP_URL is unset.
    #[arg(long, env = "MAIL_DIR", default_value = "var/mail")]
    pub mail_dir: PathBuf,
    /// Sender of the Atlas's emails.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Social Tech Atlas <atlas@localhost>"
    )]
    pub mail_from: String,
    /// Write requests (POST, PATCH, ...) a client may send at once...
    #[arg(long, env = "WRITE_RATE_LIMIT_BURST", default_value_t = 10)]
    pub write_rate_limit_burst: u32,
    /// ...and then one more every this many seconds.
    #[arg(long, env = "WRITE_RATE_LIMIT_PERIOD_SECS", default_value_t = 6)]
    pub write_rate_limit_period_secs: u64,
    /// Write requests a logged-in moderator or admin may send at once (limited per user, not
    /// per IP address, so a team behind one office address is not throttled together)...
    #[arg(long, env = "MODERATOR_WRITE_RATE_LIMIT_BURST", default_value_t = 120)]
    pub moderator_write_rate_limit_burst: u32,
    /// ...and then one more every this many milliseconds.
    #[arg(
        long,
        env = "MODERATOR_WRITE_RATE_LIMIT_PERIOD_MS",
        default_value_t = 250
    )]
    pub moderator_write_rate_limit_period_ms: u64,
    /// The address of a reverse proxy whose X-Forwarded-For is believed; unset: none is.
    #[arg(long, env = "TRUSTED_PROXY")]
    pub trusted_proxy: Option<std::net::IpAddr>,
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
    /// Memory for public read answers (lists, facets, suggestions, clusters), in MiB (0 turns
    /// the response cache off).
    #[arg(long, env = "RESPONSE_CACHE_MB", default_value_t = 64)]
    pub response_cache_mb: u64,
    /// How often (milliseconds) the tile and response caches look whether actors changed; a
    /// write shows on cached answers within about this time.
    #[arg(long, env = "TILE_CACHE_CHECK_MS", default_value_t = 1000)]
    pub tile_cache_check_ms: u64,
    /// Lets webhooks reach loopback, private, link-local and other non-public addresses
    /// (SSRF guard off); only for receivers on the operator's own network, and for tests.
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub webhook_allow_private: bool,
    /// A webhook delivery is parked after this many failed attempts.
    #[arg(long, env = "WEBHOOK_MAX_ATTEMPTS", default_value_t = 8)]
    pub webhook_max_attempts: i32,
    /// Wait before the first retry of a failed delivery (milliseconds); doubled after each
    /// further failure, up to six hours.
    #[arg(long, env = "WEBHOOK_RETRY_BASE_MS", default_value_t = 30_000)]
    pub webhook_retry_base_ms: i64,
    /// How long a receiver may take to answer (milliseconds).
    #[arg(long, env = "WEBHOOK_TIMEOUT_MS", default_value_t = 10_000)]
    pub webhook_timeout_ms: u64,
    /// How long one search statement (a text query, its facets, suggestions) may run
    /// (milliseconds) before PostgreSQL cancels it and the client gets 503 `search_timeout`
    /// with Retry-After; 0 turns the limit off.
    #[arg(long, env = "SEARCH_STATEMENT_TIMEOUT_MS", default_value_t = atlas_store::DEFAULT_SEARCH_TIMEOUT_MS)]
    pub search_statement_timeout_ms: u64,
    /// A text query ranked by relevance that PostgreSQL expects to match more actors than
    /// this takes its candidates from the search postings and answers with an estimated
    /// `total` (see docs/search-quality.md); 0 never does.
    #[arg(long, env = "SEARCH_BROAD_MATCHES", default_value_t = atlas_store::DEFAULT_BROAD_MATCHES)]
    pub search_broad_matches: u64,
    /// Memory for expanded search texts (stems, typo corrections, towns, categories), in MiB:
    /// a text asked again (another viewport, page or its facets) is not expanded again while
    /// the actors have not changed; 0 expands every time.
    #[arg(long, env = "SEARCH_EXPANSION_CACHE_MB", default_value_t = atlas_store::DEFAULT_EXPANSION_CACHE_BYTES >> 20)]
    pub search_expansion_cache_mb: u64,
    /// How often (milliseconds) the delivery worker looks for due deliveries.
    #[arg(long, env = "WEBHOOK_POLL_MS", default_value_t = 1_000)]
    pub webhook_poll_ms: u64,
}

impl Config {
    /// The configuration as parsed, with what an unset value means filled in: without
    /// PUBLIC_BASE_URL, links point at the address served (a fixed default sent clients of
    /// a server started on another port to port 8080).
    pub fn resolved(mut self) -> Config {
        if self.public_base_url.is_empty() {
            let addr = self.addr.replace("0.0.0.0", "127.0.0.1");
            self.public_base_url = format!("http://{addr}");
        }
        self
    }

    /// The configuration with every default, pointing at `database_url`; for tests and tools.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            database_pool_size: 4,
            addr: "127.0.0.1:0".to_owned(),
            public_base_url: "http://127.0.0.1:8080".to_owned(),
            data_licence: "ODbL-1.0".to_owned(),
            meili_url: None,
            meili_master_key: None,
            meili_index: "actors".to_owned(),
            seed_dir: PathBuf::from("seed-data"),
            shared_data: PathBuf::from("../shared/data"),
            smtp_url: None,
            mail_dir: PathBuf::from("var/mail"),
            mail_from: "Social Tech Atlas <atlas@localhost>".to_owned(),
            write_rate_limit_burst: 10,
            write_rate_limit_period_secs: 6,
            moderator_write_rate_limit_burst: 120,
            moderator_write_rate_limit_period_ms: 250,
            trusted_proxy: None,
            map_tile_url: None,
            map_tile_attribution: None,
            tile_cache_mb: 16,
            response_cache_mb: 16,
            // Tests write and read at once: look at every request.
            tile_cache_check_ms: 0,
            webhook_allow_private: false,
            webhook_max_attempts: 8,
            webhook_retry_base_ms: 30_000,
            webhook_timeout_ms: 10_000,
            webhook_poll_ms: 1_000,
            search_statement_timeout_ms: atlas_store::DEFAULT_SEARCH_TIMEOUT_MS,
            search_broad_matches: atlas_store::DEFAULT_BROAD_MATCHES,
            search_expansion_cache_mb: atlas_store::DEFAULT_EXPANSION_CACHE_BYTES >> 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Config;
    use clap::Parser;

    /// Only the configuration's own arguments, as `atlas serve` reads them.
    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        config: Config,
    }

    fn parsed(args: &[&str]) -> Config {
        Args::parse_from(std::iter::once("atlas").chain(args.iter().copied()))
            .config
            .resolved()
    }

    #[test]
    fn links_point_at_the_address_served_unless_a_public_url_is_given() {
        // (PUBLIC_BASE_URL and ATLAS_ADDR in the environment would be read too.)
        if std::env::var_os("PUBLIC_BASE_URL").is_some() || std::env::var_os("ATLAS_ADDR").is_some()
        {
            eprintln!("skipped: PUBLIC_BASE_URL or ATLAS_ADDR is set in this environment");
            return;
        }
        assert_eq!(parsed(&[]).public_base_url, "http://127.0.0.1:8080");
        assert_eq!(
            parsed(&["--addr", "127.0.0.1:8390"]).public_base_url,
            "http://127.0.0.1:8390"
        );
        assert_eq!(
            parsed(&["--addr", "0.0.0.0:9000"]).public_base_url,
            "http://127.0.0.1:9000"
        );
        assert_eq!(
            parsed(&[
                "--addr",
                "0.0.0.0:9000",
                "--public-base-url",
                "https://atlas.example.org"
            ])
            .public_base_url,
            "https://atlas.example.org"
        );
    }
}
