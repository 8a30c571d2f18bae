//! The steps, one file (or folder) per flow. Each step takes the state, the input and the
//! context and answers an `Outcome` (replies as data); `schema.rs` routes to them and the
//! adapter renders and sends. Flows import `common` and the bot's shared parts, not the router.

pub mod account;
pub mod again;
pub mod ask;
pub mod common;
pub mod dossiers;
pub mod drafts;
pub mod follow;
pub mod lookup;
pub mod notifications;
pub mod paper_check;
pub mod procedures;
pub mod rate;
pub mod register;
pub mod start;
pub mod submit;
