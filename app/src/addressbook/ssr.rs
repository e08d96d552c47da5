//! The server-only half of the address book: the lookups the server functions share.
use super::*;

pub(super) use crate::auth::{Capability, authenticate};

pub(super) use crate::{
    error::ErrorKind,
    i18n::Key,
    platform::{app_state, request_info},
};

/// PAR-3: the secretariat finds every guardian (it keeps the links), staff the guardians of
/// their own classes, everyone else none.
pub(super) fn guardians_shown(user: &crate::auth::SessionUser) -> store::GuardiansShown {
    if user.can(Capability::GuardiansManage) {
        store::GuardiansShown::All
    } else if user.can(Capability::MailFamilies) {
        store::GuardiansShown::OfClassesOf(user.id)
    } else {
        store::GuardiansShown::None
    }
}

/// AB-1: "lehrkraft" or "teacher" finds everybody with that role; an exact name wins.
pub(super) fn role_named(query: &str) -> Option<crate::auth::Role> {
    use crate::i18n::Lang;
    if query.chars().count() < 3 {
        return None;
    }
    let roles = crate::auth::Role::ALL
        .into_iter()
        .filter(|r| *r != crate::auth::Role::Operator);
    let labels =
        |r: crate::auth::Role| [Lang::De, Lang::En].map(|lang| lang.t(r.label()).to_lowercase());
    roles
        .clone()
        .find(|r| labels(*r).iter().any(|l| l == query))
        .or_else(|| {
            roles
                .clone()
                .find(|r| labels(*r).iter().any(|l| l.contains(query)))
        })
}

pub(super) fn field(name: &str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.chars().count() > MAX_FIELD_CHARS || value.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(AppError::field(name, Key::AbFieldTooLong));
    }
    Ok(value.to_string())
}

/// `GET /addressbook/me.vcf`: the caller's own entry, as the others see it.
pub async fn vcard_download(
    axum::extract::State(state): axum::extract::State<crate::platform::AppState>,
    crate::web::SignedIn(user): crate::web::SignedIn,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let found = async {
        let school = user
            .school_id
            .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
        let entry = state
            .addressbook()
            .entry_of(school, user.id)
            .await?
            .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
        Ok::<_, AppError>(vcard(
            &entry,
            user.school_name.as_deref().unwrap_or_default(),
        ))
    }
    .await;
    match found {
        Ok(card) => {
            crate::web::download::attachment(card, "text/vcard; charset=utf-8", "kontakt.vcf")
        }
        Err(error) => crate::web::failure(&headers, error, "/addressbook", Key::AbTitle),
    }
}
