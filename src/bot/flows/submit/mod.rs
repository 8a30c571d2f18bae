//! "Nộp hồ sơ" (seed III) as a folder that reads like the conversation: `start` (login check,
//! new or resumed draft), `form`, `papers`, `delivery`, then `send` (the review card's
//! buttons). `draft` holds the draft and its portal sync, `next` alone says what comes next,
//! `ask` renders each question; the `receive_*` files import those, never each other.
//!
//! Drafts live in the dialogue state until the portal has accepted them; saving and sending
//! carry idempotency keys derived from the draft, so a double tap, a retry or a restart makes
//! one dossier with one code.

pub mod ask;
pub mod delivery;
pub mod draft;
pub mod form;
pub mod next;
pub mod papers;
pub mod send;
pub mod start;
