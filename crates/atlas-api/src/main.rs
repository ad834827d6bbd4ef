//! `atlas`: serve the API, migrate the database, load the seed data, print the OpenAPI.

use std::io::IsTerminal;
use std::path::PathBuf;

use actix_web::HttpServer;
use anyhow::{Context, Result};
use atlas_api::export::{export_stream, ExportFormat, ExportMeta, ExportWriter};
use atlas_api::seed::{self, Progress};
use atlas_api::{app, openapi, AppState, Config};
use atlas_domain::import::ImportFormat;
use atlas_store::Store;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "atlas",
    about = "Social Tech Atlas: a geospatial directory API of Europe's social economy and social tech"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API on ATLAS_ADDR.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Load the seed data: taxonomy, country borders and initiatives (skipped when actors exist).
    Seed {
        /// Directory with taxonomy.json and susy_ssedas.geojson (default: ATLAS_SEED_DIR).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Import again even if the database already has actors (idempotent).
        #[arg(long)]
        force: bool,
        /// Also write the full report (every fix, warning and rejection) as JSON to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Import actors from a CSV or GeoJSON file: the pipeline of POST /v1/admin/imports.
    /// New actors are published; the same file again writes nothing.
    Import {
        /// The CSV or GeoJSON file.
        file: PathBuf,
        /// csv or geojson (default: from the file's extension).
        #[arg(long, value_parser = |s: &str| s.parse::<ImportFormat>())]
        format: Option<ImportFormat>,
        /// A JSON file with the field mapping (default: our own export's column names).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Report what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the full report (every record) as JSON to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Write the published dataset to a file (a dated snapshot), in constant memory.
    Export {
        /// csv, geojson, ndjson or jsonld.
        #[arg(long, value_parser = |s: &str| s.parse::<ExportFormat>())]
        format: ExportFormat,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Create an admin account (the first one, or another). The password is read from the
    /// ATLAS_ADMIN_PASSWORD variable or, with --password-stdin, from the first line of stdin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Rebuild the Meilisearch index from the database into a new index and swap it in.
    Reindex,
    /// Email the owners of published listings neither updated nor confirmed for DAYS days a
    /// one-click "still correct" link (through the email outbox, then SMTP_URL or MAIL_DIR).
    /// A listing is not reminded again within DAYS days.
    Remind {
        /// How old (in days) a listing's last change or confirmation must be.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
        /// List the listings that would be reminded; send and record nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[tokio::main]
async fn main() -> Result<()> {
    // A local .env is a convenience for development; real environments set variables.
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = cli.config.resolved();
    match cli.command {
        Command::Openapi => {
            let json = openapi()
                .to_pretty_json()
                .context("serialising the OpenAPI document")?;
            write_stdout(&format!("{json}\n"))
        }
        Command::Migrate => {
            let url = config.database_url.clone();
            let applied = tokio::task::spawn_blocking(move || atlas_store::run_migrations(&url))
                .await?
                .context("applying migrations")?;
            tracing::info!(applied, "migrations applied");
            Ok(())
        }
        Command::Seed { dir, force, report } => {
            let store = connect(&config).await?;
            let existing = store.count_published().await?;
            let seed_dir = dir.unwrap_or_else(|| config.seed_dir.clone());
            if existing > 0 && !force {
                // Databases seeded before the gazetteer existed still get it, and the
                // repository's taxonomy as it is now.
                let places = seed::ensure_gazetteer(&store, &config.shared_data).await?;
                if places > 0 {
                    tracing::info!(places, "GeoNames gazetteer loaded");
                }
                let categories = seed::update_taxonomy(&store, &seed_dir).await?;
                tracing::info!(existing, categories, "the database already has published actors; taxonomy updated, seed skipped (use --force to import again)");
                return Ok(());
            }
            let progress = if std::io::stderr().is_terminal() {
                Progress::Bar
            } else {
                Progress::Hidden
            };
            let result = seed::seed(
                &store,
                &seed_dir,
                &config.shared_data,
                &config.data_licence,
                progress,
            )
            .await?;
            write_stdout(&format!(
                "seed: {} records: {} imported, {} imported with fixes, {} updated, {} unchanged, {} rejected, {} warnings\n\
                 fixes: {}\n",
                result.records,
                result.imported,
                result.imported_with_fixes,
                result.updated,
                result.unchanged,
                result.rejected.len(),
                result.warnings.len(),
                serde_json::to_string(&result.fixes)?,
            ))?;
            for rejected in &result.rejected {
                write_stdout(&format!(
                    "rejected {} ({}): {}\n",
                    rejected.external_id,
                    rejected.name,
                    rejected.reasons.join("; ")
                ))?;
            }
            if let Some(path) = report {
                std::fs::write(&path, serde_json::to_vec_pretty(&result)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
        Command::Import {
            file,
            format,
            mapping,
            dry_run,
            report,
        } => {
            let store = connect(&config).await?;
            let progress = if std::io::stderr().is_terminal() {
                Progress::Bar
            } else {
                Progress::Hidden
            };
            let result = atlas_api::import::import_file(
                &store,
                &file,
                format,
                mapping.as_deref(),
                dry_run,
                &config.data_licence,
                progress,
            )
            .await?;
            let c = &result.counts;
            let would = if result.dry_run {
                "dry run, nothing written: "
            } else {
                ""
            };
            write_stdout(&format!(
                "import: {would}{} records: {} new, {} updated, {} unchanged, {} rejected ({} with fixes, {} with warnings)\n\
                 fixes: {}\n",
                c.records,
                c.new,
                c.updated,
                c.unchanged,
                c.rejected,
                c.fixed,
                c.warned,
                serde_json::to_string(&result.fixes)?,
            ))?;
            for row in result.rows.iter().filter(|r| !r.errors.is_empty()) {
                let reasons: Vec<String> = row
                    .errors
                    .iter()
                    .map(|e| match &e.column {
                        Some(column) => {
                            format!("{} (column {column}): {} ({})", e.field, e.message, e.code)
                        }
                        None => format!("{}: {} ({})", e.field, e.message, e.code),
                    })
                    .collect();
                write_stdout(&format!(
                    "rejected {}: {}\n",
                    row.position,
                    reasons.join("; ")
                ))?;
            }
            if let Some(path) = report {
                std::fs::write(&path, serde_json::to_vec_pretty(&result)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
        Command::Export { format, out } => export(&config, format, &out).await,
        Command::CreateAdmin {
            email,
            name,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                std::env::var("ATLAS_ADMIN_PASSWORD")
                    .context("set ATLAS_ADMIN_PASSWORD or pass --password-stdin")?
            };
            let store = connect(&config).await?;
            let state = AppState::load(store, config).await?;
            let user = atlas_api::routes::admin::create_account(
                &state, None, &email, &name, "admin", &password,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
            write_stdout(&format!("created admin {} ({})\n", user.email, user.id))
        }
        Command::Serve => serve(config).await,
        Command::Reindex => reindex(config).await,
        Command::Remind { days, dry_run } => remind(config, days, dry_run).await,
    }
}

async fn export(config: &Config, format: ExportFormat, out: &std::path::Path) -> Result<()> {
    use futures_util::StreamExt;
    use std::io::Write;
    let store = connect(config).await?;
    let query = atlas_domain::ActorQuery::default();
    let summary = store.export_summary(&query).await?;
    let meta = ExportMeta {
        licence: config.data_licence.clone(),
        base_url: config.public_base_url.trim_end_matches('/').to_owned(),
        generated_at: chrono::Utc::now(),
    };
    let writer = ExportWriter::new(format, meta, &summary);
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut file = std::io::BufWriter::new(file);
    let bar = indicatif::ProgressBar::new(summary.count);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut chunks = export_stream(store, query, writer).await?;
    let mut lines = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        file.write_all(&chunk)?;
        // One actor per line in NDJSON and (cells with line breaks aside) CSV, per
        // feature/node in GeoJSON and JSON-LD.
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        bar.set_position(lines.min(summary.count));
    }
    file.flush()?;
    bar.finish_and_clear();
    tracing::info!(actors = summary.count, file = %out.display(), "export written");
    Ok(())
}

async fn connect(config: &Config) -> Result<Store> {
    Store::connect(&config.database_url, config.database_pool_size)
        .await
        .with_context(|| {
            format!(
                "connecting to the database at {}",
                redact(&config.database_url)
            )
        })
}

async fn serve(config: Config) -> Result<()> {
    let store = connect(&config).await?;
    let addr = config.addr.clone();
    let base = config.public_base_url.clone();
    let state = AppState::load(store.clone(), config).await?;
    // The outbox worker applies queued actor changes to the search index (for PostgreSQL
    // alone it only clears the queue: the triggers already updated the search columns).
    match state.search.meili().cloned() {
        Some(meili) => {
            if let Err(error) = meili.ensure_index().await {
                tracing::warn!(%error, "Meilisearch unavailable at start-up; search answers from PostgreSQL until it is back");
            }
            tokio::spawn(atlas_search::outbox::run(store, meili));
        }
        None => {
            tokio::spawn(atlas_search::outbox::run(
                store,
                state.search.postgres().clone(),
            ));
        }
    }
    tokio::spawn(atlas_api::mail::run_outbox_worker(
        state.store.clone(),
        state.mailer.clone(),
        state.config.clone(),
        state.mail_wake.clone(),
    ));
    // Webhook deliveries: the outbox is filled in each change's transaction; this sends it.
    tokio::spawn(atlas_api::webhooks::run_worker(
        state.store.clone(),
        state.webhooks.clone(),
        std::time::Duration::from_millis(state.config.webhook_poll_ms.max(50)),
    ));
    let server = HttpServer::new(move || app(state.clone()))
        .bind(&addr)
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, docs = %format!("{base}/docs/"), "Social Tech Atlas is serving");
    server.run().await.context("running the HTTP server")
}

async fn reindex(config: Config) -> Result<()> {
    let store = connect(&config).await?;
    let state = AppState::load(store, config).await?;
    let Some(meili) = state.search.meili() else {
        anyhow::bail!("MEILI_URL is not set: PostgreSQL search needs no index (its search columns are maintained by triggers)");
    };
    let bar = indicatif::ProgressBar::new_spinner();
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let indexed = meili
        .reindex(|progress| {
            bar.set_message(format!("{} actors indexed", progress.indexed));
            bar.tick();
            if progress.indexed % 10_000 < 1000 {
                tracing::info!(indexed = progress.indexed, "reindexing");
            }
        })
        .await
        .context("rebuilding the Meilisearch index")?;
    bar.finish_and_clear();
    write_stdout(&format!(
        "reindex: {indexed} actors indexed and swapped in\n"
    ))
}

async fn remind(config: Config, days: u32, dry_run: bool) -> Result<()> {
    let store = connect(&config).await?;
    let state = AppState::load(store, config).await?;
    let report = atlas_api::remind::remind(&state, days, dry_run).await?;
    let mut out = String::new();
    for listing in &report.listings {
        out.push_str(&format!(
            "{}\t{}\tlast changed or confirmed {}\n",
            listing.id,
            listing.name,
            listing.last_touched.format("%Y-%m-%d")
        ));
    }
    out.push_str(&if dry_run {
        format!(
            "remind: {} listing(s) would be reminded (dry run: nothing sent or recorded)\n",
            report.listings.len()
        )
    } else {
        format!(
            "remind: {} listing(s) reminded, {} email(s) sent now (the rest are retried by the outbox)\n",
            report.listings.len(),
            report.sent
        )
    });
    write_stdout(&out)
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.into()
        }
        _ => url.to_owned(),
    }
}

fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to stdout")
}
