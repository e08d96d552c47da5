//! FILE-3 for mail: every message as an RFC 5322 `.eml` file in a folder named like the
//! mailbox folder; attachments beside it, so that the archive streams blob by blob.
use mail_builder::MessageBuilder;

use super::store::ExportRow;
use crate::auth::SessionUser;
use crate::error::AppError;
use crate::files::zip_stream::Entry;
use crate::i18n::{Key, Lang};
use crate::platform::AppState;

/// "Anna Becker <anna.becker@schule.example>" → ("Anna Becker", "anna.becker@schule.example").
fn name_and_address(text: &str) -> (String, String) {
    match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => (
            text[..open].trim().to_string(),
            text[open + 1..close].trim().to_string(),
        ),
        _ => (text.trim().to_string(), String::new()),
    }
}

/// A file name from a subject: no separators or control characters, not too long.
fn file_stem(subject: &str) -> String {
    let cleaned: String = subject
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "_".into()
    } else {
        cleaned
    }
}

/// One message in RFC 5322 form, with a plain-text and an HTML part.
pub fn eml(row: &ExportRow, domain: &str) -> Result<String, AppError> {
    let (name, address) = name_and_address(&row.sender);
    let sender_address = if address.is_empty() {
        format!("schulhof@{domain}")
    } else {
        address
    };
    let recipients: Vec<String> = crate::rules::mail::split_recipients(&row.recipients);
    let mut message = MessageBuilder::new()
        .from((name, sender_address))
        .subject(row.subject.as_str())
        .date(row.created_at)
        .message_id(format!("{}@{domain}", row.message_id))
        .text_body(row.body_text.as_str());
    if !recipients.is_empty() {
        message = message.to(recipients);
    }
    if !row.body_html.is_empty() {
        message = message.html_body(row.body_html.as_str());
    }
    message.write_to_string().map_err(AppError::internal)
}

/// The mail part of "download all my data": the entries and one line for the README.
pub async fn entries(
    state: &AppState,
    user: &SessionUser,
    lang: Lang,
) -> Result<(Vec<Entry>, String), AppError> {
    let Some(school) = user.school_id else {
        return Ok((Vec::new(), String::new()));
    };
    let domain = state
        .schools()
        .school_domain(school)
        .await?
        .unwrap_or_default();
    let folders = state.mailbox().mail_folders(user.id).await?;
    let rows = state.mailbox().export_items(user.id).await?;
    let root = lang.t(Key::MailExportFolder);
    let mut out = Vec::new();
    for row in &rows {
        let folder = match row.box_name.as_str() {
            "inbox" => lang.t(Key::MailInbox).to_string(),
            "sent" => lang.t(Key::MailSent).to_string(),
            "drafts" => lang.t(Key::MailDrafts).to_string(),
            "trash" => lang.t(Key::MailTrash).to_string(),
            code => folders
                .iter()
                .find(|(id, _)| format!("f{id}") == code)
                .map_or_else(|| code.to_string(), |f| file_stem(&f.1)),
        };
        let (y, m, d, _, _) = crate::rules::date::berlin_time(row.created_at);
        let stem = format!(
            "{root}/{folder}/{y:04}-{m:02}-{d:02} {} {}",
            row.id,
            file_stem(&row.subject)
        );
        out.push(Entry::Text {
            path: format!("{stem}.eml"),
            content: eml(row, &domain)?,
        });
        for attachment in state.mailbox().attachments(row.message_id).await? {
            if let Some((name, key, size, _)) = state
                .mailbox()
                .attachment(row.message_id, attachment.id)
                .await?
            {
                out.push(Entry::Blob {
                    path: format!("{stem}/{name}"),
                    key,
                    size,
                });
            }
        }
    }
    let line = lang.fill(
        Key::MailExportLine,
        &[("count", &rows.len().to_string()), ("folder", root)],
    );
    Ok((out, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_3_messages_export_as_rfc_5322() {
        let row = ExportRow {
            id: 4,
            message_id: 9,
            box_name: "inbox".into(),
            sender: "Frau Özdemir <f.oezdemir@schule.example>".into(),
            recipients: "klasse-2b@schule.example".into(),
            subject: "Wandertag: Äpfel mitbringen".into(),
            body_html: "<p>Bitte <strong>Äpfel</strong></p>".into(),
            body_text: "Bitte **Äpfel**".into(),
            created_at: 1_790_000_000,
        };
        let text = eml(&row, "schule.example").unwrap();
        assert!(text.contains("From: "), "{text}");
        assert!(text.contains("f.oezdemir@schule.example"), "{text}");
        assert!(text.contains("To: <klasse-2b@schule.example>"), "{text}");
        assert!(text.contains("Message-ID: <9@schule.example>"), "{text}");
        assert_eq!(file_stem("a/b: c"), "a_b_ c");
    }
}
