//! Partner organisations and the API keys admins issue them: what a key may do (its scopes),
//! how much (its hourly quota) and until when. A key skips the submitter's email confirmation,
//! never moderation.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::actor::plain_text;
use crate::validation::ValidationErrors;
use crate::ActorId;

/// The most requests per hour a key may be given: enough for a nightly bulk sync of thousands
/// of listings, small enough that a leaked key cannot flood the moderation queue.
pub const MAX_QUOTA_PER_HOUR: i64 = 100_000;
/// A key scoped to edit more actors than this is an import, not a partner.
pub const MAX_EDITABLE_ACTORS: usize = 10_000;

/// What a key may do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiKeyScopes {
    /// `submit`: propose new listings.
    pub submit: bool,
    /// `edit`: propose edits to these listings (empty: none).
    pub edit: Vec<ActorId>,
}

impl ApiKeyScopes {
    /// The scope names, as clients write them.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.submit {
            names.push("submit");
        }
        if !self.edit.is_empty() {
            names.push("edit");
        }
        names
    }

    pub fn may_edit(&self, actor: ActorId) -> bool {
        self.edit.contains(&actor)
    }
}

/// A key as an admin asked for it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: ApiKeyScopes,
    pub quota_per_hour: i32,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What an admin typed, unchecked.
#[derive(Debug, Clone, Default)]
pub struct ApiKeyDraft {
    pub name: Option<String>,
    pub scopes: Vec<String>,
    pub actor_ids: Vec<String>,
    pub quota_per_hour: Option<i64>,
    pub expires_at: Option<String>,
}

impl ApiKeyDraft {
    /// Checks every field and reports every problem at once. Whether the actors exist is for
    /// the caller to check against the store.
    pub fn parse(self, now: DateTime<Utc>) -> Result<NewApiKey, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = match self.name.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(
                    "name",
                    "required",
                    "the partner organisation's name is required",
                );
                None
            }
            Some(raw) => errors.take(plain_text("name", raw, 200, false)),
        };

        let mut submit = false;
        let mut edit = false;
        if self.scopes.is_empty() {
            errors.push(
                "scopes",
                "required",
                "give at least one scope: \"submit\" and/or \"edit\"",
            );
        }
        for (i, scope) in self.scopes.iter().enumerate() {
            match scope.trim() {
                "submit" => submit = true,
                "edit" => edit = true,
                _ => errors.push(
                    format!("scopes[{i}]"),
                    "unknown_scope",
                    "a scope is \"submit\" (new listings) or \"edit\" (the listings in actor_ids)",
                ),
            }
        }

        let mut actors: Vec<ActorId> = Vec::new();
        for (i, raw) in self.actor_ids.iter().enumerate() {
            match Uuid::parse_str(raw.trim()) {
                Ok(id) if !actors.contains(&ActorId(id)) => actors.push(ActorId(id)),
                Ok(_) => {}
                Err(_) => errors.push(
                    format!("actor_ids[{i}]"),
                    "invalid_id",
                    "an actor id is a UUID",
                ),
            }
        }
        if edit && self.actor_ids.is_empty() {
            errors.push(
                "actor_ids",
                "required",
                "the \"edit\" scope needs the ids of the listings the partner may edit",
            );
        }
        if !edit && !self.actor_ids.is_empty() {
            errors.push(
                "actor_ids",
                "needs_edit_scope",
                "actor_ids are only meaningful with the \"edit\" scope",
            );
        }
        if self.actor_ids.len() > MAX_EDITABLE_ACTORS {
            errors.push(
                "actor_ids",
                "too_many",
                format!("at most {MAX_EDITABLE_ACTORS} listings per key"),
            );
        }

        let quota = match self.quota_per_hour {
            None => {
                errors.push(
                    "quota_per_hour",
                    "required",
                    "how many requests per hour the key may make",
                );
                None
            }
            Some(q) if (1..=MAX_QUOTA_PER_HOUR).contains(&q) => i32::try_from(q).ok(),
            Some(_) => {
                errors.push(
                    "quota_per_hour",
                    "out_of_range",
                    format!("the quota is between 1 and {MAX_QUOTA_PER_HOUR} requests per hour"),
                );
                None
            }
        };

        let expires_at = match self.expires_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match DateTime::parse_from_rfc3339(raw) {
                Ok(at) if at.with_timezone(&Utc) > now => Some(at.with_timezone(&Utc)),
                Ok(_) => {
                    errors.push(
                        "expires_at",
                        "in_the_past",
                        "the expiry must be in the future",
                    );
                    None
                }
                Err(_) => {
                    errors.push(
                        "expires_at",
                        "invalid_datetime",
                        "an RFC 3339 date-time, e.g. 2027-01-31T00:00:00Z",
                    );
                    None
                }
            },
        };

        errors.into_result(|| NewApiKey {
            name: name.unwrap_or_default(),
            scopes: ApiKeyScopes {
                submit,
                edit: if edit { actors } else { Vec::new() },
            },
            quota_per_hour: quota.unwrap_or(1),
            expires_at,
        })
    }
}

/// A stored key as the API sees it when a partner presents it.
#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    pub key_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: ApiKeyScopes,
    pub quota_per_hour: i32,
}

impl Partner {
    /// How the partner is named where a submitter is shown (revision authors, the queue).
    pub fn label(&self) -> String {
        format!("partner:{} ({})", self.name, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ApiKeyDraft {
        ApiKeyDraft {
            name: Some("Netzwerk Soziale Ökonomie".into()),
            scopes: vec!["submit".into()],
            quota_per_hour: Some(100),
            ..ApiKeyDraft::default()
        }
    }

    #[test]
    fn a_submit_key_parses() {
        let key = draft().parse(Utc::now()).expect("valid");
        assert!(key.scopes.submit);
        assert!(key.scopes.edit.is_empty());
        assert_eq!(key.quota_per_hour, 100);
    }

    #[test]
    fn every_mistake_is_reported_with_its_field() {
        let errors = ApiKeyDraft {
            name: None,
            scopes: vec!["submit".into(), "delete".into()],
            actor_ids: vec!["not-a-uuid".into()],
            quota_per_hour: Some(-5),
            expires_at: Some("2001-01-01T00:00:00Z".into()),
        }
        .parse(Utc::now())
        .expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "scopes[1]",
                "actor_ids[0]",
                "actor_ids",
                "quota_per_hour",
                "expires_at"
            ]
        );
    }

    #[test]
    fn the_edit_scope_needs_actors_and_actors_need_the_edit_scope() {
        let mut edit = draft();
        edit.scopes = vec!["edit".into()];
        let errors = edit.parse(Utc::now()).expect_err("no actors");
        assert_eq!(errors.0[0].field, "actor_ids");
        let id = Uuid::new_v4().to_string();
        let mut edit = draft();
        edit.scopes = vec!["edit".into()];
        edit.actor_ids = vec![id.clone(), id];
        let key = edit.parse(Utc::now()).expect("valid");
        assert_eq!(key.scopes.edit.len(), 1, "duplicates are folded");
        assert_eq!(key.scopes.names(), ["edit"]);
    }
}
