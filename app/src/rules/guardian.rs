//! PAR-2: the one-time registration code on a guardian's code slip ("Eltern-Zugang"). The
//! registration page checks the shape while the parent types; the server checks it again,
//! looks it up by its hash and decides.

/// PAR-2: "valid 30 days by default": long enough for a letter to travel home in a school
/// bag and back, short enough that a lost slip stops working within a month.
pub const CODE_VALID_DAYS: i64 = 30;

/// Letters and digits nobody mistakes for each other on paper or on a phone's keyboard: no
/// 0/O, 1/I/L, and upper case only, so the parent need not think about case.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// PAR-2: four groups of four (`HK7M-QP3R-XT9W-4NCD`): 16 symbols of 31, about 79 bits, so a
/// code cannot be guessed within any throttle, and still typed from paper in a minute.
pub const CODE_GROUPS: usize = 4;
pub const CODE_GROUP_LEN: usize = 4;

/// SEC-3: longer input is never a code; nothing beyond this is looked at.
pub const MAX_TYPED_CHARS: usize = 64;

/// LIFE-1: a family's note to the school (why the child leaves): a few sentences, not a file.
pub const MAX_NOTE_CHARS: usize = 1000;

/// A family's note: within [`MAX_NOTE_CHARS`] and without control characters but line breaks.
pub fn valid_note(note: &str) -> bool {
    note.chars().count() <= MAX_NOTE_CHARS
        && !note
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// How the slip prints a code: groups joined by dashes.
pub fn format(symbols: &str) -> String {
    symbols
        .as_bytes()
        .chunks(CODE_GROUP_LEN)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed or scanned, turned into its 16 symbols: case, spaces and dashes do not
/// matter, and the letters a parent may type for a look-alike (`0` for `O`, `1`/`I`/`L`) are
/// not in the alphabet, so they are refused rather than guessed. `None` when it cannot be a
/// code at all.
pub fn normalise(typed: &str) -> Option<String> {
    if typed.chars().count() > MAX_TYPED_CHARS {
        return None;
    }
    let symbols: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    let right_length = symbols.len() == CODE_GROUPS * CODE_GROUP_LEN;
    let right_symbols = symbols.bytes().all(|b| CODE_ALPHABET.contains(&b));
    (right_length && right_symbols).then_some(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    // PAR-2: a code typed with spaces, dashes or in lower case is the same code; anything
    // else is no code and is refused before it reaches the database.
    #[test]
    fn par_2_codes_are_read_as_people_type_them() {
        let code = "HK7MQP3RXT9W4NCD";
        assert_eq!(format(code), "HK7M-QP3R-XT9W-4NCD");
        for typed in [
            "HK7M-QP3R-XT9W-4NCD",
            "hk7m qp3r xt9w 4ncd",
            " HK7MQP3R-xt9w4ncd ",
        ] {
            assert_eq!(normalise(typed).as_deref(), Some(code), "{typed}");
        }
        for typed in [
            "",
            "HK7M-QP3R-XT9W",
            "HK7M-QP3R-XT9W-4NCDX",
            "HK0M-QP3R-XT9W-4NCD",
            "HK7M-QP3R-XT9W-4NC😀",
            &"A".repeat(100),
        ] {
            assert_eq!(normalise(typed), None, "{typed}");
        }
        let bits = (CODE_ALPHABET.len() as f64).log2() * (CODE_GROUPS * CODE_GROUP_LEN) as f64;
        assert!(bits > 75.0, "{bits}");
    }
}
