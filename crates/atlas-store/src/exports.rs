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
/// Without filters: the count the triggers keep, the newest change by the index on the export
/// rows' updated_at (one index probe each, whatever the size of the dataset).
const EXPORT_SUMMARY_ALL_SQL: &str = "SELECT c.actors AS count, \
     (SELECT max(e.updated_at) FROM actor_export_rows e) AS last_modified \
     FROM actor_export_count c";
const EXPORT_CSV_ALL_SQL: &str = include_str!("sql/export_csv_all.sql");
const EXPORT_CSV_FILTERED_SQL: &str = include_str!("sql/export_csv_filtered.sql");
const EXPORT_LANGUAGES_SQL: &str =
    "SELECT coalesce(array_agg(lang ORDER BY lang), '{}') AS langs FROM export_text_languages";

/// CSV rows gathered into one chunk of the response, at most (as many as have arrived).
const CSV_CHUNK_ROWS: usize = 512;

/// The CSV columns before the per-language text columns, in their stable order: the fields
/// of `actor_export_rows.csv_fixed` (migration 000130, view `actor_export_lines`).
pub const CSV_COLUMNS: [&str; 26] = [
    "id",
    "slug",
    "name",
    "alt_names",
    "kind",
    "categories",
    "tags",
    "languages",
    "country",
    "region",
    "city",
    "postcode",
    "street",
    "lat",
    "lon",
    "location_precision",
    "website",
    "links",
    "founded_year",
    "identifiers",
    "licence",
    "source_kind",
    "source_name",
    "created_at",
    "updated_at",
    "version",
];

/// Where each actor's tagged text cells go: one column per (field, language) in header
/// order, summaries first. A cell is stored as `s`|`d`, the language, then the formatted cell.
struct CsvLayout {
    columns: Vec<[u8; 3]>,
    header: String,
}

impl CsvLayout {
    fn new(text_languages: &[Lang]) -> CsvLayout {
        let mut header = CSV_COLUMNS.join(",");
        let mut columns = Vec::with_capacity(text_languages.len() * 2);
        for (field, tag) in [("summary", b's'), ("description", b'd')] {
            for lang in text_languages {
                header.push_str(&format!(",{field}_{lang}"));
                let code = lang.as_str().as_bytes();
                columns.push([tag, code[0], code[1]]);
            }
        }
        header.push('\n');
        CsvLayout { columns, header }
    }

    fn header(&self) -> String {
        self.header.clone()
    }

    fn write_line(&self, out: &mut BytesMut, fixed: &str, texts: &[&str]) {
        out.extend_from_slice(fixed.as_bytes());
        for column in &self.columns {
            out.extend_from_slice(b",");
            if let Some(cell) = texts
                .iter()
                .find_map(|text| text.as_bytes().strip_prefix(column.as_slice()))
            {
                out.extend_from_slice(cell);
            }
        }
        out.extend_from_slice(b"\n");
    }
}

fn corrupt(error: tokio_postgres::Error) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

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
}

#[derive(QueryableByName)]
struct LanguagesRow {
    #[diesel(sql_type = Array<Text>)]
    langs: Vec<String>,
}

impl Store {
    /// How many actors an export of `query` holds, when the newest changed, and the languages
    /// of the whole published dataset's texts (the CSV's columns, whatever the filters). All
    /// three come from what the triggers keep (no scan of the actors) unless filters apply.
    pub async fn export_summary(&self, query: &ActorQuery) -> StoreResult<ExportSummary> {
        let sql = if query.has_filters() {
            let mut sql = SqlBuilder::new(EXPORT_SUMMARY_SQL);
            push_filters(query, &mut sql);
            sql
        } else {
            SqlBuilder::new(EXPORT_SUMMARY_ALL_SQL)
        };
        let mut conn = self.conn().await?;
        let row: SummaryRow = sql.into_query().get_result(&mut conn).await?;
        let languages: LanguagesRow = diesel::sql_query(EXPORT_LANGUAGES_SQL)
            .get_result(&mut conn)
            .await?;
        Ok(ExportSummary {
            count: u64::try_from(row.count).unwrap_or_default(),
            last_modified: row.last_modified,
            // Keys naming one language ("en", "en-GB") make one column; sorted by code.
            text_languages: languages
                .langs
                .iter()
                .filter_map(|l| Lang::parse(l))
                .collect::<std::collections::BTreeSet<Lang>>()
                .into_iter()
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

    /// The published actors matching `query` as CSV (RFC 4180, header row, `\n` line ends):
    /// `CSV_COLUMNS`, then `summary_<lang>` and `description_<lang>` for each of
    /// `text_languages`, streamed as it is read.
    ///
    /// The lines were formatted when the actors were written (`actor_export_rows`, kept by
    /// triggers; see migration 000130): the export reads them in id order and only places
    /// each actor's text cells under the header's language columns. Without filters it reads
    /// that table alone; with filters it joins it to `actors`, whose filters are the list's.
    ///
    /// Each export streams on a connection of its own (one of `COPY_CONNECTIONS` at most):
    /// rows are handed on as they arrive, so a slow client slows the read and memory stays at
    /// a chunk or two. Filters' values are turned into SQL literals by the server
    /// (`with_literals`), never spliced into SQL text by this code.
    pub async fn export_csv(
        &self,
        query: &ActorQuery,
        text_languages: &[Lang],
    ) -> StoreResult<CsvStream> {
        let select = if !query.has_filters() {
            EXPORT_CSV_ALL_SQL.to_owned()
        } else {
            let mut sql = SqlBuilder::new(EXPORT_CSV_FILTERED_SQL.trim_end());
            push_filters(query, &mut sql);
            sql.push(" ORDER BY a.id");
            self.with_literals(sql).await?
        };

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
        // The plan's cost at a million rows would start JIT compilation: time spent before the
        // first byte on a query that only hands stored text on.
        client
            .batch_execute("SET jit = off")
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let rows = client
            .query_raw(select.as_str(), std::iter::empty::<&str>())
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;

        let layout = CsvLayout::new(text_languages);
        let header = Bytes::from(layout.header());
        let lines = rows.ready_chunks(CSV_CHUNK_ROWS).map(move |rows| {
            // The client (whose connection carries the rows) and the connection slot live as
            // long as the stream.
            let _ = (&client, &permit);
            let mut chunk = BytesMut::with_capacity(rows.len() * 800);
            for row in rows {
                let row = row.map_err(|e| StoreError::Unavailable(e.to_string()))?;
                let fixed: &str = row.try_get(0).map_err(corrupt)?;
                let texts: Option<Vec<&str>> = row.try_get(1).map_err(corrupt)?;
                layout.write_line(&mut chunk, fixed, texts.as_deref().unwrap_or_default());
            }
            Ok(chunk.freeze())
        });
        Ok(Box::pin(
            futures_util::stream::once(async move { Ok(header) }).chain(lines),
        ))
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
