//! LIFE-3, SEC-5: when a person is deleted, their names leave the audit log, and only theirs.
//!
//! Earlier versions replaced substrings across all schools, so deleting `tom.li` rewrote
//! events about `tom.lindner` anywhere. Now a name is replaced only as a whole token, in the
//! person's own school; other schools' events can name them only by their full address
//! (mail between schools), so only the address is replaced there. Each changed row gets a
//! MACed record of the text it was left with (`chain::text_mac`).
use super::chain::{PSEUDONYMISED, text_mac};
use crate::platform::db::{Tx, inherent_both};

/// Characters that continue a login, an address or a name: a match next to one of them is
/// part of a longer token and is left alone. A dot continues a token only when a letter or
/// digit follows it ("tom.li." ends a sentence; "tom.lindner" goes on).
fn continues(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '@' | '+')
}

/// `text` with every whole-token occurrence of `needle` (ignoring case) replaced by `with`.
pub fn replace_whole_tokens(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let needle_lower = needle.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then only exact case matches count.
    let (haystack, needle) = if lower.len() == text.len() && needle_lower.len() == needle.len() {
        (lower.as_str(), needle_lower.as_str())
    } else {
        (text, needle)
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (start, _) in haystack.match_indices(needle) {
        let end = start + needle.len();
        if start < rest {
            continue;
        }
        let mut before = text[..start].chars().rev();
        let whole_before = match before.next() {
            None => true,
            Some('.') => !before.next().is_some_and(char::is_alphanumeric),
            Some(c) => !continues(c),
        };
        let mut after = text[end..].chars();
        let whole_after = match after.next() {
            None => true,
            Some('.') => !after.next().is_some_and(char::is_alphanumeric),
            Some(c) => !continues(c),
        };
        if whole_before && whole_after {
            out.push_str(&text[rest..start]);
            out.push_str(with);
            rest = end;
        }
    }
    out.push_str(&text[rest..]);
    out
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    school_id: Option<i64>,
    actor_id: Option<i64>,
    subject_id: Option<i64>,
    details: String,
}

inherent_both! {
    /// Replaces `names` in the details of the audit log with `pseudonym` inside the caller's
    /// transaction: every name in the events of `school_id` or by or about `user_id`, and the
    /// `address` alone in other schools' events. Returns how many rows changed.
    pub(crate) async fn pseudonymise_audit(
        &self,
        tx: &mut Tx<Self>,
        user_id: i64,
        school_id: i64,
        address: &str,
        names: &[String],
        pseudonym: &str,
    ) -> Result<u64, sqlx::Error> {
        let like = |name: &str| format!("%{}%", name.to_lowercase().replace(['%', '_'], ""));
        // Events by or about them may sit outside their school (a failed sign-in names no
        // school) and are theirs all the same.
        let mut rows: Vec<Row> = sqlx::query_as(
            "SELECT id, school_id, actor_id, subject_id, details FROM audit_events
             WHERE details_digest IS NOT NULL AND pruned_at IS NULL AND (actor_id = $1 OR subject_id = $1 OR lower(details) LIKE $2)",
        )
        .bind(user_id)
        .bind(like(address))
        .fetch_all(&mut **tx)
        .await?;
        for name in names.iter().filter(|n| n.chars().count() >= 3) {
            let more: Vec<Row> = sqlx::query_as(
                "SELECT id, school_id, actor_id, subject_id, details FROM audit_events
                 WHERE details_digest IS NOT NULL AND pruned_at IS NULL AND school_id = $1 AND lower(details) LIKE $2",
            )
            .bind(school_id)
            .bind(like(name))
            .fetch_all(&mut **tx)
            .await?;
            rows.extend(more);
        }
        rows.sort_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
        let now = crate::platform::now();
        let mut changed = 0;
        for Row { id, school_id: row_school, actor_id, subject_id, details } in rows {
            let theirs = row_school == Some(school_id) || actor_id == Some(user_id) || subject_id == Some(user_id);
            let stripped = details.strip_prefix(PSEUDONYMISED).unwrap_or(&details);
            let mut text = replace_whole_tokens(stripped, address, pseudonym);
            if theirs {
                for name in names.iter().filter(|n| n.chars().count() >= 3) {
                    text = replace_whole_tokens(&text, name, pseudonym);
                }
            }
            // An event about them that names nobody stays as it is.
            if text == stripped {
                continue;
            }
            let text = format!("{PSEUDONYMISED}{text}");
            sqlx::query("UPDATE audit_events SET details = $1 WHERE id = $2").bind(&text).bind(id).execute(&mut **tx).await?;
            sqlx::query("INSERT INTO audit_pseudonyms (event_id, at, pseudonym, text_mac) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(now)
                .bind(pseudonym)
                .bind(text_mac(&self.audit_key, id, &text))
                .execute(&mut **tx)
                .await?;
            changed += 1;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::replace_whole_tokens as r;

    // LIFE-3, SEC-5: only the whole login is replaced, never a longer one that contains it.
    #[test]
    fn only_whole_tokens_are_replaced() {
        let p = "X";
        assert_eq!(r("tom.li hat gelesen", "tom.li", p), "X hat gelesen");
        assert_eq!(
            r("tom.lindner hat gelesen", "tom.li", p),
            "tom.lindner hat gelesen"
        );
        assert_eq!(r("an tom.li@a.example", "tom.li", p), "an tom.li@a.example");
        assert_eq!(
            r(
                "an tom.li@a.example, om.li@a.example",
                "tom.li@a.example",
                p
            ),
            "an X, om.li@a.example"
        );
        assert_eq!(r("Login: atom.li.", "tom.li", p), "Login: atom.li.");
        assert_eq!(r("gelöscht: Tom.Li.", "tom.li", p), "gelöscht: X.");
        assert_eq!(r("x.tom.li", "tom.li", p), "x.tom.li");
        assert_eq!(
            r("Tom Li und Tom Lindner", "tom li", p),
            "X und Tom Lindner"
        );
        assert_eq!(r("Lea Özdemir;", "lea özdemir", p), "X;");
    }
}
