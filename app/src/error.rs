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

    /// The message in the reader's language, with its detail filled in.
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        lang.fill(
            self.message,
            &[("detail", self.detail.as_deref().unwrap_or_default())],
        )
    }

    pub fn field(field: &str, message: Key) -> Self {
        Self::kind(ErrorKind::BadInput).with_field(field, message)
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
