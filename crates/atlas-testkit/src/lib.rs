//! Test support: every test gets a fresh PostGIS database of its own.
//!
//! Once per test binary build, a template database is created, migrated and prepared (for
//! instance seeded); each test then clones it with `CREATE DATABASE … TEMPLATE …`, which takes
//! milliseconds, and drops its clone when done. No test shares mutable state with another, so
//! tests run in parallel in any order. The server comes from `DATABASE_URL` (a role that may
//! create databases and extensions); `make test` provides one.

pub mod smtp;

use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};

use anyhow::{Context, Result};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use url::Url;

/// A database that exists for one test and is dropped with it.
pub struct TestDb {
    pub url: String,
    name: String,
    admin_url: String,
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// The server that tests may create databases on.
pub fn server_url() -> Result<String> {
    std::env::var("DATABASE_URL").context(
        "DATABASE_URL is not set: tests need a PostgreSQL + PostGIS server they may create databases on \
         (run them with `make test`, which starts one)",
    )
}

fn with_database(url: &str, database: &str) -> Result<String> {
    let mut url = Url::parse(url).context("DATABASE_URL is not a URL")?;
    url.set_path(&format!("/{database}"));
    Ok(url.into())
}

/// A short key that changes whenever the test binary is rebuilt, so a template made by older
/// code (an older migration or importer) is never reused.
fn build_key() -> (String, String) {
    let exe = std::env::current_exe().unwrap_or_default();
    let mut name_hash = DefaultHasher::new();
    exe.hash(&mut name_hash);
    let mut build_hash = DefaultHasher::new();
    if let Ok(meta) = std::fs::metadata(&exe) {
        meta.len().hash(&mut build_hash);
        meta.modified().ok().hash(&mut build_hash);
    }
    (
        format!("{:08x}", name_hash.finish() as u32),
        format!("{:08x}", build_hash.finish() as u32),
    )
}

async fn admin_connection(server: &str) -> Result<AsyncPgConnection> {
    let admin_url = with_database(server, "postgres")?;
    AsyncPgConnection::establish(&admin_url)
        .await
        .with_context(|| format!("cannot connect to the test server {admin_url}"))
}

/// Makes sure the template `kind` exists for this build, creating it with `prepare` (which
/// gets the URL of the migrated, still empty template database) if it does not. Safe across
/// the parallel processes of one test run: creation happens under an advisory lock.
pub async fn template<F, Fut>(kind: &str, prepare: F) -> Result<String>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let server = server_url()?;
    let (binary, build) = build_key();
    let family = format!("atlas_tpl_{kind}_{binary}_");
    let name = format!("{family}{build}");
    let mut admin = admin_connection(&server).await?;
    let mut lock_key = DefaultHasher::new();
    family.hash(&mut lock_key);
    let lock_key = lock_key.finish() as i64;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(lock_key)
        .execute(&mut admin)
        .await?;
    let result = async {
        let existing: Vec<NameRow> =
            diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE $1 || '%'")
                .bind::<Text, _>(&family)
                .load(&mut admin)
                .await?;
        if existing.iter().any(|row| row.datname == name) {
            return Ok(());
        }
        for stale in existing {
            diesel::sql_query(format!(
                "ALTER DATABASE \"{}\" IS_TEMPLATE false",
                stale.datname
            ))
            .execute(&mut admin)
            .await?;
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                stale.datname
            ))
            .execute(&mut admin)
            .await?;
        }
        let building = format!("{name}_building");
        diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .execute(&mut admin)
        .await?;
        diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(&mut admin)
            .await?;
        let url = with_database(&server, &building)?;
        let migrate_url = url.clone();
        tokio::task::spawn_blocking(move || atlas_store::run_migrations(&migrate_url))
            .await?
            .context("migrating the template database")?;
        prepare(url)
            .await
            .context("preparing the template database")?;
        // Renaming last means a half-built template is never cloned.
        diesel::sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
        ))
        .execute(&mut admin)
        .await?;
        diesel::sql_query(format!("ALTER DATABASE \"{name}\" IS_TEMPLATE true"))
            .execute(&mut admin)
            .await?;
        anyhow::Ok(())
    }
    .await;
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(lock_key)
        .execute(&mut admin)
        .await?;
    result.map(|()| name)
}

impl TestDb {
    /// A fresh database cloned from `template`.
    pub async fn from_template(template: &str) -> Result<TestDb> {
        let server = server_url()?;
        let name = format!("atlas_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection(&server).await?;
        diesel::sql_query(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .execute(&mut admin)
        .await
        .with_context(|| format!("cloning template {template}"))?;
        Ok(TestDb {
            url: with_database(&server, &name)?,
            name,
            admin_url: server,
        })
    }

    /// A fresh, migrated, empty database.
    pub async fn migrated() -> Result<TestDb> {
        let template = template("migrated", |_| async { Ok(()) }).await?;
        TestDb::from_template(&template).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread with
        // a runtime of its own and wait for it, so the database is gone when the test ends.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = admin_connection(&admin_url).await.ok()?;
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}
