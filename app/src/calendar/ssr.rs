//! The server-only half of the calendar: who reads and writes which calendar (CAL-1), the
//! occurrences in a range, the change history and the iCalendar feed.
use super::*;

pub(super) use crate::auth::{authenticate, school_staff};

pub(super) use crate::{
    audit::AuditEvent,
    auth::{Capability, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, app_state, request_info},
    rules::calendar as rule,
};

pub(super) use super::store::{CalendarKey, Change, EventRow};

/// The one place that decides who reads and writes which calendar (CAL-1).
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

pub(super) fn calendar_of(row: &EventRow) -> CalendarRef {
    match (row.owner_user_id, row.group_id) {
        (Some(_), _) => CalendarRef::Personal,
        (None, Some(group)) => CalendarRef::Group(group),
        (None, None) => CalendarRef::School,
    }
}

/// An event the caller may read, with their calendar's rights.
pub(super) async fn event_access(
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
pub(super) async fn my_calendars(
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

/// The next five occurrences of `calendars` within 30 days, from now on (an all-day event
/// stays until its day is over).
pub(super) async fn next_of(
    state: &AppState,
    calendars: &[(CalendarKey, CalendarInfo)],
) -> Result<Vec<Occurrence>, AppError> {
    let now = crate::platform::now();
    let mut next = occurrences_between(state, calendars, today(), today() + 30).await?;
    next.retain(|o| o.starts_at + if o.start.is_empty() { 86_400 } else { 0 } >= now);
    next.truncate(5);
    Ok(next)
}

/// PAR-3: what is coming up for a guardian's child: the school's calendar and the child's
/// class calendar, read through the guardian's link (the caller checked it), read-only.
pub async fn upcoming_for_class(
    state: &AppState,
    user: &SessionUser,
    class_id: Option<i64>,
) -> Result<Vec<Occurrence>, AppError> {
    let school = user.school()?;
    let read_only = |calendar: CalendarRef, group| {
        (
            CalendarKey {
                school_id: school,
                owner: None,
                group,
            },
            CalendarInfo {
                code: calendar.code(),
                name: String::new(),
                can_write: false,
            },
        )
    };
    let mut calendars = vec![read_only(CalendarRef::School, None)];
    if let Some(class) = class_id {
        calendars.push(read_only(CalendarRef::Group(class), Some(class)));
    }
    next_of(state, &calendars).await
}

/// Every occurrence of `calendars` between two days, in time order.
pub(super) async fn occurrences_between(
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

pub(super) fn today() -> i64 {
    crate::rules::date::berlin_day(crate::platform::now())
}

pub(super) fn history_entry(row: store::HistoryRow) -> HistoryEntry {
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

pub(super) fn writable(info: &CalendarInfo) -> Result<(), AppError> {
    if info.can_write {
        Ok(())
    } else {
        Err(AppError::new(ErrorKind::Forbidden, Key::CalReadOnly))
    }
}

/// CAL-1: what a form sent, checked by the shared rule and the link filter (FLT-1).
pub(super) async fn checked(
    state: &AppState,
    user: &SessionUser,
    form: &rule::EventForm,
) -> Result<EventFields, AppError> {
    let fields = rule::check(form, today()).map_err(|(field, key)| AppError::field(field, key))?;
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
pub(super) fn keeps_history(key: &CalendarKey) -> bool {
    key.owner.is_none()
}

/// The iCalendar text of everything the user reads in `calendar` (or `all`).
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
