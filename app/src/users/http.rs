//! Plain HTTP routes of the people pages: the upload of a class list and the CSV export. Each
//! authenticates and authorises like a server function.
use axum::{
    extract::{Multipart, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};

use super::SortBy;
use crate::auth::{Capability, require_in_school};
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::AppState;
use crate::web::{SignedIn, failure};

/// `POST /admin/import` (multipart, field `file`): keeps the list and shows its preview.
pub async fn upload(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let school = require_in_school(&user, Capability::UsersManage)?;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or("liste.csv").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::new(ErrorKind::BadInput, Key::ImportTooLarge))?;
            return super::import::store_upload(&state, user.id, school, &name, &bytes).await;
        }
        Err(AppError::new(ErrorKind::BadInput, Key::ImportEmpty))
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/admin/import/{id}")).into_response(),
        Err(error) => failure(&headers, error, "/admin/users", Key::UsersTitle),
    }
}

/// `GET /admin/users.csv`: every person of the school, in the import's format plus login and role.
pub async fn export(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let school = require_in_school(&user, Capability::UsersManage)?;
        Ok::<_, AppError>(
            state
                .user_admin()
                .list_users(
                    school,
                    &crate::auth::rights::targets(user.role, crate::auth::rights::Act::View),
                    "",
                    SortBy::Class,
                    0,
                    i64::MAX,
                )
                .await?
                .0,
        )
    }
    .await;
    match result {
        Ok(rows) => crate::web::csv(
            "personen.csv",
            &[
                "Vorname",
                "Nachname",
                "Klasse",
                "Austrittsdatum",
                "Benutzername",
                "Rolle",
                "Status",
            ],
            rows.iter().map(|r| {
                [
                    r.first_name.as_str(),
                    r.last_name.as_str(),
                    r.class.as_deref().unwrap_or_default(),
                    r.leaving_date.as_deref().unwrap_or_default(),
                    r.login.as_str(),
                    r.role.code(),
                    if r.locked { "locked" } else { "active" },
                ]
            }),
        ),
        Err(error) => failure(&headers, error, "/admin/users", Key::UsersTitle),
    }
}
