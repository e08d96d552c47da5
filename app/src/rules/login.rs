//! ACC-2: every account's login and personal address come from the name, as
//! `vorname.nachname`: umlauts and ß transliterated, accents dropped, clashes numbered.

/// Maps one character to its plain-Latin spelling, or `None` to drop it. German umlauts
/// become two letters (`ö` → `oe`), as in a login; [`super::search`] also uses this table.
pub(super) fn transliterate(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("äæ", "ae"),
        ("öœø", "oe"),
        ("ü", "ue"),
        ("ß", "ss"),
        ("àáâãåāăą", "a"),
        ("çćĉċč", "c"),
        ("ďđ", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõōŏő", "o"),
        ("ŕŗř", "r"),
        ("śŝşšș", "s"),
        ("ţťŧț", "t"),
        ("ùúûũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
    ];
    TABLE
        .iter()
        .find(|(from, _)| from.contains(c))
        .map(|(_, to)| *to)
}

/// One part of a name, e.g. `Anna-Lena` → `anna-lena`, `Jürgen` → `juergen`.
fn name_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if c == '-' || c.is_whitespace() {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else if let Some(plain) = transliterate(c) {
            out.push_str(plain);
        }
        // Anything else (combining accents, emoji, punctuation) is dropped.
    }
    out.trim_end_matches('-').to_string()
}

/// The login before clash numbering, or `None` when a name has nothing writable in it.
pub fn base_login(first_name: &str, last_name: &str) -> Option<String> {
    let (first, last) = (name_part(first_name), name_part(last_name));
    (!first.is_empty() && !last.is_empty()).then(|| format!("{first}.{last}"))
}

/// The `number`th candidate for a login: `base`, then `base2`, `base3`, …
pub fn numbered(base: &str, number: u32) -> String {
    if number <= 1 {
        base.to_string()
    } else {
        format!("{base}{number}")
    }
}

/// MAIL-2: the local part of a class's or team's group address: `klasse-2b`, `team-schulgarten`.
pub fn group_local_part(is_class: bool, name: &str) -> String {
    format!(
        "{}-{}",
        if is_class { "klasse" } else { "team" },
        name_part(name)
    )
}

/// PAR-3: the address of a class's parents (`eltern-2b`), beside the class's own.
pub fn parents_local_part(class: &str) -> String {
    format!("eltern-{}", name_part(class))
}

/// A school's personal address for a login.
pub fn address(login: &str, mail_domain: &str) -> String {
    format!("{login}@{mail_domain}")
}

/// Names are kept as typed, but not unbounded and not with control characters.
pub const MAX_NAME_CHARS: usize = 100;

pub fn valid_name(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc_2_logins_are_transliterated() {
        assert_eq!(base_login("Max", "Müller").as_deref(), Some("max.mueller"));
        assert_eq!(base_login("Jörg", "Weiß").as_deref(), Some("joerg.weiss"));
        assert_eq!(
            base_login("Anna Lena", "Groß-Öztürk").as_deref(),
            Some("anna-lena.gross-oeztuerk")
        );
        assert_eq!(base_login("Zoë", "Dvořák").as_deref(), Some("zoe.dvorak"));
        assert_eq!(
            base_login("Rene\u{0301}", "O'Neill").as_deref(),
            Some("rene.oneill"),
            "combining accent dropped"
        );
        assert_eq!(
            base_login("Mia 😀", "Schulz").as_deref(),
            Some("mia.schulz"),
            "emoji dropped"
        );
        assert_eq!(base_login("😀", "Schulz"), None);
    }

    #[test]
    fn acc_2_clashes_are_numbered_predictably() {
        assert_eq!(numbered("max.mueller", 1), "max.mueller");
        assert_eq!(numbered("max.mueller", 2), "max.mueller2");
        assert_eq!(
            address("max.mueller", "paulusschule.example"),
            "max.mueller@paulusschule.example"
        );
    }

    #[test]
    fn names_are_bounded() {
        assert!(valid_name("Mia"));
        assert!(!valid_name("  "));
        assert!(!valid_name("a\u{0000}b"));
        assert!(!valid_name(&"x".repeat(101)));
    }
}
