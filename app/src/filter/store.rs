//! The link blocklist: the deployment's list (school 0) and each school's additions.
use super::BlockedEntry;
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

/// Rows per INSERT statement when importing: well inside both backends' parameter limits.
const BATCH: usize = 1000;

#[async_trait::async_trait]
pub trait LinkFilterStore: Send + Sync {
    /// Entries of the deployment's and the school's list for any of `hosts`, as (domain, path).
    async fn blocked_matches(
        &self,
        school_id: i64,
        hosts: &[String],
    ) -> Result<Vec<(String, String)>, sqlx::Error>;
    /// Adds entries to one list in one transaction; returns how many were new.
    async fn add_blocked(
        &self,
        list: i64,
        entries: &[(String, String)],
        audit: &AuditEvent,
    ) -> Result<u64, sqlx::Error>;
    async fn remove_blocked(
        &self,
        list: i64,
        id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// One list's entries containing `query`, at most 100, and the list's size.
    async fn blocked_entries(
        &self,
        list: i64,
        query: &str,
    ) -> Result<(Vec<BlockedEntry>, i64), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the link filter, as the composition root registered it.
    pub fn link_filter(&self) -> &dyn LinkFilterStore {
        self.stores.get::<dyn LinkFilterStore>()
    }
}

impl_both!(LinkFilterStore {
    async fn blocked_matches(&self, school_id: i64, hosts: &[String]) -> Result<Vec<(String, String)>, sqlx::Error> {
        let mut found = Vec::new();
        for chunk in hosts.chunks(500) {
            let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT domain, path_prefix FROM link_blocklist WHERE school_id IN (0, $1) AND domain IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(school_id);
            for host in chunk {
                query = query.bind(host);
            }
            let rows: Vec<(String, String)> = query.fetch_all(&self.pool).await?;
            found.extend(rows);
        }
        Ok(found)
    }

    async fn add_blocked(&self, list: i64, entries: &[(String, String)], audit: &AuditEvent) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let now = crate::platform::now();
        let mut added = 0;
        for chunk in entries.chunks(BATCH) {
            // Each row is (list, time, domain, path); list and time are shared parameters.
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, $2, ${}, ${})", 3 + 2 * i, 4 + 2 * i))
                .collect();
            let sql = format!(
                "INSERT INTO link_blocklist (school_id, created_at, domain, path_prefix) VALUES {} ON CONFLICT DO NOTHING",
                rows.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(list).bind(now);
            for (domain, path) in chunk {
                query = query.bind(domain).bind(path);
            }
            added += query.execute(&mut *tx).await?.rows_affected();
        }
        self.write_audit(&mut tx, &audit.clone().details(format!("{} ({added} new)", audit.details))).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn remove_blocked(&self, list: i64, id: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let removed: Option<(String, String)> = sqlx::query_as(
            "DELETE FROM link_blocklist WHERE id = $1 AND school_id = $2 RETURNING domain, path_prefix",
        )
        .bind(id)
        .bind(list)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((domain, path)) = removed else { return Ok(false) };
        self.write_audit(&mut tx, &audit.clone().details(format!("{} {domain}{path}", audit.details))).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn blocked_entries(&self, list: i64, query: &str) -> Result<(Vec<BlockedEntry>, i64), sqlx::Error> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, domain, path_prefix FROM link_blocklist WHERE school_id = $1 AND domain LIKE $2
             ORDER BY domain, path_prefix LIMIT 100",
        )
        .bind(list)
        .bind(format!("%{}%", query.replace(['%', '_'], "")))
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM link_blocklist WHERE school_id = $1")
            .bind(list)
            .fetch_one(&self.pool)
            .await?;
        Ok((
            rows.into_iter().map(|(id, domain, path)| BlockedEntry { id, entry: format!("{domain}{path}") }).collect(),
            total,
        ))
    }
});
