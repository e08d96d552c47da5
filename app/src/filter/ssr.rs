//! The server-only half of the link filter: the checks the server functions share.
use super::*;

pub(super) use crate::auth::authenticate;

pub(super) use crate::{
    audit::AuditEvent,
    auth::{Capability, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, RequestInfo, app_state, request_info},
    rules::links,
};

/// The first link in `texts` that a list blocks, if any.
pub async fn first_blocked(
    state: &AppState,
    school_id: i64,
    texts: &[&str],
) -> Result<Option<links::Link>, AppError> {
    let found: Vec<links::Link> = texts.iter().flat_map(|t| links::find_links(t)).collect();
    if found.is_empty() {
        return Ok(None);
    }
    let mut hosts: Vec<String> = found
        .iter()
        .flat_map(|l| links::host_and_parents(&l.host))
        .collect();
    hosts.sort();
    hosts.dedup();
    let entries = state
        .link_filter()
        .blocked_matches(school_id, &hosts)
        .await?;
    if entries.is_empty() {
        return Ok(None);
    }
    Ok(found.into_iter().find(|link| {
        let candidates = links::host_and_parents(&link.host);
        entries.iter().any(|(domain, prefix)| {
            candidates.contains(domain)
                && (prefix.is_empty()
                    || link.path == *prefix
                    || link.path.starts_with(&format!("{prefix}/")))
        })
    }))
}

/// FLT-1: refuses the save when `texts` hold a blocked link, and logs the attempt as a filter
/// event. `field` names what was being saved (a form field, or "file name").
pub async fn check(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    field: &str,
    texts: &[&str],
) -> Result<(), AppError> {
    let Some(school) = user.school_id else {
        return Ok(());
    };
    let Some(link) = first_blocked(state, school, texts).await? else {
        return Ok(());
    };
    let audit = AuditEvent::new("filter.link_blocked", info)
        .actor(user.id, Some(school))
        .details(format!("{field}: {}", link.original));
    state.audit().record(&audit).await?;
    Err(AppError::new(ErrorKind::BadInput, Key::FilterLinkBlocked)
        .with_field(field, Key::FilterLinkBlockedField)
        .with_detail(link.original))
}

/// Which list a call works on, and whether the caller may change it: the deployment's list is
/// the operator's, a school's list its administrators'.
pub fn list_of(user: &SessionUser, scope: &str) -> Result<i64, AppError> {
    match scope {
        "deployment" => {
            crate::auth::require(user, Capability::SchoolsManage)?;
            Ok(0)
        }
        "school" => crate::auth::require_in_school(user, Capability::FilterManage),
        // An unknown value is bad input, never silently the school's list.
        _ => Err(AppError::field("scope", Key::ErrorBadInput)),
    }
}
