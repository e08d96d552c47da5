//! Translations. The texts live in `app/locales/*.txt`; `build.rs` turns them into [`Key`].
use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));

impl Key {
    /// The key's name as it appears in JSON (`FilesTooLarge`).
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Self::ALL[i])
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Key::from_name(&name).ok_or_else(|| serde::de::Error::custom("unknown text key"))
    }
}

/// The name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "schulhof_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// German unless the visitor explicitly chose English: German is the school's language.
    pub fn from_code(code: &str) -> Lang {
        match code.trim() {
            "en" => Lang::En,
            _ => Lang::De,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::De => Lang::En,
            Lang::En => Lang::De,
        }
    }

    /// Reads the language from a `Cookie` header value.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .map(|(_, value)| Lang::from_code(value))
            .unwrap_or_default()
    }

    pub fn t(self, key: Key) -> &'static str {
        match self {
            Lang::De => text_de(key),
            Lang::En => text_en(key),
        }
    }

    /// A text with `{name}` placeholders filled in.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.t(key).to_string(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }

    /// Dates as the reader expects them: 27.11.2026, 14:30 in German, 27/11/2026, 14:30 in English.
    pub fn date_time(self, year: i32, month: u8, day: u8, hour: u8, minute: u8) -> String {
        let sep = match self {
            Lang::De => '.',
            Lang::En => '/',
        };
        format!("{day:02}{sep}{month:02}{sep}{year}, {hour:02}:{minute:02}")
    }
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

impl Lang {
    /// A Unix time as the reader expects it, in German school time.
    pub fn timestamp(self, unix: i64) -> String {
        let (y, m, d, h, mi) = berlin_time(unix);
        self.date_time(y, m, d, h, mi)
    }
}

/// The language of the page being rendered, provided as context by the shell.
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    // UX-4: every key has a non-empty text in both languages, and placeholders match.
    #[test]
    fn ux_4_every_text_exists_in_german_and_english() {
        for key in Key::ALL {
            let (de, en) = (Lang::De.t(*key), Lang::En.t(*key));
            assert!(!de.is_empty() && !en.is_empty(), "{key:?} is empty");
            let holes = |s: &str| s.matches('{').count();
            assert_eq!(holes(de), holes(en), "{key:?} has different placeholders");
        }
    }

    #[test]
    fn keys_cross_the_wire_by_name() {
        let json = serde_json::to_string(&Key::FilesTooLarge).unwrap();
        assert_eq!(json, "\"FilesTooLarge\"");
        assert_eq!(
            serde_json::from_str::<Key>(&json).unwrap(),
            Key::FilesTooLarge
        );
        assert!(serde_json::from_str::<Key>("\"NoSuchKey\"").is_err());
        for key in Key::ALL {
            assert_eq!(Key::from_name(key.name()), Some(*key));
        }
    }

    #[test]
    fn ux_4_language_cookie_defaults_to_german() {
        assert_eq!(Lang::from_cookie_header("a=b"), Lang::De);
        assert_eq!(Lang::from_cookie_header("a=b; schulhof_lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("schulhof_lang=fr"), Lang::De);
        assert_eq!(
            Lang::De.fill(Key::DashboardHello, &[("name", "Mia")]),
            "Hallo, Mia!"
        );
        assert_eq!(
            Lang::De.date_time(2026, 11, 27, 14, 30),
            "27.11.2026, 14:30"
        );
    }
}
