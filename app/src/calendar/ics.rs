//! CAL-3: RFC 5545 iCalendar, built with the `icalendar` crate. Times carry
//! `TZID=Europe/Berlin` with its VTIMEZONE, so a phone keeps a weekly 09:00 at 09:00 across the
//! change to winter time; recurrences go as RRULE with EXDATE for the days left out.
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use icalendar::{Alarm, Calendar, Component, EventLike, Property};

use super::store::EventRow;
use crate::platform::AppState;
use crate::rules::calendar::{self as rule, Repeat};

const TZID: &str = "Europe/Berlin";

/// The zone's rules since 1996, enough for any client to place local times.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

fn compact(date: &str) -> String {
    date.replace('-', "")
}

fn local(date: &str, time: &str) -> String {
    format!("{}T{}00", compact(date), time.replace(':', ""))
}

fn with_zone(name: &str, value: &str) -> Property {
    Property::new(name, value)
        .add_parameter("TZID", TZID)
        .done()
}

fn as_date(name: &str, value: &str) -> Property {
    Property::new(name, value)
        .add_parameter("VALUE", "DATE")
        .done()
}

/// One VCALENDAR holding `events`.
pub fn calendar(events: &[EventRow], domain: &str) -> String {
    let mut out = Calendar::new();
    out.name("Schulhof");
    for row in events {
        let f = row.fields();
        let mut event = icalendar::Event::new();
        event
            .uid(&format!("event-{}@{domain}", row.id))
            .summary(&f.title)
            .sequence(row.version as u32);
        if !f.place.is_empty() {
            event.location(&f.place);
        }
        if !f.description.is_empty() {
            event.description(&f.description);
        }
        if f.all_day() {
            let next = rule::day_number(&f.date).map_or(f.date.clone(), |d| rule::date_of(d + 1));
            event.append_property(as_date("DTSTART", &compact(&f.date)));
            event.append_property(as_date("DTEND", &compact(&next)));
        } else {
            event.append_property(with_zone("DTSTART", &local(&f.date, &f.start)));
            event.append_property(with_zone("DTEND", &local(&f.date, &f.end)));
        }
        if f.repeat != Repeat::Never {
            let freq = match f.repeat {
                Repeat::Monthly => "MONTHLY",
                _ => "WEEKLY",
            };
            let until = match (f.until.as_str(), f.all_day()) {
                ("", _) => String::new(),
                (until, true) => format!(";UNTIL={}", compact(until)),
                // With a TZID start, UNTIL is UTC: the end of that day in Germany.
                (until, false) => crate::rules::date::end_of_day_berlin(until)
                    .map(|end| {
                        let (y, m, d) =
                            crate::rules::date::civil_from_days((end - 1).div_euclid(86_400));
                        let secs = (end - 1).rem_euclid(86_400);
                        format!(
                            ";UNTIL={y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
                            secs / 3600,
                            secs % 3600 / 60,
                            secs % 60
                        )
                    })
                    .unwrap_or_default(),
            };
            event.add_property("RRULE", format!("FREQ={freq}{until}"));
            for day in &f.exceptions {
                if f.all_day() {
                    event.append_multi_property(as_date("EXDATE", &compact(day)));
                } else {
                    event.append_multi_property(with_zone("EXDATE", &local(day, &f.start)));
                }
            }
        }
        if f.reminder > 0 {
            event.alarm(Alarm::display(
                &f.title,
                -chrono::Duration::minutes(f.reminder),
            ));
        }
        out.push(event.done());
    }
    let text = out.done().to_string();
    // The crate has no builder for VTIMEZONE; it goes right after the calendar's own lines.
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{VTIMEZONE}{}", &text[..at], &text[at..]),
        None => text.replace("END:VCALENDAR", &format!("{VTIMEZONE}END:VCALENDAR")),
    }
}

/// `GET /calendar/feed/{token}.ics`: no session, the token is the key. A revoked token and the
/// feed of a locked, withdrawn or deleted person answer 404 (VIOL-2).
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let hash = crate::platform::secret::sha256_hex(token);
    let owner = match state.calendar().feed_owner(&hash).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    match super::feed_text(&state, &owner.0, &owner.1).await {
        Ok(text) => {
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        // The owner lost access to that calendar (left the class): nothing to show.
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
