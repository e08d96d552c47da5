//! Issue 18 §7: the policy in words a seven-year-old and a tired parent understand, shown with
//! pictograms above the legal text. The school edits it; it is a reading aid, not the policy,
//! so editing it publishes no new version and asks nobody to accept again (VIOL-1 stays with
//! the legal text).
//!
//! The text is one rule a line, each starting with its pictogram's name: `passwort: Mein
//! Passwort gehört nur mir.` A line without a known name is refused, so a typo never shows a
//! wrong picture to a child who cannot read the words.

/// A child reads a handful of rules; a longer list is the legal text again.
pub const MAX_LINES: usize = 12;
/// One or two short sentences, as a child reads them aloud.
pub const MAX_LINE_CHARS: usize = 200;

/// The pictures a rule can carry, each one idea a child recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pictogram {
    Password,
    Kind,
    School,
    Photos,
    Protection,
    Mail,
    Parents,
    Help,
    SignOut,
}

impl Pictogram {
    pub const ALL: [Pictogram; 9] = [
        Pictogram::Password,
        Pictogram::Kind,
        Pictogram::School,
        Pictogram::Photos,
        Pictogram::Protection,
        Pictogram::Mail,
        Pictogram::Parents,
        Pictogram::Help,
        Pictogram::SignOut,
    ];

    /// The name the school writes before a rule. German, as the policy is.
    pub fn code(self) -> &'static str {
        match self {
            Pictogram::Password => "passwort",
            Pictogram::Kind => "freundlich",
            Pictogram::School => "schule",
            Pictogram::Photos => "fotos",
            Pictogram::Protection => "schutz",
            Pictogram::Mail => "post",
            Pictogram::Parents => "eltern",
            Pictogram::Help => "hilfe",
            Pictogram::SignOut => "abmelden",
        }
    }

    pub fn parse(code: &str) -> Option<Pictogram> {
        let code = code.trim().to_lowercase();
        Pictogram::ALL.into_iter().find(|p| p.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryLine {
    pub pictogram: Pictogram,
    pub text: String,
}

/// What is wrong with a summary, and on which line (counting from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SummaryProblem {
    TooManyLines,
    LineTooLong(usize),
    UnknownPictogram(usize),
}

/// The rules of a summary, blank lines skipped.
pub fn parse(text: &str) -> Result<Vec<SummaryLine>, SummaryProblem> {
    let mut lines = Vec::new();
    for (index, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() {
            continue;
        }
        let number = index + 1;
        let (pictogram, text) = line
            .split_once(':')
            .and_then(|(code, text)| Some((Pictogram::parse(code)?, text.trim())))
            .filter(|(_, text)| !text.is_empty())
            .ok_or(SummaryProblem::UnknownPictogram(number))?;
        if text.chars().count() > MAX_LINE_CHARS || text.chars().any(char::is_control) {
            return Err(SummaryProblem::LineTooLong(number));
        }
        if lines.len() == MAX_LINES {
            return Err(SummaryProblem::TooManyLines);
        }
        lines.push(SummaryLine {
            pictogram,
            text: text.to_string(),
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ux_7_policy_summary_lines() {
        let lines =
            parse("passwort: Mein Passwort gehört nur mir.\n\n  Hilfe : Ich frage.\n").unwrap();
        assert_eq!(
            lines,
            vec![
                SummaryLine {
                    pictogram: Pictogram::Password,
                    text: "Mein Passwort gehört nur mir.".into()
                },
                SummaryLine {
                    pictogram: Pictogram::Help,
                    text: "Ich frage.".into()
                },
            ]
        );
        assert_eq!(
            parse("pasword: Tippfehler"),
            Err(SummaryProblem::UnknownPictogram(1))
        );
        assert_eq!(
            parse("post:"),
            Err(SummaryProblem::UnknownPictogram(1)),
            "a picture needs words"
        );
        assert_eq!(
            parse("ohne Doppelpunkt"),
            Err(SummaryProblem::UnknownPictogram(1))
        );
        let long = format!("schule: {}", "a".repeat(MAX_LINE_CHARS + 1));
        assert_eq!(
            parse(&format!("post: Hallo\n{long}")),
            Err(SummaryProblem::LineTooLong(2))
        );
        let many = "post: Hallo\n".repeat(MAX_LINES + 1);
        assert_eq!(parse(&many), Err(SummaryProblem::TooManyLines));
        assert_eq!(parse("").unwrap(), vec![]);
        for p in Pictogram::ALL {
            assert_eq!(Pictogram::parse(p.code()), Some(p));
        }
    }

    #[test]
    fn ux_7_the_shipped_summary_is_valid() {
        let text = include_str!("../../policy/kurzfassung.txt");
        let lines = parse(text).unwrap();
        assert!(lines.len() >= 6);
    }
}
