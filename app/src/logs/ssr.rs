//! The server-only half of the logs: which school's log a caller reads, the live reading and
//! the day filter.
use super::*;

pub(super) use crate::auth::{authenticate, school_staff};

pub(super) use crate::{
    audit::{AuditEvent, ChainStatus},
    auth::{Capability, Role, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, app_state, request_info},
};

/// The school whose events the caller may read (0: the operator's own events), if they may.
pub async fn readable_school(state: &AppState, user: &SessionUser) -> Result<i64, AppError> {
    if user.role == Role::Operator {
        return Ok(0);
    }
    match user.school_id {
        Some(school) if state.logs().is_reader(user.id).await? => Ok(school),
        _ => Err(AppError::new(ErrorKind::Forbidden, Key::LogsNoRight)),
    }
}

/// The caller's live reading session, or 403 with the request to state a reason first.
pub async fn live_reading(
    state: &AppState,
    user: &SessionUser,
    id: i64,
) -> Result<(ReadingSession, i64), AppError> {
    let school = readable_school(state, user).await?;
    let session = state
        .logs()
        .reading(user.id, id, crate::platform::now())
        .await?
        .ok_or_else(|| AppError::new(ErrorKind::Forbidden, Key::LogsReasonFirst))?;
    Ok((session, school))
}

/// Dates as typed (`31.07.2027`, `2027-07-31`) to the Unix times of that day's start and end.
pub(super) fn day_bounds(from: &str, until: &str) -> Result<(i64, i64), AppError> {
    let parse = |text: &str, field: &str| -> Result<i64, AppError> {
        if text.trim().is_empty() {
            return Ok(0);
        }
        crate::rules::date::parse(text)
            .and_then(|day| crate::rules::date::end_of_day_berlin(&day))
            .ok_or_else(|| AppError::field(field, Key::ErrorBadInput))
    };
    let from = parse(from, "from")?;
    Ok((
        if from > 0 { from - 86_400 } else { 0 },
        parse(until, "until")?,
    ))
}

pub fn filter(
    from: &str,
    until: &str,
    user: &str,
    action: &str,
    kind: &str,
) -> Result<EventFilter, AppError> {
    let (from, until) = day_bounds(from, until)?;
    let clean = |text: &str| {
        text.trim()
            .to_lowercase()
            .chars()
            .take(100)
            .collect::<String>()
    };
    Ok(EventFilter {
        from,
        until,
        user: clean(user),
        action: clean(action),
        kind: clean(kind),
    })
}
