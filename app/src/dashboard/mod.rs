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
    let follows_children = user.can(crate::auth::Capability::ChildrenFollow);
    let school = user
        .school_name
        .clone()
        .unwrap_or_else(|| lang.t(Key::DashboardNoSchool).to_string());
    view! {
        <leptos_meta::Title text=lang.t(Key::DashboardTitle)/>
        <h1 class="page-title" data-testid="dashboard">{lang.fill(Key::DashboardHello, &[("name", &user.first_name)])}</h1>
        // Grown-ups who are not staff (guardians) are addressed as "Sie".
        <p class="lead">{lang.t(if follows_children { Key::DashboardIntroGuardian } else { Key::DashboardIntro })}</p>
        {user.school_id.is_some().then(|| await_data(lang, crate::mail::notices, move |notices| {
            // MAIL-4: the notice of an inspection case shows here until it has been opened.
            notices.into_iter().map(|(item, subject)| view! {
                <a class="case-banner" role="alert" data-testid="notice-banner" href=format!("/mail/message?item={item}")>
                    <Icon name=IconName::Alert/>{lang.fill(Key::MailNoticeBanner, &[("subject", &subject)])}
                </a>
            }).collect_view()
        }))}
        // LIFE-1: management answers the families' requests to end a child's use.
        {user.can(crate::auth::Capability::EndRequestsConfirm).then(|| view! {
            <crate::lifecycle::views::EndRequestsCard lang/>
        })}
        // ABS-2: the class teachers' morning lists, and the office's list of children missing.
        {user.can(crate::auth::Capability::ClassAbsences).then(|| view! {
            <crate::absences::views::AbsencesCard lang school_wide=user.can(crate::auth::Capability::AbsencesSchool)/>
        })}
        // PAR-3: a guardian's start page leads with their children.
        {follows_children.then(|| view! {
            <crate::guardians::views::ChildrenHome lang/>
        })}
        // Issue 18: a child's start page leads with what a child does, as four large tiles that
        // can be found by colour and picture before the words can be read.
        {user.school_id.is_some().then(|| view! {
            <nav class="tiles" aria-label=lang.t(Key::DashboardPlaces)>
                <a class="tile tile-mail" href="/mail" data-testid="tile-mail">
                    <Icon name=IconName::Mail/>
                    <span class="tile-name">{lang.t(Key::MailTitle)}</span>
                    {await_data(lang, crate::mail::unread, move |n| view! {
                        // The navigation's poller keeps this current too, from these words.
                        <span class="tile-info" id="tile-unread" data-testid="tile-unread"
                            data-none=lang.t(Key::DashboardUnreadNone) data-one=lang.t(Key::DashboardUnreadOne)
                            data-many=lang.fill(Key::DashboardUnreadMany, &[("n", "#")])>{if n == 0 {
                            lang.t(Key::DashboardUnreadNone).to_string()
                        } else {
                            lang.count(n, Key::DashboardUnreadOne, Key::DashboardUnreadMany)
                        }}</span>
                    })}
                </a>
                <a class="tile tile-calendar" href="/calendar" data-testid="tile-calendar">
                    <Icon name=IconName::Calendar/>
                    <span class="tile-name">{lang.t(Key::CalTitle)}</span>
                </a>
                <a class="tile tile-files" href="/files" data-testid="tile-files">
                    <Icon name=IconName::Folder/>
                    <span class="tile-name">{lang.t(Key::NavFiles)}</span>
                </a>
                <a class="tile tile-addressbook" href="/addressbook" data-testid="tile-addressbook">
                    <Icon name=IconName::Book/>
                    <span class="tile-name">{lang.t(Key::AbTitle)}</span>
                </a>
            </nav>
        })}
        <div class="grid">
            // A guardian's children show their next events above; the same list again would
            // only repeat the school's.
            {(user.school_id.is_some() && !follows_children).then(|| view! {
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
                </Card>
            })}
            // Staff see their account's facts; a child's account page is one tap away in the
            // menu with the child's name, and a role name means nothing to a six-year-old.
            {(!user.role.is_child()).then(|| view! {
                <Card title=lang.t(if follows_children { Key::DashboardAccountGuardian } else { Key::DashboardAccount }) icon=IconName::User>
                    <dl class="facts">
                        <dt>{lang.t(Key::DashboardLogin)}</dt>
                        <dd>{user.login.clone()}</dd>
                        <dt>{lang.t(Key::DashboardRole)}</dt>
                        <dd>{lang.t(user.role.label())}</dd>
                        <dt>{lang.t(Key::DashboardSchool)}</dt>
                        <dd>{school}</dd>
                    </dl>
                    <a class="btn" href="/account"><Icon name=IconName::User/>{lang.t(Key::NavAccount)}</a>
                </Card>
            })}
        </div>
    }
    .into_any()
}
