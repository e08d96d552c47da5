//! The toolkit of plain HTTP routes (uploads, downloads, CSV and calendar files): what Leptos
//! gives a server function, a plain route gets here. It sits above `auth` and below the
//! features, so a feature's route needs no other feature's `http` module.
//!
//! A route takes [`SignedIn`] to authenticate and pass the setup gate (as `authenticate()`
//! does for server functions), checks its one capability itself, and answers a refusal with
//! [`failure`]: JSON for scripts, a translated page with the way back for people.
pub mod download;
pub mod kept;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
};

use crate::auth::{CurrentSession, SessionUser, signed_in};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Key, Lang};

/// The reader's language, from the cookie the language switch sets.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_cookie_header)
        .unwrap_or_default()
}

/// The site's options, set once at start by the composition root, so that a plain route's
/// error page links the same (content-hashed) stylesheet as every other page.
static OPTIONS: std::sync::OnceLock<leptos::config::LeptosOptions> = std::sync::OnceLock::new();

pub fn set_options(options: leptos::config::LeptosOptions) {
    let _ = OPTIONS.set(options);
}

/// Issue 18 §6: a translated page for an error on a plain request (a refused upload, a file
/// that is not a class list), styled like the app, with its way back as a button.
pub fn error_page(lang: Lang, error: &AppError, back: &str, back_label: Key) -> Response {
    use leptos::prelude::*;

    use crate::components::{Icon, IconName};
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let (title, message, back) = (lang.t(Key::ErrorTitle), error.text(lang), back.to_string());
    let options = OPTIONS.get().cloned();
    let body = view! {
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                {options.map(|options| view! { <leptos_meta::HashedStylesheet options id="main-css"/> })}
            </head>
            <body>
                <header class="header">
                    <a class="brand" href="/"><Icon name=IconName::School/><span>{lang.t(Key::AppName)}</span></a>
                </header>
                <main class="main" id="main">
                    <div class="card error-card">
                        <h1 class="page-title"><Icon name=IconName::Alert/>{title}</h1>
                        <p role="alert" class="lead">{message}</p>
                        <p><a class="btn btn-primary" href=back>{lang.t(back_label)}</a></p>
                    </div>
                </main>
            </body>
        </html>
    }
    .to_html();
    (status, Html(format!("<!DOCTYPE html>{body}"))).into_response()
}

pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
        .replace('>', "&gt;")
}

/// Scripts ask for JSON; browsers following a link get pages.
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// The error as the API answers it: its status and the serialised [`AppError`].
pub fn json_error(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_string(error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The answer to a failed plain request: JSON for scripts; for people, the sign-in page when
/// they are not signed in, otherwise the error page with the way back to `back`.
pub fn failure(headers: &HeaderMap, error: AppError, back: &str, back_label: Key) -> Response {
    if wants_json(headers) {
        json_error(&error)
    } else if error.kind == ErrorKind::Unauthenticated {
        Redirect::to("/login").into_response()
    } else {
        error_page(lang_of(headers), &error, back, back_label)
    }
}

/// Step 1 of a plain route: the signed-in caller, past the setup gate (policy accepted, own
/// password chosen). A refusal is answered by [`failure`], with the way back to the start.
pub struct SignedIn(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let session = parts
            .extensions
            .get::<CurrentSession>()
            .cloned()
            .unwrap_or(CurrentSession(None));
        signed_in(&session)
            .map(SignedIn)
            .map_err(|error| failure(&parts.headers, error, "/", Key::NavHome))
    }
}

/// A typed query string (`?space=…&folder=…`). Unlike axum's own `Query`, a query that does
/// not fit (a repeated or malformed field) is answered like any other bad input: translated,
/// JSON for scripts and a page for people, never axum's English plain text.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or_default())
            .map(Query)
            .map_err(|_| {
                failure(
                    &parts.headers,
                    AppError::kind(ErrorKind::BadInput),
                    "/",
                    Key::NavHome,
                )
            })
    }
}

/// A typed form body (`application/x-www-form-urlencoded`). Like [`Query`], a body that does
/// not fit is answered as any other bad input, translated, never with axum's English text.
/// Taken after [`SignedIn`], so that nobody learns what a form expects before signing in.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let refuse = || {
            failure(
                &headers,
                AppError::kind(ErrorKind::BadInput),
                "/",
                Key::NavHome,
            )
        };
        // Bounded by the router's body limit, as any form.
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| refuse())?;
        serde_urlencoded::from_bytes(&body)
            .map(Form)
            .map_err(|_| refuse())
    }
}

/// A CSV file as spreadsheets open it: UTF-8 with a byte-order mark, `;` between fields,
/// every field quoted, and cells that a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@`) neutralised with a leading `'`.
pub fn csv<I, R, F>(name: &'static str, header: &[&str], rows: I) -> Response
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    match csv_bytes(header, rows) {
        Ok(bytes) => download::attachment(bytes, "text/csv; charset=utf-8", name),
        Err(e) => json_error(&AppError::internal(e)),
    }
}

fn csv_bytes<I, R, F>(header: &[&str], rows: I) -> Result<Vec<u8>, String>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(header).map_err(|e| e.to_string())?;
    for row in rows {
        writer
            .write_record(
                row.into_iter()
                    .map(|field| neutralised(field.as_ref()).into_owned()),
            )
            .map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.into_error().to_string())
}

fn neutralised(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc_4_csv_quotes_everything_and_neutralises_formulas() {
        assert_eq!(neutralised("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(neutralised("Jürgen"), "Jürgen");
        let bytes = csv_bytes(&["a", "b"], [["=1+1", "x\"y"]]).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}\"a\";\"b\"\r\n\"'=1+1\";\"x\"\"y\"\r\n"
        );
    }
}
