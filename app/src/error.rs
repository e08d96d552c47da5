//! The one error type every server function returns. It crosses the wire as JSON, so the
//! browser can show the translated message and each field error next to its field.
use crate::i18n::Key;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    BadInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooManyRequests,
    Locked,
    CrossOrigin,
    /// FILE-2, FILE-4: more bytes than the limit or the quota allows (413).
    TooLarge,
    /// Details are in the server log under the request id; the user gets generic text.
    Internal,
}

/// A problem with one form field, shown next to that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: Key,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    /// The sentence for the whole form; field errors come in addition.
    pub message: Key,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// With `TooManyRequests`: when to try again, sent as `Retry-After`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// What the message names, such as the blocked link (FLT-1); filled into `{detail}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// SEC-7: the server's MAC of `detail`. A page shows the detail of an error that came in
    /// its URL (`__err`, after a plain form post) only when this matches: otherwise a crafted
    /// link could put any text into the site's own error banner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_sig: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, message: Key) -> Self {
        AppError {
            kind,
            message,
            fields: Vec::new(),
            retry_after_secs: None,
            detail: None,
            detail_sig: None,
        }
    }

    /// The answer for anything the caller may not know exists.
    pub fn not_found() -> Self {
        Self::kind(ErrorKind::NotFound)
    }

    pub fn kind(kind: ErrorKind) -> Self {
        let message = match kind {
            ErrorKind::BadInput => Key::ErrorBadInput,
            ErrorKind::Unauthenticated => Key::ErrorUnauthenticated,
            ErrorKind::Forbidden => Key::ErrorForbidden,
            ErrorKind::NotFound => Key::ErrorNotFound,
            ErrorKind::Conflict => Key::ErrorConflict,
            ErrorKind::TooManyRequests => Key::ErrorTooMany,
            ErrorKind::Locked => Key::ErrorLocked,
            ErrorKind::CrossOrigin => Key::ErrorCrossOrigin,
            ErrorKind::TooLarge => Key::FilesTooLarge,
            ErrorKind::Internal => Key::ErrorInternal,
        };
        Self::new(kind, message)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        AppError {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::kind(ErrorKind::TooManyRequests)
        }
    }

    /// Bad input in one field: the field shows `message`, the summary a generic sentence.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The error a page was sent back with in its URL (`__err`), with its detail kept only
    /// when the server signed it (SEC-7).
    pub fn from_url(encoded: &str) -> Self {
        let mut error = leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(encoded);
        #[cfg(feature = "ssr")]
        let signed = matches!(
            (&error.detail, &error.detail_sig),
            (Some(detail), Some(sig)) if signing::verify(detail, sig)
        );
        // The browser holds no key: it never decodes a URL's error (pages are rendered on the
        // server), and if it did, it would show no detail.
        #[cfg(not(feature = "ssr"))]
        let signed = false;
        if !signed {
            error.detail = None;
        }
        error.detail_sig = None;
        error
    }

    /// The message in the reader's language, with its detail filled in. A throttled request
    /// says how long to wait (issue 18: "bitte warte kurz" left people guessing).
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        if let Some(secs) = self.retry_after_secs
            && self.message == Key::ErrorTooMany
        {
            // A wait beyond an hour is shown as an hour: the throttle never asks for more.
            let wait = lang.wait(secs.min(3600));
            return lang.fill(Key::ErrorTooManyWait, &[("wait", &wait)]);
        }
        self.field_text(lang, self.message)
    }

    /// A field's message with this error's detail filled in, so that „{detail}“ never reaches
    /// the reader as a bare placeholder.
    pub fn field_text(&self, lang: crate::i18n::Lang, key: Key) -> String {
        lang.fill(
            key,
            &[("detail", self.detail.as_deref().unwrap_or_default())],
        )
    }

    pub fn field(field: &str, message: Key) -> Self {
        Self::kind(ErrorKind::BadInput).with_field(field, message)
    }

    /// SEC-7: an enum-like field holds one of `allowed`, or the request is refused whole:
    /// an unknown value never falls through to a default branch.
    pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), AppError> {
        if allowed.contains(&value) {
            Ok(())
        } else {
            Err(Self::field(field, Key::ChoiceUnknown))
        }
    }

    pub fn with_field(mut self, field: &str, message: Key) -> Self {
        self.fields.push(FieldError {
            field: field.to_string(),
            message,
        });
        self
    }

    pub fn field_message(&self, field: &str) -> Option<Key> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message)
    }

    /// The HTTP status the error is answered with: never a 500 for anything the caller did.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::BadInput => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden | ErrorKind::CrossOrigin | ErrorKind::Locked => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::TooLarge => 413,
            ErrorKind::Internal => 500,
        }
    }

    /// Logs the real cause and hands the caller nothing but generic text.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::kind(ErrorKind::Internal)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?}: {}",
            self.kind,
            crate::i18n::Lang::En.t(self.message)
        )
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server, a detail leaves signed (see `from_url`).
    fn ser(&self) -> leptos::server_fn::Bytes {
        use leptos::server_fn::Encodes;
        #[cfg(feature = "ssr")]
        let signed = AppError {
            detail_sig: self.detail.as_deref().map(signing::sign),
            ..self.clone()
        };
        #[cfg(not(feature = "ssr"))]
        let signed = self.clone();
        JsonEncoding::encode(&signed).unwrap_or_default()
    }

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed arguments are the caller's fault, never ours.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => Self::kind(ErrorKind::BadInput),
            ServerFnErrorErr::UnsupportedRequestMethod(_) => Self::kind(ErrorKind::BadInput),
            other => {
                #[cfg(feature = "ssr")]
                tracing::warn!(error = %other, "server function failed before it ran");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::kind(ErrorKind::Internal)
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal(e)
    }
}

/// SEC-7: signs error details with a key derived from the deployment's secret, so that every
/// app server of a deployment accepts what another signed.
#[cfg(feature = "ssr")]
pub mod signing {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    use std::sync::OnceLock;

    static KEY: OnceLock<Vec<u8>> = OnceLock::new();

    /// Set once at start-up from the deployment's secret. Until then (and in a process that
    /// never sets it) a random key is used: details still show on the server that signed them.
    pub fn set_key(secret: &str) {
        let _ = KEY.set(derive(secret.as_bytes()));
    }

    fn derive(secret: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"schulhof error detail");
        mac.finalize().into_bytes().to_vec()
    }

    fn mac() -> Hmac<Sha256> {
        let key = KEY.get_or_init(|| derive(&rand::random::<[u8; 32]>()));
        Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key")
    }

    pub fn sign(detail: &str) -> String {
        let mut mac = mac();
        mac.update(detail.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn verify(detail: &str, sig: &str) -> bool {
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        let mut mac = mac();
        mac.update(detail.as_bytes());
        mac.verify_slice(&sig).is_ok()
    }

    #[cfg(test)]
    mod tests {
        use crate::error::{AppError, ErrorKind};
        use crate::i18n::Key;
        use base64::Engine;
        use leptos::server_fn::error::FromServerFnError;

        /// What a plain form post's redirect carries in `__err`.
        fn url_form(e: &AppError) -> String {
            base64::engine::general_purpose::URL_SAFE.encode(e.ser())
        }

        // SEC-7: a detail signed by the server survives the trip through the URL; one written
        // into a crafted link does not.
        #[test]
        fn ux_4_a_throttled_request_says_how_long_to_wait() {
            use crate::i18n::Lang;
            let error = AppError::too_many_requests(90);
            assert_eq!(
                error.text(Lang::De),
                "Zu viele Versuche. Bitte warte 2 Minuten und versuche es dann noch einmal."
            );
            assert_eq!(
                AppError::too_many_requests(1).text(Lang::En),
                "Too many attempts. Please wait 1 second and try again."
            );
            assert!(
                AppError::too_many_requests(86_400)
                    .text(Lang::De)
                    .contains("60 Minuten")
            );
        }

        #[test]
        fn ux_4_field_messages_name_their_value() {
            use crate::i18n::Lang;
            let error = AppError::field("to", Key::MailExternal).with_detail("jemand@gmail.com");
            let text = error.field_text(Lang::De, error.fields[0].message);
            assert!(
                text.starts_with("„jemand@gmail.com“ liegt außerhalb"),
                "{text}"
            );
            let limit = AppError::field("to", Key::MailTooManyRecipients).with_detail("5");
            assert!(
                limit
                    .field_text(Lang::En, Key::MailTooManyRecipients)
                    .contains("at most 5")
            );
        }

        #[test]
        fn sec_7_only_signed_details_come_back_from_the_url() {
            let refused = AppError::new(ErrorKind::BadInput, Key::MailRecipientsOverLimit)
                .with_detail("tom@andere.example");
            let back = AppError::from_url(&url_form(&refused));
            assert_eq!(back.detail.as_deref(), Some("tom@andere.example"));
            let mut forged = refused.clone();
            forged.detail = Some("Bitte ruf 0900-123 an".into());
            let json = serde_json::to_vec(&forged).unwrap();
            let crafted = base64::engine::general_purpose::URL_SAFE.encode(json);
            assert_eq!(AppError::from_url(&crafted).detail, None);
        }
    }
}
