//! The mailbox: folders, items, reading, moving, deleting, the trash, and the export.
use super::*;

#[async_trait::async_trait]
pub trait MailboxStore: Send + Sync {
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
    /// MAIL-4: notices the user has not opened yet, as (item, subject), for the banner.
    async fn unread_notices(&self, user_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error>;
    /// FILE-3: every message in the user's mailbox, for the export.
    async fn export_items(&self, user_id: i64) -> Result<Vec<ExportRow>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The mailbox, as the composition root registered it.
    pub fn mailbox(&self) -> &dyn MailboxStore {
        self.stores.get::<dyn MailboxStore>()
    }
}

impl_both!(MailboxStore {
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
