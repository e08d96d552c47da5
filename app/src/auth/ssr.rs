//! The server-only half of signing in: the imports the server functions share and their field
//! check.
use super::*;

pub(super) use crate::{
    audit::AuditEvent,
    platform::{app_state, passwords, request_info, secret::Secret},
    rules,
};

pub use super::current::{
    CurrentSession, authenticate, authenticate_during_setup, school_staff, signed_in,
};

pub(super) fn required(field: &str, value: &str) -> Result<(), AppError> {
    if value.trim().is_empty() {
        Err(AppError::field(field, Key::ErrorRequired))
    } else {
        Ok(())
    }
}

/// Issue 18: a refused sign-in comes back with the user name kept. The login page ships no
/// script, so the form posts and is redirected back; the name waits in a cookie for the page
/// (only `/login` sees it, for five minutes, read once), never in the URL, which a shared
/// tablet's history would keep.
const KEPT_LOGIN_COOKIE: &str = "schulhof_login_name";

pub(super) fn keep_login(login: &str) {
    keep_for_page(KEPT_LOGIN_COOKIE, "/login", login.trim());
}

/// The user name a refused sign-in kept, taken (the cookie is cleared as it is read).
pub fn take_kept_login() -> Option<String> {
    take_kept(KEPT_LOGIN_COOKIE, "/login")
}

/// Keeps `text` for the public page `path` (which has no session to keep a form under): in a
/// cookie only that page sees, for five minutes, read once. Never a password.
pub fn keep_for_page(cookie: &str, path: &str, text: &str) {
    if text.len() > 1000 {
        return;
    }
    let secure = app_state().config.secure_cookies();
    super::session::set_cookie(&format!(
        "{cookie}={}; Path={path}; Max-Age=300; HttpOnly; SameSite=Strict{}",
        hex::encode(text),
        if secure { "; Secure" } else { "" }
    ));
}

/// What [`keep_for_page`] kept, taken (the cookie is cleared as it is read).
pub fn take_kept(cookie: &str, path: &str) -> Option<String> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let kept = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .and_then(|(_, value)| hex::decode(value).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())?;
    super::session::set_cookie(&format!(
        "{cookie}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict"
    ));
    Some(kept)
}

/// PW-1, issue 18: a password idea for the password page, new on every visit so that a class
/// does not copy one example: three unrelated words, a number and a sign
/// (`Wolke-Radio-Gurke-83!`). It meets the rule; the words come from the translation files.
pub fn password_idea(lang: crate::i18n::Lang) -> String {
    use rand::seq::SliceRandom;
    let words: Vec<&str> = lang.t(Key::PasswordIdeaWords).split_whitespace().collect();
    let mut rng = rand::thread_rng();
    let mut parts: Vec<String> = words
        .choose_multiple(&mut rng, 3)
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    parts.push(format!("{}!", rand::Rng::gen_range(&mut rng, 10..100)));
    parts.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    // PW-1, issue 18: the idea shown on the password page is one the server takes.
    #[test]
    fn pw_1_the_password_idea_meets_the_rule() {
        let user = SessionUser {
            id: 1,
            login: "mia.schulz".into(),
            first_name: "Mia".into(),
            last_name: "Schulz".into(),
            role: Role::Pupil,
            school_id: Some(1),
            school_name: None,
            must_change_password: true,
            policy_pending: false,
        };
        for lang in [crate::i18n::Lang::De, crate::i18n::Lang::En] {
            for _ in 0..50 {
                let idea = password_idea(lang);
                assert_eq!(rules::password::check(&idea), Ok(()), "{idea}");
                assert_eq!(
                    super::super::guessable::check(&idea, &user),
                    Ok(()),
                    "{idea}"
                );
                assert_eq!(idea.split('-').count(), 4, "{idea}");
            }
        }
    }
}
