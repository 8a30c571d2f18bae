//! Who holds an account, read by its kind: a citizen's full name and CCCD, or an
//! organisation's name and tax code. In JSON each is the bare string, as before it was typed.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{AccountKind, CitizenId, FullName, Invalid, OrganisationName, TaxCode};

/// The account holder's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HolderName {
    Person(FullName),
    Organisation(OrganisationName),
}

impl HolderName {
    pub fn parse(kind: AccountKind, input: &str) -> Result<Self, Invalid> {
        match kind {
            AccountKind::Citizen => FullName::parse(input).map(HolderName::Person),
            AccountKind::Organisation => {
                OrganisationName::parse(input).map(HolderName::Organisation)
            }
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            HolderName::Person(name) => name.as_str(),
            HolderName::Organisation(name) => name.as_str(),
        }
    }
}

/// The account holder's number: a CCCD (its `Debug` masked) or a tax code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdNumber {
    Citizen(CitizenId),
    Organisation(TaxCode),
}

impl IdNumber {
    pub fn parse(kind: AccountKind, input: &str) -> Result<Self, Invalid> {
        match kind {
            AccountKind::Citizen => CitizenId::parse(input).map(IdNumber::Citizen),
            AccountKind::Organisation => TaxCode::parse(input).map(IdNumber::Organisation),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            IdNumber::Citizen(id) => id.as_str(),
            IdNumber::Organisation(code) => code.as_str(),
        }
    }
}

impl fmt::Display for HolderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_by_kind_and_stored_as_the_bare_string() {
        let id = IdNumber::parse(AccountKind::Citizen, "014 123 456 789").unwrap();
        assert_eq!(id.as_str(), "014123456789");
        assert!(!format!("{id:?}").contains("0141234"), "masked");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"014123456789\"");
        let tax = IdNumber::parse(AccountKind::Organisation, "5500123456-001").unwrap();
        let back: IdNumber = serde_json::from_str("\"5500123456-001\"").unwrap();
        assert_eq!(back, tax);
        assert!(IdNumber::parse(AccountKind::Organisation, "014123456789").is_err());
        let org = HolderName::parse(AccountKind::Organisation, "HTX Nông nghiệp số 2").unwrap();
        assert_eq!(
            serde_json::to_string(&org).unwrap(),
            "\"HTX Nông nghiệp số 2\""
        );
        let back: HolderName = serde_json::from_str("\"HTX Nông nghiệp số 2\"").unwrap();
        assert_eq!(back.as_str(), org.as_str());
        assert!(HolderName::parse(AccountKind::Citizen, "HTX số 2").is_err());
        assert!(serde_json::from_str::<IdNumber>("\"12\"").is_err());
    }
}
