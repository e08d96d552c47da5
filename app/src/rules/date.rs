//! Calendar dates as people type them (`31.07.2027` or `2027-07-31`, stored as `2027-07-31`),
//! and German school time: the arithmetic between Unix times and wall-clock time in
//! Europe/Berlin, summer time included. Written out here, not taken from `chrono-tz`, because
//! it also runs in the browser, where the time-zone database would add hundreds of kilobytes
//! to the WASM for one zone whose rule has been fixed since 1996.

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The ISO form of a real date, or `None`. Days come as `31.07.2027`, `31/07/2027` (how
/// English readers see them here) or `2027-07-31`.
pub fn parse(text: &str) -> Option<String> {
    let text = text.trim();
    let (year, month, day) = if let Some((d, rest)) = text.split_once(['.', '/']) {
        let (m, y) = rest.split_once(['.', '/'])?;
        (
            y.parse::<i32>().ok()?,
            m.parse::<u32>().ok()?,
            d.parse::<u32>().ok()?,
        )
    } else {
        let mut parts = text.split('-');
        let y = parts.next()?.parse::<i32>().ok()?;
        let m = parts.next()?.parse::<u32>().ok()?;
        let d = parts.next()?.parse::<u32>().ok()?;
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    let valid = (2000..=2200).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day);
    valid.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// Issue 18: like [`parse`], and a day without its year (`11.12.` or `11.12`) is the one
/// nearest to `today` (a day number): in December, `15.01.` is next January, and in January,
/// `20.12.` is last December. People planning a school year type days this way.
pub fn parse_near(text: &str, today: i64) -> Option<String> {
    if let Some(iso) = parse(text) {
        return Some(iso);
    }
    let text = text.trim().trim_end_matches(['.', '/']);
    let (d, m) = text.split_once(['.', '/'])?;
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(d) || !all_digits(m) {
        return None;
    }
    let (this_year, _, _) = civil_from_days(today);
    (this_year - 1..=this_year + 1)
        .filter_map(|year| parse(&format!("{d}.{m}.{year}")))
        .min_by_key(|iso| {
            let (y, mo, da) = (&iso[..4], &iso[5..7], &iso[8..]);
            let day = days_from_civil(y.parse().ok()?, mo.parse().ok()?, da.parse().ok()?);
            Some((day - today).abs())
        })
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// (year, month, day) to days since 1970-01-01, the inverse of [`civil_from_days`].
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let (y, m) = if month <= 2 {
        (year as i64 - 1, month as i64 + 9)
    } else {
        (year as i64, month as i64 - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * m + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Unix time at which an ISO date (`2027-06-30`) ends in Germany: midnight after it.
pub fn end_of_day_berlin(iso: &str) -> Option<i64> {
    let mut parts = iso.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let midnight_utc = (days_from_civil(year, month, day) + 1) * 86_400;
    let summer = midnight_utc >= eu_switch(year, 3) && midnight_utc < eu_switch(year, 10);
    Some(midnight_utc - if summer { 7_200 } else { 3_600 })
}

/// The Unix time of the last Sunday of `month` (March or October), 01:00 UTC: when the EU
/// switches between CET and CEST.
fn eu_switch(year: i32, month: u8) -> i64 {
    // Day 31 of March and October exists; walk back to a Sunday.
    let last = days_from_civil(year, month, 31);
    // 1970-01-01 was a Thursday; weekday 0 = Sunday.
    let weekday = (last + 4).rem_euclid(7);
    (last - weekday) * 86_400 + 3_600
}

/// The Unix time of a wall-clock time in Germany. In the hour that the clocks skip, the time
/// counts as winter time; in the hour they repeat, as summer time.
pub fn berlin_to_unix(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> i64 {
    let local =
        days_from_civil(year, month, day) * 86_400 + hour as i64 * 3_600 + minute as i64 * 60;
    let summer = local - 7_200;
    if summer >= eu_switch(year, 3) && summer < eu_switch(year, 10) {
        summer
    } else {
        local - 3_600
    }
}

/// A Unix time as wall-clock time in Germany (Europe/Berlin, with summer time).
pub fn berlin_time(unix: i64) -> (i32, u8, u8, u8, u8) {
    let (year, _, _) = civil_from_days(unix.div_euclid(86_400));
    let summer = unix >= eu_switch(year, 3) && unix < eu_switch(year, 10);
    let local = unix + if summer { 7_200 } else { 3_600 };
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    (y, m, d, (secs / 3_600) as u8, (secs % 3_600 / 60) as u8)
}

/// The day (days since 1970-01-01) a Unix time falls on in Germany: "today" for the school.
pub fn berlin_day(unix: i64) -> i64 {
    let (y, m, d, _, _) = berlin_time(unix);
    days_from_civil(y, m, d)
}

impl crate::i18n::Lang {
    /// A Unix time as the reader expects it, in German school time.
    pub fn timestamp(self, unix: i64) -> String {
        let (y, m, d, h, mi) = berlin_time(unix);
        self.date_time(y, m, d, h, mi)
    }

    /// A stored day (`2026-12-11`) as the reader writes it: `11.12.2026` in German,
    /// `11/12/2026` in English; anything else is shown as it is.
    pub fn day(self, iso: &str) -> String {
        match parse(iso) {
            Some(iso) => {
                let (y, m, d) = (&iso[..4], &iso[5..7], &iso[8..]);
                match (y.parse(), m.parse(), d.parse()) {
                    (Ok(y), Ok(m), Ok(d)) => self.date(y, m, d),
                    _ => iso,
                }
            }
            None => iso.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{days_from_civil, parse, parse_near};
    use crate::i18n::Lang;

    // Issue 18: a day typed without its year is the nearest one, and days show the reader's way.
    #[test]
    fn ux_4_days_without_a_year_and_days_shown_the_readers_way() {
        let december = days_from_civil(2026, 12, 5);
        assert_eq!(
            parse_near("11.12.", december).as_deref(),
            Some("2026-12-11")
        );
        assert_eq!(parse_near("15.1", december).as_deref(), Some("2027-01-15"));
        assert_eq!(
            parse_near("11.12.2026", december).as_deref(),
            Some("2026-12-11")
        );
        assert_eq!(
            parse_near("11/12/2026", december).as_deref(),
            Some("2026-12-11")
        );
        let january = days_from_civil(2027, 1, 10);
        assert_eq!(parse_near("20.12.", january).as_deref(), Some("2026-12-20"));
        assert_eq!(parse_near("29.02.", january).as_deref(), Some("2028-02-29"));
        for bad in ["31.11.", "1.", ".12.", "a.b.", "123.1.", "11.12.x"] {
            assert_eq!(parse_near(bad, december), None, "{bad:?}");
        }
        assert_eq!(Lang::De.day("2026-12-11"), "11.12.2026");
        assert_eq!(Lang::En.day("2026-12-11"), "11/12/2026");
        assert_eq!(Lang::De.day(""), "");
    }

    #[test]
    fn life_2_leaving_dates_in_both_spellings() {
        assert_eq!(parse("31.07.2027").as_deref(), Some("2027-07-31"));
        assert_eq!(parse(" 2027-7-31 ").as_deref(), Some("2027-07-31"));
        assert_eq!(parse("29.02.2028").as_deref(), Some("2028-02-29"));
        for bad in [
            "",
            "31.06.2027",
            "29.02.2027",
            "2027-13-01",
            "morgen",
            "1.1.99",
            "2027-01-01-01",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
