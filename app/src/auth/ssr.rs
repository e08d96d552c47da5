//! The server-only half of signing in: the imports the server functions share and their field
//! check.
use super::*;

pub(super) use crate::{
    audit::AuditEvent,
    platform::{app_state, passwords, request_info, secret::Secret},
    rules,
};

pub use super::current::{
    CurrentSession, authenticate, authenticate_during_setup, school_staff, signed_in,
};

pub(super) fn required(field: &str, value: &str) -> Result<(), AppError> {
    if value.trim().is_empty() {
        Err(AppError::field(field, Key::ErrorRequired))
    } else {
        Ok(())
    }
}

/// Issue 18: a refused sign-in comes back with the user name kept. The login page ships no
/// script, so the form posts and is redirected back; the name waits in a cookie for the page
/// (only `/login` sees it, for five minutes, read once), never in the URL, which a shared
/// tablet's history would keep.
const KEPT_LOGIN_COOKIE: &str = "schulhof_login_name";

pub(super) fn keep_login(login: &str) {
    if login.len() > 320 {
        return;
    }
    let secure = app_state().config.secure_cookies();
    super::session::set_cookie(&format!(
        "{KEPT_LOGIN_COOKIE}={}; Path=/login; Max-Age=300; HttpOnly; SameSite=Strict{}",
        hex::encode(login.trim()),
        if secure { "; Secure" } else { "" }
    ));
}

/// The user name a refused sign-in kept, taken (the cookie is cleared as it is read).
pub fn take_kept_login() -> Option<String> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let kept = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == KEPT_LOGIN_COOKIE)
        .and_then(|(_, value)| hex::decode(value).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())?;
    super::session::set_cookie(&format!(
        "{KEPT_LOGIN_COOKIE}=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict"
    ));
    Some(kept)
}
