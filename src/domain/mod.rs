//! Domain values that parse instead of validate: once built, a value is valid. Shared by the
//! reference portal (request validation) and the bot (each step's input), so both refuse the
//! same inputs for the same reasons.
//!
//! Each parser returns a `Invalid` whose `code()` is a stable message id suffix the bot renders
//! in the user's language (`invalid-<code>` in `locales/*/common.ftl`).

mod holder;
mod person;
mod text;

pub use holder::{HolderName, IdNumber};
pub use person::{
    Address, BirthDate, CitizenId, Email, FullName, OrganisationName, Password, Phone, TaxCode,
};
pub use text::{clean_text, fold, is_format_char};

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value was refused. The code names a Fluent message `invalid-<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl Invalid {
    pub fn code(self) -> &'static str {
        self.0
    }
    /// The Fluent message id that explains this refusal.
    pub fn message_id(self) -> String {
        format!("invalid-{}", self.0)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value ({})", self.0)
    }
}

impl std::error::Error for Invalid {}

/// Whose account: a citizen (CCCD) or an organisation (tax code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Citizen,
    Organisation,
}

/// What a refused submission names as missing: a form field or a paper. In JSON the portal's
/// words, `field` and `paper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingKind {
    Field,
    Paper,
    /// A word this version does not know (a newer portal): named by the portal's own wording.
    #[serde(other)]
    Other,
}

impl MissingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingKind::Field => "field",
            MissingKind::Paper => "paper",
            MissingKind::Other => "other",
        }
    }
}

/// An amount of money in đồng (VND has no minor unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// Parses "150000", "150.000", "150,000" or "150.000 ₫"; refuses negatives and non-digits.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let cleaned: String = input
            .trim()
            .trim_end_matches('₫')
            .trim_end_matches("VND")
            .trim_end_matches("đ")
            .trim()
            .chars()
            .filter(|c| !matches!(c, '.' | ',' | ' '))
            .collect();
        if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid("money"));
        }
        cleaned.parse().map(Money).map_err(|_| Invalid("money"))
    }
}

/// A dossier code in the format of Circular 01/2018/TT-VPCP Art. 19:
/// `<receiving unit code>-YYMMDD-NNNN`, e.g. `000.00.25.H50-261125-0001`.
/// A procedure code such as `1.001193` is never one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode(String);

impl DossierCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim().to_ascii_uppercase();
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(date), Some(unit)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Invalid("dossier-code"));
        };
        let unit_ok = !unit.is_empty()
            && unit.len() <= 32
            && unit.contains('.')
            && unit.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        let date_ok = date.len() == 6
            && date.chars().all(|c| c.is_ascii_digit())
            && chrono::NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").is_ok();
        let seq_ok = (4..=6).contains(&seq.len()) && seq.chars().all(|c| c.is_ascii_digit());
        if unit_ok && date_ok && seq_ok {
            Ok(Self(s))
        } else {
            Err(Invalid("dossier-code"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DossierCode {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DossierCode> for String {
    fn from(value: DossierCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_common_spellings() {
        assert_eq!(Money::parse("150000"), Ok(Money(150_000)));
        assert_eq!(Money::parse("1.250.000 ₫"), Ok(Money(1_250_000)));
        assert_eq!(Money::parse("50,000"), Ok(Money(50_000)));
        assert_eq!(Money::parse("-5"), Err(Invalid("money")));
        assert_eq!(Money::parse("abc"), Err(Invalid("money")));
        assert_eq!(Money::parse(""), Err(Invalid("money")));
    }

    #[test]
    fn missing_kinds_read_the_portal_words() {
        for kind in [MissingKind::Field, MissingKind::Paper] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<MissingKind>(&json).unwrap(), kind);
        }
        // A newer portal's word reads, as Other, instead of failing the whole answer.
        assert_eq!(
            serde_json::from_str::<MissingKind>("\"fee\"").unwrap(),
            MissingKind::Other
        );
    }

    #[test]
    fn dossier_codes() {
        let c = DossierCode::parse("000.00.25.h50-261125-0001").unwrap();
        assert_eq!(c.as_str(), "000.00.25.H50-261125-0001");
        for bad in [
            "1.001193",
            "000.00.25.H50-261325-0001",
            "H50-261125-0001",
            "",
            "a-b-c",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<DossierCode>(&json).unwrap(), c);
        assert!(serde_json::from_str::<DossierCode>("\"1.001193\"").is_err());
    }
}
