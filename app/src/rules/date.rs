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

/// The ISO form of a real date, or `None`.
pub fn parse(text: &str) -> Option<String> {
    let text = text.trim();
    let (year, month, day) = if let Some((d, rest)) = text.split_once('.') {
        let (m, y) = rest.split_once('.')?;
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

impl crate::i18n::Lang {
    /// A Unix time as the reader expects it, in German school time.
    pub fn timestamp(self, unix: i64) -> String {
        let (y, m, d, h, mi) = berlin_time(unix);
        self.date_time(y, m, d, h, mi)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

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
