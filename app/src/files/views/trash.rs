//! The trash of a space (FILE-1).
use super::*;

/// FILE-1: the trash of one space, where items are restored or deleted for good.
#[component]
pub fn TrashPage() -> impl IntoView {
    let lang = use_lang();
    let space = query_param("space");
    view! {
        <leptos_meta::Title text=lang.t(Key::FilesTrash)/>
        <h1 class="page-title module-files">{lang.t(Key::FilesTrash)}</h1>
        {await_data(lang, move || list_trash(space.clone()), move |view| view! { <Trash lang view/> })}
    }
}

#[component]
fn Trash(lang: Lang, view: TrashView) -> impl IntoView {
    let german = lang == Lang::De;
    let space = view.space.code();
    let empty = view.entries.is_empty();
    let all_space = space.clone();
    let may_purge = view.may_purge;
    // In one's own folder, everything in the trash was put there by oneself.
    let shared = matches!(view.space, Space::Group(_));
    let mut headers = vec![
        lang.t(Key::FilesName),
        lang.t(Key::FilesSize),
        lang.t(Key::FilesDeleted),
    ];
    if shared {
        headers.push(lang.t(Key::FilesDeletedBy));
    }
    headers.push(lang.t(Key::FilesActions));
    view! {
        <p class="lead">{lang.fill(Key::FilesTrashKeeps, &[("days", &view.keep_days.to_string())])}</p>
        <p><a class="btn" href=folder_link(view.space, None)><Icon name=IconName::Folder/>{lang.t(Key::FilesBack)}</a></p>
        {empty.then(|| view! { <p class="empty" data-testid="trash-empty">{lang.t(Key::FilesTrashEmpty)}</p> })}
        {(!empty).then(|| view! {
            <DataTable headers=headers>
                {view.entries.into_iter().map(|e| {
                    let (id, restore_id) = (e.id.to_string(), e.id.to_string());
                    let space = space.clone();
                    let can_change = e.can_change;
                    let purge_question = lang.fill(Key::FilesPurgeConfirm, &[("name", &e.name)]);
                    let deleted_by = e.deleted_by.clone().unwrap_or_else(|| lang.t(Key::FilesFormerUser).to_string());
                    view! {
                        <tr data-testid="trash-row">
                            <td><span class="file-name"><Icon name=entry_icon(&e)/><span>{e.name.clone()}</span></span></td>
                            <td>{if e.is_folder { String::new() } else { format_bytes(e.size, german) }}</td>
                            <td>{e.trashed_at.map(|t| lang.timestamp(t)).unwrap_or_default()}</td>
                            {shared.then(|| view! { <td data-testid="deleted-by">{deleted_by.clone()}</td> })}
                            <td class="actions">
                                {can_change.then(|| view! {
                                    <ActionForm action={ServerAction::<RestoreEntry>::new()}>
                                        <input type="hidden" name="id" value=restore_id/>
                                        <button class="btn" type="submit">{lang.t(Key::FilesRestore)}</button>
                                    </ActionForm>
                                })}
                                {may_purge.then(|| view! {
                                    <ConfirmDialog lang summary=lang.t(Key::FilesDeleteForever).to_string() question=purge_question>
                                        <ActionForm action={ServerAction::<EmptyTrash>::new()}>
                                            <input type="hidden" name="space" value=space/>
                                            <input type="hidden" name="id" value=id/>
                                            <button class="btn btn-danger" type="submit">{lang.t(Key::FilesDeleteForever)}</button>
                                        </ActionForm>
                                    </ConfirmDialog>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
            {may_purge.then(|| view! {
            <ConfirmDialog lang summary=lang.t(Key::FilesEmptyTrash).to_string() question=lang.t(Key::FilesEmptyTrashConfirm).to_string()>
                <ActionForm action={ServerAction::<EmptyTrash>::new()}>
                    <input type="hidden" name="space" value=all_space/>
                    <input type="hidden" name="id" value="0"/>
                    <button class="btn btn-danger" type="submit" data-testid="empty-trash"><Icon name=IconName::Trash/>{lang.t(Key::FilesEmptyTrash)}</button>
                </ActionForm>
            </ConfirmDialog>
            })}
            {(!may_purge).then(|| view! { <p class="hint">{lang.t(Key::FilesPurgeOwners)}</p> })}
        })}
    }
}
