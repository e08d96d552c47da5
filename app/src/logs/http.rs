//! `GET /logs/export.csv?session=…&from=…&until=…&user=…&action=…&kind=…`: the events of a
//! reading session's query as CSV. The export is itself an audit event (LOG-2).
use axum::{
    Extension,
    extract::{Query, State},
    http::HeaderMap,
    response::Response,
};
use serde::Deserialize;

use crate::audit::AuditEvent;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo};
use crate::web::{SignedIn, failure};

/// An export holds at most this many events; narrower filters give the rest.
const MAX_EXPORT: i64 = 100_000;

/// The query of the log page, as its export link repeats it. Missing fields are empty.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    session: String,
    from: String,
    until: String,
    user: String,
    action: String,
    kind: String,
}

pub async fn export(
    State(state): State<AppState>,
    SignedIn(reader): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let id: i64 = query
            .session
            .parse()
            .map_err(|_| AppError::new(ErrorKind::Forbidden, Key::LogsReasonFirst))?;
        let (reading, school) = super::live_reading(&state, &reader, id).await?;
        let filter = super::filter(
            &query.from,
            &query.until,
            &query.user,
            &query.action,
            &query.kind,
        )?;
        let audit = AuditEvent::new("log.exported", &info)
            .actor(reader.id, reader.school_id)
            .details(format!("session {}: {filter:?}", reading.id));
        Ok::<_, AppError>(
            state
                .logs()
                .events(school, &filter, 0, MAX_EXPORT, &audit)
                .await?
                .0,
        )
    }
    .await;
    match result {
        Ok(events) => crate::web::csv(
            "protokoll.csv",
            &[
                "id", "time", "actor", "subject", "action", "details", "address",
            ],
            events.into_iter().map(|e| {
                [
                    e.id.to_string(),
                    e.at.to_string(),
                    e.actor.unwrap_or_default(),
                    e.subject.unwrap_or_default(),
                    e.action,
                    e.details,
                    e.ip,
                ]
            }),
        ),
        Err(error) => failure(&headers, error, "/logs", Key::LogsTitle),
    }
}
