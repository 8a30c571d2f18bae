//! Encryption at rest of the portal session tokens the bot keeps (ChaCha20-Poly1305), with a
//! key from configuration or generated once into the data folder.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use thiserror::Error;

use crate::secret::Secret;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;
const KEY_FILE: &str = "secret.key";

#[derive(Debug, Error)]
pub enum CryptoError {
    #[error("DVC_SECRET_KEY must be {} hex characters", KEY_BYTES * 2)]
    BadKey,
    #[error("cannot read or write the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored token does not decrypt with this key")]
    Open,
}

/// Seals and opens short secrets with one key.
#[derive(Clone)]
pub struct Cipher {
    aead: ChaCha20Poly1305,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(***)")
    }
}

impl Cipher {
    /// From 64 hex characters.
    pub fn from_hex(key: &Secret) -> Result<Self, CryptoError> {
        let bytes = hex::decode(key.expose().trim()).map_err(|_| CryptoError::BadKey)?;
        if bytes.len() != KEY_BYTES {
            return Err(CryptoError::BadKey);
        }
        Ok(Self {
            aead: ChaCha20Poly1305::new(Key::from_slice(&bytes)),
        })
    }

    /// The configured key, else the one kept in `data_dir/secret.key`, created (mode 0600) if
    /// missing.
    pub fn load(configured: Option<&Secret>, data_dir: &Path) -> Result<Self, CryptoError> {
        if let Some(key) = configured {
            return Self::from_hex(key);
        }
        let path = data_dir.join(KEY_FILE);
        let io = |source| CryptoError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_hex(&Secret::new(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::private_files::create_dir_all(data_dir).map_err(io)?;
                let key = Secret::generate();
                write_private(&path, key.expose()).map_err(io)?;
                Self::from_hex(&key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Encrypts `plain` with a fresh nonce: base64(nonce ‖ ciphertext).
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce size cannot fail.
        let sealed = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        STANDARD_NO_PAD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        let bytes = STANDARD_NO_PAD
            .decode(sealed)
            .map_err(|_| CryptoError::Open)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(CryptoError::Open);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    crate::private_files::write_new(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens() {
        let dir = tempfile::tempdir().unwrap();
        let cipher = Cipher::load(None, dir.path()).unwrap();
        let sealed = cipher.seal("portal-session-token");
        assert!(!sealed.contains("portal-session-token"));
        assert_ne!(
            sealed,
            cipher.seal("portal-session-token"),
            "fresh nonce each time"
        );
        assert_eq!(cipher.open(&sealed).unwrap(), "portal-session-token");
        // The same key is read back from the file.
        let again = Cipher::load(None, dir.path()).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "portal-session-token");
        // Another key cannot open it; tampering is detected.
        let other = Cipher::from_hex(&Secret::generate()).unwrap();
        assert!(other.open(&sealed).is_err());
        assert!(cipher.open("AAAA").is_err());
        assert!(matches!(
            Cipher::from_hex(&Secret::new("abc")),
            Err(CryptoError::BadKey)
        ));
    }
}
