//! Plain HTTP routes of the people pages: the upload of a class list, the CSV export, and the
//! page for errors of both. Each authenticates and authorises like a server function.
use axum::{
    Extension,
    extract::{Multipart, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};

use super::SortBy;
use crate::auth::Capability;
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Key, Lang};
use crate::platform::{AppState, request::CurrentSession};

pub fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_cookie_header)
        .unwrap_or_default()
}

/// A small translated page for an error on a plain request, with the way back.
pub fn error_page(lang: Lang, error: &AppError, back: &str, back_label: Key) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\
         <h1>{}</h1><p role=\"alert\">{}</p><p><a href=\"{}\">{}</a></p></body></html>",
        lang.code(),
        lang.t(Key::ErrorTitle),
        lang.t(Key::ErrorTitle),
        html_escape(&error.text(lang)),
        html_escape(back),
        lang.t(back_label)
    );
    (status, Html(body)).into_response()
}

/// The signed-in staff member's school, if they may manage its people.
pub fn school_of(session: &CurrentSession) -> Result<(i64, i64), AppError> {
    // The setup gate too (policy accepted, own password chosen), like every server function.
    let user = crate::platform::request::signed_in(session)?;
    Ok((
        user.id,
        crate::auth::require_in_school(&user, Capability::UsersManage)?,
    ))
}

/// `POST /admin/import` (multipart, field `file`): keeps the list and shows its preview.
pub async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let (user, school) = school_of(&session)?;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or("liste.csv").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::new(ErrorKind::BadInput, Key::ImportTooLarge))?;
            return super::import::store_upload(&state, user, school, &name, &bytes).await;
        }
        Err(AppError::new(ErrorKind::BadInput, Key::ImportEmpty))
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/admin/import/{id}")).into_response(),
        Err(error) if error.kind == ErrorKind::Unauthenticated => {
            Redirect::to("/login").into_response()
        }
        Err(error) => error_page(lang, &error, "/admin/users", Key::UsersTitle),
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn csv_field(value: &str) -> String {
    // Quote everything and neutralise formulas: a cell starting with = must not run in a spreadsheet.
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// `GET /admin/users.csv`: every person of the school, in the import's format plus login and role.
pub async fn export(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&headers);
    let (_, school) = match school_of(&session) {
        Ok(found) => found,
        Err(error) if error.kind == ErrorKind::Unauthenticated => {
            return Redirect::to("/login").into_response();
        }
        Err(error) => return error_page(lang, &error, "/admin/users", Key::UsersTitle),
    };
    let rows = match state
        .store
        .list_users(school, "", SortBy::Class, 0, i64::MAX)
        .await
    {
        Ok((rows, _)) => rows,
        Err(e) => return error_page(lang, &AppError::from(e), "/admin/users", Key::UsersTitle),
    };
    let mut out = String::from(
        "\u{feff}Vorname;Nachname;Klasse;Austrittsdatum;Benutzername;Rolle;Status\r\n",
    );
    for r in rows {
        let fields = [
            r.first_name.as_str(),
            r.last_name.as_str(),
            r.class.as_deref().unwrap_or_default(),
            r.leaving_date.as_deref().unwrap_or_default(),
            r.login.as_str(),
            r.role.code(),
            if r.locked { "locked" } else { "active" },
        ];
        out += &fields.map(csv_field).join(";");
        out += "\r\n";
    }
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"personen.csv\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
