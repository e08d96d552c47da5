//! FLT-1: the blocklist page for administrators (their school's additions) and the operator
//! (the deployment's list). Plain forms only: no script needed.
use leptos::prelude::*;

use super::{AddBlocked, BlocklistView, RemoveBlocked, blocklist};
use crate::components::{Card, DataTable, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

#[component]
pub fn FilterPage() -> impl IntoView {
    let lang = use_lang();
    let query = leptos_router::hooks::use_query_map();
    let scope = query.with_untracked(|m| m.get("scope").unwrap_or_else(|| "school".into()));
    let q = query.with_untracked(|m| m.get("q").unwrap_or_default());
    let search = q.clone();
    view! {
        <leptos_meta::Title text=lang.t(Key::FilterTitle)/>
        <h1 class="page-title">{lang.t(Key::FilterTitle)}</h1>
        <p class="lead">{lang.t(Key::FilterIntro)}</p>
        {await_data(lang, move || blocklist(scope.clone(), search.clone()), move |view| view! { <Lists lang view q=q.clone()/> })}
    }
}

#[component]
fn Lists(lang: Lang, view: BlocklistView, q: String) -> impl IntoView {
    let scope = view.scope.clone();
    let (add_scope, import_url, search_scope) = (
        scope.clone(),
        format!("/admin/filter/import?scope={scope}"),
        scope.clone(),
    );
    view! {
        {view.may_edit_deployment.then(|| view! {
            <nav class="tabs" aria-label=lang.t(Key::FilterTitle)>
                <a class="tab" href="/admin/filter?scope=deployment" aria-current=(view.scope == "deployment").then_some("page")>{lang.t(Key::FilterDeployment)}</a>
            </nav>
        })}
        <p data-testid="filter-total">{lang.count(view.total, Key::FilterTotalOne, Key::FilterTotal)}</p>
        <div class="grid">
            <Card title=lang.t(Key::FilterAdd) icon=IconName::Alert>
                <ActionForm action={ServerAction::<AddBlocked>::new()}>
                    <input type="hidden" name="scope" value=add_scope/>
                    <div class="field">
                        <label for="filter-entry">{lang.t(Key::FilterEntry)}</label>
                        <input id="filter-entry" name="entry" required placeholder="spiele.example"/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilterAdd)}</button>
                </ActionForm>
            </Card>
            <Card title=lang.t(Key::FilterImport) icon=IconName::Upload>
                <form method="post" enctype="multipart/form-data" action=import_url>
                    <div class="field">
                        <label for="filter-file">{lang.t(Key::FilterImportFile)}</label>
                        <input id="filter-file" name="file" type="file" accept=".txt,.csv,.hosts,text/plain" required/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilterImport)}</button>
                </form>
            </Card>
        </div>
        <form method="get" action="/admin/filter" class="search" role="search">
            <input type="hidden" name="scope" value=search_scope/>
            <label for="q">{lang.t(Key::FilterSearch)}</label>
            <input id="q" name="q" type="search" value=q/>
            <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSearch)}</button>
        </form>
        <DataTable headers=vec![lang.t(Key::FilterEntry), ""]>
            {view.entries.into_iter().map(|e| {
                let scope = scope.clone();
                view! {
                    <tr data-testid="filter-row">
                        <td><code>{e.entry}</code></td>
                        <td>
                            <ActionForm action={ServerAction::<RemoveBlocked>::new()}>
                                <input type="hidden" name="scope" value=scope/>
                                <input type="hidden" name="id" value=e.id.to_string()/>
                                <button class="btn btn-danger" type="submit"><Icon name=IconName::Trash/>{lang.t(Key::FilesDelete)}</button>
                            </ActionForm>
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
