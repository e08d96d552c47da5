//! Absence reports ("Krankmeldung") and the morning lists (ABS-1..3).
//!
//! A family reports a child absent from the phone (`absences/report`); the class teacher's
//! morning list shows each pupil of the class with today's state and marks a child "fehlt
//! ohne Meldung" with one tap (`absences/class-day`, `absences/mark`); the secretariat's list
//! gathers those children with their guardians' phone numbers and a tick when the family was
//! reached (`absences/missing`, `absences/reached`). Each class keeps the term's counts for
//! the report card (`absences/term`, and `GET /absences/term.csv` for the office). The
//! scheduled jobs blank reasons and notes after the school year (`purge_details`).
//!
//! Who may read what: the class's owners (`ClassAbsences`, only for classes they own), the
//! secretariat and management (`AbsencesSchool`, every class), the family its own child's
//! reports (`ChildrenFollow`). Never administrators (ADM-1: they hold `ClassAbsences` only so
//! that they hold every right of the teachers they create, and own no group), never other
//! families.
pub mod views;

#[cfg(feature = "ssr")]
pub mod note;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
use ssr::*;
#[cfg(feature = "ssr")]
pub use ssr::{purge_details, reports_of_child, term_csv};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// ABS-1: a family's report, as the family sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyReport {
    pub id: i64,
    pub from_day: String,
    pub to_day: String,
    /// `whole`, `morning` or `afternoon` (`rules::absence::Part`).
    pub part: String,
    /// `sick`, `appointment`, `other`, or empty once the details are gone (ABS-3).
    pub reason: String,
    pub note: String,
    pub late: bool,
    pub reported_at: i64,
    /// ABS-1: the school day from which the school asks for a doctor's note, when this
    /// report reaches it; 0 otherwise.
    pub doctors_note_from: i64,
    /// ABS-1: a photo of the doctor's note is attached.
    pub has_doctors_note: bool,
}

/// A class whose morning list the caller keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRef {
    pub id: i64,
    pub name: String,
}

/// ABS-2: a pupil's state on the morning list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayState {
    /// Present unless somebody says otherwise.
    Present,
    /// The family reported the child absent.
    Reported {
        absence_id: i64,
        reason: String,
        /// The family's message to the school, if they wrote one.
        note: String,
        part: String,
        late: bool,
        /// ABS-1: the family attached a doctor's note (`GET /absences/note/{absence_id}`).
        doctors_note: bool,
    },
    /// Marked "fehlt ohne Meldung"; `reached` once the office spoke to the family.
    Missing { reached: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRow {
    pub pupil_id: i64,
    pub name: String,
    pub state: DayState,
}

/// ABS-2: "Heute in der 2b".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorningList {
    pub class: ClassRef,
    pub day: String,
    pub rows: Vec<DayRow>,
}

/// A guardian as the office calls them: the name and the number they show the school.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

/// ABS-2: a child missing without a report, on the secretariat's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingChild {
    pub absence_id: i64,
    pub pupil_id: i64,
    pub pupil: String,
    pub class: Option<String>,
    pub guardians: Vec<Contact>,
    pub reached_at: Option<i64>,
    pub reached_by: Option<String>,
}

/// ABS-3: one pupil's absences in a term, in half days (a half day counts one, a whole day
/// two), so that "2½ Tage" adds up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRow {
    pub pupil_id: i64,
    pub name: String,
    pub excused_halves: i64,
    pub unexcused_halves: i64,
}

/// ABS-3: a class's term record, for the report card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRecord {
    pub class: ClassRef,
    pub from_day: String,
    pub to_day: String,
    pub rows: Vec<TermRow>,
}

/// ABS-1: a guardian reports a linked child absent: the days (`from`, and `to` for more than
/// one; German dates as typed), the whole day or half of it, a reason, and an optional note.
/// No diagnoses are asked for. Late after the school's time on the first day (ABS-2).
#[server(prefix = "/api", endpoint = "absences/report")]
pub async fn report(
    pupil_id: i64,
    from: String,
    to: String,
    part: String,
    reason: String,
    note: String,
) -> Result<(), AppError> {
    let result = report_absence(pupil_id, &from, &to, &part, &reason, &note).await;
    if result.is_ok() {
        leptos_axum::redirect(&format!("/?reported={pupil_id}#child-{pupil_id}"));
    }
    result
}

/// ABS-2: the classes whose morning lists the caller keeps: their own classes for a class
/// teacher, every class for the secretariat and management.
#[server(prefix = "/api", endpoint = "absences/classes")]
pub async fn classes() -> Result<Vec<ClassRef>, AppError> {
    let (user, school) = school_staff(Capability::ClassAbsences)?;
    let owner = (!user.can(Capability::AbsencesSchool)).then_some(user.id);
    Ok(app_state().absences().classes(school, owner).await?)
}

/// ABS-2: "Heute in der 2b": every pupil of the class with today's state.
#[server(prefix = "/api", endpoint = "absences/class-day")]
pub async fn class_day(group_id: i64) -> Result<MorningList, AppError> {
    let (user, school) = school_staff(Capability::ClassAbsences)?;
    let state = app_state();
    let class = class_kept_by(&state, &user, school, group_id).await?;
    let day = today();
    let rows = state.absences().day(class.id, &day).await?;
    Ok(MorningList {
        class,
        day,
        rows: day_rows(rows),
    })
}

/// ABS-2: one tap on the morning list: the pupil is missing without a report today
/// (`missing` "yes"), or came after all ("no").
#[server(prefix = "/api", endpoint = "absences/mark")]
pub async fn mark(group_id: i64, pupil_id: i64, missing: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::ClassAbsences)?;
    AppError::one_of("missing", &missing, &["yes", "no"])?;
    let state = app_state();
    let class = class_kept_by(&state, &user, school, group_id).await?;
    let missing = missing == "yes";
    let audit = AuditEvent::new(
        if missing {
            "absence.marked_missing"
        } else {
            "absence.mark_taken_back"
        },
        &request_info(),
    )
    .actor(user.id, Some(school))
    .subject(pupil_id)
    .details(class.name.clone());
    let change = store::MarkChange {
        school_id: school,
        group_id: class.id,
        pupil_id,
        day: &today(),
        missing,
        by: user.id,
        now: crate::platform::now(),
    };
    if state.absences().mark(&change, &audit).await?.is_none() {
        return Err(AppError::not_found());
    }
    leptos_axum::redirect(&format!("/absences/class/{}#pupil-{pupil_id}", class.id));
    Ok(())
}

/// ABS-2: "Heute fehlen ohne Meldung": every child of the school marked missing today, with
/// the guardians' names and the numbers they show the school, for the morning's calls.
#[server(prefix = "/api", endpoint = "absences/missing")]
pub async fn missing() -> Result<Vec<MissingChild>, AppError> {
    let (_, school) = school_staff(Capability::AbsencesSchool)?;
    Ok(app_state().absences().missing(school, &today()).await?)
}

/// ABS-2: the family of a missing child was reached (audited, with who ticked it).
#[server(prefix = "/api", endpoint = "absences/reached")]
pub async fn reached(absence_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::AbsencesSchool)?;
    let audit = AuditEvent::new("absence.family_reached", &request_info())
        .actor(user.id, Some(school))
        .details(format!("absence {absence_id}"));
    if !app_state()
        .absences()
        .reached(school, absence_id, user.id, crate::platform::now(), &audit)
        .await?
    {
        return Err(AppError::not_found());
    }
    leptos_axum::redirect("/absences/missing");
    Ok(())
}

/// ABS-3: the class's absences this term, per pupil, excused and not, for the report card.
#[server(prefix = "/api", endpoint = "absences/term")]
pub async fn term(group_id: i64) -> Result<TermRecord, AppError> {
    let (user, school) = school_staff(Capability::ClassAbsences)?;
    let state = app_state();
    let class = class_kept_by(&state, &user, school, group_id).await?;
    term_record(&state, class).await
}

/// ABS-2, ABS-3: the school's absence rules, as the office sees and sets them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceSettings {
    /// Reports after this time (`08:00`) on their first day are late.
    pub late_after: String,
    /// From this school day the school asks for a doctor's note (0: never).
    pub note_from_day: i64,
    /// Days after the school year's end that reasons and notes are kept.
    pub keep_days: i64,
}

/// ABS-2, ABS-3: the school's absence rules.
#[server(prefix = "/api", endpoint = "absences/settings")]
pub async fn settings() -> Result<AbsenceSettings, AppError> {
    let (_, school) = school_staff(Capability::AbsencesSchool)?;
    let rules = app_state().absences().rules(school).await?;
    Ok(AbsenceSettings {
        late_after: format!(
            "{:02}:{:02}",
            rules.late_after_minutes / 60,
            rules.late_after_minutes % 60
        ),
        note_from_day: rules.note_from_day,
        keep_days: rules.keep_days,
    })
}

/// ABS-2, ABS-3: the office sets when a report is late, from which school day a doctor's
/// note is asked for, and how long details are kept after the school year (audited).
#[server(prefix = "/api", endpoint = "absences/set-settings")]
pub async fn set_settings(
    late_after: String,
    note_from_day: i64,
    keep_days: i64,
) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::AbsencesSchool)?;
    let late_after_minutes = rule::check_settings(&late_after, note_from_day, keep_days)
        .map_err(|(field, key)| AppError::field(field, key))?;
    let rules = store::AbsenceRules {
        late_after_minutes,
        note_from_day,
        keep_days,
    };
    let audit = AuditEvent::new("absence.settings", &request_info())
        .actor(user.id, Some(school))
        .details(format!(
            "late after {late_after_minutes} min, note from day {note_from_day}, kept {keep_days} days"
        ));
    app_state()
        .absences()
        .set_rules(school, &rules, &audit)
        .await?;
    leptos_axum::redirect("/absences/missing");
    Ok(())
}

/// "2½" for five half days, "0" for none.
pub fn days_text(halves: i64) -> String {
    match (halves / 2, halves % 2) {
        (0, 1) => "½".to_string(),
        (days, 1) => format!("{days}½"),
        (days, _) => days.to_string(),
    }
}
