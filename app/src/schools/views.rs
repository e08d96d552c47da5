use leptos::prelude::*;

use super::{CreateSchool, SchoolSummary, list_schools};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

/// ACC-1: the operator's list of schools, a form for a new one, and each school's first
/// administrator with a printed start password.
#[component]
pub fn SchoolsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::SchoolsTitle)/>
        <h1 class="page-title">{lang.t(Key::SchoolsTitle)}</h1>
        {await_data(lang, list_schools, move |schools| view! { <SchoolTable lang schools/> })}
        <Card title=lang.t(Key::SchoolsCreate) icon=IconName::School>
            <ActionForm action={ServerAction::<CreateSchool>::new()} attr:class="create-user">
                <div class="field">
                    <label for="school-name">{lang.t(Key::SchoolsName)}</label>
                    <input id="school-name" name="name" required/>
                </div>
                <div class="field">
                    <label for="school-domain">{lang.t(Key::SchoolsDomain)}</label>
                    <input id="school-domain" name="mail_domain" placeholder="paulusschule.example" required/>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersCreateSubmit)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn SchoolTable(lang: Lang, schools: Vec<SchoolSummary>) -> impl IntoView {
    view! {
        <DataTable headers=vec![lang.t(Key::SchoolsName), lang.t(Key::SchoolsDomain), lang.t(Key::SchoolsPeople), lang.t(Key::SchoolsLeaders), lang.t(Key::SchoolsFirstAdmin)]>
            {schools.into_iter().map(|school| {
                let id = school.id.to_string();
                view! {
                    <tr data-testid="school-row">
                        <td>{school.name}</td>
                        <td>{school.mail_domain}</td>
                        <td>{school.people}</td>
                        <td data-testid="school-leaders">
                            {if school.leaders.is_empty() {
                                view! { <span class="badge badge-error">{lang.t(Key::SchoolsNoLeader)}</span> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list">
                                        {school.leaders.into_iter().map(|l| view! {
                                            <li>{l.name}" · "{lang.t(l.role.label())}<br/><code>{l.login}</code></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </td>
                        <td>
                            <form method="post" action="/admin/schools/admin" target="_blank" class="row-form">
                                <input type="hidden" name="school_id" value=id.clone()/>
                                <label class="visually-hidden" for=format!("first-{id}")>{lang.t(Key::UsersFirstName)}</label>
                                <input id=format!("first-{id}") name="first_name" required placeholder=lang.t(Key::UsersFirstName) class="reason"/>
                                <label class="visually-hidden" for=format!("last-{id}")>{lang.t(Key::UsersLastName)}</label>
                                <input id=format!("last-{id}") name="last_name" required placeholder=lang.t(Key::UsersLastName) class="reason"/>
                                <label class="visually-hidden" for=format!("role-{id}")>{lang.t(Key::UsersRole)}</label>
                                <select id=format!("role-{id}") name="role">
                                    <option value="admin">{lang.t(Key::RoleAdmin)}</option>
                                    <option value="management">{lang.t(Key::RoleManagement)}</option>
                                    // PAR-1: the secretariat links guardians to children, so
                                    // nobody inside the school sets it up.
                                    <option value="secretariat">{lang.t(Key::RoleSecretariat)}</option>
                                </select>
                                <button class="btn" type="submit"><Icon name=IconName::Key/>{lang.t(Key::SchoolsAddAdmin)}</button>
                            </form>
                            <form method="post" action="/admin/schools/start-password" target="_blank" class="row-form">
                                <input type="hidden" name="school_id" value=id.clone()/>
                                <label class="visually-hidden" for=format!("reset-{id}")>{lang.t(Key::LoginName)}</label>
                                <input id=format!("reset-{id}") name="login" required placeholder=lang.t(Key::LoginName) class="reason"/>
                                <button class="btn" type="submit"><Icon name=IconName::Key/>{lang.t(Key::SchoolsResetPassword)}</button>
                            </form>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
