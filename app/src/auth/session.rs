//! PW-4: server-side sessions behind an HttpOnly, SameSite cookie.
use axum::http::{HeaderValue, header::SET_COOKIE};
use leptos::prelude::expect_context;
use leptos_axum::ResponseOptions;
use tracing::instrument;

use super::{
    Role, SessionUser,
    store::{NewSession, StartPassword},
};
use crate::audit::AuditEvent;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{
    AppState, RequestInfo, now, passwords,
    secret::{Secret, hmac_hex, random_hex, readable_password, sha256_hex},
};

/// A session is touched at most this often, so reading pages does not turn into writes.
const TOUCH_EVERY_SECS: i64 = 60;

/// `__Host-` binds the cookie to exactly our origin, but browsers accept it only over https.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-schulhof_session"
    } else {
        "schulhof_session"
    }
}

pub fn set_cookie(cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        expect_context::<ResponseOptions>().append_header(SET_COOKIE, value);
    }
}

fn session_cookie(state: &AppState, token: &str, max_age: u64) -> String {
    let secure = state.config.secure_cookies();
    format!(
        "{}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// Longer than any login with a mail domain (local part and domain together).
const MAX_LOGIN_CHARS: usize = 320;

/// Checks the password and opens a new session with a fresh token (never one the browser
/// brought along, so a planted cookie cannot be used to fix the session).
/// SEC-2, PW-3: an attempt may go on to a password check only if no key is blocked, and then
/// it is counted first, atomically. A refusal writes nothing: it is counted in memory and
/// flushed once a minute ([`super::throttle::flush_refusals`]).
pub async fn throttle_gate(
    state: &AppState,
    keys: &[(String, &'static super::throttle::Rule)],
    login: &str,
) -> Result<(), AppError> {
    let names: Vec<String> = keys.iter().map(|(key, _)| key.clone()).collect();
    let now = crate::platform::now_ms();
    let wait = match state.throttle().blocked_for(&names, now).await? {
        Some(wait) => Some(wait),
        None => state.throttle().reserve(keys, now).await?,
    };
    if let Some(wait) = wait {
        state.refusals.add(login);
        return Err(AppError::too_many_requests(wait as u64));
    }
    Ok(())
}

#[instrument(skip_all)]
pub async fn sign_in(
    state: &AppState,
    request: &RequestInfo,
    login: &str,
    password: Secret,
) -> Result<(), AppError> {
    // A pupil may type the personal address instead: `mia.schulz@paulusschule.example`.
    // No login or address is longer; the cut keeps attacker-sized input out of the throttle
    // keys and the audit log, and cannot turn a wrong name into a right one.
    let typed: String = login
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_LOGIN_CHARS)
        .collect();
    let (login, domain) = match typed.split_once('@') {
        Some((name, domain)) => (name.to_string(), Some(domain.to_string())),
        None => (typed, None),
    };
    let now = now();
    let keys = super::throttle::keys(&login, &request.ip);
    throttle_gate(state, &keys, &login).await?;
    let too_long = password.expose().chars().count() > crate::rules::password::MAX_CHARS;
    let user = state
        .accounts()
        .user_by_login(&login)
        .await?
        .filter(|u| domain.is_none() || u.school_domain == domain);
    let typed_password = password.clone();
    // An over-long password cannot be right; refusing it unhashed keeps huge inputs cheap.
    let matches = !too_long
        && passwords::verify(
            password,
            user.as_ref().and_then(|u| u.password_hash.clone()),
        )
        .await?;
    // PW-2: a slip typed after its owner chose a password (or after it expired) is told apart
    // by its HMAC, not by a second argon2 check, so every failure costs the same work.
    let typed_slip = slip_mac(state, &typed_password);
    let user = match user {
        Some(user) if matches && user.password_expires_at.is_none_or(|t| t > now) => user,
        other => {
            let slip = other
                .as_ref()
                .filter(|u| !too_long && u.slip_mac.as_deref() == Some(typed_slip.as_str()))
                .map(|u| {
                    if u.must_change_password {
                        Key::LoginSlipExpired
                    } else {
                        Key::LoginSlipUsed
                    }
                });
            let mut event = AuditEvent::new("auth.login_failed", request).details(login);
            if let Some(user) = other {
                event = event.subject(user.id);
                event.school_id = user.school_id;
            }
            // The attempt was counted before the check; the event is the record of it.
            state.audit().record(&event).await?;
            return Err(AppError::new(
                ErrorKind::Unauthenticated,
                slip.unwrap_or(Key::LoginFailed),
            ));
        }
    };
    let audit = AuditEvent::new("auth.login", request)
        .actor(user.id, user.school_id)
        .subject(user.id);
    if user.status != super::store::ACTIVE {
        state
            .audit()
            .record(&AuditEvent {
                action: "auth.login_refused_locked",
                ..audit
            })
            .await?;
        return Err(AppError::kind(ErrorKind::Locked));
    }
    // SEC-2: the reservation is given back: the account's keys are forgotten, the address's
    // counter goes down by one.
    state.throttle().refund(&keys).await?;
    open_session(state, request, user.id, &audit).await
}

/// Opens a new session for `user_id` with a fresh token, sets its cookie and sends the browser
/// where the person must go first (the policy, their password, or home). `audit` is the
/// sign-in's event, written with the session.
pub async fn open_session(
    state: &AppState,
    request: &RequestInfo,
    user_id: i64,
    audit: &AuditEvent,
) -> Result<(), AppError> {
    let now = now();
    let token = random_hex(32);
    let token_hash = sha256_hex(&token);
    let max_age = state.config.session_max.as_secs();
    let user_agent: String = request.user_agent.chars().take(300).collect();
    state
        .accounts()
        .create_session(
            &NewSession {
                token_hash: &token_hash,
                public_id: &random_hex(12),
                user_id,
                now,
                expires_at: now + max_age as i64,
                ip: &request.ip,
                user_agent: &user_agent,
            },
            audit,
        )
        .await?;
    set_cookie(&session_cookie(state, &token, max_age));
    // The session just made decides where to go: the policy, the password, or home.
    let next = match state
        .accounts()
        .live_session(&token_hash, now, now - 1)
        .await?
    {
        Some(live) => live.user.next_step().unwrap_or("/"),
        None => "/",
    };
    leptos_axum::redirect(next);
    Ok(())
}

#[instrument(skip_all)]
pub async fn sign_out(
    state: &AppState,
    request: &RequestInfo,
    user: &SessionUser,
) -> Result<(), AppError> {
    if let Some(token) = &request.session_token {
        let audit = AuditEvent::new("auth.logout", request)
            .actor(user.id, user.school_id)
            .subject(user.id);
        state
            .accounts()
            .end_session(&sha256_hex(token), &audit)
            .await?;
    }
    set_cookie(&session_cookie(state, "", 0));
    leptos_axum::redirect("/login");
    Ok(())
}

/// Finds the live session for a cookie token, keeping its idle clock running.
pub async fn load(state: &AppState, token: &str) -> Result<Option<SessionUser>, AppError> {
    let now = now();
    let hash = sha256_hex(token);
    let idle_since = now - state.config.session_idle.as_secs() as i64;
    let Some(live) = state
        .accounts()
        .live_session(&hash, now, idle_since)
        .await?
    else {
        return Ok(None);
    };
    if now - live.last_seen_at >= TOUCH_EVERY_SECS {
        state.accounts().touch_session(&hash, now).await?;
    }
    Ok(Some(live.user))
}

/// Reads the session token out of a `Cookie` header.
pub fn token_from_cookies(header: &str, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// PW-2: the keyed HMAC that recognises a slip's password after it stopped working. Keyed
/// with the deployment's secret, so the database alone cannot test guesses against it.
fn slip_mac(state: &AppState, password: &Secret) -> String {
    // The typed text is cut like a login name: an over-long input is never a slip.
    let typed: String = password.expose().chars().take(64).collect();
    hmac_hex(&state.config.secret_key, &["start password", &typed])
}

/// PW-2: a new random start password, valid for `days`, and what is stored of it.
pub async fn new_start_password(
    state: &AppState,
    days: i64,
) -> Result<(Secret, StartPassword), AppError> {
    let password = readable_password();
    let stored = StartPassword {
        hash: passwords::hash(password.clone()).await?,
        slip_mac: slip_mac(state, &password),
        expires_at: now() + days * 86_400,
    };
    Ok((password, stored))
}

/// PW-2: issues a start password for `login`, valid for `days`. Returns it for printing once.
#[instrument(skip_all)]
pub async fn issue_start_password(
    state: &AppState,
    login: &str,
    days: i64,
    audit: AuditEvent,
) -> Result<Secret, AppError> {
    let user = state
        .accounts()
        .user_by_login(&login.trim().to_lowercase())
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let (password, stored) = new_start_password(state, days).await?;
    let audit = AuditEvent {
        school_id: user.school_id,
        ..audit.subject(user.id)
    };
    state
        .accounts()
        .set_start_password(user.id, &stored, &audit)
        .await?;
    Ok(password)
}

/// The operator administrator exists from the first start, with no default password: a random
/// start password is printed once. Several servers starting at once create it only once.
pub async fn ensure_operator(state: &AppState) -> Result<Option<Secret>, AppError> {
    let new = super::store::NewUser {
        school_id: None,
        login: "admin",
        first_name: "Betrieb",
        last_name: "Administration",
        role: Role::Operator,
    };
    let audit = AuditEvent::new("operator.created", &RequestInfo::default());
    if state.accounts().create_user(&new, &audit).await?.is_none() {
        return Ok(None);
    }
    let audit = AuditEvent::new("auth.start_password_issued", &RequestInfo::default())
        .details("first start");
    issue_start_password(state, "admin", state.config.start_password_days, audit)
        .await
        .map(Some)
}
