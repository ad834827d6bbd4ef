//! Who is calling: moderator sessions with bearer tokens. Passwords are hashed with Argon2id;
//! tokens are random, shown once, and stored only as SHA-256 hashes, so a database leak
//! reveals neither.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use atlas_domain::{Role, User};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

/// A new random token (256 bits) and the hash to store.
pub fn new_token() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
}

/// Checks a password in constant time. An unknown user is checked against a fixed hash, so
/// the answer takes as long as for a real one and does not reveal which emails exist.
pub fn verify_password(password: &str, stored_hash: Option<&str>) -> bool {
    const UNKNOWN_USER: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0k3vlOjz1rD5h3CCmmqGwqSPRBtI9cs3mBuFWcv1Vy0";
    let verified = Argon2::default()
        .verify_password(password.as_bytes(), stored_hash.unwrap_or(UNKNOWN_USER))
        .is_ok();
    verified && stored_hash.is_some()
}

/// The bearer token of a request, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Partner API keys start with this, so a key is recognisable as one (by people, by the edit
/// endpoint that also takes emailed edit tokens, and by secret scanners).
pub const PARTNER_KEY_PREFIX: &str = "atlas_pk_";

pub fn is_partner_key(token: &str) -> bool {
    token.starts_with(PARTNER_KEY_PREFIX)
}

/// A freshly minted partner key: shown once, stored as its SHA-256 with a visible prefix.
pub struct MintedPartnerKey {
    pub key: String,
    /// `atlas_pk_` and the first 8 characters of the secret part: enough to tell keys apart
    /// in a listing, far too little to guess the rest (256 random bits).
    pub prefix: String,
    pub hash: [u8; 32],
}

pub fn mint_partner_key() -> Result<MintedPartnerKey, ApiError> {
    let secret = crate::secret::SecretToken::generate()
        .map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let key = format!("{PARTNER_KEY_PREFIX}{}", secret.as_str());
    let prefix: String = key.chars().take(PARTNER_KEY_PREFIX.len() + 8).collect();
    let hash = crate::secret::hash_token(&key);
    Ok(MintedPartnerKey { key, prefix, hash })
}

/// The partner whose API key the request carries as its bearer token; `None` without an
/// `Authorization` header. An unknown, revoked or expired key is a 401.
pub async fn partner_of(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<atlas_domain::Partner>, ApiError> {
    let Some(key) = bearer_token(req) else {
        return Ok(None);
    };
    match state
        .store
        .partner_by_key(&crate::secret::hash_token(&key))
        .await?
    {
        Some(atlas_store::KeyLookup::Valid(partner)) => Ok(Some(partner)),
        Some(atlas_store::KeyLookup::Revoked) => Err(ApiError::Unauthorized(
            "api_key_revoked",
            "this API key was revoked; ask the Atlas admins for a new one".into(),
        )),
        Some(atlas_store::KeyLookup::Expired) => Err(ApiError::Unauthorized(
            "api_key_expired",
            "this API key has expired; ask the Atlas admins for a new one".into(),
        )),
        None => Err(ApiError::Unauthorized(
            "invalid_api_key",
            "the bearer token is not a valid partner API key (anonymous submissions send no Authorization header)".into(),
        )),
    }
}

/// A logged-in moderator or admin: use it as a handler argument to require a session.
pub struct Moderator {
    pub user: User,
    pub token_hash: String,
}

/// A logged-in admin.
pub struct Admin(pub Moderator);

async fn authenticate(
    state: Option<web::Data<AppState>>,
    token: Option<String>,
    needed: Role,
) -> Result<Moderator, ApiError> {
    let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let token = token.ok_or_else(|| ApiError::Unauthorized("unauthorized", "this needs a moderator session: `Authorization: Bearer <token>` from POST /v1/auth/login".into()))?;
    let token_hash = token_hash(&token);
    let user = state
        .store
        .session_user(&token_hash)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "unauthorized",
                "the token is unknown, expired or revoked; log in again".into(),
            )
        })?;
    if !user.role.allows(needed) {
        return Err(ApiError::Forbidden(
            "forbidden",
            format!("this needs the {} role", needed.as_str()),
        ));
    }
    Ok(Moderator { user, token_hash })
}

type AuthFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for Moderator {
    type Error = ApiError;
    type Future = AuthFuture<Moderator>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let (state, token) = (
            req.app_data::<web::Data<AppState>>().cloned(),
            bearer_token(req),
        );
        Box::pin(authenticate(state, token, Role::Moderator))
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = AuthFuture<Admin>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let (state, token) = (
            req.app_data::<web::Data<AppState>>().cloned(),
            bearer_token(req),
        );
        Box::pin(async move { authenticate(state, token, Role::Admin).await.map(Admin) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery staple").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", Some(&hash)));
        assert!(!verify_password("wrong horse battery staple", Some(&hash)));
        assert!(!verify_password("correct horse battery staple", None));
    }

    #[test]
    fn tokens_are_random_and_stored_as_hashes() {
        let (a, hash_a) = new_token().expect("token");
        let (b, _) = new_token().expect("token");
        assert_ne!(a, b);
        assert_eq!(hash_a, token_hash(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
    }
}
