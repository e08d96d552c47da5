//! Server-only plumbing that every feature uses: configuration, the database backends, the
//! blob store, secrets, password hashing and the per-request context. `platform` names no
//! feature: the features sit above it, and the composition root (`crate::state`) wires
//! their stores in through [`stores::Stores`].
pub mod blob;
pub mod config;
pub mod db;
pub mod passwords;
pub mod request;
pub mod secret;
pub mod stores;
pub mod tally;

pub use request::{RequestInfo, app_state, request_info};

use std::sync::Arc;

/// Everything a request handler needs, cloned cheaply into each request. It holds no
/// per-user state: several app servers can run side by side on one database.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<config::Config>,
    /// Each feature's store, reached through that feature's accessor (`state.mailbox()`).
    pub stores: Arc<stores::Stores>,
    /// File contents (FILE-1), on local disk or in an S3-compatible store.
    pub blobs: Arc<blob::Blobs>,
    pub leptos: leptos::config::LeptosOptions,
    /// SEC-2: throttled sign-in attempts per login, written as audit events once a minute.
    pub refusals: Arc<tally::Tally>,
}

impl AppState {
    /// The database itself, for the health check.
    pub fn database(&self) -> &dyn db::Health {
        self.stores.get::<dyn db::Health>()
    }
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Seconds since the Unix epoch: the only time format stored, identical on both backends.
pub fn now() -> i64 {
    now_ms() / 1000
}

/// Milliseconds since the Unix epoch, from the one clock every part of Schulhof reads (the
/// throttle and the health check need finer steps than seconds).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
