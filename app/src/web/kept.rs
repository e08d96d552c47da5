//! Issue 18 §1: nothing typed is ever lost. Every form outside an island is a plain post; when
//! the server refuses it, Leptos answers with a redirect back to the form, and the page would
//! come back empty. So the refused form's values are kept on the server for a few minutes under
//! a random key bound to the session, the redirect carries only that key (`__kept`), and the
//! page the browser comes back to is filled in with them, once.
//!
//! The values never travel in a URL: bodies are long, and a shared class tablet's history keeps
//! URLs. Passwords and one-time codes are never kept. Filling happens on the finished page, by
//! field name inside the one form that was posted (`form[action=…]`), so that every form gets it
//! without code of its own; an island that renders its fields from data (compose) reads them
//! with [`value`] instead, because hydration would overwrite what is filled in the HTML.
use std::collections::HashMap;

use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use crate::platform::db::impl_both;

/// How long a refused form waits for its page to come back. A page reload is seconds away;
/// ten minutes covers a slow phone without keeping a child's text around for long.
pub const KEEP_SECS: i64 = 600;

/// A form holds at most this many fields worth keeping (SEC-3: bounded work). Ours have fewer
/// than thirty; the mail form's text is the largest value, under the server-function limit.
const MAX_FIELDS: usize = 200;

/// PW-1: fields that are never written down, however the form names them.
fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("password")
        || name.contains("token")
        || matches!(name.as_str(), "current" | "new" | "confirm" | "code")
}

/// A field name we fill in. Others (which no form of ours has) are left alone, so that a name
/// can never break the selector it is put into.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'[' | b']'))
}

/// What a refused form held: where it was posted, and its fields in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl KeptForm {
    /// The fields of a posted form worth keeping: no secrets, no buttons' names, plain names.
    pub fn from_post(action: &str, body: &[u8]) -> Option<KeptForm> {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(name, _)| is_plain_name(name) && !is_secret(name))
            .take(MAX_FIELDS)
            .collect();
        let plain_action = action.starts_with("/api/")
            && action
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_'));
        (plain_action && !fields.is_empty()).then(|| KeptForm {
            action: action.to_string(),
            fields,
        })
    }

    /// The first value a field was sent with.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The page's HTML with this form's fields filled in as they were sent. Text fields get
    /// their value, text areas their text, choices their selection; hidden fields keep what
    /// the server wrote (a draft's id is the server's, not the browser's). Each field the error
    /// names gets its message right before it (`errors`: field name and translated text), as
    /// the error summary at the top already lists them.
    pub fn fill(&self, html: &str, errors: &[(String, String)]) -> String {
        use lol_html::{RewriteStrSettings, element, html_content::ContentType, rewrite_str};
        let mut values: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, value) in &self.fields {
            values.entry(name).or_default().push(value);
        }
        let form = format!("form[action=\"{}\"]", self.action);
        let messages: HashMap<&str, String> = errors
            .iter()
            .filter(|(name, _)| is_plain_name(name))
            .map(|(name, text)| {
                let html = format!(
                    "<p class=\"field-message\" id=\"kept-error-{name}\">{}</p>",
                    crate::web::html_escape(text)
                );
                (name.as_str(), html)
            })
            .collect();
        let mut handlers = Vec::new();
        let fields = format!("{form} input[name], {form} textarea[name], {form} select[name]");
        handlers.push(element!(fields, |el| {
            let name = el.get_attribute("name").unwrap_or_default();
            if let Some(message) = messages.get(name.as_str()) {
                el.before(message, ContentType::Html);
                el.set_attribute("aria-invalid", "true")?;
                el.set_attribute("aria-describedby", &format!("kept-error-{name}"))?;
            }
            Ok(())
        }));
        let inputs = format!("{form} input[name]");
        handlers.push(element!(inputs, |el| {
            let name = el.get_attribute("name").unwrap_or_default();
            let kind = el
                .get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let sent = values.get(name.as_str());
            match kind.as_str() {
                "hidden" | "password" | "file" | "submit" | "button" | "reset" | "image" => {}
                "checkbox" | "radio" => {
                    let own = el.get_attribute("value").unwrap_or_else(|| "on".into());
                    if sent.is_some_and(|v| v.contains(&own.as_str())) {
                        el.set_attribute("checked", "")?;
                    } else {
                        el.remove_attribute("checked");
                    }
                }
                _ => {
                    if let Some(value) = sent.and_then(|v| v.first()) {
                        el.set_attribute("value", value)?;
                    }
                }
            }
            Ok(())
        }));
        let areas = format!("{form} textarea[name]");
        handlers.push(element!(areas, |el| {
            let name = el.get_attribute("name").unwrap_or_default();
            if let Some(value) = values.get(name.as_str()).and_then(|v| v.first()) {
                el.set_inner_content(value, ContentType::Text);
            }
            Ok(())
        }));
        for name in values.keys() {
            let options = format!("{form} select[name=\"{name}\"] option");
            let sent = values[name].clone();
            handlers.push(element!(options, move |el| {
                let own = el.get_attribute("value").unwrap_or_default();
                if sent.contains(&own.as_str()) {
                    el.set_attribute("selected", "")?;
                } else {
                    el.remove_attribute("selected");
                }
                Ok(())
            }));
        }
        rewrite_str(
            html,
            RewriteStrSettings {
                element_content_handlers: handlers,
                ..RewriteStrSettings::new()
            },
        )
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "a kept form could not be filled in");
            html.to_string()
        })
    }
}

/// The value a refused form sent for `name`, on the page it came back to (`None` elsewhere).
/// For islands that render their fields from data; every other form is filled in by itself.
pub fn value(name: &str) -> Option<String> {
    let parts = leptos::prelude::use_context::<Parts>()?;
    let kept = parts.extensions.get::<KeptForm>()?;
    kept.value(name).map(str::to_string)
}

/// The key a form is kept under: random, and bound to the session by a keyed hash of its token.
pub fn session_mac(state: &crate::platform::AppState, token: &str) -> String {
    crate::platform::secret::hmac_hex(&state.config.secret_key, &["kept-form", token])
}

#[async_trait::async_trait]
pub trait KeptFormStore: Send + Sync {
    /// Keeps a form until `expires_at`; forms expired by `now` are removed in passing.
    async fn keep(
        &self,
        key: &str,
        session_mac: &str,
        form: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error>;
    /// The form kept under `key` for this session, removed as it is read.
    async fn take(
        &self,
        key: &str,
        session_mac: &str,
        now: i64,
    ) -> Result<Option<String>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of refused forms, as the composition root registered it.
    pub fn kept_forms(&self) -> &dyn KeptFormStore {
        self.stores.get::<dyn KeptFormStore>()
    }
}

impl_both!(KeptFormStore {
    async fn keep(&self, key: &str, session_mac: &str, form: &str, now: i64, expires_at: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM kept_forms WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO kept_forms (key, session_mac, form, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(key)
            .bind(session_mac)
            .bind(form)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn take(&self, key: &str, session_mac: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "DELETE FROM kept_forms WHERE key = $1 AND session_mac = $2 AND expires_at >= $3 RETURNING form",
        )
        .bind(key)
        .bind(session_mac)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 18 §1: a refused form comes back with every value kept, passwords never.
    #[test]
    fn ux_1_refused_forms_are_filled_in_again() {
        let body = b"subject=Hallo+%C3%96zdemir&body=Zeile+1%0AZeile+2&to=a%40b.de&repeat=weekly\
                     &notify=on&password=geheim&current=alt&draft=7&weird%22name=x";
        let kept = KeptForm::from_post("/api/mail/send", body).unwrap();
        assert_eq!(kept.value("subject"), Some("Hallo Özdemir"));
        assert_eq!(kept.value("password"), None);
        assert_eq!(kept.value("current"), None);
        assert_eq!(kept.value("weird\"name"), None);
        let html = r#"<form action="/other"><input name="subject" value="fremd"></form>
<form method="post" action="/api/mail/send"><input type="hidden" name="draft" value="9">
<input name="subject" value=""><input name="password" type="password">
<textarea name="body">alt</textarea><input type="checkbox" name="notify">
<input type="checkbox" name="absent" checked>
<select name="repeat"><option value="" selected>nie</option><option value="weekly">wöchentlich</option></select></form>"#;
        let errors = [(
            "subject".to_string(),
            "Bitte <gib> einen Betreff ein.".to_string(),
        )];
        let filled = kept.fill(html, &errors);
        assert!(
            filled.contains(r#"<p class="field-message" id="kept-error-subject">Bitte &lt;gib&gt; einen Betreff ein.</p><input name="subject" value="Hallo Özdemir" aria-invalid="true""#),
            "{filled}"
        );
        assert!(
            filled.contains(r#"<input name="subject" value="fremd">"#),
            "{filled}"
        );
        assert!(filled.contains(r#"name="draft" value="9""#), "{filled}");
        assert!(
            filled.contains("<textarea name=\"body\">Zeile 1\nZeile 2</textarea>"),
            "{filled}"
        );
        assert!(filled.contains(r#"name="notify" checked"#), "{filled}");
        assert!(!filled.contains(r#"name="absent" checked"#), "{filled}");
        assert!(!filled.contains(r#"value="" selected"#), "{filled}");
        assert!(filled.contains(r#"value="weekly" selected"#), "{filled}");
        // Markup in a value stays text.
        let evil = KeptForm::from_post(
            "/api/x/y",
            b"subject=%22%3E%3Cscript%3E&body=%3C%2Ftextarea%3E",
        )
        .unwrap();
        let filled = evil.fill(
            r#"<form action="/api/x/y"><input name="subject"><textarea name="body"></textarea></form>"#,
            &[],
        );
        // The quote cannot end the attribute; the text area's text cannot end the text area.
        assert!(filled.contains(r#"value="&quot;>"#), "{filled}");
        assert!(filled.contains("&lt;/textarea&gt;</textarea>"), "{filled}");
        assert_eq!(KeptForm::from_post("/api/x\"]y", b"a=b"), None);
        assert_eq!(KeptForm::from_post("/api/x", b"password=b"), None);
    }
}
