//! The server-only half of the account lifecycle: the daily jobs.
use super::*;

pub(super) use crate::auth::school_staff;

pub(super) use crate::{
    audit::AuditEvent,
    auth::{Capability, rights::Act},
    error::ErrorKind,
    platform::{AppState, RequestInfo, app_state, request_info},
};

/// Runs every scheduled job once, if this server gets the lease (`holder` names it): leaving
/// dates (LIFE-2), deletions (LIFE-3), audit retention (LOG-3), the trash and the blob
/// collector (FILE-1). `None` when the lease is taken: another server ran them within the
/// hour. `now_please` (the operator's `schulhof admin run-jobs`) runs them regardless.
pub async fn run_jobs(
    state: &AppState,
    holder: &str,
    now_please: bool,
) -> Result<Option<JobReport>, String> {
    let now = crate::platform::now();
    let e = |e: sqlx::Error| e.to_string();
    let taken = state
        .lifecycle()
        .take_lease(JOBS, holder, now, JOB_INTERVAL_SECS - 60)
        .await
        .map_err(e)?;
    if !taken && !now_please {
        return Ok(None);
    }
    let system = RequestInfo::default();
    let today = crate::rules::calendar::date_of(crate::rules::date::berlin_day(now));
    let mut report = JobReport {
        deactivated: state
            .lifecycle()
            .deactivate_leavers(&today, now, &AuditEvent::new("user.left", &system))
            .await
            .map_err(e)?
            .len(),
        ..Default::default()
    };
    for id in state.lifecycle().due_for_deletion(now).await.map_err(e)? {
        let audit = AuditEvent::new("user.deleted", &system);
        if let Some(deleted) = state
            .lifecycle()
            .delete_account(id, now, &audit)
            .await
            .map_err(e)?
        {
            crate::files::delete_unreferenced(state, &deleted.blob_keys).await;
            report.deleted += 1;
        }
    }
    report.audit_deleted = state
        .audit()
        .apply_retention(
            now,
            state.config.audit_retention_min_days,
            &AuditEvent::new("audit.retention", &system),
        )
        .await
        .map_err(e)?;
    report.cases_closed = crate::mail::close_expired_cases(state).await?;
    let idle = state.config.session_idle.as_secs() as i64;
    report.sessions_purged = state
        .accounts()
        .purge_sessions(now, now - idle)
        .await
        .map_err(e)?;
    report.throttle_purged = state
        .throttle()
        .purge_throttle(crate::platform::now_ms())
        .await
        .map_err(e)?;
    report.mail_purged = crate::mail::purge_trash(state).await?;
    report.absence_details_purged = crate::absences::purge_details(state).await?;
    let (purged, collected) = crate::files::collect(state).await?;
    report.trash_purged = purged;
    report.blobs_collected = collected;
    // Kept as JSON: the page tells it in the reader's language.
    let summary = serde_json::to_string(&report).unwrap_or_default();
    state
        .lifecycle()
        .finish_lease(JOBS, now, &summary)
        .await
        .map_err(e)?;
    Ok(Some(report))
}
