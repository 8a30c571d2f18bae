//! dvc-bot: a Telegram assistant through which citizens use a Vietnamese province's online
//! public services (dịch vụ công trực tuyến). See DESIGN.md for the parts and how data flows.

pub mod app;
pub mod bot;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod i18n;
pub mod portal;
pub mod sandbox;
pub mod shutdown;
