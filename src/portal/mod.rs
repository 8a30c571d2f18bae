//! The portal: the contract's types (`model`), the client the bot uses (`client`), and the
//! reference portal that implements the contract (`server`).

pub mod client;
pub mod model;
pub mod server;

pub use client::{DossierRef, HttpPortal, Portal, PortalError};
