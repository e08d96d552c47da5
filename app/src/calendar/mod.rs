//! CAL-1..3: a personal calendar for everyone, one per class and team, and one for the school.
//! Group owners (and members, where the school allows it) write a group calendar; school
//! management and the secretariat write the school's. Every change to a shared event keeps
//! its history (CAL-2), and anyone can subscribe on a phone through a private feed (CAL-3).
// A server function takes its form's fields one by one, so plain HTML forms post to it.
#![allow(clippy::too_many_arguments)]
pub mod views;

#[cfg(feature = "ssr")]
pub mod ics;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::rules::calendar::EventFields;

/// Which calendar: `me`, `g12`, or `school`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalendarRef {
    Personal,
    Group(i64),
    School,
}

impl CalendarRef {
    pub fn code(self) -> String {
        match self {
            CalendarRef::Personal => "me".into(),
            CalendarRef::Group(id) => format!("g{id}"),
            CalendarRef::School => "school".into(),
        }
    }

    pub fn parse(code: &str) -> Option<CalendarRef> {
        match code {
            "me" => Some(CalendarRef::Personal),
            "school" => Some(CalendarRef::School),
            _ => code.strip_prefix('g')?.parse().ok().map(CalendarRef::Group),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInfo {
    pub code: String,
    /// Empty for the personal and the school calendar: the page names those.
    pub name: String,
    pub can_write: bool,
}

/// One happening of an event on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    pub event_id: i64,
    pub title: String,
    pub place: String,
    pub date: String,
    pub start: String,
    pub end: String,
    /// The instant it starts (German time turned into Unix time; all-day: 00:00).
    pub starts_at: i64,
    pub calendar: String,
    pub repeats: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPage {
    pub calendars: Vec<CalendarInfo>,
    pub selected: String,
    pub view: String,
    pub date: String,
    pub first_day: String,
    pub last_day: String,
    /// Today in German school time, marked in the views.
    pub today: String,
    pub occurrences: Vec<Occurrence>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub by: String,
    pub at: i64,
    pub action: String,
    /// (field, before, after) for every field that changed.
    pub changes: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub id: i64,
    pub calendar: CalendarInfo,
    pub fields: EventFields,
    pub version: i64,
    pub deleted: bool,
    /// CAL-2: group and school events only; personal events have none.
    pub history: Vec<HistoryEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedInfo {
    pub id: i64,
    pub calendar: String,
    pub created_at: i64,
    pub revoked: bool,
    /// The address, on the one page view right after it was made.
    pub url_once: Option<String>,
}

/// CAL-1: a week, a month or the coming 30 days of one calendar or all (`all`).
#[server(prefix = "/api", endpoint = "calendar/view")]
pub async fn calendar_view(
    calendar: String,
    view: String,
    date: String,
) -> Result<CalendarPage, AppError> {
    let user = authenticate()?;
    AppError::one_of("view", &view, &["", "month", "week", "agenda"])?;
    let state = app_state();
    let all = my_calendars(&state, &user).await?;
    let chosen: Vec<(CalendarKey, CalendarInfo)> = match calendar.as_str() {
        "" | "all" => all.clone(),
        code => {
            let wanted = CalendarRef::parse(code).ok_or_else(AppError::not_found)?;
            vec![calendar_access(&state, &user, wanted).await?]
        }
    };
    let day = rule::day_number(&date).unwrap_or_else(today);
    let (from, to) = match view.as_str() {
        "month" => {
            let (y, m, _) = crate::rules::date::civil_from_days(day);
            let first = crate::rules::date::days_from_civil(y, m, 1);
            let next = if m == 12 {
                crate::rules::date::days_from_civil(y + 1, 1, 1)
            } else {
                crate::rules::date::days_from_civil(y, m + 1, 1)
            };
            (rule::week_start(first), rule::week_start(next - 1) + 6)
        }
        "week" => (rule::week_start(day), rule::week_start(day) + 6),
        "agenda" => (day, day + 30),
        // The default page ("") holds both the week (tablets) and the agenda (phones).
        _ => (
            rule::week_start(day),
            (rule::week_start(day) + 6).max(day + 30),
        ),
    };
    Ok(CalendarPage {
        occurrences: occurrences_between(&state, &chosen, from, to).await?,
        calendars: all.into_iter().map(|c| c.1).collect(),
        selected: if calendar.is_empty() {
            "all".into()
        } else {
            calendar
        },
        view,
        date: rule::date_of(day),
        first_day: rule::date_of(from),
        last_day: rule::date_of(to),
        today: rule::date_of(ssr::today()),
    })
}

/// The start page: the next events from all of the caller's calendars.
#[server(prefix = "/api", endpoint = "calendar/upcoming")]
pub async fn upcoming() -> Result<Vec<Occurrence>, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let calendars = my_calendars(&state, &user).await?;
    next_of(&state, &calendars).await
}

/// CAL-1, CAL-2: one event, and for shared calendars its whole history.
#[server(prefix = "/api", endpoint = "calendar/event")]
pub async fn event(id: i64) -> Result<EventPage, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (row, _, info) = event_access(&state, &user, id).await?;
    let history = state
        .calendar()
        .history(row.id)
        .await?
        .into_iter()
        .map(history_entry)
        .collect();
    Ok(EventPage {
        id: row.id,
        fields: row.fields(),
        version: row.version,
        deleted: row.deleted_at.is_some(),
        calendar: info,
        history,
    })
}

#[server(prefix = "/api", endpoint = "calendar/create")]
pub async fn create_event(
    calendar: String,
    title: String,
    place: String,
    description: String,
    date: String,
    start: String,
    end: String,
    repeat: String,
    until: String,
    exceptions: String,
    reminder: String,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let target = CalendarRef::parse(&calendar).ok_or_else(AppError::not_found)?;
    let (key, info) = calendar_access(&state, &user, target).await?;
    writable(&info)?;
    let form = rule::EventForm {
        title,
        place,
        description,
        date,
        start,
        end,
        repeat,
        until,
        exceptions,
        reminder,
    };
    let fields = checked(&state, &user, &form).await?;
    let name = format!("{} {}", user.first_name, user.last_name);
    let change = Change {
        by: user.id,
        by_name: &name,
        action: "created",
    };
    let id = state
        .calendar()
        .create_event(key, &fields, keeps_history(&key).then_some(&change))
        .await?;
    leptos_axum::redirect(&format!("/calendar/event?id={id}"));
    Ok(id)
}

/// CAL-2: saves over `version`; when someone else saved first, nothing is overwritten.
#[server(prefix = "/api", endpoint = "calendar/update")]
pub async fn update_event(
    id: i64,
    version: i64,
    title: String,
    place: String,
    description: String,
    date: String,
    start: String,
    end: String,
    repeat: String,
    until: String,
    exceptions: String,
    reminder: String,
) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (row, key, info) = event_access(&state, &user, id).await?;
    writable(&info)?;
    if row.deleted_at.is_some() {
        return Err(AppError::not_found());
    }
    let form = rule::EventForm {
        title,
        place,
        description,
        date,
        start,
        end,
        repeat,
        until,
        exceptions,
        reminder,
    };
    let fields = checked(&state, &user, &form).await?;
    let name = format!("{} {}", user.first_name, user.last_name);
    let change = Change {
        by: user.id,
        by_name: &name,
        action: "updated",
    };
    if !state
        .calendar()
        .update_event(
            row.id,
            version,
            &row.fields(),
            &fields,
            keeps_history(&key).then_some(&change),
        )
        .await?
    {
        return Err(AppError::new(ErrorKind::Conflict, Key::CalChanged));
    }
    leptos_axum::redirect(&format!("/calendar/event?id={id}"));
    Ok(())
}

/// CAL-2: deleting a shared event is soft and goes into its history.
#[server(prefix = "/api", endpoint = "calendar/delete")]
pub async fn delete_event(id: i64, version: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (row, key, info) = event_access(&state, &user, id).await?;
    writable(&info)?;
    let name = format!("{} {}", user.first_name, user.last_name);
    let change = Change {
        by: user.id,
        by_name: &name,
        action: "deleted",
    };
    if !state
        .calendar()
        .delete_event(
            row.id,
            version,
            &row.fields(),
            keeps_history(&key).then_some(&change),
        )
        .await?
    {
        return Err(AppError::new(ErrorKind::Conflict, Key::CalChanged));
    }
    leptos_axum::redirect("/calendar");
    Ok(())
}

/// CAL-1: whether members, not only owners, write their groups' calendars.
#[server(prefix = "/api", endpoint = "calendar/settings")]
pub async fn calendar_settings() -> Result<bool, AppError> {
    let (_, school) = school_staff(Capability::CalendarManage)?;
    Ok(app_state()
        .calendar()
        .calendar_members_write(school)
        .await?)
}

/// CAL-1: the school lets members (not only owners) write their groups' calendars.
#[server(prefix = "/api", endpoint = "calendar/set-members-write")]
pub async fn set_calendar_members_write(allowed: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::CalendarManage)?;
    let allowed = allowed == "yes";
    let audit = AuditEvent::new("calendar.members_write", &request_info())
        .actor(user.id, Some(school))
        .details(allowed.to_string());
    app_state()
        .calendar()
        .set_calendar_members_write(school, allowed, &audit)
        .await?;
    Ok(())
}

/// CAL-3: the caller's feeds; a new one's address shows once, right after it was made.
#[server(prefix = "/api", endpoint = "calendar/feeds")]
pub async fn feeds() -> Result<Vec<FeedInfo>, AppError> {
    let user = authenticate()?;
    user.school()?;
    let state = app_state();
    let base = state.config.public_url.trim_end_matches('/').to_string();
    Ok(state
        .calendar()
        .take_feeds(user.id)
        .await?
        .into_iter()
        .map(|(id, calendar, created_at, revoked_at, token)| FeedInfo {
            id,
            calendar,
            created_at,
            revoked: revoked_at.is_some(),
            url_once: token.map(|t| format!("{base}/calendar/feed/{t}.ics")),
        })
        .collect())
}

/// CAL-3: a private feed for one calendar (`me`, `g12`, `school`) or all (`all`). The token
/// has 256 random bits; only its hash is kept once the address has been shown.
#[server(prefix = "/api", endpoint = "calendar/create-feed")]
pub async fn create_feed(calendar: String) -> Result<String, AppError> {
    let user = authenticate()?;
    let state = app_state();
    if calendar != "all" {
        let target = CalendarRef::parse(&calendar).ok_or_else(AppError::not_found)?;
        calendar_access(&state, &user, target).await?;
    } else {
        user.school()?;
    }
    let token = crate::platform::secret::random_hex(32);
    let hash = crate::platform::secret::sha256_hex(&token);
    state
        .calendar()
        .create_feed(user.id, &hash, &token, &calendar)
        .await?;
    leptos_axum::redirect("/calendar/feeds");
    Ok(format!(
        "{}/calendar/feed/{token}.ics",
        state.config.public_url.trim_end_matches('/')
    ))
}

#[server(prefix = "/api", endpoint = "calendar/revoke-feed")]
pub async fn revoke_feed(id: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    if !app_state()
        .calendar()
        .revoke_feed(user.id, id, crate::platform::now())
        .await?
    {
        return Err(AppError::not_found());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cal_1_calendar_codes_round_trip() {
        for c in [
            CalendarRef::Personal,
            CalendarRef::Group(4),
            CalendarRef::School,
        ] {
            assert_eq!(CalendarRef::parse(&c.code()), Some(c));
        }
        assert_eq!(CalendarRef::parse("x"), None);
    }
}
