//! The HTTP side of Schulhof: the axum router, its middleware, and start-up.
#![forbid(unsafe_code)]

pub mod http;

use std::sync::Arc;

use app::platform::{AppState, config::Config, db};
use leptos::config::{Env, LeptosOptions};

/// Opens the database (migrating it) and assembles the shared state.
pub async fn build_state(config: Config) -> Result<AppState, String> {
    let store = db::connect(&config.database_url, config.secret_key.clone()).await?;
    let leptos = LeptosOptions::builder()
        .output_name("schulhof")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(built_with_hashes())
        .env(Env::PROD)
        .build();
    Ok(AppState {
        config: Arc::new(config),
        store,
        leptos,
    })
}

/// cargo-leptos leaves `hash.txt` beside a release binary whose assets carry content hashes.
/// A binary built by plain `cargo` (as for the tests) has none, and serves unhashed names.
fn built_with_hashes() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists()))
        .unwrap_or(false)
}

/// Serves until the process is stopped, with client addresses available to the handlers.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = http::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
