//! Encryption at rest of the portal session tokens the bot keeps (ChaCha20-Poly1305), with a
//! key from configuration or generated once into the data folder, and older keys
//! (`DVC_SECRET_KEY_OLD`) that still open what they sealed until it is sealed again.

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
    #[error("DVC_SECRET_KEY_OLD must be keys of {} hex characters, separated by commas", KEY_BYTES * 2)]
    BadOldKey,
    #[error("cannot read or write the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored token does not decrypt with this key")]
    Open,
}

/// Seals with one key; opens with it or any older key given.
#[derive(Clone)]
pub struct Cipher {
    aead: ChaCha20Poly1305,
    /// Keys being rotated out: they open, never seal.
    old: std::sync::Arc<[ChaCha20Poly1305]>,
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
            old: std::sync::Arc::new([]),
        })
    }

    /// The same cipher also opening what the keys in `old` sealed (64 hex characters each,
    /// separated by commas): the rotation of `DVC_SECRET_KEY`.
    pub fn with_old_keys(self, old: &Secret) -> Result<Self, CryptoError> {
        let keys = old
            .expose()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                Self::from_hex(&Secret::new(k))
                    .map(|c| c.aead)
                    .map_err(|_| CryptoError::BadOldKey)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            aead: self.aead,
            old: keys.into(),
        })
    }

    /// Whether older keys are configured.
    pub fn rotating(&self) -> bool {
        !self.old.is_empty()
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

    /// Opens a value sealed with the current key or an older one.
    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        self.open_with_age(sealed).map(|(plain, _)| plain)
    }

    /// Opens `sealed` and, when only an older key opens it, answers it sealed again with the
    /// current key (to be stored in its place).
    pub fn reseal(&self, sealed: &str) -> Result<(String, Option<String>), CryptoError> {
        let (plain, old) = self.open_with_age(sealed)?;
        let again = old.then(|| self.seal(&plain));
        Ok((plain, again))
    }

    /// The plain text, and whether an older key opened it.
    fn open_with_age(&self, sealed: &str) -> Result<(String, bool), CryptoError> {
        let bytes = STANDARD_NO_PAD
            .decode(sealed)
            .map_err(|_| CryptoError::Open)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(CryptoError::Open);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let nonce = Nonce::from_slice(nonce);
        let (plain, old) = match self.aead.decrypt(nonce, body) {
            Ok(plain) => (plain, false),
            Err(_) => (
                self.old
                    .iter()
                    .find_map(|key| key.decrypt(nonce, body).ok())
                    .ok_or(CryptoError::Open)?,
                true,
            ),
        };
        Ok((
            String::from_utf8(plain).map_err(|_| CryptoError::Open)?,
            old,
        ))
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

    #[test]
    fn an_old_key_opens_until_resealed_with_the_new_one() {
        let old_key = Secret::generate();
        let old = Cipher::from_hex(&old_key).unwrap();
        let sealed_before = old.seal("token-1");
        let new_key = Secret::generate();
        // Without the old key, the new one cannot read what the old one sealed.
        let new_alone = Cipher::from_hex(&new_key).unwrap();
        assert!(new_alone.open(&sealed_before).is_err());
        // With it (a list, spaces allowed), it can, and says to seal it again.
        let list = Secret::new(format!(
            "{} , {}",
            Secret::generate().expose(),
            old_key.expose()
        ));
        let rotating = Cipher::from_hex(&new_key)
            .unwrap()
            .with_old_keys(&list)
            .unwrap();
        assert!(rotating.rotating());
        assert_eq!(rotating.open(&sealed_before).unwrap(), "token-1");
        let (plain, again) = rotating.reseal(&sealed_before).unwrap();
        assert_eq!(plain, "token-1");
        let again = again.expect("sealed again with the new key");
        // Sealed again, the new key alone reads it; a value already new needs nothing.
        assert_eq!(new_alone.open(&again).unwrap(), "token-1");
        assert!(old.open(&again).is_err());
        assert_eq!(
            rotating.reseal(&again).unwrap(),
            ("token-1".to_owned(), None)
        );
        // A malformed old key is refused at start.
        assert!(matches!(
            Cipher::from_hex(&new_key)
                .unwrap()
                .with_old_keys(&Secret::new("abc")),
            Err(CryptoError::BadOldKey)
        ));
    }
}
