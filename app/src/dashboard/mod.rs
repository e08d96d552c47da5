//! The home screen: what exists for this user, and nothing that does not.
use leptos::prelude::*;

use crate::auth::SessionUser;
use crate::components::{Card, Icon, IconName, await_data};
use crate::i18n::{Key, use_lang};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let user = use_context::<Option<SessionUser>>().flatten();
    let Some(user) = user else {
        return ().into_any();
    };
    let school = user
        .school_name
        .clone()
        .unwrap_or_else(|| lang.t(Key::DashboardNoSchool).to_string());
    view! {
        <leptos_meta::Title text=lang.t(Key::DashboardTitle)/>
        <h1 class="page-title" data-testid="dashboard">{lang.fill(Key::DashboardHello, &[("name", &user.first_name)])}</h1>
        <p class="lead">{lang.t(Key::DashboardIntro)}</p>
        {user.school_id.is_some().then(|| await_data(lang, crate::mail::notices, move |notices| {
            // MAIL-4: the notice of an inspection case shows here until it has been opened.
            notices.into_iter().map(|(item, subject)| view! {
                <a class="case-banner" role="alert" data-testid="notice-banner" href=format!("/mail/message?item={item}")>
                    <Icon name=IconName::Alert/>{lang.fill(Key::MailNoticeBanner, &[("subject", &subject)])}
                </a>
            }).collect_view()
        }))}
        <div class="grid">
            <Card title=lang.t(Key::DashboardAccount) icon=IconName::User>
                <dl class="facts">
                    <dt>{lang.t(Key::DashboardLogin)}</dt>
                    <dd>{user.login.clone()}</dd>
                    <dt>{lang.t(Key::DashboardRole)}</dt>
                    <dd>{lang.t(user.role.label())}</dd>
                    <dt>{lang.t(Key::DashboardSchool)}</dt>
                    <dd>{school}</dd>
                </dl>
                <a class="btn" href="/password"><Icon name=IconName::Key/>{lang.t(Key::DashboardChangePassword)}</a>
            </Card>
            {user.school_id.is_some().then(|| view! {
                <Card title=lang.t(Key::CalNext) icon=IconName::Calendar>
                    {await_data(lang, crate::calendar::upcoming, move |next| {
                        if next.is_empty() {
                            view! { <p class="empty">{lang.t(Key::CalNothing)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="cal-next" data-testid="upcoming">
                                    {next.into_iter().map(|o| view! {
                                        <li><a href=format!("/calendar/event?id={}", o.event_id)>
                                            <span class="hint">{lang.timestamp(o.starts_at)}</span>" "<strong>{o.title}</strong>
                                        </a></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    })}
                    <a class="btn" href="/calendar" data-testid="tile-calendar"><Icon name=IconName::Calendar/>{lang.t(Key::CalTitle)}</a>
                </Card>
                <Card title=lang.t(Key::MailTitle) icon=IconName::Mail>
                    <a class="btn btn-primary" href="/mail" data-testid="tile-mail"><Icon name=IconName::Mail/>{lang.t(Key::MailInbox)}</a>
                    <a class="btn" href="/mail/compose"><Icon name=IconName::Mail/>{lang.t(Key::MailCompose)}</a>
                </Card>
                <Card title=lang.t(Key::FilesTitle) icon=IconName::Folder>
                    <a class="btn btn-primary" href="/files" data-testid="tile-files"><Icon name=IconName::Folder/>{lang.t(Key::FilesMine)}</a>
                </Card>
            })}
            <Card title=lang.t(Key::AppName) icon=IconName::School>
                <p>{lang.t(Key::DashboardComing)}</p>
            </Card>
        </div>
    }
    .into_any()
}
