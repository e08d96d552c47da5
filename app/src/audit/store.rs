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
        let prev: String = sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?
            .unwrap_or_default();
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
    /// Recomputes the whole chain.
    async fn verify_chain(&self) -> Result<ChainStatus, sqlx::Error>;
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
        let rows: Vec<StoredEvent> = sqlx::query_as("SELECT * FROM audit_events ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut prev = String::new();
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

    async fn recent_actions(&self, limit: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
        sqlx::query_as("SELECT action, subject_id FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
});
