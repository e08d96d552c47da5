//! FILE-3: "download all my data", `GET /account/export.zip`: one ZIP of everything the person
//! owns. Each feature adds its part: the files as they are, mail as `.eml`, the calendars as
//! `.ics`, the address-book entry as `.vcf`.

use axum::{Extension, extract::State, http::HeaderMap, response::Response};

use crate::audit::AuditEvent;
use crate::auth::SessionUser;
use crate::error::AppError;
use crate::files::{
    SpaceRef,
    zip_stream::{self, Entry},
};
use crate::i18n::{Key, Lang};
use crate::platform::{AppState, RequestInfo};

use crate::files::transfer::failure;
use crate::web::{SignedIn, download::zip_response, lang_of};

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
    let files = state.files().archive_items(personal, None).await?;
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
        && let Some(entry) = state.addressbook().entry_of(school, user.id).await?
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
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
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
        state.audit().record(&audit).await?;
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
