//! Mail in the database. A message row is written once; each mailbox holding it has an item.
//! A message with no item left (and no open report) is deleted, and with it its attachment
//! rows; their blobs go once no row anywhere points to them (MAIL-1 reference counting).
use super::{AttachmentInfo, CaseSummary, MailSettings, MailSummary, ReportView};
use crate::audit::AuditEvent;
use crate::platform::db::{Tx, impl_both, inherent_both};

/// One item of a mailbox, with its message.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ItemRow {
    pub id: i64,
    pub user_id: i64,
    pub message_id: i64,
    pub box_name: String,
    pub is_read: bool,
    pub sender_id: Option<i64>,
    pub sender: String,
    pub recipients: String,
    pub subject: String,
    pub body_html: String,
    pub body_text: String,
    pub kind: String,
    pub created_at: i64,
}

const ITEM: &str =
    "SELECT i.id, i.user_id, i.message_id, i.box AS box_name, i.is_read, m.sender_id,
       m.sender, m.recipients, m.subject, m.body_html, m.body_text, m.kind, m.created_at
     FROM mail_items i JOIN mail_messages m ON m.id = i.message_id";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    is_read: bool,
    sender: String,
    recipients: String,
    subject: String,
    kind: String,
    created_at: i64,
    attachments: i64,
}

/// A message about to be stored, with the mailboxes it goes into.
pub struct Outgoing<'a> {
    pub school_id: i64,
    pub sender_id: Option<i64>,
    pub sender: &'a str,
    pub recipients: &'a str,
    pub subject: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub kind: &'a str,
    /// The draft this message was written in: its attachments come along, and it is gone after.
    pub draft_id: Option<i64>,
    /// Attachments of another message to carry over (forwarding).
    pub forward_from: Option<i64>,
    pub inboxes: &'a [i64],
}

/// What a draft holds; `id` 0 starts a new one.
pub struct Draft<'a> {
    pub id: i64,
    pub school_id: i64,
    pub user_id: i64,
    pub sender: &'a str,
    pub recipients: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// A file to attach to a draft: a blob that already exists.
pub struct Attached<'a> {
    pub name: &'a str,
    pub blob_key: &'a str,
    pub size: i64,
    pub content_type: &'a str,
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CaseRow {
    pub id: i64,
    pub school_id: i64,
    pub mailbox_user_id: i64,
    pub reference: String,
    pub reason: String,
    pub opened_at: i64,
    pub ends_at: i64,
    pub closed_at: Option<i64>,
}

/// A message of the export (FILE-3), with what it needs to become an `.eml`.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ExportRow {
    pub id: i64,
    pub message_id: i64,
    pub box_name: String,
    pub sender: String,
    pub recipients: String,
    pub subject: String,
    pub body_html: String,
    pub body_text: String,
    pub created_at: i64,
}

/// A person found by the type-ahead: login, name, role code, class.
pub type DirectoryRow = (String, String, String, String, Option<String>);

fn like_pattern(query: &str) -> String {
    let escaped: String = query
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

#[async_trait::async_trait]
pub trait MailStore: Send + Sync {
    /// One page of a mailbox folder, newest first, below the item `before` (0: from the top).
    async fn mailbox(
        &self,
        user_id: i64,
        box_name: &str,
        query: &str,
        before: i64,
        limit: i64,
    ) -> Result<Vec<MailSummary>, sqlx::Error>;
    /// Unread items per folder, trash left out.
    async fn unread_counts(&self, user_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error>;
    async fn mail_folders(&self, user_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error>;
    async fn create_mail_folder(
        &self,
        user_id: i64,
        name: &str,
    ) -> Result<Option<i64>, sqlx::Error>;
    /// Deletes one of the user's folders; what was in it goes back to the inbox.
    async fn delete_mail_folder(&self, user_id: i64, id: i64) -> Result<bool, sqlx::Error>;
    async fn item(&self, user_id: i64, item_id: i64) -> Result<Option<ItemRow>, sqlx::Error>;
    async fn attachments(&self, message_id: i64) -> Result<Vec<AttachmentInfo>, sqlx::Error>;
    /// (name, blob key, size, content type) of one attachment of a message.
    async fn attachment(
        &self,
        message_id: i64,
        attachment_id: i64,
    ) -> Result<Option<(String, String, i64, String)>, sqlx::Error>;
    async fn mark_read(&self, item_id: i64, read: bool) -> Result<(), sqlx::Error>;
    async fn move_item(&self, item_id: i64, box_name: &str, now: i64) -> Result<(), sqlx::Error>;
    /// Deletes items for good; returns the blob keys of attachments that went with them.
    async fn delete_items(&self, user_id: i64, ids: &[i64]) -> Result<Vec<String>, sqlx::Error>;
    /// MAIL-1: deletes what has been in a mail trash longer than the school keeps it.
    async fn purge_mail_trash(&self, now: i64) -> Result<Vec<String>, sqlx::Error>;
    async fn trash_ids(&self, user_id: i64) -> Result<Vec<i64>, sqlx::Error>;
    /// Creates or updates a draft (and its item in "drafts"); returns its message id.
    async fn save_draft(&self, draft: &Draft<'_>, now: i64) -> Result<i64, sqlx::Error>;
    /// The user's draft by message id, if it is theirs and still a draft.
    async fn draft_item(
        &self,
        user_id: i64,
        message_id: i64,
    ) -> Result<Option<ItemRow>, sqlx::Error>;
    async fn attach(&self, message_id: i64, file: &Attached<'_>) -> Result<(), sqlx::Error>;
    async fn detach(&self, message_id: i64, attachment_id: i64)
    -> Result<Vec<String>, sqlx::Error>;
    /// Stores a message and puts it into every inbox and the sender's "sent" at once.
    async fn deliver(
        &self,
        mail: &Outgoing<'_>,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<i64, sqlx::Error>;
    /// MAIL-3: messages the user sent since `since`.
    async fn sent_since(&self, user_id: i64, since: i64) -> Result<i64, sqlx::Error>;
    async fn mail_settings(&self, school_id: i64) -> Result<MailSettings, sqlx::Error>;
    async fn set_mail_settings(
        &self,
        school_id: i64,
        settings: &MailSettings,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    async fn between_schools(&self) -> Result<bool, sqlx::Error>;
    async fn set_between_schools(
        &self,
        allowed: bool,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    /// People of the school whose name, login or class contains `query`.
    async fn directory(
        &self,
        school_id: i64,
        query: &str,
        limit: i64,
    ) -> Result<Vec<DirectoryRow>, sqlx::Error>;
    /// The user's own files (id, name, size), newest first, to attach.
    async fn own_files(&self, user_id: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error>;
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
    /// FILE-3: every message in the user's mailbox, for the export.
    async fn export_items(&self, user_id: i64) -> Result<Vec<ExportRow>, sqlx::Error>;
    /// MAIL-4: notices the user has not opened yet, as (item, subject), for the banner.
    async fn unread_notices(&self, user_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of mail, as the composition root registered it.
    pub fn mail(&self) -> &dyn MailStore {
        self.stores.get::<dyn MailStore>()
    }
}

inherent_both! {
    /// Deletes messages no mailbox holds any more and no report points to; returns their blob keys.
    pub(crate) async fn drop_orphan_messages(&self, tx: &mut Tx<Self>, message_ids: &[i64]) -> Result<Vec<String>, sqlx::Error> {
        let mut keys = Vec::new();
        for id in message_ids {
            let orphan: Option<i64> = sqlx::query_scalar(
                "SELECT m.id FROM mail_messages m WHERE m.id = $1
                 AND NOT EXISTS (SELECT 1 FROM mail_items i WHERE i.message_id = m.id)
                 AND NOT EXISTS (SELECT 1 FROM mail_reports r WHERE r.message_id = m.id AND r.closed_at IS NULL)",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
            if orphan.is_none() {
                continue;
            }
            let blobs: Vec<String> = sqlx::query_scalar("SELECT blob_key FROM mail_attachments WHERE message_id = $1")
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
            keys.extend(blobs);
            sqlx::query("DELETE FROM mail_reports WHERE message_id = $1").bind(id).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM mail_messages WHERE id = $1").bind(id).execute(&mut **tx).await?;
        }
        Ok(keys)
    }

    async fn insert_message(&self, tx: &mut Tx<Self>, mail: &Outgoing<'_>, now: i64) -> Result<i64, sqlx::Error> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mail_messages (school_id, sender_id, sender, recipients, subject, body_html, body_text, kind, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(mail.school_id)
        .bind(mail.sender_id)
        .bind(mail.sender)
        .bind(mail.recipients)
        .bind(mail.subject)
        .bind(mail.body_html)
        .bind(mail.body_text)
        .bind(mail.kind)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        for user in mail.inboxes {
            sqlx::query("INSERT INTO mail_items (user_id, message_id, box, is_read, created_at) VALUES ($1, $2, 'inbox', FALSE, $3)")
                .bind(user)
                .bind(id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        Ok(id)
    }
}

impl_both!(MailStore {
    async fn mailbox(&self, user_id: i64, box_name: &str, query: &str, before: i64, limit: i64) -> Result<Vec<MailSummary>, sqlx::Error> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT i.id, i.is_read, m.sender, m.recipients, m.subject, m.kind, m.created_at,
                    (SELECT COUNT(*) FROM mail_attachments a WHERE a.message_id = m.id) AS attachments
             FROM mail_items i JOIN mail_messages m ON m.id = i.message_id
             WHERE i.user_id = $1 AND i.box = $2 AND ($3 = 0 OR i.id < $3)
               AND ($4 = '' OR LOWER(m.subject) LIKE $5 ESCAPE '\\' OR LOWER(m.sender) LIKE $5 ESCAPE '\\'
                    OR LOWER(m.body_text) LIKE $5 ESCAPE '\\')
             ORDER BY i.id DESC LIMIT $6",
        )
        .bind(user_id)
        .bind(box_name)
        .bind(before)
        .bind(query)
        .bind(like_pattern(query))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MailSummary {
                item_id: r.id,
                is_read: r.is_read,
                sender: r.sender,
                recipients: r.recipients,
                subject: r.subject,
                is_notice: r.kind == "notice",
                created_at: r.created_at,
                has_attachments: r.attachments > 0,
            })
            .collect())
    }

    async fn unread_counts(&self, user_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT box, COUNT(*) FROM mail_items WHERE user_id = $1 AND is_read = FALSE AND box <> 'trash' GROUP BY box",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn mail_folders(&self, user_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
        sqlx::query_as("SELECT id, name FROM mail_folders WHERE user_id = $1 ORDER BY name")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
    }

    async fn create_mail_folder(&self, user_id: i64, name: &str) -> Result<Option<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO mail_folders (user_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn delete_mail_folder(&self, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM mail_folders WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE mail_items SET box = 'inbox' WHERE user_id = $1 AND box = $2")
            .bind(user_id)
            .bind(format!("f{id}"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn item(&self, user_id: i64, item_id: i64) -> Result<Option<ItemRow>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ITEM} WHERE i.id = $1 AND i.user_id = $2")))
            .bind(item_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn attachments(&self, message_id: i64) -> Result<Vec<AttachmentInfo>, sqlx::Error> {
        let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT id, name, size, content_type FROM mail_attachments WHERE message_id = $1 ORDER BY id",
        )
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, size, content_type)| AttachmentInfo { id, name, size, content_type })
            .collect())
    }

    async fn attachment(&self, message_id: i64, attachment_id: i64) -> Result<Option<(String, String, i64, String)>, sqlx::Error> {
        sqlx::query_as("SELECT name, blob_key, size, content_type FROM mail_attachments WHERE id = $1 AND message_id = $2")
            .bind(attachment_id)
            .bind(message_id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn mark_read(&self, item_id: i64, read: bool) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE mail_items SET is_read = $2 WHERE id = $1")
            .bind(item_id)
            .bind(read)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn move_item(&self, item_id: i64, box_name: &str, now: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE mail_items SET box = $2, trashed_at = CASE WHEN $2 = 'trash' THEN $3 ELSE NULL END WHERE id = $1")
            .bind(item_id)
            .bind(box_name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn delete_items(&self, user_id: i64, ids: &[i64]) -> Result<Vec<String>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let mut messages = Vec::new();
        for id in ids {
            let message: Option<i64> = sqlx::query_scalar("DELETE FROM mail_items WHERE id = $1 AND user_id = $2 RETURNING message_id")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            messages.extend(message);
        }
        let keys = self.drop_orphan_messages(&mut tx, &messages).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn purge_mail_trash(&self, now: i64) -> Result<Vec<String>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let messages: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM mail_items WHERE id IN (
                 SELECT i.id FROM mail_items i JOIN users u ON u.id = i.user_id JOIN schools s ON s.id = u.school_id
                 WHERE i.box = 'trash' AND i.trashed_at < $1 - s.mail_trash_days * 86400)
             RETURNING message_id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let keys = self.drop_orphan_messages(&mut tx, &messages).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn trash_ids(&self, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM mail_items WHERE user_id = $1 AND box = 'trash'")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
    }

    async fn save_draft(&self, draft: &Draft<'_>, now: i64) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id = if draft.id > 0 {
            sqlx::query(
                "UPDATE mail_messages SET recipients = $3, subject = $4, body_text = $5, created_at = $6
                 WHERE id = $1 AND sender_id = $2 AND kind = 'draft'",
            )
            .bind(draft.id)
            .bind(draft.user_id)
            .bind(draft.recipients)
            .bind(draft.subject)
            .bind(draft.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            draft.id
        } else {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO mail_messages (school_id, sender_id, sender, recipients, subject, body_html, body_text, kind, created_at)
                 VALUES ($1, $2, $3, $4, $5, '', $6, 'draft', $7) RETURNING id",
            )
            .bind(draft.school_id)
            .bind(draft.user_id)
            .bind(draft.sender)
            .bind(draft.recipients)
            .bind(draft.subject)
            .bind(draft.body)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO mail_items (user_id, message_id, box, is_read, created_at) VALUES ($1, $2, 'drafts', TRUE, $3)")
                .bind(draft.user_id)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            id
        };
        tx.commit().await?;
        Ok(id)
    }

    async fn draft_item(&self, user_id: i64, message_id: i64) -> Result<Option<ItemRow>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ITEM} WHERE i.message_id = $1 AND i.user_id = $2 AND m.kind = 'draft' AND m.sender_id = $2"
        )))
        .bind(message_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
    }

    async fn attach(&self, message_id: i64, file: &Attached<'_>) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO mail_attachments (message_id, name, blob_key, size, content_type) VALUES ($1, $2, $3, $4, $5)")
            .bind(message_id)
            .bind(file.name)
            .bind(file.blob_key)
            .bind(file.size)
            .bind(file.content_type)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn detach(&self, message_id: i64, attachment_id: i64) -> Result<Vec<String>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let keys: Vec<String> = sqlx::query_scalar("DELETE FROM mail_attachments WHERE id = $1 AND message_id = $2 RETURNING blob_key")
            .bind(attachment_id)
            .bind(message_id)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn deliver(&self, mail: &Outgoing<'_>, now: i64, audit: Option<&AuditEvent>) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id = self.insert_message(&mut tx, mail, now).await?;
        if let Some(sender) = mail.sender_id {
            sqlx::query("INSERT INTO mail_items (user_id, message_id, box, is_read, created_at) VALUES ($1, $2, 'sent', TRUE, $3)")
                .bind(sender)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(draft) = mail.draft_id {
            // The draft's attachments move over; the blobs are the same.
            sqlx::query("UPDATE mail_attachments SET message_id = $2 WHERE message_id = $1")
                .bind(draft)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM mail_messages WHERE id = $1 AND kind = 'draft' AND sender_id = $2")
                .bind(draft)
                .bind(mail.sender_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(original) = mail.forward_from {
            sqlx::query(
                "INSERT INTO mail_attachments (message_id, name, blob_key, size, content_type)
                 SELECT $2, name, blob_key, size, content_type FROM mail_attachments WHERE message_id = $1 ORDER BY id",
            )
            .bind(original)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(audit) = audit {
            self.write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn sent_since(&self, user_id: i64, since: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_messages WHERE sender_id = $1 AND kind = 'mail' AND created_at > $2")
            .bind(user_id)
            .bind(since)
            .fetch_one(&self.pool)
            .await
    }

    async fn mail_settings(&self, school_id: i64) -> Result<MailSettings, sqlx::Error> {
        let row: Option<(i64, i64, i64, i64, bool, i64)> = sqlx::query_as(
            "SELECT mail_pupil_recipients, mail_pupil_per_hour, mail_staff_recipients, mail_staff_per_hour,
                    mail_pupils_to_class, mail_trash_days FROM schools WHERE id = $1",
        )
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        let between_schools = self.between_schools().await?;
        Ok(match row {
            Some((pr, ph, sr, sh, to_class, trash)) => MailSettings {
                pupil_recipients: pr,
                pupil_per_hour: ph,
                staff_recipients: sr,
                staff_per_hour: sh,
                pupils_to_class: to_class,
                trash_days: trash,
                between_schools,
            },
            None => MailSettings::default(),
        })
    }

    async fn set_mail_settings(&self, school_id: i64, s: &MailSettings, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE schools SET mail_pupil_recipients = $2, mail_pupil_per_hour = $3, mail_staff_recipients = $4,
                 mail_staff_per_hour = $5, mail_pupils_to_class = $6, mail_trash_days = $7 WHERE id = $1",
        )
        .bind(school_id)
        .bind(s.pupil_recipients)
        .bind(s.pupil_per_hour)
        .bind(s.staff_recipients)
        .bind(s.staff_per_hour)
        .bind(s.pupils_to_class)
        .bind(s.trash_days)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn between_schools(&self) -> Result<bool, sqlx::Error> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM deployment_settings WHERE name = 'mail_between_schools'")
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.as_deref() == Some("true"))
    }

    async fn set_between_schools(&self, allowed: bool, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO deployment_settings (name, value) VALUES ('mail_between_schools', $1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(if allowed { "true" } else { "false" })
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn directory(&self, school_id: i64, query: &str, limit: i64) -> Result<Vec<DirectoryRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT u.login, u.first_name, u.last_name, u.role,
                    (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
                     WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1) AS class
             FROM users u
             WHERE u.school_id = $1 AND u.deletion_due_at IS NULL AND u.role <> 'operator'
               AND (LOWER(u.first_name || ' ' || u.last_name) LIKE $2 ESCAPE '\\' OR LOWER(u.login) LIKE $2 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
                               WHERE gm.user_id = u.id AND LOWER(g.name) LIKE $2 ESCAPE '\\'))
             ORDER BY u.last_name, u.first_name LIMIT $3",
        )
        .bind(school_id)
        .bind(like_pattern(query))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    async fn own_files(&self, user_id: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, name, size FROM file_nodes
             WHERE owner_user_id = $1 AND NOT is_folder AND trashed_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 100",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

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

    async fn unread_notices(&self, user_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT i.id, m.subject FROM mail_items i JOIN mail_messages m ON m.id = i.message_id
             WHERE i.user_id = $1 AND i.is_read = FALSE AND m.kind = 'notice' ORDER BY i.id DESC LIMIT 5",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn export_items(&self, user_id: i64) -> Result<Vec<ExportRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT i.id, i.message_id, i.box AS box_name, m.sender, m.recipients, m.subject, m.body_html, m.body_text, m.created_at
             FROM mail_items i JOIN mail_messages m ON m.id = i.message_id WHERE i.user_id = $1 ORDER BY i.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }
});
