//! ACC-1: one deployment hosts several schools, each its own community. The operator creates
//! them and hands each its first administrator, in person, with a start-password slip.
pub mod views;

#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    audit::AuditEvent,
    auth::{Capability, require},
    error::ErrorKind,
    i18n::Key,
    platform::{app_state, authenticate, request_info},
    rules,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSummary {
    pub id: i64,
    pub name: String,
    pub mail_domain: String,
    pub people: i64,
}

#[server(prefix = "/api", endpoint = "schools/list")]
pub async fn list_schools() -> Result<Vec<SchoolSummary>, AppError> {
    let user = authenticate()?;
    require(&user, Capability::SchoolsManage)?;
    Ok(app_state().store.school_summaries().await?)
}

/// Creates a school with its own mail domain; the default policy comes with it.
#[server(prefix = "/api", endpoint = "schools/create")]
pub async fn create_school(name: String, mail_domain: String) -> Result<i64, AppError> {
    let user = authenticate()?;
    require(&user, Capability::SchoolsManage)?;
    let name = name.trim();
    if !rules::login::valid_name(name) {
        return Err(AppError::field("name", Key::ErrorRequired));
    }
    let domain = rules::domain::normalise(&mail_domain)
        .ok_or_else(|| AppError::field("mail_domain", Key::SchoolsDomainInvalid))?;
    let audit = AuditEvent::new("school.created", &request_info())
        .actor(user.id, None)
        .details(format!("{name} ({domain})"));
    let id = app_state()
        .store
        .create_school(name, &domain, &audit)
        .await?;
    id.ok_or_else(|| {
        AppError::new(ErrorKind::Conflict, Key::SchoolsDomainTaken)
            .with_field("mail_domain", Key::SchoolsDomainTaken)
    })
}
