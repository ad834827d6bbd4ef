//! The change feed: written by every write that changes what the public sees, inside that
//! write's transaction.

use atlas_domain::{ActorId, ChangeEvent, ChangeKind};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{StoreError, StoreResult};
use crate::schema::change_events;
use crate::Store;

/// Appends an event; call it inside the transaction that makes the change.
pub(crate) async fn record_change(
    conn: &mut AsyncPgConnection,
    id: ActorId,
    kind: ChangeKind,
    version: i32,
) -> StoreResult<()> {
    diesel::insert_into(change_events::table)
        .values((
            change_events::actor_id.eq(id.0),
            change_events::kind.eq(kind.as_str()),
            change_events::version.eq(version),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    /// Events after `since`, oldest first (uses the primary key on seq).
    pub async fn changes_since(&self, since: i64, limit: u32) -> StoreResult<Vec<ChangeEvent>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(i64, uuid::Uuid, String, i32, DateTime<Utc>)> = change_events::table
            .filter(change_events::seq.gt(since))
            .order(change_events::seq)
            .limit(i64::from(limit))
            .load(&mut conn)
            .await?;
        rows.into_iter()
            .map(|(seq, actor_id, kind, version, at)| {
                Ok(ChangeEvent {
                    seq,
                    actor_id: ActorId(actor_id),
                    kind: kind.parse().map_err(StoreError::Corrupt)?,
                    version,
                    at,
                })
            })
            .collect()
    }

    /// The newest sequence number, or 0 for an empty feed.
    pub async fn latest_change_seq(&self) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        let seq: Option<i64> = change_events::table
            .select(diesel::dsl::max(change_events::seq))
            .first(&mut conn)
            .await?;
        Ok(seq.unwrap_or(0))
    }
}
