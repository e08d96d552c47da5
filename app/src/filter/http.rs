//! `POST /admin/filter/import?scope=school|deployment`: a list file (multipart field `file`),
//! one domain or URL a line, hosts-file lines and `#` comments allowed. A million lines are
//! one transaction.
use axum::{
    Extension,
    extract::{FromRequest, Multipart, Query, Request, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};

use crate::audit::AuditEvent;
use crate::auth::SessionUser;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo};
use crate::rules::links;
use crate::web::{SignedIn, failure, wants_json};

/// A list file larger than this is refused: a million domains take about 25 MB.
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// `?scope=school` (the default) or `?scope=deployment`.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ImportQuery {
    scope: String,
}

pub async fn import(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let scope = query.scope;
    let back = format!(
        "/admin/filter?scope={}",
        if scope == "deployment" {
            "deployment"
        } else {
            "school"
        }
    );
    match receive(&state, &user, &info, &scope, request).await {
        Ok(added) if wants_json(&headers) => (
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"added\":{added}}}"),
        )
            .into_response(),
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) => failure(&headers, error, &back, Key::FilterTitle),
    }
}

async fn receive(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    scope: &str,
    request: Request,
) -> Result<u64, AppError> {
    let list = super::list_of(user, scope)?;
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| AppError::new(ErrorKind::BadInput, Key::FilterImportEmpty))?;
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut name = String::new();
    // SEC-3: one limit for the whole request, whatever its parts; other fields are read and
    // counted too, never skipped uncounted.
    let mut total = 0;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        let is_file = field.name() == Some("file");
        if is_file {
            name = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect();
        }
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(_) => return Err(AppError::new(ErrorKind::BadInput, Key::FilesConnectionLost)),
            };
            total += chunk.len();
            if total > MAX_LIST_BYTES {
                return Err(AppError::new(
                    ErrorKind::TooLarge,
                    Key::FilterImportTooLarge,
                ));
            }
            if !is_file {
                continue;
            }
            // Whole lines only; the rest waits for the next chunk. Only the new chunk is
            // searched for the last line break, so a file without any stays linear work.
            let before = pending.len();
            pending.extend_from_slice(&chunk);
            if let Some(end) = chunk
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|at| before + at)
            {
                let text = String::from_utf8_lossy(&pending[..end]).into_owned();
                entries.extend(text.lines().filter_map(links::parse_list_line));
                pending.drain(..=end);
            }
        }
        entries.extend(
            String::from_utf8_lossy(&pending)
                .lines()
                .filter_map(links::parse_list_line),
        );
    }
    if entries.is_empty() {
        return Err(AppError::new(ErrorKind::BadInput, Key::FilterImportEmpty));
    }
    entries.sort();
    entries.dedup();
    let audit = AuditEvent::new("filter.list_imported", info)
        .actor(user.id, user.school_id)
        .details(format!(
            "list {list}: {} entries from {name}",
            entries.len()
        ));
    Ok(state
        .link_filter()
        .add_blocked(list, &entries, &audit)
        .await?)
}
