//! `GET /logs/export.csv?session=…&from=…&until=…&user=…&action=…&kind=…`: the events of a
//! reading session's query as CSV. The export is itself an audit event (LOG-2).
use std::collections::HashMap;

use axum::{
    Extension,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};

use crate::audit::AuditEvent;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{
    AppState, RequestInfo,
    request::{CurrentSession, signed_in},
};
use crate::users::http::{csv_field, error_page, lang_of};

/// An export holds at most this many events; narrower filters give the rest.
const MAX_EXPORT: i64 = 100_000;

pub async fn export(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let q = |name: &str| query.get(name).cloned().unwrap_or_default();
    let result = async {
        let reader = signed_in(&session)?;
        let id: i64 = q("session")
            .parse()
            .map_err(|_| AppError::new(ErrorKind::Forbidden, Key::LogsReasonFirst))?;
        let (reading, school) = super::live_reading(&state, &reader, id).await?;
        let filter = super::filter(
            &q("from"),
            &q("until"),
            &q("user"),
            &q("action"),
            &q("kind"),
        )?;
        let audit = AuditEvent::new("log.exported", &info)
            .actor(reader.id, reader.school_id)
            .details(format!("session {}: {filter:?}", reading.id));
        Ok::<_, AppError>(
            state
                .store
                .events(school, &filter, 0, MAX_EXPORT, &audit)
                .await?
                .0,
        )
    }
    .await;
    let events = match result {
        Ok(events) => events,
        Err(error) if error.kind == ErrorKind::Unauthenticated => {
            return Redirect::to("/login").into_response();
        }
        Err(error) => return error_page(lang_of(&headers), &error, "/logs", Key::LogsTitle),
    };
    let mut out = String::from("\u{feff}id;time;actor;subject;action;details;address\r\n");
    for e in events {
        let at = e.at.to_string();
        let fields = [
            e.id.to_string(),
            at,
            e.actor.unwrap_or_default(),
            e.subject.unwrap_or_default(),
            e.action,
            e.details,
            e.ip,
        ];
        out += &fields
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(";");
        out += "\r\n";
    }
    let mut response = out.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"protokoll.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
