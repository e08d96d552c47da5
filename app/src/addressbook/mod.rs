//! AB-1, AB-2: one shared address book per school. Every entry shows the name, the role or
//! class, and the school address. Phone, postal address, birthday and a short note appear only
//! when their owner switched each one on; nobody else can change them, administrators included.
// A server function takes its form's fields one by one, so plain HTML forms post to it.
#![allow(clippy::too_many_arguments)]
pub mod views;

#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One person as everybody at the school sees them. The optional fields are `None` unless
/// the owner chose to show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub role: crate::auth::Role,
    pub class: Option<String>,
    pub teams: Vec<String>,
    /// PAR-3: a guardian's children ("Mia Muster · 2b"), as the staff of their classes see them.
    pub children: Vec<String>,
    pub address: String,
    pub phone: Option<String>,
    pub postal: Option<String>,
    pub birthday: Option<String>,
    pub note: Option<String>,
}

/// The owner's own further fields, with what is switched on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnFields {
    pub phone: String,
    pub postal: String,
    pub birthday: String,
    pub note: String,
    pub show_phone: bool,
    pub show_postal: bool,
    pub show_birthday: bool,
    pub show_note: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBookView {
    pub entries: Vec<Entry>,
    pub query: String,
    pub mine: OwnFields,
    pub my_entry: Option<Entry>,
}

pub const MAX_FIELD_CHARS: usize = 200;
pub const PAGE: i64 = 100;

/// AB-1: search the school's address book by name, class, team or role.
#[server(prefix = "/api", endpoint = "addressbook/search")]
pub async fn address_book(query: String) -> Result<AddressBookView, AppError> {
    let user = authenticate()?;
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
    let state = app_state();
    let query: String = query.trim().to_lowercase().chars().take(60).collect();
    let role = role_named(&query);
    let entries = state
        .addressbook()
        .entries(
            school,
            user.role,
            guardians_shown(&user),
            &query,
            role,
            PAGE,
        )
        .await?;
    let my_entry = state.addressbook().entry_of(school, user.id).await?;
    Ok(AddressBookView {
        entries,
        query,
        mine: state.addressbook().own_fields(user.id).await?,
        my_entry,
    })
}

/// AB-2: the caller's own further fields; each is shown only when its switch is on.
#[server(prefix = "/api", endpoint = "addressbook/save")]
pub async fn save_own_fields(
    phone: String,
    postal: String,
    birthday: String,
    note: String,
    show_phone: Option<String>,
    show_postal: Option<String>,
    show_birthday: Option<String>,
    show_note: Option<String>,
) -> Result<(), AppError> {
    let user = authenticate()?;
    user.school_id
        .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
    let state = app_state();
    let birthday = match birthday.trim() {
        "" => String::new(),
        text => crate::rules::date::parse(text)
            .ok_or_else(|| AppError::field("birthday", Key::AbBirthdayInvalid))?,
    };
    let fields = OwnFields {
        phone: field("phone", &phone)?,
        postal: field("postal", &postal)?,
        birthday,
        note: field("note", &note)?,
        show_phone: show_phone.is_some(),
        show_postal: show_postal.is_some(),
        show_birthday: show_birthday.is_some(),
        show_note: show_note.is_some(),
    };
    let info = request_info();
    crate::filter::check(&state, &user, &info, "note", &[&fields.note]).await?;
    crate::filter::check(&state, &user, &info, "postal", &[&fields.postal]).await?;
    state
        .addressbook()
        .save_own_fields(user.id, &fields)
        .await?;
    leptos_axum::redirect("/addressbook?saved=1");
    Ok(())
}

/// AB-2: the caller's own entry as vCard 4.0, with exactly what the others see.
pub fn vcard(entry: &Entry, school: &str) -> String {
    fn escape(text: &str) -> String {
        text.replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace(';', "\\;")
            .replace('\n', "\\n")
    }
    let (first, last) = entry
        .name
        .split_once(' ')
        .unwrap_or((entry.name.as_str(), ""));
    let mut out = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{}\r\nN:{};{};;;\r\nORG:{}\r\nEMAIL:{}\r\n",
        escape(&entry.name),
        escape(last),
        escape(first),
        escape(school),
        escape(&entry.address)
    );
    if let Some(class) = &entry.class {
        out.push_str(&format!("TITLE:{}\r\n", escape(class)));
    }
    if let Some(phone) = &entry.phone {
        out.push_str(&format!("TEL:{}\r\n", escape(phone)));
    }
    if let Some(postal) = &entry.postal {
        out.push_str(&format!("ADR:;;{};;;;\r\n", escape(postal)));
    }
    if let Some(birthday) = &entry.birthday {
        out.push_str(&format!("BDAY:{}\r\n", birthday.replace('-', "")));
    }
    if let Some(note) = &entry.note {
        out.push_str(&format!("NOTE:{}\r\n", escape(note)));
    }
    out.push_str("END:VCARD\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ab_2_vcard_holds_only_what_is_shown() {
        let entry = Entry {
            name: "Anna Becker".into(),
            role: crate::auth::Role::Pupil,
            class: Some("2b".into()),
            teams: vec![],
            children: vec![],
            address: "anna.becker@schule.example".into(),
            phone: None,
            postal: None,
            birthday: Some("2018-04-01".into()),
            note: Some("Mag Pferde, Katzen; Hunde".into()),
        };
        let card = vcard(&entry, "Paulusschule");
        assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
        assert!(card.contains("N:Becker;Anna;;;\r\n"));
        assert!(card.contains("BDAY:20180401\r\n"));
        assert!(card.contains("NOTE:Mag Pferde\\, Katzen\\; Hunde\r\n"));
        assert!(!card.contains("TEL"));
        assert!(card.ends_with("END:VCARD\r\n"));
    }
}
