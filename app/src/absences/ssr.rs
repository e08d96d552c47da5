//! The server-only half of absences: the checks the server functions share, the term counts,
//! the office's CSV and the retention job.
use std::collections::BTreeMap;

use super::*;

pub(super) use crate::auth::{
    Capability, SessionUser, authenticate, require_in_school, school_staff,
};
pub(super) use crate::{
    audit::AuditEvent,
    i18n::Key,
    platform::{AppState, app_state, request_info},
    rules::absence::{self as rule, Part, Reason},
};

use store::NewReport;

/// Today in German school time, as a day number.
fn today_number() -> i64 {
    crate::rules::date::berlin_day(crate::platform::now())
}

/// Today in German school time, as the database keeps days.
pub(super) fn today() -> String {
    rule::date_of(today_number())
}

/// A day as the family typed it (`7.12.`, `07.12.2026`), the nearest such day.
fn typed_day(field: &str, text: &str, today: i64) -> Result<i64, AppError> {
    crate::rules::date::parse_near(text, today)
        .and_then(|iso| rule::day_number(&iso))
        .ok_or_else(|| AppError::field(field, Key::AbsDateInvalid))
}

/// ABS-1: the report behind `absences/report`: the five steps, with every field checked
/// against the shared rule before anything is written.
pub(super) async fn report_absence(
    pupil_id: i64,
    from: &str,
    to: &str,
    part: &str,
    reason: &str,
    note: &str,
) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = require_in_school(&user, Capability::ChildrenFollow)?;
    let state = app_state();
    let child = crate::guardians::own_child(&state, &user, pupil_id).await?;
    let today = today_number();
    // An empty first day is today: the usual report, made at seven in the morning.
    let from_day = if from.trim().is_empty() {
        today
    } else {
        typed_day("from", from, today)?
    };
    let to_day = if to.trim().is_empty() {
        from_day
    } else {
        typed_day("to", to, today)?
    };
    let part = Part::from_code(part).ok_or_else(|| AppError::field("part", Key::ErrorBadInput))?;
    let reason = Reason::from_code(reason)
        .ok_or_else(|| AppError::field("reason", Key::AbsReasonMissing))?;
    rule::check_span(from_day, to_day, part, today)
        .map_err(|(field, key)| AppError::field(field, key))?;
    let note = note.trim();
    if !rule::valid_note(note) {
        return Err(AppError::field("note", Key::AbsNoteTooLong));
    }
    let rules = state.absences().rules(school).await?;
    let now = crate::platform::now();
    let (_, _, _, hour, minute) = crate::rules::date::berlin_time(now);
    let late = rule::is_late(
        from_day,
        today,
        i64::from(hour) * 60 + i64::from(minute),
        rules.late_after_minutes,
    );
    let (from_iso, to_iso) = (rule::date_of(from_day), rule::date_of(to_day));
    let audit = AuditEvent::new("absence.reported", &request_info())
        .actor(user.id, Some(school))
        .subject(pupil_id)
        // ABS-3: the log keeps the days, never the reason or the note.
        .details(format!("{from_iso}..{to_iso} {}", child.first_name));
    state
        .absences()
        .report(
            &NewReport {
                school_id: school,
                pupil_id,
                from_day: &from_iso,
                to_day: &to_iso,
                part: part.code(),
                reason: reason.code(),
                note,
                reported_by: user.id,
                reported_at: now,
                late,
            },
            &audit,
        )
        .await?;
    Ok(())
}

/// ABS-2: a class of the caller's school whose list the caller keeps: any class for the
/// secretariat and management, an owned one for a class teacher; 404 otherwise (whether
/// another class exists is none of their business).
pub(super) async fn class_kept_by(
    state: &AppState,
    user: &SessionUser,
    school: i64,
    group_id: i64,
) -> Result<ClassRef, AppError> {
    let class = state
        .absences()
        .class_of_school(school, group_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if user.can(Capability::AbsencesSchool) {
        return Ok(class);
    }
    let owns = state
        .groups()
        .membership(user.id, group_id, school)
        .await?
        .is_some_and(|m| m.is_owner);
    if owns {
        Ok(class)
    } else {
        Err(AppError::not_found())
    }
}

/// One row per pupil, the first absence of each (families' reports first) deciding.
pub(super) fn day_rows(rows: Vec<store::DayRow>) -> Vec<super::DayRow> {
    let mut out: Vec<super::DayRow> = Vec::with_capacity(rows.len());
    for row in rows {
        if out.last().is_some_and(|last| last.pupil_id == row.pupil_id) {
            continue;
        }
        let state = match row.source.as_deref() {
            Some("guardian") => DayState::Reported {
                absence_id: row.absence_id.unwrap_or_default(),
                doctors_note: row.has_doctors_note.unwrap_or(false),
                reason: row.reason.unwrap_or_default(),
                note: row.note.unwrap_or_default(),
                part: row.part.unwrap_or_default(),
                late: row.late.unwrap_or(false),
            },
            Some(_) => DayState::Missing {
                reached: row.reached_at.is_some(),
            },
            None => DayState::Present,
        };
        out.push(super::DayRow {
            pupil_id: row.pupil_id,
            name: format!("{} {}", row.first_name, row.last_name),
            state,
        });
    }
    out
}

/// ABS-3: the class's term counts: each school day counted once per pupil (two households
/// reporting the same day make one day), a family's report excusing it.
pub(super) async fn term_record(state: &AppState, class: ClassRef) -> Result<TermRecord, AppError> {
    let (first, last) = rule::term_of(today_number());
    let (from_day, to_day) = (rule::date_of(first), rule::date_of(last));
    let pupils = state.absences().day(class.id, &from_day).await?;
    let spans = state.absences().spans(class.id, &from_day, &to_day).await?;
    // Per pupil and day: (half days, excused).
    let mut days: BTreeMap<(i64, i64), (i64, bool)> = BTreeMap::new();
    for span in spans {
        let (Some(a), Some(b)) = (
            rule::day_number(&span.from_day),
            rule::day_number(&span.to_day),
        ) else {
            continue;
        };
        let halves = if span.part == Part::Whole.code() {
            2
        } else {
            1
        };
        for day in a.max(first)..=b.min(last) {
            if rule::weekday(day) >= 5 {
                continue;
            }
            let entry = days.entry((span.pupil_id, day)).or_insert((0, false));
            entry.0 = (entry.0 + halves).min(2);
            entry.1 |= span.excused;
        }
    }
    let mut rows: Vec<TermRow> = Vec::new();
    for pupil in day_rows(pupils) {
        let (mut excused, mut unexcused) = (0, 0);
        for (_, (halves, was_excused)) in
            days.range((pupil.pupil_id, i64::MIN)..=(pupil.pupil_id, i64::MAX))
        {
            if *was_excused {
                excused += halves;
            } else {
                unexcused += halves;
            }
        }
        rows.push(TermRow {
            pupil_id: pupil.pupil_id,
            name: pupil.name,
            excused_halves: excused,
            unexcused_halves: unexcused,
        });
    }
    Ok(TermRecord {
        class,
        from_day,
        to_day,
        rows,
    })
}

/// ABS-1: the child's reports from a week back on, for the family's home page.
/// Each says from which school day the school asks for a doctor's note, where the school's
/// rule reaches it.
pub async fn reports_of_child(
    state: &AppState,
    school: i64,
    pupil_id: i64,
) -> Result<Vec<FamilyReport>, AppError> {
    let since = rule::date_of(today_number() - rule::MAX_DAYS_BACK);
    let mut reports = state.absences().reports_of(pupil_id, &since).await?;
    if reports.is_empty() {
        return Ok(reports);
    }
    let note_from = state.absences().rules(school).await?.note_from_day;
    for report in &mut reports {
        if let (Some(from), Some(to)) = (
            rule::day_number(&report.from_day),
            rule::day_number(&report.to_day),
        ) && rule::note_may_be_asked(from, to, note_from)
        {
            report.doctors_note_from = note_from;
        }
    }
    Ok(reports)
}

/// ABS-3: `GET /absences/term.csv`: every class's term counts, for the office's report
/// cards. The secretariat's and management's (`AbsencesSchool`).
pub async fn term_csv(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::web::SignedIn(user): crate::web::SignedIn,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let lang = crate::web::lang_of(&headers);
    let records = async {
        let school = require_in_school(&user, Capability::AbsencesSchool)?;
        let mut records = Vec::new();
        for class in state.absences().classes(school, None).await? {
            records.push(term_record(&state, class).await?);
        }
        Ok::<_, AppError>(records)
    }
    .await;
    match records {
        Ok(records) => {
            let rows = records.iter().flat_map(|record| {
                record.rows.iter().map(|row| {
                    [
                        record.class.name.clone(),
                        row.name.clone(),
                        days_text(row.excused_halves),
                        days_text(row.unexcused_halves),
                        lang.day(&record.from_day),
                        lang.day(&record.to_day),
                    ]
                })
            });
            crate::web::csv(
                "fehlzeiten.csv",
                &[
                    lang.t(Key::UsersClass),
                    lang.t(Key::AbsName),
                    lang.t(Key::AbsExcused),
                    lang.t(Key::AbsUnexcused),
                    lang.t(Key::AbsTermFrom),
                    lang.t(Key::AbsTermTo),
                ],
                rows,
            )
        }
        Err(error) => crate::web::failure(&headers, error, "/", Key::DashboardTitle),
    }
}

/// ABS-3: the scheduled job: in each school, the reasons and notes of absences from a school
/// year that ended more than the school's keep period ago are blanked. The days stay: they
/// are the counts, which go only with the pupil. Returns how many lost their details.
pub async fn purge_details(state: &AppState) -> Result<u64, String> {
    let e = |e: sqlx::Error| e.to_string();
    let today = today_number();
    let mut purged = 0;
    for school in state.absences().keep_periods().await.map_err(e)? {
        let ended_by = rule::date_of(rule::details_kept_after(today, school.keep_days));
        purged += state
            .absences()
            .purge_details(school.school_id, &ended_by)
            .await
            .map_err(e)?;
    }
    Ok(purged)
}
