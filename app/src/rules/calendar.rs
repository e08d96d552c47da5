//! CAL-1: event times and recurrence. Times are kept as German wall-clock time
//! (`2026-10-19T09:00`), so that a weekly lesson stays at 09:00 across the change to and from
//! summer time; [`crate::rules::date::berlin_to_unix`] turns an occurrence into an instant.
use crate::i18n::Key;
use crate::rules::date::{civil_from_days, days_from_civil};

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_TEXT_CHARS: usize = 2000;
/// How many occurrences one expansion returns at most (a weekly event over ten years is 520).
pub const MAX_OCCURRENCES: usize = 1000;
/// SEC-3, CAL-1: days left out of a repeating event; a school year has about 190 school days.
pub const MAX_EXCEPTIONS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Repeat {
    Never,
    Weekly,
    Monthly,
}

impl Repeat {
    pub fn code(self) -> &'static str {
        match self {
            Repeat::Never => "",
            Repeat::Weekly => "weekly",
            Repeat::Monthly => "monthly",
        }
    }

    /// How the form and the history name it.
    pub fn label(self) -> Key {
        match self {
            Repeat::Never => Key::CalRepeatNever,
            Repeat::Weekly => Key::CalRepeatWeekly,
            Repeat::Monthly => Key::CalRepeatMonthly,
        }
    }

    pub fn parse(code: &str) -> Option<Repeat> {
        match code {
            "" | "never" => Some(Repeat::Never),
            "weekly" => Some(Repeat::Weekly),
            "monthly" => Some(Repeat::Monthly),
            _ => None,
        }
    }
}

/// (year, month, day) of `2026-10-19`.
pub fn date_parts(date: &str) -> Option<(i32, u8, u8)> {
    let iso = super::date::parse(date)?;
    let mut parts = iso.split('-');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

/// (hour, minute) of a time as people type it (issue 18): `8`, `08`, `8:00`, `08:00`,
/// `8.00`, `800`, `0800`, `8 Uhr`, `8:30 Uhr`. Minutes are two digits, so `9:5` is refused
/// rather than guessed; signs, `24:00` and anything else are refused.
pub fn time_parts(time: &str) -> Option<(u8, u8)> {
    let text = time.trim();
    let text = text
        .strip_suffix("Uhr")
        .or_else(|| text.strip_suffix("uhr"))
        .unwrap_or(text)
        .trim_end();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (h, m) = match text.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None if text.len() <= 2 => (text, "00"),
        None if text.len() <= 4 => text.split_at(text.len() - 2),
        None => return None,
    };
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

pub fn day_number(date: &str) -> Option<i64> {
    let (y, m, d) = date_parts(date)?;
    Some(days_from_civil(y, m, d))
}

pub fn date_of(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Monday of the week holding `day` (0 = Monday … 6 = Sunday; 1970-01-01 was a Thursday).
pub fn week_start(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// What a form sends, checked: the event's fields as they will be stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventFields {
    pub title: String,
    pub place: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, empty for an all-day event.
    pub start: String,
    pub end: String,
    pub repeat: Repeat,
    /// Last day of the recurrence, empty for none.
    pub until: String,
    /// Days left out of the recurrence.
    pub exceptions: Vec<String>,
    /// Minutes before the start, 0 for none.
    pub reminder: i64,
}

impl EventFields {
    pub fn all_day(&self) -> bool {
        self.start.is_empty()
    }
}

/// An event as the form sends it, for creating and for changing it: the same ten fields,
/// unchecked, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventForm {
    pub title: String,
    pub place: String,
    pub description: String,
    /// `31.07.2027` or `2027-07-31`.
    pub date: String,
    /// `HH:MM`, both empty for an all-day event.
    pub start: String,
    pub end: String,
    /// A [`Repeat`] code, empty for once.
    pub repeat: String,
    pub until: String,
    /// Days left out of a series, separated by commas, spaces or lines.
    pub exceptions: String,
    /// Minutes before the start, empty for none.
    pub reminder: String,
}

/// Checks and normalises what was typed; the error names the field. `today` (a day number)
/// gives a day typed without its year (`11.12.`) its year.
pub fn check(form: &EventForm, today: i64) -> Result<EventFields, (&'static str, Key)> {
    let parse = |text: &str| super::date::parse_near(text, today);
    let EventForm {
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
    } = form;
    let title = title.trim();
    if title.is_empty()
        || title.chars().count() > MAX_TITLE_CHARS
        || !super::text::single_line(title)
    {
        return Err(("title", Key::CalTitleInvalid));
    }
    if !super::text::single_line(place) {
        return Err(("place", Key::CalTextInvalid));
    }
    // SEC-6: line breaks only as `\n`; a bare `\r` never reaches the iCal feed.
    let description =
        super::text::multi_line(description).ok_or(("description", Key::CalTextInvalid))?;
    let description = description.as_str();
    if place.chars().count() > MAX_TITLE_CHARS || description.chars().count() > MAX_TEXT_CHARS {
        return Err(("description", Key::CalTextTooLong));
    }
    let date = parse(date).ok_or(("date", Key::CalDateInvalid))?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", "") => (String::new(), String::new()),
        (s, e) => {
            let s_parts = time_parts(s).ok_or(("start", Key::CalTimeInvalid))?;
            let e_parts = if e.is_empty() {
                s_parts
            } else {
                time_parts(e).ok_or(("end", Key::CalTimeInvalid))?
            };
            if e_parts < s_parts {
                return Err(("end", Key::CalEndBeforeStart));
            }
            (
                format!("{:02}:{:02}", s_parts.0, s_parts.1),
                format!("{:02}:{:02}", e_parts.0, e_parts.1),
            )
        }
    };
    let repeat = Repeat::parse(repeat.trim()).ok_or(("repeat", Key::CalRepeatInvalid))?;
    let until = match until.trim() {
        "" => String::new(),
        text => {
            let until = parse(text).ok_or(("until", Key::CalDateInvalid))?;
            if until < date {
                return Err(("until", Key::CalEndBeforeStart));
            }
            until
        }
    };
    // SEC-3: the count before any date is parsed, and the split stops one past the limit.
    let tokens: Vec<&str> = exceptions
        .split([',', ';', ' ', '\n'])
        .filter(|t| !t.trim().is_empty())
        .take(MAX_EXCEPTIONS + 1)
        .collect();
    if tokens.len() > MAX_EXCEPTIONS {
        return Err(("exceptions", Key::CalTooManyExceptions));
    }
    let mut days = Vec::with_capacity(tokens.len());
    for text in tokens {
        days.push(parse(text).ok_or(("exceptions", Key::CalDateInvalid))?);
    }
    days.sort();
    days.dedup();
    let reminder = match reminder.trim() {
        "" => 0,
        text => text
            .parse::<i64>()
            .ok()
            .filter(|m| (0..=40_320).contains(m))
            .ok_or(("reminder", Key::CalReminderInvalid))?,
    };
    Ok(EventFields {
        title: title.to_string(),
        place: place.trim().to_string(),
        description: description.trim().to_string(),
        date,
        start,
        end,
        repeat,
        until,
        exceptions: days,
        reminder,
    })
}

/// The days (as day numbers) on which the event happens between `from` and `to` inclusive.
pub fn occurrences(event: &EventFields, from: i64, to: i64) -> Vec<i64> {
    let Some(first) = day_number(&event.date) else {
        return Vec::new();
    };
    let last = if event.until.is_empty() {
        to
    } else {
        day_number(&event.until).unwrap_or(first).min(to)
    };
    let skipped: Vec<i64> = event
        .exceptions
        .iter()
        .filter_map(|d| day_number(d))
        .collect();
    let mut candidates = Vec::new();
    match event.repeat {
        Repeat::Never => candidates.push(first),
        Repeat::Weekly => {
            // Jump straight to the first week inside the range.
            let mut day = if from > first {
                first + (from - first).div_euclid(7) * 7
            } else {
                first
            };
            while day <= last && candidates.len() < MAX_OCCURRENCES {
                candidates.push(day);
                day += 7;
            }
        }
        Repeat::Monthly => {
            let (y, m, d) = civil_from_days(first);
            let mut month = y as i64 * 12 + m as i64 - 1;
            loop {
                let (year, mon) = ((month / 12) as i32, (month % 12 + 1) as u8);
                let day = days_from_civil(year, mon, d);
                if day > last || candidates.len() >= MAX_OCCURRENCES {
                    break;
                }
                // The 31st does not happen in a 30-day month.
                if civil_from_days(day).2 == d {
                    candidates.push(day);
                }
                month += 1;
            }
        }
    }
    candidates
        .into_iter()
        .filter(|day| *day >= from && *day <= last && !skipped.contains(day))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 5 December 2026.
    const TODAY: i64 = 20_792;

    #[allow(clippy::too_many_arguments)]
    fn form(
        title: &str,
        place: &str,
        description: &str,
        date: &str,
        start: &str,
        end: &str,
        repeat: &str,
        until: &str,
        exceptions: &str,
        reminder: &str,
    ) -> EventForm {
        EventForm {
            title: title.into(),
            place: place.into(),
            description: description.into(),
            date: date.into(),
            start: start.into(),
            end: end.into(),
            repeat: repeat.into(),
            until: until.into(),
            exceptions: exceptions.into(),
            reminder: reminder.into(),
        }
    }

    fn weekly() -> EventFields {
        check(
            &form(
                "Schwimmen",
                "Hallenbad",
                "",
                "19.10.2026",
                "09:00",
                "10:30",
                "weekly",
                "30.11.2026",
                "2026-11-09",
                "30",
            ),
            TODAY,
        )
        .unwrap()
    }

    // SEC-3: 100,000 tokens are refused by their count, before any is parsed as a date (the
    // tokens are not dates, and the error is the count's, not the date's).
    #[test]
    fn sec_3_exceptions_are_counted_before_they_are_parsed() {
        let many: String = (0..100_000).map(|i| format!("x{i} ")).collect();
        let refused = check(
            &form(
                "Schwimmen",
                "",
                "",
                "19.10.2026",
                "09:00",
                "10:30",
                "weekly",
                "",
                &many,
                "",
            ),
            TODAY,
        );
        assert_eq!(
            refused.err(),
            Some(("exceptions", Key::CalTooManyExceptions))
        );
    }

    // Issue 18: times as people type them; days without a year.
    #[test]
    fn ux_4_times_and_days_as_people_type_them() {
        for (typed, want) in [
            ("8", (8, 0)),
            ("08", (8, 0)),
            ("8:00", (8, 0)),
            ("08:00", (8, 0)),
            ("8.00", (8, 0)),
            ("800", (8, 0)),
            ("0800", (8, 0)),
            ("8 Uhr", (8, 0)),
            ("12.30 Uhr", (12, 30)),
            (" 23:59 ", (23, 59)),
        ] {
            assert_eq!(time_parts(typed), Some(want), "{typed:?}");
        }
        for bad in [
            "", "9:5", "+8:00", "24:00", "8:60", "12345", "acht", "8:00:00", "-800",
        ] {
            assert_eq!(time_parts(bad), None, "{bad:?}");
        }
        let e = check(
            &form(
                "Elternabend",
                "",
                "",
                "11.12.",
                "19",
                "2030",
                "",
                "",
                "",
                "",
            ),
            TODAY,
        )
        .unwrap();
        assert_eq!(
            (e.date.as_str(), e.start.as_str(), e.end.as_str()),
            ("2026-12-11", "19:00", "20:30")
        );
    }

    #[test]
    fn cal_1_weekly_events_skip_exceptions_and_stop_at_the_end() {
        let e = weekly();
        let days: Vec<String> = occurrences(&e, 0, 30_000)
            .into_iter()
            .map(date_of)
            .collect();
        assert_eq!(
            days,
            [
                "2026-10-19",
                "2026-10-26",
                "2026-11-02",
                "2026-11-16",
                "2026-11-23",
                "2026-11-30"
            ]
        );
        let from = day_number("2026-11-20").unwrap();
        assert_eq!(occurrences(&e, from, from + 6).len(), 1);
    }

    #[test]
    fn cal_1_monthly_events_skip_short_months() {
        let e = check(
            &form(
                "Elternrat",
                "",
                "",
                "2027-01-31",
                "",
                "",
                "monthly",
                "2027-05-31",
                "",
                "",
            ),
            TODAY,
        )
        .unwrap();
        let days: Vec<String> = occurrences(&e, 0, 30_000)
            .into_iter()
            .map(date_of)
            .collect();
        assert_eq!(days, ["2027-01-31", "2027-03-31", "2027-05-31"]);
        assert!(e.all_day());
    }

    #[test]
    fn cal_1_forms_are_checked() {
        let bad = |r: Result<EventFields, (&'static str, Key)>| r.unwrap_err().0;
        assert_eq!(
            bad(check(
                &form("", "", "", "2026-10-19", "", "", "", "", "", ""),
                TODAY
            )),
            "title"
        );
        assert_eq!(
            bad(check(
                &form("a", "", "", "31.02.2026", "", "", "", "", "", ""),
                TODAY
            )),
            "date"
        );
        assert_eq!(
            bad(check(
                &form("a", "", "", "2026-10-19", "25:00", "", "", "", "", ""),
                TODAY
            )),
            "start"
        );
        assert_eq!(
            bad(check(
                &form("a", "", "", "2026-10-19", "10:00", "09:00", "", "", "", ""),
                TODAY
            )),
            "end"
        );
        assert_eq!(
            bad(check(
                &form("a", "", "", "2026-10-19", "", "", "daily", "", "", ""),
                TODAY
            )),
            "repeat"
        );
        assert_eq!(
            week_start(day_number("2026-10-22").unwrap()),
            day_number("2026-10-19").unwrap()
        );
    }
}
