//! The email outbox: rows written in the same transaction as what causes them, sent later by a
//! worker. A row carries only keys; the sender re-reads what it needs and the token is minted
//! when the message is sent, so no usable secret is ever stored.

use diesel::sql_types::{Bytea, Int4, Int8, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::Store;

/// How long a sender may hold a claimed email before another may try it (a crashed sender's
/// claim runs out).
const CLAIM_SECONDS: i32 = 300;
/// A confirmation link works for a week; an edit link for two days.
const CONFIRM_TOKEN_DAYS: i32 = 7;
const EDIT_TOKEN_DAYS: i32 = 2;
/// A "still correct" link answers a reminder; owners may take a few weeks to read it.
const VERIFY_TOKEN_DAYS: i32 = 30;

/// An email due to be sent, with what its text needs.
#[derive(Debug, Clone, QueryableByName)]
pub struct PendingEmail {
    #[diesel(sql_type = Int8)]
    pub id: i64,
    /// `submission_confirmation`, `edit_link`, `decision` or `stale_reminder`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub item_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    pub actor_id: Uuid,
    #[diesel(sql_type = Text)]
    pub actor_name: String,
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
    /// For decisions: the item's status (approved, rejected, changes_requested) ...
    #[diesel(sql_type = Nullable<Text>)]
    pub item_status: Option<String>,
    /// ... and the moderator's note to the submitter.
    #[diesel(sql_type = Nullable<Text>)]
    pub feedback: Option<String>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int8)]
    count: i64,
}

impl Store {
    /// Claims the oldest due email, if any (skipping rows another sender holds).
    pub async fn claim_email(&self) -> StoreResult<Option<PendingEmail>> {
        let mut conn = self.conn().await?;
        let claimed: Vec<PendingEmail> = diesel::sql_query(
            "WITH next AS ( \
                 SELECT id FROM email_outbox WHERE sent_at IS NULL AND next_attempt_at <= now() \
                 ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED \
             ), claimed AS ( \
                 UPDATE email_outbox o SET next_attempt_at = now() + make_interval(secs => $1), \
                        attempts = o.attempts + 1 \
                 FROM next WHERE o.id = next.id \
                 RETURNING o.id, o.kind, o.recipient, o.item_id, o.actor_id, o.attempts \
             ) \
             SELECT c.id, c.kind, c.recipient, c.item_id, a.id AS actor_id, a.name AS actor_name, c.attempts, \
                    i.status AS item_status, i.feedback \
             FROM claimed c \
             LEFT JOIN moderation_items i ON i.id = c.item_id \
             JOIN actors a ON a.id = coalesce(c.actor_id, i.actor_id)",
        )
        .bind::<Int4, _>(CLAIM_SECONDS)
        .load(&mut conn)
        .await?;
        Ok(claimed.into_iter().next())
    }

    /// Records that `email` was accepted by the mail server, with the hash of the token its
    /// text carried, in one transaction.
    pub async fn email_sent(&self, email: &PendingEmail, token_hash: &[u8]) -> StoreResult<()> {
        if email.kind == "decision" {
            // A decision carries no token: nothing to store but that it went out.
            let mut conn = self.conn().await?;
            diesel::sql_query(
                "UPDATE email_outbox SET sent_at = now(), last_error = NULL WHERE id = $1",
            )
            .bind::<Int8, _>(email.id)
            .execute(&mut conn)
            .await?;
            return Ok(());
        }
        let (purpose, days) = match email.kind.as_str() {
            "submission_confirmation" => ("confirm_submission", CONFIRM_TOKEN_DAYS),
            "stale_reminder" => ("verify_actor", VERIFY_TOKEN_DAYS),
            _ => ("edit_actor", EDIT_TOKEN_DAYS),
        };
        let item_id = if purpose == "confirm_submission" {
            email.item_id
        } else {
            None
        };
        let actor_id = (purpose != "confirm_submission").then_some(email.actor_id);
        let id = email.id;
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            diesel::sql_query(
                "INSERT INTO access_tokens (token_hash, purpose, item_id, actor_id, expires_at) \
                 VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))",
            )
            .bind::<Bytea, _>(token_hash)
            .bind::<Text, _>(purpose)
            .bind::<Nullable<SqlUuid>, _>(item_id)
            .bind::<Nullable<SqlUuid>, _>(actor_id)
            .bind::<Int4, _>(days)
            .execute(conn)
            .await?;
            diesel::sql_query(
                "UPDATE email_outbox SET sent_at = now(), last_error = NULL WHERE id = $1",
            )
            .bind::<Int8, _>(id)
            .execute(conn)
            .await?;
            Ok::<_, StoreError>(())
        })
        .await
    }

    /// Records a failed attempt; the email is tried again after a back-off that doubles with
    /// each attempt, up to an hour.
    pub async fn email_failed(&self, email: &PendingEmail, error: &str) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "UPDATE email_outbox SET last_error = $2, \
             next_attempt_at = now() + make_interval(secs => least(3600, 30 * power(2, least(attempts, 7)))) \
             WHERE id = $1",
        )
        .bind::<Int8, _>(email.id)
        .bind::<Text, _>(error)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    /// Emails not yet sent.
    pub async fn unsent_email_count(&self) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        let row: CountRow =
            diesel::sql_query("SELECT count(*) AS count FROM email_outbox WHERE sent_at IS NULL")
                .get_result(&mut conn)
                .await?;
        Ok(row.count)
    }
}
