//! Personal fields sealed with the `Cipher` where they are stored: a serde `with` module for a
//! field (`#[serde(with = "crate::sealed")]`) that writes `{"sealed": "<base64>"}` — the field's
//! whole JSON, encrypted — while a storage writes inside `with_cipher`, and opens it again while
//! the storage reads. A field added to the sealed value later is sealed with it.
//!
//! Outside `with_cipher` (a state built in a unit test, say) the value is written as it is, and
//! a value stored before sealing (plain JSON) still reads. A sealed value that does not open
//! (another key, tampering) is an error of that field, as any value that no longer reads.

use std::cell::RefCell;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::crypto::Cipher;

thread_local! {
    /// The key of the storage writing or reading on this thread, for the length of one call.
    static CIPHER: RefCell<Option<Cipher>> = const { RefCell::new(None) };
}

/// Runs `f` (a synchronous serialisation or deserialisation) with `cipher` sealing and opening
/// the sealed fields.
pub fn with_cipher<R>(cipher: &Cipher, f: impl FnOnce() -> R) -> R {
    /// Puts the previous key back even if `f` panics.
    struct Restore(Option<Cipher>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CIPHER.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CIPHER.with(|c| c.replace(Some(cipher.clone())));
    let _restore = Restore(previous);
    f()
}

fn current() -> Option<Cipher> {
    CIPHER.with(|c| c.borrow().clone())
}

/// The stored shape of a sealed value.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    sealed: String,
}

pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    match current() {
        Some(cipher) => {
            let json = serde_json::to_string(value).map_err(S::Error::custom)?;
            Stored {
                sealed: cipher.seal(&json),
            }
            .serialize(s)
        }
        None => value.serialize(s),
    }
}

pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let sealed = value
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("sealed"))
        .and_then(serde_json::Value::as_str);
    match sealed {
        Some(sealed) => {
            let cipher =
                current().ok_or_else(|| D::Error::custom("sealed, and no key to open it"))?;
            let json = cipher.open(sealed).map_err(D::Error::custom)?;
            serde_json::from_str(&json).map_err(D::Error::custom)
        }
        // Stored before sealing.
        None => serde_json::from_value(value).map_err(D::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        personal: Vec<String>,
        open: u32,
    }

    #[test]
    fn sealed_inside_with_cipher_and_read_back() {
        let cipher = Cipher::from_hex(&Secret::generate()).unwrap();
        let holder = Holder {
            personal: vec!["Lò Văn Mến".into(), "014090001234".into()],
            open: 7,
        };
        let json = with_cipher(&cipher, || serde_json::to_string(&holder)).unwrap();
        assert!(
            !json.contains("Mến") && !json.contains("014090001234"),
            "{json}"
        );
        assert!(
            json.contains("\"sealed\"") && json.contains("\"open\":7"),
            "{json}"
        );
        let read: Holder = with_cipher(&cipher, || serde_json::from_str(&json)).unwrap();
        assert_eq!(read, holder);
        // Without the key, or with another one, it does not read.
        assert!(serde_json::from_str::<Holder>(&json).is_err());
        let other = Cipher::from_hex(&Secret::generate()).unwrap();
        assert!(with_cipher(&other, || serde_json::from_str::<Holder>(&json)).is_err());
        // The key is gone after the call.
        assert!(current().is_none());
    }

    #[test]
    fn a_value_stored_before_sealing_still_reads() {
        let cipher = Cipher::from_hex(&Secret::generate()).unwrap();
        let plain = r#"{"personal":["Lò Văn Mến"],"open":1}"#;
        let read: Holder = with_cipher(&cipher, || serde_json::from_str(plain)).unwrap();
        assert_eq!(read.personal, vec!["Lò Văn Mến".to_owned()]);
        let unsealed: Holder = serde_json::from_str(plain).unwrap();
        assert_eq!(unsealed, read);
    }
}
