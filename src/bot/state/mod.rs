//! The persisted dialogue: where each chat is in a conversation and what it has collected.
//!
//! Stored as JSON by `db::storage::SqlStorage`. It reads leniently: after an upgrade, a step
//! that no longer reads puts the chat back at the main menu (and says so), and the drafts that
//! still read are kept, each on its own. Passwords are never part of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::AccountKind;
use crate::portal::model::{Delivery, Procedure};

mod register;

pub use register::{RegField, RegisterForm};

/// How many recent update ids a chat remembers to skip Telegram's redeliveries (webhook
/// deliveries may also come out of order, so a window, not just the newest).
pub const RECENT_UPDATES: usize = 32;

/// How many sent drafts a chat remembers the codes of.
pub const RECENT_SENT: usize = 5;

/// One chat's dialogue.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct State {
    pub step: Step,
    /// The latest Telegram update ids handled in this chat, newest last.
    pub recent_updates: Vec<u32>,
    /// Dossiers being prepared. They outlive any step (`/cancel`, restarts, portal outages) and
    /// leave only once the portal has accepted the submission.
    pub drafts: Vec<Draft>,
    /// A procedure to go back to once logged in.
    pub resume: Option<String>,
    /// The papers checklist message, edited in place as papers arrive (kept by the adapter).
    pub checklist_message: Option<i32>,
    /// Drafts sent lately and their dossier codes (draft key, code), newest last: a second tap
    /// on "Gửi hồ sơ" is answered with the code.
    pub sent: Vec<(String, String)>,
    /// Set when the stored step no longer read and the chat was put back at the menu.
    #[serde(skip)]
    pub step_lost: bool,
}

impl State {
    /// Whether update `id` was handled already in this chat.
    pub fn handled(&self, id: u32) -> bool {
        self.recent_updates.contains(&id)
    }

    /// Remembers that draft `key` became dossier `code`.
    pub fn remember_sent(&mut self, key: &str, code: &str) {
        self.sent.push((key.to_owned(), code.to_owned()));
        let excess = self.sent.len().saturating_sub(RECENT_SENT);
        self.sent.drain(..excess);
    }

    /// Remembers update `id` as handled.
    pub fn mark_handled(&mut self, id: u32) {
        self.recent_updates.push(id);
        let excess = self.recent_updates.len().saturating_sub(RECENT_UPDATES);
        self.recent_updates.drain(..excess);
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The stored shape, each part read on its own.
        #[derive(Deserialize)]
        struct Stored {
            #[serde(default)]
            step: serde_json::Value,
            #[serde(default)]
            recent_updates: Vec<u32>,
            /// Before `recent_updates`.
            #[serde(default)]
            last_update: Option<u32>,
            #[serde(default)]
            drafts: Vec<serde_json::Value>,
            #[serde(default)]
            resume: Option<String>,
            #[serde(default)]
            checklist_message: Option<i32>,
            #[serde(default)]
            sent: Vec<(String, String)>,
        }
        let stored = Stored::deserialize(d)?;
        let (step, step_lost) = if stored.step.is_null() {
            (Step::Idle, false)
        } else {
            match serde_json::from_value::<Step>(stored.step) {
                Ok(step) => (step, false),
                Err(error) => {
                    tracing::warn!(%error, "stored step no longer reads; back to the menu");
                    (Step::Idle, true)
                }
            }
        };
        let drafts = stored
            .drafts
            .into_iter()
            .filter_map(|value| match serde_json::from_value::<Draft>(value) {
                Ok(draft) => Some(draft),
                Err(error) => {
                    tracing::warn!(%error, "a stored draft no longer reads and is dropped");
                    None
                }
            })
            .collect();
        let mut recent_updates = stored.recent_updates;
        if recent_updates.is_empty() {
            recent_updates.extend(stored.last_update.filter(|id| *id != 0));
        }
        Ok(State {
            step,
            recent_updates,
            drafts,
            resume: stored.resume,
            checklist_message: stored.checklist_message,
            sent: stored.sent,
            step_lost,
        })
    }
}

/// A dossier being prepared in the chat: a working copy that is synchronised with the portal
/// on "Lưu nháp" and "Gửi hồ sơ".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Local id, also the seed of the idempotency keys, so a retried save or send is one
    /// dossier at the portal.
    pub key: String,
    pub procedure: Procedure,
    /// Form values by field key, as the portal expects them (dates `YYYY-MM-DD`).
    pub values: BTreeMap<String, String>,
    pub papers: Vec<PaperFile>,
    /// Optional papers the citizen chose to skip.
    #[serde(default)]
    pub skipped: Vec<String>,
    pub delivery: Option<Delivery>,
    /// The portal's dossier id once the draft exists there.
    pub portal_id: Option<i64>,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

/// A paper received in the chat. Its Telegram file id lets it be fetched again if the portal
/// was unreachable when it arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperFile {
    pub paper_code: String,
    pub file_id: String,
    pub file_name: String,
    pub mime: String,
    pub size: u32,
    /// The portal's document id once uploaded.
    pub portal_document: Option<i64>,
}

impl Draft {
    /// The idempotency key of creating this draft at the portal.
    pub fn create_key(&self) -> String {
        format!("draft-{}", self.key)
    }
    /// The idempotency key of submitting it.
    pub fn submit_key(&self) -> String {
        format!("submit-{}", self.key)
    }
    pub fn has_paper(&self, code: &str) -> bool {
        self.papers.iter().any(|p| p.paper_code == code)
    }
    /// The first paper neither received nor skipped.
    pub fn next_paper(&self) -> Option<usize> {
        self.procedure
            .papers
            .iter()
            .position(|p| !self.has_paper(&p.code) && !self.skipped.contains(&p.code))
    }
}

/// Where the conversation is: each variant waits for one kind of answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Step {
    /// The main menu; nothing expected.
    #[default]
    Idle,
    /// Waiting for a language button.
    ChooseLanguage,
    /// Waiting for Agree / Decline, then going on to `then`.
    Consent {
        then: Then,
    },
    /// Registering: waiting for `field`.
    Register {
        form: RegisterForm,
        field: RegField,
    },
    /// Registering: the summary is shown; waiting for confirm or a field to edit.
    RegisterReview {
        form: RegisterForm,
    },
    /// Logging in: waiting for the account type.
    LoginKind,
    LoginUsername {
        kind: AccountKind,
    },
    LoginPassword {
        kind: AccountKind,
        username: String,
    },
    /// Waiting for a dossier code to look up.
    LookupCode,
    /// `/deleteme`: waiting for the confirmation.
    ConfirmDelete,
    /// Browsing the catalogue: typed words search it; `query` is the last search.
    Procedures {
        query: Option<String>,
    },
    /// Filling the form of draft `key`: waiting for field number `index`.
    Fill {
        key: String,
        index: usize,
    },
    /// Waiting for the papers of draft `key`, one by one.
    Papers {
        key: String,
    },
    /// Waiting for the choice of delivery of the result.
    Delivery {
        key: String,
    },
    /// Waiting for the postal address for the result.
    PostAddress {
        key: String,
    },
    /// The review card of draft `key` is shown: save, send, or leave.
    Review {
        key: String,
    },
}

impl Step {
    /// Whether this step waits for a password: its answer is never taken for a command.
    pub fn expects_secret(&self) -> bool {
        matches!(
            self,
            Step::LoginPassword { .. }
                | Step::Register {
                    field: RegField::Password,
                    ..
                }
        )
    }
}

/// What a flow that needed consent goes on to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Then {
    Register,
    Login,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::HolderName;

    #[test]
    fn state_round_trips_as_json() {
        let state = State {
            step: Step::Register {
                form: RegisterForm {
                    kind: Some(AccountKind::Citizen),
                    full_name: HolderName::parse(AccountKind::Citizen, "Lò Văn Mến").ok(),
                    email: Some(None),
                    ..Default::default()
                },
                field: RegField::IdNumber,
            },
            recent_updates: vec![41, 42],
            ..Default::default()
        };
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), state);
    }

    #[test]
    fn an_unreadable_step_keeps_the_drafts_that_read() {
        let good = serde_json::json!({
            "key": "k1",
            "procedure": {"code": "1.001193", "name_vi": "Đăng ký khai sinh", "name_en": "Birth",
                "field": "Hộ tịch", "agency_code": "A", "agency_name": "UBND", "online_level": "full",
                "processing_days": 1, "fee": 0, "form": [], "papers": []},
            "values": {}, "papers": [], "delivery": null, "portal_id": null, "updated_at": 0
        });
        let json = serde_json::json!({
            "step": {"OldStep": {"x": 1}},
            "last_update": 7,
            "drafts": [good, {"key": "k2", "shape": "old"}],
        });
        let state: State = serde_json::from_value(json).unwrap();
        assert!(state.step_lost);
        assert_eq!(state.step, Step::Idle);
        assert_eq!(state.drafts.len(), 1, "the readable draft is kept");
        assert_eq!(state.drafts[0].key, "k1");
        assert!(state.handled(7), "the older update field still counts");
        assert!(!state.handled(8));
    }

    #[test]
    fn a_registration_stored_by_the_old_shape_keeps_its_step() {
        let json = serde_json::json!({
            "step": {"Register": {"form": {
                "kind": "citizen", "full_name": "Lò Văn Mến", "id_number": "014123456789",
                "birth_date": "1990-01-05", "editing": false
            }, "field": "Phone"}},
            "recent_updates": [3],
        });
        let state: State = serde_json::from_value(json).unwrap();
        assert!(!state.step_lost);
        let Step::Register { form, field } = &state.step else {
            panic!("{:?}", state.step);
        };
        assert_eq!(*field, RegField::Phone);
        assert_eq!(form.next_missing(), Some(RegField::Phone));
        assert_eq!(
            form.id_number.as_ref().map(|id| id.as_str()),
            Some("014123456789")
        );
    }

    #[test]
    fn recent_updates_are_a_window() {
        let mut state = State::default();
        for id in 1..=100 {
            state.mark_handled(id);
        }
        assert_eq!(state.recent_updates.len(), RECENT_UPDATES);
        assert!(state.handled(100) && !state.handled(1));
    }
}
