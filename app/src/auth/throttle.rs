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

/// PAR-2: registration codes tried from one address. A code has about 79 bits, so the throttle
/// is not what keeps codes safe; it keeps a flood of guesses slow and visible, while a family
/// that mistypes a few times is never held up.
pub const CODE_FROM_ADDRESS: Rule = Rule {
    scope: "code+address",
    free_failures: 10,
    max_delay_secs: 300,
};

/// The throttle key of one attempt to redeem a registration code.
pub fn code_keys(ip: &str) -> [(String, &'static Rule); 1] {
    [(
        format!("{}|{}", CODE_FROM_ADDRESS.scope, address_key(ip)),
        &CODE_FROM_ADDRESS,
    )]
}

/// Failures older than this are forgotten.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The throttle counts in milliseconds (`platform::now_ms`): whole seconds would turn a
/// one-second delay into anything between nothing and one second, depending on where the
/// clock ticks.
pub fn delay_after(rule: &Rule, failures: i64) -> i64 {
    let over = failures - rule.free_failures;
    if over <= 0 {
        0
    } else {
        (1i64 << (over - 1).min(20)).min(rule.max_delay_secs)
    }
}

/// The keys that name `login`: the account's own, and the start of every account-and-address
/// key. Deleting a person forgets exactly these (LIFE-3).
pub fn login_keys(login: &str) -> (String, String) {
    (
        format!("{}|{login}", ACCOUNT.scope),
        format!("{}|{login}|", ACCOUNT_FROM_ADDRESS.scope),
    )
}

/// The throttle keys of one sign-in attempt, each with its rule.
pub fn keys(login: &str, ip: &str) -> [(String, &'static Rule); 3] {
    let ip = address_key(ip);
    let (account, account_from) = login_keys(login);
    [
        (format!("{account_from}{ip}"), &ACCOUNT_FROM_ADDRESS),
        (account, &ACCOUNT),
        (format!("{}|{ip}", ADDRESS.scope), &ADDRESS),
    ]
}

#[async_trait::async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Whole seconds (rounded up) until another attempt is allowed, if any key is blocked at
    /// `now_ms`. Reads only: a flood of throttled attempts takes no write lock.
    async fn blocked_for(&self, keys: &[String], now_ms: i64) -> Result<Option<i64>, sqlx::Error>;
    /// SEC-2: counts this attempt against every key *before* the password is checked, in one
    /// transaction, unless a key is blocked: then nothing is counted and the wait is returned.
    /// Parallel attempts are serialised by the row (PostgreSQL) or the write lock (SQLite), so
    /// each sees the blocks the ones before it set: N parallel guesses get no more tries than
    /// N guesses in a row.
    async fn reserve(
        &self,
        keys: &[(String, &'static Rule)],
        now_ms: i64,
    ) -> Result<Option<i64>, sqlx::Error>;
    /// A successful attempt gives its reservation back: the account's keys are forgotten, the
    /// address's counter goes down by one, so a classroom behind one address never blocks itself.
    async fn refund(&self, keys: &[(String, &'static Rule)]) -> Result<(), sqlx::Error>;
    /// Forgets throttle rows whose last failure is older than the window (the scheduled jobs).
    async fn purge_throttle(&self, now_ms: i64) -> Result<u64, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the sign-in throttle, as the composition root registered it.
    pub fn throttle(&self) -> &dyn ThrottleStore {
        self.stores.get::<dyn ThrottleStore>()
    }
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

    async fn reserve(&self, keys: &[(String, &'static Rule)], now: i64) -> Result<Option<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        for (key, rule) in keys {
            // The count and the block check are one statement: the update happens only while
            // the key is not blocked, and a blocked key returns no row.
            let failures: Option<i64> = sqlx::query_scalar(
                "INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, 0)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 ELSE login_throttle.failures + 1 END,
                   last_failure_at = $2
                 WHERE login_throttle.blocked_until <= $2
                 RETURNING failures",
            )
            .bind(key)
            .bind(now)
            .bind(now - WINDOW_MS)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(failures) = failures else {
                let until: i64 = sqlx::query_scalar("SELECT blocked_until FROM login_throttle WHERE key = $1")
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.rollback().await?;
                return Ok(Some(((until - now + 999) / 1000).max(1)));
            };
            let delay = delay_after(rule, failures);
            if delay > 0 {
                sqlx::query("UPDATE login_throttle SET blocked_until = $1 WHERE key = $2")
                    .bind(now + delay * 1000)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(None)
    }

    async fn refund(&self, keys: &[(String, &'static Rule)]) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        for (key, rule) in keys {
            if rule.scope == ADDRESS.scope {
                sqlx::query(
                    "UPDATE login_throttle SET failures = failures - 1,
                       blocked_until = CASE WHEN failures - 1 <= $2 THEN 0 ELSE blocked_until END
                     WHERE key = $1 AND failures > 0",
                )
                .bind(key)
                .bind(rule.free_failures)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(&mut *tx).await?;
            }
        }
        tx.commit().await
    }

    async fn purge_throttle(&self, now: i64) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM login_throttle WHERE last_failure_at < $1 AND blocked_until < $2")
            .bind(now - WINDOW_MS)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone)
    }
});

/// SEC-2: refused (throttled) attempts are counted in memory (`AppState::refusals`) and
/// written here as one `auth.throttled` event per login and minute, with the count: a flood of
/// refusals writes nothing per request. A crash loses at most a minute of counts; the throttle
/// itself lives in the database and is not affected.
///
/// Writes the counted refusals as audit events, one per login, each carrying the school of
/// the account it names (if there is one), and returns how many were written.
pub async fn flush_refusals(state: &crate::platform::AppState) -> Result<usize, sqlx::Error> {
    let counts = state.refusals.take();
    let system = crate::platform::RequestInfo::default();
    for (login, count) in &counts {
        let mut event =
            AuditEvent::new("auth.throttled", &system).details(format!("{login}: {count}"));
        if let Some(user) = state.accounts().user_by_login(login).await? {
            event = event.subject(user.id).school(user.school_id);
        }
        state.audit().record(&event).await?;
    }
    Ok(counts.len())
}

/// The part of an address a throttle key uses: IPv6 clients get a whole /64 from their
/// provider and can rotate inside it, so an IPv6 address counts as its /64.
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => ip.to_string(),
    }
}

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

    // SEC-2: one IPv6 /64 is one address for the throttle; IPv4 stays as it is.
    #[test]
    fn sec_2_ipv6_counts_by_its_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:bbbb:cccc:dddd:eeee"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(address_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(address_key("::ffff:192.0.2.7"), "192.0.2.7");
    }
}
