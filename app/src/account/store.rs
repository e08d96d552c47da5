use super::{AccountOverview, LoginRecord, SessionInfo};
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

#[derive(sqlx::FromRow)]
struct SessionRow {
    public_id: String,
    token_hash: String,
    user_agent: String,
    ip: String,
    created_at: i64,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    at: i64,
    ip: String,
    action: String,
}

#[async_trait::async_trait]
pub trait SessionListStore: Send + Sync {
    async fn overview(
        &self,
        user_id: i64,
        current_token_hash: Option<&str>,
    ) -> Result<AccountOverview, sqlx::Error>;
    /// False when `public_id` is not one of `user_id`'s sessions.
    async fn end_own_session(
        &self,
        user_id: i64,
        public_id: &str,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    async fn end_other_sessions(
        &self,
        user_id: i64,
        keep_token_hash: &str,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the own-sessions list, as the composition root registered it.
    pub fn session_list(&self) -> &dyn SessionListStore {
        self.stores.get::<dyn SessionListStore>()
    }
}

impl_both!(SessionListStore {
    async fn overview(&self, user_id: i64, current_token_hash: Option<&str>) -> Result<AccountOverview, sqlx::Error> {
        let sessions: Vec<SessionRow> = sqlx::query_as(
            "SELECT public_id, token_hash, user_agent, ip, created_at, last_seen_at
             FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let logins: Vec<LoginRow> = sqlx::query_as(
            "SELECT at, ip, action FROM audit_events
             WHERE subject_id = $1 AND action IN ('auth.login', 'auth.login_failed')
             ORDER BY id DESC LIMIT 10",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(AccountOverview {
            sessions: sessions
                .into_iter()
                .map(|s| SessionInfo {
                    current: Some(s.token_hash.as_str()) == current_token_hash,
                    id: s.public_id,
                    user_agent: s.user_agent,
                    ip: s.ip,
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                })
                .collect(),
            logins: logins
                .into_iter()
                .map(|l| LoginRecord { at: l.at, ip: l.ip, succeeded: l.action == "auth.login" })
                .collect(),
        })
    }

    async fn end_own_session(&self, user_id: i64, public_id: &str, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2 AND public_id <> ''")
            .bind(user_id)
            .bind(public_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if ended == 0 {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn end_other_sessions(&self, user_id: i64, keep_token_hash: &str, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_token_hash)
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }
});
