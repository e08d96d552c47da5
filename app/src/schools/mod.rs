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
    auth::{Capability, authenticate, require},
    error::ErrorKind,
    i18n::Key,
    platform::{app_state, request_info},
    rules,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSummary {
    pub id: i64,
    pub name: String,
    pub mail_domain: String,
    pub people: i64,
    /// Issue 18 §6: who runs the school (administrators and management), so that the
    /// operator sees at once whether a school has one, and creates nobody twice.
    pub leaders: Vec<SchoolLeader>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolLeader {
    pub name: String,
    pub login: String,
    pub role: crate::auth::Role,
}

#[server(prefix = "/api", endpoint = "schools/list")]
pub async fn list_schools() -> Result<Vec<SchoolSummary>, AppError> {
    let user = authenticate()?;
    require(&user, Capability::SchoolsManage)?;
    Ok(app_state().school_summary().school_summaries().await?)
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
        .schools()
        .create_school(name, &domain, &audit)
        .await?;
    id.ok_or_else(|| {
        AppError::new(ErrorKind::Conflict, Key::SchoolsDomainTaken)
            .with_field("mail_domain", Key::SchoolsDomainTaken)
    })
}

/// FILE-2, FILE-1, LIFE-3, LOG-3: what each school decides for itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolLimits {
    pub transfer_limit_mb: i64,
    pub trash_days: i64,
    pub deletion_grace_days: i64,
    pub audit_retention_days: i64,
}

#[server(prefix = "/api", endpoint = "schools/settings")]
pub async fn school_settings() -> Result<SchoolLimits, AppError> {
    let (_, school) = crate::auth::school_staff(Capability::FilesManage)?;
    app_state()
        .school_settings()
        .settings(school)
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))
}

#[server(prefix = "/api", endpoint = "schools/set-settings")]
pub async fn set_school_settings(
    transfer_limit_mb: i64,
    trash_days: i64,
    deletion_grace_days: i64,
    audit_retention_days: i64,
) -> Result<(), AppError> {
    let (user, school) = crate::auth::school_staff(Capability::FilesManage)?;
    let mut error = AppError::kind(ErrorKind::BadInput);
    // LOG-3, SEC-5: the operator fixes how short a school may keep its log.
    let min_retention = app_state().config.audit_retention_min_days;
    for (field, value, range) in [
        ("transfer_limit_mb", transfer_limit_mb, 1..=1024),
        ("trash_days", trash_days, 1..=365),
        ("deletion_grace_days", deletion_grace_days, 1..=90),
        (
            "audit_retention_days",
            audit_retention_days,
            min_retention..=730,
        ),
    ] {
        if !range.contains(&value) {
            error = error.with_field(field, Key::SettingsRange);
        }
    }
    if !error.fields.is_empty() {
        return Err(error);
    }
    let settings = SchoolLimits {
        transfer_limit_mb,
        trash_days,
        deletion_grace_days,
        audit_retention_days,
    };
    let audit = AuditEvent::new("school.settings_changed", &request_info())
        .actor(user.id, Some(school))
        .details(format!("{settings:?}"));
    app_state()
        .school_settings()
        .set_settings(school, &settings, &audit)
        .await?;
    Ok(())
}
