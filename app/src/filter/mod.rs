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
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
