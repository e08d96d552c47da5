//! Storage for users and sessions. Sessions live in the database, so any app server can
//! answer any request.
use super::{Role, SessionUser};
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub school_id: Option<i64>,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub password_expires_at: Option<i64>,
    /// PW-2: the keyed HMAC of the latest start password issued ([`super::session::slip_mac`]).
    pub slip_mac: Option<String>,
    /// The mail domain of the user's school, so that `login@domain` signs in too.
    pub school_domain: Option<String>,
}

pub struct NewUser<'a> {
    pub school_id: Option<i64>,
    pub login: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
}

/// PW-2: a start password as stored: its argon2 hash, the HMAC that recognises its slip after
/// use, and when it stops working.
pub struct StartPassword {
    pub hash: String,
    pub slip_mac: String,
    pub expires_at: i64,
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub public_id: &'a str,
    pub user_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    login: String,
    first_name: String,
    last_name: String,
    role: String,
    school_id: Option<i64>,
    school_name: Option<String>,
    must_change_password: bool,
    last_seen_at: i64,
    current_policy: Option<i64>,
    accepted_policy: Option<i64>,
}

/// A live session as the HTTP layer sees it.
pub struct LiveSession {
    pub user: SessionUser,
    pub last_seen_at: i64,
}

pub const ACTIVE: &str = "active";

#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, sqlx::Error>;
    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, sqlx::Error>;
    /// Creates a user unless the login is taken; `None` means it was.
    async fn create_user(
        &self,
        user: &NewUser<'_>,
        audit: &AuditEvent,
    ) -> Result<Option<i64>, sqlx::Error>;
    /// PW-2: a start password, valid until its owner has chosen a password or it expires.
    /// Ends all sessions.
    async fn set_start_password(
        &self,
        user_id: i64,
        start: &StartPassword,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    /// PW-2, SEC-1: when and by whom the user's start password was issued.
    async fn start_password_origin(
        &self,
        user_id: i64,
    ) -> Result<Option<super::ResetOrigin>, sqlx::Error>;
    /// SEC-3: removes sessions that ended (past their maximum age, or idle since before
    /// `idle_since`); the scheduled jobs call it, so the table does not grow without bound.
    async fn purge_sessions(&self, now: i64, idle_since: i64) -> Result<u64, sqlx::Error>;
    /// The user's own new password. Ends every session except `keep`.
    async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        keep: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    async fn create_session(
        &self,
        session: &NewSession<'_>,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    /// The session's user if the session is neither expired nor idle for longer than allowed.
    async fn live_session(
        &self,
        token_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<LiveSession>, sqlx::Error>;
    async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), sqlx::Error>;
    async fn end_session(&self, token_hash: &str, audit: &AuditEvent) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of accounts and sessions, as the composition root registered it.
    pub fn accounts(&self) -> &dyn AccountStore {
        self.stores.get::<dyn AccountStore>()
    }
}

impl_both!(AccountStore {
    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT u.id, u.school_id, u.login, u.first_name, u.last_name, u.role, u.status, u.password_hash,
                    u.must_change_password, u.password_expires_at, u.slip_mac, s.mail_domain AS school_domain
             FROM users u LEFT JOIN schools s ON s.id = u.school_id WHERE u.login = $1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await
    }

    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, sqlx::Error> {
        let hash: Option<Option<String>> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(hash.flatten())
    }

    async fn create_user(&self, user: &NewUser<'_>, audit: &AuditEvent) -> Result<Option<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (school_id, login, first_name, last_name, role, status, created_at, search_key, sort_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (login) DO NOTHING RETURNING id",
        )
        .bind(user.school_id)
        .bind(user.login)
        .bind(user.first_name)
        .bind(user.last_name)
        .bind(user.role.code())
        .bind(ACTIVE)
        .bind(crate::platform::now())
        .bind(crate::rules::search::search_key(user.first_name, user.last_name))
        .bind(crate::rules::search::sort_key(user.first_name, user.last_name))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            self.write_audit(&mut tx, &audit.clone().subject(id)).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn purge_sessions(&self, now: i64, idle_since: i64) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
            .bind(now)
            .bind(idle_since)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone)
    }

    async fn start_password_origin(&self, user_id: i64) -> Result<Option<super::ResetOrigin>, sqlx::Error> {
        let row: Option<(Option<i64>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT u.start_password_issued_at, i.first_name, i.last_name
             FROM users u LEFT JOIN users i ON i.id = u.start_password_issued_by WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(at, first, last)| {
            Some(super::ResetOrigin {
                issued_at: at?,
                by: first.zip(last).map(|(f, l)| format!("{f} {l}")),
            })
        }))
    }

    async fn set_start_password(&self, user_id: i64, start: &StartPassword, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, password_expires_at = $3,
             start_password_issued_at = $5, start_password_issued_by = $6, slip_mac = $7 WHERE id = $4")
            .bind(&start.hash)
            .bind(true)
            .bind(start.expires_at)
            .bind(user_id)
            .bind(crate::platform::now())
            .bind(audit.actor_id)
            .bind(&start.slip_mac)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn set_password(&self, user_id: i64, hash: &str, keep: Option<&str>, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, password_expires_at = NULL WHERE id = $3")
            .bind(hash)
            .bind(false)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn create_session(&self, session: &NewSession<'_>, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        // PW-2: a start password works until its owner has chosen a password, so a child whose
        // tablet closed on the password page signs in again with the same slip. Each such
        // sign-in ends the sessions the slip opened before: only the newest one goes on.
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1
             AND EXISTS (SELECT 1 FROM users WHERE id = $1 AND must_change_password = $2)",
        )
        .bind(session.user_id)
        .bind(true)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, public_id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        )
        .bind(session.token_hash)
        .bind(session.public_id)
        .bind(session.user_id)
        .bind(session.now)
        .bind(session.expires_at)
        .bind(session.ip)
        .bind(session.user_agent)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn live_session(&self, token_hash: &str, now: i64, idle_since: i64) -> Result<Option<LiveSession>, sqlx::Error> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT u.id, u.login, u.first_name, u.last_name, u.role, u.school_id, s.name AS school_name,
                    u.must_change_password, se.last_seen_at,
                    (SELECT MAX(pv.id) FROM policy_versions pv WHERE pv.school_id = u.school_id) AS current_policy,
                    (SELECT MAX(pa.policy_version_id) FROM policy_acceptances pa WHERE pa.user_id = u.id) AS accepted_policy
             FROM sessions se
             JOIN users u ON u.id = se.user_id
             LEFT JOIN schools s ON s.id = u.school_id
             WHERE se.token_hash = $1 AND se.expires_at > $2 AND se.last_seen_at > $3 AND u.status = $4",
        )
        .bind(token_hash)
        .bind(now)
        .bind(idle_since)
        .bind(ACTIVE)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| {
            Some(LiveSession {
                user: SessionUser {
                    id: r.id,
                    login: r.login,
                    first_name: r.first_name,
                    last_name: r.last_name,
                    role: Role::from_code(&r.role)?,
                    school_id: r.school_id,
                    school_name: r.school_name,
                    must_change_password: r.must_change_password,
                    policy_pending: r.current_policy.is_some() && r.accepted_policy != r.current_policy,
                },
                last_seen_at: r.last_seen_at,
            })
        }))
    }

    async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    async fn end_session(&self, token_hash: &str, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }
});
