//! Schulhof: everything shared by the browser (feature `hydrate`) and the server (`ssr`).
//! One folder per feature holds its types, server functions, views and storage code.
#![forbid(unsafe_code)]

pub mod absences;
pub mod account;
pub mod addressbook;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod components;
pub mod dashboard;
pub mod error;
pub mod files;
pub mod filter;
pub mod groups;
pub mod guardians;
pub mod i18n;
pub mod lifecycle;
pub mod logs;
pub mod mail;
pub mod policy;
pub mod rules;
pub mod schools;
pub mod shell;
pub mod users;

#[cfg(feature = "ssr")]
pub mod platform;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod web;

pub use shell::{App, shell};

/// The browser entry point: only the islands on the page come alive.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
