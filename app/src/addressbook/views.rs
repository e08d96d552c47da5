//! AB-1, AB-2: the address book page: search, the entries, and one's own further fields.
use leptos::prelude::*;

use super::{AddressBookView, Entry, address_book};
use crate::components::{Card, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

use crate::components::query_param as param;

#[component]
pub fn AddressBookPage() -> impl IntoView {
    let lang = use_lang();
    let query = param("q");
    let saved = !param("saved").is_empty();
    view! {
        <leptos_meta::Title text=lang.t(Key::AbTitle)/>
        <h1 class="page-title module-addressbook">{lang.t(Key::AbTitle)}</h1>
        {saved.then(|| view! { <crate::components::Toast message=lang.t(Key::AbSaved)/> })}
        {await_data(lang, move || address_book(query.clone()), move |book| view! { <Book lang book/> })}
    }
}

#[component]
fn Book(lang: Lang, book: AddressBookView) -> impl IntoView {
    let mine = book.mine.clone();
    let hint = if book
        .my_entry
        .as_ref()
        .is_some_and(|e| e.role == crate::auth::Role::Guardian)
    {
        Key::AbHintGuardian
    } else {
        Key::AbHint
    };
    let check = move |name: &'static str, on: bool| {
        view! {
            <label class="check">
                <input type="checkbox" name=name checked=on/>
                " "{lang.t(Key::AbShow)}
            </label>
        }
    };
    view! {
        <form method="get" action="/addressbook" class="filters" role="search">
            <div class="field">
                <label for="ab-q">{lang.t(Key::AbSearch)}</label>
                <input id="ab-q" name="q" type="search" value=book.query.clone()/>
            </div>
            <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSearch)}</button>
        </form>
        <ul class="ab-entries" data-testid="ab-entries">
            {book.entries.into_iter().map(|e| view! { <EntryCard lang e/> }).collect_view()}
        </ul>
        <Card title=lang.t(Key::AbMine) icon=IconName::User>
            <p class="hint" data-testid="ab-hint"><Icon name=IconName::Info/>{lang.t(hint)}</p>
            <form method="post" action="/api/addressbook/save">
                <div class="field">
                    <label for="ab-phone">{lang.t(Key::AbPhone)}</label>
                    <input id="ab-phone" name="phone" value=mine.phone.clone() autocomplete="tel"/>
                    {check("show_phone", mine.show_phone)}
                </div>
                <div class="field">
                    <label for="ab-postal">{lang.t(Key::AbPostal)}</label>
                    <input id="ab-postal" name="postal" value=mine.postal.clone() autocomplete="street-address"/>
                    {check("show_postal", mine.show_postal)}
                </div>
                <div class="field">
                    <label for="ab-birthday">{lang.t(Key::AbBirthday)}</label>
                    <input id="ab-birthday" name="birthday" value=mine.birthday.clone() placeholder="31.07.2018"/>
                    {check("show_birthday", mine.show_birthday)}
                </div>
                <div class="field">
                    <label for="ab-note">{lang.t(Key::AbNote)}</label>
                    <input id="ab-note" name="note" value=mine.note.clone() maxlength="200"/>
                    {check("show_note", mine.show_note)}
                </div>
                <button class="btn btn-primary" type="submit" data-testid="ab-save">{lang.t(Key::UsersSave)}</button>
                " "<a class="btn" href="/addressbook/me.vcf"><Icon name=IconName::Download/>{lang.t(Key::AbVcard)}</a>
            </form>
        </Card>
    }
}

#[component]
fn EntryCard(lang: Lang, e: Entry) -> impl IntoView {
    let group = e.role.describe(lang, e.class.as_deref());
    let extra: Vec<(Key, String)> = [
        (Key::AbPhone, e.phone.clone()),
        (Key::AbPostal, e.postal.clone()),
        (Key::AbBirthday, e.birthday.clone()),
        (Key::AbNote, e.note.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    view! {
        <li class="card ab-entry" data-testid="ab-entry">
            <strong>{e.name.clone()}</strong>
            <span class="hint">" · "{group}{(!e.teams.is_empty()).then(|| format!(" · {}", e.teams.join(", ")))}</span>
            <dl class="facts">
                <dt>{lang.t(Key::AbAddress)}</dt><dd>{e.address.clone()}</dd>
                {(!e.children.is_empty()).then(|| view! { <dt>{lang.t(Key::AbChildren)}</dt><dd data-testid="ab-children">{e.children.join(", ")}</dd> })}
                {extra.into_iter().map(|(k, v)| view! { <dt>{lang.t(k)}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
            <a class="btn" href=format!("/mail/compose?to={}", e.address) data-testid="ab-write"><Icon name=IconName::Mail/>{lang.t(Key::AbWrite)}</a>
        </li>
    }
}
