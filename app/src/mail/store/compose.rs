//! Writing mail: drafts, attachments, delivery, the mass-mail count, the address type-ahead.
use super::*;

#[async_trait::async_trait]
pub trait ComposeStore: Send + Sync {
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
    /// People of the school whose name, login or class contains `query`, among those `viewer`
    /// is shown ([`crate::auth::Role::directory_sql`]).
    async fn directory(
        &self,
        school_id: i64,
        viewer: crate::auth::Role,
        query: &str,
        limit: i64,
    ) -> Result<Vec<DirectoryRow>, sqlx::Error>;
    /// The user's own files (id, name, size), newest first, to attach.
    async fn own_files(&self, user_id: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// Writing mail, as the composition root registered it.
    pub fn mail_compose(&self) -> &dyn ComposeStore {
        self.stores.get::<dyn ComposeStore>()
    }
}

impl_both!(ComposeStore {
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

    async fn directory(&self, school_id: i64, viewer: crate::auth::Role, query: &str, limit: i64) -> Result<Vec<DirectoryRow>, sqlx::Error> {
        // Issue 19: the roles listed, named once (`Role::in_directory`), not "not the operator".
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.login, u.first_name, u.last_name, u.role,
                    (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
                     WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1) AS class
             FROM users u
             WHERE u.school_id = $1 AND u.deletion_due_at IS NULL AND u.role IN ({})
               AND (u.search_key LIKE $4 OR LOWER(u.login) LIKE $2 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
                               WHERE gm.user_id = u.id AND LOWER(g.name) LIKE $2 ESCAPE '\\'))
             ORDER BY u.sort_key, u.id LIMIT $3",
            crate::auth::Role::directory_sql(viewer)
        )))
        .bind(school_id)
        .bind(like_pattern(query))
        .bind(limit)
        // Issue 18: "Herr Großmann" and "oez" find people by the folded key (`rules::search`).
        .bind(crate::rules::search::name_pattern(query).unwrap_or_else(|| "\u{1}".into()))
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
});
