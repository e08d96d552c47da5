use leptos::prelude::*;

use super::{
    AddMember, CreateTeam, GroupDetail, GroupKind, GroupSummary, RemoveMember, SetMembersWrite,
    group_members, list_groups,
};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

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
    let members_write = detail.members_write;
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
            <ActionForm action={ServerAction::<SetMembersWrite>::new()} attr:class="create-user">
                <input type="hidden" name="group_id" value=write_id/>
                <div class="field">
                    <label for="members-write">{lang.t(Key::GroupsMembersWrite)}</label>
                    <select id="members-write" name="allowed">
                        <option value="true" selected=members_write>{lang.t(Key::GroupsMembersWriteYes)}</option>
                        <option value="false" selected=!members_write>{lang.t(Key::GroupsMembersWriteNo)}</option>
                    </select>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
            </ActionForm>
        </Card>
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
