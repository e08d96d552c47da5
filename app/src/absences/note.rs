//! ABS-1: the doctor's note ("Attest") a family attaches to a report from the school's third
//! day: `POST /absences/note/{absence_id}` (multipart, field `file`: a photo or a PDF), and
//! `GET /absences/note/{absence_id}` for those who keep the child's absences. Held to the
//! school's transfer limit (FILE-2) and the blocked types (FLT-3) like every upload; only a
//! photo or a PDF whose first bytes say so is taken. Stored in the blob store like a file, not
//! in anyone's folder and against no quota; the retention job removes it with the reason.
use axum::{
    Extension,
    extract::{FromRequest, Multipart, Path, Request, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};

use super::ssr::{Capability, SessionUser, class_kept_by, require_in_school};
use crate::audit::AuditEvent;
use crate::error::{AppError, ErrorKind};
use crate::files::transfer::{refuse_blocked, refuse_size};
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo, blob::Blobs};
use crate::rules::{absence as rule, files as file_rule};
use crate::web::{SignedIn, download::serve_blob, failure};

/// What multipart framing may add to a file's bytes.
const MULTIPART_SLACK: i64 = 16 * 1024;

/// `POST /absences/note/{absence_id}`: the family's photo of the doctor's note.
pub async fn upload(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Path(absence_id): Path<i64>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    match receive(&state, &user, &info, absence_id, request).await {
        Ok(pupil_id) => Redirect::to(&format!("/#child-{pupil_id}")).into_response(),
        Err(error) => failure(&headers, error, "/", Key::DashboardTitle),
    }
}

async fn receive(
    state: &AppState,
    user: &SessionUser,
    info: &RequestInfo,
    absence_id: i64,
    request: Request,
) -> Result<i64, AppError> {
    let school = require_in_school(user, Capability::ChildrenFollow)?;
    let absence = state
        .absences()
        .absence(school, absence_id)
        .await?
        .filter(|a| a.source == "guardian")
        .ok_or_else(AppError::not_found)?;
    crate::guardians::own_child(state, user, absence.pupil_id).await?;
    let allowance = crate::files::allowance(state, user).await?;
    let limit = allowance.transfer_limit;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    if declared
        .is_some_and(|length| file_rule::check_transfer(length - MULTIPART_SLACK, limit).is_err())
    {
        return Err(refuse_size(state, user, info, "doctor's note", Key::FilesTooLarge).await);
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| AppError::new(ErrorKind::BadInput, Key::FilesConnectionLost))?;
    let lost = || AppError::new(ErrorKind::BadInput, Key::FilesConnectionLost);
    while let Some(field) = multipart.next_field().await.map_err(|_| lost())? {
        if field.name() != Some("file") {
            continue;
        }
        let raw_name = field.file_name().unwrap_or_default().to_string();
        if raw_name.is_empty() {
            break;
        }
        let name = file_rule::normalize_name(&raw_name)
            .map_err(|message| AppError::new(ErrorKind::BadInput, message))?;
        if let Some(ext) = file_rule::blocked_by_name(&name, &allowance.blocked) {
            return Err(refuse_blocked(state, user, info, &name, &ext).await);
        }
        let extension = file_rule::extension(&name).unwrap_or_default();
        if !rule::NOTE_TYPES.contains(&extension.as_str()) {
            return Err(AppError::field("file", Key::AbsNoteType));
        }
        let key = Blobs::new_key();
        let mut writer = state.blobs.writer(&key).await.map_err(AppError::internal)?;
        let mut field = field;
        let mut size: i64 = 0;
        let mut head: Vec<u8> = Vec::new();
        let outcome: Result<(), AppError> = async {
            while let Some(chunk) = field.chunk().await.map_err(|_| lost())? {
                size += chunk.len() as i64;
                // Counted while streaming: reading stops at the limit.
                if file_rule::check_transfer(size, limit).is_err() {
                    return Err(refuse_size(
                        state,
                        user,
                        info,
                        "doctor's note",
                        Key::FilesTooLarge,
                    )
                    .await);
                }
                if head.len() < rule::NOTE_HEAD_BYTES {
                    let wanted = (rule::NOTE_HEAD_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..wanted]);
                }
                writer.write(chunk).await.map_err(AppError::internal)?;
            }
            if !rule::note_content_ok(&extension, &head) {
                return Err(refuse_blocked(state, user, info, &name, "not a photo or PDF").await);
            }
            Ok(())
        }
        .await;
        if let Err(error) = outcome {
            writer.abort().await;
            return Err(error);
        }
        writer.finish().await.map_err(AppError::internal)?;
        // The blob is complete and durable; only now may the row point to it.
        let audit = AuditEvent::new("absence.doctors_note", info)
            .actor(user.id, Some(school))
            .subject(absence.pupil_id)
            .details(format!("absence {absence_id}, {size} bytes"));
        match state
            .absences()
            .set_doctors_note(absence_id, &key, &name, size, &audit)
            .await
        {
            Ok(old) => {
                if let Some(old) = old {
                    crate::files::delete_unreferenced(state, &[old]).await;
                }
                return Ok(absence.pupil_id);
            }
            Err(e) => {
                let _ = state.blobs.delete(&key).await;
                return Err(e.into());
            }
        }
    }
    Err(AppError::field("file", Key::FilesNothingChosen))
}

/// `GET /absences/note/{absence_id}`: the note, for the child's family, the class's teachers,
/// the secretariat and management; 404 for everyone else.
pub async fn download(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(absence_id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let school = user.school()?;
        let absence = state
            .absences()
            .absence(school, absence_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let key = absence
            .doctors_note_key
            .clone()
            .ok_or_else(AppError::not_found)?;
        may_see(&state, &user, school, absence.pupil_id).await?;
        let name = absence.doctors_note_name.clone();
        serve_blob(
            &state.blobs,
            &headers,
            &name,
            crate::web::download::content_type_for(&name),
            absence.doctors_note_size,
            &key,
            true,
        )
        .await
    }
    .await;
    result.unwrap_or_else(|error| failure(&headers, error, "/", Key::DashboardTitle))
}

/// The family of the child, or whoever keeps the child's class list.
async fn may_see(
    state: &AppState,
    user: &SessionUser,
    school: i64,
    pupil_id: i64,
) -> Result<(), AppError> {
    if user.can(Capability::ChildrenFollow) {
        return crate::guardians::own_child(state, user, pupil_id)
            .await
            .map(|_| ());
    }
    if !user.can(Capability::ClassAbsences) {
        return Err(AppError::not_found());
    }
    let class = state
        .absences()
        .class_of_pupil(school, pupil_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    class_kept_by(state, user, school, class).await.map(|_| ())
}
