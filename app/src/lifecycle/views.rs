//! LIFE-1..3: the withdrawal and cancel buttons on a person's page, and the deletion report.
use leptos::prelude::*;

use super::{CancelDeletion, DeletionsView, RecordWithdrawal, deletion_reports};
use crate::components::{Card, ConfirmDialog, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

/// On a person's page: record the parents' withdrawal, or, while the deletion waits, call it off.
#[component]
pub fn LifecycleCard(lang: Lang, user_id: i64, deletion_due_at: Option<i64>) -> impl IntoView {
    let id = user_id.to_string();
    view! {
        <Card title=lang.t(Key::LifeTitle) icon=IconName::Trash>
            {match deletion_due_at {
                Some(due) => view! {
                    <p data-testid="deletion-due">{lang.fill(Key::LifeDue, &[("date", &lang.timestamp(due))])}</p>
                    <ActionForm action={ServerAction::<CancelDeletion>::new()}>
                        <input type="hidden" name="user_id" value=id/>
                        <button class="btn" type="submit" data-testid="cancel-deletion">{lang.t(Key::LifeCancel)}</button>
                    </ActionForm>
                }.into_any(),
                None => view! {
                    <p class="lead">{lang.t(Key::LifeWithdrawHint)}</p>
                    <ConfirmDialog lang summary=lang.t(Key::LifeWithdraw).to_string() question=lang.t(Key::LifeWithdrawConfirm).to_string()>
                        <ActionForm action={ServerAction::<RecordWithdrawal>::new()}>
                            <input type="hidden" name="user_id" value=id/>
                            <button class="btn btn-danger" type="submit" data-testid="withdraw"><Icon name=IconName::Trash/>{lang.t(Key::LifeWithdraw)}</button>
                        </ActionForm>
                    </ConfirmDialog>
                }.into_any(),
            }}
        </Card>
    }
}

/// LIFE-3: one row per deleted account, printable, without any deleted content.
#[component]
pub fn DeletionsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::LifeReportTitle)/>
        <h1 class="page-title">{lang.t(Key::LifeReportTitle)}</h1>
        {await_data(lang, deletion_reports, move |view| view! { <Report lang view/> })}
    }
}

#[component]
fn Report(lang: Lang, view: DeletionsView) -> impl IntoView {
    let last = match &view.last_run {
        Some((at, result)) => lang.fill(
            Key::LifeLastRun,
            &[
                ("date", &lang.timestamp(*at)),
                ("result", result),
                ("mins", &view.next_run_within_mins.to_string()),
            ],
        ),
        None => lang.t(Key::LifeNeverRun).to_string(),
    };
    view! {
        <p class="hint" data-testid="jobs">{last}</p>
        <DataTable headers=vec![lang.t(Key::LifePseudonym), lang.t(Key::UsersRole), lang.t(Key::UsersClass), lang.t(Key::LifeReason), lang.t(Key::LifeDeactivated), lang.t(Key::LifeDeleted), lang.t(Key::LifeWhat)]>
            {view.reports.into_iter().map(|r| view! {
                <tr data-testid="deletion-row">
                    <td>{r.pseudonym}</td>
                    <td>{crate::auth::Role::from_code(&r.role).map(|role| lang.t(role.label())).unwrap_or_default()}</td>
                    <td>{r.class}</td>
                    <td>{lang.t(if r.reason == "withdrawn" { Key::LifeReasonWithdrawn } else { Key::LifeReasonLeft })}</td>
                    <td>{lang.timestamp(r.deactivated_at)}</td>
                    <td>{lang.timestamp(r.deleted_at)}</td>
                    <td>{r.summary}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
}

/// LIFE-1, PAR-4: on management's start page: the families' requests to end a child's use,
/// each confirmed with one button (behind a question), which withdraws the child's account.
#[component]
pub fn EndRequestsCard(lang: Lang) -> impl IntoView {
    use super::requests::{ConfirmEnd, EndRequest, end_requests};
    let action = ServerAction::<ConfirmEnd>::new();
    view! {
        <Card title=lang.t(Key::LifeRequestsTitle) icon=IconName::Hand>
            {await_data(lang, end_requests, move |requests: Vec<EndRequest>| {
                if requests.is_empty() {
                    return view! { <p class="empty" data-testid="no-end-requests">{lang.t(Key::LifeRequestsNone)}</p> }.into_any();
                }
                view! {
                    <ul class="guardian-list" data-testid="end-requests">
                        {requests.into_iter().map(|r| {
                            let who = match &r.class {
                                Some(class) => format!("{} · {class}", r.pupil),
                                None => r.pupil.clone(),
                            };
                            let from = lang.fill(Key::LifeRequestsFrom, &[
                                ("name", r.guardian.as_deref().unwrap_or("–")),
                                ("date", &lang.timestamp(r.created_at)),
                            ]);
                            view! {
                                <li>
                                    <strong>{who}</strong><br/><span class="hint">{from}</span>
                                    {(!r.note.is_empty()).then(|| view! { <blockquote class="note">{r.note.clone()}</blockquote> })}
                                    <ConfirmDialog lang summary=lang.t(Key::LifeRequestsConfirm).to_string() question=lang.t(Key::LifeWithdrawConfirm).to_string()>
                                        <ActionForm action>
                                            <input type="hidden" name="request_id" value=r.id.to_string()/>
                                            <button class="btn btn-danger" type="submit" data-testid="confirm-end">{lang.t(Key::LifeRequestsConfirm)}</button>
                                        </ActionForm>
                                    </ConfirmDialog>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </Card>
    }
}
