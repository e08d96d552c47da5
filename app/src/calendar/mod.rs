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
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::rules::calendar::EventFields;

#[cfg(feature = "ssr")]
use crate::auth::{authenticate, school_staff};
#[cfg(feature = "ssr")]
use crate::{
    audit::AuditEvent,
    auth::{Capability, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, app_state, request_info},
    rules::calendar as rule,
};
#[cfg(feature = "ssr")]
use store::{CalendarKey, Change, EventRow};

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

/// The one place that decides who reads and writes which calendar (CAL-1).
#[cfg(feature = "ssr")]
pub async fn calendar_access(
    state: &AppState,
    user: &SessionUser,
    calendar: CalendarRef,
) -> Result<(CalendarKey, CalendarInfo), AppError> {
    let school = user.school()?;
    let key = |owner, group| CalendarKey {
        school_id: school,
        owner,
        group,
    };
    match calendar {
        CalendarRef::Personal => Ok((
            key(Some(user.id), None),
            CalendarInfo {
                code: calendar.code(),
                name: String::new(),
                can_write: true,
            },
        )),
        CalendarRef::School => Ok((
            key(None, None),
            CalendarInfo {
                code: calendar.code(),
                name: String::new(),
                can_write: user.can(Capability::CalendarSchool),
            },
        )),
        CalendarRef::Group(group) => {
            let place = state
                .groups()
                .membership(user.id, group, school)
                .await?
                .ok_or_else(AppError::not_found)?;
            let name = state
                .groups()
                .my_groups(user.id)
                .await?
                .into_iter()
                .find(|g| g.id == group)
                .map(|g| g.name)
                .ok_or_else(AppError::not_found)?;
            let can_write =
                place.is_owner || state.calendar().calendar_members_write(school).await?;
            Ok((
                key(None, Some(group)),
                CalendarInfo {
                    code: calendar.code(),
                    name,
                    can_write,
                },
            ))
        }
    }
}

#[cfg(feature = "ssr")]
fn calendar_of(row: &EventRow) -> CalendarRef {
    match (row.owner_user_id, row.group_id) {
        (Some(_), _) => CalendarRef::Personal,
        (None, Some(group)) => CalendarRef::Group(group),
        (None, None) => CalendarRef::School,
    }
}

/// An event the caller may read, with their calendar's rights.
#[cfg(feature = "ssr")]
async fn event_access(
    state: &AppState,
    user: &SessionUser,
    id: i64,
) -> Result<(EventRow, CalendarKey, CalendarInfo), AppError> {
    let row = state
        .calendar()
        .event(user.school()?, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if row.owner_user_id.is_some_and(|owner| owner != user.id) {
        return Err(AppError::not_found());
    }
    let (key, info) = calendar_access(state, user, calendar_of(&row)).await?;
    Ok((row, key, info))
}

/// Every calendar the caller reads: their own, their groups', the school's.
#[cfg(feature = "ssr")]
async fn my_calendars(
    state: &AppState,
    user: &SessionUser,
) -> Result<Vec<(CalendarKey, CalendarInfo)>, AppError> {
    let mut out = vec![
        calendar_access(state, user, CalendarRef::Personal).await?,
        calendar_access(state, user, CalendarRef::School).await?,
    ];
    for group in state.groups().my_groups(user.id).await? {
        out.push(calendar_access(state, user, CalendarRef::Group(group.id)).await?);
    }
    Ok(out)
}

/// Every occurrence of `calendars` between two days, in time order.
#[cfg(feature = "ssr")]
async fn occurrences_between(
    state: &AppState,
    calendars: &[(CalendarKey, CalendarInfo)],
    from: i64,
    to: i64,
) -> Result<Vec<Occurrence>, AppError> {
    let mut out = Vec::new();
    for (key, info) in calendars {
        for row in state
            .calendar()
            .events_between(*key, &rule::date_of(from), &rule::date_of(to))
            .await?
        {
            let fields = row.fields();
            for day in rule::occurrences(&fields, from, to) {
                let date = rule::date_of(day);
                let (y, m, d) = crate::rules::date::civil_from_days(day);
                let (h, min) = rule::time_parts(&fields.start).unwrap_or((0, 0));
                out.push(Occurrence {
                    event_id: row.id,
                    title: fields.title.clone(),
                    place: fields.place.clone(),
                    date,
                    start: fields.start.clone(),
                    end: fields.end.clone(),
                    starts_at: crate::rules::date::berlin_to_unix(y, m, d, h, min),
                    calendar: info.code.clone(),
                    repeats: fields.repeat != rule::Repeat::Never,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.starts_at, o.event_id));
    Ok(out)
}

#[cfg(feature = "ssr")]
fn today() -> i64 {
    let (y, m, d, _, _) = crate::rules::date::berlin_time(crate::platform::now());
    crate::rules::date::days_from_civil(y, m, d)
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
    })
}

/// The start page: the next events from all of the caller's calendars.
#[server(prefix = "/api", endpoint = "calendar/upcoming")]
pub async fn upcoming() -> Result<Vec<Occurrence>, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let calendars = my_calendars(&state, &user).await?;
    let now = crate::platform::now();
    let mut next = occurrences_between(&state, &calendars, today(), today() + 30).await?;
    next.retain(|o| o.starts_at + if o.start.is_empty() { 86_400 } else { 0 } >= now);
    next.truncate(5);
    Ok(next)
}

#[cfg(feature = "ssr")]
fn history_entry(row: store::HistoryRow) -> HistoryEntry {
    let parse = |text: &str| serde_json::from_str::<EventFields>(text).ok();
    let (before, after) = (parse(&row.before_json), parse(&row.after_json));
    let flat = |f: &Option<EventFields>| -> Vec<(&'static str, String)> {
        match f {
            None => Vec::new(),
            Some(f) => vec![
                ("title", f.title.clone()),
                ("date", f.date.clone()),
                ("start", f.start.clone()),
                ("end", f.end.clone()),
                ("place", f.place.clone()),
                ("description", f.description.clone()),
                ("repeat", f.repeat.code().to_string()),
                ("until", f.until.clone()),
                ("exceptions", f.exceptions.join(", ")),
            ],
        }
    };
    let (b, a) = (flat(&before), flat(&after));
    let fields = if b.is_empty() { &a } else { &b };
    let changes = fields
        .iter()
        .map(|(name, _)| {
            let get = |list: &[(&str, String)]| {
                list.iter()
                    .find(|(n, _)| n == name)
                    .map(|x| x.1.clone())
                    .unwrap_or_default()
            };
            (name.to_string(), get(&b), get(&a))
        })
        .filter(|(_, before, after)| before != after)
        .collect();
    HistoryEntry {
        by: row.changed_by_name,
        at: row.changed_at,
        action: row.action,
        changes,
    }
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

#[cfg(feature = "ssr")]
fn writable(info: &CalendarInfo) -> Result<(), AppError> {
    if info.can_write {
        Ok(())
    } else {
        Err(AppError::new(ErrorKind::Forbidden, Key::CalReadOnly))
    }
}

/// CAL-1: what a form sent, checked by the shared rule and the link filter (FLT-1).
#[cfg(feature = "ssr")]
async fn checked(
    state: &AppState,
    user: &SessionUser,
    form: &rule::EventForm,
) -> Result<EventFields, AppError> {
    let fields = rule::check(form).map_err(|(field, key)| AppError::field(field, key))?;
    crate::filter::check(
        state,
        user,
        &request_info(),
        "description",
        &[&fields.title, &fields.place, &fields.description],
    )
    .await?;
    Ok(fields)
}

/// CAL-2: shared calendars keep history; a personal one is nobody else's business.
#[cfg(feature = "ssr")]
fn keeps_history(key: &CalendarKey) -> bool {
    key.owner.is_none()
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

/// The iCalendar text of everything the user reads in `calendar` (or `all`).
#[cfg(feature = "ssr")]
pub async fn feed_text(
    state: &AppState,
    user: &SessionUser,
    calendar: &str,
) -> Result<String, AppError> {
    let calendars = match calendar {
        "all" => my_calendars(state, user).await?,
        code => {
            let target = CalendarRef::parse(code).ok_or_else(AppError::not_found)?;
            vec![calendar_access(state, user, target).await?]
        }
    };
    let domain = state
        .schools()
        .school_domain(user.school()?)
        .await?
        .unwrap_or_default();
    let mut events = Vec::new();
    // A year back and two ahead: what a phone needs; recurrences carry their own rule.
    let (from, to) = (today() - 366, today() + 731);
    for (key, _) in &calendars {
        events.extend(
            state
                .calendar()
                .events_between(*key, &rule::date_of(from), &rule::date_of(to))
                .await?,
        );
    }
    Ok(ics::calendar(&events, &domain))
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
