//! Server-only plumbing that every feature uses: configuration, the database, secrets,
//! password hashing and the per-request context. Features never talk to axum directly.
pub mod config;
pub mod db;
pub mod passwords;
pub mod request;
pub mod secret;
pub mod tally;

pub use request::{
    RequestInfo, app_state, authenticate, authenticate_during_setup, request_info, school_staff,
};

use std::sync::Arc;

/// Everything a request handler needs, cloned cheaply into each request. It holds no
/// per-user state: several app servers can run side by side on one database.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<config::Config>,
    pub store: Arc<dyn db::Store>,
    /// File contents (FILE-1), on local disk or in an S3-compatible store.
    pub blobs: Arc<crate::files::blob::Blobs>,
    pub leptos: leptos::config::LeptosOptions,
    /// SEC-2: throttled sign-in attempts per login, written as audit events once a minute.
    pub refusals: Arc<tally::Tally>,
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Seconds since the Unix epoch: the only time format stored, identical on both backends.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
