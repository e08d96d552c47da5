//! The page frame: document head, header with navigation, and the routes.
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::account::views::AccountPage;
use crate::addressbook::views::AddressBookPage;
use crate::auth::{
    Capability, SessionUser,
    views::{LoginPage, PasswordPage},
};
use crate::calendar::views::{CalendarPageView, EventView, FeedsPage, NewEventPage};
use crate::components::{Icon, IconName, InlineScript, IslandsOnPage};
use crate::dashboard::DashboardPage;
use crate::files::views::{FileRulesPage, FilesPage, TrashPage};
use crate::filter::views::FilterPage;
use crate::groups::views::{GroupPage, GroupsPage};
use crate::guardians::views::{AddChildPage, RegisterPage};
use crate::i18n::{Key, Lang, use_lang};
use crate::lifecycle::views::DeletionsPage;
use crate::logs::views::LogsPage;
use crate::mail::views::{
    CaseBoxPage, CaseMessagePage, CasesPage, ComposeView, MailPage, MailSettingsPage, MessageView,
    ReportsPage,
};
use crate::policy::views::PolicyPage;
use crate::schools::views::SchoolsPage;
use crate::users::views::{ImportPage, UserPage, UsersPage, YearEndPage};

/// The whole HTML document. Runs on the server only; islands hydrate inside it.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    let (lang, user, nonce) = request_context();
    provide_context(lang);
    provide_context(user);
    if let Some(nonce) = nonce {
        provide_nonce(nonce);
    }
    let islands = IslandsOnPage::default();
    provide_context(islands.clone());
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content=lang.t(Key::AppTagline)/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <leptos_meta::HashedStylesheet options=options.clone() id="main-css"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                // Rendered after the page itself, so it knows whether any island was on it.
                {move || islands.any().then(|| view! { <HydrationScripts options=options.clone() islands=true/> })}
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn provide_nonce(nonce: String) {
    provide_context(leptos::nonce::Nonce::from_value(nonce));
}

#[cfg(not(feature = "ssr"))]
fn provide_nonce(_nonce: String) {}

/// The language, the signed-in user and the CSP nonce, as the HTTP layer left them on the request.
#[cfg(feature = "ssr")]
fn request_context() -> (Lang, Option<SessionUser>, Option<String>) {
    use crate::auth::CurrentSession;
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return (Lang::default(), None, None);
    };
    let lang = parts
        .headers
        .get(axum::http::header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_cookie_header)
        .unwrap_or_default();
    let user = parts
        .extensions
        .get::<CurrentSession>()
        .and_then(|s| s.0.clone());
    let nonce = parts.extensions.get::<CspNonce>().map(|n| n.0.clone());
    (lang, user, nonce)
}

#[cfg(not(feature = "ssr"))]
fn request_context() -> (Lang, Option<SessionUser>, Option<String>) {
    (Lang::default(), None, None)
}

/// The per-response nonce that lets exactly our own inline scripts run under the CSP.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = use_lang();
    view! {
        <a class="skip-link" href="#main">{lang.t(Key::NavSkip)}</a>
        <Header/>
        <main id="main" class="main">
            <Router>
                <FormError/>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/password") view=PasswordPage/>
                    <Route path=path!("/register") view=RegisterPage/>
                    <Route path=path!("/children/add") view=AddChildPage/>
                    <Route path=path!("/children/:id/absence") view=crate::absences::views::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/absences/missing") view=crate::absences::views::MissingPage ssr=SsrMode::Async/>
                    <Route path=path!("/absences/class/:id") view=crate::absences::views::MorningListPage ssr=SsrMode::Async/>
                    <Route path=path!("/absences/class/:id/term") view=crate::absences::views::TermPage ssr=SsrMode::Async/>
                    <Route path=path!("/policy") view=PolicyPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/:id") view=UserPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/import/:id") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/year-end") view=YearEndPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/schools") view=SchoolsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/groups") view=GroupsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/groups/:id") view=GroupPage ssr=SsrMode::Async/>
                    <Route path=path!("/files") view=FilesPage ssr=SsrMode::Async/>
                    <Route path=path!("/files/trash") view=TrashPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/files") view=FileRulesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/filter") view=FilterPage ssr=SsrMode::Async/>
                    <Route path=path!("/logs") view=LogsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/deletions") view=DeletionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail") view=MailPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail/message") view=MessageView ssr=SsrMode::Async/>
                    <Route path=path!("/mail/compose") view=ComposeView ssr=SsrMode::Async/>
                    <Route path=path!("/mail/reports") view=ReportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail/cases") view=CasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail/case") view=CaseBoxPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail/case-message") view=CaseMessagePage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/mail") view=MailSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/addressbook") view=AddressBookPage ssr=SsrMode::Async/>
                    <Route path=path!("/calendar") view=CalendarPageView ssr=SsrMode::Async/>
                    <Route path=path!("/calendar/event") view=EventView ssr=SsrMode::Async/>
                    <Route path=path!("/calendar/new") view=NewEventPage ssr=SsrMode::Async/>
                    <Route path=path!("/calendar/feeds") view=FeedsPage ssr=SsrMode::Async/>
                </Routes>
            </Router>
        </main>
    }
}

/// Shows only what exists: home and logout for signed-in users, the language switch for all.
#[component]
fn Header() -> impl IntoView {
    let lang = use_lang();
    let user = use_context::<Option<SessionUser>>().flatten();
    let signed_in = user.as_ref().is_some_and(|u| u.next_step().is_none());
    let runs_schools = signed_in
        && user
            .as_ref()
            .is_some_and(|u| u.can(Capability::SchoolsManage));
    let in_school = signed_in && user.as_ref().is_some_and(|u| u.school_id.is_some());
    // Readers find the page through their management; management grants there.
    let grants_logs = in_school
        && user
            .as_ref()
            .is_some_and(|u| u.can(Capability::LogsReadGrant));
    let manages_files = in_school
        && user
            .as_ref()
            .is_some_and(|u| u.can(Capability::FilesManage));
    let mail_cases = in_school && user.as_ref().is_some_and(|u| u.can(Capability::MailCases));
    let manages_people = signed_in
        && user
            .as_ref()
            .is_some_and(|u| u.school_id.is_some() && u.can(Capability::UsersManage));
    // Issue 18: the places everyone goes to stay in sight with their names, at every width;
    // what only some roles do sits in one "Verwaltung" menu, and the account, the language and
    // signing out in the account menu. The menus are `<details>`: they work without script.
    let mut admin: Vec<(&'static str, IconName, Key)> = Vec::new();
    if mail_cases {
        admin.push(("/mail/reports", IconName::Flag, Key::MailReportsTitle));
    }
    if grants_logs {
        admin.push(("/logs", IconName::Key, Key::NavLogs));
    }
    if runs_schools {
        admin.push(("/admin/schools", IconName::School, Key::NavSchools));
    }
    if manages_people {
        admin.push(("/admin/users", IconName::People, Key::NavAdmin));
        admin.push(("/admin/groups", IconName::People, Key::NavGroups));
        admin.push(("/admin/deletions", IconName::Trash, Key::NavDeletions));
    }
    if manages_files || runs_schools {
        admin.push(("/admin/mail", IconName::Mail, Key::MailSettingsTitle));
    }
    if manages_files {
        admin.push(("/admin/files", IconName::Folder, Key::FilesRulesTitle));
        admin.push((
            "/admin/filter?scope=school",
            IconName::Alert,
            Key::FilterTitle,
        ));
    }
    if runs_schools {
        admin.push((
            "/admin/filter?scope=deployment",
            IconName::Alert,
            Key::FilterTitle,
        ));
    }
    // On a shared class tablet the account menu says whose account is open.
    let me = user
        .as_ref()
        .map(|u| u.first_name.clone())
        .unwrap_or_default();
    let me_label = lang.fill(Key::NavMe, &[("name", &me)]);
    let language = move || {
        view! {
            <form method="post" action="/api/ui/language" class="inline-form">
                <input type="hidden" name="lang" value=lang.other().code()/>
                <button class="nav-link" type="submit" lang=lang.other().code() aria-label=lang.t(Key::LangSwitchLabel)>
                    <Icon name=IconName::Globe/><span class="nav-label">{lang.t(Key::LangSwitch)}</span>
                </button>
            </form>
        }
    };
    view! {
        <header class="header">
            <a class="brand" href="/">
                <Icon name=IconName::School/>
                <span>{lang.t(Key::AppName)}</span>
            </a>
            <nav class="nav" aria-label=lang.t(Key::NavMain)>
                {signed_in.then(|| view! {
                    <a class="nav-link" href="/" data-testid="nav-home"><Icon name=IconName::Home/><span class="nav-label">{lang.t(Key::NavHome)}</span></a>
                })}
                {in_school.then(|| view! {
                    <a class="nav-link" href="/mail" data-testid="nav-mail">
                        <span class="nav-icon">
                            <Icon name=IconName::Mail/>
                            <span class="badge badge-unread" id="unread" data-testid="unread" aria-live="polite" hidden></span>
                        </span>
                        <span class="nav-label">{lang.t(Key::NavMail)}</span>
                    </a>
                    <a class="nav-link" href="/calendar" data-testid="nav-calendar"><Icon name=IconName::Calendar/><span class="nav-label">{lang.t(Key::CalTitle)}</span></a>
                    <a class="nav-link" href="/files" data-testid="nav-files"><Icon name=IconName::Folder/><span class="nav-label">{lang.t(Key::NavFiles)}</span></a>
                    <a class="nav-link" href="/addressbook" data-testid="nav-addressbook"><Icon name=IconName::Book/><span class="nav-label">{lang.t(Key::AbTitle)}</span></a>
                    <UnreadPoller/>
                })}
            </nav>
            <div class="nav-menus">
                {(!admin.is_empty()).then(|| view! {
                    <details class="nav-more">
                        <summary class="nav-link" data-testid="nav-admin"><Icon name=IconName::Settings/><span class="nav-label">{lang.t(Key::NavManage)}</span></summary>
                        <div class="nav-menu">
                            {admin.into_iter().map(|(href, icon, label)| view! {
                                <a class="nav-link" href=href><Icon name=icon/><span class="nav-label">{lang.t(label)}</span></a>
                            }).collect_view()}
                        </div>
                    </details>
                })}
                {if user.is_some() {
                    view! {
                        <details class="nav-more">
                            <summary class="nav-link" data-testid="nav-me" aria-label=me_label.clone()><Icon name=IconName::User/><span class="nav-label">{me.clone()}</span></summary>
                            <div class="nav-menu">
                                {signed_in.then(|| view! {
                                    <a class="nav-link" href="/account" data-testid="nav-account"><Icon name=IconName::User/><span class="nav-label">{lang.t(Key::NavAccount)}</span></a>
                                })}
                                {language()}
                                <form method="post" action="/api/auth/logout" class="inline-form">
                                    <button class="nav-link" type="submit" data-testid="logout">
                                        <Icon name=IconName::Logout/><span class="nav-label">{lang.t(Key::NavLogout)}</span>
                                    </button>
                                </form>
                            </div>
                        </details>
                    }.into_any()
                } else {
                    language().into_any()
                }}
            </div>
        </header>
    }
}

/// MAIL-1: the unread count in the navigation (and on the start page's post tile) stays
/// current without a reload. A few lines of
/// script, not an island, so that pages without islands still load no WASM: it asks every 5 s,
/// backs off to a minute while nothing changes, and pauses while the tab is hidden.
#[component]
fn UnreadPoller() -> impl IntoView {
    const SCRIPT: &str = "(function(){var b=document.getElementById('unread'),d=5000,last=-1;\
function later(){setTimeout(tick,d)}\
function tick(){if(document.hidden){return later()}\
fetch('/api/mail/unread',{method:'POST',headers:{'Accept':'application/json','Content-Type':'application/x-www-form-urlencoded'}})\
.then(function(r){return r.ok?r.json():null}).then(function(n){\
if(typeof n!=='number'){d=60000;return later()}\
d=n===last?Math.min(d*1.5,60000):5000;last=n;b.textContent=n;b.hidden=n===0;\
b.dataset.count=n;var t=document.getElementById('tile-unread');\
if(t){t.textContent=n===0?t.dataset.none:n===1?t.dataset.one:t.dataset.many.replace('#',n)}later()}).catch(function(){d=60000;later()})}\
document.addEventListener('visibilitychange',function(){if(!document.hidden){d=5000}});tick()})()";
    view! { <InlineScript code=SCRIPT/> }
}

/// The error a plain form post (no script) came back with: the server sends the browser back to
/// the form with the error in the query. The sign-in and password forms show theirs in place.
#[component]
fn FormError() -> impl IntoView {
    let lang = use_lang();
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    if matches!(
        path.as_str(),
        "/login" | "/password" | "/register" | "/children/add"
    ) {
        return None;
    }
    let error = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("__err"))
        .map(|err| crate::error::AppError::from_url(&err))?;
    Some(view! {
        <div class="error-summary" role="alert" data-testid="form-error">
            <h2><Icon name=IconName::Alert/>{lang.t(Key::ErrorTitle)}</h2>
            <p>{error.text(lang)}</p>
            <ul>{error.fields.iter().map(|f| view! { <li>{error.field_text(lang, f.message)}</li> }).collect_view()}</ul>
        </div>
    })
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <div class="narrow">
            <section class="card">
                <h1 class="card-title"><Icon name=IconName::Alert/>{lang.t(Key::ErrorPageNotFound)}</h1>
                <a class="btn btn-primary" href="/"><Icon name=IconName::Home/>{lang.t(Key::ErrorBackHome)}</a>
            </section>
        </div>
    }
}
