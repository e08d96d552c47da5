//! LOG-2, LOG-3: the log page. Management names who may read; a reader states a reason, then
//! filters the school's events, with the chain status above them. Plain forms only.
use leptos::prelude::*;

use super::{
    Chain, EVENTS_PER_PAGE, GrantLogRight, LogPage, LogRights, OpenReading, WithdrawLogRight,
    log_events, log_overview,
};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

use crate::components::query_param as param;

#[component]
pub fn LogsPage() -> impl IntoView {
    let lang = use_lang();
    let session: i64 = param("session").parse().unwrap_or(0);
    let filters = [
        param("from"),
        param("until"),
        param("user"),
        param("action"),
        param("kind"),
    ];
    let page: i64 = param("page").parse().unwrap_or(0);
    view! {
        <leptos_meta::Title text=lang.t(Key::LogsTitle)/>
        <h1 class="page-title">{lang.t(Key::LogsTitle)}</h1>
        {if session > 0 {
            let f = filters.clone();
            await_data(lang, move || {
                let [from, until, user, action, kind] = f.clone();
                log_events(session, from, until, user, action, kind, page)
            }, move |data| view! { <Events lang data filters=filters.clone()/> }).into_any()
        } else {
            await_data(lang, log_overview, move |overview| view! { <Overview lang overview/> }).into_any()
        }}
    }
}

#[component]
fn Overview(lang: Lang, overview: LogRights) -> impl IntoView {
    view! {
        {overview.may_read.then(|| view! {
            <Card title=lang.t(Key::LogsOpen) icon=IconName::Key>
                <p class="lead">{lang.t(Key::LogsOpenHint)}</p>
                <ActionForm action={ServerAction::<OpenReading>::new()}>
                    <div class="field">
                        <label for="field-reason">{lang.t(Key::LogsReason)}</label>
                        <textarea id="field-reason" name="reason" rows="3" required minlength="10"></textarea>
                    </div>
                    <div class="field">
                        <label for="field-reference">{lang.t(Key::LogsReference)}</label>
                        <input id="field-reference" name="reference" required placeholder="2026-11-27/3"/>
                    </div>
                    <button class="btn btn-primary" type="submit" data-testid="open-reading">{lang.t(Key::LogsOpen)}</button>
                </ActionForm>
            </Card>
        })}
        {(!overview.may_read && !overview.may_grant).then(|| view! { <p class="empty">{lang.t(Key::LogsNoRight)}</p> })}
        {overview.may_grant.then(|| view! {
            <Card title=lang.t(Key::LogsReaders) icon=IconName::User>
                <p class="lead">{lang.t(Key::LogsReadersHint)}</p>
                <DataTable headers=vec![lang.t(Key::UsersName), lang.t(Key::UsersLogin), lang.t(Key::LogsGrantedAt), ""]>
                    {overview.readers.into_iter().map(|r| view! {
                        <tr data-testid="reader-row">
                            <td>{r.name}</td>
                            <td>{r.login}</td>
                            <td>{lang.timestamp(r.granted_at)}</td>
                            <td>
                                <ActionForm action={ServerAction::<WithdrawLogRight>::new()}>
                                    <input type="hidden" name="user_id" value=r.user_id.to_string()/>
                                    <button class="btn btn-danger" type="submit">{lang.t(Key::LogsWithdraw)}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }).collect_view()}
                </DataTable>
                <ActionForm action={ServerAction::<GrantLogRight>::new()} attr:class="create-user">
                    <div class="field">
                        <label for="field-login">{lang.t(Key::UsersLogin)}</label>
                        <input id="field-login" name="login" required/>
                    </div>
                    <button class="btn btn-primary" type="submit" data-testid="grant">{lang.t(Key::LogsGrant)}</button>
                </ActionForm>
            </Card>
        })}
    }
}

fn link(session: i64, filters: &[String; 5], page: i64) -> String {
    let enc = |v: &str| -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let [from, until, user, action, kind] = filters;
    format!(
        "session={session}&from={}&until={}&user={}&action={}&kind={}&page={page}",
        enc(from),
        enc(until),
        enc(user),
        enc(action),
        enc(kind)
    )
}

#[component]
fn Events(lang: Lang, data: LogPage, filters: [String; 5]) -> impl IntoView {
    let session = data.session.id;
    let pages = ((data.total + EVENTS_PER_PAGE - 1) / EVENTS_PER_PAGE).max(1);
    let chain = match data.chain {
        Chain::Intact { checked, up_to } => lang.fill(
            Key::LogsChainIntact,
            &[("count", &checked.to_string()), ("id", &up_to.to_string())],
        ),
        Chain::BrokenAt { id } => lang.fill(Key::LogsChainBroken, &[("id", &id.to_string())]),
    };
    let export = format!("/logs/export.csv?{}", link(session, &filters, 0));
    let [from, until, user, action, kind] = filters.clone();
    let prev = (data.page > 0).then(|| format!("/logs?{}", link(session, &filters, data.page - 1)));
    let next = (data.page + 1 < pages)
        .then(|| format!("/logs?{}", link(session, &filters, data.page + 1)));
    view! {
        <p class="lead" data-testid="reading">{lang.fill(Key::LogsReadingFor, &[("reason", &data.session.reason), ("reference", &data.session.reference), ("until", &lang.timestamp(data.session.expires_at))])}</p>
        <p class="hint" data-testid="chain"><Icon name=IconName::Check/>{chain}</p>
        <form method="get" action="/logs" class="filters">
            <input type="hidden" name="session" value=session.to_string()/>
            <div class="field"><label for="f-from">{lang.t(Key::LogsFrom)}</label><input id="f-from" name="from" value=from placeholder="01.11.2026"/></div>
            <div class="field"><label for="f-until">{lang.t(Key::LogsUntil)}</label><input id="f-until" name="until" value=until placeholder="30.11.2026"/></div>
            <div class="field"><label for="f-user">{lang.t(Key::UsersLogin)}</label><input id="f-user" name="user" value=user/></div>
            <div class="field"><label for="f-action">{lang.t(Key::LogsAction)}</label><input id="f-action" name="action" value=action placeholder="auth.login_failed"/></div>
            <div class="field"><label for="f-kind">{lang.t(Key::LogsKind)}</label><input id="f-kind" name="kind" value=kind placeholder="auth"/></div>
            <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSearch)}</button>
        </form>
        <p><a class="btn" href=export><Icon name=IconName::Download/>{lang.t(Key::LogsExport)}</a></p>
        <DataTable headers=vec![lang.t(Key::LogsTime), lang.t(Key::LogsAction), lang.t(Key::LogsActor), lang.t(Key::LogsSubject), lang.t(Key::LogsDetails), lang.t(Key::AccountAddress)]>
            {data.events.into_iter().map(|e| view! {
                <tr data-testid="event-row">
                    <td>{lang.timestamp(e.at)}</td>
                    <td><code>{e.action}</code></td>
                    <td>{e.actor.unwrap_or_default()}</td>
                    <td>{e.subject.unwrap_or_default()}</td>
                    <td>{e.details}</td>
                    <td>{e.ip}</td>
                </tr>
            }).collect_view()}
        </DataTable>
        <nav class="pager" aria-label=lang.t(Key::FilesPages)>
            {prev.map(|href| view! { <a class="btn" href=href>{lang.t(Key::UsersPrev)}</a> })}
            <span>{lang.fill(Key::UsersPage, &[("page", &(data.page + 1).to_string()), ("pages", &pages.to_string())])}</span>
            {next.map(|href| view! { <a class="btn" href=href>{lang.t(Key::UsersNext)}</a> })}
        </nav>
    }
}
