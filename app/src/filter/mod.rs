//! FLT-1, FLT-2: the link filter. [`check`] is the one call every module makes before it
//! saves text a person wrote: file and folder names and text files now; mail, calendar and
//! address book when they arrive. A blocked link refuses the save, names the link, and
//! writes a filter event to the audit log. Nothing is stored.
//!
//! The lists: the deployment's (kept by the operator) and each school's additions (kept by
//! its administrators), imported from list files or edited one entry at a time.
pub mod views;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::authenticate;
#[cfg(feature = "ssr")]
use crate::{
    audit::AuditEvent,
    auth::{Capability, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, RequestInfo, app_state, request_info},
    rules::links,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedEntry {
    pub id: i64,
    pub entry: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocklistView {
    /// `deployment` or `school`.
    pub scope: String,
    pub entries: Vec<BlockedEntry>,
    pub total: i64,
    pub may_edit_deployment: bool,
}

/// The first link in `texts` that a list blocks, if any.
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
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
#[cfg(feature = "ssr")]
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

#[server(prefix = "/api", endpoint = "filter/list")]
pub async fn blocklist(scope: String, query: String) -> Result<BlocklistView, AppError> {
    let user = authenticate()?;
    let list = list_of(&user, &scope)?;
    let query: String = query.trim().to_lowercase().chars().take(100).collect();
    let (entries, total) = app_state()
        .link_filter()
        .blocked_entries(list, &query)
        .await?;
    Ok(BlocklistView {
        scope: if list == 0 { "deployment" } else { "school" }.into(),
        entries,
        total,
        may_edit_deployment: user.can(Capability::SchoolsManage),
    })
}

/// Adds one domain or URL prefix (`bad.example`, `https://bad.example/games`).
#[server(prefix = "/api", endpoint = "filter/add")]
pub async fn add_blocked(scope: String, entry: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let list = list_of(&user, &scope)?;
    let parsed = links::parse_list_line(&entry)
        .ok_or_else(|| AppError::field("entry", Key::FilterEntryInvalid))?;
    let audit = AuditEvent::new("filter.list_changed", &request_info())
        .actor(user.id, user.school_id)
        .details(format!("added to list {list}: {}{}", parsed.0, parsed.1));
    app_state()
        .link_filter()
        .add_blocked(list, &[parsed], &audit)
        .await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "filter/remove")]
pub async fn remove_blocked(scope: String, id: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let list = list_of(&user, &scope)?;
    let audit = AuditEvent::new("filter.list_changed", &request_info())
        .actor(user.id, user.school_id)
        .details(format!("removed from list {list}:"));
    if !app_state()
        .link_filter()
        .remove_blocked(list, id, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}
