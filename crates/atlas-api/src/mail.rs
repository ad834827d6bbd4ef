//! Sending the emails queued in the outbox: over SMTP (`SMTP_URL`, through lettre with rustls),
//! or, when no SMTP server is configured, into a local mailbox directory of `.eml` files so the
//! local start needs no mail server. A worker drains the outbox; each email's token is minted
//! as it is sent and only its hash is stored.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use atlas_store::{PendingEmail, Store};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use crate::secret::SecretToken;
use crate::Config;

/// Where email goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A directory of `.eml` files (the default when `SMTP_URL` is unset).
    Mailbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        match config.smtp_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Ok(Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not a valid smtp:// or smtps:// URL")?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            )),
            None => {
                std::fs::create_dir_all(&config.mail_dir).with_context(|| {
                    format!(
                        "creating the mailbox directory {}",
                        config.mail_dir.display()
                    )
                })?;
                Ok(Mailer::Mailbox(
                    AsyncFileTransport::new(&config.mail_dir),
                    config.mail_dir.clone(),
                ))
            }
        }
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Mailer::Mailbox(files, dir) => {
                let id = files.send(message).await.map_err(|e| e.to_string())?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), "email written to the local mailbox (SMTP_URL unset)");
                Ok(())
            }
        }
    }
}

/// The text of an email, given the token it carries.
fn compose(config: &Config, email: &PendingEmail, token: &str) -> anyhow::Result<Message> {
    let base = config.public_base_url.trim_end_matches('/');
    let (subject, text) = match (email.kind.as_str(), email.item_id) {
        ("submission_confirmation", Some(item_id)) => (
            format!("Confirm your listing \"{}\" on the Social Tech Atlas", email.actor_name),
            format!(
                "Hello,\n\n\
                 someone (we hope you) proposed \"{name}\" for the Social Tech Atlas with this address.\n\
                 To confirm, send the code below (your form does it for you when you open the link):\n\n\
                 Submission: {item_id}\n\
                 Token: {token}\n\
                 Confirm: POST {base}/v1/submissions/{item_id}/confirm with {{\"token\": \"{token}\"}}\n\
                 Status: {base}/v1/submissions/{item_id}?token={token}\n\n\
                 The code works once, for 7 days. A moderator reviews the listing after you confirm;\n\
                 nothing is published before. If this was not you, ignore this email.\n",
                name = email.actor_name,
            ),
        ),
        ("decision", Some(item_id)) => {
            let note = email.feedback.as_deref().unwrap_or("");
            let (subject, what) = match email.item_status.as_deref() {
                Some("approved") => ("is on the map", "was approved and is now public"),
                Some("rejected") => ("was not accepted", "was not accepted"),
                _ => ("needs changes", "needs changes before it can be published"),
            };
            (
                format!("\"{}\" {subject} — Social Tech Atlas", email.actor_name),
                format!(
                    "Hello,\n\n\
                     your proposal for \"{name}\" {what}.\n\n\
                     Decision: {status}\n\
                     Message from the moderator: {note}\n\
                     Submission: {item_id}\n\
                     Listing: {base}/v1/actors/{actor}\n\n\
                     Thank you for helping to map the social economy.\n",
                    name = email.actor_name,
                    status = email.item_status.as_deref().unwrap_or("decided"),
                    actor = email.actor_id,
                ),
            )
        }
        ("stale_reminder", _) => (
            format!("Is \"{}\" still correct on the Social Tech Atlas?", email.actor_name),
            format!(
                "Hello,\n\n\
                 \"{name}\" has not been updated on the Social Tech Atlas for a while, and maps are\n\
                 only useful when they are right. Please have a look:\n\n\
                 Listing: {base}/v1/actors/{actor}\n\n\
                 If everything is still correct, open this link and press the button (one click):\n\
                 Still correct: {base}/v1/actors/{actor}/verify?token={token}\n\n\
                 If something changed, ask for an edit link: POST {base}/v1/actors/{actor}/edit-link\n\
                 with {{\"email\": \"<this address>\"}}. If the organisation closed, you can ask for\n\
                 the listing's removal: POST {base}/v1/actors/{actor}/erasure-request.\n\n\
                 Actor: {actor}\n\
                 Token: {token}\n\n\
                 The link works once, for 30 days. You receive this because this address is the\n\
                 listing's contact.\n",
                name = email.actor_name,
                actor = email.actor_id,
            ),
        ),
        _ => (
            format!("Your edit link for \"{}\" on the Social Tech Atlas", email.actor_name),
            format!(
                "Hello,\n\n\
                 an edit link was requested for \"{name}\" on the Social Tech Atlas.\n\n\
                 Actor: {actor}\n\
                 Token: {token}\n\
                 Edit: PATCH {base}/v1/actors/{actor} with Authorization: Bearer {token}\n\
                 and If-Match: \"<version>\" (the version you are editing).\n\n\
                 The token works for one edit, for 2 days. A moderator reviews the change before it\n\
                 is published. If you did not ask for it, ignore this email.\n",
                name = email.actor_name,
                actor = email.actor_id,
            ),
        ),
    };
    let from: Mailbox = config
        .mail_from
        .parse()
        .context("MAIL_FROM is not a valid address")?;
    let to: Mailbox = email
        .recipient
        .parse()
        .with_context(|| format!("recipient {} is not a valid address", email.recipient))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                // Quoted-printable always (never base64), so the text stays readable in
                // transit and the token line is never split.
                .header(lettre::message::header::ContentTransferEncoding::QuotedPrintable)
                .body(text),
        )
        .context("building the email")
}

/// Sends every email that is due, one at a time; returns how many were sent. A failure is
/// recorded on its row (and retried later) and does not stop the others.
pub async fn deliver_due_emails(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
) -> anyhow::Result<usize> {
    let mut sent = 0;
    while let Some(email) = store.claim_email().await? {
        let token = SecretToken::generate().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let outcome = match compose(config, &email, token.as_str()) {
            Ok(message) => mailer.send(message).await,
            Err(error) => Err(format!("{error:#}")),
        };
        match outcome {
            Ok(()) => {
                store.email_sent(&email, &token.hash()).await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email = email.id, attempts = email.attempts, %error, "sending an email failed; it will be retried");
                store.email_failed(&email, &error).await?;
            }
        }
    }
    Ok(sent)
}

/// Runs for the life of the server: drains the outbox when woken (after a request queued an
/// email) and every few seconds anyway (retries, emails queued by other processes).
pub async fn run_outbox_worker(
    store: Store,
    mailer: Mailer,
    config: std::sync::Arc<Config>,
    wake: std::sync::Arc<tokio::sync::Notify>,
) {
    loop {
        if let Err(error) = deliver_due_emails(&store, &mailer, &config).await {
            tracing::error!(error = %format!("{error:#}"), "the email outbox worker failed; retrying");
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), wake.notified()).await;
    }
}
