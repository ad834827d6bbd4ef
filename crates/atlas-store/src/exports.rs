//! Reading the published dataset for exports. CSV is written by PostgreSQL itself
//! (`COPY (SELECT ...) TO STDOUT WITH (FORMAT csv, HEADER)`) and streamed through as it comes;
//! the JSON formats read actors in id order, batch by batch (keyset). Either way an export of
//! any size holds a few chunks in memory at a time.

use std::pin::Pin;

use atlas_domain::{Actor, ActorId, ActorQuery, Lang};
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, SecondsFormat, Utc};
use diesel::sql_types::{Array, Int8, Nullable, Text, Timestamptz};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use futures_util::{Stream, StreamExt};

use crate::actors::push_filters;
use crate::error::{StoreError, StoreResult};
use crate::rows::{ActorRow, ACTOR_COLUMNS};
use crate::sql_args::{Arg, SqlBuilder};
use crate::Store;

const EXPORT_SUMMARY_SQL: &str = include_str!("sql/export_summary.sql");
const EXPORT_CSV_SQL: &str = include_str!("sql/export_csv.sql");

/// CSV rows (small COPY messages) gathered into one chunk of the response, at most.
const CSV_CHUNK_MESSAGES: usize = 512;

/// The bytes of a CSV export, in order; ends early with an error if the database fails.
pub type CsvStream = Pin<Box<dyn Stream<Item = StoreResult<Bytes>> + Send>>;

#[derive(QueryableByName)]
struct LiteralSqlRow {
    #[diesel(sql_type = Text)]
    sql: String,
}

/// What an export is about to contain.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    pub count: u64,
    pub last_modified: Option<DateTime<Utc>>,
    /// Every language used by a summary or description in the dataset, sorted.
    pub text_languages: Vec<Lang>,
}

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = Int8)]
    count: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_modified: Option<DateTime<Utc>>,
    #[diesel(sql_type = Array<Text>)]
    text_languages: Vec<String>,
}

impl Store {
    pub async fn export_summary(&self, query: &ActorQuery) -> StoreResult<ExportSummary> {
        let mut sql = SqlBuilder::new(EXPORT_SUMMARY_SQL);
        push_filters(query, &mut sql);
        let mut conn = self.conn().await?;
        let row: SummaryRow = sql.into_query().get_result(&mut conn).await?;
        Ok(ExportSummary {
            count: u64::try_from(row.count).unwrap_or_default(),
            last_modified: row.last_modified,
            text_languages: row
                .text_languages
                .iter()
                .filter_map(|l| Lang::parse(l))
                .collect(),
        })
    }

    /// Up to `limit` published actors matching the query with ids after `after`, by id
    /// (primary key order: each batch is an index range scan).
    pub async fn export_batch(
        &self,
        query: &ActorQuery,
        after: Option<ActorId>,
        limit: u32,
    ) -> StoreResult<Vec<Actor>> {
        let mut sql = SqlBuilder::new(&format!(
            "SELECT {ACTOR_COLUMNS} FROM actors a WHERE a.status = 'published'"
        ));
        push_filters(query, &mut sql);
        if let Some(after) = after {
            let p = sql.arg(Arg::Uuid(after.0));
            sql.push(&format!(" AND a.id > {p}"));
        }
        let p = sql.arg(Arg::Int(i64::from(limit)));
        sql.push(&format!(" ORDER BY a.id LIMIT {p}"));
        let mut conn = self.conn().await?;
        let rows: Vec<ActorRow> = sql.into_query().load(&mut conn).await?;
        rows.into_iter().map(Actor::try_from).collect()
    }

    /// The published actors matching `query` as CSV (RFC 4180, header row, `\n` line ends),
    /// written by PostgreSQL's COPY and streamed as it arrives: the same columns as
    /// `export_csv.sql`, then `summary_<lang>` and `description_<lang>` for each language.
    ///
    /// COPY takes no bind parameters, so the filters' values are turned into SQL literals by
    /// the server (`format('%L')`, i.e. `quote_literal`) from bound parameters first: no value
    /// is ever spliced into SQL text by this code. Each export uses a connection of its own
    /// (diesel-async cannot COPY), one of `COPY_CONNECTIONS` at most.
    pub async fn export_csv(
        &self,
        query: &ActorQuery,
        text_languages: &[Lang],
    ) -> StoreResult<CsvStream> {
        let mut sql = SqlBuilder::new(EXPORT_CSV_SQL.trim_end());
        // Languages are two ASCII letters (Lang::parse): safe as column names.
        for (field, record) in [("summary", "s"), ("description", "d")] {
            for lang in text_languages {
                sql.push(&format!(
                    ",\n       csv_cell({record}.\"{lang}\") AS \"{field}_{lang}\""
                ));
            }
        }
        let record_columns = text_languages
            .iter()
            .map(|lang| format!("\"{lang}\" text"))
            .collect::<Vec<_>>()
            .join(", ");
        if record_columns.is_empty() {
            sql.push("\nFROM actors a");
        } else {
            sql.push(&format!(
                "\nFROM actors a, jsonb_to_record(a.summary) AS s ({record_columns}), \
                 jsonb_to_record(a.description) AS d ({record_columns})"
            ));
        }
        sql.push(" WHERE a.status = 'published'");
        push_filters(query, &mut sql);
        sql.push(" ORDER BY a.id");
        let select = self.with_literals(sql).await?;

        let permit = self
            .copy_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let (client, connection) =
            tokio_postgres::connect(&self.database_url, tokio_postgres::NoTls)
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "CSV export connection ended with an error");
            }
        });
        let rows = client
            .copy_out(&format!(
                "COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)"
            ))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        // One COPY message per row: hand them on in bigger chunks, as many as are ready.
        let chunks = rows.ready_chunks(CSV_CHUNK_MESSAGES).map(move |messages| {
            // The client (whose connection carries the COPY) and the connection slot live as
            // long as the stream.
            let _ = (&client, &permit);
            let mut chunk = BytesMut::with_capacity(
                messages
                    .iter()
                    .map(|m| m.as_ref().map_or(0, Bytes::len))
                    .sum(),
            );
            for message in messages {
                chunk.extend_from_slice(
                    &message.map_err(|e| StoreError::Unavailable(e.to_string()))?,
                );
            }
            Ok(chunk.freeze())
        });
        Ok(Box::pin(chunks))
    }

    /// `sql` with each `$n` placeholder replaced by its value as a SQL literal, quoted by
    /// PostgreSQL (`format('%L')`) from the value bound as a parameter, and cast back to its
    /// type. Numbers and times are handed over as their canonical text, so the result reads
    /// the same whatever the session's settings.
    async fn with_literals(&self, sql: SqlBuilder) -> StoreResult<String> {
        let (text, args) = sql.into_parts();
        let mut template = String::with_capacity(text.len());
        let mut rest = text.replace('%', "%%");
        while let Some(start) = rest.find('$') {
            template.push_str(&rest[..start]);
            let digits: String = rest[start + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let index: usize = digits
                .parse()
                .ok()
                .filter(|i| (1..=args.len()).contains(i))
                .ok_or_else(|| StoreError::Corrupt(format!("no argument for `${digits}`")))?;
            template.push_str(&format!("(%{index}$L)::{}", args[index - 1].sql_type()));
            rest = rest[start + 1 + digits.len()..].to_owned();
        }
        template.push_str(&rest);
        let mut format = SqlBuilder::new("SELECT format(");
        let p = format.arg(Arg::Text(template));
        format.push(&p);
        for arg in args {
            let literal = match arg {
                Arg::Float(v) => Arg::Text(v.to_string()),
                Arg::Int(v) => Arg::Text(v.to_string()),
                Arg::Time(v) => Arg::Text(v.to_rfc3339_opts(SecondsFormat::Micros, true)),
                other => other,
            };
            let p = format.arg(literal);
            format.push(&format!(", {p}"));
        }
        format.push(") AS sql");
        let mut conn = self.conn().await?;
        let row: LiteralSqlRow = format.into_query().get_result(&mut conn).await?;
        Ok(row.sql)
    }
}
