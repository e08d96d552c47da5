//! Calendars in the database: events, their history (CAL-2) and feed tokens (CAL-3).
use crate::audit::AuditEvent;
use crate::platform::db::{Tx, impl_both, inherent_both};
use crate::rules::calendar::{EventFields, Repeat};

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct EventRow {
    pub id: i64,
    pub school_id: i64,
    pub owner_user_id: Option<i64>,
    pub group_id: Option<i64>,
    pub title: String,
    pub place: String,
    pub description: String,
    pub event_date: String,
    pub start_time: String,
    pub end_time: String,
    pub repeat: String,
    pub until: String,
    pub exceptions: String,
    pub reminder_minutes: i64,
    pub version: i64,
    pub deleted_at: Option<i64>,
}

impl EventRow {
    pub fn fields(&self) -> EventFields {
        EventFields {
            title: self.title.clone(),
            place: self.place.clone(),
            description: self.description.clone(),
            date: self.event_date.clone(),
            start: self.start_time.clone(),
            end: self.end_time.clone(),
            repeat: Repeat::parse(&self.repeat).unwrap_or(Repeat::Never),
            until: self.until.clone(),
            exceptions: self
                .exceptions
                .split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect(),
            reminder: self.reminder_minutes,
        }
    }
}

const EVENT: &str =
    "SELECT id, school_id, owner_user_id, group_id, title, place, description, event_date,
       start_time, end_time, repeat, until, exceptions, reminder_minutes, version, deleted_at
     FROM calendar_events";

/// Which calendar: a person's (`owner`), a group's, or the school's (both `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarKey {
    pub school_id: i64,
    pub owner: Option<i64>,
    pub group: Option<i64>,
}

/// CAL-2: one line of history, written in the same transaction as the change.
pub struct Change<'a> {
    pub by: i64,
    pub by_name: &'a str,
    pub action: &'a str,
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct HistoryRow {
    pub changed_by_name: String,
    pub changed_at: i64,
    pub action: String,
    pub before_json: String,
    pub after_json: String,
}

/// (id, calendar, created at, revoked at, the token if not shown yet).
pub type FeedRow = (i64, String, i64, Option<i64>, Option<String>);

#[async_trait::async_trait]
pub trait CalendarStore: Send + Sync {
    /// Live events of a calendar that can happen between `from` and `to` (`YYYY-MM-DD`).
    async fn events_between(
        &self,
        calendar: CalendarKey,
        from: &str,
        to: &str,
    ) -> Result<Vec<EventRow>, sqlx::Error>;
    async fn event(&self, school_id: i64, id: i64) -> Result<Option<EventRow>, sqlx::Error>;
    /// Creates an event; `change` writes the first line of its history (group and school).
    async fn create_event(
        &self,
        calendar: CalendarKey,
        fields: &EventFields,
        change: Option<&Change<'_>>,
    ) -> Result<i64, sqlx::Error>;
    /// Saves over `version`; false when someone saved in the meantime (CAL-2).
    async fn update_event(
        &self,
        id: i64,
        version: i64,
        before: &EventFields,
        fields: &EventFields,
        change: Option<&Change<'_>>,
    ) -> Result<bool, sqlx::Error>;
    async fn delete_event(
        &self,
        id: i64,
        version: i64,
        before: &EventFields,
        change: Option<&Change<'_>>,
    ) -> Result<bool, sqlx::Error>;
    async fn history(&self, event_id: i64) -> Result<Vec<HistoryRow>, sqlx::Error>;
    async fn calendar_members_write(&self, school_id: i64) -> Result<bool, sqlx::Error>;
    async fn set_calendar_members_write(
        &self,
        school_id: i64,
        allowed: bool,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    async fn create_feed(
        &self,
        user_id: i64,
        token_hash: &str,
        token: &str,
        calendar: &str,
    ) -> Result<i64, sqlx::Error>;
    /// The user's feeds; a token not yet shown is handed out once and then forgotten.
    async fn take_feeds(&self, user_id: i64) -> Result<Vec<FeedRow>, sqlx::Error>;
    async fn revoke_feed(&self, user_id: i64, id: i64, now: i64) -> Result<bool, sqlx::Error>;
    /// The owner and calendar of a live feed; `None` when revoked, or the owner is locked,
    /// withdrawn or deleted (VIOL-2).
    async fn feed_owner(
        &self,
        token_hash: &str,
    ) -> Result<Option<(crate::auth::SessionUser, String)>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of calendars, as the composition root registered it.
    pub fn calendar(&self) -> &dyn CalendarStore {
        self.stores.get::<dyn CalendarStore>()
    }
}

inherent_both! {
    async fn write_change(&self, tx: &mut Tx<Self>, event_id: i64, change: &Change<'_>, before: &str, after: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO calendar_history (event_id, changed_by, changed_by_name, changed_at, action, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event_id)
        .bind(change.by)
        .bind(change.by_name)
        .bind(crate::platform::now())
        .bind(change.action)
        .bind(before)
        .bind(after)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

fn json(fields: &EventFields) -> String {
    serde_json::to_string(fields).unwrap_or_default()
}

impl_both!(CalendarStore {
    async fn events_between(&self, calendar: CalendarKey, from: &str, to: &str) -> Result<Vec<EventRow>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{EVENT} WHERE school_id = $1 AND COALESCE(owner_user_id, 0) = $2 AND COALESCE(group_id, 0) = $3
               AND deleted_at IS NULL AND event_date <= $5
               AND (event_date >= $4 OR (repeat <> '' AND (until = '' OR until >= $4)))
             ORDER BY event_date, start_time, id LIMIT 2000"
        )))
        .bind(calendar.school_id)
        .bind(calendar.owner.unwrap_or(0))
        .bind(calendar.group.unwrap_or(0))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
    }

    async fn event(&self, school_id: i64, id: i64) -> Result<Option<EventRow>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENT} WHERE id = $1 AND school_id = $2")))
            .bind(id)
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn create_event(&self, calendar: CalendarKey, f: &EventFields, change: Option<&Change<'_>>) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let now = crate::platform::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO calendar_events (school_id, owner_user_id, group_id, title, place, description, event_date,
                 start_time, end_time, repeat, until, exceptions, reminder_minutes, version, created_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15) RETURNING id",
        )
        .bind(calendar.school_id)
        .bind(calendar.owner)
        .bind(calendar.group)
        .bind(&f.title)
        .bind(&f.place)
        .bind(&f.description)
        .bind(&f.date)
        .bind(&f.start)
        .bind(&f.end)
        .bind(f.repeat.code())
        .bind(&f.until)
        .bind(f.exceptions.join(","))
        .bind(f.reminder)
        .bind(change.map(|c| c.by))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(change) = change {
            self.write_change(&mut tx, id, change, "", &json(f)).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn update_event(&self, id: i64, version: i64, before: &EventFields, f: &EventFields, change: Option<&Change<'_>>) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE calendar_events SET title = $3, place = $4, description = $5, event_date = $6, start_time = $7,
                 end_time = $8, repeat = $9, until = $10, exceptions = $11, reminder_minutes = $12,
                 version = version + 1, updated_at = $13
             WHERE id = $1 AND version = $2 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(version)
        .bind(&f.title)
        .bind(&f.place)
        .bind(&f.description)
        .bind(&f.date)
        .bind(&f.start)
        .bind(&f.end)
        .bind(f.repeat.code())
        .bind(&f.until)
        .bind(f.exceptions.join(","))
        .bind(f.reminder)
        .bind(crate::platform::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        if let Some(change) = change {
            self.write_change(&mut tx, id, change, &json(before), &json(f)).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_event(&self, id: i64, version: i64, before: &EventFields, change: Option<&Change<'_>>) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let now = crate::platform::now();
        let done = match change {
            // Group and school events stay as a deleted row, so their history keeps its subject.
            Some(_) => sqlx::query(
                "UPDATE calendar_events SET deleted_at = $3, version = version + 1, updated_at = $3
                 WHERE id = $1 AND version = $2 AND deleted_at IS NULL",
            )
            .bind(id)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            None => sqlx::query("DELETE FROM calendar_events WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
        };
        if done == 0 {
            return Ok(false);
        }
        if let Some(change) = change {
            self.write_change(&mut tx, id, change, &json(before), "").await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn history(&self, event_id: i64) -> Result<Vec<HistoryRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT changed_by_name, changed_at, action, before_json, after_json FROM calendar_history
             WHERE event_id = $1 ORDER BY id",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn calendar_members_write(&self, school_id: i64) -> Result<bool, sqlx::Error> {
        let allowed: Option<bool> = sqlx::query_scalar("SELECT calendar_members_write FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(allowed.unwrap_or(false))
    }

    async fn set_calendar_members_write(&self, school_id: i64, allowed: bool, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE schools SET calendar_members_write = $2 WHERE id = $1")
            .bind(school_id)
            .bind(allowed)
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn create_feed(&self, user_id: i64, token_hash: &str, token: &str, calendar: &str) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO calendar_feeds (user_id, token_hash, token_once, calendar, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(token)
        .bind(calendar)
        .bind(crate::platform::now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn take_feeds(&self, user_id: i64) -> Result<Vec<FeedRow>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let rows: Vec<FeedRow> = sqlx::query_as(
            "SELECT id, calendar, created_at, revoked_at, token_once FROM calendar_feeds WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("UPDATE calendar_feeds SET token_once = NULL WHERE user_id = $1 AND token_once IS NOT NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    async fn revoke_feed(&self, user_id: i64, id: i64, now: i64) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $3, token_once = NULL WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done > 0)
    }

    async fn feed_owner(&self, token_hash: &str) -> Result<Option<(crate::auth::SessionUser, String)>, sqlx::Error> {
        let row: Option<(i64, String, String, String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT u.id, u.login, u.first_name, u.last_name, u.role, u.school_id, f.calendar
             FROM calendar_feeds f JOIN users u ON u.id = f.user_id
             WHERE f.token_hash = $1 AND f.revoked_at IS NULL AND u.status = 'active' AND u.deletion_due_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(id, login, first_name, last_name, role, school_id, calendar)| {
            Some((
                crate::auth::SessionUser {
                    id,
                    login,
                    first_name,
                    last_name,
                    role: crate::auth::Role::from_code(&role)?,
                    school_id,
                    school_name: None,
                    must_change_password: false,
                    policy_pending: false,
                },
                calendar,
            ))
        }))
    }
});
