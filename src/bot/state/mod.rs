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

/// How long Telegram keeps (and so may redeliver) an update. An id handled longer ago is a new
/// update: Telegram starts numbering again after a quiet week, and a restarted Bot API server
/// may too, so an old id must never silence a citizen.
pub const REDELIVERY_WINDOW_SECS: i64 = 24 * 3600;

/// An update id handled in a chat and when (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenUpdate {
    pub id: u32,
    pub at: i64,
}

/// A stored entry of `recent_updates`: the id alone before times were kept (read as seen
/// long ago, so it never drops an update), or the id with its time.
enum StoredSeen {
    Seen(SeenUpdate),
    Bare(u32),
}

/// Read by the JSON's own shape (a number or an object), not as an untagged enum: serde would
/// buffer each of the up to 32 entries and try each variant in turn, on every update.
impl<'de> Deserialize<'de> for StoredSeen {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = StoredSeen;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an update id, or an update id with its time")
            }

            fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<StoredSeen, E> {
                u32::try_from(id)
                    .map(StoredSeen::Bare)
                    .map_err(|_| E::custom("update id out of range"))
            }

            fn visit_i64<E: serde::de::Error>(self, id: i64) -> Result<StoredSeen, E> {
                u32::try_from(id)
                    .map(StoredSeen::Bare)
                    .map_err(|_| E::custom("update id out of range"))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<StoredSeen, A::Error> {
                SeenUpdate::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(StoredSeen::Seen)
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl From<StoredSeen> for SeenUpdate {
    fn from(stored: StoredSeen) -> Self {
        match stored {
            StoredSeen::Seen(seen) => seen,
            StoredSeen::Bare(id) => SeenUpdate { id, at: 0 },
        }
    }
}

/// How many sent drafts a chat remembers the codes of.
pub const RECENT_SENT: usize = 5;

/// One chat's dialogue.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct State {
    pub step: Step,
    /// The latest Telegram update ids handled in this chat and when, newest last.
    pub recent_updates: Vec<SeenUpdate>,
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
    /// The account type of the chat's last login or registration: a login does not ask it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_kind: Option<AccountKind>,
    /// The bot process that last saved this state (`adapter::instance`): another one means
    /// the replies of the last update may have died with that process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<u64>,
    /// Set when the stored step no longer read and the chat was put back at the menu.
    #[serde(skip)]
    pub step_lost: bool,
    /// Set when what is stored differs from what it read as (a step or a draft that no longer
    /// read, update ids in an older shape): the next update writes it anew even if it changes
    /// nothing else.
    #[serde(skip)]
    pub stale_shape: bool,
}

impl State {
    /// Whether `self` is `before` apart from the update ids handled (and so need not be written
    /// again): every other part equal, and `before` stored in the shape it read as.
    pub fn unchanged_since(&self, before: &State) -> bool {
        let State {
            step,
            recent_updates: _,
            drafts,
            resume,
            checklist_message,
            sent,
            last_kind,
            writer,
            step_lost,
            stale_shape,
        } = self;
        !before.stale_shape
            && !before.step_lost
            && !*stale_shape
            && !*step_lost
            && *step == before.step
            && *drafts == before.drafts
            && *resume == before.resume
            && *checklist_message == before.checklist_message
            && *sent == before.sent
            && *last_kind == before.last_kind
            // Saved by another process: written once by this one (see `again`).
            && *writer == before.writer
    }

    /// Whether update `id` was handled already in this chat, within the redelivery window.
    pub fn handled(&self, id: u32) -> bool {
        self.handled_at(id, chrono::Utc::now().timestamp())
    }

    /// Whether update `id` was handled in this chat less than a redelivery window before `now`.
    pub fn handled_at(&self, id: u32, now: i64) -> bool {
        self.recent_updates
            .iter()
            .any(|seen| seen.id == id && now - seen.at < REDELIVERY_WINDOW_SECS)
    }

    /// Remembers that draft `key` became dossier `code`.
    pub fn remember_sent(&mut self, key: &str, code: &str) {
        self.sent.push((key.to_owned(), code.to_owned()));
        let excess = self.sent.len().saturating_sub(RECENT_SENT);
        self.sent.drain(..excess);
    }

    /// Remembers update `id` as handled now.
    pub fn mark_handled(&mut self, id: u32) {
        self.mark_handled_at(id, chrono::Utc::now().timestamp());
    }

    /// Remembers update `id` as handled at `now`; ids out of the window are forgotten.
    pub fn mark_handled_at(&mut self, id: u32, now: i64) {
        self.recent_updates
            .retain(|seen| seen.id != id && now - seen.at < REDELIVERY_WINDOW_SECS);
        self.recent_updates.push(SeenUpdate { id, at: now });
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
            recent_updates: Vec<StoredSeen>,
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
            /// A type no longer known is forgotten (asked again).
            #[serde(default)]
            last_kind: Option<serde_json::Value>,
            #[serde(default)]
            writer: Option<u64>,
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
        let stored_drafts = stored.drafts.len();
        let drafts: Vec<Draft> = stored
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
        let older_ids = stored.last_update.is_some()
            || stored
                .recent_updates
                .iter()
                .any(|seen| matches!(seen, StoredSeen::Bare(_)));
        let stale_shape = step_lost || drafts.len() != stored_drafts || older_ids;
        let mut recent_updates: Vec<SeenUpdate> =
            stored.recent_updates.into_iter().map(Into::into).collect();
        if recent_updates.is_empty() {
            recent_updates.extend(
                stored
                    .last_update
                    .filter(|id| *id != 0)
                    .map(|id| SeenUpdate { id, at: 0 }),
            );
        }
        Ok(State {
            step,
            recent_updates,
            drafts,
            resume: stored.resume,
            checklist_message: stored.checklist_message,
            sent: stored.sent,
            last_kind: stored
                .last_kind
                .and_then(|v| serde_json::from_value(v).ok()),
            writer: stored.writer,
            step_lost,
            stale_shape,
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
    /// Form values by field key, as the portal expects them (dates `YYYY-MM-DD`). Sealed where
    /// stored: they carry personal data.
    #[serde(with = "crate::sealed")]
    pub values: BTreeMap<String, String>,
    /// Values offered from the citizen's own account for the fields that ask for them (see
    /// `FormField::prefill`), by field key, until the field is answered: shown with "Giữ
    /// nguyên". Sealed where stored.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "crate::sealed"
    )]
    pub prefilled: BTreeMap<String, String>,
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
    /// Registering: waiting for `field`. The form's personal answers are sealed where stored.
    Register {
        #[serde(with = "crate::sealed")]
        form: RegisterForm,
        field: RegField,
    },
    /// Registering: the summary is shown; waiting for confirm or a field to edit.
    RegisterReview {
        #[serde(with = "crate::sealed")]
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
    /// Waiting for the last 4 digits of the applicant's CCCD, to show more of dossier `code`.
    LookupLast4 {
        code: String,
    },
    /// `/follow`: waiting for the code of the dossier to follow.
    FollowCode,
    /// `/follow`: waiting for the last 4 digits of the applicant's CCCD for dossier `code`.
    FollowLast4 {
        code: String,
    },
    /// A rating of `stars` for dossier `code` is chosen: waiting for a comment (or none).
    RateComment {
        code: String,
        stars: u8,
    },
    /// `/ask`: waiting for the question, about dossier `dossier` if set.
    AskText {
        dossier: Option<String>,
    },
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
    /// Answering the supplement request of dossier `code`: the papers received so far, sent
    /// together with "Gửi bổ sung".
    Supplement {
        code: String,
        papers: Vec<PaperFile>,
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
            recent_updates: vec![
                SeenUpdate {
                    id: 41,
                    at: 1_764_000_000,
                },
                SeenUpdate {
                    id: 42,
                    at: 1_764_000_001,
                },
            ],
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
        assert_eq!(state.recent_updates, vec![SeenUpdate { id: 7, at: 0 }]);
        assert!(
            !state.handled(7),
            "an id without its time is old: never dropped"
        );
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

    /// Issue 13.1: only ids seen within Telegram's 24 h redelivery window count as handled;
    /// an id seen before that is a new update (Telegram, or a restarted sandbox, numbering
    /// again), never dropped.
    #[test]
    fn only_ids_seen_within_a_day_are_duplicates() {
        let now = chrono::Utc::now().timestamp();
        let json = serde_json::json!({
            "recent_updates": [
                {"id": 5, "at": now - 25 * 3600},
                {"id": 6, "at": now - 3600},
            ],
        });
        let mut state: State = serde_json::from_value(json).expect("the state reads");
        assert!(!state.handled(5), "seen more than a day ago: a new update");
        assert!(state.handled(6), "seen an hour ago: a redelivery");
        state.mark_handled(5);
        assert!(state.handled(5));
        let again: State = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        assert!(again.handled(5) && again.handled(6));
    }

    /// Issue 14: only the update ids changing means nothing to write; a state stored in an
    /// older shape is written anew whatever the step does.
    #[test]
    fn unchanged_apart_from_the_update_ids() {
        let before = State {
            step: Step::Procedures { query: None },
            ..Default::default()
        };
        let mut after = before.clone();
        after.mark_handled(7);
        assert!(after.unchanged_since(&before));
        after.step = Step::Idle;
        assert!(!after.unchanged_since(&before));
        let mut sent = before.clone();
        sent.remember_sent("k1", "000.00.25.H50-261125-0001");
        assert!(!sent.unchanged_since(&before));

        let old: State = serde_json::from_value(serde_json::json!({
            "step": "Idle", "recent_updates": [3]
        }))
        .unwrap();
        assert!(old.stale_shape, "bare ids are an older shape");
        assert!(!old.clone().unchanged_since(&old));
        let current: State = serde_json::from_str(&serde_json::to_string(&old).unwrap()).unwrap();
        assert!(!current.stale_shape && current.unchanged_since(&current));
    }
}
