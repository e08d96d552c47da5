//! What the files routes share: the folder a request names, the answer to a failure, and the
//! refusals of blocked types and oversized transfers, which are audited (FLT-3, FILE-2). Mail
//! uses the same transfer refusal for its attachments.
use axum::{http::HeaderMap, response::Response};

use super::Space;
use crate::audit::AuditEvent;
use crate::auth::SessionUser;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo};

/// The answer to a failed plain request: JSON for scripts, a page for people.
pub(crate) fn failure(headers: &HeaderMap, error: AppError, back: &str) -> Response {
    crate::web::failure(headers, error, back, Key::FilesTitle)
}

pub(super) struct Target {
    pub(super) space: Space,
    pub(super) folder: Option<i64>,
}

/// What the files routes read from their query string; each field is checked where it is used.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FilesQuery {
    /// `me`, `school` or `group-<id>`; `me` when absent.
    pub(super) space: Option<String>,
    /// A folder's id; absent, empty or `0` for the top level.
    pub(super) folder: Option<String>,
    /// Where an upload from the mail compose form goes back to.
    pub(super) back: Option<String>,
    /// Present (`?inline=1`) to show an image or PDF in the page instead of saving it.
    pub(super) inline: Option<String>,
}

pub(super) fn target(query: &FilesQuery) -> Result<Target, AppError> {
    let space = Space::parse(query.space.as_deref().unwrap_or("me"))
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let folder = match query.folder.as_deref() {
        None | Some("" | "0") => None,
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| AppError::kind(ErrorKind::NotFound))?,
        ),
    };
    Ok(Target { space, folder })
}

pub(super) fn too_large(key: Key) -> AppError {
    AppError::new(ErrorKind::TooLarge, key)
}

/// FLT-3: refusals are filter events in the audit log, with who, which name and why.
pub(crate) async fn refuse_blocked(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    name: &str,
    kind: &str,
) -> AppError {
    let audit = AuditEvent::new("filter.file_blocked", info)
        .actor(user.id, user.school_id)
        .details(format!("{name}: {kind}"));
    if let Err(e) = state.audit().record(&audit).await {
        tracing::error!(error = %e, "could not record a filter event");
    }
    AppError::new(ErrorKind::BadInput, Key::FilesBlockedType)
}

/// FILE-2: refusals of oversized transfers are audited too: they are attempts to break a rule.
pub(crate) async fn refuse_size(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    what: &str,
    key: Key,
) -> AppError {
    let audit = AuditEvent::new("file.transfer_refused", info)
        .actor(user.id, user.school_id)
        .details(what.to_string());
    if let Err(e) = state.audit().record(&audit).await {
        tracing::error!(error = %e, "could not record a refusal");
    }
    too_large(key)
}
