//! What a server function knows about the request it is answering.
use axum::http::request::Parts;
use leptos::prelude::{expect_context, use_context};

use super::AppState;
use crate::auth::SessionUser;
use crate::error::{AppError, AppResult, ErrorKind};

/// Who is asking and from where; filled in by the HTTP layer before any handler runs.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    /// The token from the session cookie, present or not, valid or not.
    pub session_token: Option<String>,
}

/// The signed-in user, if the session cookie named a live session. Put into the request's
/// extensions by the HTTP layer, which looked it up once for the whole request.
#[derive(Clone, Debug)]
pub struct CurrentSession(pub Option<SessionUser>);

pub fn app_state() -> AppState {
    expect_context::<AppState>()
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn request_info() -> RequestInfo {
    parts()
        .and_then(|p| p.extensions.get::<RequestInfo>().cloned())
        .unwrap_or_default()
}

/// Step 1 of every server function: who is calling? Anonymous callers get 401.
pub fn authenticate() -> AppResult<SessionUser> {
    parts()
        .and_then(|p| p.extensions.get::<CurrentSession>().cloned())
        .and_then(|s| s.0)
        .ok_or_else(|| AppError::kind(ErrorKind::Unauthenticated))
}
