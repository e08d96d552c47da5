//! The HTTP side of Schulhof: the axum router, its middleware, and start-up.
#![forbid(unsafe_code)]

pub mod http;

use app::platform::{AppState, config::Config};
use leptos::config::{Env, LeptosOptions};

/// Opens the database (migrating it) and assembles the shared state.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    app::error::signing::set_key(config.secret_key.expose());
    let leptos = LeptosOptions::builder()
        .output_name("schulhof")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(built_with_hashes())
        .env(Env::PROD)
        .build();
    app::web::set_options(leptos.clone());
    app::state::build(config, leptos).await
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
    spawn_jobs(state.clone());
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

/// Scheduled work, hourly and once at start (see `app::lifecycle::run_jobs`). Every app
/// server ticks; the lease in the database lets one of them do the work each hour.
fn spawn_jobs(state: AppState) {
    // SEC-2: throttled sign-in attempts are counted in memory and written once a minute.
    let flush_state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = app::auth::throttle::flush_refusals(&flush_state).await {
                tracing::warn!(error = %e, "could not record throttled attempts; keeping none");
            }
        }
    });
    let holder = app::platform::secret::random_hex(8);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            match app::lifecycle::run_jobs(&state, &holder, false).await {
                Ok(Some(report)) => tracing::info!(?report, "scheduled jobs ran"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "scheduled jobs failed; trying again later"),
            }
        }
    });
}
