//! Partners' proposals and the moderation queue they enter: submissions (with their email
//! confirmation), owner edits, reports and erasure requests, and the single-use tokens that
//! prove who is asking. Tokens are stored as SHA-256 hashes only.

use atlas_domain::{
    ActorId, ActorProfile, Complaint, ContactDetails, Partner, QualityFlag, ReviewAction,
    ReviewStatus, Slug, ValidSubmission,
};
use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{
    Bool, Bytea, Double, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{ExpressionMethods, OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::actors::{free_slug, write_revision};
use crate::error::{StoreError, StoreResult};
use crate::rows::{ActorProfileRow, ActorRow, ACTOR_COLUMNS};
use crate::schema::{actor_contacts, actors};
use crate::Store;

const DUPLICATE_CANDIDATES_SQL: &str = include_str!("sql/duplicate_candidates.sql");

/// A published actor a proposal may duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, QueryableByName)]
pub struct DuplicateCandidate {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// `same_website` or `similar_name_nearby`.
    #[diesel(sql_type = Text)]
    pub reason: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_km: Option<f64>,
}

/// What a proposal is compared with to find duplicates.
#[derive(Debug, Clone, Default)]
pub struct DuplicateQuery<'a> {
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub lon_lat: Option<(f64, f64)>,
    pub excluding: Option<ActorId>,
}

/// A validated submission ready to store, with what was found out about it.
pub struct NewSubmission<'a> {
    pub item_id: Uuid,
    pub actor_id: ActorId,
    pub submission: &'a ValidSubmission,
    pub flags: &'a [QualityFlag],
    pub duplicates: &'a [DuplicateCandidate],
    /// Sent with a partner's API key: the partner is the submitter and no email confirmation
    /// is needed (the submission goes straight to review).
    pub partner: Option<&'a Partner>,
}

/// Where a submission stands, as its submitter may see it.
#[derive(Debug, Clone, QueryableByName)]
pub struct SubmissionState {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub feedback: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub decided_at: Option<DateTime<Utc>>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// No such token (guessed, mistyped, or for another submission).
    Unknown,
    Expired,
    /// Already spent (tokens are single use).
    Used,
    /// A valid edit token, but for another actor.
    OtherActor,
}

/// What became of an owner's edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// The edit waits for review as this moderation item.
    Proposed {
        item_id: Uuid,
    },
    Refused(TokenRejection),
    /// The actor is at another version than the one edited, or an edit of that version is
    /// already waiting for review.
    StaleVersion {
        current: i32,
    },
    NotFound,
}

/// An owner's proposed change to a published actor.
pub struct ProposedEdit<'a> {
    pub item_id: Uuid,
    pub actor_id: ActorId,
    pub by: EditAuthority<'a>,
    pub base_version: i32,
    pub profile: &'a ActorProfile,
    pub contact: &'a ContactDetails,
}

/// What entitles someone to propose an edit.
#[derive(Debug, Clone, Copy)]
pub enum EditAuthority<'a> {
    /// The hash of a single-use edit token emailed to the listing's contact (spent by the edit).
    EditToken(&'a [u8]),
    /// A partner key whose edit scope includes the actor (checked by the caller).
    Partner(&'a Partner),
}

/// A report or erasure request about a published actor.
pub struct NewComplaint<'a> {
    pub item_id: Uuid,
    pub actor_id: ActorId,
    pub erasure: bool,
    pub complaint: &'a Complaint,
}

#[derive(QueryableByName)]
struct TokenRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    item_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_id: Option<Uuid>,
    #[diesel(sql_type = Bool)]
    expired: bool,
    #[diesel(sql_type = Bool)]
    used: bool,
}

#[derive(QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = SqlUuid)]
    actor_id: Uuid,
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Int4)]
    version: i32,
}

#[derive(QueryableByName)]
struct EmailRow {
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
}

const TOKEN_SQL: &str =
    "SELECT item_id, actor_id, expires_at < now() AS expired, used_at IS NOT NULL AS used \
     FROM access_tokens WHERE token_hash = $1 AND purpose = $2";

async fn token_row(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    purpose: &str,
    lock: bool,
) -> StoreResult<Option<TokenRow>> {
    let sql = if lock {
        format!("{TOKEN_SQL} FOR UPDATE")
    } else {
        TOKEN_SQL.to_owned()
    };
    Ok(diesel::sql_query(sql)
        .bind::<Bytea, _>(hash)
        .bind::<Text, _>(purpose)
        .get_result(conn)
        .await
        .optional()?)
}

fn check_edit_token(row: Option<TokenRow>, actor_id: ActorId) -> Result<(), TokenRejection> {
    let Some(row) = row else {
        return Err(TokenRejection::Unknown);
    };
    if row.used {
        Err(TokenRejection::Used)
    } else if row.expired {
        Err(TokenRejection::Expired)
    } else if row.actor_id != Some(actor_id.0) {
        Err(TokenRejection::OtherActor)
    } else {
        Ok(())
    }
}

fn to_json<T: Serialize>(value: &T) -> StoreResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn is_unique_violation(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::Query(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}

impl Store {
    /// Published actors the proposal may duplicate.
    pub async fn duplicate_candidates(
        &self,
        query: &DuplicateQuery<'_>,
    ) -> StoreResult<Vec<DuplicateCandidate>> {
        let mut conn = self.conn().await?;
        Ok(diesel::sql_query(DUPLICATE_CANDIDATES_SQL)
            .bind::<Nullable<Text>, _>(query.website)
            .bind::<Text, _>(atlas_domain::text::sort_key(query.name))
            .bind::<Nullable<Double>, _>(query.lon_lat.map(|(lon, _)| lon))
            .bind::<Nullable<Double>, _>(query.lon_lat.map(|(_, lat)| lat))
            .bind::<Nullable<SqlUuid>, _>(query.excluding.map(|id| id.0))
            .load(&mut conn)
            .await?)
    }

    /// Stores a new submission — the not-yet-public actor, its private contact, its first
    /// revision, the moderation item and the confirmation email to send — in one transaction.
    pub async fn create_submission(&self, new: NewSubmission<'_>) -> StoreResult<()> {
        let valid = &new.submission.actor;
        let mut status = ReviewStatus::Draft
            .apply(ReviewAction::Submit)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if new.partner.is_some() {
            // The key vouches for the submitter; moderation still applies.
            status = status
                .apply(ReviewAction::Confirm)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let partner_key = new.partner.map(|p| p.key_id);
        let profile_row = ActorProfileRow::from_profile(&valid.profile)?;
        let snapshot = to_json(&valid.profile)?;
        let consent = serde_json::json!({
            "publish": new.submission.consent.publish,
            "licence": new.submission.consent.licence,
            "at": Utc::now(),
        });
        let flags = to_json(&new.flags)?;
        let duplicates = to_json(&new.duplicates)?;
        let author = match new.partner {
            Some(partner) => partner.label(),
            None => format!("submission:{}", new.item_id),
        };
        let id = new.actor_id;
        let item_id = new.item_id;
        let contact = valid.contact.clone();
        let email = new.submission.contact_email.clone();
        let name = valid.profile.name.clone();

        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let slug = free_slug(conn, &Slug::from_name(&name), id).await?;
            diesel::insert_into(actors::table)
                .values((
                    actors::id.eq(id.0),
                    actors::slug.eq(slug.as_str()),
                    actors::status.eq(status.as_str()),
                    &profile_row,
                ))
                .execute(conn)
                .await?;
            diesel::insert_into(actor_contacts::table)
                .values((
                    actor_contacts::actor_id.eq(id.0),
                    actor_contacts::email.eq(&contact.email),
                    actor_contacts::phone.eq(&contact.phone),
                ))
                .execute(conn)
                .await?;
            write_revision(conn, id, 1, status.as_str(), &snapshot, &author, None).await?;
            diesel::sql_query(
                "INSERT INTO moderation_items (id, kind, actor_id, status, proposed, submitter_email, \
                 contact_email, contact_phone, consent, flags, duplicates, api_key_id, confirmed_at) \
                 VALUES ($1, 'submission', $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, \
                         CASE WHEN $10 IS NULL THEN NULL ELSE now() END)",
            )
            .bind::<SqlUuid, _>(item_id)
            .bind::<SqlUuid, _>(id.0)
            .bind::<Text, _>(status.as_str())
            .bind::<Jsonb, _>(&snapshot)
            .bind::<Text, _>(&email)
            .bind::<Nullable<Text>, _>(&contact.phone)
            .bind::<Jsonb, _>(&consent)
            .bind::<Jsonb, _>(&flags)
            .bind::<Jsonb, _>(&duplicates)
            .bind::<Nullable<SqlUuid>, _>(partner_key)
            .execute(conn)
            .await?;
            if partner_key.is_none() {
                diesel::sql_query(
                    "INSERT INTO email_outbox (kind, recipient, item_id) VALUES ('submission_confirmation', $1, $2)",
                )
                .bind::<Text, _>(&email)
                .bind::<SqlUuid, _>(item_id)
                .execute(conn)
                .await?;
            }
            Ok::<_, StoreError>(())
        })
        .await
    }

    /// Spends the confirmation token of submission `item_id` and moves the submission (and its
    /// actor) to review. Nothing changes when the token is refused.
    pub async fn confirm_submission(
        &self,
        item_id: Uuid,
        token_hash: &[u8],
    ) -> StoreResult<Result<ReviewStatus, TokenRejection>> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let token = token_row(conn, token_hash, "confirm_submission", true).await?;
            let Some(token) = token.filter(|t| t.item_id == Some(item_id)) else {
                return Ok(Err(TokenRejection::Unknown));
            };
            if token.used {
                return Ok(Err(TokenRejection::Used));
            }
            if token.expired {
                return Ok(Err(TokenRejection::Expired));
            }
            let item: ItemRow = diesel::sql_query(
                "SELECT status, actor_id FROM moderation_items WHERE id = $1 FOR UPDATE",
            )
            .bind::<SqlUuid, _>(item_id)
            .get_result(conn)
            .await?;
            let current: ReviewStatus = item.status.parse().map_err(StoreError::Corrupt)?;
            let Ok(next) = current.apply(ReviewAction::Confirm) else {
                return Ok(Err(TokenRejection::Used));
            };
            diesel::sql_query("UPDATE access_tokens SET used_at = now() WHERE token_hash = $1")
                .bind::<Bytea, _>(token_hash)
                .execute(conn)
                .await?;
            diesel::sql_query(
                "UPDATE moderation_items SET status = $2, confirmed_at = now() WHERE id = $1",
            )
            .bind::<SqlUuid, _>(item_id)
            .bind::<Text, _>(next.as_str())
            .execute(conn)
            .await?;
            diesel::sql_query("UPDATE actors SET status = $2, updated_at = now() WHERE id = $1")
                .bind::<SqlUuid, _>(item.actor_id)
                .bind::<Text, _>(next.as_str())
                .execute(conn)
                .await?;
            Ok::<_, StoreError>(Ok(next))
        })
        .await
    }

    /// The state of submission `item_id`, for the holder of its confirmation token (spent or
    /// not, for 90 days after it was issued).
    pub async fn submission_state(
        &self,
        item_id: Uuid,
        token_hash: &[u8],
    ) -> StoreResult<Option<SubmissionState>> {
        let mut conn = self.conn().await?;
        Ok(diesel::sql_query(
            "SELECT i.id, i.status, i.feedback, i.created_at, i.confirmed_at, i.decided_at \
             FROM moderation_items i JOIN access_tokens t ON t.item_id = i.id \
             WHERE i.id = $1 AND i.kind = 'submission' AND t.token_hash = $2 \
               AND t.purpose = 'confirm_submission' AND t.created_at > now() - interval '90 days'",
        )
        .bind::<SqlUuid, _>(item_id)
        .bind::<Bytea, _>(token_hash)
        .get_result(&mut conn)
        .await
        .optional()?)
    }

    /// The state of submission `item_id` for the partner whose key `key_id` sent it.
    pub async fn partner_submission_state(
        &self,
        item_id: Uuid,
        key_id: Uuid,
    ) -> StoreResult<Option<SubmissionState>> {
        let mut conn = self.conn().await?;
        Ok(diesel::sql_query(
            "SELECT i.id, i.status, i.feedback, i.created_at, i.confirmed_at, i.decided_at \
             FROM moderation_items i WHERE i.id = $1 AND i.kind = 'submission' AND i.api_key_id = $2",
        )
        .bind::<SqlUuid, _>(item_id)
        .bind::<SqlUuid, _>(key_id)
        .get_result(&mut conn)
        .await
        .optional()?)
    }

    /// Queues an edit link for a published actor when `email` is its contact address
    /// (case-insensitively). Returns whether one was queued; callers must not tell the client.
    pub async fn request_edit_link(&self, actor_id: ActorId, email: &str) -> StoreResult<bool> {
        let mut conn = self.conn().await?;
        let queued = diesel::sql_query(
            "INSERT INTO email_outbox (kind, recipient, actor_id) \
             SELECT 'edit_link', c.email, a.id FROM actors a JOIN actor_contacts c ON c.actor_id = a.id \
             WHERE a.id = $1 AND a.status = 'published' AND lower(c.email) = lower($2)",
        )
        .bind::<SqlUuid, _>(actor_id.0)
        .bind::<Text, _>(email)
        .execute(&mut conn)
        .await?;
        Ok(queued > 0)
    }

    /// Checks an edit token without spending it.
    pub async fn check_edit_token(
        &self,
        actor_id: ActorId,
        token_hash: &[u8],
    ) -> StoreResult<Result<(), TokenRejection>> {
        let mut conn = self.conn().await?;
        let row = token_row(&mut conn, token_hash, "edit_actor", false).await?;
        Ok(check_edit_token(row, actor_id))
    }

    /// The published actor and its private contact, for an owner editing it.
    pub async fn actor_for_owner(
        &self,
        actor_id: ActorId,
    ) -> StoreResult<Option<(atlas_domain::Actor, ContactDetails)>> {
        let mut conn = self.conn().await?;
        let row: Option<ActorRow> = diesel::sql_query(format!(
            "SELECT {ACTOR_COLUMNS} FROM actors a WHERE a.id = $1 AND a.status = 'published'"
        ))
        .bind::<SqlUuid, _>(actor_id.0)
        .get_result(&mut conn)
        .await
        .optional()?;
        drop(conn);
        match row {
            None => Ok(None),
            Some(row) => {
                let actor = atlas_domain::Actor::try_from(row)?;
                let contact = self.contact_details(actor_id).await?;
                Ok(Some((actor, contact)))
            }
        }
    }

    /// Records an owner's edit as a pending moderation item, spending the token — only if the
    /// token is good for this actor and the actor is still at `base_version` with no other
    /// edit of that version waiting. Otherwise nothing is written.
    pub async fn propose_edit(&self, edit: ProposedEdit<'_>) -> StoreResult<EditOutcome> {
        let snapshot = to_json(edit.profile)?;
        let mut conn = self.conn().await?;
        let result = conn
            .transaction(async |conn| {
                if let EditAuthority::EditToken(hash) = edit.by {
                    let token = token_row(conn, hash, "edit_actor", true).await?;
                    if let Err(rejection) = check_edit_token(token, edit.actor_id) {
                        return Ok(EditOutcome::Refused(rejection));
                    }
                }
                let partner_key = match edit.by {
                    EditAuthority::Partner(partner) => Some(partner.key_id),
                    EditAuthority::EditToken(_) => None,
                };
                let current: Option<VersionRow> = diesel::sql_query(
                    "SELECT version FROM actors WHERE id = $1 AND status = 'published' FOR UPDATE",
                )
                .bind::<SqlUuid, _>(edit.actor_id.0)
                .get_result(conn)
                .await
                .optional()?;
                let Some(current) = current else {
                    return Ok(EditOutcome::NotFound);
                };
                if current.version != edit.base_version {
                    return Ok(EditOutcome::StaleVersion {
                        current: current.version,
                    });
                }
                let owner: EmailRow =
                    diesel::sql_query("SELECT email FROM actor_contacts WHERE actor_id = $1")
                        .bind::<SqlUuid, _>(edit.actor_id.0)
                        .get_result(conn)
                        .await?;
                diesel::sql_query(
                    "INSERT INTO moderation_items (id, kind, actor_id, status, base_version, proposed, \
                     submitter_email, contact_email, contact_phone, api_key_id) \
                     VALUES ($1, 'edit', $2, 'pending_review', $3, $4, $5, $6, $7, $8)",
                )
                .bind::<SqlUuid, _>(edit.item_id)
                .bind::<SqlUuid, _>(edit.actor_id.0)
                .bind::<Int4, _>(edit.base_version)
                .bind::<Jsonb, _>(&snapshot)
                .bind::<Nullable<Text>, _>(&owner.email)
                .bind::<Nullable<Text>, _>(&edit.contact.email)
                .bind::<Nullable<Text>, _>(&edit.contact.phone)
                .bind::<Nullable<SqlUuid>, _>(partner_key)
                .execute(conn)
                .await?;
                if let EditAuthority::EditToken(hash) = edit.by {
                    diesel::sql_query(
                        "UPDATE access_tokens SET used_at = now() WHERE token_hash = $1",
                    )
                    .bind::<Bytea, _>(hash)
                    .execute(conn)
                    .await?;
                }
                Ok::<_, StoreError>(EditOutcome::Proposed {
                    item_id: edit.item_id,
                })
            })
            .await;
        match result {
            // Another edit of the same version got in first (the partial unique index).
            Err(error) if is_unique_violation(&error) => Ok(EditOutcome::StaleVersion {
                current: edit.base_version,
            }),
            other => other,
        }
    }

    /// Puts a report or erasure request about a published actor in the moderation queue.
    /// Returns false (writing nothing) when there is no such published actor.
    pub async fn file_complaint(&self, new: NewComplaint<'_>) -> StoreResult<bool> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let contact: Option<EmailRow> = diesel::sql_query(
                "SELECT c.email FROM actors a LEFT JOIN actor_contacts c ON c.actor_id = a.id \
                 WHERE a.id = $1 AND a.status = 'published'",
            )
            .bind::<SqlUuid, _>(new.actor_id.0)
            .get_result(conn)
            .await
            .optional()?;
            let Some(contact) = contact else {
                return Ok(false);
            };
            let mut flags = Vec::new();
            if new.erasure {
                let matches = match (&contact.email, &new.complaint.email) {
                    (Some(listed), Some(given)) => listed.eq_ignore_ascii_case(given),
                    _ => false,
                };
                flags.push(if matches {
                    QualityFlag::new(
                        "requester_is_listed_contact",
                        "the request comes from the listing's contact address",
                    )
                } else {
                    QualityFlag::new(
                        "requester_not_listed_contact",
                        "the requester's address is not the listing's contact; verify ownership",
                    )
                });
            }
            let reason = if new.erasure {
                Some("erasure")
            } else {
                new.complaint.reason.map(|r| r.as_str())
            };
            diesel::sql_query(
                "INSERT INTO moderation_items (id, kind, actor_id, status, reason, message, submitter_email, flags) \
                 VALUES ($1, $2, $3, 'pending_review', $4, $5, $6, $7)",
            )
            .bind::<SqlUuid, _>(new.item_id)
            .bind::<Text, _>(if new.erasure { "erasure_request" } else { "report" })
            .bind::<SqlUuid, _>(new.actor_id.0)
            .bind::<Nullable<Text>, _>(reason)
            .bind::<Nullable<Text>, _>(&new.complaint.message)
            .bind::<Nullable<Text>, _>(&new.complaint.email)
            .bind::<Jsonb, _>(to_json(&flags)?)
            .execute(conn)
            .await?;
            Ok::<_, StoreError>(true)
        })
        .await
    }
}
