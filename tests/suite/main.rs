//! The integration suite: one test binary, one module per part.

mod support;

mod bench;
mod bot;
mod cli;
mod domain;
mod i18n;
mod modes;
mod notify;
mod ops;
mod portal;
mod reliability;
mod replicas;
mod sandbox;
mod storage;
