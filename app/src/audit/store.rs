use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::platform::db::{Tx, impl_both, inherent_both};
use crate::platform::{RequestInfo, now};

/// One row of the audit log before it is written.
#[derive(Clone, Debug, Default)]
pub struct AuditEvent {
    pub action: &'static str,
    pub school_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub details: String,
    pub ip: String,
}

impl AuditEvent {
    pub fn new(action: &'static str, request: &RequestInfo) -> Self {
        AuditEvent {
            action,
            ip: request.ip.clone(),
            ..Default::default()
        }
    }

    pub fn actor(mut self, user_id: i64, school_id: Option<i64>) -> Self {
        self.actor_id = Some(user_id);
        self.school_id = school_id;
        self
    }

    pub fn subject(mut self, user_id: i64) -> Self {
        self.subject_id = Some(user_id);
        self
    }

    pub fn details(mut self, details: impl Into<String>) -> Self {
        self.details = details.into();
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainStatus {
    /// Every row checks out; the number is how many there are.
    Intact(i64),
    /// The first row whose hash does not match what precedes it.
    BrokenAt(i64),
}

#[derive(sqlx::FromRow)]
struct StoredEvent {
    id: i64,
    at: i64,
    school_id: Option<i64>,
    actor_id: Option<i64>,
    subject_id: Option<i64>,
    action: String,
    details: String,
    ip: String,
    prev_hash: String,
    hash: String,
    details_digest: Option<String>,
}

/// LIFE-3: how pseudonymised details begin. The chain covers their digest, which still
/// matches the original text; the marker says why the text no longer does.
pub const PSEUDONYMISED: &str = "[pseudonymisiert] ";

fn chain_hash(key: &str, prev: &str, at: i64, e: &StoredEventView<'_>) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    // Unit separators keep `ab`+`c` from hashing like `a`+`bc`.
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for part in [
        prev,
        &at.to_string(),
        &opt(e.school_id),
        &opt(e.actor_id),
        &opt(e.subject_id),
        e.action,
        e.details,
        e.ip,
    ] {
        mac.update(part.as_bytes());
        mac.update(&[0x1f]);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// `text` with every occurrence of `needle` (in any case) replaced by `with`.
fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_lowercase();
    let needle = needle.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then only exact matches are replaced.
    if lower.len() != text.len() {
        return text.replace(&needle, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (start, _) in lower.match_indices(&needle) {
        if start < rest {
            continue;
        }
        out.push_str(&text[rest..start]);
        out.push_str(with);
        rest = start + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

struct StoredEventView<'a> {
    school_id: Option<i64>,
    actor_id: Option<i64>,
    subject_id: Option<i64>,
    action: &'a str,
    details: &'a str,
    ip: &'a str,
}

inherent_both! {
    /// Appends `event` inside the caller's transaction, so it commits or rolls back with the change.
    pub(crate) async fn write_audit(&self, tx: &mut Tx<Self>, event: &AuditEvent) -> Result<(), sqlx::Error> {
        self.lock_audit_chain(tx).await?;
        let prev: String = match sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?
        {
            Some(hash) => hash,
            // After retention deleted everything, the chain goes on from the checkpoint.
            None => sqlx::query_scalar("SELECT last_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut **tx)
                .await?
                .unwrap_or_default(),
        };
        let at = now();
        let view = StoredEventView {
            school_id: event.school_id,
            actor_id: event.actor_id,
            subject_id: event.subject_id,
            action: event.action,
            details: &event.details,
            ip: &event.ip,
        };
        // The chain covers the digest of the details, so that they can be pseudonymised later.
        let digest = crate::platform::secret::sha256_hex(&event.details);
        let view = StoredEventView { details: &digest, ..view };
        let hash = chain_hash(self.audit_key.expose(), &prev, at, &view);
        sqlx::query(
            "INSERT INTO audit_events (at, school_id, actor_id, subject_id, action, details, ip, prev_hash, hash, details_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(at)
        .bind(event.school_id)
        .bind(event.actor_id)
        .bind(event.subject_id)
        .bind(event.action)
        .bind(&event.details)
        .bind(&event.ip)
        .bind(&prev)
        .bind(&hash)
        .bind(&digest)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// LIFE-3: replaces every occurrence of `names` in the details of the audit log with
    /// `pseudonym`, inside the caller's transaction. The chain stays verifiable.
    pub(crate) async fn pseudonymise_audit(&self, tx: &mut Tx<Self>, user_id: i64, names: &[String], pseudonym: &str) -> Result<u64, sqlx::Error> {
        let mut rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, details FROM audit_events WHERE details_digest IS NOT NULL AND (actor_id = $1 OR subject_id = $1)",
        )
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
        for name in names.iter().filter(|n| n.len() >= 3) {
            let more: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, details FROM audit_events WHERE details_digest IS NOT NULL AND lower(details) LIKE $1",
            )
            .bind(format!("%{}%", name.to_lowercase().replace(['%', '_'], "")))
            .fetch_all(&mut **tx)
            .await?;
            rows.extend(more);
        }
        rows.sort();
        rows.dedup();
        let mut changed = 0;
        for (id, details) in rows {
            let mut text = details.strip_prefix(PSEUDONYMISED).unwrap_or(&details).to_string();
            for name in names.iter().filter(|n| n.len() >= 3) {
                text = replace_ignoring_case(&text, name, pseudonym);
            }
            let text = format!("{PSEUDONYMISED}{text}");
            if text != details {
                sqlx::query("UPDATE audit_events SET details = $1 WHERE id = $2").bind(&text).bind(id).execute(&mut **tx).await?;
                changed += 1;
            }
        }
        Ok(changed)
    }
}

#[async_trait::async_trait]
pub trait AuditStore {
    /// Records an event that has no other change to travel with (a failed login).
    async fn record(&self, event: &AuditEvent) -> Result<(), sqlx::Error>;
    /// Recomputes the whole chain, from the last retention checkpoint on.
    async fn verify_chain(&self) -> Result<ChainStatus, sqlx::Error>;
    /// LOG-3: deletes the oldest events that are past their school's retention period, up to
    /// the first one that is not, and records a checkpoint with the last deleted hash so that
    /// the rest of the chain still verifies. Returns how many were deleted.
    async fn apply_retention(&self, now: i64, audit: &AuditEvent) -> Result<i64, sqlx::Error>;
    /// The id of the newest event: how far a successful check reached.
    async fn last_event_id(&self) -> Result<i64, sqlx::Error>;
    /// The newest events' actions, newest first, for operators and tests.
    async fn recent_actions(&self, limit: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error>;
}

impl_both!(AuditStore {
    async fn record(&self, event: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        self.write_audit(&mut tx, event).await?;
        tx.commit().await
    }

    async fn verify_chain(&self) -> Result<ChainStatus, sqlx::Error> {
        let checkpoint: Option<(i64, String)> =
            sqlx::query_as("SELECT last_event_id, last_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        let (after, mut prev) = checkpoint.unwrap_or((0, String::new()));
        let rows: Vec<StoredEvent> = sqlx::query_as("SELECT * FROM audit_events WHERE id > $1 ORDER BY id")
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
        for row in &rows {
            // Rows with a digest: the chain covers the digest, and the text must still match
            // it unless it was pseudonymised. Older rows: the chain covers the text itself.
            let text_ok = match &row.details_digest {
                Some(digest) => {
                    row.details.starts_with(PSEUDONYMISED)
                        || crate::platform::secret::sha256_hex(&row.details) == *digest
                }
                None => true,
            };
            let view = StoredEventView {
                school_id: row.school_id,
                actor_id: row.actor_id,
                subject_id: row.subject_id,
                action: &row.action,
                details: row.details_digest.as_deref().unwrap_or(&row.details),
                ip: &row.ip,
            };
            let expected = chain_hash(self.audit_key.expose(), &prev, row.at, &view);
            if row.prev_hash != prev || row.hash != expected || !text_ok {
                return Ok(ChainStatus::BrokenAt(row.id));
            }
            prev = row.hash.clone();
        }
        Ok(ChainStatus::Intact(rows.len() as i64))
    }

    async fn apply_retention(&self, now: i64, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        self.lock_audit_chain(&mut tx).await?;
        // Oldest first; operator-level events (no school) keep the default period.
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT e.id, e.at, COALESCE(s.audit_retention_days, 183), e.hash FROM audit_events e
             LEFT JOIN schools s ON s.id = e.school_id ORDER BY e.id LIMIT 100000",
        )
        .fetch_all(&mut *tx)
        .await?;
        // The newest event stays: the chain always has a head to continue from.
        let expired: Vec<&(i64, i64, i64, String)> = rows
            .iter()
            .take(rows.len().saturating_sub(1))
            .take_while(|(_, at, days, _)| *at < now - days * 86_400)
            .collect();
        let Some((last_id, _, _, last_hash)) = expired.last() else {
            return Ok(0);
        };
        let deleted = expired.len() as i64;
        sqlx::query("DELETE FROM audit_events WHERE id <= $1").bind(last_id).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO audit_checkpoints (last_event_id, last_hash, deleted, created_at) VALUES ($1, $2, $3, $4)")
            .bind(last_id)
            .bind(last_hash)
            .bind(deleted)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, &audit.clone().details(format!("{deleted} events up to {last_id}"))).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    async fn last_event_id(&self) -> Result<i64, sqlx::Error> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM audit_events").fetch_one(&self.pool).await?;
        Ok(id.unwrap_or(0))
    }

    async fn recent_actions(&self, limit: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
        sqlx::query_as("SELECT action, subject_id FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
});
