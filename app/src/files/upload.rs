//! `POST /files/upload?space=me&folder=0`: multipart, one or more `file` fields (FILE-2:
//! refused before the body is read when its declared length is too big, and cut off at the
//! limit when it declares none). Each file is checked against the blocked types and the link
//! filter (FLT-1, FLT-3) before it is kept.
use axum::{
    Extension,
    extract::{FromRequest, Multipart, Request, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    Space, allowance, node_access, space_access,
    store::{NewNode, Saved},
};
use crate::auth::SessionUser;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo, blob::Blobs};
use crate::rules::files as rule;

use super::transfer::{FilesQuery, failure, refuse_blocked, refuse_size, target, too_large};
use crate::web::{Query, SignedIn, download::content_type_for, wants_json};

/// What multipart framing may add to a file's bytes: boundaries and part headers.
const MULTIPART_SLACK: i64 = 16 * 1024;

fn files_url(space: Space, folder: Option<i64>) -> String {
    format!(
        "/files?space={}&folder={}",
        space.code(),
        folder.unwrap_or(0)
    )
}

/// `POST /files/upload`.
pub async fn upload(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<FilesQuery>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    // The mail compose form uploads new attachments into the person's files and comes back.
    let back = match query.back.as_deref() {
        Some(back) if back.starts_with("/mail/compose?draft=") && !back.contains("//") => {
            back.to_string()
        }
        _ => target(&query)
            .map(|t| files_url(t.space, t.folder))
            .unwrap_or_else(|_| "/files".into()),
    };
    match receive(&state, &user, &info, &query, request).await {
        Ok(ids) if wants_json(&headers) => {
            let body = format!(
                "{{\"ids\":[{}]}}",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            );
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) => failure(&headers, error, &back),
    }
}

async fn receive(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    query: &FilesQuery,
    request: Request,
) -> Result<Vec<i64>, AppError> {
    let target = target(query)?;
    let access = space_access(state, user, target.space).await?;
    super::addable(access.standing)?;
    let space = access.space;
    if let Some(folder) = target.folder {
        let (node, _) = node_access(state, user, folder, false).await?;
        if node.space() != space || !node.is_folder {
            return Err(AppError::kind(ErrorKind::NotFound));
        }
    }
    let allowance = allowance(state, user).await?;
    let room = allowance.quota - allowance.used;
    // Refused before a byte of the body is read, when the length is declared.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    if let Some(length) = declared {
        let payload = length - MULTIPART_SLACK;
        if rule::check_transfer(payload, allowance.transfer_limit).is_err() {
            return Err(refuse_size(
                state,
                user,
                info,
                &format!("upload of {length} bytes"),
                Key::FilesTooLarge,
            )
            .await);
        }
        if rule::check_quota(payload, allowance.used, allowance.quota).is_err() {
            return Err(too_large(Key::FilesQuotaFull));
        }
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| AppError::new(ErrorKind::BadInput, Key::FilesConnectionLost))?;
    let blocked = allowance.blocked;
    let mut received: i64 = 0;
    let mut ids = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(AppError::new(ErrorKind::BadInput, Key::FilesConnectionLost)),
        };
        if field.name() != Some("file") {
            continue;
        }
        let Some(raw_name) = field.file_name().map(str::to_string) else {
            continue;
        };
        // A file input left empty sends a part with no name and no bytes.
        if raw_name.is_empty() {
            continue;
        }
        let name = rule::normalize_name(&raw_name)
            .map_err(|message| AppError::new(ErrorKind::BadInput, message))?;
        if let Some(ext) = rule::blocked_by_name(&name, &blocked) {
            return Err(refuse_blocked(state, user, info, &name, &ext).await);
        }
        crate::filter::check(state, user, info, "file", &[&name]).await?;
        // FLT-1: the text of files that people open as text or links is read for links too.
        let mut text_window: Option<Vec<u8>> = rule::is_text_for_filter(&name).then(Vec::new);
        let key = Blobs::new_key();
        let mut writer = state.blobs.writer(&key).await.map_err(AppError::internal)?;
        let mut field = field;
        let mut size: i64 = 0;
        let mut head: Vec<u8> = Vec::new();
        let outcome: Result<(), AppError> = async {
            loop {
                let chunk = match field.chunk().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break,
                    Err(_) => {
                        return Err(AppError::new(ErrorKind::BadInput, Key::FilesConnectionLost));
                    }
                };
                size += chunk.len() as i64;
                received += chunk.len() as i64;
                // Counted while streaming: reading stops at the limit.
                if rule::check_transfer(received, allowance.transfer_limit).is_err() {
                    return Err(refuse_size(
                        state,
                        user,
                        info,
                        &format!("upload of {name}: over {received} bytes"),
                        Key::FilesTooLarge,
                    )
                    .await);
                }
                if rule::check_quota(received, allowance.used, allowance.quota).is_err()
                    || received > room
                {
                    return Err(too_large(Key::FilesQuotaFull));
                }
                if head.len() < rule::SNIFF_BYTES {
                    let wanted = (rule::SNIFF_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..wanted]);
                    if head.len() >= rule::SNIFF_BYTES {
                        check_content(state, user, info, &name, &head, &blocked).await?;
                    }
                }
                if let Some(window) = text_window.as_mut() {
                    scan_text(state, user, info, window, &chunk).await?;
                }
                writer.write(chunk).await.map_err(AppError::internal)?;
            }
            check_content(state, user, info, &name, &head, &blocked).await
        }
        .await;
        if let Err(error) = outcome {
            writer.abort().await;
            return Err(error);
        }
        writer.finish().await.map_err(AppError::internal)?;
        // The blob is complete and durable; only now may a row point to it.
        let saved = state
            .files()
            .create_node(&NewNode {
                school_id: user.school_id.unwrap_or_default(),
                space,
                parent_id: target.folder,
                name: &name,
                blob_key: Some(&key),
                size,
                content_type: content_type_for(&name),
                created_by: user.id,
                quota: allowance.quota,
            })
            .await;
        match saved {
            Ok(Saved::Done(id)) => ids.push(id),
            other => {
                let _ = state.blobs.delete(&key).await;
                return Err(super::saved(other?)
                    .err()
                    .unwrap_or_else(|| AppError::kind(ErrorKind::Internal)));
            }
        }
    }
    if ids.is_empty() {
        return Err(AppError::new(ErrorKind::BadInput, Key::FilesNothingChosen));
    }
    Ok(ids)
}

/// How much of the previous chunk is read again with the next, so that a link cut in two
/// by a chunk boundary is seen whole.
const LINK_OVERLAP: usize = 4096;

/// FLT-1 for text files: checks `chunk` together with the tail of what came before.
async fn scan_text(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    window: &mut Vec<u8>,
    chunk: &[u8],
) -> Result<(), AppError> {
    window.extend_from_slice(chunk);
    let text = String::from_utf8_lossy(window).into_owned();
    crate::filter::check(state, user, info, "file", &[&text]).await?;
    let keep = window.len().saturating_sub(LINK_OVERLAP);
    window.drain(..keep);
    Ok(())
}

async fn check_content(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    name: &str,
    head: &[u8],
    blocked: &[String],
) -> Result<(), AppError> {
    match rule::executable_kind(head) {
        Some(kind) if blocked.iter().any(|b| b == kind) => {
            Err(refuse_blocked(state, user, info, name, &format!("content is {kind}")).await)
        }
        _ => Ok(()),
    }
}
