//! SEC-5, LOG-3: the MACs that make the audit log tamper-evident, and the check.
//!
//! What is MACed with the deployment's key, and why:
//! - each row's hash covers the previous row's hash and the row (its details by digest, so
//!   that a pseudonymised text still links): an edited, inserted or removed row breaks a link;
//! - every checkpoint: a forged "start" checkpoint could otherwise hide deleted old rows, and
//!   a forged "prune" checkpoint could excuse emptied rows;
//! - the head (row count, newest id and hash): without it, deleting the newest rows leaves a
//!   shorter chain that still links;
//! - each pseudonymisation, by the digest of the text it left: a row whose text no longer
//!   matches its digest is accepted only when Schulhof changed it.
//!
//! The limit (docs/security.md): the key sits beside the database on one machine, so whoever
//! holds both can rewrite history; the chain protects against whoever holds only the database.
use std::collections::HashMap;

use super::store::ChainStatus;
use crate::platform::db::{Tx, inherent_both};
use crate::platform::secret::{Secret, hmac_hex as mac, sha256_hex};

/// LIFE-3: how pseudonymised details begin, so that a reader knows why names are missing.
/// The check does not trust the marker; it trusts the MACed record in `audit_pseudonyms`.
pub const PSEUDONYMISED: &str = "[pseudonymisiert] ";

/// Rows checked per query, so that checking a long log holds one page in memory.
const PAGE: i64 = 1000;

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// What a row's hash covers besides the previous hash.
pub(crate) struct Link<'a> {
    pub at: i64,
    pub school_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub action: &'a str,
    /// The digest of the details (rows written before digests existed: the text itself).
    pub details: &'a str,
    pub ip: &'a str,
}

pub(crate) fn link_hash(key: &Secret, prev: &str, e: &Link<'_>) -> String {
    // The row hash carries no domain tag: rows written by earlier versions must still verify.
    mac(
        key,
        &[
            prev,
            &e.at.to_string(),
            &opt(e.school_id),
            &opt(e.actor_id),
            &opt(e.subject_id),
            e.action,
            e.details,
            e.ip,
        ],
    )
}

pub(crate) fn head_mac(key: &Secret, count: i64, last_id: i64, last_hash: &str) -> String {
    mac(
        key,
        &["head", &count.to_string(), &last_id.to_string(), last_hash],
    )
}

fn mark_mac(key: &Secret, id: i64, hash: &str) -> String {
    mac(key, &["verified", &id.to_string(), hash])
}

/// The MAC of the text a pseudonymisation left in row `event_id`.
pub(crate) fn text_mac(key: &Secret, event_id: i64, text: &str) -> String {
    mac(
        key,
        &["pseudonym", &event_id.to_string(), &sha256_hex(text)],
    )
}

#[derive(sqlx::FromRow)]
pub(crate) struct Head {
    pub event_count: i64,
    pub last_event_id: i64,
    pub last_hash: String,
    pub mac: String,
    pub anchored_at: Option<i64>,
    pub verified_event_id: i64,
    pub verified_hash: String,
    pub verified_mac: String,
}

/// `start`: every row up to `last_event_id` was deleted; the chain goes on from `last_hash`.
/// `prune`: every row of `school_id` (none: the operator's) up to `last_event_id` was emptied.
#[derive(sqlx::FromRow)]
pub(crate) struct Checkpoint {
    /// Not covered by the MAC: the row's place in the table says nothing.
    pub id: i64,
    pub kind: String,
    pub school_id: Option<i64>,
    pub last_event_id: i64,
    pub last_hash: String,
    pub deleted: i64,
    pub created_at: i64,
    pub mac: String,
}

impl Checkpoint {
    pub fn expected_mac(&self, key: &Secret) -> String {
        mac(
            key,
            &[
                "checkpoint",
                &self.kind,
                &opt(self.school_id),
                &self.last_event_id.to_string(),
                &self.last_hash,
                &self.deleted.to_string(),
                &self.created_at.to_string(),
            ],
        )
    }
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
    pruned_at: Option<i64>,
}

/// Where a check starts: after this row, whose hash the next row must name.
struct Start {
    after: i64,
    prev: String,
}

inherent_both! {
    pub(crate) async fn check_chain(&self, incremental: bool) -> Result<ChainStatus, sqlx::Error> {
        // One snapshot: rows written while the check runs are after the head it read.
        let mut tx = self.begin_snapshot().await?;
        let head: Head = sqlx::query_as("SELECT * FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
        if head.mac != head_mac(&self.audit_key, head.event_count, head.last_event_id, &head.last_hash) {
            return Ok(ChainStatus::BrokenAt(head.last_event_id));
        }
        let checkpoints: Vec<Checkpoint> = sqlx::query_as(
            "SELECT id, kind, school_id, last_event_id, last_hash, deleted, created_at, mac FROM audit_checkpoints ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut from = Start { after: 0, prev: String::new() };
        // School (0: the operator) → the last row whose content retention emptied.
        let mut pruned: HashMap<i64, i64> = HashMap::new();
        for cp in &checkpoints {
            if cp.mac != cp.expected_mac(&self.audit_key) {
                return Ok(ChainStatus::BrokenAt(cp.last_event_id));
            }
            match cp.kind.as_str() {
                "start" => from = Start { after: cp.last_event_id, prev: cp.last_hash.clone() },
                "prune" => {
                    let up_to = pruned.entry(cp.school_id.unwrap_or(0)).or_default();
                    *up_to = (*up_to).max(cp.last_event_id);
                }
                _ => return Ok(ChainStatus::BrokenAt(cp.last_event_id)),
            }
        }
        // Rows before the start checkpoint are not in the chain: someone put them there.
        let stray: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM audit_events WHERE id <= $1")
            .bind(from.after)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(id) = stray {
            return Ok(ChainStatus::BrokenAt(id));
        }
        let mark_ok = head.verified_mac == mark_mac(&self.audit_key, head.verified_event_id, &head.verified_hash);
        if incremental && mark_ok && head.verified_event_id > from.after && head.verified_event_id <= head.last_event_id {
            from = Start { after: head.verified_event_id, prev: head.verified_hash.clone() };
        }
        loop {
            let rows: Vec<StoredEvent> = sqlx::query_as(
                "SELECT id, at, school_id, actor_id, subject_id, action, details, ip, prev_hash, hash, details_digest, pruned_at
                 FROM audit_events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
            )
            .bind(from.after)
            .bind(head.last_event_id)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                if !self.row_holds(&mut tx, row, &from.prev, &pruned).await? {
                    return Ok(ChainStatus::BrokenAt(row.id));
                }
                from = Start { after: row.id, prev: row.hash.clone() };
            }
        }
        // The newest row must be the one the head names, and nothing may be missing or added.
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(&mut *tx).await?;
        if from.after != head.last_event_id || from.prev != head.last_hash || count != head.event_count {
            return Ok(ChainStatus::BrokenAt(head.last_event_id));
        }
        drop(tx);
        if incremental && from.after != head.verified_event_id {
            let mut tx = self.begin_write().await?;
            sqlx::query("UPDATE audit_head SET verified_event_id = $1, verified_hash = $2, verified_mac = $3 WHERE id = 1")
                .bind(from.after)
                .bind(&from.prev)
                .bind(mark_mac(&self.audit_key, from.after, &from.prev))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(ChainStatus::Intact(head.event_count))
    }

    async fn row_holds(
        &self,
        tx: &mut Tx<Self>,
        row: &StoredEvent,
        prev: &str,
        pruned: &HashMap<i64, i64>,
    ) -> Result<bool, sqlx::Error> {
        if row.prev_hash != prev {
            return Ok(false);
        }
        // An emptied row keeps its link; a MACed checkpoint must say its school's rows went.
        if row.pruned_at.is_some() {
            return Ok(pruned.get(&row.school_id.unwrap_or(0)).is_some_and(|&up_to| row.id <= up_to));
        }
        let link = Link {
            at: row.at,
            school_id: row.school_id,
            actor_id: row.actor_id,
            subject_id: row.subject_id,
            action: &row.action,
            details: row.details_digest.as_deref().unwrap_or(&row.details),
            ip: &row.ip,
        };
        if row.hash != link_hash(&self.audit_key, prev, &link) {
            return Ok(false);
        }
        match &row.details_digest {
            // Rows written before digests existed: the hash covers the text itself.
            None => Ok(true),
            Some(digest) if sha256_hex(&row.details) == *digest => Ok(true),
            // The text changed: only a recorded pseudonymisation may have changed it.
            Some(_) => {
                let recorded: Option<String> = sqlx::query_scalar(
                    "SELECT text_mac FROM audit_pseudonyms WHERE event_id = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(row.id)
                .fetch_optional(&mut **tx)
                .await?;
                Ok(recorded.is_some_and(|m| m == text_mac(&self.audit_key, row.id, &row.details)))
            }
        }
    }

    /// Runs once per database: the migration left the head un-MACed (`anchored_at` NULL).
    pub(crate) async fn anchor(&self) -> Result<Option<String>, sqlx::Error> {
        // Every start reads this; only the first takes the write lock (a console command must
        // not wait on a busy server).
        let anchored: Option<i64> = sqlx::query_scalar("SELECT anchored_at FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        if anchored.is_some() {
            return Ok(None);
        }
        let mut tx = self.begin_write().await?;
        self.lock_audit_chain(&mut tx).await?;
        let head = self.audit_head(&mut tx).await?;
        if head.anchored_at.is_some() {
            tx.commit().await?;
            return Ok(None);
        }
        let now = crate::platform::now();
        let checkpoints: Vec<Checkpoint> = sqlx::query_as("SELECT * FROM audit_checkpoints").fetch_all(&mut *tx).await?;
        for cp in &checkpoints {
            sqlx::query("UPDATE audit_checkpoints SET mac = $1 WHERE id = $2")
                .bind(cp.expected_mac(&self.audit_key))
                .bind(cp.id)
                .execute(&mut *tx)
                .await?;
        }
        // Rows an older version pseudonymised carry only the marker: record them as they are.
        let marked: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, details, details_digest FROM audit_events WHERE details_digest IS NOT NULL AND details LIKE $1",
        )
        .bind(format!("{}%", PSEUDONYMISED.trim_end()))
        .fetch_all(&mut *tx)
        .await?;
        let mut recorded = 0;
        for (id, details, digest) in &marked {
            if sha256_hex(details) != *digest {
                sqlx::query("INSERT INTO audit_pseudonyms (event_id, at, pseudonym, text_mac) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(now)
                    .bind("(vor dem Update)")
                    .bind(text_mac(&self.audit_key, *id, details))
                    .execute(&mut *tx)
                    .await?;
                recorded += 1;
            }
        }
        self.move_head(&mut tx, head.event_count, head.last_event_id, &head.last_hash).await?;
        sqlx::query("UPDATE audit_head SET anchored_at = $1 WHERE id = 1").bind(now).execute(&mut *tx).await?;
        let line = (head.event_count > 0 || !checkpoints.is_empty()).then(|| {
            format!(
                "audit log anchored as of this upgrade: {} events up to {}, {} checkpoints, {recorded} pseudonymised rows",
                head.event_count,
                head.last_event_id,
                checkpoints.len()
            )
        });
        if let Some(line) = &line {
            let event = super::AuditEvent::new("audit.anchored", &crate::platform::RequestInfo::default()).details(line.clone());
            self.write_audit(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(line)
    }
}
