//! Moderator accounts and their sessions.

use atlas_domain::{Role, User, UserId};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::error::{StoreError, StoreResult};
use crate::schema::{sessions, users};
use crate::Store;

/// What a login needs to check a password and the lockout.
pub struct LoginRecord {
    pub user: User,
    pub password_hash: String,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Queryable)]
struct LoginRow {
    id: uuid::Uuid,
    email: String,
    display_name: String,
    role: String,
    password_hash: String,
    locked_until: Option<DateTime<Utc>>,
}

type UserRow = (uuid::Uuid, String, String, String);

fn to_user((id, email, display_name, role): UserRow) -> StoreResult<User> {
    Ok(User {
        id: UserId(id),
        email,
        display_name,
        role: role.parse::<Role>().map_err(StoreError::Corrupt)?,
    })
}

impl Store {
    /// Creates an account; `None` when the email is taken.
    pub async fn create_user(&self, user: &User, password_hash: &str) -> StoreResult<Option<User>> {
        let mut conn = self.conn().await?;
        let inserted = diesel::insert_into(users::table)
            .values((
                users::id.eq(user.id.0),
                users::email.eq(&user.email),
                users::display_name.eq(&user.display_name),
                users::role.eq(user.role.as_str()),
                users::password_hash.eq(password_hash),
            ))
            .on_conflict(users::email)
            .do_nothing()
            .execute(&mut conn)
            .await?;
        Ok((inserted == 1).then(|| user.clone()))
    }

    pub async fn login_record(&self, email: &str) -> StoreResult<Option<LoginRecord>> {
        let mut conn = self.conn().await?;
        let row: Option<LoginRow> = users::table
            .filter(users::email.eq(email.to_lowercase()))
            .select((
                users::id,
                users::email,
                users::display_name,
                users::role,
                users::password_hash,
                users::locked_until,
            ))
            .first(&mut conn)
            .await
            .optional()?;
        row.map(|r| {
            Ok(LoginRecord {
                user: to_user((r.id, r.email, r.display_name, r.role))?,
                password_hash: r.password_hash,
                locked_until: r.locked_until,
            })
        })
        .transpose()
    }

    /// Counts a failed login; locks the account until `lock_until` once `max_failures` is reached.
    pub async fn record_failed_login(
        &self,
        id: UserId,
        max_failures: i32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        let failures: i32 = diesel::update(users::table.find(id.0))
            .set(users::failed_logins.eq(users::failed_logins + 1))
            .returning(users::failed_logins)
            .get_result(&mut conn)
            .await?;
        if failures >= max_failures {
            diesel::update(users::table.find(id.0))
                .set((
                    users::locked_until.eq(lock_until),
                    users::failed_logins.eq(0),
                ))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// A successful login: resets the failure count and stores the new session's token hash.
    pub async fn start_session(
        &self,
        id: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::update(users::table.find(id.0))
            .set((
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(&mut conn)
            .await?;
        diesel::insert_into(sessions::table)
            .values((
                sessions::token_hash.eq(token_hash),
                sessions::user_id.eq(id.0),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(&mut conn)
            .await?;
        Ok(())
    }

    /// The user of a live (unexpired, unrevoked) session.
    pub async fn session_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let mut conn = self.conn().await?;
        let row: Option<UserRow> = sessions::table
            .inner_join(users::table)
            .filter(sessions::token_hash.eq(token_hash))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(diesel::dsl::now))
            .select((users::id, users::email, users::display_name, users::role))
            .first(&mut conn)
            .await
            .optional()?;
        row.map(to_user).transpose()
    }

    pub async fn revoke_session(&self, token_hash: &str) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::update(sessions::table.find(token_hash))
            .set(sessions::revoked_at.eq(diesel::dsl::now))
            .execute(&mut conn)
            .await?;
        Ok(())
    }
}
