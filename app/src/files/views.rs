//! The files pages. They are rendered on the server; only the upload box is an island, so a
//! folder listing costs no script. Every action is a plain form that works without one.
use leptos::prelude::*;

use super::{
    Allowance, CopyEntry, CreateFolder, DeleteEntry, EmptyTrash, FileEntry, FolderView,
    GrantException, MoveEntry, PAGE_SIZE, RenameEntry, RestoreEntry, SetBlockedTypes, SetQuota,
    Space, TrashView, blocked_types, list_folder, list_trash,
};
use crate::components::{Card, ConfirmDialog, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};
#[cfg(feature = "hydrate")]
use crate::rules::files as rule;
use crate::rules::files::format_bytes;

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
        can_write,
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
    view! {
        <h1 class="page-title">{lang.t(Key::FilesTitle)}</h1>
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
        {can_write.then(|| view! {
            <UploadBox
                lang
                url=upload_url
                limit=allowance.transfer_limit
                room=(allowance.quota - allowance.used).max(0)
                blocked=allowance.blocked.clone()
            />
        })}
        {(!can_write).then(|| view! { <p class="hint" data-testid="read-only">{lang.t(Key::FilesReadOnly)}</p> })}
        <div class="toolbar">
            <a class="btn" href=archive_url><Icon name=IconName::Download/>{lang.t(Key::FilesDownloadFolder)}</a>
            <a class="btn" href=trash_url data-testid="trash-link"><Icon name=IconName::Trash/>{lang.t(Key::FilesTrash)}</a>
        </div>
        {empty.then(|| view! { <p class="empty">{lang.t(Key::FilesEmpty)}</p> })}
        {(!empty).then(|| view! {
            <DataTable headers=vec![lang.t(Key::FilesName), lang.t(Key::FilesSize), lang.t(Key::FilesChanged), lang.t(Key::FilesAuthor), lang.t(Key::FilesActions)]>
                {entries.into_iter().map(|entry| view! {
                    <Row lang space entry can_write folders=folders.clone() here=folder/>
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
        {can_write.then(|| view! {
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
    can_write: bool,
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
    let preview = (!entry.is_folder
        && matches!(
            entry.content_type.as_str(),
            "application/pdf" | "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        ))
    .then(|| format!("/files/download/{}?inline=1", entry.id));
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
    let (rename_id, move_id, copy_id, delete_id) = (id.clone(), id.clone(), id.clone(), id.clone());
    let (move_targets, copy_targets) = (targets.clone(), targets);
    view! {
        <tr data-testid="file-row">
            <td>
                <a class="file-name" href=link><Icon name=icon/><span>{entry.name.clone()}</span></a>
                {preview.map(|href| view! { " " <a class="preview-link" href=href target="_blank" rel="noopener">{lang.t(Key::FilesPreview)}</a> })}
            </td>
            <td>{size}</td>
            <td>{lang.timestamp(entry.updated_at)}</td>
            <td>{author}</td>
            <td>
                {can_write.then(|| view! {
                    <details class="row-actions">
                        <summary class="btn">{lang.t(Key::FilesActions)}</summary>
                        <div class="row-actions-body">
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
                            <ActionForm action={ServerAction::<CopyEntry>::new()} attr:class="inline-form">
                                <input type="hidden" name="id" value=copy_id.clone()/>
                                <FolderSelect lang id=format!("copy-{copy_id}") targets=copy_targets selected=here/>
                                <button class="btn" type="submit">{lang.t(Key::FilesCopy)}</button>
                            </ActionForm>
                            <ActionForm action={ServerAction::<DeleteEntry>::new()}>
                                <input type="hidden" name="id" value=delete_id/>
                                <button class="btn btn-danger" type="submit" data-testid="delete"><Icon name=IconName::Trash/>{lang.t(Key::FilesDelete)}</button>
                            </ActionForm>
                        </div>
                    </details>
                })}
            </td>
        </tr>
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
                <span>{used}</span>
                <progress max="100" value=percent></progress>
            </label>
            <p class="hint" data-testid="transfer-limit">{limit}</p>
        </section>
    }
}

/// One upload in the upload box.
#[derive(Clone)]
struct Upload {
    id: usize,
    name: String,
    size: f64,
    loaded: RwSignal<f64>,
    /// `None` while running; then the outcome, with the reason in words.
    done: RwSignal<Option<Result<(), String>>>,
    cancel: StoredValue<Option<Callback<()>>>,
}

/// FILE-1, FILE-2: choose, drop or photograph files; each shows a real progress bar with a
/// cancel button, and the shared rules refuse what is too big or blocked before it is sent.
/// Without script it is a plain multipart form.
#[island]
fn UploadBox(
    lang: Lang,
    url: String,
    limit: i64,
    room: i64,
    blocked: Vec<String>,
) -> impl IntoView {
    let hydrated = crate::components::use_hydrated();
    let uploads: RwSignal<Vec<Upload>> = RwSignal::new(Vec::new());
    let german = lang == Lang::De;
    let limit_text = format_bytes(limit, german);
    #[cfg(not(feature = "hydrate"))]
    let _ = (room, &blocked);
    #[cfg(feature = "hydrate")]
    let pick = {
        let url = url.clone();
        let blocked = blocked.clone();
        move |list: Option<leptos::web_sys::FileList>| {
            let Some(list) = list else { return };
            for i in 0..list.length() {
                if let Some(file) = list.item(i) {
                    begin(lang, &url, file, limit, room, &blocked, uploads);
                }
            }
        }
    };
    #[cfg(feature = "hydrate")]
    let on_change = {
        let pick = pick.clone();
        move |ev: leptos::ev::Event| {
            use leptos::wasm_bindgen::JsCast;
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            {
                pick(input.files());
                input.set_value("");
            }
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_change = |_: leptos::ev::Event| {};
    // A copy for the camera input: in the browser the handler owns data and is not `Copy`.
    #[allow(clippy::clone_on_copy)]
    let on_change_camera = on_change.clone();
    #[cfg(feature = "hydrate")]
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        pick(ev.data_transfer().and_then(|d| d.files()));
    };
    #[cfg(not(feature = "hydrate"))]
    let on_drop = |_: leptos::ev::DragEvent| {};
    view! {
        <form class="upload" method="post" enctype="multipart/form-data" action=url
            data-testid="upload" data-hydrated=move || hydrated.get().to_string()
            on:submit=move |ev| { if hydrated.get_untracked() { ev.prevent_default(); } }
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop>
            <p class="upload-hint"><Icon name=IconName::Upload/>{lang.fill(Key::FilesDropHint, &[("limit", &limit_text)])}</p>
            <div class="upload-buttons">
                <label class="btn btn-primary">
                    <Icon name=IconName::Upload/>{lang.t(Key::FilesChoose)}
                    <input class="visually-hidden" type="file" name="file" multiple data-testid="file-input" on:change=on_change/>
                </label>
                <label class="btn">
                    <Icon name=IconName::Camera/>{lang.t(Key::FilesCamera)}
                    <input class="visually-hidden" type="file" name="file" accept="image/*" capture="environment" on:change=on_change_camera/>
                </label>
                <noscript><button class="btn" type="submit">{lang.t(Key::FilesSend)}</button></noscript>
            </div>
            <ul class="upload-list" aria-live="polite">
                <For each=move || uploads.get() key=|u| u.id let:upload>
                    <UploadRow lang upload/>
                </For>
            </ul>
        </form>
    }
}

#[component]
fn UploadRow(lang: Lang, upload: Upload) -> impl IntoView {
    let german = lang == Lang::De;
    let Upload {
        name,
        size,
        loaded,
        done,
        cancel,
        ..
    } = upload;
    // Whole numbers only: formatting floats would weigh down the browser's code.
    let percent = move || crate::rules::files::percent(loaded.get() as i64, size as i64);
    view! {
        <li class="upload-item" data-testid="upload-item">
            <span class="upload-name">{name}</span>
            <label class="progress">
                <progress max="100" value=percent></progress>
                <span class="progress-percent" data-testid="upload-progress">
                    {move || format!("{} / {} ({} %)", format_bytes(loaded.get() as i64, german), format_bytes(size as i64, german), percent())}
                </span>
            </label>
            {move || match done.get() {
                None => view! {
                    <button class="btn" type="button" on:click=move |_| { if let Some(cancel) = cancel.get_value() { cancel.run(()) } }>
                        {lang.t(Key::FilesCancel)}
                    </button>
                }.into_any(),
                Some(Ok(())) => view! { <span class="upload-ok" data-testid="upload-done"><Icon name=IconName::Check/>{lang.t(Key::FilesUploaded)}</span> }.into_any(),
                Some(Err(reason)) => view! { <span class="field-message" role="alert" data-testid="upload-error">{reason}</span> }.into_any(),
            }}
        </li>
    }
}

/// Checks one file with the shared rules and, if it passes, sends it with a progress bar.
#[cfg(feature = "hydrate")]
fn begin(
    lang: Lang,
    url: &str,
    file: leptos::web_sys::File,
    limit: i64,
    room: i64,
    blocked: &[String],
    uploads: RwSignal<Vec<Upload>>,
) {
    use leptos::wasm_bindgen::{JsCast, closure::Closure};
    use leptos::web_sys::{FormData, ProgressEvent, XmlHttpRequest};

    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let size = file.size();
    let upload = Upload {
        id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        name: file.name(),
        size,
        loaded: RwSignal::new(0.0),
        done: RwSignal::new(None),
        cancel: StoredValue::new(None),
    };
    uploads.update(|list| list.push(upload.clone()));
    let refused = rule::check_transfer(size as i64, limit)
        .and_then(|()| rule::check_quota(size as i64, 0, room))
        .err()
        .or_else(|| rule::blocked_by_name(&file.name(), blocked).map(|_| Key::FilesBlockedType));
    if let Some(key) = refused {
        upload.done.set(Some(Err(lang.t(key).to_string())));
        return;
    }
    let (Ok(xhr), Ok(form)) = (XmlHttpRequest::new(), FormData::new()) else {
        upload
            .done
            .set(Some(Err(lang.t(Key::FilesConnectionLost).to_string())));
        return;
    };
    let _ = form.append_with_blob_and_filename("file", &file, &file.name());
    let _ = xhr.open("POST", url);
    let _ = xhr.set_request_header("Accept", "application/json");
    let loaded = upload.loaded;
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        loaded.set(ev.loaded());
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    progress.forget();
    let done = upload.done;
    let finished = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            let outcome = if (200..300).contains(&status) {
                loaded.set(size);
                Ok(())
            } else {
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                Err(serde_json::from_str::<crate::error::AppError>(&text)
                    .map(|e| e.text(lang))
                    .unwrap_or_else(|_| lang.t(Key::FilesConnectionLost).to_string()))
            };
            done.set(Some(outcome));
            if uploads
                .with_untracked(|list| list.iter().all(|u| u.done.get_untracked() == Some(Ok(()))))
            {
                let _ = window().location().reload();
            }
        })
    };
    xhr.set_onload(Some(finished.as_ref().unchecked_ref()));
    finished.forget();
    let lost = Closure::<dyn FnMut()>::new(move || {
        done.set(Some(Err(lang.t(Key::FilesConnectionLost).to_string())))
    });
    xhr.set_onerror(Some(lost.as_ref().unchecked_ref()));
    lost.forget();
    let aborted = Closure::<dyn FnMut()>::new(move || {
        done.set(Some(Err(lang.t(Key::FilesCancelled).to_string())))
    });
    xhr.set_onabort(Some(aborted.as_ref().unchecked_ref()));
    aborted.forget();
    let xhr_for_cancel = leptos::__reexports::send_wrapper::SendWrapper::new(xhr.clone());
    upload.cancel.set_value(Some(Callback::new(move |()| {
        let _ = xhr_for_cancel.abort();
    })));
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        done.set(Some(Err(lang.t(Key::FilesConnectionLost).to_string())));
    }
}

/// FILE-1: the trash of one space, where items are restored or deleted for good.
#[component]
pub fn TrashPage() -> impl IntoView {
    let lang = use_lang();
    let space = query_param("space");
    view! {
        <leptos_meta::Title text=lang.t(Key::FilesTrash)/>
        <h1 class="page-title">{lang.t(Key::FilesTrash)}</h1>
        {await_data(lang, move || list_trash(space.clone()), move |view| view! { <Trash lang view/> })}
    }
}

#[component]
fn Trash(lang: Lang, view: TrashView) -> impl IntoView {
    let german = lang == Lang::De;
    let space = view.space.code();
    let empty = view.entries.is_empty();
    let all_space = space.clone();
    view! {
        <p class="lead">{lang.fill(Key::FilesTrashKeeps, &[("days", &view.keep_days.to_string())])}</p>
        <p><a class="btn" href=folder_link(view.space, None)><Icon name=IconName::Folder/>{lang.t(Key::FilesBack)}</a></p>
        {empty.then(|| view! { <p class="empty" data-testid="trash-empty">{lang.t(Key::FilesTrashEmpty)}</p> })}
        {(!empty).then(|| view! {
            <DataTable headers=vec![lang.t(Key::FilesName), lang.t(Key::FilesSize), lang.t(Key::FilesDeleted), lang.t(Key::FilesActions)]>
                {view.entries.into_iter().map(|e| {
                    let (id, restore_id) = (e.id.to_string(), e.id.to_string());
                    let space = space.clone();
                    view! {
                        <tr data-testid="trash-row">
                            <td><span class="file-name"><Icon name=entry_icon(&e)/><span>{e.name.clone()}</span></span></td>
                            <td>{if e.is_folder { String::new() } else { format_bytes(e.size, german) }}</td>
                            <td>{e.trashed_at.map(|t| lang.timestamp(t)).unwrap_or_default()}</td>
                            <td class="actions">
                                <ActionForm action={ServerAction::<RestoreEntry>::new()}>
                                    <input type="hidden" name="id" value=restore_id/>
                                    <button class="btn" type="submit">{lang.t(Key::FilesRestore)}</button>
                                </ActionForm>
                                <ActionForm action={ServerAction::<EmptyTrash>::new()}>
                                    <input type="hidden" name="space" value=space/>
                                    <input type="hidden" name="id" value=id/>
                                    <button class="btn btn-danger" type="submit">{lang.t(Key::FilesDeleteForever)}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
            <ConfirmDialog lang summary=lang.t(Key::FilesEmptyTrash).to_string() question=lang.t(Key::FilesEmptyTrashConfirm).to_string()>
                <ActionForm action={ServerAction::<EmptyTrash>::new()}>
                    <input type="hidden" name="space" value=all_space/>
                    <input type="hidden" name="id" value="0"/>
                    <button class="btn btn-danger" type="submit" data-testid="empty-trash"><Icon name=IconName::Trash/>{lang.t(Key::FilesEmptyTrash)}</button>
                </ActionForm>
            </ConfirmDialog>
        })}
    }
}

/// FLT-3: the school's list of blocked file types, for administrators.
#[component]
pub fn FileRulesPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::FilesRulesTitle)/>
        <h1 class="page-title">{lang.t(Key::FilesRulesTitle)}</h1>
        {await_data(lang, crate::schools::school_settings, move |s| view! { <SettingsCard lang s/> })}
        {await_data(lang, blocked_types, move |list| view! {
            <Card title=lang.t(Key::FilesBlockedTitle) icon=IconName::Alert>
                <p class="hint">{lang.t(Key::FilesBlockedHint)}</p>
                <ActionForm action={ServerAction::<SetBlockedTypes>::new()}>
                    <div class="field">
                        <label for="blocked-list">{lang.t(Key::FilesBlockedTitle)}</label>
                        <textarea id="blocked-list" name="list" rows="4">{list}</textarea>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
                </ActionForm>
            </Card>
        })}
    }
}

/// FILE-2, FILE-4: an administrator's forms on a person's page: an exception to the transfer
/// limit (with a reason and an end date) and the person's own quota.
#[component]
pub fn AllowanceForms(lang: Lang, user_id: i64) -> impl IntoView {
    let (id, quota_id) = (user_id.to_string(), user_id.to_string());
    view! {
        <div class="grid">
            <Card title=lang.t(Key::FilesExceptionTitle) icon=IconName::Upload>
                <ActionForm action={ServerAction::<GrantException>::new()} attr:data-testid="exception-form">
                    <input type="hidden" name="user_id" value=id/>
                    <div class="field">
                        <label for="exception-limit">{lang.t(Key::FilesExceptionLimit)}</label>
                        <input id="exception-limit" name="limit_mb" type="number" min="1" max="10240" value="200" required/>
                    </div>
                    <div class="field">
                        <label for="exception-reason">{lang.t(Key::FilesExceptionReason)}</label>
                        <input id="exception-reason" name="reason" required maxlength="200"/>
                    </div>
                    <div class="field">
                        <label for="exception-until">{lang.t(Key::FilesExceptionUntil)}</label>
                        <input id="exception-until" name="until" type="date" required/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesExceptionGrant)}</button>
                </ActionForm>
            </Card>
            <Card title=lang.t(Key::FilesQuotaTitle) icon=IconName::Folder>
                <ActionForm action={ServerAction::<SetQuota>::new()}>
                    <input type="hidden" name="user_id" value=quota_id/>
                    <div class="field">
                        <label for="quota-mb">{lang.t(Key::FilesQuotaMb)}</label>
                        <input id="quota-mb" name="quota_mb" inputmode="numeric"/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
                </ActionForm>
            </Card>
        </div>
    }
}

/// The school's own periods and limits (FILE-1, FILE-2, LIFE-3, LOG-3).
#[component]
fn SettingsCard(lang: Lang, s: crate::schools::SchoolLimits) -> impl IntoView {
    let fields = [
        (
            "transfer_limit_mb",
            Key::SettingsTransferLimit,
            s.transfer_limit_mb,
        ),
        ("trash_days", Key::SettingsTrashDays, s.trash_days),
        (
            "deletion_grace_days",
            Key::SettingsGraceDays,
            s.deletion_grace_days,
        ),
        (
            "audit_retention_days",
            Key::SettingsRetentionDays,
            s.audit_retention_days,
        ),
    ];
    view! {
        <Card title=lang.t(Key::SettingsTitle) icon=IconName::School>
            <ActionForm action={ServerAction::<crate::schools::SetSchoolSettings>::new()} attr:class="filters">
                {fields.into_iter().map(|(name, label, value)| view! {
                    <div class="field">
                        <label for=format!("field-{name}")>{lang.t(label)}</label>
                        <input id=format!("field-{name}") name=name type="number" value=value.to_string() required/>
                    </div>
                }).collect_view()}
                <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
            </ActionForm>
        </Card>
    }
}
