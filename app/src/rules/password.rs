//! PW-1: "nicht zu erratendes Passwort von mindestens acht Zeichen Länge
//! (Groß-/Kleinbuchstaben, Zahlen und Sonderzeichen)".
use crate::i18n::Key;

pub const MIN_CHARS: usize = 8;
/// Long enough for any passphrase, short enough that nobody can make us hash megabytes.
pub const MAX_CHARS: usize = 128;

/// One part of the rule, shown as one line of the checklist a child ticks off while typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Length,
    Upper,
    Lower,
    Digit,
    Special,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Length,
        Part::Upper,
        Part::Lower,
        Part::Digit,
        Part::Special,
    ];

    pub fn label(self) -> Key {
        match self {
            Part::Length => Key::PasswordRuleLength,
            Part::Upper => Key::PasswordRuleUpper,
            Part::Lower => Key::PasswordRuleLower,
            Part::Digit => Key::PasswordRuleDigit,
            Part::Special => Key::PasswordRuleSpecial,
        }
    }

    pub fn is_met(self, password: &str) -> bool {
        match self {
            Part::Length => password.chars().count() >= MIN_CHARS,
            Part::Upper => password.chars().any(char::is_uppercase),
            Part::Lower => password.chars().any(char::is_lowercase),
            Part::Digit => password.chars().any(|c| c.is_ascii_digit()),
            Part::Special => password
                .chars()
                .any(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()),
        }
    }
}

/// The shape of the rule: length and character classes. The server adds the
/// "not guessable" checks (common passwords, the user's own name) on top.
pub fn check(password: &str) -> Result<(), Key> {
    if password.chars().count() > MAX_CHARS {
        return Err(Key::PasswordTooLong);
    }
    if Part::ALL.iter().all(|part| part.is_met(password)) {
        Ok(())
    } else {
        Err(Key::PasswordWeak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pw_1_needs_eight_chars_with_all_four_classes() {
        assert_eq!(check("Sonne#12"), Ok(()));
        assert_eq!(check("Sonne#1"), Err(Key::PasswordWeak), "7 characters");
        assert_eq!(check("sonne#12"), Err(Key::PasswordWeak), "no capital");
        assert_eq!(check("SONNE#12"), Err(Key::PasswordWeak), "no small letter");
        assert_eq!(check("Sonne#ab"), Err(Key::PasswordWeak), "no digit");
        assert_eq!(
            check("Sonne123"),
            Err(Key::PasswordWeak),
            "no special character"
        );
        assert_eq!(check("Ä#1öööööö"), Ok(()), "umlauts count as letters");
    }

    #[test]
    fn pw_1_length_is_counted_in_characters_and_capped() {
        assert_eq!(check("Üü#1Üü#1"), Ok(()));
        let long = format!("Aa1#{}", "x".repeat(MAX_CHARS));
        assert_eq!(check(&long), Err(Key::PasswordTooLong));
        let thousand = "Aa1#".repeat(250);
        assert_eq!(check(&thousand), Err(Key::PasswordTooLong));
    }

    #[test]
    fn pw_1_checklist_ticks_each_part_separately() {
        let met: Vec<_> = Part::ALL.iter().map(|p| p.is_met("abc1")).collect();
        assert_eq!(met, vec![false, false, true, true, false]);
    }
}
