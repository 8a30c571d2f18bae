//! A person's or organisation's identity values: name, CCCD, tax code, birth date, phone,
//! e-mail, password.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Invalid;

/// The youngest age at which one may register an account.
pub const MIN_AGE_YEARS: i32 = 14;
/// Password length bounds.
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 64;
const NAME_MAX: usize = 100;

/// Province and city codes of the first three digits of a CCCD (Circular 07/2016/TT-BCA).
const PROVINCE_CODES: &[u16] = &[
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(value: String) -> Result<Self, Invalid> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// A full name: letters (Vietnamese diacritics allowed) and single spaces, 2–100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FullName(String);
string_value!(FullName);

impl FullName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let letters = name.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 || name.chars().count() > NAME_MAX {
            return Err(Invalid("full-name"));
        }
        if !name.chars().all(|c| c.is_alphabetic() || c == ' ') {
            return Err(Invalid("full-name"));
        }
        Ok(Self(name))
    }
}

/// An organisation's name: 2–200 characters of letters, digits, spaces and `.,&()-/'`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrganisationName(String);
string_value!(OrganisationName);

impl OrganisationName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let allowed = |c: char| c.is_alphanumeric() || " .,&()-/'".contains(c);
        let letters = name.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 || name.chars().count() > 200 || !name.chars().all(allowed) {
            return Err(Invalid("organisation-name"));
        }
        Ok(Self(name))
    }
}

/// A citizen identity card number (CCCD): 12 digits, the first three a province code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CitizenId(String);
string_value!(CitizenId);

impl fmt::Debug for CitizenId {
    /// Only the last four digits, so a log line never carries a full CCCD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId(********{})", self.last4())
    }
}

impl CitizenId {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid("cccd-format"));
        }
        let province: u16 = digits[..3].parse().map_err(|_| Invalid("cccd-format"))?;
        if !PROVINCE_CODES.contains(&province) {
            return Err(Invalid("cccd-province"));
        }
        Ok(Self(digits))
    }

    /// The last four digits, the part a public lookup may ask for.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

/// An organisation's tax code: 10 digits, or 10 digits, a dash and 3 digits for a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxCode(String);
string_value!(TaxCode);

impl TaxCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        let (main, branch) = match s.split_once('-') {
            Some((m, b)) => (m, Some(b)),
            None => (s, None),
        };
        let digits = |t: &str, n: usize| t.len() == n && t.chars().all(|c| c.is_ascii_digit());
        if digits(main, 10) && branch.is_none_or(|b| digits(b, 3)) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Invalid("tax-code"))
        }
    }
}

/// A date of birth: a real date in the past, the person at least 14 years old.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    /// Parses `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`) as of `today`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let normalized = input.trim().replace(['-', '.'], "/");
        let date = NaiveDate::parse_from_str(&normalized, "%d/%m/%Y")
            .map_err(|_| Invalid("birth-date-format"))?;
        if date.year() < 1900 || date >= today {
            return Err(Invalid("birth-date-past"));
        }
        let mut age = today.year() - date.year();
        if (today.month(), today.day()) < (date.month(), date.day()) {
            age -= 1;
        }
        if age < MIN_AGE_YEARS {
            return Err(Invalid("birth-date-age"));
        }
        Ok(Self(date))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// A Vietnamese phone number, kept as `0` followed by 9 digits (`0912345678`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);
string_value!(Phone);

impl Phone {
    /// Accepts `0912345678`, `+84912345678`, `84912345678` (Telegram's contact form), with
    /// spaces, dots or dashes.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits: String = input
            .trim()
            .trim_start_matches('+')
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid("phone"));
        }
        let national = if let Some(rest) = digits.strip_prefix("84") {
            format!("0{rest}")
        } else {
            digits
        };
        let valid = national.len() == 10
            && national.starts_with('0')
            && matches!(
                national.as_bytes()[1],
                b'3' | b'5' | b'7' | b'8' | b'9' | b'2'
            );
        if valid {
            Ok(Self(national))
        } else {
            Err(Invalid("phone"))
        }
    }
}

/// An e-mail address: one `@`, a local part, and a domain with a dot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);
string_value!(Email);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        let Some((local, domain)) = s.split_once('@') else {
            return Err(Invalid("email"));
        };
        let ok = !local.is_empty()
            && s.len() <= 254
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(Invalid("email"))
        }
    }
}

/// A postal address: 5–200 characters, whitespace runs as one space, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address(String);
string_value!(Address);

impl Address {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let address = super::clean_text(input)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let n = address.chars().count();
        if (5..=200).contains(&n) && !address.chars().any(char::is_control) {
            Ok(Self(address))
        } else {
            Err(Invalid("address"))
        }
    }
}

/// A new password: 8–64 characters with at least one letter and one digit. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let n = input.chars().count();
        if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
            return Err(Invalid("password-length"));
        }
        let letter = input.chars().any(|c| c.is_alphabetic());
        let digit = input.chars().any(|c| c.is_ascii_digit());
        if !letter || !digit {
            return Err(Invalid("password-mix"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(
            FullName::parse("  Lò  Văn   Mến ").unwrap().as_str(),
            "Lò Văn Mến"
        );
        assert_eq!(
            FullName::parse("Nguyễn Thị Ánh").unwrap().as_str(),
            "Nguyễn Thị Ánh"
        );
        for bad in ["", "A", "Nguyen 2", "Lò_Văn", "<b>x</b>"] {
            assert!(FullName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn organisation_names() {
        assert!(OrganisationName::parse("Công ty TNHH 3A Sơn La").is_ok());
        assert!(OrganisationName::parse("HTX Nông nghiệp Mường Bon").is_ok());
        assert!(OrganisationName::parse("1").is_err());
        assert!(OrganisationName::parse("<script>").is_err());
    }

    #[test]
    fn citizen_ids() {
        let id = CitizenId::parse("014 2030 01234").unwrap();
        assert_eq!(id.as_str(), "014203001234");
        assert_eq!(id.last4(), "1234");
        assert!(!format!("{id:?}").contains("014203"));
        assert_eq!(CitizenId::parse("01420300123"), Err(Invalid("cccd-format")));
        assert_eq!(
            CitizenId::parse("01420300123a"),
            Err(Invalid("cccd-format"))
        );
        assert_eq!(
            CitizenId::parse("099203001234"),
            Err(Invalid("cccd-province"))
        );
        assert_eq!(
            CitizenId::parse("000203001234"),
            Err(Invalid("cccd-province"))
        );
    }

    #[test]
    fn tax_codes() {
        assert!(TaxCode::parse("5500123456").is_ok());
        assert!(TaxCode::parse("5500123456-001").is_ok());
        assert!(TaxCode::parse("550012345").is_err());
        assert!(TaxCode::parse("5500123456-01").is_err());
    }

    #[test]
    fn birth_dates() {
        let today = day(2026, 11, 25);
        assert_eq!(
            BirthDate::parse("05/01/1990", today).unwrap().date(),
            day(1990, 1, 5)
        );
        assert_eq!(
            BirthDate::parse("5-1-1990", today).unwrap().date(),
            day(1990, 1, 5)
        );
        assert_eq!(
            BirthDate::parse("31/02/1990", today),
            Err(Invalid("birth-date-format"))
        );
        assert_eq!(
            BirthDate::parse("1990-01-05", today),
            Err(Invalid("birth-date-format"))
        );
        assert_eq!(
            BirthDate::parse("01/01/2030", today),
            Err(Invalid("birth-date-past"))
        );
        assert_eq!(
            BirthDate::parse("26/11/2012", today),
            Err(Invalid("birth-date-age"))
        );
        assert!(BirthDate::parse("25/11/2012", today).is_ok());
    }

    #[test]
    fn phones() {
        for ok in ["0912345678", "+84912345678", "84912345678", "091 234 5678"] {
            assert_eq!(Phone::parse(ok).unwrap().as_str(), "0912345678", "{ok}");
        }
        for bad in [
            "12345",
            "+1 202 555 0100",
            "0112345678",
            "09123456789",
            "abc",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" A@Example.vn ").unwrap().as_str(),
            "a@example.vn"
        );
        for bad in ["a", "a@b", "@b.vn", "a@@b.vn", "a b@c.vn", "a@.vn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(
            Address::parse(" Bản  Mòng, Sơn La ").unwrap().as_str(),
            "Bản Mòng, Sơn La"
        );
        assert!(Address::parse("x").is_err());
        assert!(Address::parse(&"a".repeat(201)).is_err());
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("matkhau123").is_ok());
        assert_eq!(Password::parse("a1"), Err(Invalid("password-length")));
        assert_eq!(Password::parse("onlyletters"), Err(Invalid("password-mix")));
        assert_eq!(Password::parse("12345678"), Err(Invalid("password-mix")));
        assert_eq!(
            format!("{:?}", Password::parse("matkhau123").unwrap()),
            "Password(***)"
        );
    }
}
