//! The server-only half of guardians: redeeming a registration code (throttled like a
//! sign-in) and creating the account it opens.
use super::*;

pub(super) use crate::auth::{
    Capability, Role, SessionUser, authenticate, guessable, require_in_school, rights::Act,
    school_staff,
};
pub(super) use crate::{
    audit::AuditEvent,
    i18n::Key,
    platform::{AppState, RequestInfo, app_state, passwords, request_info, secret::Secret},
    rules,
};

use super::store::{CodeState, Registration};

/// The cookie that keeps a refused registration's code and names for the page (never the
/// password): the page is public, so there is no session to keep the form under.
pub(super) const KEPT_COOKIE: &str = "schulhof_register";
pub(super) const REGISTER_PATH: &str = "/register";

/// A code that may be redeemed now.
pub(super) struct ValidCode {
    pub id: i64,
    pub school_id: i64,
    pub pupil_id: i64,
}

/// What is stored of a code: its SHA-256. The code has about 79 bits, so no slow hash is
/// needed to make guessing from a stolen database hopeless.
pub fn code_hash(symbols: &str) -> String {
    crate::platform::secret::sha256_hex(&format!("guardian code|{symbols}"))
}

/// PAR-2, SEC-2: a typed code, throttled per address like a sign-in: the attempt is counted
/// before the lookup and given back only when the code was right.
pub(super) async fn redeem(
    state: &AppState,
    request: &RequestInfo,
    typed: &str,
) -> Result<ValidCode, AppError> {
    let keys = crate::auth::throttle::code_keys(&request.ip);
    crate::auth::session::throttle_gate(state, &keys, "registration code").await?;
    let found = match rules::guardian::normalise(typed) {
        Some(symbols) => {
            state
                .guardians()
                .code(&code_hash(&symbols), crate::platform::now())
                .await?
        }
        None => None,
    };
    let refused = |key: Key| AppError::field("code", key);
    match found {
        Some(CodeState::Valid {
            id,
            school_id,
            pupil_id,
        }) => {
            state.throttle().refund(&keys).await?;
            Ok(ValidCode {
                id,
                school_id,
                pupil_id,
            })
        }
        Some(CodeState::Used) => Err(refused(Key::GuardiansCodeUsed)),
        Some(CodeState::Expired) => Err(refused(Key::GuardiansCodeExpired)),
        None => {
            let event = AuditEvent::new("guardian.code_failed", request);
            state.audit().record(&event).await?;
            Err(refused(Key::GuardiansCodeWrong))
        }
    }
}

/// PAR-2: the registration behind `guardians/register`: every field checked before the code
/// is looked up, the code before the password is hashed, and the account, its password, the
/// link and the used code written in one transaction.
pub(super) async fn register_guardian(
    code: &str,
    first_name: &str,
    last_name: &str,
    password: String,
    repeat: &str,
) -> Result<(), AppError> {
    // A registration signs its new account in: on a family's shared tablet it must not end
    // somebody else's session unasked. (The page itself sends the signed-in home.) Refused as
    // forbidden: registering is the one call only the signed-out may make.
    if crate::auth::authenticate_during_setup().is_ok() {
        return Err(AppError::new(
            crate::error::ErrorKind::Forbidden,
            Key::GuardiansSignOutFirst,
        ));
    }
    let (first, last) = (first_name.trim(), last_name.trim());
    for (field, value) in [("first_name", first), ("last_name", last)] {
        if value.is_empty() {
            return Err(AppError::field(field, Key::ErrorRequired));
        }
        if !rules::login::valid_name(value) {
            return Err(AppError::field(field, Key::ErrorBadInput));
        }
    }
    if code.trim().is_empty() {
        return Err(AppError::field("code", Key::ErrorRequired));
    }
    rules::password::check(&password).map_err(|message| AppError::field("password", message))?;
    if password != repeat {
        return Err(AppError::field("repeat", Key::PasswordMismatch));
    }
    // PW-1: the same guessability check as everyone's, against the name just given.
    let login = rules::login::base_login(first, last).unwrap_or_default();
    let would_be = SessionUser {
        id: 0,
        login,
        first_name: first.to_string(),
        last_name: last.to_string(),
        role: Role::Guardian,
        school_id: None,
        school_name: None,
        must_change_password: false,
        policy_pending: true,
    };
    guessable::check(&password, &would_be)
        .map_err(|message| AppError::field("password", message))?;
    let state = app_state();
    let request = request_info();
    let valid = redeem(&state, &request, code).await?;
    let hash = passwords::hash(Secret::new(password)).await?;
    let registration = Registration {
        person: crate::users::store::NewPerson {
            school_id: valid.school_id,
            first_name: first,
            last_name: last,
            role: Role::Guardian,
            class: None,
            leaving_date: None,
        },
        password_hash: &hash,
        code_id: valid.id,
        pupil_id: valid.pupil_id,
    };
    let audit = AuditEvent::new("guardian.registered", &request).school(Some(valid.school_id));
    let redeemed = state
        .guardians()
        .register(&registration, crate::platform::now(), &audit)
        .await?
        .ok_or_else(|| AppError::field("code", Key::GuardiansCodeUsed))?;
    let signed_in = AuditEvent::new("auth.login", &request)
        .actor(redeemed.guardian_id, Some(valid.school_id))
        .subject(redeemed.guardian_id);
    crate::auth::session::open_session(&state, &request, redeemed.guardian_id, &signed_in).await
}

/// Keeps a refused registration's code and names for the page to fill in again.
pub(super) fn keep_registration(code: &str, first_name: &str, last_name: &str) {
    let kept = serde_urlencoded::to_string([
        ("code", code.trim()),
        ("first_name", first_name.trim()),
        ("last_name", last_name.trim()),
    ])
    .unwrap_or_default();
    crate::auth::keep_for_page(KEPT_COOKIE, REGISTER_PATH, &kept);
}

/// PAR-3: one of the caller's linked children, as the links say now; 404 for any other pupil
/// (whether it exists is none of the caller's business).
pub async fn own_child(
    state: &AppState,
    user: &SessionUser,
    pupil_id: i64,
) -> Result<super::Child, AppError> {
    state
        .guardians()
        .children(user.id)
        .await?
        .into_iter()
        .find(|child| child.pupil_id == pupil_id)
        .ok_or_else(AppError::not_found)
}

/// VIOL-1: the name typed as a signature must be the guardian's own, as the account has it
/// (case, accents and spacing aside), so a consent names who gave it.
pub(super) fn signature(user: &SessionUser, typed: &str) -> Result<String, AppError> {
    let typed = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if typed.is_empty() {
        return Err(AppError::field("signed_name", Key::ErrorRequired));
    }
    let own = format!("{} {}", user.first_name, user.last_name);
    if !rules::search::same_name(&typed, &own) {
        return Err(
            AppError::field("signed_name", Key::GuardiansConsentNameWrong).with_detail(own),
        );
    }
    Ok(typed)
}
