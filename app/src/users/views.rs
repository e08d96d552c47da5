//! ADM-2: the people table, with search, sort, paging, bulk start passwords and locks.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{CreateUser, LockUser, SortBy, UnlockUser, UserList, list_users};
use crate::auth::{
    Role,
    rights::{self, Act},
};
use crate::components::{Card, ConfirmDialog, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let (q, sort, page) = query.with_untracked(|m| {
        (
            m.get("q").unwrap_or_default(),
            SortBy::from_code(&m.get("sort").unwrap_or_default()),
            m.get("page").and_then(|p| p.parse().ok()).unwrap_or(1i64),
        )
    });
    let search = q.clone();
    let shown = q.clone();
    view! {
        <leptos_meta::Title text=lang.t(Key::UsersTitle)/>
        <h1 class="page-title">{lang.t(Key::UsersTitle)}</h1>
        <form method="get" action="/admin/users" class="search" role="search">
            <label for="q">{lang.t(Key::UsersSearchLabel)}</label>
            <input id="q" name="q" type="search" value=q.clone()/>
            <input type="hidden" name="sort" value=sort.code()/>
            <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSearch)}</button>
        </form>
        // Issue 18 §6: the bulk action sits in a toolbar above the rows it acts on. Outside the
        // suspended table, so that the page knows it has an island (see `IslandsOnPage`); the
        // button belongs to the table's form through `form="slips"`.
        <div class="toolbar bulk-actions">
            <ConfirmDialog lang summary=lang.t(Key::UsersSlips).to_string() question=lang.t(Key::UsersSlipsConfirm).to_string()>
                <SelectionCount lang/>
                <button class="btn btn-primary" type="submit" form="slips">
                    <Icon name=IconName::Key/>{lang.t(Key::DialogConfirm)}
                </button>
            </ConfirmDialog>
        </div>
        {await_data(lang, move || list_users(search.clone(), sort.code().to_string(), page), move |list| {
            let search = shown.clone();
            view! { <UserTable lang list search sort/> }
        })}
        <div class="grid">
            <CreateUserCard lang/>
            <ImportCard lang/>
        </div>
    }
}

fn link(search: &str, sort: SortBy, page: i64) -> String {
    let q: String = search
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/admin/users?q={q}&sort={}&page={page}", sort.code())
}

#[component]
fn UserTable(lang: Lang, list: UserList, search: String, sort: SortBy) -> impl IntoView {
    let viewer = viewer_role();
    let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
    let pupils_by_class: Vec<String> = list
        .rows
        .iter()
        .filter(|r| r.role == Role::Pupil)
        .filter_map(|r| r.class.clone())
        .collect();
    let header = |key: Key, by: SortBy| {
        view! { <a href=link(&search, by, 1) aria-current=(sort == by).then_some("true")>{lang.t(key)}</a> }
    };
    let headers = vec![
        lang.t(Key::UsersSelect),
        lang.t(Key::UsersName),
        lang.t(Key::UsersClass),
        lang.t(Key::UsersRole),
        lang.t(Key::UsersStatus),
        lang.t(Key::FilesActions),
    ];
    view! {
        <p class="table-meta">
            <span data-testid="user-count">{lang.count(list.total, Key::UsersCountOne, Key::UsersCount)}</span>
            " · "{header(Key::UsersName, SortBy::Name)}" · "{header(Key::UsersLogin, SortBy::Login)}
            " · "{header(Key::UsersClass, SortBy::Class)}" · "{header(Key::UsersRole, SortBy::Role)}
        </p>
        <form id="slips" method="post" action="/admin/slips" target="_blank"></form>
        <DataTable headers>
            {list.rows.into_iter().map(|user| {
                let status = status_of(&user);
                let issued = user.start_password_issued_at.map(|at| lang.fill(Key::UsersIssuedOn, &[("date", &lang.timestamp(at))]));
                let may_lock = viewer.is_some_and(|v| rights::may(v, Act::Lock, user.role));
                let is_pupil = user.role == Role::Pupil;
                let full_name = format!("{} {}", user.first_name, user.last_name);
                view! {
                    // Issue 18 §6: one compact row a person: name with login, class (a link to the
                    // class with its slips), role, status, and the rest in the row's menu.
                    <tr data-testid="user-row">
                        <td><input type="checkbox" form="slips" name="user_id" class="select-row" value=user.id.to_string()
                            aria-label=format!("{} {}", lang.t(Key::UsersSelect), full_name)/></td>
                        <td>
                            <a href=format!("/admin/users/{}", user.id)>{format!("{}, {}", user.last_name, user.first_name)}</a>
                            <br/><small class="hint login">{user.login.clone()}</small>
                        </td>
                        <td>{user.class.clone().map(|class| view! { <a href=format!("/admin/users?q={class}")>{class.clone()}</a> })}</td>
                        <td>{lang.t(user.role.label())}</td>
                        <td>
                            {lang.t(status)}{issued.map(|text| view! { <br/><small>{text}</small> })}
                            {(is_pupil && user.parent_consent).then(|| view! { <br/><span class="badge" data-testid="consent-given">{lang.t(if user.parent_consent_online { Key::ConsentGivenOnline } else { Key::ConsentGiven })}</span> })}
                        </td>
                        <td>
                            <details class="row-actions">
                                <summary class="btn" aria-label=format!("{} {}", lang.t(Key::FilesActions), full_name)>
                                    <Icon name=IconName::Menu/><span class="visually-hidden">{lang.t(Key::FilesActions)}</span>
                                </summary>
                                <div class="row-actions-body">
                                    <a class="btn" href=format!("/admin/users/{}", user.id)>{lang.t(Key::UsersOpen)}</a>
                                    {may_lock.then(|| view! { <LockForm lang user_id=user.id locked=user.locked/> })}
                                    {is_pupil.then(|| view! { <ConsentCell lang user_id=user.id given=user.parent_consent/> })}
                                </div>
                            </details>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
        {crate::rules::class::parse(&search).map(|(class, _)| {
            let count = pupils_by_class.iter().filter(|c| c.as_str() == class).count().to_string();
            let question = lang.fill(Key::UsersClassSlipsConfirm, &[("count", &count), ("class", &class)]);
            view! {
                <p><a class="btn" href=format!("/admin/consent-forms?class={class}") target="_blank">
                    {lang.fill(Key::ConsentPrintClass, &[("class", &class)])}
                </a></p>
                <ConfirmDialog lang summary=lang.fill(Key::UsersClassSlips, &[("class", &class)]) question>
                    <form method="post" action="/admin/slips" target="_blank">
                        <input type="hidden" name="class" value=class.clone()/>
                        <button class="btn btn-primary" type="submit" data-testid="class-slips">
                            <Icon name=IconName::Key/>{lang.t(Key::DialogConfirm)}
                        </button>
                    </form>
                </ConfirmDialog>
            }
        })}
        <div class="toolbar">
            <nav class="pager" aria-label=lang.t(Key::FilesPages)>
                {(list.page > 1).then(|| view! { <a class="btn" href=link(&search, sort, list.page - 1)>{lang.t(Key::UsersPrev)}</a> })}
                <span>{lang.fill(Key::UsersPage, &[("page", &list.page.to_string()), ("pages", &pages.to_string())])}</span>
                {(list.page < pages).then(|| view! { <a class="btn" href=link(&search, sort, list.page + 1)>{lang.t(Key::UsersNext)}</a> })}
            </nav>
        </div>
    }
}

/// ADM-2: "12 ausgewählt" in the bulk confirmation, counted live once the page has hydrated.
/// Without JavaScript it shows nothing rather than a wrong number.
#[island]
fn SelectionCount(lang: Lang) -> impl IntoView {
    let hydrated = crate::components::use_hydrated();
    let count = RwSignal::new(0usize);
    #[cfg(feature = "hydrate")]
    {
        count.set(checked_rows());
        let _listener =
            window_event_listener(leptos::ev::change, move |_| count.set(checked_rows()));
    }
    view! {
        <output class="selection-count" data-testid="selection-count" data-hydrated=move || hydrated.get().to_string()>
            {move || hydrated.get().then(|| lang.fill(Key::UsersSelected, &[("count", &count.get().to_string())]))}
        </output>
    }
}

#[cfg(feature = "hydrate")]
fn checked_rows() -> usize {
    use leptos::wasm_bindgen::JsCast;
    let rows = document().get_elements_by_class_name("select-row");
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .filter_map(|row| row.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
        .filter(|input| input.checked())
        .count()
}

/// VIOL-1: the parents' form for a pupil: print it, and record it when it comes back signed.
#[component]
fn ConsentCell(lang: Lang, user_id: i64, given: bool) -> impl IntoView {
    use crate::policy::RecordParentConsent;
    view! {
        <div class="row-form">
            <a class="btn" href=format!("/admin/consent-forms?user_id={user_id}") target="_blank">{lang.t(Key::ConsentPrint)}</a>
            // Once recorded, the status column says so; nothing is left to do here.
            {(!given).then(|| view! {
                <ActionForm action={ServerAction::<RecordParentConsent>::new()}>
                    <input type="hidden" name="user_id" value=user_id.to_string()/>
                    <button class="btn" type="submit">{lang.t(Key::ConsentRecord)}</button>
                </ActionForm>
            })}
        </div>
    }
}

/// VIOL-2: lock or unlock, always with a reason.
#[component]
fn LockForm(lang: Lang, user_id: i64, locked: bool) -> impl IntoView {
    let input_id = format!("reason-{user_id}");
    let fields = view! {
        <input type="hidden" name="user_id" value=user_id.to_string()/>
        <label class="visually-hidden" for=input_id.clone()>{lang.t(Key::UsersReason)}</label>
        <input id=input_id name="reason" required placeholder=lang.t(Key::UsersReason) class="reason"/>
    };
    if locked {
        view! {
            <ActionForm action={ServerAction::<UnlockUser>::new()} attr:class="row-form">
                {fields}
                <button class="btn" type="submit">{lang.t(Key::UsersUnlock)}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action={ServerAction::<LockUser>::new()} attr:class="row-form">
                {fields}
                <button class="btn" type="submit">{lang.t(Key::UsersLock)}</button>
            </ActionForm>
        }
        .into_any()
    }
}

#[component]
fn CreateUserCard(lang: Lang) -> impl IntoView {
    // SEC-1: only the roles the rights table lets this caller create.
    let roles = viewer_role().map_or_else(Vec::new, |viewer| offered(viewer, Act::Create));
    view! {
        <Card title=lang.t(Key::UsersCreateTitle) icon=IconName::User>
            <ActionForm action={ServerAction::<CreateUser>::new()} attr:class="create-user">
                <div class="field">
                    <label for="first_name">{lang.t(Key::UsersFirstName)}</label>
                    <input id="first_name" name="first_name" required/>
                </div>
                <div class="field">
                    <label for="last_name">{lang.t(Key::UsersLastName)}</label>
                    <input id="last_name" name="last_name" required/>
                </div>
                <div class="field">
                    <label for="role">{lang.t(Key::UsersRole)}</label>
                    <select id="role" name="role">
                        {roles.into_iter().map(|r| view! { <option value=r.code()>{lang.t(r.label())}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="class">{lang.t(Key::UsersClass)}</label>
                    <input id="class" name="class" placeholder="2b"/>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersCreateSubmit)}</button>
            </ActionForm>
        </Card>
    }
}

/// ACC-4: the upload form for a class list; the preview comes on its own page.
#[component]
fn ImportCard(lang: Lang) -> impl IntoView {
    view! {
        <Card title=lang.t(Key::ImportTitle) icon=IconName::User>
            <ImportUploadForm lang submit=Key::ImportUpload/>
            <p><a href="/admin/users.csv" download>{lang.t(Key::UsersExport)}</a></p>
            <p><a href="/admin/year-end">{lang.t(Key::YearEndTitle)}</a></p>
        </Card>
    }
}

/// The one upload form for class lists: on the people page, and on a preview with errors
/// for the corrected file.
#[component]
fn ImportUploadForm(lang: Lang, submit: Key) -> impl IntoView {
    view! {
        <form method="post" action="/admin/import" enctype="multipart/form-data" class="upload-form">
            <div class="field">
                <label for="import-file">{lang.t(Key::ImportFile)}</label>
                <input id="import-file" type="file" name="file" accept=".csv,text/csv,text/plain" required/>
            </div>
            <button class="btn btn-primary" type="submit">{lang.t(submit)}</button>
        </form>
    }
}

/// ACC-4: what the import would do, line by line; applied all at once or not at all.
#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    let id: i64 = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()))
        .unwrap_or_default();
    view! {
        <leptos_meta::Title text=lang.t(Key::ImportTitle)/>
        {await_data(lang, move || super::import_preview(id), move |report| view! { <ImportReportView lang report/> })}
    }
}

/// After the apply the page is a receipt: what happened and the next step, not the preview's
/// table again (issue 18 §6). Reports applied before outcomes were stored keep the preview.
#[component]
fn ImportReportView(lang: Lang, report: super::ImportReport) -> impl IntoView {
    match report.outcome.clone() {
        Some(outcome) => view! {
            <h1 class="page-title">{lang.fill(Key::ImportAppliedTitle, &[("file", &report.file_name)])}</h1>
            <ImportDone lang outcome/>
        }
        .into_any(),
        None => view! { <ImportPreview lang report/> }.into_any(),
    }
}

#[component]
fn ImportPreview(lang: Lang, report: super::ImportReport) -> impl IntoView {
    use super::{Change, ImportApply};
    let (new, changed, unchanged) = (
        report.count(Change::New),
        report.count(Change::Changed),
        report.count(Change::Unchanged),
    );
    let can_apply = report.errors.is_empty() && !report.applied && !report.entries.is_empty();
    let question = lang.fill(
        Key::ImportApplyConfirm,
        &[("new", &new.to_string()), ("changed", &changed.to_string())],
    );
    let label = move |change: Change| {
        lang.t(match change {
            Change::New => Key::ImportNew,
            Change::Changed => Key::ImportChanged,
            Change::Unchanged => Key::ImportUnchanged,
        })
    };
    view! {
        <h1 class="page-title">{lang.fill(Key::ImportPreviewTitle, &[("file", &report.file_name)])}</h1>
        <p class="import-summary" data-testid="import-summary">
            <span class="badge">{format!("{new} {}", lang.t(Key::ImportNew))}</span>" "
            <span class="badge">{format!("{changed} {}", lang.t(Key::ImportChanged))}</span>" "
            <span class="badge">{format!("{unchanged} {}", lang.t(Key::ImportUnchanged))}</span>" "
            <span class="badge badge-error">{format!("{} {}", report.errors.len(), lang.t(Key::ImportErrors))}</span>
        </p>
        {(!report.errors.is_empty()).then(|| view! {
            <div class="error-summary" role="alert">
                <h2><Icon name=IconName::Alert/>{lang.t(Key::ImportHasErrors)}</h2>
                <DataTable headers=vec![lang.t(Key::ImportLine), lang.t(Key::ImportProblem), ""]>
                    {report.errors.iter().take(500).map(|e| {
                        let earlier = e.earlier.map(|l| l.to_string()).unwrap_or_default();
                        view! {
                            <tr data-testid="import-error">
                                <td>{e.line}</td>
                                <td>{lang.fill(e.message, &[("line", &earlier)])}</td>
                                <td><code>{e.text.clone()}</code></td>
                            </tr>
                        }
                    }).collect_view()}
                </DataTable>
            </div>
            <Card title=lang.t(Key::ImportCorrected) icon=IconName::Upload>
                <p>{lang.t(Key::ImportCorrectedHint)}</p>
                <ImportUploadForm lang submit=Key::ImportCorrected/>
            </Card>
        })}
        {report.applied.then(|| view! { <p class="policy-done"><Icon name=IconName::Check/>{lang.t(Key::ImportDone)}</p> })}
        {can_apply.then(|| view! {
            <ConfirmDialog lang summary=lang.t(Key::ImportApply).to_string() question>
                <ActionForm action={ServerAction::<ImportApply>::new()}>
                    <input type="hidden" name="id" value=report.id.to_string()/>
                    <button class="btn btn-primary" type="submit" data-testid="apply-import">
                        <Icon name=IconName::Check/>{lang.t(Key::DialogConfirm)}
                    </button>
                </ActionForm>
            </ConfirmDialog>
        })}
        {(!report.applied && new > 0).then(|| view! { <p class="hint">{lang.t(Key::ImportLoginHint)}</p> })}
        <DataTable headers=vec![lang.t(Key::ImportLine), lang.t(Key::UsersName), lang.t(Key::UsersClass), lang.t(Key::ImportLogin), lang.t(Key::UsersStatus)]>
            {report.entries.iter().take(2000).map(|e| view! {
                <tr data-testid="import-entry">
                    <td>{e.row.line}</td>
                    <td>{format!("{}, {}", e.row.last_name, e.row.first_name)}</td>
                    <td>{e.row.class.clone()}</td>
                    <td><code>{(!report.applied).then(|| e.login.clone()).flatten().unwrap_or_default()}</code></td>
                    <td>{label(e.change)}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
}

/// Issue 18 §6: after the apply, what happened and the next step: slips for each class that
/// gained children.
#[component]
fn ImportDone(lang: Lang, outcome: super::ImportOutcome) -> impl IntoView {
    let counts = lang.fill(
        Key::ImportDoneCounts,
        &[
            ("new", &outcome.new.to_string()),
            ("changed", &outcome.changed.to_string()),
            ("unchanged", &outcome.unchanged.to_string()),
        ],
    );
    view! {
        <div class="notice notice-success" role="status" data-testid="import-done">
            <h2><Icon name=IconName::Check/>{lang.t(Key::ImportDoneTitle)}</h2>
            <p>{counts}</p>
            {(!outcome.classes_with_new.is_empty()).then(|| view! {
                <p>{lang.t(Key::ImportNextStep)}</p>
                <p class="actions">
                    {outcome.classes_with_new.iter().map(|class| view! {
                        <a class="btn btn-primary" data-testid="import-next" href=format!("/admin/users?q={class}")>
                            <Icon name=IconName::Key/>{lang.fill(Key::ImportPrintClass, &[("class", class)])}
                        </a>
                    }).collect_view()}
                </p>
            })}
            <p><a href="/admin/users">{lang.t(Key::ImportBackToPeople)}</a></p>
        </div>
    }
}

/// ACC-4: the end-of-year run, shown as the moves it will make before it makes them.
#[component]
pub fn YearEndPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::YearEndTitle)/>
        <h1 class="page-title">{lang.t(Key::YearEndTitle)}</h1>
        <p class="lead">{lang.t(Key::YearEndIntro)}</p>
        {await_data(lang, super::year_end_preview, move |plan| view! { <YearEndTable lang plan/> })}
    }
}

#[component]
fn YearEndTable(lang: Lang, plan: super::YearEndPlan) -> impl IntoView {
    use super::YearEndApply;
    view! {
        <DataTable headers=vec![lang.t(Key::YearEndFrom), lang.t(Key::YearEndTo), lang.t(Key::YearEndMembers)]>
            {plan.moves.into_iter().map(|m| view! {
                <tr data-testid="class-move">
                    <td>{m.from}</td>
                    <td>{m.to.unwrap_or_else(|| lang.t(Key::YearEndLeaves).to_string())}</td>
                    <td>{m.members}</td>
                </tr>
            }).collect_view()}
        </DataTable>
        <ConfirmDialog lang summary=lang.t(Key::YearEndApply).to_string() question=lang.t(Key::YearEndConfirm).to_string()>
            <ActionForm action={ServerAction::<YearEndApply>::new()}>
                <div class="field">
                    <label for="leaving_date">{lang.t(Key::YearEndDate)}</label>
                    <input id="leaving_date" name="leaving_date" type="date" value=plan.leaving_date required/>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::DialogConfirm)}</button>
            </ActionForm>
        </ConfirmDialog>
    }
}

/// One person: directory fields, role, leaving date. Never their content (ADM-1).
#[component]
pub fn UserPage() -> impl IntoView {
    let lang = use_lang();
    let id: i64 = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()))
        .unwrap_or_default();
    let viewer = viewer_role();
    let may_manage_files = use_context::<Option<crate::auth::SessionUser>>()
        .flatten()
        .is_some_and(|u| u.can(crate::auth::Capability::FilesManage));
    view! {
        <leptos_meta::Title text=lang.t(Key::UsersTitle)/>
        {await_data(lang, move || super::user_detail(id), move |user| view! { <UserCard lang user viewer/> })}
        {may_manage_files.then(|| view! { <crate::files::views::AllowanceForms lang user_id=id/> })}
    }
}

#[component]
fn UserCard(lang: Lang, user: super::UserSummary, viewer: Option<Role>) -> impl IntoView {
    use super::{SetLeavingDate, SetRole};
    let id = user.id.to_string();
    let role_id = id.clone();
    let leaving = user.leaving_date.clone().unwrap_or_default();
    let leaving_input = leaving.clone();
    let current_role = user.role;
    // SEC-1: the role form appears only where the table allows a change, with the roles it
    // allows; the lock form only where a lock is allowed.
    let may = |act| viewer.is_some_and(|v| rights::may(v, act, current_role));
    let may_change_roles = may(Act::ChangeRole);
    let may_lock = may(Act::Lock);
    let may_issue = may(Act::IssueCredentials);
    let status = status_of(&user);
    let reason =
        (user.locked && !user.status_reason.is_empty()).then(|| user.status_reason.clone());
    let roles = viewer.map_or_else(Vec::new, |v| offered(v, Act::Create));
    let in_class = user.class.is_some();
    view! {
        <h1 class="page-title">{format!("{} {}", user.first_name, user.last_name)}</h1>
        <div class="grid">
            // Issue 18: the facts of this person, with nothing empty, the lock's reason, and a
            // new start password one click away.
            <Card title=lang.t(Key::UsersAccount) icon=IconName::User>
                <dl class="facts">
                    <dt>{lang.t(Key::UsersLogin)}</dt><dd>{user.login.clone()}</dd>
                    {user.class.clone().map(|class| view! { <dt>{lang.t(Key::UsersClass)}</dt><dd>{class}</dd> })}
                    <dt>{lang.t(Key::UsersRole)}</dt><dd data-testid="role">{lang.t(user.role.label())}</dd>
                    <dt>{lang.t(Key::UsersStatus)}</dt><dd data-testid="status">{lang.t(status)}</dd>
                    {reason.map(|reason| view! { <dt>{lang.t(Key::UsersReason)}</dt><dd data-testid="lock-reason">{reason}</dd> })}
                    {(!leaving.is_empty()).then(|| view! { <dt>{lang.t(Key::YearEndDate)}</dt><dd data-testid="leaving">{lang.day(&leaving)}</dd> })}
                </dl>
                {may_lock.then(|| view! { <LockForm lang user_id=user.id locked=user.locked/> })}
                {may_issue.then(|| view! {
                    <form method="post" action="/admin/slips" target="_blank">
                        <input type="hidden" name="user_id" value=user.id.to_string()/>
                        <button class="btn" type="submit" data-testid="new-slip"><Icon name=IconName::Key/>{lang.t(Key::UsersNewSlip)}</button>
                    </form>
                })}
            </Card>
            <Card title=lang.t(Key::UsersEdit) icon=IconName::Key>
                <ActionForm action={ServerAction::<SetLeavingDate>::new()} attr:class="create-user">
                    <input type="hidden" name="user_id" value=id/>
                    <div class="field">
                        <label for="leaving_date">{lang.t(Key::UsersLeavingDate)}</label>
                        <input id="leaving_date" name="leaving_date" value=lang.day(&leaving_input) placeholder=lang.date(2027, 7, 31)/>
                    </div>
                    <button class="btn" type="submit">{lang.t(Key::UsersSave)}</button>
                </ActionForm>
                {may_change_roles.then(|| view! {
                    <ActionForm action={ServerAction::<SetRole>::new()} attr:class="create-user">
                        <input type="hidden" name="user_id" value=role_id/>
                        <div class="field">
                            <label for="role">{lang.t(Key::UsersRole)}</label>
                            <select id="role" name="role">
                                {roles.into_iter().map(|r| view! {
                                    <option value=r.code() selected=r == current_role>{lang.t(r.label())}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <button class="btn" type="submit">{lang.t(Key::UsersSave)}</button>
                    </ActionForm>
                })}
            </Card>
            <crate::lifecycle::views::LifecycleCard lang user_id=user.id deletion_due_at=user.deletion_due_at/>
            // PAR-1: a pupil's guardians, for the secretariat alone.
            // The representative mark belongs to a class, so it is offered only for a pupil in one.
            {may(Act::LinkGuardian).then(|| view! { <crate::guardians::views::GuardiansCard lang pupil_id=user.id in_class/> })}
        </div>
    }
}

/// What the people table and the person's page say about an account.
fn status_of(user: &super::UserSummary) -> Key {
    if user.deletion_due_at.is_some() {
        Key::LifeScheduled
    } else if user.locked {
        Key::UsersLocked
    } else if user.must_change_password {
        Key::UsersStartPending
    } else if !user.has_password {
        Key::UsersNeverSignedIn
    } else {
        Key::UsersActive
    }
}

/// The signed-in viewer's role, from the session the shell provides.
fn viewer_role() -> Option<Role> {
    use_context::<Option<crate::auth::SessionUser>>()
        .flatten()
        .map(|u| u.role)
}

/// The roles `viewer` may give with `act`, pupils first as the forms list them.
fn offered(viewer: Role, act: Act) -> Vec<Role> {
    let mut roles = rights::targets(viewer, act);
    roles.reverse();
    roles
}
