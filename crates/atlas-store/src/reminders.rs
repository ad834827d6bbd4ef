//! Stale-listing reminders: published listings neither changed nor confirmed for a while are
//! found, their owners emailed (through the outbox) a single-use "still correct" link, and
//! following it records the confirmation — the date only, not a new version.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Bytea, Int4, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use atlas_domain::ActorId;

use crate::error::{StoreError, StoreResult};
use crate::submissions::TokenRejection;
use crate::Store;

const STALE_LISTINGS_SQL: &str = include_str!("sql/stale_listings.sql");

/// A published listing due for a reminder.
#[derive(Debug, Clone, QueryableByName)]
pub struct StaleListing {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// The owner's address (private).
    #[diesel(sql_type = Text)]
    pub email: String,
    /// The later of its last change and its last confirmation.
    #[diesel(sql_type = Timestamptz)]
    pub last_touched: DateTime<Utc>,
}

/// What following a "still correct" link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    Verified { name: String, at: DateTime<Utc> },
    Refused(TokenRejection),
}

#[derive(QueryableByName)]
struct VerifyTokenRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
    actor_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    expired: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    used: bool,
}

#[derive(QueryableByName)]
struct VerifiedRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Timestamptz)]
    last_verified_at: DateTime<Utc>,
}

fn check(row: Option<VerifyTokenRow>, actor: ActorId) -> Result<(), TokenRejection> {
    let Some(row) = row else {
        return Err(TokenRejection::Unknown);
    };
    if row.actor_id != Some(actor.0) {
        // A token for another listing says nothing about this one.
        Err(TokenRejection::Unknown)
    } else if row.used {
        Err(TokenRejection::Used)
    } else if row.expired {
        Err(TokenRejection::Expired)
    } else {
        Ok(())
    }
}

const VERIFY_TOKEN_SQL: &str =
    "SELECT actor_id, expires_at < now() AS expired, used_at IS NOT NULL AS used \
     FROM access_tokens WHERE token_hash = $1 AND purpose = 'verify_actor'";

impl Store {
    /// Published listings with a contact address, unchanged and unconfirmed for `days` days
    /// and not reminded within `days` days; oldest first. Reads only.
    pub async fn stale_listings(&self, days: i32) -> StoreResult<Vec<StaleListing>> {
        let mut conn = self.conn().await?;
        Ok(diesel::sql_query(STALE_LISTINGS_SQL)
            .bind::<Int4, _>(days)
            .load(&mut conn)
            .await?)
    }

    /// Queues one reminder per stale listing (see [`Store::stale_listings`]) and notes that it
    /// was reminded, in one transaction; returns the listings reminded. Two runs at once
    /// cannot remind a listing twice (the listings are locked, the second run skips them).
    pub async fn queue_stale_reminders(&self, days: i32) -> StoreResult<Vec<StaleListing>> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let due: Vec<StaleListing> =
                diesel::sql_query(format!("{STALE_LISTINGS_SQL} FOR UPDATE OF a SKIP LOCKED"))
                    .bind::<Int4, _>(days)
                    .load(conn)
                    .await?;
            let ids: Vec<Uuid> = due.iter().map(|d| d.id).collect();
            diesel::sql_query(
                "INSERT INTO email_outbox (kind, recipient, actor_id) \
                 SELECT 'stale_reminder', c.email, c.actor_id FROM actor_contacts c \
                 WHERE c.actor_id = ANY($1)",
            )
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
            .execute(conn)
            .await?;
            diesel::sql_query(
                "INSERT INTO stale_reminders (actor_id, reminded_at) SELECT unnest($1::uuid[]), now() \
                 ON CONFLICT (actor_id) DO UPDATE SET reminded_at = excluded.reminded_at",
            )
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
            .execute(conn)
            .await?;
            Ok::<_, StoreError>(due)
        })
        .await
    }

    /// Checks a "still correct" token without spending it (for the landing page a mail
    /// scanner may fetch); returns the listing's name.
    pub async fn check_verify_token(
        &self,
        actor: ActorId,
        token_hash: &[u8],
    ) -> StoreResult<Result<String, TokenRejection>> {
        let mut conn = self.conn().await?;
        let row: Option<VerifyTokenRow> = diesel::sql_query(VERIFY_TOKEN_SQL)
            .bind::<Bytea, _>(token_hash)
            .get_result(&mut conn)
            .await
            .optional()?;
        if let Err(rejection) = check(row, actor) {
            return Ok(Err(rejection));
        }
        let name: Option<VerifiedRow> = diesel::sql_query(
            "SELECT name, last_verified_at FROM actors WHERE id = $1 AND status = 'published'",
        )
        .bind::<SqlUuid, _>(actor.0)
        .get_result(&mut conn)
        .await
        .optional()?;
        Ok(name.map(|n| n.name).ok_or(TokenRejection::Unknown))
    }

    /// Spends a "still correct" token: the listing's `last_verified_at` becomes now, and the
    /// audit log says so. No new version and no change-feed event: the content did not change.
    pub async fn verify_actor(
        &self,
        actor: ActorId,
        token_hash: &[u8],
    ) -> StoreResult<VerifyOutcome> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let row: Option<VerifyTokenRow> =
                diesel::sql_query(format!("{VERIFY_TOKEN_SQL} FOR UPDATE"))
                    .bind::<Bytea, _>(token_hash)
                    .get_result(conn)
                    .await
                    .optional()?;
            if let Err(rejection) = check(row, actor) {
                return Ok(VerifyOutcome::Refused(rejection));
            }
            let verified: Option<VerifiedRow> = diesel::sql_query(
                "UPDATE actors SET last_verified_at = now() WHERE id = $1 AND status = 'published' \
                 RETURNING name, last_verified_at",
            )
            .bind::<SqlUuid, _>(actor.0)
            .get_result(conn)
            .await
            .optional()?;
            let Some(verified) = verified else {
                // Archived or erased since the reminder: nothing to confirm.
                return Ok(VerifyOutcome::Refused(TokenRejection::Unknown));
            };
            diesel::sql_query("UPDATE access_tokens SET used_at = now() WHERE token_hash = $1")
                .bind::<Bytea, _>(token_hash)
                .execute(conn)
                .await?;
            // Not a moderator's action, but the append-only record of who said what about a
            // listing; the owner is named by role (their address is private).
            diesel::sql_query(
                "INSERT INTO audit_log (user_id, user_label, action, target_kind, target_id, details) \
                 VALUES (NULL, 'owner (reminder link)', 'verify', 'actor', $1, $2)",
            )
            .bind::<Text, _>(actor.0.to_string())
            .bind::<diesel::sql_types::Jsonb, _>(serde_json::json!({
                "last_verified_at": verified.last_verified_at,
            }))
            .execute(conn)
            .await?;
            Ok::<_, StoreError>(VerifyOutcome::Verified {
                name: verified.name,
                at: verified.last_verified_at,
            })
        })
        .await
    }
}
