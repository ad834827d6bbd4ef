//! Moderation writes: status changes, merges, and the history and audit trail they leave.
//! Each is one transaction: the actor, its revision, the change feed and the audit log
//! change together or not at all.

use atlas_domain::{ActorId, ActorRef, ChangeKind, ReviewAction, ReviewStatus, User};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::actors::write_revision;
use crate::changes::record_change;
use crate::error::{StoreError, StoreResult};
use crate::schema::{actor_redirects, actor_revisions, actors, audit_log};
use crate::Store;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_label: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub details: serde_json::Value,
}

/// One revision of an actor, with the full public profile after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub version: i32,
    pub status: String,
    pub profile: serde_json::Value,
    pub author: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Queryable)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    user_label: String,
    action: String,
    target_kind: String,
    target_id: String,
    details: serde_json::Value,
}

#[derive(Queryable)]
struct RevisionRow {
    version: i32,
    status: String,
    profile: serde_json::Value,
    author: String,
    note: Option<String>,
    created_at: DateTime<Utc>,
}

/// An entry for the audit log; written inside the transaction of the action it records.
pub(crate) async fn append_audit(
    conn: &mut AsyncPgConnection,
    by: Option<&User>,
    action: &str,
    target_kind: &str,
    target_id: &str,
    details: serde_json::Value,
) -> StoreResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::user_id.eq(by.map(|u| u.id.0)),
            audit_log::user_label.eq(by.map(User::label).unwrap_or_else(|| "cli".to_owned())),
            audit_log::action.eq(action),
            audit_log::target_kind.eq(target_kind),
            audit_log::target_id.eq(target_id),
            audit_log::details.eq(details),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks the actor's row and returns its status, version and latest profile snapshot.
pub(crate) async fn lock_actor(
    conn: &mut AsyncPgConnection,
    id: ActorId,
) -> StoreResult<(ReviewStatus, i32, serde_json::Value, String)> {
    let row: Option<(String, i32, String)> = actors::table
        .find(id.0)
        .select((actors::status, actors::version, actors::slug))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let (status, version, slug) = row.ok_or(StoreError::NotFound("actor"))?;
    let profile: serde_json::Value = actor_revisions::table
        .filter(actor_revisions::actor_id.eq(id.0))
        .order(actor_revisions::version.desc())
        .select(actor_revisions::profile)
        .first(conn)
        .await?;
    Ok((
        status.parse().map_err(StoreError::Corrupt)?,
        version,
        profile,
        slug,
    ))
}

/// Moves the actor to its next status and records everything that goes with it.
pub(crate) async fn apply_status(
    conn: &mut AsyncPgConnection,
    id: ActorId,
    action: ReviewAction,
    by: &User,
    note: Option<&str>,
) -> StoreResult<(ReviewStatus, i32)> {
    let (status, version, profile, _) = lock_actor(conn, id).await?;
    let next = status.apply(action).map_err(|e| StoreError::Conflict {
        code: "illegal_transition",
        message: e.to_string(),
    })?;
    let version = version + 1;
    diesel::update(actors::table.find(id.0))
        .set((
            actors::status.eq(next.as_str()),
            actors::version.eq(version),
            actors::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    write_revision(
        conn,
        id,
        version,
        next.as_str(),
        &profile,
        &by.label(),
        note,
    )
    .await?;
    match (status.is_public(), next.is_public()) {
        (true, false) => record_change(conn, id, ChangeKind::Deleted, version).await?,
        (false, true) => record_change(conn, id, ChangeKind::Created, version).await?,
        _ => {}
    }
    let details = serde_json::json!({"from": status.as_str(), "to": next.as_str(), "note": note});
    append_audit(
        conn,
        Some(by),
        &action.to_string(),
        "actor",
        &id.to_string(),
        details,
    )
    .await?;
    Ok((next, version))
}

impl Store {
    /// Records an action taken outside a store transaction (creating a user, say).
    pub async fn record_audit(
        &self,
        by: Option<&User>,
        action: &str,
        target_kind: &str,
        target_id: &str,
        details: serde_json::Value,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        append_audit(&mut conn, by, action, target_kind, target_id, details).await
    }

    /// The audit log, newest first, before `before` (an entry id) when given.
    pub async fn audit_log(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let mut conn = self.conn().await?;
        let mut query = audit_log::table.into_boxed();
        if let Some(before) = before {
            query = query.filter(audit_log::id.lt(before));
        }
        let rows: Vec<AuditRow> = query
            .order(audit_log::id.desc())
            .limit(i64::from(limit))
            .select((
                audit_log::id,
                audit_log::at,
                audit_log::user_label,
                audit_log::action,
                audit_log::target_kind,
                audit_log::target_id,
                audit_log::details,
            ))
            .load(&mut conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                user_label: r.user_label,
                action: r.action,
                target_kind: r.target_kind,
                target_id: r.target_id,
                details: r.details,
            })
            .collect())
    }

    /// Every revision of an actor, oldest first; `None` when there is no such actor.
    pub async fn actor_history(&self, id: ActorId) -> StoreResult<Option<Vec<Revision>>> {
        let mut conn = self.conn().await?;
        let rows: Vec<RevisionRow> = actor_revisions::table
            .filter(actor_revisions::actor_id.eq(id.0))
            .order(actor_revisions::version)
            .select((
                actor_revisions::version,
                actor_revisions::status,
                actor_revisions::profile,
                actor_revisions::author,
                actor_revisions::note,
                actor_revisions::created_at,
            ))
            .load(&mut conn)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            rows.into_iter()
                .map(|r| Revision {
                    version: r.version,
                    status: r.status,
                    profile: r.profile,
                    author: r.author,
                    note: r.note,
                    at: r.created_at,
                })
                .collect(),
        ))
    }

    /// Archive, restore, approve, reject …: checked by the review state machine, so deciding
    /// twice or in the wrong order is a conflict and changes nothing. Rows are locked, so of two
    /// concurrent decisions exactly one applies.
    pub async fn change_actor_status(
        &self,
        id: ActorId,
        action: ReviewAction,
        by: &User,
        note: Option<&str>,
    ) -> StoreResult<(ReviewStatus, i32)> {
        let mut conn = self.conn().await?;
        let merged: i64 = actor_redirects::table
            .filter(actor_redirects::from_id.eq(id.0))
            .count()
            .get_result(&mut conn)
            .await?;
        if merged > 0 {
            return Err(StoreError::Conflict {
                code: "merged",
                message: "this actor was merged into another".into(),
            });
        }
        conn.transaction(async |conn| apply_status(conn, id, action, by, note).await)
            .await
    }

    /// Merges a duplicate into a survivor: the duplicate leaves the map, its id and slug
    /// redirect to the survivor, the survivor keeps the duplicate's name as an alternative
    /// name, and both histories and the audit log record it.
    pub async fn merge_actor(&self, from: ActorId, into: ActorId, by: &User) -> StoreResult<()> {
        if from == into {
            return Err(StoreError::Conflict {
                code: "merge_into_itself",
                message: "an actor cannot be merged into itself".into(),
            });
        }
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            // Lock both rows in a fixed order so two merges cannot deadlock.
            let (first, second) = if from.0 < into.0 {
                (from, into)
            } else {
                (into, from)
            };
            lock_actor(conn, first).await?;
            lock_actor(conn, second).await?;
            let (into_status, into_version, mut into_profile, _) = lock_actor(conn, into).await?;
            if !into_status.is_public() {
                return Err(StoreError::Conflict {
                    code: "merge_target_not_published",
                    message: "merge into a published actor".into(),
                });
            }
            let (_, _, from_profile, from_slug) = lock_actor(conn, from).await?;
            let note = format!("merged into {into}");
            apply_status(conn, from, ReviewAction::Archive, by, Some(&note)).await?;
            diesel::insert_into(actor_redirects::table)
                .values((
                    actor_redirects::from_id.eq(from.0),
                    actor_redirects::from_slug.eq(&from_slug),
                    actor_redirects::to_id.eq(into.0),
                ))
                .execute(conn)
                .await?;
            // Redirects that pointed at the duplicate now point at the survivor.
            diesel::update(actor_redirects::table.filter(actor_redirects::to_id.eq(from.0)))
                .set(actor_redirects::to_id.eq(into.0))
                .execute(conn)
                .await?;
            let from_name = from_profile["name"].clone();
            let same_name = from_name == into_profile["name"];
            if let Some(alt_names) = into_profile["alt_names"].as_array_mut() {
                if !alt_names.contains(&from_name) && !same_name {
                    alt_names.push(from_name);
                }
            }
            let alt_names: Vec<String> = serde_json::from_value(into_profile["alt_names"].clone())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let version = into_version + 1;
            diesel::update(actors::table.find(into.0))
                .set((
                    actors::alt_names.eq(&alt_names),
                    actors::version.eq(version),
                    actors::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
            let note = format!("merged {from} into this actor");
            write_revision(
                conn,
                into,
                version,
                into_status.as_str(),
                &into_profile,
                &by.label(),
                Some(&note),
            )
            .await?;
            record_change(conn, into, ChangeKind::Updated, version).await?;
            append_audit(
                conn,
                Some(by),
                "merge",
                "actor",
                &from.to_string(),
                serde_json::json!({"into": into.to_string()}),
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// Where a merged actor went: the survivor's id and slug.
    pub async fn redirect_for(
        &self,
        reference: &ActorRef,
    ) -> StoreResult<Option<(ActorId, String)>> {
        let mut conn = self.conn().await?;
        let query = actor_redirects::table
            .inner_join(actors::table.on(actors::id.eq(actor_redirects::to_id)));
        let row: Option<(uuid::Uuid, String)> = match reference {
            ActorRef::Id(id) => query
                .filter(actor_redirects::from_id.eq(id.0))
                .select((actors::id, actors::slug))
                .first(&mut conn)
                .await
                .optional()?,
            ActorRef::Slug(slug) => query
                .filter(actor_redirects::from_slug.eq(slug))
                .select((actors::id, actors::slug))
                .first(&mut conn)
                .await
                .optional()?,
        };
        Ok(row.map(|(id, slug)| (ActorId(id), slug)))
    }
}
