//! MAIL-1..5, ADM-1: internal mail. Every user has `login@<school domain>`, every class and team
//! a group address. Nothing leaves the deployment. The mass-mail guard sits in
//! [`crate::rules::mail`]. The only way into another person's mailbox is an inspection case
//! ([`open_case`]), which tells the owner at once.
pub mod views;

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
    auth::{Capability, Role, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, app_state, authenticate, request_info, school_staff},
    rules::mail as rule,
};
#[cfg(feature = "ssr")]
use store::{CaseRow, ItemRow, Outgoing};

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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub label: String,
    pub address: String,
}

/// MAIL-2, MAIL-3: a school's mail rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    pub pupil_recipients: i64,
    pub pupil_per_hour: i64,
    pub staff_recipients: i64,
    pub staff_per_hour: i64,
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
            pupils_to_class: false,
            trash_days: 30,
            between_schools: false,
        }
    }
}

impl MailSettings {
    pub fn limits(&self, is_pupil: bool) -> Limits {
        if is_pupil {
            Limits {
                recipients: self.pupil_recipients,
                per_hour: self.pupil_per_hour,
            }
        } else {
            Limits {
                recipients: self.staff_recipients,
                per_hour: self.staff_per_hour,
            }
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

/// The caller's own item; anyone else's is "not found" (ADM-1).
#[cfg(feature = "ssr")]
async fn own_item(state: &AppState, user: &SessionUser, item: i64) -> Result<ItemRow, AppError> {
    state
        .store
        .item(user.id, item)
        .await?
        .ok_or_else(AppError::not_found)
}

#[cfg(feature = "ssr")]
async fn own_address(state: &AppState, user: &SessionUser) -> Result<String, AppError> {
    let domain = state
        .store
        .school_domain(user.school()?)
        .await?
        .unwrap_or_default();
    Ok(crate::rules::login::address(&user.login, &domain))
}

#[cfg(feature = "ssr")]
async fn page_of(
    state: &AppState,
    user_id: i64,
    mailbox: MailBox,
    query: &str,
    before: i64,
) -> Result<MailboxPage, AppError> {
    let query: String = query.trim().chars().take(100).collect();
    let mut items = state
        .store
        .mailbox(
            user_id,
            &mailbox.code(),
            &query,
            before.max(0),
            PAGE_SIZE + 1,
        )
        .await?;
    let next_before = (items.len() as i64 > PAGE_SIZE).then(|| {
        items.truncate(PAGE_SIZE as usize);
        items.last().map_or(0, |i| i.item_id)
    });
    Ok(MailboxPage {
        box_code: mailbox.code(),
        address: String::new(),
        folders: state.store.mail_folders(user_id).await?,
        unread: state.store.unread_counts(user_id).await?,
        items,
        query,
        next_before,
    })
}

#[cfg(feature = "ssr")]
async fn message_page(
    state: &AppState,
    viewer: i64,
    item: ItemRow,
) -> Result<MessagePage, AppError> {
    Ok(MessagePage {
        item_id: item.id,
        message_id: item.message_id,
        box_code: item.box_name,
        received: item.sender_id != Some(viewer) && item.kind == "mail",
        sender: item.sender,
        recipients: item.recipients,
        subject: item.subject,
        body_html: if item.kind == "draft" {
            body::from_plain(&item.body_text)
        } else {
            item.body_html
        },
        created_at: item.created_at,
        attachments: state.store.attachments(item.message_id).await?,
        is_notice: item.kind == "notice",
        is_draft: item.kind == "draft",
        folders: state.store.mail_folders(item.user_id).await?,
    })
}

/// MAIL-1: one page of a folder, newest first; `query` searches subject, sender and body.
#[server(prefix = "/api", endpoint = "mail/box")]
pub async fn mailbox(
    box_code: String,
    query: String,
    before: i64,
) -> Result<MailboxPage, AppError> {
    let user = authenticate()?;
    user.school()?;
    let state = app_state();
    let mailbox = MailBox::parse(&box_code).ok_or_else(AppError::not_found)?;
    if let MailBox::Folder(id) = mailbox
        && !state
            .store
            .mail_folders(user.id)
            .await?
            .iter()
            .any(|f| f.0 == id)
    {
        return Err(AppError::not_found());
    }
    let mut page = page_of(&state, user.id, mailbox, &query, before).await?;
    page.address = own_address(&state, &user).await?;
    Ok(page)
}

/// MAIL-1: the unread count in the navigation, polled by every signed-in page.
#[server(prefix = "/api", endpoint = "mail/unread")]
pub async fn unread() -> Result<i64, AppError> {
    let user = authenticate()?;
    user.school()?;
    let counts = app_state().store.unread_counts(user.id).await?;
    Ok(counts
        .iter()
        .filter(|(b, _)| b != "sent" && b != "drafts")
        .map(|c| c.1)
        .sum())
}

/// MAIL-4: notices not yet opened, for the banner on the start page.
#[server(prefix = "/api", endpoint = "mail/notices")]
pub async fn notices() -> Result<Vec<(i64, String)>, AppError> {
    let user = authenticate()?;
    user.school()?;
    Ok(app_state().store.unread_notices(user.id).await?)
}

/// Opens one of the caller's own messages and marks it read.
#[server(prefix = "/api", endpoint = "mail/message")]
pub async fn message(item: i64) -> Result<MessagePage, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    if !row.is_read {
        state.store.mark_read(row.id, true).await?;
    }
    message_page(&state, user.id, row).await
}

#[server(prefix = "/api", endpoint = "mail/mark-unread")]
pub async fn mark_unread(item: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    state.store.mark_read(row.id, false).await?;
    leptos_axum::redirect("/mail");
    Ok(())
}

/// Moves a message to the inbox, the trash or one of the user's folders.
#[server(prefix = "/api", endpoint = "mail/move")]
pub async fn move_message(item: i64, target: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    let target = match MailBox::parse(&target) {
        Some(MailBox::Folder(id))
            if state
                .store
                .mail_folders(user.id)
                .await?
                .iter()
                .any(|f| f.0 == id) =>
        {
            MailBox::Folder(id)
        }
        Some(MailBox::Inbox) if row.box_name != "sent" && row.box_name != "drafts" => {
            MailBox::Inbox
        }
        Some(MailBox::Trash) => MailBox::Trash,
        _ => return Err(AppError::field("target", Key::MailNoSuchFolder)),
    };
    state
        .store
        .move_item(row.id, &target.code(), crate::platform::now())
        .await?;
    leptos_axum::redirect(&format!("/mail?box={}", row.box_name));
    Ok(())
}

/// Into the trash; from the trash, for good.
#[server(prefix = "/api", endpoint = "mail/delete")]
pub async fn delete_message(item: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    if row.box_name == "trash" || row.kind == "draft" {
        let keys = state.store.delete_items(user.id, &[row.id]).await?;
        crate::files::delete_unreferenced(&state, &keys).await;
    } else {
        state
            .store
            .move_item(row.id, "trash", crate::platform::now())
            .await?;
    }
    leptos_axum::redirect(&format!("/mail?box={}", row.box_name));
    Ok(())
}

#[server(prefix = "/api", endpoint = "mail/empty-trash")]
pub async fn empty_mail_trash() -> Result<(), AppError> {
    let user = authenticate()?;
    user.school()?;
    let state = app_state();
    let ids = state.store.trash_ids(user.id).await?;
    let keys = state.store.delete_items(user.id, &ids).await?;
    crate::files::delete_unreferenced(&state, &keys).await;
    leptos_axum::redirect("/mail?box=trash");
    Ok(())
}

#[server(prefix = "/api", endpoint = "mail/create-folder")]
pub async fn create_mail_folder(name: String) -> Result<i64, AppError> {
    let user = authenticate()?;
    user.school()?;
    let name = crate::rules::files::normalize_name(&name)
        .map_err(|message| AppError::field("name", message))?;
    let state = app_state();
    crate::filter::check(&state, &user, &request_info(), "name", &[&name]).await?;
    let id = state
        .store
        .create_mail_folder(user.id, &name)
        .await?
        .ok_or_else(|| AppError::field("name", Key::FilesNameTaken))?;
    leptos_axum::redirect(&format!("/mail?box=f{id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "mail/delete-folder")]
pub async fn delete_mail_folder(id: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    user.school()?;
    if !app_state().store.delete_mail_folder(user.id, id).await? {
        return Err(AppError::not_found());
    }
    leptos_axum::redirect("/mail");
    Ok(())
}

/// MAIL-1: what the compose form starts with: a draft, a reply, a forward, or an address.
#[server(prefix = "/api", endpoint = "mail/compose")]
pub async fn compose(
    draft: i64,
    reply: i64,
    all: bool,
    forward: i64,
    to: String,
) -> Result<ComposePage, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let settings = state.store.mail_settings(school).await?;
    let mut page = ComposePage {
        draft_id: 0,
        forward: 0,
        to: to.chars().take(1000).collect(),
        subject: String::new(),
        body: String::new(),
        limits: settings.limits(user.role == Role::Pupil),
        transfer_limit: crate::files::allowance(&state, &user).await?.transfer_limit,
        attachments: Vec::new(),
        forwarded: Vec::new(),
        files: state.store.own_files(user.id).await?,
    };
    if draft > 0 {
        let row = state
            .store
            .draft_item(user.id, draft)
            .await?
            .ok_or_else(AppError::not_found)?;
        page.draft_id = row.message_id;
        page.to = row.recipients;
        page.subject = row.subject;
        page.body = row.body_text;
        page.attachments = state.store.attachments(row.message_id).await?;
    } else if reply > 0 || forward > 0 {
        let row = own_item(&state, &user, reply.max(forward)).await?;
        let quoted: String = row.body_text.lines().map(|l| format!("> {l}\n")).collect();
        let intro = lang.fill(
            Key::MailQuoteIntro,
            &[
                ("date", &lang.timestamp(row.created_at)),
                ("sender", &row.sender),
            ],
        );
        page.body = format!("\n\n{intro}\n{quoted}");
        if reply > 0 {
            page.subject = rule::reply_subject(&row.subject, lang.t(Key::MailReplyPrefix));
            let mut to = vec![row.sender.clone()];
            if all {
                let me = own_address(&state, &user).await?;
                to.extend(
                    rule::split_recipients(&row.recipients)
                        .into_iter()
                        .filter(|a| *a != me),
                );
            }
            page.to = to.join(", ");
        } else {
            page.subject = rule::reply_subject(&row.subject, lang.t(Key::MailForwardPrefix));
            page.forward = row.id;
            page.forwarded = state.store.attachments(row.message_id).await?;
        }
    }
    Ok(page)
}

/// MAIL-1: people and groups of the caller's school matching what was typed.
#[server(prefix = "/api", endpoint = "mail/suggest")]
pub async fn suggest(query: String) -> Result<Vec<Suggestion>, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let query: String = query.trim().to_lowercase().chars().take(60).collect();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let domain = state.store.school_domain(school).await?.unwrap_or_default();
    let mut out: Vec<Suggestion> = state
        .store
        .school_groups(school)
        .await?
        .into_iter()
        .filter_map(|(_, kind, name)| {
            let local = crate::rules::login::group_local_part(kind == "class", &name);
            (name.to_lowercase().contains(&query) || local.contains(&query)).then(|| Suggestion {
                label: name,
                address: format!("{local}@{domain}"),
            })
        })
        .take(4)
        .collect();
    for (login, first, last, _role, class) in state.store.directory(school, &query, 8).await? {
        out.push(Suggestion {
            label: match class {
                Some(class) => format!("{first} {last} ({class})"),
                None => format!("{first} {last}"),
            },
            address: crate::rules::login::address(&login, &domain),
        });
    }
    out.truncate(10);
    Ok(out)
}

/// Who a message goes to: the inboxes, and the addresses as written on it.
#[cfg(feature = "ssr")]
struct Resolved {
    inboxes: Vec<i64>,
    addresses: Vec<String>,
}

/// MAIL-2, MAIL-3: turns addresses into inboxes. Addresses outside the deployment, other
/// schools (unless the operator allows it) and groups the sender may not write to are refused.
#[cfg(feature = "ssr")]
async fn resolve(
    state: &AppState,
    user: &SessionUser,
    settings: &MailSettings,
    to: &str,
) -> Result<Resolved, AppError> {
    let school = user.school()?;
    let own_domain = state.store.school_domain(school).await?.unwrap_or_default();
    let mut inboxes: Vec<i64> = Vec::new();
    let mut addresses = Vec::new();
    let refuse = |key: Key, address: &str| {
        AppError::new(ErrorKind::BadInput, key)
            .with_field("to", key)
            .with_detail(address.to_string())
    };
    for address in rule::split_recipients(to) {
        let (local, domain) = rule::split_address(&address)
            .ok_or_else(|| refuse(Key::MailAddressInvalid, &address))?;
        let domain = domain.unwrap_or(&own_domain).to_string();
        let target_school = if domain == own_domain {
            school
        } else {
            let other = state
                .store
                .school_by_domain(&domain)
                .await?
                .ok_or_else(|| refuse(Key::MailExternal, &address))?;
            if !settings.between_schools {
                return Err(refuse(Key::MailOtherSchool, &address));
            }
            other.id
        };
        let full = format!("{local}@{domain}");
        if let Some((id, in_school, _, _)) = state.store.account_by_login(local).await?
            && in_school == target_school
        {
            inboxes.push(id);
            addresses.push(full);
            continue;
        }
        let group = if target_school == school {
            state
                .store
                .school_groups(school)
                .await?
                .into_iter()
                .find(|(_, kind, name)| {
                    crate::rules::login::group_local_part(kind == "class", name) == local
                })
        } else {
            None
        };
        let Some((group_id, kind, _)) = group else {
            return Err(refuse(Key::MailUnknownAddress, &address));
        };
        if !may_write_group(state, user, settings, group_id, &kind).await? {
            return Err(refuse(Key::MailGroupNotAllowed, &address));
        }
        inboxes.extend(
            state
                .store
                .group_member_ids(group_id)
                .await?
                .into_iter()
                .filter(|id| *id != user.id),
        );
        addresses.push(full);
    }
    inboxes.sort_unstable();
    inboxes.dedup();
    Ok(Resolved { inboxes, addresses })
}

/// MAIL-3: teachers and other staff write to every group of their school, owners to theirs;
/// pupils to their own class only when the school allows it.
#[cfg(feature = "ssr")]
async fn may_write_group(
    state: &AppState,
    user: &SessionUser,
    settings: &MailSettings,
    group_id: i64,
    kind: &str,
) -> Result<bool, AppError> {
    if user.role != Role::Pupil {
        return Ok(true);
    }
    let membership = state
        .store
        .membership(user.id, group_id, user.school()?)
        .await?;
    Ok(match membership {
        Some((true, _)) => true,
        Some((false, _)) => kind == "class" && settings.pupils_to_class,
        None => false,
    })
}

/// MAIL-3: refusals by the mass-mail guard are logged, then answered.
#[cfg(feature = "ssr")]
async fn guard_refusal(state: &AppState, user: &SessionUser, key: Key, what: String) -> AppError {
    let audit = AuditEvent::new("mail.refused", &request_info())
        .actor(user.id, user.school_id)
        .details(what);
    if let Err(e) = state.store.record(&audit).await {
        tracing::error!(error = %e, "could not record a mail refusal");
    }
    AppError::new(ErrorKind::BadInput, key).with_field("to", key)
}

#[cfg(feature = "ssr")]
async fn own_draft(
    state: &AppState,
    user: &SessionUser,
    draft: i64,
) -> Result<Option<i64>, AppError> {
    if draft <= 0 {
        return Ok(None);
    }
    state
        .store
        .draft_item(user.id, draft)
        .await?
        .map(|row| Some(row.message_id))
        .ok_or_else(AppError::not_found)
}

/// MAIL-1..3: sends a message. Checks, in order: subject and body, addresses, the mass-mail
/// guard, the link filter, and the size of the attachments; then delivers in one transaction.
#[server(prefix = "/api", endpoint = "mail/send")]
pub async fn send_mail(
    draft: i64,
    forward: i64,
    to: String,
    subject: String,
    body: String,
    format: String,
) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    AppError::one_of("format", &format, &["", "typed", "html"])?;
    // SEC-3: the length of the list before any splitting.
    if to.len() > rule::MAX_RECIPIENTS_BYTES {
        return Err(AppError::field("to", Key::MailRecipientsOverLimit)
            .with_detail(rule::MAX_RECIPIENT_TOKENS.to_string()));
    }
    let subject = subject.trim().to_string();
    rule::check_subject(&subject).map_err(|key| AppError::field("subject", key))?;
    rule::check_body(&body).map_err(|key| AppError::field("body", key))?;
    let draft = own_draft(&state, &user, draft).await?;
    let forward_from = match forward {
        f if f > 0 => Some(own_item(&state, &user, f).await?.message_id),
        _ => None,
    };
    let settings = state.store.mail_settings(school).await?;
    let limits = settings.limits(user.role == Role::Pupil);
    let count = rule::split_recipients(&to).len();
    if let Err(key) = rule::check_recipients(count, limits) {
        if count == 0 {
            return Err(AppError::field("to", key));
        }
        return Err(guard_refusal(&state, &user, key, format!("{count} recipients")).await);
    }
    let sent = state
        .store
        .sent_since(user.id, crate::platform::now() - 3600)
        .await?;
    if let Err(key) = rule::check_rate(sent, limits) {
        return Err(guard_refusal(
            &state,
            &user,
            key,
            format!("{sent} messages in the last hour"),
        )
        .await);
    }
    let resolved = resolve(&state, &user, &settings, &to).await?;
    crate::filter::check(&state, &user, &request_info(), "subject", &[&subject]).await?;
    let mut attached = 0;
    for message in draft.iter().chain(forward_from.iter()) {
        attached += state
            .store
            .attachments(*message)
            .await?
            .iter()
            .map(|a| a.size)
            .sum::<i64>();
    }
    let limit = crate::files::allowance(&state, &user).await?.transfer_limit;
    crate::rules::files::check_transfer(attached, limit)
        .map_err(|key| AppError::new(ErrorKind::TooLarge, key))?;
    let body_html = if format == "html" {
        body::clean_html(&body)
    } else {
        body::from_typed(&body)
    };
    let body_text = if format == "html" {
        body::to_text(&body_html)
    } else {
        body.clone()
    };
    // SEC-6, FLT-1: the filter sees what is stored and shown, after the sanitiser and the
    // Markdown renderer decoded entities (`https&#58;//…`), as well as what was typed.
    crate::filter::check(
        &state,
        &user,
        &request_info(),
        "body",
        &[&body, &body_html, &body_text],
    )
    .await?;
    let sender = format!(
        "{} {} <{}>",
        user.first_name,
        user.last_name,
        own_address(&state, &user).await?
    );
    let recipients = resolved.addresses.join(", ");
    state
        .store
        .deliver(
            &Outgoing {
                school_id: school,
                sender_id: Some(user.id),
                sender: &sender,
                recipients: &recipients,
                subject: &subject,
                body_html: &body_html,
                body_text: &body_text,
                kind: "mail",
                draft_id: draft,
                forward_from,
                inboxes: &resolved.inboxes,
            },
            crate::platform::now(),
            None,
        )
        .await?;
    leptos_axum::redirect("/mail?box=sent");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn store_draft(
    state: &AppState,
    user: &SessionUser,
    draft: i64,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<i64, AppError> {
    let school = user.school()?;
    rule::check_subject(subject.trim()).map_err(|key| AppError::field("subject", key))?;
    rule::check_body(body).map_err(|key| AppError::field("body", key))?;
    if to.len() > 10_000 {
        return Err(AppError::field("to", Key::MailTooManyRecipients));
    }
    let id = own_draft(state, user, draft).await?.unwrap_or(0);
    let sender = format!(
        "{} {} <{}>",
        user.first_name,
        user.last_name,
        own_address(state, user).await?
    );
    Ok(state
        .store
        .save_draft(
            &store::Draft {
                id,
                school_id: school,
                user_id: user.id,
                sender: &sender,
                recipients: to,
                subject: subject.trim(),
                body,
            },
            crate::platform::now(),
        )
        .await?)
}

/// MAIL-1: the compose form saves itself every few seconds; returns the draft's id.
#[server(prefix = "/api", endpoint = "mail/autosave")]
pub async fn autosave(
    draft: i64,
    to: String,
    subject: String,
    body: String,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    store_draft(&app_state(), &user, draft, &to, &subject, &body).await
}

/// The same from the form's "save draft" button, back to the form.
#[server(prefix = "/api", endpoint = "mail/save-draft")]
pub async fn save_draft(
    draft: i64,
    to: String,
    subject: String,
    body: String,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let id = store_draft(&app_state(), &user, draft, &to, &subject, &body).await?;
    leptos_axum::redirect(&format!("/mail/compose?draft={id}"));
    Ok(id)
}

/// MAIL-1, FILE-2, FLT-3: attaches one of the caller's files (or a group file they can read)
/// to the draft. The blob is shared, not copied.
#[server(prefix = "/api", endpoint = "mail/attach")]
pub async fn attach(
    draft: i64,
    to: String,
    subject: String,
    body: String,
    file: i64,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let (node, _) = crate::files::node_access(&state, &user, file, false).await?;
    let key = node.blob_key.clone().ok_or_else(AppError::not_found)?;
    let id = store_draft(&state, &user, draft, &to, &subject, &body).await?;
    let present = state.store.attachments(id).await?;
    if present.len() >= rule::MAX_ATTACHMENTS {
        return Err(AppError::new(
            ErrorKind::BadInput,
            Key::MailTooManyAttachments,
        ));
    }
    // SEC-7: the same file twice would be the same entry twice in every archive.
    for attached in &present {
        if let Some((_, held, _, _)) = state.store.attachment(id, attached.id).await?
            && held == key
        {
            return Err(AppError::new(ErrorKind::BadInput, Key::MailAttachedTwice));
        }
    }
    let blocked = crate::files::blocked_list(state.store.blocked_types(school).await?);
    if crate::rules::files::blocked_by_name(&node.name, &blocked).is_some() {
        return Err(AppError::new(ErrorKind::BadInput, Key::FilesBlockedType));
    }
    let total = present.iter().map(|a| a.size).sum::<i64>() + node.size;
    let allowance = crate::files::allowance(&state, &user).await?;
    crate::rules::files::check_transfer(total, allowance.transfer_limit)
        .map_err(|key| AppError::new(ErrorKind::TooLarge, key))?;
    // SEC-4, FILE-4: a group file someone else stored starts counting against the caller
    // once their draft holds it.
    if node.created_by != Some(user.id)
        && crate::rules::files::check_quota(node.size, allowance.used, allowance.quota).is_err()
    {
        return Err(AppError::new(ErrorKind::TooLarge, Key::FilesQuotaFull));
    }
    state
        .store
        .attach(
            id,
            &store::Attached {
                name: &node.name,
                blob_key: &key,
                size: node.size,
                content_type: &node.content_type,
            },
        )
        .await?;
    leptos_axum::redirect(&format!("/mail/compose?draft={id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "mail/detach")]
pub async fn detach(
    draft: i64,
    to: String,
    subject: String,
    body: String,
    attachment: i64,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let state = app_state();
    own_draft(&state, &user, draft)
        .await?
        .ok_or_else(AppError::not_found)?;
    let id = store_draft(&state, &user, draft, &to, &subject, &body).await?;
    let keys = state.store.detach(id, attachment).await?;
    crate::files::delete_unreferenced(&state, &keys).await;
    leptos_axum::redirect(&format!("/mail/compose?draft={id}"));
    Ok(id)
}

/// MAIL-1: puts a received attachment into the caller's own files (FILE-4: it counts there).
#[server(prefix = "/api", endpoint = "mail/save-attachment")]
pub async fn save_attachment(item: i64, attachment: i64) -> Result<i64, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    let (name, key, size, content_type) = state
        .store
        .attachment(row.message_id, attachment)
        .await?
        .ok_or_else(AppError::not_found)?;
    let quota = crate::files::allowance(&state, &user).await?.quota;
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let mut candidate = name.clone();
    for _ in 0..5 {
        let outcome = state
            .store
            .create_node(&crate::files::store::NewNode {
                school_id: school,
                space: crate::files::SpaceRef {
                    owner: user.id,
                    group: 0,
                },
                parent_id: None,
                name: &candidate,
                blob_key: Some(&key),
                size,
                content_type: &content_type,
                created_by: user.id,
                quota,
            })
            .await?;
        match outcome {
            crate::files::store::Saved::Done(id) => {
                leptos_axum::redirect(&format!("/mail/message?item={item}&saved=1"));
                return Ok(id);
            }
            crate::files::store::Saved::NameTaken => {
                candidate = crate::files::copy_name(&candidate, lang.t(Key::FilesCopySuffix));
            }
            crate::files::store::Saved::QuotaFull => {
                return Err(AppError::new(ErrorKind::TooLarge, Key::FilesQuotaFull));
            }
            crate::files::store::Saved::NoFolder => return Err(AppError::not_found()),
        }
    }
    Err(AppError::new(ErrorKind::Conflict, Key::FilesNameTaken))
}

/// MAIL-5: hands a received message to school management, with an optional comment.
#[server(prefix = "/api", endpoint = "mail/report")]
pub async fn report(item: i64, comment: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    if row.sender_id == Some(user.id) || row.kind != "mail" {
        return Err(AppError::new(ErrorKind::BadInput, Key::MailReportOwn));
    }
    let comment: String = comment.trim().chars().take(1000).collect();
    let audit = AuditEvent::new("mail.reported", &request_info())
        .actor(user.id, Some(school))
        .details(format!("message {}", row.message_id));
    state
        .store
        .add_report(school, row.message_id, user.id, &comment, &audit)
        .await?;
    leptos_axum::redirect(&format!("/mail/message?item={item}&reported=1"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "mail/reports")]
pub async fn reports() -> Result<Vec<ReportView>, AppError> {
    let (_, school) = school_staff(Capability::MailCases)?;
    Ok(app_state().store.reports(school).await?)
}

#[server(prefix = "/api", endpoint = "mail/close-report")]
pub async fn close_report(id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::MailCases)?;
    let audit = AuditEvent::new("mail.report_closed", &request_info())
        .actor(user.id, Some(school))
        .details(format!("report {id}"));
    if !app_state()
        .store
        .close_report(school, id, crate::platform::now(), &audit)
        .await?
    {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// MAIL-4: the notice to the mailbox owner, in German and English (they may read either).
#[cfg(feature = "ssr")]
fn case_notice(case: &CaseRow, key: Key, by: &str) -> (String, String) {
    use crate::i18n::Lang;
    let fill = |lang: Lang| {
        lang.fill(
            key,
            &[
                ("reference", &case.reference),
                ("time", &lang.timestamp(crate::platform::now())),
                ("by", by),
                ("until", &lang.timestamp(case.ends_at)),
            ],
        )
    };
    let subject = format!(
        "{} / {}",
        crate::i18n::Lang::De.fill(Key::MailNoticeSubject, &[("reference", &case.reference)]),
        crate::i18n::Lang::En.fill(Key::MailNoticeSubject, &[("reference", &case.reference)])
    );
    (subject, format!("{}\n\n{}", fill(Lang::De), fill(Lang::En)))
}

/// MAIL-4: a system message from "Schulhof" into the owner's inbox.
#[cfg(feature = "ssr")]
fn notice_to<'a>(
    school_id: i64,
    inbox: &'a [i64],
    subject: &'a str,
    body_html: &'a str,
    body_text: &'a str,
) -> Outgoing<'a> {
    Outgoing {
        school_id,
        sender_id: None,
        sender: "Schulhof",
        recipients: "",
        subject,
        body_html,
        body_text,
        kind: "notice",
        draft_id: None,
        forward_from: None,
        inboxes: inbox,
    }
}

/// SEC-1: a system message from "Schulhof" to the people a change concerns (the owners of a
/// group whose members changed), in German and English like the case notices. Sent after the
/// change has committed; the change's audit event is the record, the message is the courtesy.
#[cfg(feature = "ssr")]
pub async fn tell(
    state: &AppState,
    school: i64,
    inboxes: &[i64],
    subject: Key,
    text: Key,
    values: &[(&str, &str)],
) -> Result<(), AppError> {
    use crate::i18n::Lang;
    if inboxes.is_empty() {
        return Ok(());
    }
    let subject = format!(
        "{} / {}",
        Lang::De.fill(subject, values),
        Lang::En.fill(subject, values)
    );
    let text = format!(
        "{}\n\n{}",
        Lang::De.fill(text, values),
        Lang::En.fill(text, values)
    );
    let html = body::from_plain(&text);
    let notice = notice_to(school, inboxes, &subject, &html, &text);
    state
        .store
        .deliver(&notice, crate::platform::now(), None)
        .await?;
    Ok(())
}

/// MAIL-4: opens an inspection case. The owner is told in the same transaction; there is no
/// way to open a case without that notice.
/// MAIL-4, SEC-3: designated readers of one case; a case is read by a few, never by many.
pub const MAX_CASE_READERS: usize = 10;

#[server(prefix = "/api", endpoint = "mail/open-case")]
pub async fn open_case(
    login: String,
    reason: String,
    reference: String,
    readers: String,
    until: String,
) -> Result<i64, AppError> {
    let (user, school) = school_staff(Capability::MailCases)?;
    let state = app_state();
    let owner = match state.store.account_by_login(login.trim()).await? {
        Some((id, s, _, _)) if s == school => id,
        _ => return Err(AppError::field("login", Key::MailUnknownAddress)),
    };
    let reason = reason.trim();
    if reason.chars().count() < 10 || reason.chars().count() > 2000 {
        return Err(AppError::field("reason", Key::MailCaseReason));
    }
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        return Err(AppError::field("reference", Key::ErrorRequired));
    }
    // SEC-3: counted before any login is looked up.
    let logins = rule::split_recipients(&readers);
    if logins.len() > MAX_CASE_READERS {
        return Err(AppError::field("readers", Key::MailCaseTooManyReaders));
    }
    let mut reader_ids = Vec::new();
    for login in logins {
        match state.store.account_by_login(&login).await? {
            Some((id, s, _, _)) if s == school && id != owner => {
                let role = state.store.role_of(id).await?;
                if role == Some(Role::Pupil) || role.is_none() {
                    return Err(AppError::field("readers", Key::MailCaseReaders));
                }
                reader_ids.push(id);
            }
            _ => return Err(AppError::field("readers", Key::MailCaseReaders)),
        }
    }
    if reader_ids.is_empty() {
        return Err(AppError::field("readers", Key::MailCaseReaders));
    }
    let now = crate::platform::now();
    let ends_at = crate::rules::date::parse(&until)
        .and_then(|day| crate::i18n::end_of_day_berlin(&day))
        .filter(|end| *end > now && *end < now + 366 * 86400)
        .ok_or_else(|| AppError::field("until", Key::FilesUntilFuture))?;
    let case = CaseRow {
        id: 0,
        school_id: school,
        mailbox_user_id: owner,
        reference: reference.to_string(),
        reason: reason.to_string(),
        opened_at: now,
        ends_at,
        closed_at: None,
    };
    let by = format!("{} {}", user.first_name, user.last_name);
    let (subject, text) = case_notice(&case, Key::MailNoticeOpened, &by);
    let html = body::from_plain(&text);
    let owner_inbox = [owner];
    let notice = notice_to(school, &owner_inbox, &subject, &html, &text);
    let audit = AuditEvent::new("mail.case_opened", &request_info())
        .actor(user.id, Some(school))
        .subject(owner);
    let id = state
        .store
        .open_case(&case, user.id, &reader_ids, &notice, &audit)
        .await?;
    leptos_axum::redirect("/mail/cases");
    Ok(id)
}

#[server(prefix = "/api", endpoint = "mail/cases")]
pub async fn cases() -> Result<Vec<CaseSummary>, AppError> {
    let (_, school) = school_staff(Capability::MailCases)?;
    Ok(app_state().store.cases(school).await?)
}

/// MAIL-4: closes a case by hand, or (with `by` empty) at its end date; the owner is told.
#[cfg(feature = "ssr")]
pub async fn finish_case(
    state: &AppState,
    case: &CaseRow,
    by: Option<&SessionUser>,
    info: &crate::platform::RequestInfo,
) -> Result<bool, AppError> {
    let name = by.map_or_else(
        || "Schulhof".to_string(),
        |u| format!("{} {}", u.first_name, u.last_name),
    );
    let (subject, text) = case_notice(case, Key::MailNoticeClosed, &name);
    let html = body::from_plain(&text);
    let owner_inbox = [case.mailbox_user_id];
    let notice = notice_to(case.school_id, &owner_inbox, &subject, &html, &text);
    // SEC-5: closed by the job or by a person, the event belongs to the case's school.
    let mut audit = AuditEvent::new("mail.case_closed", info)
        .school(Some(case.school_id))
        .subject(case.mailbox_user_id)
        .details(format!("case {}: {}", case.id, case.reference));
    if let Some(user) = by {
        audit = audit.actor(user.id, Some(case.school_id));
    }
    Ok(state
        .store
        .close_case(
            case.id,
            by.map(|u| u.id),
            crate::platform::now(),
            &notice,
            &audit,
        )
        .await?)
}

#[server(prefix = "/api", endpoint = "mail/close-case")]
pub async fn close_case(id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::MailCases)?;
    let state = app_state();
    let case = state
        .store
        .case(school, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !finish_case(&state, &case, Some(&user), &request_info()).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// MAIL-4: closes the cases whose end date has passed (run by the scheduled jobs).
#[cfg(feature = "ssr")]
pub async fn close_expired_cases(state: &AppState) -> Result<usize, String> {
    let info = crate::platform::RequestInfo::default();
    let mut closed = 0;
    for case in state
        .store
        .expired_cases(crate::platform::now())
        .await
        .map_err(|e| e.to_string())?
    {
        if finish_case(state, &case, None, &info)
            .await
            .map_err(|e| e.text(crate::i18n::Lang::En))?
        {
            closed += 1;
        }
    }
    Ok(closed)
}

/// MAIL-1: empties mail trashes past their age, and deletes what no one holds any more.
#[cfg(feature = "ssr")]
pub async fn purge_trash(state: &AppState) -> Result<usize, String> {
    let keys = state
        .store
        .purge_mail_trash(crate::platform::now())
        .await
        .map_err(|e| e.to_string())?;
    crate::files::delete_unreferenced(state, &keys).await;
    Ok(keys.len())
}

/// MAIL-4: a designated reader's way into an open case; closed or ended cases let no one in.
#[cfg(feature = "ssr")]
pub async fn case_access(
    state: &AppState,
    user: &SessionUser,
    case_id: i64,
) -> Result<CaseRow, AppError> {
    let school = user.school()?;
    let case = state
        .store
        .case(school, case_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !state.store.is_case_reader(case.id, user.id).await? {
        return Err(AppError::not_found());
    }
    if case.closed_at.is_some() || case.ends_at <= crate::platform::now() {
        return Err(AppError::new(ErrorKind::Forbidden, Key::MailCaseClosed));
    }
    Ok(case)
}

#[server(prefix = "/api", endpoint = "mail/case-box")]
pub async fn case_mailbox(case: i64, box_code: String, before: i64) -> Result<CaseBox, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let found = case_access(&state, &user, case).await?;
    let mailbox = MailBox::parse(&box_code).ok_or_else(AppError::not_found)?;
    let page = page_of(&state, found.mailbox_user_id, mailbox, "", before).await?;
    // SEC-1, MAIL-4: a page of the list shows senders, recipients and subjects, so browsing is
    // a read too: logged on the case (message 0 stands for a page of the list) and audited.
    let audit = AuditEvent::new("mail.case_listed", &request_info())
        .actor(user.id, Some(found.school_id))
        .subject(found.mailbox_user_id)
        .details(format!("case {} {box_code} before {before}", found.id));
    state
        .store
        .log_case_read(found.id, user.id, 0, crate::platform::now(), &audit)
        .await?;
    let owner = state.store.name_of(found.mailbox_user_id).await?;
    Ok(CaseBox {
        case_id: found.id,
        reference: found.reference,
        mailbox: owner,
        ends_at: found.ends_at,
        page,
    })
}

/// MAIL-4: one message of the mailbox under inspection; every opening is logged on the case.
#[server(prefix = "/api", endpoint = "mail/case-message")]
pub async fn case_message(case: i64, item: i64) -> Result<(CaseBox, MessagePage), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let found = case_access(&state, &user, case).await?;
    let row = state
        .store
        .item(found.mailbox_user_id, item)
        .await?
        .ok_or_else(AppError::not_found)?;
    let audit = AuditEvent::new("mail.case_read", &request_info())
        .actor(user.id, Some(found.school_id))
        .subject(found.mailbox_user_id)
        .details(format!("case {} message {}", found.id, row.message_id));
    state
        .store
        .log_case_read(
            found.id,
            user.id,
            row.message_id,
            crate::platform::now(),
            &audit,
        )
        .await?;
    let page = page_of(&state, found.mailbox_user_id, MailBox::Inbox, "", 0).await?;
    let owner = state.store.name_of(found.mailbox_user_id).await?;
    let message = message_page(&state, found.mailbox_user_id, row).await?;
    Ok((
        CaseBox {
            case_id: found.id,
            reference: found.reference,
            mailbox: owner,
            ends_at: found.ends_at,
            page,
        },
        message,
    ))
}

#[server(prefix = "/api", endpoint = "mail/settings")]
pub async fn mail_rules() -> Result<MailSettings, AppError> {
    let (_, school) = school_staff(Capability::MailManage)?;
    Ok(app_state().store.mail_settings(school).await?)
}

/// MAIL-3: the school's limits. `pupils_to_class` is "yes" or "no".
#[server(prefix = "/api", endpoint = "mail/set-settings")]
pub async fn set_mail_settings(
    pupil_recipients: i64,
    pupil_per_hour: i64,
    staff_recipients: i64,
    staff_per_hour: i64,
    pupils_to_class: String,
    trash_days: i64,
) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::MailManage)?;
    let state = app_state();
    for (field, value) in [
        ("pupil_recipients", pupil_recipients),
        ("pupil_per_hour", pupil_per_hour),
        ("staff_recipients", staff_recipients),
        ("staff_per_hour", staff_per_hour),
    ] {
        if !(1..=10_000).contains(&value) {
            return Err(AppError::field(field, Key::MailLimitRange));
        }
    }
    if !(1..=3650).contains(&trash_days) {
        return Err(AppError::field("trash_days", Key::MailLimitRange));
    }
    // The form offers "yes" and "no"; anything else is not a choice it made.
    if !matches!(pupils_to_class.as_str(), "yes" | "no") {
        return Err(AppError::field("pupils_to_class", Key::ErrorBadInput));
    }
    let settings = MailSettings {
        pupil_recipients,
        pupil_per_hour,
        staff_recipients,
        staff_per_hour,
        pupils_to_class: pupils_to_class == "yes",
        trash_days,
        between_schools: false,
    };
    let audit = AuditEvent::new("mail.settings_changed", &request_info())
        .actor(user.id, Some(school))
        .details(format!(
            "pupils {pupil_recipients}/{pupil_per_hour}, staff {staff_recipients}/{staff_per_hour}, class {}, trash {trash_days} days",
            settings.pupils_to_class
        ));
    state
        .store
        .set_mail_settings(school, &settings, &audit)
        .await?;
    Ok(())
}

/// MAIL-2: the operator decides whether mail may go between the deployment's schools.
#[server(prefix = "/api", endpoint = "mail/set-between-schools")]
pub async fn set_between_schools(allowed: String) -> Result<(), AppError> {
    let user = authenticate()?;
    crate::auth::require(&user, Capability::SchoolsManage)?;
    let allowed = allowed == "yes";
    let audit = AuditEvent::new("mail.between_schools", &request_info())
        .actor(user.id, None)
        .details(allowed.to_string());
    app_state()
        .store
        .set_between_schools(allowed, &audit)
        .await?;
    Ok(())
}

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
