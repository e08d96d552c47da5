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
        format!("{}, {hour:02}:{minute:02}", self.date(year, month, day))
    }

    /// A day as the reader expects it: 27.11.2026 in German, 27/11/2026 in English.
    pub fn date(self, year: i32, month: u8, day: u8) -> String {
        let sep = match self {
            Lang::De => '.',
            Lang::En => '/',
        };
        format!("{day:02}{sep}{month:02}{sep}{year}")
    }

    /// How long to wait, rounded up to whole minutes beyond a minute: "2 Minuten".
    pub fn wait(self, secs: u64) -> String {
        let (one, many, n) = match secs {
            0..=1 => (Key::WaitSecond, Key::WaitSeconds, 1),
            2..=59 => (Key::WaitSecond, Key::WaitSeconds, secs),
            _ => (Key::WaitMinute, Key::WaitMinutes, secs.div_ceil(60)),
        };
        self.count(n as i64, one, many)
    }

    /// A number with its noun in the right form: "1 Person", "3 Personen". Both texts may
    /// name `{n}` (or `{count}`).
    pub fn count(self, n: i64, one: Key, many: Key) -> String {
        let n = n.to_string();
        self.fill(
            if n == "1" { one } else { many },
            &[("n", &n), ("count", &n)],
        )
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
        assert_eq!(Lang::De.wait(45), "45 Sekunden");
        assert_eq!(Lang::De.wait(60), "1 Minute");
        assert_eq!(Lang::En.wait(61), "2 minutes");
    }
}
