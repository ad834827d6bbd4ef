//! Webhooks and their delivery outbox. Deliveries are written by a trigger on `change_events`
//! (see the migration), in the transaction of the change; here they are claimed, recorded as
//! delivered, retried with back-off or parked, and shown to admins.

use atlas_domain::{
    ActorId, ChangeEvent, DeliveryStatus, NewWebhook, UserId, Webhook, WebhookDelivery, WebhookId,
};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::Store;

const WEBHOOK_COLUMNS: &str = "id, url, events, created_at";

#[derive(QueryableByName)]
struct WebhookRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Array<Text>)]
    events: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(row: WebhookRow) -> StoreResult<Webhook> {
        Ok(Webhook {
            id: WebhookId(row.id),
            url: row.url,
            events: row
                .events
                .iter()
                .map(|e| e.parse().map_err(StoreError::Corrupt))
                .collect::<StoreResult<_>>()?,
            created_at: row.created_at,
        })
    }
}

#[derive(QueryableByName)]
struct DeliveryRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = Int8)]
    seq: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    next_attempt_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_attempt_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Int4>)]
    last_response_status: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

/// A delivery a worker holds: where to send it, the key to sign it with, and the event.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: WebhookId,
    pub url: String,
    pub secret: String,
    /// Including the attempt about to be made.
    pub attempts: i32,
    pub event: ChangeEvent,
}

#[derive(QueryableByName)]
struct DueRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = SqlUuid)]
    webhook_id: Uuid,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Int8)]
    seq: i64,
    #[diesel(sql_type = SqlUuid)]
    actor_id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Int4)]
    version: i32,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int8)]
    count: i64,
}

/// How a failed attempt is followed up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after which a delivery is parked.
    pub max_attempts: i32,
    /// Wait after the first failure; doubled after each further one...
    pub base_delay_ms: i64,
    /// ...up to this.
    pub max_delay_ms: i64,
}

impl Store {
    pub async fn create_webhook(
        &self,
        new: &NewWebhook,
        by: Option<UserId>,
    ) -> StoreResult<Webhook> {
        let mut conn = self.conn().await?;
        let row: WebhookRow = diesel::sql_query(format!(
            "INSERT INTO webhooks (id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {WEBHOOK_COLUMNS}"
        ))
        .bind::<SqlUuid, _>(Uuid::new_v4())
        .bind::<Text, _>(new.url.as_str())
        .bind::<Array<Text>, _>(new.events.iter().map(|e| e.as_str()).collect::<Vec<_>>())
        .bind::<Text, _>(&new.secret)
        .bind::<Nullable<SqlUuid>, _>(by.map(|u| u.0))
        .get_result(&mut conn)
        .await?;
        row.try_into()
    }

    /// Every webhook, oldest first.
    pub async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
        let mut conn = self.conn().await?;
        let rows: Vec<WebhookRow> = diesel::sql_query(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id"
        ))
        .load(&mut conn)
        .await?;
        rows.into_iter().map(Webhook::try_from).collect()
    }

    pub async fn webhook(&self, id: WebhookId) -> StoreResult<Option<Webhook>> {
        let mut conn = self.conn().await?;
        let rows: Vec<WebhookRow> = diesel::sql_query(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"
        ))
        .bind::<SqlUuid, _>(id.0)
        .load(&mut conn)
        .await?;
        rows.into_iter().next().map(Webhook::try_from).transpose()
    }

    /// The webhook's newest deliveries first (index webhook_deliveries_by_webhook).
    pub async fn webhook_deliveries(
        &self,
        id: WebhookId,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let mut conn = self.conn().await?;
        let rows: Vec<DeliveryRow> = diesel::sql_query(
            "SELECT d.id, d.seq, e.kind, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, \
                    d.last_response_status, d.last_error, d.delivered_at, d.created_at \
             FROM webhook_deliveries d JOIN change_events e ON e.seq = d.seq \
             WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2",
        )
        .bind::<SqlUuid, _>(id.0)
        .bind::<Int8, _>(i64::from(limit))
        .load(&mut conn)
        .await?;
        rows.into_iter()
            .map(|row| {
                let status: DeliveryStatus = row.status.parse().map_err(StoreError::Corrupt)?;
                Ok(WebhookDelivery {
                    id: row.id,
                    seq: row.seq,
                    kind: row.kind.parse().map_err(StoreError::Corrupt)?,
                    status,
                    attempts: row.attempts,
                    next_attempt_at: (status == DeliveryStatus::Pending)
                        .then_some(row.next_attempt_at),
                    last_attempt_at: row.last_attempt_at,
                    last_response_status: row.last_response_status,
                    last_error: row.last_error,
                    delivered_at: row.delivered_at,
                    created_at: row.created_at,
                })
            })
            .collect()
    }

    /// How many of the webhook's deliveries are in `status`.
    pub async fn webhook_delivery_count(
        &self,
        id: WebhookId,
        status: DeliveryStatus,
    ) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        let row: CountRow = diesel::sql_query(
            "SELECT count(*) AS count FROM webhook_deliveries WHERE webhook_id = $1 AND status = $2",
        )
        .bind::<SqlUuid, _>(id.0)
        .bind::<Text, _>(status.as_str())
        .get_result(&mut conn)
        .await?;
        Ok(row.count)
    }

    /// Removes the webhook and its deliveries; false when there was none.
    pub async fn delete_webhook(&self, id: WebhookId) -> StoreResult<bool> {
        let mut conn = self.conn().await?;
        let deleted = diesel::sql_query("DELETE FROM webhooks WHERE id = $1")
            .bind::<SqlUuid, _>(id.0)
            .execute(&mut conn)
            .await?;
        Ok(deleted > 0)
    }

    /// Puts the webhook's parked deliveries back in the queue, due now, with a fresh count of
    /// attempts; returns how many.
    pub async fn retry_parked_deliveries(&self, id: WebhookId) -> StoreResult<usize> {
        let mut conn = self.conn().await?;
        Ok(diesel::sql_query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now() \
             WHERE webhook_id = $1 AND status = 'parked'",
        )
        .bind::<SqlUuid, _>(id.0)
        .execute(&mut conn)
        .await?)
    }

    /// Claims the oldest due delivery, if any, skipping those another worker holds; the claim
    /// lasts `lease_ms` (a crashed worker's claim runs out and the delivery is tried again).
    pub async fn claim_webhook_delivery(&self, lease_ms: i64) -> StoreResult<Option<DueDelivery>> {
        let mut conn = self.conn().await?;
        let rows: Vec<DueRow> = diesel::sql_query(
            "WITH next AS ( \
                 SELECT id FROM webhook_deliveries \
                 WHERE status = 'pending' AND next_attempt_at <= now() \
                 ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED \
             ), claimed AS ( \
                 UPDATE webhook_deliveries d \
                 SET next_attempt_at = now() + make_interval(secs => $1 / 1000.0), \
                     attempts = d.attempts + 1, last_attempt_at = now() \
                 FROM next WHERE d.id = next.id \
                 RETURNING d.id, d.webhook_id, d.seq, d.attempts \
             ) \
             SELECT c.id, c.webhook_id, w.url, w.secret, c.attempts, e.seq, e.actor_id, e.kind, \
                    e.version, e.occurred_at \
             FROM claimed c JOIN webhooks w ON w.id = c.webhook_id \
             JOIN change_events e ON e.seq = c.seq",
        )
        .bind::<Int8, _>(lease_ms)
        .load(&mut conn)
        .await?;
        rows.into_iter()
            .next()
            .map(|row| {
                Ok(DueDelivery {
                    id: row.id,
                    webhook_id: WebhookId(row.webhook_id),
                    url: row.url,
                    secret: row.secret,
                    attempts: row.attempts,
                    event: ChangeEvent {
                        seq: row.seq,
                        actor_id: ActorId(row.actor_id),
                        kind: row.kind.parse().map_err(StoreError::Corrupt)?,
                        version: row.version,
                        at: row.occurred_at,
                    },
                })
            })
            .transpose()
    }

    pub async fn webhook_delivered(&self, id: i64, response_status: i32) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), \
             last_response_status = $2, last_error = NULL WHERE id = $1",
        )
        .bind::<Int8, _>(id)
        .bind::<Int4, _>(response_status)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again after a back-off that doubles with each attempt,
    /// or parked once `policy.max_attempts` have failed.
    pub async fn webhook_failed(
        &self,
        id: i64,
        response_status: Option<i32>,
        error: &str,
        policy: RetryPolicy,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "UPDATE webhook_deliveries SET last_response_status = $2, last_error = $3, \
             status = CASE WHEN attempts >= $4 THEN 'parked' ELSE 'pending' END, \
             next_attempt_at = now() + make_interval(secs => \
                 least($6::float8, $5::float8 * power(2, least(greatest(attempts - 1, 0), 30))) / 1000.0) \
             WHERE id = $1",
        )
        .bind::<Int8, _>(id)
        .bind::<Nullable<Int4>, _>(response_status)
        .bind::<Text, _>(error)
        .bind::<Int4, _>(policy.max_attempts)
        .bind::<Int8, _>(policy.base_delay_ms)
        .bind::<Int8, _>(policy.max_delay_ms)
        .execute(&mut conn)
        .await?;
        Ok(())
    }
}
