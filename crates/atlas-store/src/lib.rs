//! The Atlas's storage of record: PostgreSQL + PostGIS through diesel and diesel-async.
//!
//! Everything SQL lives here: migrations (embedded from `migrations/`), row types and the
//! queries behind reads, imports and border checks. Callers see domain types only.
//!
//! Why diesel-async: the API is async (actix-web on tokio), and diesel-async's pure-Rust
//! PostgreSQL driver needs no libpq, pipelines queries on one connection, and its deadpool
//! pool never blocks a runtime thread.

mod actors;
mod api_keys;
mod borders;
mod changes;
mod error;
mod expansions;
mod exports;
mod gazetteer;
mod imports;
mod map;
mod moderation;
mod outbox;
mod reminders;
mod review;
mod rows;
mod schema;
mod search;
mod sql_args;
mod submissions;
mod taxonomy;
mod users;
mod webhooks;

use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;

pub use actors::ImportedActor;
pub use api_keys::{ApiKeyRecord, KeyLookup, QuotaExceeded};
pub use borders::BorderArea;
pub use error::{StoreError, StoreResult};
pub use exports::{CsvStream, ExportSummary, CSV_COLUMNS};
pub use gazetteer::{GazetteerPlace, GeocodedPlace};
pub use imports::{ImportOutcome, ImportRow};
pub use moderation::{AuditEntry, Revision};
pub use outbox::PendingEmail;
pub use reminders::{StaleListing, VerifyOutcome};
pub use review::{Decision, ItemDetail, QueueItem};
pub use search::OutboxItem;
pub use submissions::{
    DuplicateCandidate, DuplicateQuery, EditAuthority, EditOutcome, NewComplaint, NewSubmission,
    ProposedEdit, SubmissionState, TokenRejection,
};
pub use users::LoginRecord;
pub use webhooks::{DueDelivery, RetryPolicy};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// A pool of connections to the Atlas database and the queries the rest of the Atlas needs.
#[derive(Clone)]
pub struct Store {
    pool: Pool<AsyncPgConnection>,
    /// Connections for search statements alone, opened with the search settings (see
    /// `run_search`), as many as `pool` may hold.
    search_pool: Pool<AsyncPgConnection>,
    max_size: usize,
    /// For the connections CSV exports open to COPY through (diesel-async cannot).
    database_url: std::sync::Arc<str>,
    /// Exports COPYing at once; more wait their turn rather than open connections unbounded.
    copy_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// How long one search statement may run before PostgreSQL cancels it (milliseconds).
    search_timeout_ms: u64,
    broad_matches: u64,
    /// Texts expanded before, while still valid (see `expansions`); None when off.
    expansions: Option<std::sync::Arc<expansions::ExpansionCache>>,
}

/// The search statement timeout unless configured otherwise (`with_search_timeout`).
pub const DEFAULT_SEARCH_TIMEOUT_MS: u64 = 2_000;
/// A relevance-ordered text query that PostgreSQL expects to match more actors than this
/// takes its candidates from the search postings (`sql/broad_candidates.sql`) and reports
/// that estimate as its total: counting 25,000 matches exactly alone takes ~25 ms (GIN
/// bitmap and heap visits), more than the rest of such a request.
pub const DEFAULT_BROAD_MATCHES: u64 = 2_000;
/// Memory for expanded texts unless configured otherwise (`with_expansion_cache`): some
/// thousands of texts.
pub const DEFAULT_EXPANSION_CACHE_BYTES: u64 = 16 << 20;

/// CSV exports that may run at once, each on a connection of its own.
pub const COPY_CONNECTIONS: usize = 4;

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    version: String,
}

impl Store {
    /// Opens the pools (one for searches, one for everything else); fails early (with the
    /// reason) when the database cannot be reached or lacks PostGIS, rather than on the first
    /// request.
    pub async fn connect(database_url: &str, max_size: usize) -> StoreResult<Store> {
        let store = Store {
            pool: pool(database_url, max_size, SETTINGS.to_owned())?,
            search_pool: pool(
                database_url,
                max_size,
                search_settings(DEFAULT_SEARCH_TIMEOUT_MS),
            )?,
            max_size,
            database_url: database_url.into(),
            copy_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(COPY_CONNECTIONS)),
            search_timeout_ms: DEFAULT_SEARCH_TIMEOUT_MS,
            broad_matches: DEFAULT_BROAD_MATCHES,
            expansions: expansions::ExpansionCache::new(DEFAULT_EXPANSION_CACHE_BYTES)
                .map(std::sync::Arc::new),
        };
        store.postgis_version().await?;
        Ok(store)
    }

    /// The same store whose search statements (text queries, their facets, suggestions) are
    /// cancelled by PostgreSQL after `timeout_ms` milliseconds: one request matching most of
    /// the data cannot hold a connection and a core for long. 0 turns the limit off.
    pub fn with_search_timeout(mut self, timeout_ms: u64) -> StoreResult<Store> {
        self.search_timeout_ms = timeout_ms;
        // Its connections are opened when first asked for: none is open yet.
        self.search_pool = pool(
            &self.database_url,
            self.max_size,
            search_settings(timeout_ms),
        )?;
        Ok(self)
    }

    /// The same store whose relevance-ordered text queries expected to match more than
    /// `matches` actors are ranked from the search postings, with an estimated total (see
    /// `list_actors`); 0 never does.
    pub fn with_broad_matches(mut self, matches: u64) -> Store {
        self.broad_matches = matches;
        self
    }

    /// The same store keeping expanded texts in at most `max_bytes` (see `expansions`); 0
    /// expands every text each time.
    pub fn with_expansion_cache(mut self, max_bytes: u64) -> Store {
        self.expansions = expansions::ExpansionCache::new(max_bytes).map(std::sync::Arc::new);
        self
    }

    /// Forgets every expanded text: what they were made from (taxonomy, gazetteer) changed.
    pub(crate) fn forget_expansions(&self) {
        if let Some(expansions) = &self.expansions {
            expansions.clear();
        }
    }

    pub(crate) async fn conn(&self) -> StoreResult<Object<AsyncPgConnection>> {
        Ok(self.pool.get().await?)
    }

    /// Runs search statements on a connection of the search pool, whose settings were made
    /// when it was opened (`search_settings`), so a search needs no statement of its own to
    /// make them, nor a transaction to undo them:
    /// - with a timeout set, `statement_timeout` makes PostgreSQL cancel any of them that runs
    ///   longer; a cancelled one becomes `StoreError::SearchTimeout`;
    /// - `random_page_cost` is 1.1, as for data in memory or on SSD, instead of 4 (spinning
    ///   disks). With 4, the facets of a text matching a quarter of 100k actors read every
    ///   actor and tested its document (290 ms), instead of the text index's matches (120 ms;
    ///   docs/benchmarks.md). Other statements keep their plans.
    ///
    /// The first statement reads `actors_change_counter`, which the statements get (whether a
    /// kept expansion is still valid), and plans the statements for their values again: a
    /// search cancelled while one was planned once (`load_page`) left it so.
    pub(crate) async fn run_search<T, F>(&self, statements: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c AsyncPgConnection,
                ChangeCounter,
            ) -> BoxFuture<'c, diesel::QueryResult<T>>
            + Send
            + 'static,
    {
        let timeout_ms = self.search_timeout_ms;
        let conn = self.search_pool.get().await?;
        async {
            let opened: OpenedRow = diesel::sql_query(format!(
                "SELECT set_config('plan_cache_mode', 'force_custom_plan', false), ({}) AS counter",
                expansions::CHANGE_COUNTER_SQL
            ))
            .get_result(&mut &*conn)
            .await?;
            statements(&conn, ChangeCounter(opened.counter)).await
        }
        .await
        .map_err(|error| StoreError::from_search(error, timeout_ms))
    }

    /// The PostGIS version, which doubles as a readiness check.
    pub async fn postgis_version(&self) -> StoreResult<String> {
        let mut conn = self.conn().await?;
        let row: VersionRow = diesel::sql_query("SELECT postgis_lib_version() AS version")
            .get_result(&mut conn)
            .await?;
        Ok(row.version)
    }
}

/// `actors_change_counter` as a search's first statement read it (see `ExpansionCache`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChangeCounter(pub i64);

#[derive(QueryableByName)]
struct OpenedRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    counter: i64,
}

/// `work` as statements for `Store::run_search`; a closure bound to a variable first gets its
/// higher-ranked signature (any connection lifetime) only when passed through a function
/// that asks for it.
pub(crate) fn on_connection<T, F>(work: F) -> F
where
    F: for<'c> FnOnce(
        &'c AsyncPgConnection,
        ChangeCounter,
    ) -> BoxFuture<'c, diesel::QueryResult<T>>,
{
    work
}

/// A new pooled connection. Statements stay prepared on it (see `ReusableStatement`), but
/// each run is planned with its own values: a generic plan could pick the wrong index for a
/// bbox or a text query whose selectivity depends on the values. JIT compilation is off: it
/// starts above a planner cost that the facets and counts of a broad text query reach, and
/// there it took ~450 ms to compile what runs in less (bench at 100k, docs/benchmarks.md).
async fn establish(url: String, settings: String) -> diesel::ConnectionResult<AsyncPgConnection> {
    let mut conn = <AsyncPgConnection as diesel_async::AsyncConnection>::establish(&url).await?;
    conn.batch_execute(&settings)
        .await
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// The settings of every pooled connection (see `establish`).
const SETTINGS: &str = "SET plan_cache_mode = force_custom_plan; SET jit = off";

/// The settings of a search connection (see `Store::run_search`).
fn search_settings(timeout_ms: u64) -> String {
    format!("{SETTINGS}; SET random_page_cost = 1.1; SET statement_timeout = {timeout_ms}")
}

/// A pool of at most `max_size` connections opened with `settings`. No `SELECT 1` before
/// every checkout (a round trip per request): a connection that broke is still detected and
/// replaced, and a query on a dead one fails with an error.
fn pool(
    database_url: &str,
    max_size: usize,
    settings: String,
) -> StoreResult<Pool<AsyncPgConnection>> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| establish(url.to_owned(), settings.clone()).boxed());
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .build()
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Applies pending migrations and returns how many ran. Blocking: diesel's migration harness
/// is synchronous, so async callers run it with `spawn_blocking`.
pub fn run_migrations(database_url: &str) -> StoreResult<usize> {
    use diesel::Connection;
    let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(database_url)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.len())
}
