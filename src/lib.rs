//! dvc-bot: a Telegram assistant through which citizens use a Vietnamese province's online
//! public services (dịch vụ công trực tuyến). See DESIGN.md for the parts and how data flows.

/// Prints a line on stdout for the operator; a closed stdout (`| head`) is not worth a panic.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod admin;
pub mod app;
pub mod bench;
pub mod bot;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod escape;
pub mod i18n;
pub mod notify;
pub mod portal;
pub mod private_files;
pub mod sandbox;
pub mod sealed;
pub mod secret;
pub mod shutdown;
pub mod telemetry;
pub mod vietqr;
