//! What a server function knows about the request it is answering.
use axum::http::request::Parts;
use leptos::prelude::{expect_context, use_context};

use super::AppState;

/// Who is asking and from where; filled in by the HTTP layer before any handler runs.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    /// The token from the session cookie, present or not, valid or not.
    pub session_token: Option<String>,
}

pub fn app_state() -> AppState {
    expect_context::<AppState>()
}

/// The request's head, where the HTTP layer put what it learnt about the caller.
pub fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn request_info() -> RequestInfo {
    parts()
        .and_then(|p| p.extensions.get::<RequestInfo>().cloned())
        .unwrap_or_default()
}
