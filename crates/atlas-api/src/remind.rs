//! `atlas remind`: asks the owners of stale listings whether they are still correct.

use atlas_store::StaleListing;

use crate::AppState;

/// What a reminder run found and did.
pub struct RemindReport {
    /// The listings reminded (or, in a dry run, that would be).
    pub listings: Vec<StaleListing>,
    /// Emails sent by this run (0 in a dry run). Emails that failed stay in the outbox and
    /// are retried by the server's worker or the next run.
    pub sent: usize,
}

/// Finds published listings with a contact address, neither changed nor confirmed for `days`
/// days and not reminded within `days` days. A dry run only lists them; otherwise one
/// reminder per listing is queued (with the note that it was reminded, in one transaction)
/// and the outbox is delivered.
pub async fn remind(state: &AppState, days: u32, dry_run: bool) -> anyhow::Result<RemindReport> {
    let days = i32::try_from(days.clamp(1, 3650)).unwrap_or(3650);
    if dry_run {
        return Ok(RemindReport {
            listings: state.store.stale_listings(days).await?,
            sent: 0,
        });
    }
    let listings = state.store.queue_stale_reminders(days).await?;
    tracing::info!(
        reminded = listings.len(),
        days,
        "stale-listing reminders queued"
    );
    let sent = state.deliver_due_emails().await?;
    Ok(RemindReport { listings, sent })
}
