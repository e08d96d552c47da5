//! Calendar dates as people type them: `31.07.2027` or `2027-07-31`, stored as `2027-07-31`.

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
