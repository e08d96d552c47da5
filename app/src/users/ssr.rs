//! The server-only half of user administration: whose account a caller may act on, and the
//! shared lock and unlock step.
use super::*;

pub(super) use crate::auth::school_staff;

pub(super) use crate::{
    audit::AuditEvent,
    auth::{
        Capability,
        rights::{self, Act},
    },
    error::ErrorKind,
    i18n::Key,
    platform::{app_state, request_info},
    rules,
};

/// The person `user_id` of the school, or 404 for anyone not in it (ACC-1).
pub async fn target_in_school(school: i64, user_id: i64) -> Result<crate::auth::Target, AppError> {
    app_state()
        .user_admin()
        .target(school, user_id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// SEC-1: the person `user_id` of the school, if the rights table lets `user` do `act` to
/// them; 404 outside the school, 409 for oneself, 403 above the caller's sphere.
pub async fn target_of(
    user: &crate::auth::SessionUser,
    school: i64,
    act: Act,
    user_id: i64,
) -> Result<crate::auth::Target, AppError> {
    let target = target_in_school(school, user_id).await?;
    crate::auth::require_over(user, act, &target)?;
    Ok(target)
}

pub fn reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field("reason", Key::ErrorRequired));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field("reason", Key::ErrorBadInput));
    }
    Ok(reason.to_string())
}

pub(super) async fn set_locked(user_id: i64, why: String, locked: bool) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::AccountsLock)?;
    let why = reason(&why)?;
    target_of(&user, school, Act::Lock, user_id).await?;
    let action = if locked {
        "user.locked"
    } else {
        "user.unlocked"
    };
    let audit = AuditEvent::new(action, &request_info())
        .actor(user.id, Some(school))
        .subject(user_id)
        .details(why.clone());
    if !app_state()
        .user_admin()
        .set_locked(school, user_id, locked, &why, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}
