//! The streaming routes of the files feature. Each authenticates and authorises like a
//! server function, with the same helpers.
//!
//! - `POST /files/upload?space=me&folder=0`: multipart, one or more `file` fields (FILE-2:
//!   refused before the body is read when its declared length is too big, and cut off at the
//!   limit when it declares none).
//! - `GET /files/download/{id}`: one file, with `Range` (FILE-2: within the limit).
//! - `GET /files/archive?space=me&folder=0`: a folder as ZIP (FILE-2: its total counts).
//! - `GET /account/export.zip`: everything the person owns (FILE-3).
use std::collections::HashMap;

use axum::{
    Extension,
    body::Body,
    extract::{FromRequest, Multipart, Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};

use super::{
    Space, SpaceRef, allowance,
    blob::Blobs,
    node_access, space_access,
    store::{NewNode, Saved},
    zip_stream::{self, Entry},
};
use crate::audit::AuditEvent;
use crate::auth::SessionUser;
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Key, Lang};
use crate::platform::{
    AppState, RequestInfo,
    request::{CurrentSession, signed_in},
};
use crate::rules::files as rule;
use crate::users::http::{error_page, lang_of};

/// What multipart framing may add to a file's bytes: boundaries and part headers.
const MULTIPART_SLACK: i64 = 16 * 1024;

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

fn json_error(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json_string(error);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn serde_json_string(error: &AppError) -> String {
    serde_json::to_string(error).unwrap_or_default()
}

fn files_url(space: Space, folder: Option<i64>) -> String {
    format!(
        "/files?space={}&folder={}",
        space.code(),
        folder.unwrap_or(0)
    )
}

/// The answer to a failed plain request: JSON for scripts, a page for people.
pub(crate) fn failure(headers: &HeaderMap, error: AppError, back: &str) -> Response {
    if error.kind == ErrorKind::Unauthenticated && !wants_json(headers) {
        return Redirect::to("/login").into_response();
    }
    if wants_json(headers) {
        json_error(&error)
    } else {
        error_page(lang_of(headers), &error, back, Key::FilesTitle)
    }
}

/// A content type from the name only: what a client claims is never trusted.
pub fn content_type_for(name: &str) -> &'static str {
    match rule::extension(name).as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("txt" | "csv" | "md") => "text/plain; charset=utf-8",
        Some("mp3") => "audio/mpeg",
        Some("mp4") => "video/mp4",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Only these open in the browser; everything else, HTML and SVG included, is a download,
/// so no uploaded file can run script on our origin.
pub fn previewable(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/pdf" | "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    ) || content_type.starts_with("audio/")
        || content_type.starts_with("video/")
}

/// `attachment; filename="Brief.pdf"; filename*=UTF-8''Brief.pdf`, safe for any name.
pub fn disposition(name: &str, inline: bool) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A `Range` the file cannot serve (answered 416).
#[derive(Debug, PartialEq, Eq)]
pub struct Unsatisfiable;

/// The one byte range of a `Range: bytes=…` header, within `size`.
pub fn byte_range(header: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    // Several ranges at once are allowed to be answered with the whole file.
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| Unsatisfiable)?;
            if n == 0 {
                return Err(Unsatisfiable);
            }
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        (start, "") => (
            start.parse().map_err(|_| Unsatisfiable)?,
            size.saturating_sub(1),
        ),
        (start, end) => (
            start.parse().map_err(|_| Unsatisfiable)?,
            end.parse::<u64>()
                .map_err(|_| Unsatisfiable)?
                .min(size.saturating_sub(1)),
        ),
    };
    if size == 0 || start > end || start >= size {
        return Err(Unsatisfiable);
    }
    Ok(Some((start, end)))
}

struct Target {
    space: Space,
    folder: Option<i64>,
}

fn target(query: &HashMap<String, String>) -> Result<Target, AppError> {
    let space = Space::parse(query.get("space").map(String::as_str).unwrap_or("me"))
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let folder = match query.get("folder").map(String::as_str) {
        None | Some("" | "0") => None,
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| AppError::kind(ErrorKind::NotFound))?,
        ),
    };
    Ok(Target { space, folder })
}

fn too_large(key: Key) -> AppError {
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
    if let Err(e) = state.store.record(&audit).await {
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
    if let Err(e) = state.store.record(&audit).await {
        tracing::error!(error = %e, "could not record a refusal");
    }
    too_large(key)
}

/// `POST /files/upload`.
pub async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    // The mail compose form uploads new attachments into the person's files and comes back.
    let back = match query.get("back") {
        Some(back) if back.starts_with("/mail/compose?draft=") && !back.contains("//") => {
            back.clone()
        }
        _ => target(&query)
            .map(|t| files_url(t.space, t.folder))
            .unwrap_or_else(|_| "/files".into()),
    };
    match receive(&state, &session, &info, &query, request).await {
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
    session: &CurrentSession,
    info: &RequestInfo,
    query: &HashMap<String, String>,
    request: Request,
) -> Result<Vec<i64>, AppError> {
    let user = signed_in(session)?;
    let target = target(query)?;
    let (space, can_write) = space_access(state, &user, target.space).await?;
    super::writable(can_write)?;
    if let Some(folder) = target.folder {
        let (node, _) = node_access(state, &user, folder, false).await?;
        if node.space() != space || !node.is_folder {
            return Err(AppError::kind(ErrorKind::NotFound));
        }
    }
    let allowance = allowance(state, &user).await?;
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
                &user,
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
            return Err(refuse_blocked(state, &user, info, &name, &ext).await);
        }
        crate::filter::check(state, &user, info, "file", &[&name]).await?;
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
                        &user,
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
                        check_content(state, &user, info, &name, &head, &blocked).await?;
                    }
                }
                if let Some(window) = text_window.as_mut() {
                    scan_text(state, &user, info, window, &chunk).await?;
                }
                writer.write(chunk).await.map_err(AppError::internal)?;
            }
            check_content(state, &user, info, &name, &head, &blocked).await
        }
        .await;
        if let Err(error) = outcome {
            writer.abort().await;
            return Err(error);
        }
        writer.finish().await.map_err(AppError::internal)?;
        // The blob is complete and durable; only now may a row point to it.
        let saved = state
            .store
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

/// `GET /files/download/{id}` (`?inline=1` to preview images and PDFs).
pub async fn download(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let user = signed_in(&session)?;
        let (node, _) = node_access(&state, &user, id, false).await?;
        let key = node
            .blob_key
            .clone()
            .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
        let limit = allowance(&state, &user).await?.transfer_limit;
        if rule::check_transfer(node.size, limit).is_err() {
            return Err(refuse_size(
                &state,
                &user,
                &info,
                &format!("download of {}", node.name),
                Key::FilesTooLargeDownload,
            )
            .await);
        }
        Ok((node, key))
    }
    .await;
    match result {
        Ok((node, key)) => {
            let inline = query.contains_key("inline");
            serve_blob(
                &state,
                &headers,
                &node.name,
                &node.content_type,
                node.size,
                &key,
                inline,
            )
            .await
        }
        Err(error) => failure(&headers, error, "/files"),
    }
}

/// Streams a stored blob as a download: ranges, a safe content type and disposition, no cache.
/// Only images and PDFs may show `inline`; everything else is an attachment.
pub async fn serve_blob(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    content_type: &str,
    size: i64,
    key: &str,
    inline: bool,
) -> Response {
    let size = size as u64;
    let range = match byte_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        size,
    ) {
        Ok(range) => range,
        Err(Unsatisfiable) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response();
        }
    };
    let stream = match state
        .blobs
        .read(key, range.map(|(start, end)| start..end + 1))
        .await
    {
        Ok(stream) => stream,
        Err(e) => return failure(headers, AppError::internal(e), "/files"),
    };
    let inline = inline && previewable(content_type);
    let mut response = Response::new(Body::from_stream(stream));
    let out = response.headers_mut();
    let content_type = if previewable(content_type) || content_type.starts_with("text/plain") {
        content_type
    } else {
        "application/octet-stream"
    };
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    out.insert(header::CONTENT_DISPOSITION, disposition(name, inline));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    match range {
        Some((start, end)) => {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let out = response.headers_mut();
            out.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start + 1));
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                out.insert(header::CONTENT_RANGE, value);
            }
        }
        None => {
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        }
    }
    response
}

fn zip_response(name: &str, body: Body) -> Response {
    let mut response = Response::new(body);
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    out.insert(header::CONTENT_DISPOSITION, disposition(name, false));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Already the final bytes; compressing them again would only cost time.
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
    response
}

/// `GET /files/archive?space=…&folder=…`: a folder as one ZIP, within the transfer limit.
pub async fn archive(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let user = signed_in(&session)?;
        let target = target(&query)?;
        let (space, _) = space_access(&state, &user, target.space).await?;
        let mut name = "Dateien".to_string();
        if let Some(folder) = target.folder {
            let (node, _) = node_access(&state, &user, folder, false).await?;
            if node.space() != space || !node.is_folder {
                return Err(AppError::kind(ErrorKind::NotFound));
            }
            name = node.name;
        }
        let items = state.store.archive_items(space, target.folder).await?;
        let total: i64 = items.iter().map(|i| i.size).sum();
        let limit = allowance(&state, &user).await?.transfer_limit;
        if rule::check_transfer(total, limit).is_err() {
            return Err(refuse_size(
                &state,
                &user,
                &info,
                &format!("archive of {name}: {total} bytes"),
                Key::FilesTooLargeDownload,
            )
            .await);
        }
        let entries = items
            .into_iter()
            .map(|i| Entry::Blob {
                path: i.path,
                key: i.blob_key,
                size: i.size,
            })
            .collect();
        Ok((name, entries))
    }
    .await;
    match result {
        Ok((name, entries)) => zip_response(
            &format!("{name}.zip"),
            zip_stream::body(state.blobs.clone(), entries),
        ),
        Err(error) => failure(&headers, error, "/files"),
    }
}

/// FILE-3: the parts of "download all my data". Each feature adds its own part here: mail as
/// `.eml`, the calendar as `.ics`, the address-book entry as `.vcf`.
async fn export_parts(
    state: &AppState,
    user: &SessionUser,
    lang: Lang,
) -> Result<(Vec<Entry>, Vec<String>), AppError> {
    let mut entries = Vec::new();
    let mut contents = Vec::new();
    let personal = SpaceRef {
        owner: user.id,
        group: 0,
    };
    let files = state.store.archive_items(personal, None).await?;
    contents.push(lang.fill(
        Key::FilesExportFilesLine,
        &[("count", &files.len().to_string())],
    ));
    entries.extend(files.into_iter().map(|i| Entry::Blob {
        path: format!("{}/{}", lang.t(Key::FilesExportFolder), i.path),
        key: i.blob_key,
        size: i.size,
    }));
    let (mail, line) = crate::mail::export::entries(state, user, lang).await?;
    entries.extend(mail);
    contents.push(line);
    // AB-2, CAL-1: the own address book entry and every calendar the person reads.
    if let Some(school) = user.school_id
        && let Some(entry) = state.store.entry_of(school, user.id).await?
    {
        entries.push(Entry::Text {
            path: format!("{}/{}.vcf", lang.t(Key::AbTitle), user.login),
            content: crate::addressbook::vcard(
                &entry,
                user.school_name.as_deref().unwrap_or_default(),
            ),
        });
        entries.push(Entry::Text {
            path: format!("{}/{}.ics", lang.t(Key::CalTitle), user.login),
            content: crate::calendar::feed_text(state, user, "all").await?,
        });
        contents.push(lang.t(Key::CalExportLine).to_string());
    }
    Ok((entries, contents))
}

/// `GET /account/export.zip`. FILE-3 makes keeping a copy the user's own duty, so this is not
/// held to the transfer limit. Every export is in the audit log.
pub async fn export(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let user = signed_in(&session)?;
        let (mut entries, contents) = export_parts(&state, &user, lang).await?;
        let readme = format!(
            "{}\r\n\r\n{}\r\n\r\n- {}\r\n",
            lang.fill(
                Key::FilesExportReadmeTitle,
                &[("name", &format!("{} {}", user.first_name, user.last_name))]
            ),
            lang.fill(
                Key::FilesExportReadmeDate,
                &[("date", &lang.timestamp(crate::platform::now()))]
            ),
            contents.join("\r\n- ")
        );
        entries.insert(
            0,
            Entry::Text {
                path: "README.txt".into(),
                content: readme,
            },
        );
        let audit = AuditEvent::new("account.exported", &info)
            .actor(user.id, user.school_id)
            .details(format!("{} entries", entries.len()));
        state.store.record(&audit).await?;
        Ok((user.login, entries))
    }
    .await;
    match result {
        Ok((login, entries)) => zip_response(
            &format!("schulhof-{login}.zip"),
            zip_stream::body(state.blobs.clone(), entries),
        ),
        Err(error) => failure(&headers, error, "/account"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_1_ranges_follow_rfc_9110() {
        assert_eq!(byte_range(None, 100), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=95-200"), 100), Ok(Some((95, 99))));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=5-1"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=x-1"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), Ok(None));
    }

    #[test]
    fn file_1_download_names_are_safe_in_headers() {
        let value = disposition("Brief \"an\" Eltern\r\n.pdf", false);
        let text = value.to_str().unwrap();
        assert!(text.starts_with("attachment; filename=\"Brief _an_ Eltern__.pdf\""));
        assert!(text.contains("filename*=UTF-8''Brief%20%22an%22%20Eltern%0D%0A.pdf"));
        assert!(!previewable("text/html"));
        assert!(!previewable("image/svg+xml"));
        assert_eq!(content_type_for("bild.SVG"), "application/octet-stream");
    }
}
