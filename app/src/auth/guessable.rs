//! PW-1 "nicht zu erratend": the server-side half of the password rule. The list of common
//! passwords stays here and never ships to the browser.
use std::{collections::HashSet, sync::LazyLock};

use super::SessionUser;
use crate::i18n::Key;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

const KEYBOARD_ROWS: [&str; 6] = [
    "qwertzuiopü",
    "asdfghjklöä",
    "yxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "1234567890",
];

/// Lower-case letters and digits only: `Sommer#2024!` and `sommer2024` are the same guess.
fn skeleton(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_keyboard_walk_or_repeat(letters: &str) -> bool {
    let chars: Vec<char> = letters.chars().collect();
    if chars.len() < 4 {
        return false;
    }
    let distinct: HashSet<&char> = chars.iter().collect();
    if distinct.len() <= 2 {
        return true;
    }
    let runs = |row: &str| {
        let forward = row.contains(letters);
        let backward: String = row.chars().rev().collect();
        forward || backward.contains(letters)
    };
    KEYBOARD_ROWS.iter().any(|row| runs(row)) || "abcdefghijklmnopqrstuvwxyz".contains(letters)
}

pub fn check(password: &str, user: &SessionUser) -> Result<(), Key> {
    let core = skeleton(password);
    let letters: String = core.chars().filter(|c| !c.is_ascii_digit()).collect();
    let common = COMMON.contains(core.as_str()) || COMMON.contains(letters.as_str());
    let personal = [user.first_name.as_str(), user.last_name.as_str()]
        .into_iter()
        .chain(user.login.split(['.', '-', '_']))
        .map(skeleton)
        .any(|part| part.chars().count() >= 3 && core.contains(&part));
    if common || personal || is_keyboard_walk_or_repeat(&letters) {
        Err(Key::PasswordGuessable)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn mia() -> SessionUser {
        SessionUser {
            id: 1,
            login: "mia.schroeder".into(),
            first_name: "Mia".into(),
            last_name: "Schröder".into(),
            role: Role::Pupil,
            school_id: Some(1),
            school_name: None,
            must_change_password: true,
            policy_pending: false,
        }
    }

    #[test]
    fn pw_1_common_passwords_walks_and_own_names_are_refused() {
        for guess in [
            "Passwort1!",
            "Qwertz12!",
            "Asdfgh1#",
            "Aaaaaaa1!",
            "Mia#2026x",
            "#SCHRÖDER9",
            "Schroeder#1",
        ] {
            assert_eq!(check(guess, &mia()), Err(Key::PasswordGuessable), "{guess}");
        }
    }

    #[test]
    fn pw_1_a_real_password_passes() {
        for good in ["Blaue#Kuh7", "Tiger&Baum42", "Regen!Bogen3"] {
            assert_eq!(check(good, &mia()), Ok(()), "{good}");
        }
    }
}
