//! Brute-force throttling for sign-in. The counters live in the database, so every app server
//! sees the same ones. Nothing ever locks for good: delays grow, are capped, and fade after a
//! quiet quarter of an hour, so an attacker can slow a real user down but never shut them out.
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

/// How many failures a key may collect before delays start, and the longest delay.
pub struct Rule {
    pub scope: &'static str,
    pub free_failures: i64,
    pub max_delay_secs: i64,
}

/// One account from one address: the guessing attacker. Strict.
pub const ACCOUNT_FROM_ADDRESS: Rule = Rule {
    scope: "account+address",
    free_failures: 5,
    max_delay_secs: 300,
};
/// One account from anywhere: distributed guessing. The short cap keeps the real user, who is
/// at another address, delayed by a minute at most.
pub const ACCOUNT: Rule = Rule {
    scope: "account",
    free_failures: 20,
    max_delay_secs: 60,
};
/// One address for any account: a classroom of 30 tablets behind one NAT shares it, so it is
/// generous; successful logins never count.
pub const ADDRESS: Rule = Rule {
    scope: "address",
    free_failures: 100,
    max_delay_secs: 60,
};

/// Failures older than this are forgotten.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Milliseconds since the Unix epoch: whole seconds would turn a one-second delay into
/// anything between nothing and one second, depending on where the clock ticks.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

pub fn delay_after(rule: &Rule, failures: i64) -> i64 {
    let over = failures - rule.free_failures;
    if over <= 0 {
        0
    } else {
        (1i64 << (over - 1).min(20)).min(rule.max_delay_secs)
    }
}

/// The throttle keys of one sign-in attempt, each with its rule.
pub fn keys(login: &str, ip: &str) -> [(String, &'static Rule); 3] {
    [
        (
            format!("{}|{login}|{ip}", ACCOUNT_FROM_ADDRESS.scope),
            &ACCOUNT_FROM_ADDRESS,
        ),
        (format!("{}|{login}", ACCOUNT.scope), &ACCOUNT),
        (format!("{}|{ip}", ADDRESS.scope), &ADDRESS),
    ]
}

#[async_trait::async_trait]
pub trait ThrottleStore {
    /// Whole seconds (rounded up) until another attempt is allowed, if any key is blocked at
    /// `now_ms`.
    async fn blocked_for(&self, keys: &[String], now_ms: i64) -> Result<Option<i64>, sqlx::Error>;
    /// Counts a failure against every key at `now` (milliseconds), with the audit event, in
    /// one transaction.
    async fn record_failure(
        &self,
        keys: &[(String, &'static Rule)],
        now: i64,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    /// Forgets the failures of the given keys after a successful login.
    async fn clear(&self, keys: &[String]) -> Result<(), sqlx::Error>;
}

impl_both!(ThrottleStore {
    async fn blocked_for(&self, keys: &[String], now_ms: i64) -> Result<Option<i64>, sqlx::Error> {
        let mut longest: Option<i64> = None;
        for key in keys {
            let until: Option<i64> = sqlx::query_scalar("SELECT blocked_until FROM login_throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(until) = until.filter(|until| *until > now_ms) {
                let seconds = (until - now_ms + 999) / 1000;
                longest = Some(longest.unwrap_or(0).max(seconds));
            }
        }
        Ok(longest)
    }

    async fn record_failure(&self, keys: &[(String, &'static Rule)], now: i64, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        for (key, rule) in keys {
            // The increment happens in SQL, so concurrent failures on several servers all count.
            let failures: i64 = sqlx::query_scalar(
                "INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, 0)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 ELSE login_throttle.failures + 1 END,
                   last_failure_at = $2
                 RETURNING failures",
            )
            .bind(key)
            .bind(now)
            .bind(now - WINDOW_MS)
            .fetch_one(&mut *tx)
            .await?;
            let delay = delay_after(rule, failures);
            if delay > 0 {
                sqlx::query("UPDATE login_throttle SET blocked_until = $1 WHERE key = $2")
                    .bind(now + delay * 1000)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn clear(&self, keys: &[String]) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        for key in keys {
            sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(&mut *tx).await?;
        }
        tx.commit().await
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pw_3_delays_grow_and_are_capped() {
        let delays: Vec<i64> = (1..=16)
            .map(|n| delay_after(&ACCOUNT_FROM_ADDRESS, n))
            .collect();
        assert_eq!(&delays[..9], &[0, 0, 0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(
            delay_after(&ACCOUNT_FROM_ADDRESS, 1000),
            300,
            "capped, never permanent"
        );
        assert_eq!(
            delay_after(&ADDRESS, 30),
            0,
            "a class behind one NAT typing wrong passwords"
        );
    }
}
