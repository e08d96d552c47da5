use super::chain::{self, Head};
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

    /// SEC-5: the school an event belongs to when no signed-in actor says so (jobs, anonymous
    /// requests that name an account), so that the school's log readers see it.
    pub fn school(mut self, school_id: Option<i64>) -> Self {
        self.school_id = school_id;
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
    /// The first row whose hash does not match what precedes it, or the row an anchor (the
    /// head, a checkpoint) names when the anchor itself was altered or rows after it are gone.
    BrokenAt(i64),
}

inherent_both! {
    /// Appends `event` inside the caller's transaction, so it commits or rolls back with the
    /// change, and moves the MACed head to it.
    pub(crate) async fn write_audit(&self, tx: &mut Tx<Self>, event: &AuditEvent) -> Result<(), sqlx::Error> {
        self.lock_audit_chain(tx).await?;
        let head = self.audit_head(tx).await?;
        let at = now();
        // The chain covers the digest of the details, so that they can be pseudonymised later.
        let digest = crate::platform::secret::sha256_hex(&event.details);
        let link = chain::Link {
            at,
            school_id: event.school_id,
            actor_id: event.actor_id,
            subject_id: event.subject_id,
            action: event.action,
            details: &digest,
            ip: &event.ip,
        };
        let hash = chain::link_hash(&self.audit_key, &head.last_hash, &link);
        // All rows fetched: on SQLite a RETURNING statement left unfinished keeps the write
        // lock after COMMIT, until its connection is used again (found by the CLI tests).
        let ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO audit_events (at, school_id, actor_id, subject_id, action, details, ip, prev_hash, hash, details_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(at)
        .bind(event.school_id)
        .bind(event.actor_id)
        .bind(event.subject_id)
        .bind(event.action)
        .bind(&event.details)
        .bind(&event.ip)
        .bind(&head.last_hash)
        .bind(&hash)
        .bind(&digest)
        .fetch_all(&mut **tx)
        .await?;
        let id = ids.first().copied().ok_or(sqlx::Error::RowNotFound)?;
        self.move_head(tx, head.event_count + 1, id, &hash).await
    }

    /// The head row, inside a transaction that holds the chain's lock.
    pub(crate) async fn audit_head(&self, tx: &mut Tx<Self>) -> Result<Head, sqlx::Error> {
        sqlx::query_as("SELECT * FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await
    }

    /// Moves the head to `(count, last_id, last_hash)` and MACs it.
    pub(crate) async fn move_head(&self, tx: &mut Tx<Self>, count: i64, last_id: i64, last_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE audit_head SET event_count = $1, last_event_id = $2, last_hash = $3, mac = $4 WHERE id = 1")
            .bind(count)
            .bind(last_id)
            .bind(last_hash)
            .bind(chain::head_mac(&self.audit_key, count, last_id, last_hash))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an event that has no other change to travel with (a failed login).
    async fn record(&self, event: &AuditEvent) -> Result<(), sqlx::Error>;
    /// Checks the whole chain, page by page, from the newest start checkpoint to the head.
    async fn verify_chain(&self) -> Result<ChainStatus, sqlx::Error>;
    /// Checks what was written since the last check that passed (the MACed mark), and moves
    /// the mark on: bounded work for the log page. Rows before the mark are checked by
    /// `verify_chain` (`schulhof audit verify`, and the nightly jobs).
    async fn verify_recent(&self) -> Result<ChainStatus, sqlx::Error>;
    /// SEC-5: on the first start after the upgrade, MACs what an older version left (its
    /// checkpoints, the head, rows it pseudonymised) as of now. Returns a line for the log,
    /// or nothing when there was nothing to anchor.
    async fn anchor_audit(&self) -> Result<Option<String>, sqlx::Error>;
    /// LOG-3: empties the events past their school's retention period (never fewer than
    /// `min_days`, the operator's minimum), keeping the links, and deletes the prefix of the
    /// chain that every school has emptied behind a MACed checkpoint. Returns how many events
    /// were emptied.
    async fn apply_retention(
        &self,
        now: i64,
        min_days: i64,
        audit: &AuditEvent,
    ) -> Result<i64, sqlx::Error>;
    /// The id of the newest event: how far a successful check reached.
    async fn last_event_id(&self) -> Result<i64, sqlx::Error>;
    /// The newest events' actions, newest first, for operators and tests.
    async fn recent_actions(&self, limit: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the audit log, as the composition root registered it.
    pub fn audit(&self) -> &dyn AuditStore {
        self.stores.get::<dyn AuditStore>()
    }
}

impl_both!(AuditStore {
    async fn record(&self, event: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        self.write_audit(&mut tx, event).await?;
        tx.commit().await
    }

    async fn verify_chain(&self) -> Result<ChainStatus, sqlx::Error> {
        self.check_chain(false).await
    }

    async fn verify_recent(&self) -> Result<ChainStatus, sqlx::Error> {
        self.check_chain(true).await
    }

    async fn anchor_audit(&self) -> Result<Option<String>, sqlx::Error> {
        self.anchor().await
    }

    async fn apply_retention(&self, now: i64, min_days: i64, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        self.retain(now, min_days, audit).await
    }

    async fn last_event_id(&self) -> Result<i64, sqlx::Error> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM audit_events").fetch_one(&self.pool).await?;
        Ok(id.unwrap_or(0))
    }

    async fn recent_actions(&self, limit: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
        sqlx::query_as("SELECT action, subject_id FROM audit_events WHERE pruned_at IS NULL ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
});
