//! Bulk imports: records from a source file written batch by batch, one transaction per batch,
//! idempotently (an unchanged record writes nothing).

use atlas_domain::{ActorId, ChangeKind, ContactDetails, ReviewStatus, Slug, ValidActor};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::actors::{free_slug, write_revision};
use crate::changes::record_change;
use crate::error::{StoreError, StoreResult};
use crate::rows::ActorProfileRow;
use crate::schema::{actor_contacts, actor_revisions, actors};
use crate::Store;

/// What an import did (or in a dry run would do) with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
}

/// One valid record of an import, under the id its key gives.
pub struct ImportRow<'a> {
    pub id: ActorId,
    /// `source:external id`, stored on new actors (unique), or none for rows keyed by an
    /// Atlas id.
    pub external_id: Option<String>,
    pub actor: &'a ValidActor,
    /// The status of a new actor. An existing actor keeps the status moderators gave it:
    /// an import never republishes an archived actor, nor publishes a pending one.
    pub status_if_new: ReviewStatus,
    /// Whether the record's contact details replace the stored ones (false when the file has
    /// no contact columns at all, such as our own public exports).
    pub replace_contact: bool,
    /// Who the revisions name, `import:<source>`.
    pub author: &'a str,
}

/// The stored state an import compares a record with.
struct Current {
    version: i32,
    status: String,
    profile: Option<serde_json::Value>,
    contact: ContactDetails,
}

impl Store {
    /// Imports a batch of records in one transaction (none in a dry run, which only reads)
    /// and returns what happened to each, in order.
    pub async fn import_actors(
        &self,
        rows: &[ImportRow<'_>],
        dry_run: bool,
    ) -> StoreResult<Vec<ImportOutcome>> {
        let mut conn = self.conn().await?;
        if dry_run {
            let mut outcomes = Vec::with_capacity(rows.len());
            for row in rows {
                let snapshot = snapshot(row)?;
                let current = current(&mut conn, row.id).await?;
                outcomes.push(classify(row, &snapshot, current.as_ref()));
            }
            return Ok(outcomes);
        }
        conn.transaction(async |conn| {
            let mut outcomes = Vec::with_capacity(rows.len());
            for row in rows {
                outcomes.push(write_row(conn, row).await?);
            }
            Ok::<_, StoreError>(outcomes)
        })
        .await
    }
}

fn snapshot(row: &ImportRow<'_>) -> StoreResult<serde_json::Value> {
    serde_json::to_value(&row.actor.profile).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn classify(
    row: &ImportRow<'_>,
    snapshot: &serde_json::Value,
    current: Option<&Current>,
) -> ImportOutcome {
    match current {
        None => ImportOutcome::Created,
        Some(current) => {
            let same_profile = current.profile.as_ref() == Some(snapshot);
            let same_contact = !row.replace_contact || current.contact == row.actor.contact;
            if same_profile && same_contact {
                ImportOutcome::Unchanged
            } else {
                ImportOutcome::Updated
            }
        }
    }
}

/// The actor's current version and status, the profile of that version, and its contact.
async fn current(conn: &mut AsyncPgConnection, id: ActorId) -> StoreResult<Option<Current>> {
    let Some((version, status)) = actors::table
        .find(id.0)
        .select((actors::version, actors::status))
        .first::<(i32, String)>(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let profile: Option<serde_json::Value> = actor_revisions::table
        .filter(actor_revisions::actor_id.eq(id.0))
        .filter(actor_revisions::version.eq(version))
        .select(actor_revisions::profile)
        .first(conn)
        .await
        .optional()?;
    let contact: Option<(Option<String>, Option<String>)> = actor_contacts::table
        .filter(actor_contacts::actor_id.eq(id.0))
        .select((actor_contacts::email, actor_contacts::phone))
        .first(conn)
        .await
        .optional()?;
    Ok(Some(Current {
        version,
        status,
        profile,
        contact: contact
            .map(|(email, phone)| ContactDetails { email, phone })
            .unwrap_or_default(),
    }))
}

async fn write_row(
    conn: &mut AsyncPgConnection,
    row: &ImportRow<'_>,
) -> StoreResult<ImportOutcome> {
    let snapshot = snapshot(row)?;
    // Locks the actor so a moderator's decision cannot interleave with the comparison.
    let locked: Option<uuid::Uuid> = actors::table
        .find(row.id.0)
        .select(actors::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let current = match locked {
        Some(_) => current(conn, row.id).await?,
        None => None,
    };
    let outcome = classify(row, &snapshot, current.as_ref());
    let profile_row = ActorProfileRow::from_profile(&row.actor.profile)?;
    match (&outcome, &current) {
        (ImportOutcome::Unchanged, _) => return Ok(outcome),
        (ImportOutcome::Updated, Some(current)) => {
            let version = current.version + 1;
            if current.profile.as_ref() != Some(&snapshot) {
                diesel::update(actors::table.find(row.id.0))
                    .set((
                        &profile_row,
                        actors::version.eq(version),
                        actors::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
                    .await?;
                write_revision(
                    conn,
                    row.id,
                    version,
                    &current.status,
                    &snapshot,
                    row.author,
                    None,
                )
                .await?;
                if current.status == ReviewStatus::Published.as_str() {
                    record_change(conn, row.id, ChangeKind::Updated, version).await?;
                }
            }
        }
        _ => {
            let slug = free_slug(conn, &Slug::from_name(&row.actor.profile.name), row.id).await?;
            let status = row.status_if_new.as_str();
            diesel::insert_into(actors::table)
                .values((
                    actors::id.eq(row.id.0),
                    actors::slug.eq(slug.as_str()),
                    actors::external_id.eq(&row.external_id),
                    actors::status.eq(status),
                    &profile_row,
                ))
                .execute(conn)
                .await?;
            write_revision(conn, row.id, 1, status, &snapshot, row.author, None).await?;
            if row.status_if_new.is_public() {
                record_change(conn, row.id, ChangeKind::Created, 1).await?;
            }
        }
    }
    if row.replace_contact || current.is_none() {
        let contact = &row.actor.contact;
        diesel::insert_into(actor_contacts::table)
            .values((
                actor_contacts::actor_id.eq(row.id.0),
                actor_contacts::email.eq(&contact.email),
                actor_contacts::phone.eq(&contact.phone),
            ))
            .on_conflict(actor_contacts::actor_id)
            .do_update()
            .set((
                actor_contacts::email.eq(&contact.email),
                actor_contacts::phone.eq(&contact.phone),
                actor_contacts::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(outcome)
}
