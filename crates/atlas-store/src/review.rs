//! The moderators' queue of partner proposals (submissions, owner edits, reports, erasure
//! requests) and the decisions on them. A decision changes the item, the actor, its revision,
//! the change feed and the audit log in one transaction; the item row is locked, so of two
//! concurrent decisions exactly one applies.

use atlas_domain::{ActorId, ActorProfile, ChangeKind, ReviewAction, User};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Int4, Int8, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::actors::write_revision;
use crate::changes::record_change;
use crate::error::{StoreError, StoreResult};
use crate::moderation::{append_audit, apply_status, lock_actor};
use crate::rows::ActorProfileRow;
use crate::schema::actors;
use crate::sql_args::{Arg, SqlBuilder};
use crate::Store;

/// One open item of the queue.
#[derive(Debug, Clone, QueryableByName)]
pub struct QueueItem {
    #[diesel(sql_type = SqlUuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub actor_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub actor_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub flags: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct KindCount {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Int8)]
    count: i64,
}

/// Everything a moderator needs to decide one item.
#[derive(Debug, Clone, QueryableByName)]
pub struct ItemDetail {
    #[diesel(sql_type = SqlUuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = SqlUuid)]
    pub actor_id: uuid::Uuid,
    #[diesel(sql_type = Nullable<Int4>)]
    pub base_version: Option<i32>,
    /// The proposed public profile (submissions and edits).
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub proposed: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub message: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub flags: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    pub duplicates: serde_json::Value,
    #[diesel(sql_type = Nullable<Text>)]
    pub feedback: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// The actor's status and version now.
    #[diesel(sql_type = Text)]
    pub actor_status: String,
    #[diesel(sql_type = Int4)]
    pub actor_version: i32,
    /// The actor's latest public profile (from its newest revision).
    #[diesel(sql_type = Jsonb)]
    pub current: serde_json::Value,
    /// Sent with a partner API key: the partner's name and key prefix.
    #[diesel(sql_type = Nullable<Text>)]
    pub partner: Option<String>,
}

/// What a moderator decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    RequestChanges,
}

impl Decision {
    fn item_status(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
            Decision::RequestChanges => "changes_requested",
        }
    }

    fn action(self) -> ReviewAction {
        match self {
            Decision::Approve => ReviewAction::Approve,
            Decision::Reject => ReviewAction::Reject,
            Decision::RequestChanges => ReviewAction::RequestChanges,
        }
    }
}

impl Store {
    /// Open items, oldest first (index `moderation_items_queue`), after the cursor
    /// `(created_at, id)`, and how many are open per kind.
    pub async fn moderation_queue(
        &self,
        kind: Option<&str>,
        after: Option<(DateTime<Utc>, uuid::Uuid)>,
        limit: u32,
    ) -> StoreResult<(Vec<QueueItem>, Vec<(String, i64)>)> {
        let mut sql = SqlBuilder::new(
            "SELECT m.id, m.kind, m.actor_id, a.name AS actor_name, m.reason, m.flags, m.created_at \
             FROM moderation_items m JOIN actors a ON a.id = m.actor_id WHERE m.status = 'pending_review'",
        );
        if let Some(kind) = kind {
            let p = sql.arg(Arg::Text(kind.to_owned()));
            sql.push(&format!(" AND m.kind = {p}"));
        }
        if let Some((at, id)) = after {
            let (at, id) = (sql.arg(Arg::Time(at)), sql.arg(Arg::Uuid(id)));
            sql.push(&format!(" AND (m.created_at, m.id) > ({at}, {id})"));
        }
        let p = sql.arg(Arg::Int(i64::from(limit)));
        sql.push(&format!(" ORDER BY m.created_at, m.id LIMIT {p}"));
        let mut conn = self.conn().await?;
        let items: Vec<QueueItem> = sql.into_query().load(&mut conn).await?;
        let counts: Vec<KindCount> = diesel::sql_query(
            "SELECT kind, count(*) AS count FROM moderation_items WHERE status = 'pending_review' GROUP BY kind ORDER BY kind",
        )
        .load(&mut conn)
        .await?;
        Ok((
            items,
            counts.into_iter().map(|c| (c.kind, c.count)).collect(),
        ))
    }

    pub async fn moderation_item(&self, id: uuid::Uuid) -> StoreResult<Option<ItemDetail>> {
        let mut conn = self.conn().await?;
        let row: Option<ItemDetail> = diesel::sql_query(
            "SELECT m.id, m.kind, m.status, m.actor_id, m.base_version, m.proposed, m.reason, m.message, \
                    m.flags, m.duplicates, m.feedback, m.created_at, a.status AS actor_status, \
                    a.version AS actor_version, \
                    (SELECT r.profile FROM actor_revisions r WHERE r.actor_id = a.id ORDER BY r.version DESC LIMIT 1) AS current, \
                    (SELECT k.name || ' (' || k.prefix || ')' FROM api_keys k WHERE k.id = m.api_key_id) AS partner \
             FROM moderation_items m JOIN actors a ON a.id = m.actor_id WHERE m.id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .get_result(&mut conn)
        .await
        .optional_row()?;
        Ok(row)
    }

    /// Applies a decision. Returns the actor id and the item's new status.
    pub async fn decide_item(
        &self,
        item_id: uuid::Uuid,
        decision: Decision,
        by: &User,
        note: Option<&str>,
    ) -> StoreResult<(ActorId, String)> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            #[derive(QueryableByName)]
            struct Locked {
                #[diesel(sql_type = Text)]
                kind: String,
                #[diesel(sql_type = Text)]
                status: String,
                #[diesel(sql_type = SqlUuid)]
                actor_id: uuid::Uuid,
                #[diesel(sql_type = Nullable<Int4>)]
                base_version: Option<i32>,
                #[diesel(sql_type = Nullable<Jsonb>)]
                proposed: Option<serde_json::Value>,
            }
            let item: Locked = diesel::sql_query(
                "SELECT kind, status, actor_id, base_version, proposed FROM moderation_items WHERE id = $1 FOR UPDATE",
            )
            .bind::<SqlUuid, _>(item_id)
            .get_result(conn)
            .await
            .optional_row()?
            .ok_or(StoreError::NotFound("moderation item"))?;
            if item.status != "pending_review" {
                return Err(StoreError::Conflict {
                    code: "illegal_transition",
                    message: format!("this item is {}; only items pending review can be decided", item.status),
                });
            }
            let actor = ActorId(item.actor_id);
            match (item.kind.as_str(), decision) {
                // A new listing follows the review state machine of its actor.
                ("submission", _) => {
                    apply_status(conn, actor, decision.action(), by, note).await?;
                }
                ("edit", Decision::Approve) => apply_edit(conn, actor, item.base_version, item.proposed, by, note).await?,
                ("erasure_request", Decision::Approve) => erase(conn, actor, by, note).await?,
                // Reports are acknowledged; what to change is a separate moderator action.
                _ => {}
            }
            diesel::sql_query("UPDATE moderation_items SET status = $2, feedback = $3, decided_at = now() WHERE id = $1")
                .bind::<SqlUuid, _>(item_id)
                .bind::<Text, _>(decision.item_status())
                .bind::<Nullable<Text>, _>(note)
                .execute(conn)
                .await?;
            // The submitter hears about it (erasure has already removed their address).
            diesel::sql_query(
                "INSERT INTO email_outbox (kind, recipient, item_id) \
                 SELECT 'decision', submitter_email, id FROM moderation_items \
                 WHERE id = $1 AND submitter_email IS NOT NULL AND kind IN ('submission', 'edit')",
            )
            .bind::<SqlUuid, _>(item_id)
            .execute(conn)
            .await?;
            let details = serde_json::json!({"decision": decision.item_status(), "kind": item.kind, "actor_id": actor.to_string(), "note": note});
            append_audit(conn, Some(by), decision.item_status(), "moderation_item", &item_id.to_string(), details).await?;
            Ok((actor, decision.item_status().to_owned()))
        })
        .await
    }
}

/// An owner's edit becomes the published profile, if nobody changed the actor since.
async fn apply_edit(
    conn: &mut AsyncPgConnection,
    actor: ActorId,
    base_version: Option<i32>,
    proposed: Option<serde_json::Value>,
    by: &User,
    note: Option<&str>,
) -> StoreResult<()> {
    use diesel::{ExpressionMethods, QueryDsl};
    let (status, version, _, _) = lock_actor(conn, actor).await?;
    if base_version != Some(version) {
        return Err(StoreError::Conflict {
            code: "version_conflict",
            message: format!("the listing changed since this edit was proposed (now version {version}); reject it and ask for a new edit"),
        });
    }
    let proposed =
        proposed.ok_or_else(|| StoreError::Corrupt("an edit without a proposal".into()))?;
    let profile: ActorProfile =
        serde_json::from_value(proposed.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = ActorProfileRow::from_profile(&profile)?;
    let version = version + 1;
    diesel::update(actors::table.find(actor.0))
        .set((
            &row,
            actors::version.eq(version),
            actors::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    write_revision(
        conn,
        actor,
        version,
        status.as_str(),
        &proposed,
        &by.label(),
        Some(note.unwrap_or("owner edit approved")),
    )
    .await?;
    if status.is_public() {
        record_change(conn, actor, ChangeKind::Updated, version).await?;
    }
    Ok(())
}

/// Erasure: the actor leaves the map and every personal datum about it is deleted for good;
/// what stays is a tombstone (id, and a `deleted` event in the change feed).
async fn erase(
    conn: &mut AsyncPgConnection,
    actor: ActorId,
    by: &User,
    note: Option<&str>,
) -> StoreResult<()> {
    let (status, _, _, _) = lock_actor(conn, actor).await?;
    if status.is_public() {
        apply_status(
            conn,
            actor,
            ReviewAction::Archive,
            by,
            note.or(Some("erased on request")),
        )
        .await?;
    }
    diesel::sql_query("DELETE FROM actor_contacts WHERE actor_id = $1")
        .bind::<SqlUuid, _>(actor.0)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "UPDATE moderation_items SET submitter_email = NULL, contact_email = NULL, contact_phone = NULL, consent = NULL \
         WHERE actor_id = $1",
    )
    .bind::<SqlUuid, _>(actor.0)
    .execute(conn)
    .await?;
    diesel::sql_query("DELETE FROM access_tokens WHERE actor_id = $1 OR item_id IN (SELECT id FROM moderation_items WHERE actor_id = $1)")
        .bind::<SqlUuid, _>(actor.0)
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE email_outbox SET recipient = 'erased' WHERE actor_id = $1 OR item_id IN (SELECT id FROM moderation_items WHERE actor_id = $1)")
        .bind::<SqlUuid, _>(actor.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// `.optional()` for `sql_query` results.
trait OptionalRow<T> {
    fn optional_row(self) -> StoreResult<Option<T>>;
}

impl<T> OptionalRow<T> for Result<T, diesel::result::Error> {
    fn optional_row(self) -> StoreResult<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(diesel::result::Error::NotFound) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}
