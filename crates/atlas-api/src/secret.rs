//! Tokens emailed to submitters and owners: 256 random bits, sent once, stored only as a
//! SHA-256 hash (a fast hash is enough: the token is random and long, not a password).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A freshly minted token; its text goes into one email and nowhere else.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Result<SecretToken, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(SecretToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> [u8; 32] {
        hash_token(&self.0)
    }
}

/// The stored form of a token a client presents.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}
