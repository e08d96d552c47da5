//! MAIL-1..5: the mail pages. Everything works as plain forms; the compose form is an island
//! that adds type-ahead, the recipient warning (MAIL-3) and saving the draft as one types.
use leptos::prelude::*;

use super::{
    CaseBox, CaseSummary, CloseCase, CloseReport, ComposePage, DeleteMailFolder, EmptyMailTrash,
    MailBox, MailSettings, MailSummary, MailboxPage, MessagePage, OpenCase, ReportView,
    SetBetweenSchools, SetMailSettings, case_mailbox, case_message, cases, compose, mail_rules,
    mailbox, message, reports,
};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::files::format_bytes;

fn param(name: &str) -> String {
    leptos_router::hooks::use_query_map().with_untracked(|m| m.get(name).unwrap_or_default())
}

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
        <h1 class="page-title">{lang.t(Key::MailTitle)}</h1>
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
    view! {
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

#[component]
pub fn ComposeView() -> impl IntoView {
    let lang = use_lang();
    crate::components::islands_on_page();
    let (draft, reply, forward) = (number("draft"), number("reply"), number("forward"));
    let all = param("all") == "true";
    let to = param("to");
    view! {
        <leptos_meta::Title text=lang.t(Key::MailCompose)/>
        <h1 class="page-title">{lang.t(Key::MailCompose)}</h1>
        {await_data(
            lang,
            move || compose(draft, reply, all, forward, to.clone()),
            move |page| {
                let upload = (page.draft_id > 0).then(|| format!(
                    "/files/upload?space=me&folder=0&back=%2Fmail%2Fcompose%3Fdraft%3D{}",
                    page.draft_id
                ));
                view! {
                    <ComposeForm lang page/>
                    {upload.map(|action| view! {
                        <Card title=lang.t(Key::MailUploadNew) icon=IconName::Upload>
                            <form method="post" enctype="multipart/form-data" action=action>
                                <input type="file" name="file" required/>
                                <button class="btn" type="submit">{lang.t(Key::MailUploadButton)}</button>
                            </form>
                        </Card>
                    })}
                }
            },
        )}
    }
}

/// MAIL-1, MAIL-3: the compose form. Without script it posts as it is; with it, it suggests
/// addresses from the school's directory, warns before too many recipients, and saves the draft.
#[island]
fn ComposeForm(lang: Lang, page: ComposePage) -> impl IntoView {
    let hydrated = crate::components::use_hydrated();
    let to = RwSignal::new(page.to.clone());
    let subject = RwSignal::new(page.subject.clone());
    let body = RwSignal::new(page.body.clone());
    let draft = RwSignal::new(page.draft_id);
    let suggestions: RwSignal<Vec<super::Suggestion>> = RwSignal::new(Vec::new());
    let limits = page.limits;
    let count = move || crate::rules::mail::split_recipients(&to.get()).len();
    let too_many =
        move || crate::rules::mail::check_recipients(count(), limits).is_err() && count() > 0;
    #[cfg(feature = "hydrate")]
    {
        let dirty = RwSignal::new(false);
        Effect::new(move |first: Option<()>| {
            to.track();
            subject.track();
            body.track();
            if first.is_some() {
                dirty.set(true);
            }
        });
        // Saves at most every five seconds, and only after a change.
        let _ = set_interval_with_handle(
            move || {
                if !dirty.get_untracked() {
                    return;
                }
                dirty.set(false);
                let (d, t, s, b) = (
                    draft.get_untracked(),
                    to.get_untracked(),
                    subject.get_untracked(),
                    body.get_untracked(),
                );
                leptos::task::spawn_local(async move {
                    if let Ok(id) = super::autosave(d, t, s, b).await {
                        draft.set(id);
                    }
                });
            },
            std::time::Duration::from_secs(5),
        );
    }
    let on_to = move |value: String| {
        to.set(value.clone());
        #[cfg(feature = "hydrate")]
        {
            let last = value
                .rsplit([',', ';'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if last.chars().count() < 2 || last.contains('@') {
                suggestions.set(Vec::new());
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(found) = super::suggest(last).await {
                    suggestions.set(found);
                }
            });
        }
    };
    let pick = move |address: String| {
        let current = to.get_untracked();
        let kept: Vec<&str> = current.split([',', ';']).collect();
        let mut parts: Vec<String> = kept[..kept.len().saturating_sub(1)]
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        parts.push(address);
        to.set(format!("{}, ", parts.join(", ")));
        suggestions.set(Vec::new());
    };
    let german = lang == Lang::De;
    let attached = page.attachments.clone();
    let forwarded = page.forwarded.clone();
    let files = page.files.clone();
    view! {
        <form method="post" action="/api/mail/send" class="card compose" data-hydrated=move || hydrated.get().then_some("true")>
            <input type="hidden" name="draft" prop:value=move || draft.get().to_string()/>
            <input type="hidden" name="forward" value=page.forward.to_string()/>
            <input type="hidden" name="format" value="typed"/>
            <div class="actions">
                <button class="btn btn-primary" type="submit" data-testid="send"><Icon name=IconName::Mail/>{lang.t(Key::MailSend)}</button>
                <button class="btn" type="submit" formaction="/api/mail/save-draft" formnovalidate>{lang.t(Key::MailSaveDraft)}</button>
            </div>
            <div class="field" class:field-error=too_many>
                <label for="field-to">{lang.t(Key::MailTo)}</label>
                <p class="field-hint" id="field-to-hint">{lang.fill(Key::MailToHint, &[("max", &limits.recipients.to_string())])}</p>
                <p class="field-message" data-testid="recipient-warning" hidden=move || !too_many()>
                    <Icon name=IconName::Alert/>
                    {move || lang.fill(Key::MailRecipientWarning, &[("count", &count().to_string()), ("max", &limits.recipients.to_string())])}
                </p>
                <input id="field-to" name="to" autocomplete="off" aria-describedby="field-to-hint" data-testid="to"
                    prop:value=move || to.get()
                    on:input:target=move |ev| on_to(ev.target().value())/>
                <ul class="suggestions" role="listbox" hidden=move || suggestions.with(Vec::is_empty)>
                    {move || suggestions.get().into_iter().map(|s| {
                        let address = s.address.clone();
                        view! {
                            <li>
                                <button type="button" class="suggestion" data-testid="suggestion" on:click=move |_| pick(address.clone())>
                                    <strong>{s.label.clone()}</strong>" "<span class="hint">{s.address.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
            <div class="field">
                <label for="field-subject">{lang.t(Key::MailSubject)}</label>
                <input id="field-subject" name="subject" maxlength="200" data-testid="subject"
                    prop:value=move || subject.get()
                    on:input:target=move |ev| subject.set(ev.target().value())/>
            </div>
            <div class="field">
                <label for="field-body">{lang.t(Key::MailBody)}</label>
                <p class="field-hint">{lang.t(Key::MailBodyHint)}</p>
                <textarea id="field-body" name="body" rows="12" data-testid="body"
                    prop:value=move || body.get()
                    on:input:target=move |ev| body.set(ev.target().value())>{page.body.clone()}</textarea>
            </div>
            <h2>{lang.t(Key::MailAttachments)}</h2>
            <p class="field-hint">{lang.fill(Key::MailAttachHint, &[("limit", &format_bytes(page.transfer_limit, german))])}</p>
            <ul class="mail-attachments" data-testid="attached">
                {attached.into_iter().map(|a| view! {
                    <li>
                        {a.name.clone()}" "<span class="hint">{format_bytes(a.size, german)}</span>" "
                        <button class="btn" type="submit" name="attachment" value=a.id.to_string() formaction="/api/mail/detach" formnovalidate>{lang.t(Key::MailDetach)}</button>
                    </li>
                }).collect_view()}
                {forwarded.into_iter().map(|a| view! {
                    <li>{a.name.clone()}" "<span class="hint">{format_bytes(a.size, german)}</span></li>
                }).collect_view()}
            </ul>
            <details class="attach-files">
                <summary class="btn">{lang.t(Key::MailAttachFromFiles)}</summary>
                <ul class="mail-attachments">
                    {files.into_iter().map(|(id, name, size)| view! {
                        <li>
                            {name}" "<span class="hint">{format_bytes(size, german)}</span>" "
                            <button class="btn" type="submit" name="file" value=id.to_string() formaction="/api/mail/attach" formnovalidate data-testid="attach">{lang.t(Key::MailAttach)}</button>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </form>
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::MailReportsTitle)/>
        <h1 class="page-title">{lang.t(Key::MailReportsTitle)}</h1>
        <p class="lead">{lang.t(Key::MailReportsIntro)}</p>
        <p><a class="btn" href="/mail/cases">{lang.t(Key::MailCasesTitle)}</a></p>
        {await_data(lang, reports, move |list| view! { <Reports lang list/> })}
    }
}

#[component]
fn Reports(lang: Lang, list: Vec<ReportView>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">{lang.t(Key::MailReportsNone)}</p> }.into_any();
    }
    list.into_iter()
        .map(|r| {
            let reporter = r
                .reporter
                .clone()
                .unwrap_or_else(|| lang.t(Key::FilesFormerUser).to_string());
            view! {
                <article class="card" data-testid="report-row">
                    <h2 class="card-title">{r.subject.clone()}</h2>
                    <dl class="facts">
                        <dt>{lang.t(Key::MailFrom)}</dt><dd>{r.sender.clone()}</dd>
                        <dt>{lang.t(Key::MailDate)}</dt><dd>{lang.timestamp(r.sent_at)}</dd>
                        <dt>{lang.t(Key::MailReportedBy)}</dt><dd>{reporter}" · "{lang.timestamp(r.created_at)}</dd>
                        <dt>{lang.t(Key::MailReportComment)}</dt><dd>{r.comment.clone()}</dd>
                    </dl>
                    <div class="mail-body" inner_html=r.body_html.clone()></div>
                    {(!r.attachments.is_empty()).then(|| view! {
                        <p class="hint">{r.attachments.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join(", ")}</p>
                    })}
                    {(!r.closed).then(|| view! {
                        <ActionForm action={ServerAction::<CloseReport>::new()}>
                            <input type="hidden" name="id" value=r.id.to_string()/>
                            <button class="btn" type="submit">{lang.t(Key::MailReportClose)}</button>
                        </ActionForm>
                    })}
                </article>
            }
        })
        .collect_view()
        .into_any()
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::MailCasesTitle)/>
        <h1 class="page-title">{lang.t(Key::MailCasesTitle)}</h1>
        <p class="lead">{lang.t(Key::MailCasesIntro)}</p>
        <Card title=lang.t(Key::MailCaseOpen) icon=IconName::Key>
            <ActionForm action={ServerAction::<OpenCase>::new()}>
                <div class="field"><label for="case-login">{lang.t(Key::MailCaseMailbox)}</label><input id="case-login" name="login" required/></div>
                <div class="field"><label for="case-reason">{lang.t(Key::MailCaseReasonLabel)}</label><textarea id="case-reason" name="reason" rows="3" required minlength="10"></textarea></div>
                <div class="field"><label for="case-reference">{lang.t(Key::LogsReference)}</label><input id="case-reference" name="reference" required/></div>
                <div class="field"><label for="case-readers">{lang.t(Key::MailCaseReadersLabel)}</label><input id="case-readers" name="readers" required/></div>
                <div class="field"><label for="case-until">{lang.t(Key::MailCaseUntil)}</label><input id="case-until" name="until" required placeholder="31.12.2026"/></div>
                <p class="hint">{lang.t(Key::MailCaseNoticeHint)}</p>
                <button class="btn btn-danger" type="submit" data-testid="open-case">{lang.t(Key::MailCaseOpen)}</button>
            </ActionForm>
        </Card>
        {await_data(lang, cases, move |list| view! { <Cases lang list/> })}
    }
}

#[component]
fn Cases(lang: Lang, list: Vec<CaseSummary>) -> impl IntoView {
    view! {
        <DataTable headers=vec![lang.t(Key::LogsReference), lang.t(Key::MailCaseMailbox), lang.t(Key::MailCaseReadersLabel), lang.t(Key::MailCaseUntil), lang.t(Key::MailCaseReads), ""]>
            {list.into_iter().map(|c| {
                let open = c.closed_at.is_none();
                view! {
                    <tr data-testid="case-row">
                        <td><a href=format!("/mail/case?case={}", c.id)>{c.reference.clone()}</a></td>
                        <td>{c.mailbox.clone()}</td>
                        <td>{c.readers.join(", ")}</td>
                        <td>{lang.timestamp(c.ends_at - 60)}</td>
                        <td>{c.reads}</td>
                        <td>{if open {
                            view! {
                                <ActionForm action={ServerAction::<CloseCase>::new()}>
                                    <input type="hidden" name="id" value=c.id.to_string()/>
                                    <button class="btn" type="submit">{lang.t(Key::MailCaseClose)}</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! { <span>{lang.t(Key::MailCaseClosedLabel)}</span> }.into_any()
                        }}</td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}

fn case_banner(lang: Lang, case: &CaseBox) -> impl IntoView + use<> {
    view! {
        <p class="case-banner" role="status" data-testid="case-banner">
            <Icon name=IconName::Key/>
            {lang.fill(Key::MailCaseBanner, &[("reference", &case.reference), ("name", &case.mailbox), ("until", &lang.timestamp(case.ends_at - 60))])}
        </p>
    }
}

/// MAIL-4: the read-only view of a mailbox under inspection.
#[component]
pub fn CaseBoxPage() -> impl IntoView {
    let lang = use_lang();
    let case = number("case");
    let code = param("box");
    let code = if code.is_empty() {
        "inbox".into()
    } else {
        code
    };
    let before = number("before");
    view! {
        <leptos_meta::Title text=lang.t(Key::MailCasesTitle)/>
        {await_data(lang, move || case_mailbox(case, code.clone(), before), move |data| {
            let items = data.page.items.clone();
            let base = format!("/mail/case?case={}&", data.case_id);
            view! {
                {case_banner(lang, &data)}
                <div class="mail-layout">
                    <aside><BoxNav lang page=data.page.clone() base/></aside>
                    <ul class="mail-items">
                        {items.into_iter().map(|item| view! {
                            <li class="mail-item" data-testid="mail-row">
                                <a href=format!("/mail/case-message?case={}&item={}", data.case_id, item.item_id)>
                                    <span class="mail-who">{short_name(&item.sender)}</span>
                                    <span class="mail-subject">{item.subject.clone()}</span>
                                    <span class="mail-date">{lang.timestamp(item.created_at)}</span>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })}
    }
}

#[component]
pub fn CaseMessagePage() -> impl IntoView {
    let lang = use_lang();
    let (case, item) = (number("case"), number("item"));
    view! {
        <leptos_meta::Title text=lang.t(Key::MailCasesTitle)/>
        {await_data(lang, move || case_message(case, item), move |(data, page)| view! {
            {case_banner(lang, &data)}
            <Message lang page case=Some(data.case_id)/>
        })}
    }
}

/// MAIL-3: the school's limits; MAIL-2: the operator's switch for mail between schools.
#[component]
pub fn MailSettingsPage() -> impl IntoView {
    let lang = use_lang();
    let operator = use_context::<Option<crate::auth::SessionUser>>()
        .flatten()
        .is_some_and(|u| u.can(crate::auth::Capability::SchoolsManage));
    view! {
        <leptos_meta::Title text=lang.t(Key::MailSettingsTitle)/>
        <h1 class="page-title">{lang.t(Key::MailSettingsTitle)}</h1>
        {if operator {
            view! {
                <Card title=lang.t(Key::MailBetweenSchools) icon=IconName::School>
                    <ActionForm action={ServerAction::<SetBetweenSchools>::new()}>
                        <div class="field">
                            <label for="between">{lang.t(Key::MailBetweenSchools)}</label>
                            <select id="between" name="allowed">
                                <option value="no">{lang.t(Key::MailNo)}</option>
                                <option value="yes">{lang.t(Key::MailYes)}</option>
                            </select>
                        </div>
                        <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSave)}</button>
                    </ActionForm>
                </Card>
            }.into_any()
        } else {
            view! {
                {await_data(lang, mail_rules, move |s| view! { <SettingsForm lang s/> })}
                {await_data(lang, crate::calendar::calendar_settings, move |allowed| view! { <CalendarRules lang allowed/> })}
            }
            .into_any()
        }}
    }
}

/// CAL-1: whether group members write their groups' calendars, not only the owners.
#[component]
fn CalendarRules(lang: Lang, allowed: bool) -> impl IntoView {
    view! {
        <Card title=lang.t(Key::CalTitle) icon=IconName::Calendar>
            <ActionForm action={ServerAction::<crate::calendar::SetCalendarMembersWrite>::new()}>
                <div class="field">
                    <label for="field-members-write">{lang.t(Key::CalMembersWrite)}</label>
                    <select id="field-members-write" name="allowed">
                        <option value="no" selected=!allowed>{lang.t(Key::MailNo)}</option>
                        <option value="yes" selected=allowed>{lang.t(Key::MailYes)}</option>
                    </select>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSave)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn SettingsForm(lang: Lang, s: MailSettings) -> impl IntoView {
    let field = move |name: &'static str, label: Key, value: i64| {
        view! {
            <div class="field">
                <label for=format!("field-{name}")>{lang.t(label)}</label>
                <input id=format!("field-{name}") name=name type="number" min="1" value=value.to_string() required/>
            </div>
        }
    };
    view! {
        <Card title=lang.t(Key::MailTitle) icon=IconName::Mail>
            <ActionForm action={ServerAction::<SetMailSettings>::new()}>
                {field("pupil_recipients", Key::MailPupilRecipients, s.pupil_recipients)}
                {field("pupil_per_hour", Key::MailPupilPerHour, s.pupil_per_hour)}
                {field("staff_recipients", Key::MailStaffRecipients, s.staff_recipients)}
                {field("staff_per_hour", Key::MailStaffPerHour, s.staff_per_hour)}
                <div class="field">
                    <label for="field-pupils_to_class">{lang.t(Key::MailPupilsToClass)}</label>
                    <select id="field-pupils_to_class" name="pupils_to_class">
                        <option value="no" selected=!s.pupils_to_class>{lang.t(Key::MailNo)}</option>
                        <option value="yes" selected=s.pupils_to_class>{lang.t(Key::MailYes)}</option>
                    </select>
                </div>
                {field("trash_days", Key::MailTrashDays, s.trash_days)}
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSave)}</button>
            </ActionForm>
        </Card>
    }
}
