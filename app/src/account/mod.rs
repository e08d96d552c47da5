//! PW-4: "Es ist untersagt, das Passwort anderen Nutzern mitzuteilen." Everyone sees where
//! their account is signed in and the latest sign-ins, and can end any session.
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    audit::AuditEvent,
    auth::authenticate,
    platform::{app_state, request_info, secret::sha256_hex},
};

/// One signed-in browser, as its owner sees it. The token never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub user_agent: String,
    pub ip: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRecord {
    pub at: i64,
    pub ip: String,
    pub succeeded: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub sessions: Vec<SessionInfo>,
    pub logins: Vec<LoginRecord>,
}

/// A short description of a browser for people: "Chrome · Android".
pub fn describe_device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map_or("?", |(_, name)| name);
    let system = [
        ("iPad", "iPad"),
        ("iPhone", "iPhone"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map_or("?", |(_, name)| name);
    format!("{browser} · {system}")
}

/// The caller's own sessions and their last ten sign-ins.
#[server(prefix = "/api", endpoint = "account/activity")]
pub async fn account_activity() -> Result<AccountOverview, AppError> {
    let user = authenticate()?;
    let current = request_info().session_token.as_deref().map(sha256_hex);
    Ok(app_state()
        .session_list()
        .overview(user.id, current.as_deref())
        .await?)
}

/// Ends one of the caller's own sessions; another user's session id is simply not found.
#[server(prefix = "/api", endpoint = "account/end-session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let audit = AuditEvent::new("auth.session_ended", &request_info())
        .actor(user.id, user.school_id)
        .subject(user.id);
    if !app_state()
        .session_list()
        .end_own_session(user.id, id.trim(), &audit)
        .await?
    {
        return Err(AppError::kind(crate::error::ErrorKind::NotFound));
    }
    Ok(())
}

/// Ends every session of the caller except the one making this request.
#[server(prefix = "/api", endpoint = "account/end-other-sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let user = authenticate()?;
    let keep = request_info()
        .session_token
        .as_deref()
        .map(sha256_hex)
        .unwrap_or_default();
    let audit = AuditEvent::new("auth.other_sessions_ended", &request_info())
        .actor(user.id, user.school_id)
        .subject(user.id);
    app_state()
        .session_list()
        .end_other_sessions(user.id, &keep, &audit)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn pw_4_devices_are_named_for_people() {
        let ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_device(ipad), "Safari · iPad");
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
        assert_eq!(describe_device(android), "Chrome · Android");
        assert_eq!(describe_device(""), "? · ?");
    }
}
