//! LIFE-1..3: withdrawal by the parents, leaving, and irrevocable deletion after a grace
//! period, with a report for the school's records. The scheduled jobs run here too, on one
//! app server at a time (a lease in the database).
pub mod requests;
pub mod views;

pub use requests::{ConfirmEnd, EndRequest, EndRequests};

#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One deleted account, as the school keeps it: no content, no name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionReport {
    pub pseudonym: String,
    pub role: String,
    pub class: String,
    /// `withdrawn` or `left`.
    pub reason: String,
    pub created_at: i64,
    pub deactivated_at: i64,
    pub deleted_at: i64,
    pub summary: String,
}

/// LIFE-3: what deleting one person removed or kept, as the report stores it (JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionCounts {
    pub files: i64,
    /// Files in group folders, kept without the person's name.
    pub kept: i64,
    pub messages: i64,
    pub pseudonymised: i64,
}

impl DeletionCounts {
    /// The report's line in the reader's language; reports written before the counts were
    /// kept as JSON show their text as it was.
    pub fn describe(stored: &str, lang: crate::i18n::Lang) -> String {
        let Ok(c) = serde_json::from_str::<DeletionCounts>(stored) else {
            return stored.to_string();
        };
        lang.fill(
            crate::i18n::Key::LifeDeletionSummary,
            &[
                ("files", &c.files.to_string()),
                ("kept", &c.kept.to_string()),
                ("messages", &c.messages.to_string()),
                ("pseudonymised", &c.pseudonymised.to_string()),
            ],
        )
    }
}

impl JobReport {
    /// The last run's line in the reader's language (older runs kept English text).
    pub fn describe(stored: &str, lang: crate::i18n::Lang) -> String {
        let Ok(r) = serde_json::from_str::<JobReport>(stored) else {
            return stored.to_string();
        };
        lang.fill(
            crate::i18n::Key::LifeJobResult,
            &[
                ("deactivated", &r.deactivated.to_string()),
                ("deleted", &r.deleted.to_string()),
                ("audit", &r.audit_deleted.to_string()),
                ("trash", &r.trash_purged.to_string()),
                ("blobs", &r.blobs_collected.to_string()),
                ("cases", &r.cases_closed.to_string()),
                ("mail", &r.mail_purged.to_string()),
                ("sessions", &r.sessions_purged.to_string()),
                ("throttle", &r.throttle_purged.to_string()),
            ],
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionsView {
    pub reports: Vec<DeletionReport>,
    /// When the scheduled jobs last ran and what they did.
    pub last_run: Option<(i64, String)>,
    pub next_run_within_mins: i64,
}

/// LIFE-1: the secretariat records that the parents withdrew their child: deactivated at
/// once, deleted after the grace period.
#[server(prefix = "/api", endpoint = "lifecycle/withdraw")]
pub async fn record_withdrawal(user_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    crate::users::target_of(&user, school, Act::EndAccount, user_id).await?;
    let audit = AuditEvent::new("user.withdrawn", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id);
    if !app_state()
        .lifecycle()
        .withdraw(school, user_id, crate::platform::now(), &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

/// LIFE-3: until the grace period ends, the deletion can be called off.
#[server(prefix = "/api", endpoint = "lifecycle/cancel")]
pub async fn cancel_deletion(user_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    crate::users::target_of(&user, school, Act::EndAccount, user_id).await?;
    let audit = AuditEvent::new("user.deletion_cancelled", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id);
    if !app_state()
        .lifecycle()
        .cancel_deletion(school, user_id, crate::platform::now(), &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

#[server(prefix = "/api", endpoint = "lifecycle/reports")]
pub async fn deletion_reports() -> Result<DeletionsView, AppError> {
    let (_, school) = school_staff(Capability::UsersManage)?;
    let state = app_state();
    let lang = crate::i18n::use_lang();
    let last_run = state
        .lifecycle()
        .last_run(JOBS)
        .await?
        .map(|(at, stored)| (at, JobReport::describe(&stored, lang)));
    let next = last_run
        .as_ref()
        .map(|(at, _)| ((at + JOB_INTERVAL_SECS - crate::platform::now()) / 60).max(0))
        .unwrap_or(0);
    Ok(DeletionsView {
        reports: state
            .lifecycle()
            .deletion_reports(school)
            .await?
            .into_iter()
            .map(|r| DeletionReport {
                summary: DeletionCounts::describe(&r.summary, lang),
                ..r
            })
            .collect(),
        last_run,
        next_run_within_mins: next,
    })
}

/// The name of the lease the scheduled jobs run under.
pub const JOBS: &str = "scheduled-jobs";
pub const JOB_INTERVAL_SECS: i64 = 3600;

/// What one run of the scheduled jobs did. Kept as JSON, so that the page tells it in the
/// reader's language (issue 18).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobReport {
    pub deactivated: usize,
    pub deleted: usize,
    pub audit_deleted: i64,
    pub trash_purged: usize,
    pub blobs_collected: usize,
    /// MAIL-4: inspection cases closed at their end date.
    pub cases_closed: usize,
    /// MAIL-1: mail trash items past their age.
    pub mail_purged: usize,
    /// SEC-3: ended sessions and forgotten throttle rows removed.
    pub sessions_purged: u64,
    pub throttle_purged: u64,
    /// ABS-3: absences whose reasons and notes were blanked after the school year (reports
    /// kept from before this field read 0).
    #[serde(default)]
    pub absence_details_purged: u64,
}
