//! Inline-button payloads, parsed into an enum at the edge. Telegram allows at most 64 bytes of
//! callback data; every variant encodes well under that. Unknown or stale data parses to
//! `Callback::Unknown` and gets a polite answer.

use std::fmt;

use crate::domain::{AccountKind, DossierCode};
use crate::i18n::Locale;

use super::state::RegField;

/// Telegram's limit on callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Language(Locale),
    Consent(bool),
    /// Agree, and register from a photo of the CCCD's QR code.
    ConsentQr,
    Kind(AccountKind),
    /// Skip an optional answer.
    Skip,
    RegisterConfirm,
    RegisterEdit(RegField),
    /// Registration: "Chụp mã QR trên CCCD" instead of typing.
    RegisterQr,
    DeleteMe(bool),
    /// From the account menu.
    Account(AccountAction),
    /// The catalogue: a page of the fields list.
    FieldsPage(u32),
    /// The catalogue: page `page` of the procedures of field number `index`.
    Field {
        index: u32,
        page: u32,
    },
    /// The catalogue: a page of the last search's results.
    SearchPage(u32),
    /// A procedure's card.
    Procedure(String),
    /// "Nộp hồ sơ" on a card.
    Submit(String),
    /// Option `n` of form field number `field` (an older question's button is then stale).
    Choice {
        field: u32,
        n: u32,
    },
    /// Skip optional form field number `n`, or keep its current value.
    SkipField(u32),
    KeepField(u32),
    /// Skip optional paper number `n`.
    SkipPaper(u32),
    /// Skip every optional paper not sent yet.
    SkipOptionalPapers,
    /// Delivery of the result of draft `key`: online (true) or by post.
    Deliver {
        key: String,
        online: bool,
    },
    /// Go over the form of draft `key` again / throw the draft away.
    EditDraft(String),
    DiscardDraft(String),
    /// "Lưu nháp" / "Gửi hồ sơ" / resume, on draft `key`.
    SaveDraft(String),
    SendDraft(String),
    ResumeDraft(String),
    /// Resume a draft that exists only at the portal.
    ResumePortalDraft(i64),
    /// The list of drafts.
    Drafts,
    /// Back to the main menu.
    Menu,
    /// Actions on one of the user's dossiers, named by its code (the buttons of notifications
    /// and of the dossier card): open its card ("Xem hồ sơ"), answer a supplement request
    /// ("Bổ sung hồ sơ"), see the fee and its QR code ("Xem phí và mã QR"), get the result,
    /// ask an officer about it ("Hỏi cán bộ"), rate it ("Đánh giá").
    Dossier(DossierAction, DossierCode),
    /// `/notifications`: switch status messages (`false`) or reminders (`true`) on or off.
    Notifications {
        reminders: bool,
        on: bool,
    },
    /// "Hồ sơ của tôi": the groups by status.
    MyDossiers,
    /// Page `page` of the dossiers of group number `group` of "Hồ sơ của tôi".
    MyGroup {
        group: u32,
        page: u32,
    },
    /// Anyone's lookup: show more of this dossier after the last 4 digits of the CCCD.
    LookupMore(DossierCode),
    /// Follow this dossier (the last 4 digits are asked) / stop following it.
    Follow(DossierCode),
    Unfollow(DossierCode),
    /// A rating of 1–5 stars for this dossier.
    Rate(u8, DossierCode),
    /// Send the rating without a comment.
    RateNoComment,
    Unknown,
}

impl fmt::Display for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callback::Language(l) => write!(f, "l:{}", l.code()),
            Callback::Consent(yes) => write!(f, "c:{}", u8::from(*yes)),
            Callback::ConsentQr => f.write_str("c:q"),
            Callback::Kind(AccountKind::Citizen) => f.write_str("k:c"),
            Callback::Kind(AccountKind::Organisation) => f.write_str("k:o"),
            Callback::Skip => f.write_str("s"),
            Callback::RegisterConfirm => f.write_str("r:ok"),
            Callback::RegisterEdit(field) => write!(f, "r:e:{}", field.code()),
            Callback::RegisterQr => f.write_str("r:qr"),
            Callback::DeleteMe(yes) => write!(f, "d:{}", u8::from(*yes)),
            Callback::Account(a) => write!(f, "a:{}", a.code()),
            Callback::FieldsPage(p) => write!(f, "fp:{p}"),
            Callback::Field { index, page } => write!(f, "f:{index}:{page}"),
            Callback::SearchPage(p) => write!(f, "sp:{p}"),
            Callback::Procedure(code) => write!(f, "p:{code}"),
            Callback::Submit(code) => write!(f, "n:{code}"),
            Callback::Choice { field, n } => write!(f, "ch:{field}:{n}"),
            Callback::SkipField(n) => write!(f, "sf:{n}"),
            Callback::KeepField(n) => write!(f, "kf:{n}"),
            Callback::SkipPaper(n) => write!(f, "sk:{n}"),
            Callback::SkipOptionalPapers => f.write_str("sko"),
            Callback::Deliver { key, online } => write!(f, "dl:{key}:{}", u8::from(*online)),
            Callback::EditDraft(key) => write!(f, "ed:{key}"),
            Callback::DiscardDraft(key) => write!(f, "dd:{key}"),
            Callback::SaveDraft(key) => write!(f, "sv:{key}"),
            Callback::SendDraft(key) => write!(f, "sn:{key}"),
            Callback::ResumeDraft(key) => write!(f, "rs:{key}"),
            Callback::ResumePortalDraft(id) => write!(f, "rp:{id}"),
            Callback::Drafts => f.write_str("dr"),
            Callback::Menu => f.write_str("m"),
            Callback::Dossier(action, code) => write!(f, "{}:{code}", action.code()),
            Callback::Notifications { reminders, on } => write!(
                f,
                "nt:{}:{}",
                if *reminders { "r" } else { "s" },
                u8::from(*on)
            ),
            Callback::MyDossiers => f.write_str("md"),
            Callback::MyGroup { group, page } => write!(f, "mg:{group}:{page}"),
            Callback::LookupMore(code) => write!(f, "lm:{code}"),
            Callback::Follow(code) => write!(f, "fo:{code}"),
            Callback::Unfollow(code) => write!(f, "uf:{code}"),
            Callback::Rate(stars, code) => write!(f, "st:{stars}:{code}"),
            Callback::RateNoComment => f.write_str("rn"),
            Callback::Unknown => f.write_str("?"),
        }
    }
}

impl Callback {
    pub fn parse(data: &str) -> Self {
        if data.len() > MAX_CALLBACK_BYTES {
            return Callback::Unknown;
        }
        let num = |s: Option<&str>| s.and_then(|s| s.parse::<u32>().ok());
        let token = |s: Option<&str>| {
            s.filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
                .map(str::to_owned)
        };
        let mut parts = data.split(':');
        let head = parts.next().unwrap_or("");
        let a = parts.next();
        let b = parts.next();
        let parsed = match (head, a, b) {
            ("l", Some(code), None) => Locale::from_code(code).map(Callback::Language),
            ("c", Some("1"), None) => Some(Callback::Consent(true)),
            ("c", Some("0"), None) => Some(Callback::Consent(false)),
            ("c", Some("q"), None) => Some(Callback::ConsentQr),
            ("k", Some("c"), None) => Some(Callback::Kind(AccountKind::Citizen)),
            ("k", Some("o"), None) => Some(Callback::Kind(AccountKind::Organisation)),
            ("s", None, None) => Some(Callback::Skip),
            ("r", Some("ok"), None) => Some(Callback::RegisterConfirm),
            ("r", Some("e"), Some(code)) => RegField::from_code(code).map(Callback::RegisterEdit),
            ("r", Some("qr"), None) => Some(Callback::RegisterQr),
            ("d", Some("1"), None) => Some(Callback::DeleteMe(true)),
            ("d", Some("0"), None) => Some(Callback::DeleteMe(false)),
            ("a", Some(code), None) => AccountAction::from_code(code).map(Callback::Account),
            ("fp", p, None) => num(p).map(Callback::FieldsPage),
            ("f", i, p) => num(i)
                .zip(num(p))
                .map(|(index, page)| Callback::Field { index, page }),
            ("sp", p, None) => num(p).map(Callback::SearchPage),
            ("p", code, None) => token(code).map(Callback::Procedure),
            ("n", code, None) => token(code).map(Callback::Submit),
            ("ch", field, n) => num(field)
                .zip(num(n))
                .map(|(field, n)| Callback::Choice { field, n }),
            ("sf", n, None) => num(n).map(Callback::SkipField),
            ("kf", n, None) => num(n).map(Callback::KeepField),
            ("sk", n, None) => num(n).map(Callback::SkipPaper),
            ("sko", None, None) => Some(Callback::SkipOptionalPapers),
            ("dl", key, Some(online @ ("0" | "1"))) => token(key).map(|key| Callback::Deliver {
                key,
                online: online == "1",
            }),
            ("ed", key, None) => token(key).map(Callback::EditDraft),
            ("dd", key, None) => token(key).map(Callback::DiscardDraft),
            ("sv", key, None) => token(key).map(Callback::SaveDraft),
            ("sn", key, None) => token(key).map(Callback::SendDraft),
            ("rs", key, None) => token(key).map(Callback::ResumeDraft),
            ("rp", id, None) => id
                .and_then(|s| s.parse().ok())
                .map(Callback::ResumePortalDraft),
            ("dr", None, None) => Some(Callback::Drafts),
            ("m", None, None) => Some(Callback::Menu),
            ("nt", Some(which @ ("s" | "r")), Some(on @ ("0" | "1"))) => {
                Some(Callback::Notifications {
                    reminders: which == "r",
                    on: on == "1",
                })
            }
            ("md", None, None) => Some(Callback::MyDossiers),
            ("mg", group, page) => num(group)
                .zip(num(page))
                .map(|(group, page)| Callback::MyGroup { group, page }),
            ("lm", Some(code), None) => DossierCode::parse(code).ok().map(Callback::LookupMore),
            ("fo", Some(code), None) => DossierCode::parse(code).ok().map(Callback::Follow),
            ("uf", Some(code), None) => DossierCode::parse(code).ok().map(Callback::Unfollow),
            ("st", Some(stars @ ("1" | "2" | "3" | "4" | "5")), Some(code)) => {
                DossierCode::parse(code)
                    .ok()
                    .map(|code| Callback::Rate(stars.parse().unwrap_or(5), code))
            }
            ("rn", None, None) => Some(Callback::RateNoComment),
            (head, Some(code), None) => DossierAction::from_code(head)
                .zip(DossierCode::parse(code).ok())
                .map(|(action, code)| Callback::Dossier(action, code)),
            _ => None,
        };
        parsed.unwrap_or(Callback::Unknown)
    }
}

/// What a button can do with one dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierAction {
    /// Open the dossier's card.
    Open,
    Supplement,
    Fees,
    Result,
    Ask,
    Rate,
    /// "Rút hồ sơ" on the card: asks for a confirmation.
    Withdraw,
    /// The confirmation: withdraw it now.
    WithdrawConfirm,
    /// "Gửi bổ sung": send the papers collected for a supplement request.
    SendSupplement,
}

impl DossierAction {
    pub const ALL: [DossierAction; 9] = [
        DossierAction::Open,
        DossierAction::Supplement,
        DossierAction::Fees,
        DossierAction::Result,
        DossierAction::Ask,
        DossierAction::Rate,
        DossierAction::Withdraw,
        DossierAction::WithdrawConfirm,
        DossierAction::SendSupplement,
    ];
    fn code(self) -> &'static str {
        match self {
            DossierAction::Open => "ho",
            DossierAction::Supplement => "bs",
            DossierAction::Fees => "fe",
            DossierAction::Result => "kq",
            DossierAction::Ask => "hq",
            DossierAction::Rate => "dg",
            DossierAction::Withdraw => "rt",
            DossierAction::WithdrawConfirm => "rx",
            DossierAction::SendSupplement => "gs",
        }
    }
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// What the account menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    Register,
    Login,
    Logout,
}

impl AccountAction {
    fn code(self) -> &'static str {
        match self {
            AccountAction::Register => "r",
            AccountAction::Login => "l",
            AccountAction::Logout => "o",
        }
    }
    fn from_code(code: &str) -> Option<Self> {
        match code {
            "r" => Some(AccountAction::Register),
            "l" => Some(AccountAction::Login),
            "o" => Some(AccountAction::Logout),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_callback_round_trips_within_64_bytes() {
        let mut all = vec![
            Callback::Language(Locale::Vi),
            Callback::Language(Locale::En),
            Callback::Consent(true),
            Callback::Consent(false),
            Callback::Kind(AccountKind::Citizen),
            Callback::Kind(AccountKind::Organisation),
            Callback::Skip,
            Callback::RegisterConfirm,
            Callback::RegisterQr,
            Callback::ConsentQr,
            Callback::SkipOptionalPapers,
            Callback::DeleteMe(true),
            Callback::DeleteMe(false),
            Callback::Menu,
            Callback::Account(AccountAction::Register),
            Callback::Account(AccountAction::Login),
            Callback::Account(AccountAction::Logout),
            Callback::FieldsPage(3),
            Callback::Field { index: 12, page: 4 },
            Callback::SearchPage(1),
            Callback::Procedure("1.001193".into()),
            Callback::Submit("2.000488".into()),
            Callback::Choice { field: 3, n: 2 },
            Callback::SkipField(4),
            Callback::KeepField(4),
            Callback::SkipPaper(1),
            Callback::Deliver {
                key: "a1b2c3d4".into(),
                online: true,
            },
            Callback::Deliver {
                key: "a1b2c3d4".into(),
                online: false,
            },
            Callback::EditDraft("a1b2c3d4".into()),
            Callback::DiscardDraft("a1b2c3d4".into()),
            Callback::SaveDraft("a1b2c3d4".into()),
            Callback::SendDraft("a1b2c3d4".into()),
            Callback::ResumeDraft("a1b2c3d4".into()),
            Callback::ResumePortalDraft(123_456_789),
            Callback::Drafts,
            Callback::Notifications {
                reminders: false,
                on: true,
            },
            Callback::Notifications {
                reminders: true,
                on: false,
            },
            Callback::MyDossiers,
            Callback::MyGroup { group: 9, page: 12 },
        ];
        all.extend(RegField::ALL.iter().map(|f| Callback::RegisterEdit(*f)));
        // The longest dossier code the parser takes (a 32-character unit code).
        let long = DossierCode::parse(&format!("{}.H50-261125-000001", "0".repeat(28))).unwrap();
        all.push(Callback::LookupMore(long.clone()));
        all.push(Callback::Follow(long.clone()));
        all.push(Callback::Unfollow(long.clone()));
        all.push(Callback::RateNoComment);
        for stars in 1..=5 {
            all.push(Callback::Rate(stars, long.clone()));
        }
        for action in DossierAction::ALL {
            all.push(Callback::Dossier(action, long.clone()));
            all.push(Callback::Dossier(
                action,
                DossierCode::parse("000.00.25.H50-261125-0001").unwrap(),
            ));
        }
        for cb in all {
            let data = cb.to_string();
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
            assert_eq!(Callback::parse(&data), cb, "{data}");
        }
    }

    #[test]
    fn garbage_is_unknown() {
        let long = format!("p:{}", "1".repeat(70));
        for data in [
            "",
            "x",
            "l:fr",
            "r:e:nothing",
            "c:2",
            "k:c:extra",
            "f:1",
            "p:",
            "p:a b",
            "ho:1.001193",
            "ho:000.00.25.H50-261125-0001:x",
            "zz:000.00.25.H50-261125-0001",
            "nt:x:1",
            "nt:s:2",
            "mg:1",
            "md:1",
            "rx:1.001193",
            "st:6:000.00.25.H50-261125-0001",
            "st:0:000.00.25.H50-261125-0001",
            "fo:1.001193",
            &long,
        ] {
            assert_eq!(Callback::parse(data), Callback::Unknown, "{data}");
        }
    }
}
