//! Who may read the log, their reading sessions, and the school's events as they see them.
use super::{EventFilter, LogEvent, Reader, ReadingSession};
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: i64,
    actor: Option<String>,
    subject: Option<String>,
    action: String,
    details: String,
    ip: String,
}

/// The events a reader of `school` (none: the operator) may see, with the filter applied.
const EVENTS: &str = "FROM audit_events e
     LEFT JOIN users a ON a.id = e.actor_id LEFT JOIN users s ON s.id = e.subject_id
     WHERE e.pruned_at IS NULL AND (($1 = 0 AND e.school_id IS NULL) OR e.school_id = $1)
       AND ($2 = 0 OR e.at >= $2) AND ($3 = 0 OR e.at < $3)
       AND ($4 = '' OR a.login = $4 OR s.login = $4)
       AND ($5 = '' OR e.action = $5)
       AND ($6 = '' OR e.action LIKE $7)";

#[async_trait::async_trait]
pub trait LogStore: Send + Sync {
    async fn readers(&self, school_id: i64) -> Result<Vec<Reader>, sqlx::Error>;
    /// False when the login is not a person of this school.
    async fn grant_reader(
        &self,
        school_id: i64,
        login: &str,
        by: i64,
        audit: &AuditEvent,
    ) -> Result<Option<i64>, sqlx::Error>;
    async fn withdraw_reader(
        &self,
        school_id: i64,
        user_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    async fn is_reader(&self, user_id: i64) -> Result<bool, sqlx::Error>;
    async fn open_reading(
        &self,
        session: &ReadingSession,
        user_id: i64,
        audit: &AuditEvent,
    ) -> Result<i64, sqlx::Error>;
    /// The caller's own reading session, if it has not expired.
    async fn reading(
        &self,
        user_id: i64,
        id: i64,
        now: i64,
    ) -> Result<Option<ReadingSession>, sqlx::Error>;
    /// One page of events and the number matching, newest first; the query itself is audited.
    async fn events(
        &self,
        school_id: i64,
        filter: &EventFilter,
        offset: i64,
        limit: i64,
        audit: &AuditEvent,
    ) -> Result<(Vec<LogEvent>, i64), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of log reading, as the composition root registered it.
    pub fn logs(&self) -> &dyn LogStore {
        self.stores.get::<dyn LogStore>()
    }
}

impl_both!(LogStore {
    async fn readers(&self, school_id: i64) -> Result<Vec<Reader>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT u.id, u.login, u.first_name, u.last_name, r.granted_at FROM log_readers r
             JOIN users u ON u.id = r.user_id WHERE u.school_id = $1 ORDER BY u.sort_key, u.id",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, login, first, last, granted_at)| Reader { user_id, login, name: format!("{first} {last}"), granted_at })
            .collect())
    }

    async fn grant_reader(&self, school_id: i64, login: &str, by: i64, audit: &AuditEvent) -> Result<Option<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let user: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1 AND school_id = $2")
            .bind(login)
            .bind(school_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(user) = user else { return Ok(None) };
        sqlx::query(
            "INSERT INTO log_readers (user_id, granted_by, granted_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user)
        .bind(by)
        .bind(crate::platform::now())
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, &audit.clone().subject(user)).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    async fn withdraw_reader(&self, school_id: i64, user_id: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query(
            "DELETE FROM log_readers WHERE user_id = $1 AND user_id IN (SELECT id FROM users WHERE school_id = $2)",
        )
        .bind(user_id)
        .bind(school_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        // Open reading sessions end with the right.
        sqlx::query("DELETE FROM log_sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn is_reader(&self, user_id: i64) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar("SELECT user_id FROM log_readers WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    async fn open_reading(&self, session: &ReadingSession, user_id: i64, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO log_sessions (user_id, school_id, reason, reference, started_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(session.school_id)
        .bind(&session.reason)
        .bind(&session.reference)
        .bind(session.started_at)
        .bind(session.expires_at)
        .fetch_one(&mut *tx)
        .await?;
        self.write_audit(&mut tx, &audit.clone().details(format!("session {id}: {} ({})", session.reason, session.reference))).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn reading(&self, user_id: i64, id: i64, now: i64) -> Result<Option<ReadingSession>, sqlx::Error> {
        let row: Option<(i64, Option<i64>, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, school_id, reason, reference, started_at, expires_at FROM log_sessions
             WHERE id = $1 AND user_id = $2 AND expires_at > $3",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, school_id, reason, reference, started_at, expires_at)| ReadingSession {
            id,
            school_id,
            reason,
            reference,
            started_at,
            expires_at,
        }))
    }

    async fn events(&self, school_id: i64, filter: &EventFilter, offset: i64, limit: i64, audit: &AuditEvent) -> Result<(Vec<LogEvent>, i64), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        // The query is recorded before it is answered, in the same transaction.
        self.write_audit(&mut tx, audit).await?;
        let kind = format!("{}.%", filter.kind.replace(['%', '_'], ""));
        let rows: Vec<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT e.id, e.at, a.login AS actor, s.login AS subject, e.action, e.details, e.ip {EVENTS}
             ORDER BY e.id DESC LIMIT $8 OFFSET $9"
        )))
        .bind(school_id)
        .bind(filter.from)
        .bind(filter.until)
        .bind(&filter.user)
        .bind(&filter.action)
        .bind(&filter.kind)
        .bind(&kind)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {EVENTS}")))
            .bind(school_id)
            .bind(filter.from)
            .bind(filter.until)
            .bind(&filter.user)
            .bind(&filter.action)
            .bind(&filter.kind)
            .bind(&kind)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((
            rows.into_iter()
                .map(|r| LogEvent { id: r.id, at: r.at, actor: r.actor, subject: r.subject, action: r.action, details: r.details, ip: r.ip })
                .collect(),
            total,
        ))
    }
});
