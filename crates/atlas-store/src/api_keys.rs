//! Partner API keys: issuing, listing and revoking them (each recorded in the audit log), the
//! lookup by hash when a partner presents one, and the hourly quota counter.

use atlas_domain::{ActorId, ApiKeyScopes, NewApiKey, Partner, User};
use chrono::{DateTime, Utc};
use diesel::sql_types::{
    Array, Bool, Bytea, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::moderation::append_audit;
use crate::Store;

/// A stored key as admins see it (never its secret: only its prefix).
#[derive(Debug, Clone, QueryableByName)]
pub struct ApiKeyRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub prefix: String,
    #[diesel(sql_type = Bool)]
    pub can_submit: bool,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub editable_actors: Vec<Uuid>,
    #[diesel(sql_type = Int4)]
    pub quota_per_hour: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Requests counted in the current clock hour.
    #[diesel(sql_type = Int4)]
    pub requests_this_hour: i32,
}

impl ApiKeyRecord {
    pub fn scopes(&self) -> ApiKeyScopes {
        ApiKeyScopes {
            submit: self.can_submit,
            edit: self.editable_actors.iter().copied().map(ActorId).collect(),
        }
    }
}

/// What presenting a key amounts to.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyLookup {
    Valid(Partner),
    Revoked,
    Expired,
}

/// The quota said no: the current hour is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    /// Seconds until the next hour starts.
    pub retry_after_secs: u64,
}

const KEY_COLUMNS: &str =
    "k.id, k.name, k.prefix, k.can_submit, k.editable_actors, k.quota_per_hour, \
    k.expires_at, k.created_at, k.revoked_at, k.last_used_at, \
    coalesce((SELECT u.requests FROM api_key_usage u WHERE u.api_key_id = k.id \
              AND u.window_start = date_trunc('hour', now())), 0) AS requests_this_hour";

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct LookupRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    prefix: String,
    #[diesel(sql_type = Bool)]
    can_submit: bool,
    #[diesel(sql_type = Array<SqlUuid>)]
    editable_actors: Vec<Uuid>,
    #[diesel(sql_type = Int4)]
    quota_per_hour: i32,
    #[diesel(sql_type = Bool)]
    revoked: bool,
    #[diesel(sql_type = Bool)]
    expired: bool,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int4)]
    requests: i32,
}

#[derive(QueryableByName)]
struct SecondsRow {
    #[diesel(sql_type = Int8)]
    seconds: i64,
}

impl Store {
    /// Stores a new key and its audit entry in one transaction. `Err(unknown)` (nothing
    /// written) names the actors of the edit scope that do not exist.
    pub async fn create_api_key(
        &self,
        id: Uuid,
        prefix: &str,
        key_hash: &[u8],
        key: &NewApiKey,
        by: &User,
    ) -> StoreResult<Result<ApiKeyRecord, Vec<ActorId>>> {
        let editable: Vec<Uuid> = key.scopes.edit.iter().map(|a| a.0).collect();
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let known: Vec<IdRow> =
                diesel::sql_query("SELECT id FROM actors WHERE id = ANY($1)")
                    .bind::<Array<SqlUuid>, _>(&editable)
                    .load(conn)
                    .await?;
            let unknown: Vec<ActorId> = editable
                .iter()
                .filter(|id| !known.iter().any(|k| k.id == **id))
                .map(|id| ActorId(*id))
                .collect();
            if !unknown.is_empty() {
                return Ok(Err(unknown));
            }
            diesel::sql_query(
                "INSERT INTO api_keys (id, name, prefix, key_hash, can_submit, editable_actors, \
                 quota_per_hour, expires_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(&key.name)
            .bind::<Text, _>(prefix)
            .bind::<Bytea, _>(key_hash)
            .bind::<Bool, _>(key.scopes.submit)
            .bind::<Array<SqlUuid>, _>(&editable)
            .bind::<Int4, _>(key.quota_per_hour)
            .bind::<Nullable<Timestamptz>, _>(key.expires_at)
            .bind::<SqlUuid, _>(by.id.0)
            .execute(conn)
            .await?;
            append_audit(
                conn,
                Some(by),
                "create_api_key",
                "api_key",
                &id.to_string(),
                serde_json::json!({
                    "name": key.name,
                    "prefix": prefix,
                    "scopes": key.scopes.names(),
                    "actor_ids": editable,
                    "quota_per_hour": key.quota_per_hour,
                    "expires_at": key.expires_at,
                }),
            )
            .await?;
            let record: ApiKeyRecord =
                diesel::sql_query(format!("SELECT {KEY_COLUMNS} FROM api_keys k WHERE k.id = $1"))
                    .bind::<SqlUuid, _>(id)
                    .get_result(conn)
                    .await?;
            Ok::<_, StoreError>(Ok(record))
        })
        .await
    }

    /// Every key, newest first (revoked ones included, marked).
    pub async fn api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>> {
        let mut conn = self.conn().await?;
        Ok(diesel::sql_query(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys k ORDER BY k.created_at DESC, k.id"
        ))
        .load(&mut conn)
        .await?)
    }

    /// Revokes a key (once: revoking it again changes and records nothing). `None` when there
    /// is no such key.
    pub async fn revoke_api_key(&self, id: Uuid, by: &User) -> StoreResult<Option<ApiKeyRecord>> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let revoked = diesel::sql_query(
                "UPDATE api_keys SET revoked_at = now(), revoked_by = $2 \
                 WHERE id = $1 AND revoked_at IS NULL RETURNING id",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(by.id.0)
            .get_result::<IdRow>(conn)
            .await
            .optional()?;
            let record: Option<ApiKeyRecord> = diesel::sql_query(format!(
                "SELECT {KEY_COLUMNS} FROM api_keys k WHERE k.id = $1"
            ))
            .bind::<SqlUuid, _>(id)
            .get_result(conn)
            .await
            .optional()?;
            if let (Some(_), Some(record)) = (revoked, &record) {
                append_audit(
                    conn,
                    Some(by),
                    "revoke_api_key",
                    "api_key",
                    &id.to_string(),
                    serde_json::json!({"name": record.name, "prefix": record.prefix}),
                )
                .await?;
            }
            Ok::<_, StoreError>(record)
        })
        .await
    }

    /// The partner holding the key with this hash; `None` for an unknown key.
    pub async fn partner_by_key(&self, key_hash: &[u8]) -> StoreResult<Option<KeyLookup>> {
        let mut conn = self.conn().await?;
        let row: Option<LookupRow> = diesel::sql_query(
            "SELECT id, name, prefix, can_submit, editable_actors, quota_per_hour, \
             revoked_at IS NOT NULL AS revoked, coalesce(expires_at <= now(), false) AS expired \
             FROM api_keys WHERE key_hash = $1",
        )
        .bind::<Bytea, _>(key_hash)
        .get_result(&mut conn)
        .await
        .optional()?;
        Ok(row.map(|row| {
            if row.revoked {
                KeyLookup::Revoked
            } else if row.expired {
                KeyLookup::Expired
            } else {
                KeyLookup::Valid(Partner {
                    key_id: row.id,
                    name: row.name,
                    prefix: row.prefix,
                    scopes: ApiKeyScopes {
                        submit: row.can_submit,
                        edit: row.editable_actors.into_iter().map(ActorId).collect(),
                    },
                    quota_per_hour: row.quota_per_hour,
                })
            }
        }))
    }

    /// Counts one request against the key's quota for the current clock hour, unless the hour
    /// is used up; returns the requests left this hour. One statement: concurrent requests
    /// cannot both take the last one.
    pub async fn take_api_key_request(
        &self,
        partner: &Partner,
    ) -> StoreResult<Result<i32, QuotaExceeded>> {
        let mut conn = self.conn().await?;
        let counted: Option<CountRow> = diesel::sql_query(
            "INSERT INTO api_key_usage AS u (api_key_id, window_start, requests) \
             VALUES ($1, date_trunc('hour', now()), 1) \
             ON CONFLICT (api_key_id, window_start) DO UPDATE SET requests = u.requests + 1 \
             WHERE u.requests < $2 RETURNING u.requests",
        )
        .bind::<SqlUuid, _>(partner.key_id)
        .bind::<Int4, _>(partner.quota_per_hour)
        .get_result(&mut conn)
        .await
        .optional()?;
        if let Some(counted) = counted {
            diesel::sql_query("UPDATE api_keys SET last_used_at = now() WHERE id = $1")
                .bind::<SqlUuid, _>(partner.key_id)
                .execute(&mut conn)
                .await?;
            return Ok(Ok(partner.quota_per_hour - counted.requests));
        }
        let wait: SecondsRow = diesel::sql_query(
            "SELECT ceil(extract(epoch FROM date_trunc('hour', now()) + interval '1 hour' - now()))::int8 AS seconds",
        )
        .get_result(&mut conn)
        .await?;
        Ok(Err(QuotaExceeded {
            retry_after_secs: u64::try_from(wait.seconds).unwrap_or(0).max(1),
        }))
    }
}
