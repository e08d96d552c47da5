//! Reports and inspection cases (MAIL-5).
use super::*;

#[async_trait::async_trait]
pub trait MailCaseStore: Send + Sync {
    async fn add_report(
        &self,
        school_id: i64,
        message_id: i64,
        reporter_id: i64,
        comment: &str,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    async fn reports(&self, school_id: i64) -> Result<Vec<ReportView>, sqlx::Error>;
    async fn close_report(
        &self,
        school_id: i64,
        id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// MAIL-4: the case, its readers, the notice to the owner and the audit event, all at once.
    #[allow(clippy::too_many_arguments)]
    async fn open_case(
        &self,
        case: &CaseRow,
        opened_by: i64,
        readers: &[i64],
        notice: &Outgoing<'_>,
        audit: &AuditEvent,
    ) -> Result<i64, sqlx::Error>;
    async fn cases(&self, school_id: i64) -> Result<Vec<CaseSummary>, sqlx::Error>;
    async fn case(&self, school_id: i64, id: i64) -> Result<Option<CaseRow>, sqlx::Error>;
    async fn is_case_reader(&self, case_id: i64, user_id: i64) -> Result<bool, sqlx::Error>;
    /// Closes an open case, tells the owner, and records it; false if it was already closed.
    async fn close_case(
        &self,
        id: i64,
        closed_by: Option<i64>,
        now: i64,
        notice: &Outgoing<'_>,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// Open cases whose end date has passed.
    async fn expired_cases(&self, now: i64) -> Result<Vec<CaseRow>, sqlx::Error>;
    async fn log_case_read(
        &self,
        case_id: i64,
        reader_id: i64,
        message_id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// Reports and inspection cases (MAIL-5), as the composition root registered it.
    pub fn mail_cases(&self) -> &dyn MailCaseStore {
        self.stores.get::<dyn MailCaseStore>()
    }
}

impl_both!(MailCaseStore {
    async fn add_report(&self, school_id: i64, message_id: i64, reporter_id: i64, comment: &str, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO mail_reports (school_id, message_id, reporter_id, comment, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(school_id)
            .bind(message_id)
            .bind(reporter_id)
            .bind(comment)
            .bind(crate::platform::now())
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn reports(&self, school_id: i64) -> Result<Vec<ReportView>, sqlx::Error> {
        let rows: Vec<(i64, i64, Option<String>, Option<String>, String, i64, Option<i64>, String, String, String, i64)> = sqlx::query_as(
            "SELECT r.id, r.message_id, u.first_name, u.last_name, r.comment, r.created_at, r.closed_at,
                    m.sender, m.subject, m.body_html, m.created_at
             FROM mail_reports r JOIN mail_messages m ON m.id = r.message_id LEFT JOIN users u ON u.id = r.reporter_id
             WHERE r.school_id = $1 ORDER BY r.closed_at IS NOT NULL, r.created_at DESC LIMIT 200",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, message_id, first, last, comment, created_at, closed_at, sender, subject, body_html, sent_at) in rows {
            out.push(ReportView {
                id,
                reporter: match (first, last) {
                    (Some(f), Some(l)) => Some(format!("{f} {l}")),
                    _ => None,
                },
                comment,
                created_at,
                closed: closed_at.is_some(),
                sender,
                subject,
                body_html,
                sent_at,
                attachments: self.attachments(message_id).await?,
            });
        }
        Ok(out)
    }

    async fn close_report(&self, school_id: i64, id: i64, now: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let message: Option<i64> = sqlx::query_scalar(
            "UPDATE mail_reports SET closed_at = $3 WHERE id = $1 AND school_id = $2 AND closed_at IS NULL RETURNING message_id",
        )
        .bind(id)
        .bind(school_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(message) = message else { return Ok(false) };
        self.write_audit(&mut tx, audit).await?;
        // A message kept only for the report goes now; its blobs the collector takes.
        self.drop_orphan_messages(&mut tx, &[message]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_case(&self, case: &CaseRow, opened_by: i64, readers: &[i64], notice: &Outgoing<'_>, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mail_cases (school_id, mailbox_user_id, reference, reason, opened_by, opened_at, ends_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(case.school_id)
        .bind(case.mailbox_user_id)
        .bind(&case.reference)
        .bind(&case.reason)
        .bind(opened_by)
        .bind(case.opened_at)
        .bind(case.ends_at)
        .fetch_one(&mut *tx)
        .await?;
        for reader in readers {
            sqlx::query("INSERT INTO mail_case_readers (case_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(reader)
                .execute(&mut *tx)
                .await?;
        }
        // The notice is part of the same transaction: no case exists without it.
        self.insert_message(&mut tx, notice, case.opened_at).await?;
        self.write_audit(&mut tx, &audit.clone().details(format!("case {id}: {}", case.reference))).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn cases(&self, school_id: i64) -> Result<Vec<CaseSummary>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT c.id, c.reference, c.reason, u.first_name, u.last_name, c.opened_at, c.ends_at, c.closed_at
             FROM mail_cases c JOIN users u ON u.id = c.mailbox_user_id
             WHERE c.school_id = $1 ORDER BY c.opened_at DESC LIMIT 200",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, reference, reason, first, last, opened_at, ends_at, closed_at) in rows {
            let readers: Vec<String> = sqlx::query_scalar(
                "SELECT u.login FROM mail_case_readers r JOIN users u ON u.id = r.user_id WHERE r.case_id = $1 ORDER BY u.login",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_case_reads WHERE case_id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
            out.push(CaseSummary {
                id,
                reference,
                reason,
                mailbox: format!("{first} {last}"),
                readers,
                opened_at,
                ends_at,
                closed_at,
                reads,
            });
        }
        Ok(out)
    }

    async fn case(&self, school_id: i64, id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, school_id, mailbox_user_id, reference, reason, opened_at, ends_at, closed_at
             FROM mail_cases WHERE id = $1 AND school_id = $2",
        )
        .bind(id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await
    }

    async fn is_case_reader(&self, case_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar("SELECT case_id FROM mail_case_readers WHERE case_id = $1 AND user_id = $2")
            .bind(case_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    async fn close_case(&self, id: i64, closed_by: Option<i64>, now: i64, notice: &Outgoing<'_>, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let closed = sqlx::query("UPDATE mail_cases SET closed_at = $2, closed_by = $3 WHERE id = $1 AND closed_at IS NULL")
            .bind(id)
            .bind(now)
            .bind(closed_by)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if closed == 0 {
            return Ok(false);
        }
        self.insert_message(&mut tx, notice, now).await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn expired_cases(&self, now: i64) -> Result<Vec<CaseRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, school_id, mailbox_user_id, reference, reason, opened_at, ends_at, closed_at
             FROM mail_cases WHERE closed_at IS NULL AND ends_at <= $1",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    async fn log_case_read(&self, case_id: i64, reader_id: i64, message_id: i64, now: i64, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO mail_case_reads (case_id, reader_id, message_id, read_at) VALUES ($1, $2, $3, $4)")
            .bind(case_id)
            .bind(reader_id)
            .bind(message_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }
});
