//! PW-2: start passwords, issued only in person and shown once, on a printable slip with the
//! login address and a QR code that signs its owner in.
use axum::{
    Extension,
    extract::State,
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use leptos::prelude::*;
use qrcode::{QrCode, render::svg};

use super::Slip;
use crate::audit::AuditEvent;
use crate::auth::{
    Capability, Role, SessionUser, require,
    rights::{self, Act},
};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Key, Lang};
use crate::platform::{AppState, RequestInfo};
use crate::web::{Form, SignedIn};

/// Issues a start password to each given user of `school` and returns the slips.
/// SEC-3: start-password slips per request.
pub const MAX_SLIPS: usize = 1000;

pub async fn issue(
    state: &AppState,
    request: &RequestInfo,
    actor: &SessionUser,
    school: i64,
    user_ids: &[i64],
) -> Result<Vec<Slip>, AppError> {
    if user_ids.is_empty() {
        return Err(AppError::kind(ErrorKind::BadInput));
    }
    // SEC-3: a whole school fits; the refusal names the limit.
    if user_ids.len() > MAX_SLIPS {
        return Err(AppError::field("user_ids", Key::UsersTooManySelected)
            .with_detail(MAX_SLIPS.to_string()));
    }
    let people = state
        .user_admin()
        .people_for_slips(school, user_ids)
        .await?;
    if people.is_empty() {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    require_over_all(actor, Act::IssueCredentials, &people)?;
    let mut slips = Vec::with_capacity(people.len());
    for person in people {
        let (password, stored) =
            crate::auth::session::new_start_password(state, state.config.start_password_days)
                .await?;
        let audit = AuditEvent::new("auth.start_password_issued", request)
            .actor(actor.id, Some(school))
            .subject(person.id);
        state
            .accounts()
            .set_start_password(person.id, &stored, &audit)
            .await?;
        slips.push(Slip {
            school: person.school,
            first_name: person.first_name,
            last_name: person.last_name,
            class: person.class,
            login: person.login,
            start_password: password.expose().to_string(),
            expires_at: stored.expires_at,
            login_url: format!("{}/login", state.config.public_url),
        });
    }
    Ok(slips)
}

/// SEC-1: a request naming several people is refused whole if the caller may not do `act` to
/// one of them, and the refusal names them all.
pub fn require_over_all(
    actor: &SessionUser,
    act: Act,
    people: &[super::store::SlipPerson],
) -> Result<(), AppError> {
    let refused: Vec<String> = people
        .iter()
        .filter(|p| {
            let role = Role::from_code(&p.role);
            !role.is_some_and(|r| rights::may_on(actor.role, actor.id, act, r, p.id))
        })
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(AppError::new(ErrorKind::Forbidden, Key::RightsNotForRole)
            .with_detail(refused.join(", ")))
    }
}

pub fn qr_svg(text: &str) -> String {
    QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(120, 120)
                .quiet_zone(false)
                .build()
        })
        .unwrap_or_default()
}

#[component]
fn SlipCard(lang: Lang, slip: Slip) -> impl IntoView {
    // PW-2: the code signs the child in: login and start password ride in the address's
    // fragment, which browsers never send, so they reach no request line and no log.
    let fragment = serde_urlencoded::to_string([("u", &slip.login), ("p", &slip.start_password)])
        .unwrap_or_default();
    let qr = qr_svg(&format!("{}#{fragment}", slip.login_url));
    view! {
        <article class="slip">
            <div class="slip-head">
                <div>
                    <h2>{slip.school.clone()}</h2>
                    <p class="slip-name">{format!("{} {}", slip.first_name, slip.last_name)}{slip.class.map(|c| format!(" · {c}"))}</p>
                </div>
                <div class="slip-qr" inner_html=qr></div>
            </div>
            <dl class="facts slip-facts">
                <dt>{lang.t(Key::SlipLoginUrl)}</dt><dd>{slip.login_url.clone()}</dd>
                <dt>{lang.t(Key::LoginName)}</dt><dd class="slip-secret">{slip.login}</dd>
                <dt>{lang.t(Key::SlipStartPassword)}</dt><dd class="slip-secret" data-testid="start-password">{slip.start_password}</dd>
                <dt>{lang.t(Key::SlipValidUntil)}</dt><dd>{lang.timestamp(slip.expires_at)}</dd>
            </dl>
            <p class="slip-hint">{lang.t(Key::SlipQrHint)}</p>
            <p class="slip-hint">{lang.t(Key::SlipHint)}</p>
        </article>
    }
}

/// `POST /admin/slips` with `user_id=…` repeated: issues the passwords and answers with the
/// print view itself, never cached, so the passwords exist only on this one page.
pub async fn print_view(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    SignedIn(actor): SignedIn,
    headers: axum::http::HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let lang = crate::web::lang_of(&headers);
    let result = async {
        require(&actor, Capability::PasswordsIssue)?;
        let school = actor
            .school_id
            .ok_or(AppError::kind(ErrorKind::Forbidden))?;
        let ids = chosen_people(&state, school, &pairs).await?;
        issue(&state, &info, &actor, school, &ids).await
    }
    .await;
    let slips = match result {
        Ok(slips) => slips,
        Err(error) => {
            return crate::web::error_page(lang, &error, "/admin/users", Key::UsersTitle);
        }
    };
    render(&state, lang, slips)
}

/// The people a print form names: `user_id=…` repeated, and a whole class's pupils at once
/// with `class=2b`.
pub async fn chosen_people(
    state: &AppState,
    school: i64,
    pairs: &[(String, String)],
) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "user_id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if let Some((_, class)) = pairs.iter().find(|(k, _)| k == "class") {
        ids.extend(state.user_admin().class_member_ids(school, class).await?);
    }
    Ok(ids)
}

/// The printable slips page. Never cached: the passwords exist only on this one page.
pub fn render(state: &AppState, lang: Lang, slips: Vec<Slip>) -> Response {
    print_page(
        state,
        lang,
        Key::SlipTitle,
        Key::SlipPrintHint,
        slips
            .into_iter()
            .map(|slip| view! { <SlipCard lang slip/> })
            .collect_view(),
    )
}

/// A page of slips to print (start passwords, guardians' codes), back to the people page. Never
/// cached: what it shows exists only on this one page.
pub fn print_page(
    state: &AppState,
    lang: Lang,
    title: Key,
    hint: Key,
    slips: impl IntoView + 'static,
) -> Response {
    let options = state.leptos.clone();
    let page = view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{lang.t(title)}</title>
                <leptos_meta::HashedStylesheet options id="main-css"/>
            </head>
            <body class="print-page">
                <p class="no-print"><a class="btn" href="/admin/users">{lang.t(Key::UsersTitle)}</a>" "{lang.t(hint)}</p>
                <div class="slips">{slips}</div>
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

/// `POST /admin/schools/admin` (`school_id`, `first_name`, `last_name`, `role`): the operator
/// adds a school's administrator or management and gets the slip to hand over in person
/// (ACC-1, PW-2, SEC-1: nobody inside a school can create either).
pub async fn first_admin(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    SignedIn(actor): SignedIn,
    headers: axum::http::HeaderMap,
    Form(form): Form<FirstAdmin>,
) -> Response {
    let lang = crate::web::lang_of(&headers);
    let result = async {
        operator_school(&state, &actor, form.school_id).await?;
        if !crate::rules::login::valid_name(&form.first_name)
            || !crate::rules::login::valid_name(&form.last_name)
        {
            return Err(AppError::kind(ErrorKind::BadInput));
        }
        let role = match form.role.as_deref() {
            None | Some("") => Role::Admin,
            Some(code) => Role::from_code(code).ok_or(AppError::kind(ErrorKind::BadInput))?,
        };
        if !rights::may(actor.role, Act::Create, role) {
            return Err(AppError::new(ErrorKind::Forbidden, Key::RightsRoleNotYours));
        }
        // Issue 18 §6: a second click, or a second tab, must not make a second account for the
        // same person; the operator gets the way to a new slip instead.
        let (first, last) = (form.first_name.trim(), form.last_name.trim());
        let name = format!("{first} {last}");
        let leaders = state
            .school_summary()
            .school_leaders(form.school_id)
            .await?;
        if let Some(leader) = leaders
            .iter()
            .find(|l| l.role == role && l.name.to_lowercase() == name.to_lowercase())
        {
            return Err(AppError::new(ErrorKind::Conflict, Key::SchoolsLeaderExists)
                .with_detail(format!("{} ({})", leader.name, leader.login)));
        }
        let person = super::store::NewPerson {
            school_id: form.school_id,
            first_name: first,
            last_name: last,
            role,
            class: None,
            leaving_date: None,
        };
        let audit = AuditEvent::new("user.created", &info)
            .actor(actor.id, None)
            .details(role.code());
        let (id, _) = state.user_admin().create_person(&person, &audit).await?;
        issue(&state, &info, &actor, form.school_id, &[id]).await
    }
    .await;
    slips_or_error(&state, lang, result)
}

/// `POST /admin/schools/start-password` (`school_id`, `login`): SEC-1, the operator resets a
/// school administrator's or management's lost password; nobody inside the school can.
pub async fn operator_reset(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    SignedIn(actor): SignedIn,
    headers: axum::http::HeaderMap,
    Form(form): Form<OperatorReset>,
) -> Response {
    let lang = crate::web::lang_of(&headers);
    let result = async {
        operator_school(&state, &actor, form.school_id).await?;
        let login: String = form.login.trim().to_lowercase().chars().take(200).collect();
        let target = state
            .user_admin()
            .target_by_login(form.school_id, &login)
            .await?
            .ok_or_else(AppError::not_found)?;
        issue(&state, &info, &actor, form.school_id, &[target.id]).await
    }
    .await;
    slips_or_error(&state, lang, result)
}

/// The signed-in operator, when `school_id` names a school of the deployment.
/// The operator, acting on a school that exists.
async fn operator_school(
    state: &AppState,
    actor: &SessionUser,
    school_id: i64,
) -> Result<(), AppError> {
    require(actor, Capability::SchoolsManage)?;
    if !state
        .schools()
        .schools()
        .await?
        .iter()
        .any(|s| s.id == school_id)
    {
        return Err(AppError::not_found());
    }
    Ok(())
}

fn slips_or_error(state: &AppState, lang: Lang, result: Result<Vec<Slip>, AppError>) -> Response {
    match result {
        Ok(slips) => render(state, lang, slips),
        Err(error) if error.kind == ErrorKind::Unauthenticated => {
            axum::response::Redirect::to("/login").into_response()
        }
        Err(error) => crate::web::error_page(lang, &error, "/admin/schools", Key::SchoolsTitle),
    }
}

#[derive(serde::Deserialize)]
pub struct FirstAdmin {
    school_id: i64,
    first_name: String,
    last_name: String,
    /// `admin` (the default) or `management`.
    #[serde(default)]
    role: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct OperatorReset {
    school_id: i64,
    login: String,
}
