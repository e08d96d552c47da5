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
}

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
        let hash = chain_hash(self.audit_key.expose(), &prev, at, &view);
        sqlx::query(
            "INSERT INTO audit_events (at, school_id, actor_id, subject_id, action, details, ip, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        .execute(&mut **tx)
        .await?;
        Ok(())
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
            let view = StoredEventView {
                school_id: row.school_id,
                actor_id: row.actor_id,
                subject_id: row.subject_id,
                action: &row.action,
                details: &row.details,
                ip: &row.ip,
            };
            let expected = chain_hash(self.audit_key.expose(), &prev, row.at, &view);
            if row.prev_hash != prev || row.hash != expected {
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

    async fn recent_actions(&self, limit: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
        sqlx::query_as("SELECT action, subject_id FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
});
