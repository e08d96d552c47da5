//! MAIL-1..3: how recipients are written and counted, and the mass-mail guard. The compose
//! form warns with these before it sends; the server checks again and decides.
use crate::i18n::Key;

/// MAIL-3: the defaults of the mass-mail guard; each school can change them.
pub const PUPIL_RECIPIENTS: i64 = 5;
pub const PUPIL_PER_HOUR: i64 = 30;
pub const STAFF_RECIPIENTS: i64 = 50;
pub const STAFF_PER_HOUR: i64 = 200;
/// PAR-3: a family writes to a few people of the school, never to lists of families.
pub const GUARDIAN_RECIPIENTS: i64 = 5;
pub const GUARDIAN_PER_HOUR: i64 = 20;

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 256 * 1024;
pub const MAX_ATTACHMENTS: usize = 20;
/// SEC-3: the most addresses a "To" line is split into; no school limit allows more.
pub const MAX_RECIPIENT_TOKENS: usize = 1000;
/// SEC-3: the longest "To" line, checked before any splitting (1,000 addresses of 64 bytes).
pub const MAX_RECIPIENTS_BYTES: usize = 64 * 1024;

/// The limits that apply to one sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    pub recipients: i64,
    pub per_hour: i64,
}

/// Splits what was typed in "To" into addresses: commas, semicolons, spaces and new lines
/// separate; `Name <address>` keeps the address; duplicates count once.
pub fn split_recipients(text: &str) -> Vec<String> {
    // SEC-3: a set, so 100,000 distinct tokens cost linear work, and a cap one past the most
    // any limit allows, so a longer list is counted as "too many" without being split whole.
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for part in text.split([',', ';', '\n']) {
        let part = match (part.rfind('<'), part.rfind('>')) {
            (Some(open), Some(close)) if open < close => &part[open + 1..close],
            _ => part,
        };
        for token in part.split_whitespace() {
            let address = token.trim_matches(|c| c == '"' || c == '\'').to_lowercase();
            if !address.is_empty() && seen.insert(address.clone()) {
                out.push(address);
                if out.len() > MAX_RECIPIENT_TOKENS {
                    return out;
                }
            }
        }
    }
    out
}

/// An address is `local@domain`, or a bare login meaning the sender's own school.
pub fn split_address(address: &str) -> Option<(&str, Option<&str>)> {
    let (local, domain) = match address.split_once('@') {
        Some((local, domain)) => (local, Some(domain)),
        None => (address, None),
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let domain_ok = domain.is_none_or(|d| super::domain::normalise(d).as_deref() == Some(d));
    (local_ok && domain_ok).then_some((local, domain))
}

/// MAIL-3: a message goes to at most `limits.recipients` addresses; a group address the sender
/// may write to counts as one.
pub fn check_recipients(count: usize, limits: Limits) -> Result<(), Key> {
    if count == 0 {
        Err(Key::MailNoRecipients)
    } else if count as i64 > limits.recipients {
        Err(Key::MailTooManyRecipients)
    } else {
        Ok(())
    }
}

/// MAIL-3: at most `limits.per_hour` messages in any hour.
pub fn check_rate(sent_last_hour: i64, limits: Limits) -> Result<(), Key> {
    if sent_last_hour >= limits.per_hour {
        Err(Key::MailTooManyPerHour)
    } else {
        Ok(())
    }
}

pub fn check_subject(subject: &str) -> Result<(), Key> {
    if subject.chars().count() > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
        Err(Key::MailSubjectInvalid)
    } else {
        Ok(())
    }
}

pub fn check_body(body: &str) -> Result<(), Key> {
    if body.len() > MAX_BODY_BYTES {
        Err(Key::MailBodyTooLong)
    } else {
        Ok(())
    }
}

/// "Re: " and "Fwd: " are added once, not stacked.
pub fn reply_subject(subject: &str, prefix: &str) -> String {
    let (trimmed, prefix) = (subject.trim(), prefix.trim());
    if trimmed.to_lowercase().starts_with(&prefix.to_lowercase()) {
        trimmed.to_string()
    } else {
        format!("{prefix} {trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUPIL: Limits = Limits {
        recipients: PUPIL_RECIPIENTS,
        per_hour: PUPIL_PER_HOUR,
    };

    #[test]
    fn mail_3_recipients_are_counted_once_each() {
        assert_eq!(
            split_recipients(
                "Anna <anna.b@schule.example>, klasse-2b@schule.example; ANNA.B@schule.example\nmax.m"
            ),
            vec!["anna.b@schule.example", "klasse-2b@schule.example", "max.m"]
        );
        assert_eq!(split_recipients(" , ;"), Vec::<String>::new());
        assert_eq!(check_recipients(5, PUPIL), Ok(()));
        assert_eq!(check_recipients(6, PUPIL), Err(Key::MailTooManyRecipients));
        assert_eq!(check_recipients(0, PUPIL), Err(Key::MailNoRecipients));
        assert_eq!(check_rate(29, PUPIL), Ok(()));
        assert_eq!(check_rate(30, PUPIL), Err(Key::MailTooManyPerHour));
    }

    #[test]
    fn mail_2_addresses_have_a_plain_local_part() {
        assert_eq!(
            split_address("max.m@schule.example"),
            Some(("max.m", Some("schule.example")))
        );
        assert_eq!(split_address("max.m"), Some(("max.m", None)));
        for bad in [
            "",
            "@schule.example",
            "a b@x.de",
            "max@",
            "max@localhost",
            "<x>@a.de",
        ] {
            assert_eq!(split_address(bad), None, "{bad:?}");
        }
        assert_eq!(reply_subject("Re: Wandertag", "Re:"), "Re: Wandertag");
        assert_eq!(reply_subject("Wandertag", "AW:"), "AW: Wandertag");
    }
}

#[cfg(test)]
mod bounded_tests {
    use super::*;

    // SEC-3: 100,000 distinct tokens are cut after the cap, not de-duplicated pairwise.
    #[test]
    fn sec_3_recipient_splitting_is_capped() {
        let many: String = (0..100_000).map(|i| format!("kind{i} ")).collect();
        let split = split_recipients(&many);
        assert_eq!(split.len(), MAX_RECIPIENT_TOKENS + 1);
        assert_eq!(split_recipients("a, A; b a").len(), 2);
    }
}
