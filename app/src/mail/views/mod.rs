//! MAIL-1..5: the mail pages. Everything works as plain forms; the compose form is an island
//! that adds type-ahead, the recipient warning (MAIL-3) and saving the draft as one types.
//!
//! This file holds the mailbox and the message page; `compose.rs`, `cases.rs` and
//! `settings.rs` hold the rest.
mod cases;
mod compose;
mod settings;

pub use cases::*;
pub use compose::*;
pub use settings::*;

use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};
use crate::mail::{
    CaseBox, CaseSummary, CloseCase, CloseReport, ComposePage, DeleteMailFolder, EmptyMailTrash,
    MailBox, MailSettings, MailSummary, MailboxPage, MessagePage, OpenCase, ReportView,
    SetBetweenSchools, SetMailSettings, case_mailbox, case_message, mail_rules, mailbox, message,
    reports,
};
use crate::rules::files::format_bytes;
use leptos::prelude::*;

use crate::components::query_param as param;

fn number(name: &str) -> i64 {
    param(name).parse().unwrap_or(0)
}

fn box_label(lang: Lang, code: &str, folders: &[(i64, String)]) -> String {
    match code {
        "inbox" => lang.t(Key::MailInbox).into(),
        "sent" => lang.t(Key::MailSent).into(),
        "drafts" => lang.t(Key::MailDrafts).into(),
        "trash" => lang.t(Key::MailTrash).into(),
        other => folders
            .iter()
            .find(|(id, _)| format!("f{id}") == other)
            .map_or_else(|| other.to_string(), |f| f.1.clone()),
    }
}

/// Only the name of "Name <address>", for lists on small screens.
fn short_name(sender: &str) -> String {
    sender
        .split_once('<')
        .map_or(sender, |(name, _)| name)
        .trim()
        .to_string()
}

#[component]
pub fn MailPage() -> impl IntoView {
    let lang = use_lang();
    let code = param("box");
    let code = if code.is_empty() {
        "inbox".into()
    } else {
        code
    };
    let query = param("q");
    let before = number("before");
    view! {
        <leptos_meta::Title text=lang.t(Key::MailTitle)/>
        <h1 class="page-title module-mail">{lang.t(Key::MailTitle)}</h1>
        {await_data(
            lang,
            move || mailbox(code.clone(), query.clone(), before),
            move |page| view! { <Mailbox lang page/> },
        )}
    }
}

#[component]
fn BoxNav(lang: Lang, page: MailboxPage, base: String) -> impl IntoView {
    let unread = |code: &str| {
        page.unread
            .iter()
            .find(|(b, _)| b == code)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let mut boxes: Vec<(String, String, i64)> = ["inbox", "sent", "drafts", "trash"]
        .iter()
        .map(|c| (c.to_string(), box_label(lang, c, &[]), unread(c)))
        .collect();
    boxes.extend(
        page.folders
            .iter()
            .map(|(id, name)| (format!("f{id}"), name.clone(), unread(&format!("f{id}")))),
    );
    let current = page.box_code.clone();
    view! {
        <nav class="mail-boxes" aria-label=lang.t(Key::MailFolders)>
            {boxes.into_iter().map(|(code, label, count)| {
                let active = code == current;
                view! {
                    <a class="mail-box" class:active=active href=format!("{base}box={code}") aria-current=active.then_some("page")>
                        <span>{label}</span>
                        {(count > 0).then(|| view! { <span class="badge">{count}</span> })}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn Mailbox(lang: Lang, page: MailboxPage) -> impl IntoView {
    let code = page.box_code.clone();
    let folder_id = MailBox::parse(&code).and_then(|b| match b {
        MailBox::Folder(id) => Some(id),
        _ => None,
    });
    let next = page
        .next_before
        .map(|b| format!("/mail?box={code}&q={}&before={b}", page.query));
    let items = page.items.clone();
    let is_trash = code == "trash";
    // Issue 18: after sending, the sent box says so and to whom (the newest sent message).
    let sent_to = (code == "sent" && !param("sent").is_empty())
        .then(|| items.first())
        .flatten()
        .map(|item| {
            let names: Vec<String> = item.recipients.split(',').map(short_name).collect();
            let mut who = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            if names.len() > 3 {
                who.push_str(", …");
            }
            lang.fill(Key::MailSentTo, &[("who", &who)])
        });
    view! {
        {sent_to.map(|message| view! { <crate::components::Toast message/> })}
        <div class="mail-layout">
            <aside>
                <a class="btn btn-primary" href="/mail/compose" data-testid="compose"><Icon name=IconName::Mail/>{lang.t(Key::MailCompose)}</a>
                <p class="hint" data-testid="my-address">{lang.fill(Key::MailYourAddress, &[("address", &page.address)])}</p>
                <BoxNav lang page=page.clone() base="/mail?".into()/>
                <form method="post" action="/api/mail/create-folder" class="inline-form">
                    <label class="visually-hidden" for="new-folder">{lang.t(Key::MailNewFolder)}</label>
                    <input id="new-folder" name="name" required maxlength="100" placeholder=lang.t(Key::MailNewFolder)/>
                    <button class="btn" type="submit">{lang.t(Key::FilesCreate)}</button>
                </form>
            </aside>
            <section class="mail-list">
                <form method="get" action="/mail" class="filters" role="search">
                    <input type="hidden" name="box" value=code.clone()/>
                    <label class="visually-hidden" for="mail-q">{lang.t(Key::MailSearch)}</label>
                    <input id="mail-q" name="q" type="search" value=page.query.clone() placeholder=lang.t(Key::MailSearch)/>
                    <button class="btn" type="submit">{lang.t(Key::UsersSearch)}</button>
                </form>
                {is_trash.then(|| view! {
                    <ActionForm action={ServerAction::<EmptyMailTrash>::new()}>
                        <button class="btn btn-danger" type="submit">{lang.t(Key::FilesEmptyTrash)}</button>
                    </ActionForm>
                })}
                {folder_id.map(|id| view! {
                    <ActionForm action={ServerAction::<DeleteMailFolder>::new()}>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button class="btn btn-danger" type="submit">{lang.t(Key::MailDeleteFolder)}</button>
                    </ActionForm>
                })}
                {if items.is_empty() {
                    view! { <p class="empty">{lang.t(Key::MailEmpty)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mail-items" data-testid="mail-items">
                            {items.into_iter().map(|item| view! { <MailRow lang item sent=code == "sent"/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {next.map(|href| view! { <a class="btn" href=href>{lang.t(Key::MailOlder)}</a> })}
            </section>
        </div>
    }
}

#[component]
fn MailRow(lang: Lang, item: MailSummary, sent: bool) -> impl IntoView {
    let who = if sent {
        item.recipients.clone()
    } else {
        short_name(&item.sender)
    };
    let subject = if item.subject.is_empty() {
        lang.t(Key::MailNoSubject).to_string()
    } else {
        item.subject.clone()
    };
    view! {
        <li class="mail-item" class:unread=!item.is_read class:notice=item.is_notice data-testid="mail-row">
            <a href=format!("/mail/message?item={}", item.item_id)>
                <span class="mail-who">{who}</span>
                <span class="mail-subject">{subject}</span>
                {item.has_attachments.then(|| view! { <span class="hint"><Icon name=IconName::File/></span> })}
                <span class="mail-date">{lang.timestamp(item.created_at)}</span>
            </a>
        </li>
    }
}

#[component]
pub fn MessageView() -> impl IntoView {
    let lang = use_lang();
    let item = number("item");
    let notice = if !param("reported").is_empty() {
        Some(Key::MailReported)
    } else if !param("saved").is_empty() {
        Some(Key::MailAttachmentSaved)
    } else {
        None
    };
    view! {
        <leptos_meta::Title text=lang.t(Key::MailTitle)/>
        {notice.map(|key| view! { <crate::components::Toast message=lang.t(key)/> })}
        {await_data(lang, move || message(item), move |page| view! { <Message lang page case=None/> })}
    }
}

#[component]
fn Message(lang: Lang, page: MessagePage, case: Option<i64>) -> impl IntoView {
    let item = page.item_id;
    let read_only = case.is_some();
    let attachment_link = move |id: i64| match case {
        Some(case) => format!("/mail/attachment/{item}/{id}?case={case}"),
        None => format!("/mail/attachment/{item}/{id}"),
    };
    let folders = page.folders.clone();
    let subject = if page.subject.is_empty() {
        lang.t(Key::MailNoSubject).to_string()
    } else {
        page.subject.clone()
    };
    let back = if read_only {
        format!("/mail/case?case={}", case.unwrap_or(0))
    } else {
        format!("/mail?box={}", page.box_code)
    };
    view! {
        <article class="card mail-message" data-testid="message">
            <p><a href=back>{lang.t(Key::MailBack)}</a></p>
            <h1 class="card-title" data-testid="message-subject">{subject}</h1>
            <dl class="facts">
                <dt>{lang.t(Key::MailFrom)}</dt><dd data-testid="message-from">{page.sender.clone()}</dd>
                <dt>{lang.t(Key::MailTo)}</dt><dd>{page.recipients.clone()}</dd>
                <dt>{lang.t(Key::MailDate)}</dt><dd>{lang.timestamp(page.created_at)}</dd>
            </dl>
            // Sanitised by ammonia when it was stored (MAIL-1).
            <div class="mail-body" data-testid="message-body" inner_html=page.body_html.clone()></div>
            {(!page.attachments.is_empty()).then(|| view! {
                <h2>{lang.t(Key::MailAttachments)}</h2>
                <ul class="mail-attachments">
                    {page.attachments.iter().map(|a| {
                        let id = a.id;
                        view! {
                            <li>
                                <a href=attachment_link(id) data-testid="attachment"><Icon name=IconName::Download/>{a.name.clone()}</a>
                                " "<span class="hint">{format_bytes(a.size, lang == Lang::De)}</span>
                                {(!read_only).then(|| view! {
                                    <form method="post" action="/api/mail/save-attachment" class="inline-form">
                                        <input type="hidden" name="item" value=item.to_string()/>
                                        <input type="hidden" name="attachment" value=id.to_string()/>
                                        <button class="btn" type="submit" data-testid="save-attachment">{lang.t(Key::MailSaveToFiles)}</button>
                                    </form>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!read_only).then(|| view! {
                <div class="actions">
                    {page.is_draft.then(|| view! {
                        <a class="btn btn-primary" href=format!("/mail/compose?draft={}", page.message_id)>{lang.t(Key::MailEditDraft)}</a>
                    })}
                    {page.received.then(|| view! {
                        <a class="btn btn-primary" href=format!("/mail/compose?reply={item}") data-testid="reply">{lang.t(Key::MailReply)}</a>
                        <a class="btn" href=format!("/mail/compose?reply={item}&all=true")>{lang.t(Key::MailReplyAll)}</a>
                    })}
                    {(!page.is_draft && !page.is_notice).then(|| view! {
                        <a class="btn" href=format!("/mail/compose?forward={item}")>{lang.t(Key::MailForward)}</a>
                    })}
                    <form method="post" action="/api/mail/mark-unread" class="inline-form">
                        <input type="hidden" name="item" value=item.to_string()/>
                        <button class="btn" type="submit">{lang.t(Key::MailMarkUnread)}</button>
                    </form>
                    <form method="post" action="/api/mail/move" class="inline-form">
                        <input type="hidden" name="item" value=item.to_string()/>
                        <label class="visually-hidden" for="move-target">{lang.t(Key::MailMoveTo)}</label>
                        <select id="move-target" name="target">
                            <option value="inbox">{lang.t(Key::MailInbox)}</option>
                            {folders.iter().map(|(id, name)| view! { <option value=format!("f{id}")>{name.clone()}</option> }).collect_view()}
                        </select>
                        <button class="btn" type="submit">{lang.t(Key::MailMoveTo)}</button>
                    </form>
                    <form method="post" action="/api/mail/delete" class="inline-form">
                        <input type="hidden" name="item" value=item.to_string()/>
                        <button class="btn btn-danger" type="submit" data-testid="delete-message"><Icon name=IconName::Trash/>{lang.t(Key::FilesDelete)}</button>
                    </form>
                </div>
                {page.received.then(|| view! {
                    // MAIL-5: two taps on a tablet: open, then send.
                    <details class="confirm report">
                        <summary class="btn" data-testid="report"><Icon name=IconName::Flag/>{lang.t(Key::MailReport)}</summary>
                        <form method="post" action="/api/mail/report" class="confirm-body">
                            <p>{lang.t(Key::MailReportHint)}</p>
                            <input type="hidden" name="item" value=item.to_string()/>
                            <label for="report-comment">{lang.t(Key::MailReportComment)}</label>
                            <textarea id="report-comment" name="comment" rows="2" maxlength="1000"></textarea>
                            <button class="btn btn-danger" type="submit" data-testid="report-send">{lang.t(Key::MailReportSend)}</button>
                        </form>
                    </details>
                })}
            })}
        </article>
    }
}
