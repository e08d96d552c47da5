//! LOG-2, LOG-3: reading the audit log. Only persons whom school management named may read
//! it, each time for a stated reason and reference; every reading session, query and export
//! is itself in the log. Administrators have no such right by default. The operator reads
//! only operator-level events.
pub mod views;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    pub user_id: i64,
    pub login: String,
    pub name: String,
    pub granted_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingSession {
    pub id: i64,
    pub school_id: Option<i64>,
    pub reason: String,
    pub reference: String,
    pub started_at: i64,
    pub expires_at: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Unix seconds; 0 for no bound.
    pub from: i64,
    pub until: i64,
    /// A login, as actor or subject.
    pub user: String,
    /// An exact action, such as `auth.login_failed`.
    pub action: String,
    /// The type: the part of the action before the dot, such as `auth` or `file`.
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub id: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub action: String,
    pub details: String,
    pub ip: String,
}

/// LOG-3: the result of the hash-chain check, shown above every page of events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Chain {
    /// Every event from the last retention checkpoint up to event `up_to` checks out.
    Intact {
        checked: i64,
        up_to: i64,
    },
    BrokenAt {
        id: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub session: ReadingSession,
    pub events: Vec<LogEvent>,
    pub total: i64,
    pub page: i64,
    pub chain: Chain,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRights {
    pub may_grant: bool,
    pub readers: Vec<Reader>,
    pub may_read: bool,
}

pub const EVENTS_PER_PAGE: i64 = 50;
/// A reading session ends by itself; a new question needs a new reason.
pub const READING_SECS: i64 = 2 * 3600;

#[server(prefix = "/api", endpoint = "logs/overview")]
pub async fn log_overview() -> Result<LogRights, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let may_grant = user.can(Capability::LogsReadGrant) && user.school_id.is_some();
    let readers = match (may_grant, user.school_id) {
        (true, Some(school)) => state.logs().readers(school).await?,
        _ => Vec::new(),
    };
    Ok(LogRights {
        may_grant,
        readers,
        may_read: readable_school(&state, &user).await.is_ok(),
    })
}

/// LOG-2: school management names a person who may read the log; never themselves.
#[server(prefix = "/api", endpoint = "logs/grant")]
pub async fn grant_log_right(login: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::LogsReadGrant)?;
    let login = login.trim().to_lowercase();
    if login == user.login {
        return Err(AppError::new(ErrorKind::Forbidden, Key::LogsNotYourself)
            .with_field("login", Key::LogsNotYourself));
    }
    let audit = AuditEvent::new("log.right_granted", &request_info())
        .actor(user.id, Some(school))
        .details(login.clone());
    app_state()
        .logs()
        .grant_reader(school, &login, user.id, &audit)
        .await?
        .ok_or_else(|| AppError::field("login", Key::ErrorNotFound))?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "logs/withdraw")]
pub async fn withdraw_log_right(user_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::LogsReadGrant)?;
    let audit = AuditEvent::new("log.right_withdrawn", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id);
    if !app_state()
        .logs()
        .withdraw_reader(school, user_id, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

/// LOG-2: a reading session starts with why (which violation) and a reference.
#[server(prefix = "/api", endpoint = "logs/open")]
pub async fn open_reading(reason: String, reference: String) -> Result<i64, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let school = readable_school(&state, &user).await?;
    let (reason, reference) = (reason.trim(), reference.trim());
    let mut error = AppError::kind(ErrorKind::BadInput);
    if reason.chars().count() < 10 || reason.chars().count() > 500 {
        error = error.with_field("reason", Key::LogsReasonRequired);
    }
    if reference.is_empty() || reference.chars().count() > 100 {
        error = error.with_field("reference", Key::LogsReferenceRequired);
    }
    if !error.fields.is_empty() {
        return Err(error);
    }
    let now = crate::platform::now();
    let session = ReadingSession {
        id: 0,
        school_id: (school != 0).then_some(school),
        reason: reason.to_string(),
        reference: reference.to_string(),
        started_at: now,
        expires_at: now + READING_SECS,
    };
    let audit =
        AuditEvent::new("log.reading_opened", &request_info()).actor(user.id, user.school_id);
    let id = state.logs().open_reading(&session, user.id, &audit).await?;
    leptos_axum::redirect(&format!("/logs?session={id}"));
    Ok(id)
}

/// LOG-2: one page of the school's events within a reading session; the query is logged.
#[server(prefix = "/api", endpoint = "logs/events")]
pub async fn log_events(
    session: i64,
    from: String,
    until: String,
    user: String,
    action: String,
    kind: String,
    page: i64,
) -> Result<LogPage, AppError> {
    let reader = authenticate()?;
    let state = app_state();
    let (reading, school) = live_reading(&state, &reader, session).await?;
    let filter = filter(&from, &until, &user, &action, &kind)?;
    let page = page.clamp(0, 100_000);
    let audit = AuditEvent::new("log.queried", &request_info())
        .actor(reader.id, reader.school_id)
        .details(format!("session {}: {filter:?} page {page}", reading.id));
    let (events, total) = state
        .logs()
        .events(
            school,
            &filter,
            page * EVENTS_PER_PAGE,
            EVENTS_PER_PAGE,
            &audit,
        )
        .await?;
    let chain = match state.audit().verify_recent().await? {
        ChainStatus::Intact(checked) => Chain::Intact {
            checked,
            up_to: state.audit().last_event_id().await?,
        },
        ChainStatus::BrokenAt(id) => Chain::BrokenAt { id },
    };
    Ok(LogPage {
        session: reading,
        events,
        total,
        page,
        chain,
    })
}
