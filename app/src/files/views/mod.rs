//! The files pages. They are rendered on the server; only the upload box is an island, so a
//! folder listing costs no script. Every action is a plain form that works without one.
mod settings;
mod trash;
mod upload;

pub use settings::*;
pub use trash::*;
pub use upload::*;

use crate::components::{Card, ConfirmDialog, DataTable, Icon, IconName, await_data};
use crate::files::{
    Allowance, CopyEntry, CreateFolder, DeleteEntry, EmptyTrash, FileEntry, FolderView,
    GrantException, MoveEntry, PAGE_SIZE, RenameEntry, RestoreEntry, SetBlockedTypes, SetQuota,
    Space, TrashView, blocked_types, list_folder, list_trash,
};
use crate::groups::{SetMemberFiles, views::MemberRightsField};
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::files as rule;
use crate::rules::files::{MemberRights, Standing, format_bytes};
use leptos::prelude::*;

fn query_param(name: &str) -> String {
    leptos_router::hooks::use_query_map().with_untracked(|m| m.get(name).unwrap_or_default())
}

fn folder_link(space: Space, folder: Option<i64>) -> String {
    format!(
        "/files?space={}&folder={}",
        space.code(),
        folder.unwrap_or(0)
    )
}

/// FILE-1: one folder of one space, with the upload box, the quota and every action.
#[component]
pub fn FilesPage() -> impl IntoView {
    let lang = use_lang();
    let space = query_param("space");
    let folder: i64 = query_param("folder").parse().unwrap_or(0);
    let page: i64 = query_param("page").parse().unwrap_or(0);
    // The upload box is an island inside the loaded page: load the script up front.
    crate::components::islands_on_page();
    view! {
        <leptos_meta::Title text=lang.t(Key::FilesTitle)/>
        {await_data(lang, move || list_folder(space.clone(), folder, page), move |view| view! { <Folder lang view/> })}
    }
}

fn space_label(lang: Lang, space: Space, name: &str) -> String {
    match space {
        Space::Personal => lang.t(Key::FilesMine).to_string(),
        Space::Group(_) => name.to_string(),
    }
}

#[component]
fn Folder(lang: Lang, view: FolderView) -> impl IntoView {
    let FolderView {
        space,
        space_name,
        folder,
        path,
        entries,
        total,
        page,
        standing,
        members,
        spaces,
        folders,
        allowance,
    } = view;
    let title = space_label(lang, space, space_name.as_deref().unwrap_or_default());
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let folder_id = folder.unwrap_or(0).to_string();
    let space_code = space.code();
    let upload_url = format!(
        "/files/upload?space={}&folder={}",
        space.code(),
        folder.unwrap_or(0)
    );
    let archive_url = format!(
        "/files/archive?space={}&folder={}",
        space.code(),
        folder.unwrap_or(0)
    );
    let trash_url = format!("/files/trash?space={}", space.code());
    let empty = entries.is_empty();
    let can_add = standing.may_add();
    let group = match space {
        Space::Group(id) => Some(id),
        Space::Personal => None,
    };
    view! {
        <h1 class="page-title module-files">{lang.t(Key::FilesTitle)}</h1>
        <nav class="tabs" aria-label=lang.t(Key::FilesSpaces)>
            {spaces.into_iter().map(|(s, name)| {
                let current = (s == space).then_some("page");
                view! { <a class="tab" aria-current=current href=folder_link(s, None)>{space_label(lang, s, &name)}</a> }
            }).collect_view()}
        </nav>
        <nav class="breadcrumb" aria-label=lang.t(Key::FilesPath)>
            <a href=folder_link(space, None)>{title}</a>
            {path.into_iter().map(|(id, name)| view! { <span aria-hidden="true">" / "</span><a href=folder_link(space, Some(id))>{name}</a> }).collect_view()}
        </nav>
        <AllowanceCard lang allowance=allowance.clone()/>
        <MemberRightsNote lang standing members group/>
        {can_add.then(|| view! {
            <UploadBox
                lang
                url=upload_url
                limit=allowance.transfer_limit
                room=(allowance.quota - allowance.used).max(0)
                blocked=allowance.blocked.clone()
            />
        })}
        {(!can_add).then(|| view! { <p class="hint" data-testid="read-only">{lang.t(Key::FilesReadOnly)}</p> })}
        <div class="toolbar">
            <a class="btn" href=archive_url><Icon name=IconName::Download/>{lang.t(Key::FilesDownloadFolder)}</a>
            <a class="btn" href=trash_url data-testid="trash-link"><Icon name=IconName::Trash/>{lang.t(Key::FilesTrash)}</a>
        </div>
        {empty.then(|| view! { <p class="empty">{lang.t(Key::FilesEmpty)}</p> })}
        {(!empty).then(|| view! {
            <DataTable headers=vec![lang.t(Key::FilesName), lang.t(Key::FilesSize), lang.t(Key::FilesChanged), lang.t(Key::FilesAuthor), lang.t(Key::FilesActions)]>
                {entries.into_iter().map(|entry| view! {
                    <Row lang space entry can_add folders=folders.clone() here=folder/>
                }).collect_view()}
            </DataTable>
        })}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=lang.t(Key::FilesPages)>
                {(page > 0).then(|| view! { <a class="btn" href=format!("{}&page={}", folder_link(space, folder), page - 1)>{lang.t(Key::UsersPrev)}</a> })}
                <span>{lang.fill(Key::UsersPage, &[("page", &(page + 1).to_string()), ("pages", &pages.to_string())])}</span>
                {(page + 1 < pages).then(|| view! { <a class="btn" href=format!("{}&page={}", folder_link(space, folder), page + 1)>{lang.t(Key::UsersNext)}</a> })}
            </nav>
        })}
        {can_add.then(|| view! {
            <Card title=lang.t(Key::FilesNewFolder) icon=IconName::Folder>
                <ActionForm action={ServerAction::<CreateFolder>::new()} attr:class="inline-form">
                    <input type="hidden" name="space" value=space_code/>
                    <input type="hidden" name="folder" value=folder_id/>
                    <div class="field">
                        <label for="new-folder">{lang.t(Key::FilesName)}</label>
                        <input id="new-folder" name="name" required maxlength="255"/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesCreate)}</button>
                </ActionForm>
            </Card>
        })}
    }
}

fn entry_icon(entry: &FileEntry) -> IconName {
    if entry.is_folder {
        IconName::Folder
    } else if entry.content_type.starts_with("image/") {
        IconName::Image
    } else {
        IconName::File
    }
}

#[component]
fn Row(
    lang: Lang,
    space: Space,
    entry: FileEntry,
    can_add: bool,
    folders: Vec<(i64, String)>,
    here: Option<i64>,
) -> impl IntoView {
    let german = lang == Lang::De;
    let icon = entry_icon(&entry);
    let id = entry.id.to_string();
    let link = if entry.is_folder {
        folder_link(space, Some(entry.id))
    } else {
        format!("/files/download/{}", entry.id)
    };
    let preview = (!entry.is_folder && rule::has_preview(&entry.content_type))
        .then(|| format!("/files/download/{}?inline=1", entry.id));
    // `v` changes when the file does, so that no cache shows an older picture.
    let thumb = (!entry.is_folder && rule::has_thumbnail(&entry.content_type))
        .then(|| format!("/files/thumb/{}?v={}", entry.id, entry.updated_at));
    let size = if entry.is_folder {
        String::new()
    } else {
        format_bytes(entry.size, german)
    };
    let author = entry
        .author
        .clone()
        .unwrap_or_else(|| lang.t(Key::FilesFormerUser).to_string());
    // A folder cannot go into itself; the list below it is filtered by the server too.
    let targets: Vec<(i64, String)> = folders
        .into_iter()
        .filter(|(f, _)| *f != entry.id)
        .collect();
    let here = here.unwrap_or(0);
    let name = entry.name.clone();
    let can_change = entry.can_change;
    let confirm = lang.fill(
        if entry.is_folder {
            Key::FilesDeleteFolderConfirm
        } else {
            Key::FilesDeleteConfirm
        },
        &[("name", &entry.name)],
    );
    let (rename_id, move_id, copy_id, delete_id) = (id.clone(), id.clone(), id.clone(), id.clone());
    let (move_targets, copy_targets) = (targets.clone(), targets);
    view! {
        <tr data-testid="file-row">
            <td>
                <a class="file-name" href=link>
                    {match thumb {
                        // Issue 18 §5: a picture shows itself; `alt` is empty because the name follows.
                        Some(src) => view! { <img class="thumb" src=src alt="" width="48" height="48" loading="lazy"/> }.into_any(),
                        None => view! { <Icon name=icon/> }.into_any(),
                    }}
                    <span>{entry.name.clone()}</span>
                </a>
                {preview.map(|href| view! { " " <a class="preview-link" href=href target="_blank" rel="noopener">{lang.t(Key::FilesPreview)}</a> })}
            </td>
            <td>{size}</td>
            <td>{lang.timestamp(entry.updated_at)}</td>
            <td>{author}</td>
            <td>
                {(can_add || can_change).then(|| view! {
                    <details class="row-actions">
                        <summary class="btn">{lang.t(Key::FilesActions)}</summary>
                        <div class="row-actions-body">
                            {can_change.then(|| view! {
                                <ActionForm action={ServerAction::<RenameEntry>::new()} attr:class="inline-form">
                                    <input type="hidden" name="id" value=rename_id.clone()/>
                                    <label class="visually-hidden" for=format!("rename-{rename_id}")>{lang.t(Key::FilesRename)}</label>
                                    <input id=format!("rename-{rename_id}") name="name" value=name required maxlength="255"/>
                                    <button class="btn" type="submit">{lang.t(Key::FilesRename)}</button>
                                </ActionForm>
                                <ActionForm action={ServerAction::<MoveEntry>::new()} attr:class="inline-form">
                                    <input type="hidden" name="id" value=move_id.clone()/>
                                    <FolderSelect lang id=format!("move-{move_id}") targets=move_targets selected=here/>
                                    <button class="btn" type="submit">{lang.t(Key::FilesMove)}</button>
                                </ActionForm>
                            })}
                            {can_add.then(|| view! {
                                <ActionForm action={ServerAction::<CopyEntry>::new()} attr:class="inline-form">
                                    <input type="hidden" name="id" value=copy_id.clone()/>
                                    <FolderSelect lang id=format!("copy-{copy_id}") targets=copy_targets selected=here/>
                                    <button class="btn" type="submit">{lang.t(Key::FilesCopy)}</button>
                                </ActionForm>
                            })}
                            {can_change.then(|| view! {
                                <ConfirmDialog lang summary=lang.t(Key::FilesDelete).to_string() question=confirm>
                                    <ActionForm action={ServerAction::<DeleteEntry>::new()}>
                                        <input type="hidden" name="id" value=delete_id/>
                                        <button class="btn btn-danger" type="submit" data-testid="delete"><Icon name=IconName::Trash/>{lang.t(Key::FilesDelete)}</button>
                                    </ActionForm>
                                </ConfirmDialog>
                            })}
                        </div>
                    </details>
                })}
            </td>
        </tr>
    }
}

/// FILE-1: in a group's folder, what its members may do: its owners choose, members are told.
#[component]
fn MemberRightsNote(
    lang: Lang,
    standing: Standing,
    members: Option<MemberRights>,
    group: Option<i64>,
) -> impl IntoView {
    let (Some(rights), Some(group)) = (members, group) else {
        return ().into_any();
    };
    match standing {
        Standing::GroupOwner => view! {
            <details class="member-rights" data-testid="member-rights">
                <summary class="btn"><Icon name=IconName::People/>{lang.t(Key::FilesMembersTitle)}</summary>
                <ActionForm action={ServerAction::<SetMemberFiles>::new()}>
                    <input type="hidden" name="group_id" value=group.to_string()/>
                    <MemberRightsField lang current=rights/>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
                </ActionForm>
            </details>
        }
        .into_any(),
        Standing::Member(MemberRights::Read) | Standing::OwnFolder => ().into_any(),
        Standing::Member(rights) => view! {
            <p class="hint" data-testid="member-rights-note">{lang.fill(Key::FilesMembersYou, &[("rights", lang.t(rights.label()))])}</p>
        }
        .into_any(),
    }
}

#[component]
fn FolderSelect(
    lang: Lang,
    id: String,
    targets: Vec<(i64, String)>,
    selected: i64,
) -> impl IntoView {
    view! {
        <label class="visually-hidden" for=id.clone()>{lang.t(Key::FilesTarget)}</label>
        <select id=id name="target">
            <option value="0" selected=selected == 0>{lang.t(Key::FilesTop)}</option>
            {targets.into_iter().map(|(f, path)| view! { <option value=f.to_string() selected=f == selected>{path}</option> }).collect_view()}
        </select>
    }
}

/// FILE-2, FILE-4: the quota as a bar, and the transfer limit with any exception.
#[component]
fn AllowanceCard(lang: Lang, allowance: Allowance) -> impl IntoView {
    let german = lang == Lang::De;
    let percent = if allowance.quota > 0 {
        (allowance.used as f64 / allowance.quota as f64 * 100.0).clamp(0.0, 100.0)
    } else {
        100.0
    };
    let used = lang.fill(
        Key::FilesQuotaUsed,
        &[
            ("used", &format_bytes(allowance.used, german)),
            ("quota", &format_bytes(allowance.quota, german)),
        ],
    );
    let limit = match &allowance.exception {
        Some(e) => lang.fill(
            Key::FilesExceptionActive,
            &[
                ("limit", &format_bytes(e.limit_bytes, german)),
                ("until", &lang.timestamp(e.ends_at - 60)),
            ],
        ),
        None => lang.fill(
            Key::FilesLimit,
            &[("limit", &format_bytes(allowance.transfer_limit, german))],
        ),
    };
    view! {
        <section class="allowance" data-testid="allowance">
            <label class="progress">
                <span data-testid="fill-words">{lang.t(rule::fill_words(allowance.used, allowance.quota))}</span>
                <progress max="100" value=percent></progress>
            </label>
            <p class="hint">{used}</p>
            <p class="hint" data-testid="transfer-limit">{limit}</p>
        </section>
    }
}
