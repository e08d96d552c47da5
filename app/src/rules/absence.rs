//! ABS-1..3: absence reports ("Krankmeldung") and the morning lists. What a report may say,
//! which days it may name, when it counts as late, and how long its details are kept. Days
//! are day numbers (days since 1970-01-01, as `date::days_from_civil` gives them) here and
//! ISO dates (`2026-12-07`) in the database.
use super::date::{civil_from_days, days_from_civil};
use crate::i18n::Key;

/// ABS-1: the reasons a family picks from. Deliberately coarse: the school needs to know
/// whether to expect the child back, not what ails them (no diagnoses, the form says so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Sick,
    Appointment,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 3] = [Reason::Sick, Reason::Appointment, Reason::Other];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Sick => "sick",
            Reason::Appointment => "appointment",
            Reason::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> Key {
        match self {
            Reason::Sick => Key::AbsReasonSick,
            Reason::Appointment => Key::AbsReasonAppointment,
            Reason::Other => Key::AbsReasonOther,
        }
    }
}

/// ABS-1: the whole school day, or half of it (a doctor's appointment in the morning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Whole,
    Morning,
    Afternoon,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Whole, Part::Morning, Part::Afternoon];

    pub fn code(self) -> &'static str {
        match self {
            Part::Whole => "whole",
            Part::Morning => "morning",
            Part::Afternoon => "afternoon",
        }
    }

    pub fn from_code(code: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> Key {
        match self {
            Part::Whole => Key::AbsPartWhole,
            Part::Morning => Key::AbsPartMorning,
            Part::Afternoon => Key::AbsPartAfternoon,
        }
    }
}

/// ABS-1: one report covers at most six weeks. A longer absence (a stay in hospital, a cure)
/// is arranged with the school in person, and the bound keeps every count cheap (SEC-3).
pub const MAX_SPAN_DAYS: i64 = 42;

/// ABS-1: a family may report up to a week back (the child was sick on Friday and nobody
/// called), not further: older days are the class teacher's record.
pub const MAX_DAYS_BACK: i64 = 7;

/// ABS-1: appointments may be reported ahead, up to about a school term's quarter.
pub const MAX_DAYS_AHEAD: i64 = 60;

/// ABS-2: reports arriving after 08:00 on the first day are marked late: by then the class
/// teacher has taken the morning list. Each school may set its own time.
pub const DEFAULT_LATE_AFTER_MINUTES: i64 = 8 * 60;

/// ABS-1: "ab dem dritten Tag ein ärztliches Attest", the usual rule in Lower Saxony's
/// primary schools; a school may set another day, or 0 for never.
pub const DEFAULT_NOTE_FROM_DAY: i64 = 3;

/// ABS-1: a family's note: a sentence or two ("kommt morgen wieder"), not a medical record.
pub const MAX_NOTE_CHARS: usize = 500;

/// ABS-3: how long after the school year's end the details (reasons and notes) are kept;
/// 0 by default: the counts on the report card are all the school keeps.
pub const DEFAULT_KEEP_DAYS: i64 = 0;

/// ABS-3: the largest keep period a school may set (one more school year).
pub const MAX_KEEP_DAYS: i64 = 366;

/// Days as the calendar keeps them: `day_number("2026-12-07")` and back with `date_of`.
pub use super::calendar::{date_of, day_number};

/// Monday is 0, Sunday 6.
pub fn weekday(day: i64) -> i64 {
    day - super::calendar::week_start(day)
}

/// ABS-3: the school days (Monday to Friday) from `from` to `to`, both included. Holidays
/// are not subtracted: the school calendar does not say which days are free for whom.
pub fn school_days(from: i64, to: i64) -> i64 {
    (from..=to).filter(|&d| weekday(d) < 5).count() as i64
}

/// ABS-1: the days of a report, checked against today: the field to blame and why.
pub fn check_span(from: i64, to: i64, part: Part, today: i64) -> Result<(), (&'static str, Key)> {
    if from < today - MAX_DAYS_BACK {
        return Err(("from", Key::AbsTooFarBack));
    }
    if from > today + MAX_DAYS_AHEAD {
        return Err(("from", Key::AbsTooFarAhead));
    }
    if to < from {
        return Err(("to", Key::AbsToBeforeFrom));
    }
    if to - from + 1 > MAX_SPAN_DAYS {
        return Err(("to", Key::AbsTooLong));
    }
    if part != Part::Whole && to != from {
        return Err(("part", Key::AbsHalfDayOneDay));
    }
    Ok(())
}

/// ABS-1: whether the school's rule asks for a doctor's note for this span: it reaches the
/// `from_day`-th school day (0: never).
pub fn note_may_be_asked(from: i64, to: i64, note_from_day: i64) -> bool {
    note_from_day > 0 && school_days(from, to) >= note_from_day
}

/// ABS-2: a report is late when it arrives after the school's time on its first day, or on
/// any later day. `reported_day` and `reported_minute` are German school time.
pub fn is_late(from: i64, reported_day: i64, reported_minute: i64, late_after: i64) -> bool {
    reported_day > from || (reported_day == from && reported_minute > late_after)
}

/// ABS-3: the school half-year ("Halbjahr") a day falls in, as (first day, last day): August
/// to January and February to July, as report cards are written in Lower Saxony.
pub fn term_of(day: i64) -> (i64, i64) {
    let (y, m, _) = civil_from_days(day);
    if m >= 8 {
        (days_from_civil(y, 8, 1), days_from_civil(y + 1, 1, 31))
    } else if m == 1 {
        (days_from_civil(y - 1, 8, 1), days_from_civil(y, 1, 31))
    } else {
        (days_from_civil(y, 2, 1), days_from_civil(y, 7, 31))
    }
}

/// ABS-3: the last day (31 July) of the school year a day falls in.
pub fn school_year_end(day: i64) -> i64 {
    let (y, m, _) = civil_from_days(day);
    days_from_civil(if m >= 8 { y + 1 } else { y }, 7, 31)
}

/// ABS-3: the last day whose absences have lost their details by `today`: every absence that
/// ended on or before it belongs to a school year that ended more than `keep_days` ago.
pub fn details_kept_after(today: i64, keep_days: i64) -> i64 {
    let (y, m, _) = civil_from_days(today - keep_days.max(0));
    // The school year that ended last, as seen `keep_days` ago.
    days_from_civil(if m >= 8 { y } else { y - 1 }, 7, 31)
}

/// ABS-1: the largest doctor's-note day a school may set (two school weeks).
pub const MAX_NOTE_FROM_DAY: i64 = 10;

/// ABS-2, ABS-3: the school's settings as the office types them: the late time (`8:00`,
/// `7.45`), the doctor's-note day (0: never) and the keep period. The field to blame and why.
pub fn check_settings(
    late_after: &str,
    note_from_day: i64,
    keep_days: i64,
) -> Result<i64, (&'static str, Key)> {
    let (hour, minute) =
        super::calendar::time_parts(late_after).ok_or(("late_after", Key::AbsTimeInvalid))?;
    if !(0..=MAX_NOTE_FROM_DAY).contains(&note_from_day) {
        return Err(("note_from_day", Key::AbsNoteDayRange));
    }
    if !(0..=MAX_KEEP_DAYS).contains(&keep_days) {
        return Err(("keep_days", Key::AbsKeepRange));
    }
    Ok(i64::from(hour) * 60 + i64::from(minute))
}

/// ABS-1: what a doctor's note may be: a photo from the phone's camera or a scanned PDF.
/// Nothing else: the note is shown to the class teacher, who must be able to open it safely.
pub const NOTE_TYPES: &[&str] = &["jpg", "jpeg", "png", "heic", "heif", "webp", "pdf"];

/// ABS-1: how many first bytes [`note_content_ok`] looks at (a WebP's mark ends at byte 12).
pub const NOTE_HEAD_BYTES: usize = 16;

/// ABS-1: whether the first bytes of a doctor's note are what its name says (a photo or a
/// PDF), so that no other file travels under a harmless name.
pub fn note_content_ok(extension: &str, head: &[u8]) -> bool {
    match extension {
        "jpg" | "jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "pdf" => head.starts_with(b"%PDF-"),
        "webp" => head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP",
        "heic" | "heif" => head.len() >= 12 && &head[4..8] == b"ftyp",
        _ => false,
    }
}

/// A family's note: within [`MAX_NOTE_CHARS`], without control characters but line breaks.
pub fn valid_note(note: &str) -> bool {
    note.chars().count() <= MAX_NOTE_CHARS
        && !note
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONDAY: i64 = 20_794; // 2026-12-07

    #[test]
    fn abs_1_the_days_of_a_report_are_checked() {
        assert_eq!(date_of(MONDAY), "2026-12-07");
        assert_eq!(day_number("2026-12-07"), Some(MONDAY));
        assert_eq!(weekday(MONDAY), 0);
        assert!(check_span(MONDAY, MONDAY, Part::Whole, MONDAY).is_ok());
        assert!(check_span(MONDAY, MONDAY, Part::Morning, MONDAY).is_ok());
        assert_eq!(
            check_span(MONDAY, MONDAY + 1, Part::Morning, MONDAY),
            Err(("part", Key::AbsHalfDayOneDay))
        );
        assert_eq!(
            check_span(MONDAY, MONDAY - 1, Part::Whole, MONDAY),
            Err(("to", Key::AbsToBeforeFrom))
        );
        assert_eq!(
            check_span(MONDAY - 8, MONDAY, Part::Whole, MONDAY),
            Err(("from", Key::AbsTooFarBack))
        );
        assert!(check_span(MONDAY - 7, MONDAY, Part::Whole, MONDAY).is_ok());
        assert_eq!(
            check_span(MONDAY, MONDAY + 42, Part::Whole, MONDAY),
            Err(("to", Key::AbsTooLong))
        );
        assert_eq!(
            check_span(MONDAY + 61, MONDAY + 61, Part::Whole, MONDAY),
            Err(("from", Key::AbsTooFarAhead))
        );
        assert!(valid_note("kommt morgen wieder\n"));
        assert!(!valid_note("\u{7}"));
        assert!(!valid_note(&"x".repeat(501)));
    }

    #[test]
    fn abs_1_a_doctors_note_from_the_third_school_day() {
        // Monday and Tuesday: two school days; to Wednesday: three.
        assert!(!note_may_be_asked(MONDAY, MONDAY + 1, 3));
        assert!(note_may_be_asked(MONDAY, MONDAY + 2, 3));
        // Friday to Monday is two school days, the weekend does not count.
        assert_eq!(school_days(MONDAY - 3, MONDAY), 2);
        assert!(!note_may_be_asked(MONDAY, MONDAY + 30, 0));
    }

    #[test]
    fn abs_2_reports_after_eight_are_late() {
        let eight = DEFAULT_LATE_AFTER_MINUTES;
        assert!(!is_late(MONDAY, MONDAY, 7 * 60 + 30, eight));
        assert!(!is_late(MONDAY, MONDAY, eight, eight));
        assert!(is_late(MONDAY, MONDAY, eight + 1, eight));
        assert!(is_late(MONDAY, MONDAY + 1, 0, eight));
        assert!(!is_late(MONDAY + 1, MONDAY, 23 * 60, eight));
    }

    #[test]
    fn abs_2_the_schools_settings_as_typed() {
        assert_eq!(check_settings("8:00", 3, 0), Ok(480));
        assert_eq!(check_settings("7.45", 0, 366), Ok(465));
        assert_eq!(
            check_settings("25:00", 3, 0),
            Err(("late_after", Key::AbsTimeInvalid))
        );
        assert_eq!(
            check_settings("8:00", 11, 0),
            Err(("note_from_day", Key::AbsNoteDayRange))
        );
        assert_eq!(
            check_settings("8:00", 3, 367),
            Err(("keep_days", Key::AbsKeepRange))
        );
    }

    #[test]
    fn abs_1_a_doctors_note_is_a_photo_or_a_pdf() {
        assert!(note_content_ok("jpg", &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(note_content_ok("pdf", b"%PDF-1.7"));
        assert!(note_content_ok("png", b"\x89PNG\r\n\x1a\n...."));
        assert!(
            !note_content_ok("jpg", b"MZ\x90\x00"),
            "a program named .jpg"
        );
        assert!(!note_content_ok("exe", b"MZ"));
        assert!(!NOTE_TYPES.contains(&"html"));
    }

    #[test]
    fn abs_3_terms_and_the_school_years_end() {
        assert_eq!(
            term_of(MONDAY),
            (days_from_civil(2026, 8, 1), days_from_civil(2027, 1, 31))
        );
        assert_eq!(
            term_of(days_from_civil(2027, 1, 15)),
            (days_from_civil(2026, 8, 1), days_from_civil(2027, 1, 31))
        );
        assert_eq!(
            term_of(days_from_civil(2027, 3, 1)),
            (days_from_civil(2027, 2, 1), days_from_civil(2027, 7, 31))
        );
        assert_eq!(school_year_end(MONDAY), days_from_civil(2027, 7, 31));
        // In December 2026 the details of the year that ended on 31 July 2026 are gone...
        assert_eq!(details_kept_after(MONDAY, 0), days_from_civil(2026, 7, 31));
        // ...unless the school keeps them 200 days longer.
        assert_eq!(
            details_kept_after(MONDAY, 200),
            days_from_civil(2025, 7, 31)
        );
        // On 1 August the year just ended loses its details.
        assert_eq!(
            details_kept_after(days_from_civil(2027, 8, 1), 0),
            days_from_civil(2027, 7, 31)
        );
    }
}
