//! VIOL-1: "Mit der Unterschrift werden die Bestimmungen … anerkannt." The printable consent
//! form, one per pupil and A4 page, for a pupil or a whole class.
use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use leptos::prelude::*;

use super::display_date;
use crate::auth::{Capability, require_in_school};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Key, Lang};
use crate::platform::AppState;
use crate::web::{SignedIn, failure, lang_of};

#[derive(serde::Deserialize)]
pub struct Which {
    user_id: Option<i64>,
    class: Option<String>,
}

/// `GET /admin/consent-forms?user_id=…` or `?class=2b`.
pub async fn consent_forms(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    headers: HeaderMap,
    Query(which): Query<Which>,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let school = require_in_school(&user, Capability::UsersManage)?;
        let mut ids: Vec<i64> = which.user_id.into_iter().collect();
        if let Some(class) = &which.class {
            ids.extend(state.user_admin().class_member_ids(school, class).await?);
        }
        let people = state.user_admin().people_for_slips(school, &ids).await?;
        let policy = state.policy().current_policy(school).await?;
        match (people.is_empty(), policy) {
            (false, Some(policy)) => Ok((people, policy)),
            _ => Err(AppError::kind(ErrorKind::NotFound)),
        }
    }
    .await;
    let (people, policy) = match result {
        Ok(found) => found,
        Err(error) => return failure(&headers, error, "/admin/users", Key::UsersTitle),
    };
    let date = display_date(&policy.effective_date, Lang::De).unwrap_or_default();
    let options = state.leptos.clone();
    let page = view! {
        <!DOCTYPE html>
        <html lang="de">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{lang.t(Key::ConsentTitle)}</title>
                <leptos_meta::HashedStylesheet options id="main-css"/>
            </head>
            <body class="print-page">
                <p class="no-print"><a class="btn" href="/admin/users">{lang.t(Key::UsersTitle)}</a></p>
                {people.into_iter().map(|person| view! {
                    <article class="consent-form" data-testid="consent-form">
                        <h1>{person.school.clone()}</h1>
                        <h2>{format!("{} · Fassung {} vom {}", lang.t(Key::ConsentTitle), policy.version, date)}</h2>
                        <p class="slip-name">{format!("{} {}{}", person.first_name, person.last_name, person.class.map(|c| format!(" · {c}")).unwrap_or_default())}</p>
                        <div class="consent-text">
                            {policy.body.split("\n\n").map(|p| view! { <p>{p.trim().to_string()}</p> }).collect_view()}
                        </div>
                        <p><strong>{lang.t(Key::ConsentStatement)}</strong></p>
                        <div class="signatures">
                            <p class="signature">{lang.t(Key::ConsentPlaceDate)}</p>
                            <p class="signature">{lang.t(Key::ConsentParents)}</p>
                            <p class="signature">{lang.t(Key::ConsentPupil)}</p>
                        </div>
                    </article>
                }).collect_view()}
            </body>
        </html>
    }
    .to_html();
    let mut response = Html(page).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
