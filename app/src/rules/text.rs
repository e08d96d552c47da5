//! SEC-6: what a stored text may contain. A single-line field (a title, a place, a name) holds
//! no control character at all: a bare `\r` in a title ends an iCal line in some readers and
//! starts a forged property in others. A multi-line field (a description, a note) may break
//! lines with `\n` (a typed `\r\n` counts as one), and nothing else.

/// Whether `text` may be stored in a single-line field.
pub fn single_line(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// `text` with `\r\n` as `\n`, if it may be stored in a multi-line field.
pub fn multi_line(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n");
    (!text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t'))
    .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec_6_control_characters_are_refused() {
        assert!(single_line("Sportfest 2b"));
        assert!(!single_line("Sportfest\rX-EVIL:1"));
        assert!(!single_line("a\nb"));
        assert_eq!(multi_line("eins\r\nzwei").as_deref(), Some("eins\nzwei"));
        assert_eq!(multi_line("eins\rzwei"), None);
        assert_eq!(multi_line("a\u{7}b"), None);
    }
}
