use leptos::prelude::*;

use super::{
    AddMember, CreateTeam, GroupDetail, GroupKind, GroupSummary, RemoveMember, SetMemberFiles,
    group_members, list_groups,
};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::guardians::views::LettersForm;
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::files::MemberRights;

/// ADM-2: classes and teams, with their sizes and owners.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let lang = use_lang();
    let q =
        leptos_router::hooks::use_query_map().with_untracked(|m| m.get("q").unwrap_or_default());
    let search = q.clone();
    view! {
        <leptos_meta::Title text=lang.t(Key::GroupsTitle)/>
        <h1 class="page-title">{lang.t(Key::GroupsTitle)}</h1>
        <form method="get" action="/admin/groups" class="search" role="search">
            <label for="q">{lang.t(Key::GroupsSearch)}</label>
            <input id="q" name="q" type="search" value=q/>
            <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSearch)}</button>
        </form>
        {await_data(lang, move || list_groups(search.clone()), move |groups| view! { <GroupTable lang groups/> })}
        <Card title=lang.t(Key::GroupsCreateTeam) icon=IconName::User>
            <ActionForm action={ServerAction::<CreateTeam>::new()} attr:class="create-user">
                <div class="field">
                    <label for="team-name">{lang.t(Key::SchoolsName)}</label>
                    <input id="team-name" name="name" required placeholder="Schulchor"/>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersCreateSubmit)}</button>
            </ActionForm>
        </Card>
    }
}

fn kind_label(lang: Lang, kind: GroupKind) -> &'static str {
    lang.t(match kind {
        GroupKind::Class => Key::GroupsClass,
        GroupKind::Team => Key::GroupsTeam,
    })
}

#[component]
fn GroupTable(lang: Lang, groups: Vec<GroupSummary>) -> impl IntoView {
    view! {
        <DataTable headers=vec![lang.t(Key::SchoolsName), lang.t(Key::GroupsKind), lang.t(Key::GroupsMembers), lang.t(Key::GroupsOwners)]>
            {groups.into_iter().map(|g| view! {
                <tr data-testid="group-row">
                    <td><a href=format!("/admin/groups/{}", g.id)>{g.name}</a></td>
                    <td>{kind_label(lang, g.kind)}</td>
                    <td>{g.members}</td>
                    <td>{g.owners.join(", ")}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
}

#[component]
pub fn GroupPage() -> impl IntoView {
    let lang = use_lang();
    let id: i64 = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()))
        .unwrap_or_default();
    view! {
        <leptos_meta::Title text=lang.t(Key::GroupsTitle)/>
        {await_data(lang, move || group_members(id), move |detail| view! { <GroupMembers lang detail/> })}
    }
}

#[component]
fn GroupMembers(lang: Lang, detail: GroupDetail) -> impl IntoView {
    let group_id = detail.group.id.to_string();
    let add_id = group_id.clone();
    let write_id = group_id.clone();
    let member_files = detail.member_files;
    // PAR-2: a class's parents' letters, in one go, for the secretariat.
    let class_letters = (detail.group.kind == GroupKind::Class
        && use_context::<Option<crate::auth::SessionUser>>()
            .flatten()
            .is_some_and(|u| u.can(crate::auth::Capability::GuardiansManage)))
    .then(|| detail.group.name.clone());
    view! {
        <h1 class="page-title">{format!("{} · {}", detail.group.name, kind_label(lang, detail.group.kind))}</h1>
        <DataTable headers=vec![lang.t(Key::UsersName), lang.t(Key::UsersLogin), lang.t(Key::GroupsRole), ""]>
            {detail.members.into_iter().map(|m| {
                let group_id = group_id.clone();
                view! {
                    <tr data-testid="member-row">
                        <td>{format!("{}, {}", m.last_name, m.first_name)}</td>
                        <td>{m.login}</td>
                        <td>{lang.t(if m.owner { Key::GroupsOwner } else { Key::GroupsMember })}</td>
                        <td>
                            <ActionForm action={ServerAction::<RemoveMember>::new()}>
                                <input type="hidden" name="group_id" value=group_id/>
                                <input type="hidden" name="user_id" value=m.user_id.to_string()/>
                                <button class="btn" type="submit">{lang.t(Key::GroupsRemove)}</button>
                            </ActionForm>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
        <Card title=lang.t(Key::GroupsFolder) icon=IconName::Folder>
            <ActionForm action={ServerAction::<SetMemberFiles>::new()} attr:class="create-user">
                <input type="hidden" name="group_id" value=write_id/>
                <MemberRightsField lang current=member_files/>
                <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
            </ActionForm>
        </Card>
        {class_letters.map(|class| view! {
            <Card title=lang.t(Key::GuardiansTitle) icon=IconName::People>
                <LettersForm lang field="class" value=class.clone()
                    label=lang.fill(Key::GuardiansPrintClass, &[("class", &class)])
                    testid="print-class-codes"/>
            </Card>
        })}
        <Card title=lang.t(Key::GroupsAdd) icon=IconName::User>
            <ActionForm action={ServerAction::<AddMember>::new()} attr:class="create-user">
                <input type="hidden" name="group_id" value=add_id/>
                <div class="field">
                    <label for="member-login">{lang.t(Key::UsersLogin)}</label>
                    <input id="member-login" name="login" required placeholder="max.mueller"/>
                </div>
                <div class="field">
                    <label for="member-owner">{lang.t(Key::GroupsRole)}</label>
                    <select id="member-owner" name="owner">
                        <option value="false">{lang.t(Key::GroupsMember)}</option>
                        <option value="true">{lang.t(Key::GroupsOwner)}</option>
                    </select>
                </div>
                <button class="btn btn-primary" type="submit"><Icon name=IconName::Check/>{lang.t(Key::GroupsAdd)}</button>
            </ActionForm>
        </Card>
    }
}

/// FILE-1: the three states of a group folder, as one choice; on the group's page and, for its
/// teachers, on the folder itself.
#[component]
pub fn MemberRightsField(lang: Lang, current: MemberRights) -> impl IntoView {
    view! {
        <fieldset class="field choice">
            <legend>{lang.t(Key::FilesMembersRights)}</legend>
            <p class="hint">{lang.t(Key::FilesMembersHint)}</p>
            {MemberRights::ALL.into_iter().map(|rights| view! {
                <label class="choice-line">
                    <input type="radio" name="rights" value=rights.code() checked=rights == current/>
                    <span>{lang.t(rights.label())}</span>
                </label>
            }).collect_view()}
        </fieldset>
    }
}
