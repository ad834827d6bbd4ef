//! The taxonomy table.

use atlas_domain::{Category, CategoryId, LangText, Taxonomy};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::error::{StoreError, StoreResult};
use crate::schema::categories;
use crate::Store;

#[derive(Queryable, Insertable)]
#[diesel(table_name = categories)]
struct CategoryRow {
    id: String,
    parent_id: Option<String>,
    labels: serde_json::Value,
    position: i32,
}

impl Store {
    /// The whole taxonomy, parents before children, in the order of the taxonomy file.
    pub async fn taxonomy(&self) -> StoreResult<Taxonomy> {
        let mut conn = self.conn().await?;
        let rows: Vec<CategoryRow> = categories::table
            .order(categories::position)
            .load(&mut conn)
            .await?;
        let categories = rows
            .into_iter()
            .map(|row| {
                let bad = |e: String| StoreError::Corrupt(format!("category {}: {e}", row.id));
                Ok(Category {
                    id: CategoryId::parse("id", &row.id).map_err(|e| bad(e.message))?,
                    parent: row
                        .parent_id
                        .as_deref()
                        .map(|p| CategoryId::parse("parent", p).map_err(|e| bad(e.message)))
                        .transpose()?,
                    labels: serde_json::from_value::<LangText>(row.labels)
                        .map_err(|e| bad(e.to_string()))?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Taxonomy { categories })
    }

    /// Inserts new categories and updates the labels and order of existing ones. Categories
    /// that vanished from the file are kept (actors may still refer to them).
    pub async fn upsert_taxonomy(&self, taxonomy: &Taxonomy) -> StoreResult<usize> {
        let rows = taxonomy
            .categories
            .iter()
            .enumerate()
            .map(|(position, c)| {
                Ok(CategoryRow {
                    id: c.id.as_str().to_owned(),
                    parent_id: c.parent.as_ref().map(|p| p.as_str().to_owned()),
                    labels: serde_json::to_value(&c.labels)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    position: i32::try_from(position).unwrap_or(i32::MAX),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let mut conn = self.conn().await?;
        let written = conn
            .transaction(async |conn| {
                let mut written = 0;
                // One row at a time, parents first, so the foreign key always holds.
                for row in rows {
                    written += diesel::insert_into(categories::table)
                        .values(&row)
                        .on_conflict(categories::id)
                        .do_update()
                        .set((
                            categories::parent_id.eq(&row.parent_id),
                            categories::labels.eq(&row.labels),
                            categories::position.eq(row.position),
                        ))
                        .execute(conn)
                        .await?;
                }
                Ok::<_, StoreError>(written)
            })
            .await;
        // Expanded texts name categories by their labels.
        self.forget_expansions();
        written
    }
}
