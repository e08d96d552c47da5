//! LIFE-1, PAR-4: "nach entsprechender Mitteilung der Eltern": a guardian asks online for
//! their child's account to end (`guardians/end-request`); management sees the open requests
//! and confirms each, which starts the withdrawal. Confirming is a capability of its own
//! (`EndRequestsConfirm`): management gains no general right to withdraw accounts.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;
use crate::error::AppError;

/// An open request, as management sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndRequest {
    pub id: i64,
    pub pupil_id: i64,
    pub pupil: String,
    pub class: Option<String>,
    /// Who asked (`None` once their account is gone).
    pub guardian: Option<String>,
    pub note: String,
    pub created_at: i64,
}

/// LIFE-1: the school's open requests to end a child's use, oldest first.
#[server(prefix = "/api", endpoint = "lifecycle/end-requests")]
pub async fn end_requests() -> Result<Vec<EndRequest>, AppError> {
    let (_, school) = school_staff(Capability::EndRequestsConfirm)?;
    Ok(app_state().lifecycle().end_requests(school).await?)
}

/// LIFE-1: management confirms a request: the child's account is withdrawn (deactivated at
/// once, deleted after the grace period), as if the secretariat had recorded it.
#[server(prefix = "/api", endpoint = "lifecycle/confirm-end")]
pub async fn confirm_end(request_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::EndRequestsConfirm)?;
    let audit = AuditEvent::new("user.withdrawn", &request_info())
        .actor(user.id, Some(school))
        .details(format!("end request {request_id}"));
    if !app_state()
        .lifecycle()
        .confirm_end(school, request_id, crate::platform::now(), &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}
