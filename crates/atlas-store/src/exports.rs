//! Reading the published dataset for exports: in id order, batch by batch (keyset), so an
//! export of any size holds one batch in memory at a time.

use atlas_domain::{Actor, ActorId, ActorQuery, Lang};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Int8, Nullable, Text, Timestamptz};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use crate::actors::push_filters;
use crate::error::StoreResult;
use crate::rows::{ActorRow, ACTOR_COLUMNS};
use crate::sql_args::{Arg, SqlBuilder};
use crate::Store;

const EXPORT_SUMMARY_SQL: &str = include_str!("sql/export_summary.sql");

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
}
