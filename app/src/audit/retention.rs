//! LOG-3, SEC-5: retention per school.
//!
//! One chain runs through every school's events, so one school's expired rows sit in the
//! middle of others'. Deleting them would break the links; instead they are emptied: the row
//! keeps its id, time, school and hashes (what links the chain) and loses who, what and from
//! where. A MACed `prune` checkpoint per school says up to which row that school's content is
//! gone, so the check accepts exactly those empty rows. Once the oldest rows are empty for
//! every school, they are deleted behind a MACed `start` checkpoint.
use super::chain::Checkpoint;
use super::store::AuditEvent;
use crate::platform::db::inherent_both;

inherent_both! {
    pub(crate) async fn retain(&self, now: i64, min_days: i64, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        self.lock_audit_chain(&mut tx).await?;
        let head = self.audit_head(&mut tx).await?;
        // Operator-level events (school 0 here) keep the operator's minimum.
        let mut periods: Vec<(i64, i64)> = sqlx::query_as("SELECT id, audit_retention_days FROM schools")
            .fetch_all(&mut *tx)
            .await?;
        periods.push((0, min_days));
        let mut emptied = 0;
        for (school, days) in periods {
            let cutoff = now - days.max(min_days) * 86_400;
            // The newest row stays whole: the chain always has a head to continue from.
            let up_to: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(id) FROM audit_events WHERE COALESCE(school_id, 0) = $1 AND at < $2 AND id < $3 AND pruned_at IS NULL",
            )
            .bind(school)
            .bind(cutoff)
            .bind(head.last_event_id)
            .fetch_one(&mut *tx)
            .await?;
            let Some(up_to) = up_to else { continue };
            let n = sqlx::query(
                "UPDATE audit_events SET pruned_at = $1, actor_id = NULL, subject_id = NULL, action = '', details = '',
                   ip = '', details_digest = NULL
                 WHERE COALESCE(school_id, 0) = $2 AND id <= $3 AND pruned_at IS NULL",
            )
            .bind(now)
            .bind(school)
            .bind(up_to)
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
            let cp = Checkpoint {
                id: 0,
                kind: "prune".into(),
                school_id: (school != 0).then_some(school),
                last_event_id: up_to,
                last_hash: String::new(),
                deleted: n,
                created_at: now,
                mac: String::new(),
            };
            self.insert_checkpoint(&mut tx, &cp).await?;
            emptied += n;
        }
        // The prefix that every school has emptied goes for good.
        let first_whole: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM audit_events WHERE pruned_at IS NULL")
            .fetch_one(&mut *tx)
            .await?;
        let last_empty: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, hash FROM audit_events WHERE id < $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(first_whole.unwrap_or(0))
        .fetch_optional(&mut *tx)
        .await?;
        let mut count = head.event_count;
        if let Some((last_id, last_hash)) = last_empty {
            let deleted = sqlx::query("DELETE FROM audit_events WHERE id <= $1")
                .bind(last_id)
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64;
            let cp = Checkpoint {
                id: 0,
                kind: "start".into(),
                school_id: None,
                last_event_id: last_id,
                last_hash,
                deleted,
                created_at: now,
                mac: String::new(),
            };
            self.insert_checkpoint(&mut tx, &cp).await?;
            // Prune checkpoints behind the new start say nothing any more.
            sqlx::query("DELETE FROM audit_checkpoints WHERE kind = 'prune' AND last_event_id <= $1")
                .bind(last_id)
                .execute(&mut *tx)
                .await?;
            count -= deleted;
        }
        if emptied == 0 && count == head.event_count {
            // Nothing changed; ending the transaction at once frees the write lock.
            tx.commit().await?;
            return Ok(0);
        }
        self.move_head(&mut tx, count, head.last_event_id, &head.last_hash).await?;
        let details = format!("{emptied} events emptied, {} deleted, up to {}", head.event_count - count, head.last_event_id);
        self.write_audit(&mut tx, &audit.clone().details(details)).await?;
        tx.commit().await?;
        Ok(emptied)
    }

    async fn insert_checkpoint(&self, tx: &mut crate::platform::db::Tx<Self>, cp: &Checkpoint) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit_checkpoints (kind, school_id, last_event_id, last_hash, deleted, created_at, mac)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&cp.kind)
        .bind(cp.school_id)
        .bind(cp.last_event_id)
        .bind(&cp.last_hash)
        .bind(cp.deleted)
        .bind(cp.created_at)
        .bind(cp.expected_mac(&self.audit_key))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
