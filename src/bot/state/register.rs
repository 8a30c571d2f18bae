//! The registration form as collected so far, each answer kept as the type its parser gave
//! (`HolderName`, `IdNumber`, `BirthDate`, `Phone`, `Email`, `Address`). Stored as JSON with
//! bare strings, as before the types; a stored answer that no longer reads is asked again
//! rather than losing the whole conversation.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::{AccountKind, Address, BirthDate, Email, HolderName, IdNumber, Phone};

/// The registration form. Each value was parsed by `crate::domain`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RegisterForm {
    #[serde(default, deserialize_with = "lenient")]
    pub kind: Option<AccountKind>,
    #[serde(default, deserialize_with = "lenient")]
    pub full_name: Option<HolderName>,
    /// CCCD for a citizen, tax code for an organisation.
    #[serde(default, deserialize_with = "lenient")]
    pub id_number: Option<IdNumber>,
    /// The applicant's, or an organisation's representative's.
    #[serde(default, deserialize_with = "lenient")]
    pub birth_date: Option<BirthDate>,
    #[serde(default, deserialize_with = "lenient")]
    pub phone: Option<Phone>,
    /// `Some(None)`: skipped. (Kept apart from "not asked yet" in JSON too: absent vs `null`.)
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "skippable::serialize",
        deserialize_with = "skippable::deserialize"
    )]
    pub email: Option<Option<Email>>,
    #[serde(default, deserialize_with = "lenient")]
    pub address: Option<Address>,
    /// Set while editing from the summary: after the field, back to the summary.
    #[serde(default)]
    pub editing: bool,
    /// The idempotency key of creating the account, made when the summary is first shown (so
    /// it is stored before the portal sees it): confirming again after a crash answers the
    /// account already made, and the chat logs in to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_key: Option<String>,
}

/// A stored answer that no longer reads (a rule tightened since) is forgotten, so it is asked
/// again. Only the fact is logged, never the value.
fn lenient<'de, T: DeserializeOwned, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| {
        let read = serde_json::from_value(v).ok();
        if read.is_none() {
            tracing::warn!("a stored registration answer no longer reads; it will be asked again");
        }
        read
    }))
}

/// `Option<Option<T>>` in JSON: absent is `None`, `null` is `Some(None)` (skipped).
mod skippable {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// Called only when the field is present; a value that no longer reads is asked again.
    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(Some(None)),
            value => Ok(serde_json::from_value(value).ok().map(Some)),
        }
    }
}

/// The fields of the registration form, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegField {
    Kind,
    FullName,
    IdNumber,
    BirthDate,
    Phone,
    Email,
    Address,
    Password,
    /// A photo of the QR code on the back of the chip CCCD (asked only when offered and chosen).
    CardPhoto,
}

impl RegField {
    pub const ALL: [RegField; 8] = [
        RegField::Kind,
        RegField::FullName,
        RegField::IdNumber,
        RegField::BirthDate,
        RegField::Phone,
        RegField::Email,
        RegField::Address,
        RegField::Password,
    ];

    /// A short code for callback data.
    pub fn code(self) -> &'static str {
        match self {
            RegField::Kind => "kind",
            RegField::FullName => "name",
            RegField::IdNumber => "id",
            RegField::BirthDate => "dob",
            RegField::Phone => "phone",
            RegField::Email => "email",
            RegField::Address => "addr",
            RegField::Password => "pw",
            RegField::CardPhoto => "qr",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        RegField::ALL.into_iter().find(|f| f.code() == code)
    }
}

impl RegisterForm {
    /// The first field still to be answered, `Password` being always asked last. The e-mail is
    /// optional and offered from the summary only, so it is never missing.
    pub fn next_missing(&self) -> Option<RegField> {
        let missing = |f: RegField| match f {
            RegField::Kind => self.kind.is_none(),
            RegField::FullName => self.full_name.is_none(),
            RegField::IdNumber => self.id_number.is_none(),
            RegField::BirthDate => self.birth_date.is_none(),
            RegField::Phone => self.phone.is_none(),
            RegField::Address => self.address.is_none(),
            RegField::Email | RegField::Password | RegField::CardPhoto => false,
        };
        RegField::ALL.into_iter().find(|f| missing(*f))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn fields_are_asked_in_order() {
        let org = AccountKind::Organisation;
        let mut form = RegisterForm {
            kind: Some(org),
            full_name: HolderName::parse(org, "HTX").ok(),
            id_number: IdNumber::parse(org, "5500123456").ok(),
            ..Default::default()
        };
        assert_eq!(form.next_missing(), Some(RegField::BirthDate));
        form.birth_date = BirthDate::parse("01/01/1980", today()).ok();
        form.phone = Phone::parse("0912345678").ok();
        assert_eq!(
            form.next_missing(),
            Some(RegField::Address),
            "the e-mail is not asked in turn"
        );
        form.address = Address::parse("Tổ 2, phường Chiềng Lề").ok();
        assert_eq!(form.next_missing(), None);
    }

    /// A form stored when its values were plain strings reads into the typed form, and is
    /// written back the same.
    #[test]
    fn a_form_stored_by_the_old_shape_still_reads() {
        let old = serde_json::json!({
            "kind": "citizen",
            "full_name": "Lò Văn Mến",
            "id_number": "014123456789",
            "birth_date": "1990-01-05",
            "phone": "0912345678",
            "email": null,
            "address": "Bản Mòng, Sơn La",
            "editing": false
        });
        let form: RegisterForm = serde_json::from_value(old.clone()).unwrap();
        let citizen = AccountKind::Citizen;
        assert_eq!(form.kind, Some(citizen));
        assert_eq!(
            form.full_name,
            HolderName::parse(citizen, "Lò Văn Mến").ok()
        );
        assert_eq!(
            form.id_number,
            IdNumber::parse(citizen, "014123456789").ok()
        );
        assert_eq!(
            form.birth_date,
            BirthDate::parse("05/01/1990", today()).ok()
        );
        assert_eq!(form.phone, Phone::parse("0912345678").ok());
        assert_eq!(form.email, Some(None), "skipped stays skipped");
        assert_eq!(form.address, Address::parse("Bản Mòng, Sơn La").ok());
        assert_eq!(form.next_missing(), None);
        assert_eq!(
            serde_json::to_value(&form).unwrap(),
            old,
            "written back the same"
        );
        // Not asked yet: absent fields stay missing; e-mail absent is not "skipped".
        let partial: RegisterForm =
            serde_json::from_value(serde_json::json!({"kind": "organisation", "editing": true}))
                .unwrap();
        assert_eq!(partial.next_missing(), Some(RegField::FullName));
        assert_eq!(partial.email, None);
        assert!(partial.editing);
    }

    #[test]
    fn a_stored_answer_that_no_longer_reads_is_asked_again() {
        let stored = serde_json::json!({
            "kind": "citizen",
            "full_name": "Lò Văn Mến",
            "id_number": "999123456789",
            "phone": "12",
            "email": "not-an-email",
            "editing": false
        });
        let form: RegisterForm = serde_json::from_value(stored).unwrap();
        assert!(form.full_name.is_some());
        assert_eq!(form.id_number, None, "a CCCD with no province code");
        assert_eq!(form.phone, None);
        assert_eq!(form.email, None, "asked again, not taken as skipped");
        assert_eq!(form.next_missing(), Some(RegField::IdNumber));
    }
}
