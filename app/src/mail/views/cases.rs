//! Reports and inspection cases, for management and the designated readers (MAIL-4, MAIL-5).
use super::*;
use crate::mail::cases;

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
