//! `GET /mail/attachment/{item}/{attachment}`: an attachment of one of the caller's own
//! messages, or (with `?case=N`) of the mailbox under an open inspection case the caller is
//! designated to read (MAIL-4: logged on the case). FILE-2 applies as to every download.
use axum::{
    Extension,
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};

use crate::audit::AuditEvent;
use crate::error::{AppError, ErrorKind};
use crate::files::transfer::refuse_size;
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo};
use crate::web::{Query, SignedIn, download::serve_blob, failure};

/// `?case=<id>` when the administration reads an attachment in a case (MAIL-4);
/// `?inline=1` to preview it.
#[derive(Debug, serde::Deserialize)]
pub struct AttachmentQuery {
    case: Option<String>,
    inline: Option<String>,
}

pub async fn attachment(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Path((item, attachment)): Path<(i64, i64)>,
    Query(query): Query<AttachmentQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let case = query.case.as_deref().and_then(|c| c.parse::<i64>().ok());
        let owner = match case {
            Some(case) => {
                super::case_access(&state, &user, case)
                    .await?
                    .mailbox_user_id
            }
            None => user.id,
        };
        let row = state
            .mailbox()
            .item(owner, item)
            .await?
            .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
        let found = state
            .mailbox()
            .attachment(row.message_id, attachment)
            .await?
            .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
        let limit = crate::files::allowance(&state, &user).await?.transfer_limit;
        if crate::rules::files::check_transfer(found.2, limit).is_err() {
            return Err(refuse_size(
                &state,
                &user,
                &info,
                &format!("download of {}", found.0),
                Key::FilesTooLargeDownload,
            )
            .await);
        }
        if let Some(case) = case {
            let audit = AuditEvent::new("mail.case_read", &info)
                .actor(user.id, user.school_id)
                .subject(owner)
                .details(format!(
                    "case {case} message {} attachment {attachment}",
                    row.message_id
                ));
            state
                .mail_cases()
                .log_case_read(
                    case,
                    user.id,
                    row.message_id,
                    crate::platform::now(),
                    &audit,
                )
                .await?;
        }
        Ok(found)
    }
    .await;
    match result {
        Ok((name, key, size, content_type)) => serve_blob(
            &state.blobs,
            &headers,
            &name,
            &content_type,
            size,
            &key,
            query.inline.is_some(),
        )
        .await
        .unwrap_or_else(|error| failure(&headers, error, "/mail", Key::MailTitle)),
        Err(error) => failure(&headers, error, "/mail", Key::MailTitle),
    }
}
