//! Who an officer is: named tokens from configuration (`DVC_OFFICERS`), beside the one shared
//! token (`DVC_OFFICER_TOKEN`, kept for the sandbox). A bearer token or the console's cookie
//! names the officer whose actions the portal then records.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::domain::clean_text;
use crate::secret::{Secret, same_secret};

/// The name recorded for actions made with the shared `DVC_OFFICER_TOKEN`.
pub const SHARED_OFFICER_NAME: &str = "Cán bộ (mã dùng chung)";

/// The shortest officer token accepted in `DVC_OFFICERS`: anything shorter can be guessed.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Longest officer name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// One officer: a name and the token that stands for it.
#[derive(Clone, Debug)]
pub struct NamedToken {
    pub name: String,
    pub token: Secret,
}

/// The named officers of `DVC_OFFICERS`: `Name=token` pairs separated by commas or new lines.
#[derive(Clone, Debug, Default)]
pub struct Officers(pub Vec<NamedToken>);

impl Officers {
    /// The named officers of `DVC_OFFICERS` (none when unset).
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Self, OfficersError> {
        match &settings.officers {
            Some(list) => list.expose().parse(),
            None => Ok(Self::default()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why `DVC_OFFICERS` was refused (never quoting a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficersError(String);

impl fmt::Display for OfficersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OfficersError {}

impl FromStr for Officers {
    type Err = OfficersError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out: Vec<NamedToken> = Vec::new();
        for (n, entry) in s
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
        {
            let Some((name, token)) = entry.split_once('=') else {
                return Err(OfficersError(format!(
                    "officer {} is not written `Name=token`",
                    n + 1
                )));
            };
            let name = clean_text(name.trim());
            let token = token.trim();
            if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                return Err(OfficersError(format!(
                    "officer {} has no name (or one over {MAX_NAME_CHARS} characters)",
                    n + 1
                )));
            }
            if token.chars().count() < MIN_TOKEN_CHARS {
                return Err(OfficersError(format!(
                    "the token of {name} is shorter than {MIN_TOKEN_CHARS} characters"
                )));
            }
            if out.iter().any(|o| o.name == name) {
                return Err(OfficersError(format!("{name} is named twice")));
            }
            if out.iter().any(|o| o.token.expose() == token) {
                return Err(OfficersError(format!(
                    "the token of {name} is also another officer's"
                )));
            }
            out.push(NamedToken {
                name,
                token: Secret::new(token),
            });
        }
        if out.is_empty() {
            return Err(OfficersError("no officer is named".into()));
        }
        Ok(Self(out))
    }
}

/// The console cookie's value: derived from an officer token, so the cookie never carries the
/// token itself.
pub fn console_cookie_value(officer_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("dvc-officer-console:{officer_token}").as_bytes(),
    ))
}

/// Every token the portal takes for an officer, with the name it stands for.
#[derive(Clone, Debug)]
pub struct OfficerDirectory {
    entries: Vec<NamedToken>,
}

impl OfficerDirectory {
    /// The shared token (named `SHARED_OFFICER_NAME`) and the named officers.
    pub fn new(shared: &Secret, named: &Officers) -> Self {
        let mut entries = vec![NamedToken {
            name: SHARED_OFFICER_NAME.to_owned(),
            token: shared.clone(),
        }];
        entries.extend(named.0.iter().cloned());
        Self { entries }
    }

    /// The officer a bearer token names. Every entry is compared, in constant time each, so
    /// the time taken says nothing about which one matched.
    pub fn by_token(&self, token: &str) -> Option<&str> {
        self.find(|entry| same_secret(token, entry.token.expose()))
    }

    /// The officer a console cookie names.
    pub fn by_cookie(&self, cookie: &str) -> Option<&str> {
        self.find(|entry| same_secret(cookie, &console_cookie_value(entry.token.expose())))
    }

    fn find(&self, matches: impl Fn(&NamedToken) -> bool) -> Option<&str> {
        let mut found = None;
        for entry in &self.entries {
            if matches(entry) && found.is_none() {
                found = Some(entry.name.as_str());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tokens_parse() {
        let o: Officers = "Nguyễn Văn An=aaaaaaaaaaaaaaaa1, Lò Thị Bình = bbbbbbbbbbbbbbbb=2\n"
            .parse()
            .unwrap();
        let got: Vec<_> =
            o.0.iter()
                .map(|n| (n.name.as_str(), n.token.expose()))
                .collect();
        assert_eq!(
            got,
            [
                ("Nguyễn Văn An", "aaaaaaaaaaaaaaaa1"),
                ("Lò Thị Bình", "bbbbbbbbbbbbbbbb=2")
            ]
        );
        let dir = OfficerDirectory::new(&Secret::new("shared-token"), &o);
        assert_eq!(dir.by_token("bbbbbbbbbbbbbbbb=2"), Some("Lò Thị Bình"));
        assert_eq!(dir.by_token("shared-token"), Some(SHARED_OFFICER_NAME));
        assert_eq!(dir.by_token("aaaaaaaaaaaaaaaa"), None);
        let cookie = console_cookie_value("aaaaaaaaaaaaaaaa1");
        assert_eq!(dir.by_cookie(&cookie), Some("Nguyễn Văn An"));
        assert_eq!(dir.by_cookie("aaaaaaaaaaaaaaaa1"), None);
    }

    #[test]
    fn bad_lists_are_refused_without_showing_tokens() {
        for (text, says) in [
            ("An", "not written"),
            ("=aaaaaaaaaaaaaaaa", "no name"),
            ("An=tiny1", "shorter than 16"),
            ("An=aaaaaaaaaaaaaaaa,An=bbbbbbbbbbbbbbbb", "named twice"),
            ("An=aaaaaaaaaaaaaaaa,Bình=aaaaaaaaaaaaaaaa", "also another"),
            (" , ", "no officer"),
        ] {
            let e = text.parse::<Officers>().unwrap_err().to_string();
            assert!(e.contains(says), "{text:?}: {e}");
            assert!(!e.contains("aaaa") && !e.contains("tiny1"), "{e}");
        }
    }
}
