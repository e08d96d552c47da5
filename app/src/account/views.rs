use leptos::prelude::*;

use super::{AccountOverview, EndOtherSessions, EndSession, account_activity, describe_device};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::AccountTitle)/>
        <h1 class="page-title">{lang.t(Key::AccountTitle)}</h1>
        {await_data(lang, account_activity, move |overview| view! { <Overview lang overview/> })}
        <Card title=lang.t(Key::FilesExport) icon=IconName::Download>
            <p class="lead">{lang.t(Key::FilesExportHint)}</p>
            <a class="btn btn-primary" href="/account/export.zip" data-testid="export" download>
                <Icon name=IconName::Download/>{lang.t(Key::FilesExport)}
            </a>
        </Card>
    }
}

#[component]
fn Overview(lang: Lang, overview: AccountOverview) -> impl IntoView {
    let has_others = overview.sessions.iter().any(|s| !s.current);
    view! {
        <div class="grid">
            <Card title=lang.t(Key::AccountSessions) icon=IconName::Key>
                <p class="lead">{lang.t(Key::AccountSessionsHint)}</p>
                <ul class="sessions">
                    {overview
                        .sessions
                        .into_iter()
                        .map(|session| view! {
                            <li class="session" data-testid="session">
                                <p class="session-device">
                                    <strong>{describe_device(&session.user_agent)}</strong>
                                    {session.current.then(|| view! { <span class="badge">{lang.t(Key::AccountThisDevice)}</span> })}
                                </p>
                                <dl class="facts">
                                    <dt>{lang.t(Key::AccountStarted)}</dt>
                                    <dd>{lang.timestamp(session.created_at)}</dd>
                                    <dt>{lang.t(Key::AccountLastUsed)}</dt>
                                    <dd>{lang.timestamp(session.last_seen_at)}</dd>
                                    <dt>{lang.t(Key::AccountAddress)}</dt>
                                    <dd>{session.ip.clone()}</dd>
                                </dl>
                                {(!session.current).then(|| view! {
                                    <ActionForm action={ServerAction::<EndSession>::new()}>
                                        <input type="hidden" name="id" value=session.id.clone()/>
                                        <button class="btn" type="submit">
                                            <Icon name=IconName::Logout/>{lang.t(Key::AccountEnd)}
                                        </button>
                                    </ActionForm>
                                })}
                            </li>
                        })
                        .collect_view()}
                </ul>
                {has_others.then(|| view! {
                    <ActionForm action={ServerAction::<EndOtherSessions>::new()}>
                        <button class="btn btn-primary" type="submit">
                            <Icon name=IconName::Logout/>{lang.t(Key::AccountEndOthers)}
                        </button>
                    </ActionForm>
                })}
            </Card>
            <Card title=lang.t(Key::AccountLogins) icon=IconName::User>
                <DataTable headers=vec![lang.t(Key::AccountWhen), lang.t(Key::AccountAddress), lang.t(Key::AccountResult)]>
                    {overview
                        .logins
                        .into_iter()
                        .map(|login| view! {
                            <tr>
                                <td>{lang.timestamp(login.at)}</td>
                                <td>{login.ip}</td>
                                <td>{lang.t(if login.succeeded { Key::AccountLoginOk } else { Key::AccountLoginFailed })}</td>
                            </tr>
                        })
                        .collect_view()}
                </DataTable>
            </Card>
        </div>
    }
}
