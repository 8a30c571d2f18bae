//! A test citizen: the user id, first name and language a control call speaks as.

/// A test citizen: a user id, and optionally the first name and language the sandbox reports
/// to the bot. `42.into()` is citizen 42 with the sandbox's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub id: i64,
    pub first_name: Option<String>,
    pub language_code: Option<String>,
}

impl Citizen {
    pub fn new(id: i64) -> Self {
        Self {
            id,
            first_name: None,
            language_code: None,
        }
    }

    /// With a first name.
    pub fn named(mut self, first_name: impl Into<String>) -> Self {
        self.first_name = Some(first_name.into());
        self
    }

    /// With a language code (`vi`, `en`).
    pub fn language(mut self, language_code: impl Into<String>) -> Self {
        self.language_code = Some(language_code.into());
        self
    }
}

impl From<i64> for Citizen {
    fn from(id: i64) -> Self {
        Self::new(id)
    }
}

impl From<&Citizen> for Citizen {
    fn from(c: &Citizen) -> Self {
        c.clone()
    }
}
