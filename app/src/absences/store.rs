//! ABS-1..3: the absences of pupils, as families report them and class teachers mark them.
use super::{ClassRef, Contact, FamilyReport, MissingChild};
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

/// A family's report, checked, as it is to be stored.
pub struct NewReport<'a> {
    pub school_id: i64,
    pub pupil_id: i64,
    pub from_day: &'a str,
    pub to_day: &'a str,
    pub part: &'a str,
    pub reason: &'a str,
    pub note: &'a str,
    pub reported_by: i64,
    pub reported_at: i64,
    pub late: bool,
}

/// One pupil of a class with the absence that covers the day, if any (a family's report
/// comes before a teacher's mark).
#[derive(sqlx::FromRow, Clone)]
pub struct DayRow {
    pub pupil_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub absence_id: Option<i64>,
    pub source: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub part: Option<String>,
    pub late: Option<bool>,
    pub reached_at: Option<i64>,
    pub has_doctors_note: Option<bool>,
}

/// One absence of a class's pupil that overlaps a term, for the term's counts.
#[derive(sqlx::FromRow)]
pub struct SpanRow {
    pub pupil_id: i64,
    pub from_day: String,
    pub to_day: String,
    pub part: String,
    pub excused: bool,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    from_day: String,
    to_day: String,
    part: String,
    reason: String,
    note: String,
    late: bool,
    reported_at: i64,
    has_doctors_note: bool,
}

#[derive(sqlx::FromRow)]
struct MissingRow {
    id: i64,
    pupil_id: i64,
    first_name: String,
    last_name: String,
    class: Option<String>,
    reached_at: Option<i64>,
    reached_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    pupil_id: i64,
    name: String,
    phone: String,
}

#[derive(sqlx::FromRow)]
struct ClassRow {
    id: i64,
    name: String,
}

/// ABS-2: a class teacher's mark ("fehlt ohne Meldung") set or taken back.
pub struct MarkChange<'a> {
    pub school_id: i64,
    pub group_id: i64,
    pub pupil_id: i64,
    pub day: &'a str,
    pub missing: bool,
    pub by: i64,
    pub now: i64,
}

/// ABS-3: how long a school keeps absence details after the school year.
#[derive(sqlx::FromRow)]
pub struct KeepPeriod {
    pub school_id: i64,
    pub keep_days: i64,
}

/// ABS-1: one absence as the doctor's-note routes need it.
#[derive(sqlx::FromRow, Clone)]
pub struct AbsenceRef {
    pub id: i64,
    pub pupil_id: i64,
    pub source: String,
    pub doctors_note_key: Option<String>,
    pub doctors_note_name: String,
    pub doctors_note_size: i64,
}

/// ABS-2: the school's absence settings.
#[derive(sqlx::FromRow, Clone, Copy)]
pub struct AbsenceRules {
    pub late_after_minutes: i64,
    pub note_from_day: i64,
    pub keep_days: i64,
}

#[async_trait::async_trait]
pub trait AbsenceStore: Send + Sync {
    /// The school's late time, doctor's-note day and keep period.
    async fn rules(&self, school_id: i64) -> Result<AbsenceRules, sqlx::Error>;
    /// Sets them, audited in the same transaction.
    async fn set_rules(
        &self,
        school_id: i64,
        rules: &AbsenceRules,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    /// ABS-1: stores a family's report; a teacher's "missing" mark on a day it covers gives
    /// way to it (the report is the record now, marked late). Audited in the same transaction.
    async fn report(&self, report: &NewReport<'_>, audit: &AuditEvent) -> Result<i64, sqlx::Error>;
    /// ABS-1: a child's reports that end on or after `since`, newest first, for the family.
    async fn reports_of(
        &self,
        pupil_id: i64,
        since: &str,
    ) -> Result<Vec<FamilyReport>, sqlx::Error>;
    /// ABS-2: the class of the school with this id, if it is one.
    async fn class_of_school(
        &self,
        school_id: i64,
        group_id: i64,
    ) -> Result<Option<ClassRef>, sqlx::Error>;
    /// ABS-2: the classes whose lists the person keeps (owns), or every class of the school.
    async fn classes(
        &self,
        school_id: i64,
        owner: Option<i64>,
    ) -> Result<Vec<ClassRef>, sqlx::Error>;
    /// ABS-2: every pupil of the class, by name, with the absence covering `day`.
    async fn day(&self, group_id: i64, day: &str) -> Result<Vec<DayRow>, sqlx::Error>;
    /// ABS-2: marks a pupil of the class missing without a report on `day`, or takes the mark
    /// back. `None` when the pupil is not in the class; otherwise whether anything changed
    /// (a second tap, or a family's report covering the day, changes nothing).
    async fn mark(
        &self,
        change: &MarkChange<'_>,
        audit: &AuditEvent,
    ) -> Result<Option<bool>, sqlx::Error>;
    /// ABS-2: the school's pupils marked missing without a report on `day`, with their
    /// guardians' names and the phone numbers they show the school.
    async fn missing(&self, school_id: i64, day: &str) -> Result<Vec<MissingChild>, sqlx::Error>;
    /// ABS-2: the family of a missing child was reached. False when the school has no such
    /// mark; a mark ticked already keeps who ticked it first.
    async fn reached(
        &self,
        school_id: i64,
        absence_id: i64,
        by: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// ABS-1: the class a pupil of the school is in, if any.
    async fn class_of_pupil(
        &self,
        school_id: i64,
        pupil_id: i64,
    ) -> Result<Option<i64>, sqlx::Error>;
    /// ABS-1: an absence of the school, for its doctor's note.
    async fn absence(
        &self,
        school_id: i64,
        absence_id: i64,
    ) -> Result<Option<AbsenceRef>, sqlx::Error>;
    /// ABS-1: attaches a doctor's note to a family's report, audited; returns the blob of the
    /// note it replaces, for the caller to delete.
    async fn set_doctors_note(
        &self,
        absence_id: i64,
        key: &str,
        name: &str,
        size: i64,
        audit: &AuditEvent,
    ) -> Result<Option<String>, sqlx::Error>;
    /// ABS-3: every absence of the class's pupils that overlaps `from`..=`to`.
    async fn spans(&self, group_id: i64, from: &str, to: &str)
    -> Result<Vec<SpanRow>, sqlx::Error>;
    /// ABS-3: blanks the reasons and notes of the school's absences that ended on or before
    /// `ended_by`; the days stay for the counts. Returns how many lost their details.
    async fn purge_details(&self, school_id: i64, ended_by: &str) -> Result<u64, sqlx::Error>;
    /// ABS-3: each school with its keep period, for the retention job.
    async fn keep_periods(&self) -> Result<Vec<KeepPeriod>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of absences, as the composition root registered it.
    pub fn absences(&self) -> &dyn AbsenceStore {
        self.stores.get::<dyn AbsenceStore>()
    }
}

/// The pupils of a class with the absence covering a day: reports of families first, then
/// the newest.
const DAY: &str = "SELECT u.id AS pupil_id, u.first_name, u.last_name,
        a.id AS absence_id, a.source, a.reason, a.note, a.part, a.late, a.reached_at,
        a.doctors_note_key IS NOT NULL AS has_doctors_note
     FROM group_members gm JOIN users u ON u.id = gm.user_id
     LEFT JOIN absences a ON a.pupil_id = u.id AND a.from_day <= $2 AND a.to_day >= $2
     WHERE gm.group_id = $1 AND u.role = 'pupil' AND u.deletion_due_at IS NULL
     ORDER BY u.sort_key, u.id, CASE WHEN a.source = 'guardian' THEN 0 ELSE 1 END, a.id DESC";

impl_both!(AbsenceStore {
    async fn rules(&self, school_id: i64) -> Result<AbsenceRules, sqlx::Error> {
        sqlx::query_as(
            "SELECT absence_late_after_minutes AS late_after_minutes, absence_note_from_day AS note_from_day,
                    absence_keep_days AS keep_days
             FROM schools WHERE id = $1",
        )
        .bind(school_id)
        .fetch_one(&self.pool)
        .await
    }

    async fn set_rules(&self, school_id: i64, rules: &AbsenceRules, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE schools SET absence_late_after_minutes = $1, absence_note_from_day = $2, absence_keep_days = $3
             WHERE id = $4",
        )
        .bind(rules.late_after_minutes)
        .bind(rules.note_from_day)
        .bind(rules.keep_days)
        .bind(school_id)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn report(&self, report: &NewReport<'_>, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO absences (school_id, pupil_id, from_day, to_day, part, source, reason, note,
                 reported_by, reported_at, late, excused)
             VALUES ($1, $2, $3, $4, $5, 'guardian', $6, $7, $8, $9, $10, TRUE) RETURNING id",
        )
        .bind(report.school_id)
        .bind(report.pupil_id)
        .bind(report.from_day)
        .bind(report.to_day)
        .bind(report.part)
        .bind(report.reason)
        .bind(report.note)
        .bind(report.reported_by)
        .bind(report.reported_at)
        .bind(report.late)
        .fetch_one(&mut *tx)
        .await?;
        // The family's word replaces the class teacher's "missing" on the days it covers.
        let replaced = sqlx::query(
            "DELETE FROM absences WHERE pupil_id = $1 AND source = 'teacher' AND from_day >= $2 AND to_day <= $3",
        )
        .bind(report.pupil_id)
        .bind(report.from_day)
        .bind(report.to_day)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if replaced > 0 {
            sqlx::query("UPDATE absences SET late = TRUE WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn reports_of(&self, pupil_id: i64, since: &str) -> Result<Vec<FamilyReport>, sqlx::Error> {
        let rows: Vec<ReportRow> = sqlx::query_as(
            "SELECT id, from_day, to_day, part, reason, note, late, reported_at,
                 doctors_note_key IS NOT NULL AS has_doctors_note FROM absences
             WHERE pupil_id = $1 AND source = 'guardian' AND to_day >= $2
             ORDER BY from_day DESC, id DESC LIMIT 20",
        )
        .bind(pupil_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| FamilyReport {
                id: r.id,
                from_day: r.from_day,
                to_day: r.to_day,
                part: r.part,
                reason: r.reason,
                note: r.note,
                late: r.late,
                reported_at: r.reported_at,
                doctors_note_from: 0,
                has_doctors_note: r.has_doctors_note,
            })
            .collect())
    }

    async fn class_of_school(&self, school_id: i64, group_id: i64) -> Result<Option<ClassRef>, sqlx::Error> {
        let row: Option<ClassRow> = sqlx::query_as(
            "SELECT id, name FROM groups WHERE id = $1 AND school_id = $2 AND kind = 'class'",
        )
        .bind(group_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| ClassRef { id: r.id, name: r.name }))
    }

    async fn classes(&self, school_id: i64, owner: Option<i64>) -> Result<Vec<ClassRef>, sqlx::Error> {
        let rows: Vec<ClassRow> = match owner {
            Some(owner) => sqlx::query_as(
                "SELECT g.id, g.name FROM groups g JOIN group_members gm ON gm.group_id = g.id
                 WHERE g.school_id = $1 AND g.kind = 'class' AND gm.user_id = $2 AND gm.is_owner
                 ORDER BY g.name",
            )
            .bind(school_id)
            .bind(owner)
            .fetch_all(&self.pool)
            .await?,
            None => sqlx::query_as("SELECT id, name FROM groups WHERE school_id = $1 AND kind = 'class' ORDER BY name")
                .bind(school_id)
                .fetch_all(&self.pool)
                .await?,
        };
        Ok(rows.into_iter().map(|r| ClassRef { id: r.id, name: r.name }).collect())
    }

    async fn day(&self, group_id: i64, day: &str) -> Result<Vec<DayRow>, sqlx::Error> {
        sqlx::query_as(DAY).bind(group_id).bind(day).fetch_all(&self.pool).await
    }

    async fn mark(&self, change: &MarkChange<'_>, audit: &AuditEvent) -> Result<Option<bool>, sqlx::Error> {
        let MarkChange { school_id, group_id, pupil_id, day, missing, by, now } = *change;
        let mut tx = self.begin_write().await?;
        let in_class: Option<i64> = sqlx::query_scalar(
            "SELECT u.id FROM group_members gm JOIN users u ON u.id = gm.user_id
             WHERE gm.group_id = $1 AND u.id = $2 AND u.school_id = $3 AND u.role = 'pupil'",
        )
        .bind(group_id)
        .bind(pupil_id)
        .bind(school_id)
        .fetch_optional(&mut *tx)
        .await?;
        if in_class.is_none() {
            return Ok(None);
        }
        let changed = if missing {
            sqlx::query(
                "INSERT INTO absences (school_id, pupil_id, from_day, to_day, part, source, reported_by, reported_at)
                 SELECT $1, $2, $3, $3, 'whole', 'teacher', $4, $5
                 WHERE NOT EXISTS (SELECT 1 FROM absences WHERE pupil_id = $2 AND from_day <= $3 AND to_day >= $3)",
            )
            .bind(school_id)
            .bind(pupil_id)
            .bind(day)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query("DELETE FROM absences WHERE pupil_id = $1 AND source = 'teacher' AND from_day = $2")
                .bind(pupil_id)
                .bind(day)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        if changed == 0 {
            return Ok(Some(false));
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(true))
    }

    async fn missing(&self, school_id: i64, day: &str) -> Result<Vec<MissingChild>, sqlx::Error> {
        let rows: Vec<MissingRow> = sqlx::query_as(
            "SELECT a.id, a.pupil_id, u.first_name, u.last_name,
                 (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
                  WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1) AS class,
                 a.reached_at, r.first_name || ' ' || r.last_name AS reached_by
             FROM absences a JOIN users u ON u.id = a.pupil_id LEFT JOIN users r ON r.id = a.reached_by
             WHERE a.school_id = $1 AND a.source = 'teacher' AND a.from_day <= $2 AND a.to_day >= $2
             ORDER BY class, u.sort_key, u.id",
        )
        .bind(school_id)
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        // The guardians of exactly these children, in one query.
        let contacts: Vec<ContactRow> = sqlx::query_as(
            "SELECT l.pupil_id, g.first_name || ' ' || g.last_name AS name,
                 COALESCE(CASE WHEN f.show_phone THEN f.phone ELSE '' END, '') AS phone
             FROM guardian_links l JOIN users g ON g.id = l.guardian_id
             LEFT JOIN address_fields f ON f.user_id = g.id
             WHERE l.school_id = $1 AND g.status = 'active' AND l.pupil_id IN
                 (SELECT pupil_id FROM absences WHERE school_id = $1 AND source = 'teacher' AND from_day <= $2 AND to_day >= $2)
             ORDER BY g.sort_key, g.id",
        )
        .bind(school_id)
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MissingChild {
                absence_id: r.id,
                pupil_id: r.pupil_id,
                pupil: format!("{} {}", r.first_name, r.last_name),
                class: r.class,
                guardians: contacts
                    .iter()
                    .filter(|c| c.pupil_id == r.pupil_id)
                    .map(|c| Contact { name: c.name.clone(), phone: c.phone.clone() })
                    .collect(),
                reached_at: r.reached_at,
                reached_by: r.reached_by,
            })
            .collect())
    }

    async fn reached(&self, school_id: i64, absence_id: i64, by: i64, now: i64, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM absences WHERE id = $1 AND school_id = $2 AND source = 'teacher'",
        )
        .bind(absence_id)
        .bind(school_id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Ok(false);
        }
        let changed = sqlx::query(
            "UPDATE absences SET reached_at = $1, reached_by = $2
             WHERE id = $3 AND school_id = $4 AND source = 'teacher' AND reached_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(absence_id)
        .bind(school_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed > 0 {
            self.write_audit(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(true)
    }

    async fn class_of_pupil(&self, school_id: i64, pupil_id: i64) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT g.id FROM group_members gm JOIN groups g ON g.id = gm.group_id
             WHERE gm.user_id = $1 AND g.school_id = $2 AND g.kind = 'class' ORDER BY g.name LIMIT 1",
        )
        .bind(pupil_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await
    }

    async fn absence(&self, school_id: i64, absence_id: i64) -> Result<Option<AbsenceRef>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, pupil_id, source, doctors_note_key, doctors_note_name, doctors_note_size
             FROM absences WHERE id = $1 AND school_id = $2",
        )
        .bind(absence_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await
    }

    async fn set_doctors_note(&self, absence_id: i64, key: &str, name: &str, size: i64, audit: &AuditEvent)
        -> Result<Option<String>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let old: Option<Option<String>> = sqlx::query_scalar("SELECT doctors_note_key FROM absences WHERE id = $1")
            .bind(absence_id)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE absences SET doctors_note_key = $1, doctors_note_name = $2, doctors_note_size = $3 WHERE id = $4",
        )
        .bind(key)
        .bind(name)
        .bind(size)
        .bind(absence_id)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(old.flatten())
    }

    async fn spans(&self, group_id: i64, from: &str, to: &str) -> Result<Vec<SpanRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT a.pupil_id, a.from_day, a.to_day, a.part, a.excused FROM absences a
             JOIN group_members gm ON gm.user_id = a.pupil_id AND gm.group_id = $1
             WHERE a.to_day >= $2 AND a.from_day <= $3",
        )
        .bind(group_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
    }

    async fn purge_details(&self, school_id: i64, ended_by: &str) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let purged = sqlx::query(
            "UPDATE absences SET reason = '', note = '', doctors_note_key = NULL, doctors_note_name = '',
                 doctors_note_size = 0, details_purged = TRUE
             WHERE school_id = $1 AND to_day <= $2 AND NOT details_purged",
        )
        .bind(school_id)
        .bind(ended_by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(purged)
    }

    async fn keep_periods(&self) -> Result<Vec<KeepPeriod>, sqlx::Error> {
        sqlx::query_as("SELECT id AS school_id, absence_keep_days AS keep_days FROM schools ORDER BY id").fetch_all(&self.pool).await
    }
});
