//! Mail in the database. A message row is written once; each mailbox holding it has an item.
//! A message with no item left (and no open report) is deleted, and with it its attachment
//! rows; their blobs go once no row anywhere points to them (MAIL-1 reference counting).
pub(super) use super::{AttachmentInfo, CaseSummary, MailSettings, MailSummary, ReportView};
pub(super) use crate::audit::AuditEvent;
pub(crate) use crate::platform::db::{Tx, impl_both, inherent_both};

mod cases;
mod compose;
mod mailbox;
mod settings;

pub use cases::MailCaseStore;
pub use compose::ComposeStore;
pub use mailbox::MailboxStore;
pub use settings::MailSettingsStore;

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

    pub(super) async fn insert_message(&self, tx: &mut Tx<Self>, mail: &Outgoing<'_>, now: i64) -> Result<i64, sqlx::Error> {
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
