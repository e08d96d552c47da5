//! Issue 18: finding people by their real names, and listing them in German order.
//!
//! SQLite's `lower()` folds only ASCII, so `Öz` never found `Özdemir`. Each person therefore
//! keeps two keys, written when the person is created and filled for existing people when the
//! server starts ([`search_key`], [`sort_key`]); a query is folded the same way
//! ([`name_pattern`]) and compared with `LIKE`, which both backends do alike on ASCII.

/// How many words of a query count; the rest are ignored (SEC-3: bounded work).
pub const MAX_QUERY_WORDS: usize = 6;

/// Words people put before a name that no name holds: "Herr Großmann", "Frau Özdemir".
const POLITE_WORDS: &[&str] = &["herr", "frau", "hr", "fr"];

/// One name in plain ASCII lowercase, words split by single spaces. `german` writes umlauts as
/// two letters (`Özdemir` → `oezdemir`); otherwise they lose their dots (`ozdemir`), as
/// people type them on a keyboard without umlauts and as DIN 5007 sorts them.
fn plain(text: &str, german: bool) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if c.is_whitespace() || c == '-' {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !german && let Some(base) = base_letter(c) {
            out.push(base);
        } else if let Some(latin) = super::login::transliterate(c) {
            out.push_str(latin);
        }
        // Anything else (apostrophes, dots, combining marks) is left out.
    }
    out.trim_end().to_string()
}

/// The letter an umlaut is sorted and typed as without its dots (DIN 5007, variant 1).
fn base_letter(c: char) -> Option<char> {
    match c {
        'ä' => Some('a'),
        'ö' | 'ø' => Some('o'),
        'ü' => Some('u'),
        _ => None,
    }
}

/// What a person is found by: first and last name in both spellings and both orders, so that
/// `oez`, `oz`, `Emma Müller` and `Mueller Emma` all find Emma Müller.
pub fn search_key(first_name: &str, last_name: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for german in [true, false] {
        let (first, last) = (plain(first_name, german), plain(last_name, german));
        for whole in [format!("{first} {last}"), format!("{last} {first}")] {
            if !parts.contains(&whole) {
                parts.push(whole);
            }
        }
    }
    parts.join(" | ")
}

/// VIOL-1: whether two spellings are the same name, as a person types it: case, umlauts or
/// their plain letters, hyphens and spacing aside (`petra  schulz-meier` is `Petra Schulz Meier`).
pub fn same_name(a: &str, b: &str) -> bool {
    !plain(a, false).is_empty()
        && [false, true]
            .into_iter()
            .any(|german| plain(a, german) == plain(b, german))
}

/// The `LIKE` pattern a query's name part is matched with: its words in the typed order, each
/// folded to ASCII without umlauts (a key holds that spelling too), polite words left out.
/// `None` when nothing of a name is left (`Herr`, `!!`): then no name matches.
pub fn name_pattern(query: &str) -> Option<String> {
    let folded = plain(query, false);
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !POLITE_WORDS.contains(w))
        .take(MAX_QUERY_WORDS)
        .collect();
    (!words.is_empty()).then(|| format!("%{}%", words.join("%")))
}

/// The key people are listed by: last name, then first name, umlauts as their base letter
/// (DIN 5007, variant 1: Köhler before Krüger, Özdemir among the O). Only `a`–`z` and a `0`
/// between the names, so that SQLite's byte order and any PostgreSQL collation agree (both
/// order letters and digits alike; spaces and hyphens they would treat differently).
pub fn sort_key(first_name: &str, last_name: &str) -> String {
    let letters = |name: &str| -> String {
        plain(name, false)
            .chars()
            .filter(char::is_ascii_lowercase)
            .collect()
    };
    format!("{}0{}", letters(last_name), letters(first_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, first: &str, last: &str) -> bool {
        let key = search_key(first, last);
        let Some(pattern) = name_pattern(query) else {
            return false;
        };
        // `LIKE` with `%` between the words: each word in order, anywhere after the previous.
        let mut rest = key.as_str();
        pattern
            .trim_matches('%')
            .split('%')
            .all(|word| match rest.find(word) {
                Some(at) => {
                    rest = &rest[at + word.len()..];
                    true
                }
                None => false,
            })
    }

    // Issue 18: Özdemir is found by Öz, öz, oez and oz; Emma Müller by her name in either
    // order; "Herr" and "Frau" are ignored.
    #[test]
    fn ux_4_names_are_found_as_people_type_them() {
        for query in ["Öz", "öz", "oez", "oz", "OZDEMIR", "Frau Özdemir"] {
            assert!(finds(query, "Ayşe", "Özdemir"), "{query}");
        }
        for query in [
            "Emma Müller",
            "Müller Emma",
            "mueller",
            "muller emma",
            "emma",
        ] {
            assert!(finds(query, "Emma", "Müller"), "{query}");
        }
        assert!(finds("Herr Großmann", "Jörg", "Großmann"));
        assert!(finds("grossmann", "Jörg", "Großmann"));
        assert!(finds("Dabrowski", "Kuba", "Dąbrowski"));
        assert!(finds("yilmaz", "Elif", "Yılmaz"));
        assert!(finds("lüdenscheid", "Tom", "Maier-Lüdenscheid"));
        assert!(!finds("Emma Schulz", "Emma", "Müller"));
        assert!(!finds("ue", "Ayşe", "Özdemir"));
        assert_eq!(name_pattern("Herr"), None);
        assert_eq!(name_pattern("  !! "), None);
        let long = "a ".repeat(1000);
        assert_eq!(name_pattern(&long).unwrap().len(), 2 * MAX_QUERY_WORDS + 1);
    }

    // Issue 18: German order, DIN 5007 variant 1, through an ASCII key.
    #[test]
    fn ux_4_people_sort_in_german_order() {
        let mut names = vec![
            ("Lena", "Schröder"),
            ("Ayşe", "Özdemir"),
            ("Jan", "Krüger"),
            ("Mia", "Köhler"),
            ("Paul", "Schäfer"),
            ("Ole", "Otto"),
            ("Zoe", "Mai"),
            ("Anna", "Maier"),
            ("Tom", "Maier-Lüdenscheid"),
            ("Ben", "Oberle"),
        ];
        names.sort_by_key(|(first, last)| sort_key(first, last));
        let order: Vec<&str> = names.iter().map(|(_, last)| *last).collect();
        assert_eq!(
            order,
            [
                "Köhler",
                "Krüger",
                "Mai",
                "Maier",
                "Maier-Lüdenscheid",
                "Oberle",
                "Otto",
                "Özdemir",
                "Schäfer",
                "Schröder"
            ]
        );
        assert!(
            sort_key("Ö", "Ä")
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'0')
        );
    }

    // VIOL-1: a consent's typed name is compared the way people type names.
    #[test]
    fn viol_1_same_name_ignores_case_umlauts_and_spacing() {
        assert!(same_name("petra  schulz-meier", "Petra Schulz Meier"));
        assert!(same_name("Joerg Grossmann", "Jörg Großmann"));
        assert!(same_name("Jorg Grossmann", "Jörg Großmann"));
        assert!(!same_name("Petra Schulz", "Paula Schulz"));
        assert!(!same_name("", ""));
    }
}
