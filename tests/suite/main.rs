//! The integration suite: one test binary, one module per part.

mod support;

mod cli;
mod i18n;
mod sandbox;
mod storage;
