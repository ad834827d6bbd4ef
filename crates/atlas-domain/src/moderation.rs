//! The people who keep the map trustworthy: roles, accounts and what they may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::actor::parse_email;
use crate::validation::{FieldError, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Moderators review and decide; admins also manage users, keys and imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Whether this role may do what `needed` may (admins may do all a moderator may).
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "moderator" => Ok(Role::Moderator),
            "admin" => Ok(Role::Admin),
            other => Err(format!("`{other}` is not one of moderator, admin")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

impl User {
    /// How the user appears in history and the audit log.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.display_name, self.email)
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 256;

/// A new account as requested, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

impl NewUser {
    pub fn parse(
        email: &str,
        display_name: &str,
        role: &str,
        password: &str,
    ) -> Result<NewUser, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = errors
            .take(parse_email("email", email.trim()))
            .map(|e| e.to_lowercase());
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            errors.push(
                "display_name",
                "invalid_display_name",
                "a display name of 1 to 100 characters",
            );
        }
        let role = errors.take(
            role.parse::<Role>()
                .map_err(|m| FieldError::new("role", "invalid_role", m)),
        );
        let length = password.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
            errors.push(
                "password",
                "weak_password",
                format!("a password of {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
            );
        }
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(NewUser {
                email,
                display_name: display_name.to_owned(),
                role,
                password: password.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// After this many failed logins in a row an account is locked for a while.
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_may_do_what_moderators_may_but_not_the_reverse() {
        assert!(Role::Admin.allows(Role::Moderator));
        assert!(Role::Admin.allows(Role::Admin));
        assert!(Role::Moderator.allows(Role::Moderator));
        assert!(!Role::Moderator.allows(Role::Admin));
    }

    #[test]
    fn a_new_user_needs_an_email_a_name_a_role_and_a_long_password() {
        let user = NewUser::parse(" Ana@Example.ORG ", "Ana", "admin", "correct horse battery")
            .expect("valid");
        assert_eq!(user.email, "ana@example.org");
        let errors = NewUser::parse("nobody@", "", "root", "short").expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "display_name", "role", "password"]);
    }
}
