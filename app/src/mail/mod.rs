//! MAIL-1..5, ADM-1: internal mail. Every user has `login@<school domain>`, every class and team
//! a group address. Nothing leaves the deployment. The mass-mail guard sits in
//! [`crate::rules::mail`]. The only way into another person's mailbox is an inspection case
//! ([`open_case`]), which tells the owner at once.
pub mod views;

mod cases;
mod compose;
mod mailbox;
mod settings;

pub use cases::*;
pub use compose::*;
pub use mailbox::*;
pub use settings::*;

#[cfg(feature = "ssr")]
pub mod body;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::rules::mail::Limits;

#[cfg(feature = "ssr")]
use crate::{
    audit::AuditEvent,
    auth::{Capability, Role, SessionUser, authenticate, school_staff},
    error::ErrorKind,
    i18n::Key,
    mail::store::{CaseRow, ItemRow, Outgoing},
    platform::{AppState, app_state, request_info},
    rules::mail as rule,
};

/// The folders of a mailbox: four fixed ones and the user's own (`f12`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailBox {
    Inbox,
    Sent,
    Drafts,
    Trash,
    Folder(i64),
}

impl MailBox {
    pub fn code(self) -> String {
        match self {
            MailBox::Inbox => "inbox".into(),
            MailBox::Sent => "sent".into(),
            MailBox::Drafts => "drafts".into(),
            MailBox::Trash => "trash".into(),
            MailBox::Folder(id) => format!("f{id}"),
        }
    }

    pub fn parse(code: &str) -> Option<MailBox> {
        match code {
            "" | "inbox" => Some(MailBox::Inbox),
            "sent" => Some(MailBox::Sent),
            "drafts" => Some(MailBox::Drafts),
            "trash" => Some(MailBox::Trash),
            _ => code
                .strip_prefix('f')?
                .parse()
                .ok()
                .filter(|id| *id > 0)
                .map(MailBox::Folder),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSummary {
    pub item_id: i64,
    pub is_read: bool,
    pub sender: String,
    pub recipients: String,
    pub subject: String,
    pub is_notice: bool,
    pub created_at: i64,
    pub has_attachments: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub content_type: String,
}

/// One page of a mailbox folder with the folder list beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxPage {
    pub box_code: String,
    pub address: String,
    pub folders: Vec<(i64, String)>,
    /// Unread per folder code.
    pub unread: Vec<(String, i64)>,
    pub items: Vec<MailSummary>,
    pub query: String,
    /// Where the next page starts, if there is one.
    pub next_before: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub item_id: i64,
    pub message_id: i64,
    pub box_code: String,
    pub sender: String,
    pub recipients: String,
    pub subject: String,
    /// Sanitised on the way in (MAIL-1); shown as it is.
    pub body_html: String,
    pub created_at: i64,
    pub attachments: Vec<AttachmentInfo>,
    pub is_notice: bool,
    pub is_draft: bool,
    /// Received from another person: can be answered and reported.
    pub received: bool,
    pub folders: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposePage {
    pub draft_id: i64,
    /// The item being forwarded; its attachments go along.
    pub forward: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub limits: Limits,
    pub transfer_limit: i64,
    pub attachments: Vec<AttachmentInfo>,
    pub forwarded: Vec<AttachmentInfo>,
    /// The user's own files, to attach: (id, name, size).
    pub files: Vec<(i64, String, i64)>,
    /// Issue 18: a child's form says "Worum geht es?" and shows no markup hint.
    pub child_words: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// A person's first and last name, or a group's name.
    pub label: String,
    pub address: String,
    /// Issue 18: a person shows as "Jörg Großmann · Lehrer · 2b", so the right one is picked
    /// without reading addresses. `None` for groups.
    pub role: Option<crate::auth::Role>,
    pub class: Option<String>,
}

/// MAIL-2, MAIL-3: a school's mail rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    pub pupil_recipients: i64,
    pub pupil_per_hour: i64,
    pub staff_recipients: i64,
    pub staff_per_hour: i64,
    /// PAR-3: the guardians' row.
    pub guardian_recipients: i64,
    pub guardian_per_hour: i64,
    /// Pupils may write to their own class's address.
    pub pupils_to_class: bool,
    pub trash_days: i64,
    /// The operator's: mail may go to other schools of this deployment.
    pub between_schools: bool,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            pupil_recipients: crate::rules::mail::PUPIL_RECIPIENTS,
            pupil_per_hour: crate::rules::mail::PUPIL_PER_HOUR,
            staff_recipients: crate::rules::mail::STAFF_RECIPIENTS,
            staff_per_hour: crate::rules::mail::STAFF_PER_HOUR,
            guardian_recipients: crate::rules::mail::GUARDIAN_RECIPIENTS,
            guardian_per_hour: crate::rules::mail::GUARDIAN_PER_HOUR,
            pupils_to_class: false,
            trash_days: 30,
            between_schools: false,
        }
    }
}

impl MailSettings {
    /// The row of the mass-mail guard that applies to `sender`: the staff row for who holds
    /// `MailStaffLimits`, the guardians' for who follows children (PAR-3), the children's for
    /// everyone else.
    pub fn limits(&self, sender: &crate::auth::SessionUser) -> Limits {
        use crate::auth::Capability;
        let (recipients, per_hour) = if sender.can(Capability::MailStaffLimits) {
            (self.staff_recipients, self.staff_per_hour)
        } else if sender.can(Capability::ChildrenFollow) {
            (self.guardian_recipients, self.guardian_per_hour)
        } else {
            (self.pupil_recipients, self.pupil_per_hour)
        };
        Limits {
            recipients,
            per_hour,
        }
    }
}

/// MAIL-5: a reported message, as management sees it: only what the reporter handed over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: i64,
    pub reporter: Option<String>,
    pub comment: String,
    pub created_at: i64,
    pub closed: bool,
    pub sender: String,
    pub subject: String,
    pub body_html: String,
    pub sent_at: i64,
    pub attachments: Vec<AttachmentInfo>,
}

/// MAIL-4: an inspection case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: i64,
    pub reference: String,
    pub reason: String,
    pub mailbox: String,
    pub readers: Vec<String>,
    pub opened_at: i64,
    pub ends_at: i64,
    pub closed_at: Option<i64>,
    pub reads: i64,
}

/// MAIL-4: the owner's mailbox as a designated reader sees it, read-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseBox {
    pub case_id: i64,
    pub reference: String,
    pub mailbox: String,
    pub ends_at: i64,
    pub page: MailboxPage,
}

pub const PAGE_SIZE: i64 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_1_folder_codes_round_trip() {
        for b in [
            MailBox::Inbox,
            MailBox::Sent,
            MailBox::Drafts,
            MailBox::Trash,
            MailBox::Folder(7),
        ] {
            assert_eq!(MailBox::parse(&b.code()), Some(b));
        }
        assert_eq!(MailBox::parse("f0"), None);
        assert_eq!(MailBox::parse("x"), None);
    }
}
