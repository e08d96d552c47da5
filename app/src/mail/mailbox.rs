//! MAIL-1: reading one's own mailbox: the folder pages, one message, moving, deleting, the
//! own folders, and the job that empties old trash.

use super::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

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
            .mailbox()
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
    let counts = app_state().mailbox().unread_counts(user.id).await?;
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
    Ok(app_state().mailbox().unread_notices(user.id).await?)
}

/// Opens one of the caller's own messages and marks it read.
#[server(prefix = "/api", endpoint = "mail/message")]
pub async fn message(item: i64) -> Result<MessagePage, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    if !row.is_read {
        state.mailbox().mark_read(row.id, true).await?;
    }
    message_page(&state, user.id, row).await
}

#[server(prefix = "/api", endpoint = "mail/mark-unread")]
pub async fn mark_unread(item: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    state.mailbox().mark_read(row.id, false).await?;
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
                .mailbox()
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
        .mailbox()
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
        let keys = state.mailbox().delete_items(user.id, &[row.id]).await?;
        crate::files::delete_unreferenced(&state, &keys).await;
    } else {
        state
            .mailbox()
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
    let ids = state.mailbox().trash_ids(user.id).await?;
    let keys = state.mailbox().delete_items(user.id, &ids).await?;
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
        .mailbox()
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
    if !app_state()
        .mailbox()
        .delete_mail_folder(user.id, id)
        .await?
    {
        return Err(AppError::not_found());
    }
    leptos_axum::redirect("/mail");
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    //! The server-only half of the mailbox: finding one's own items and pages, and the trash purge.
    use super::*;

    /// The caller's own item; anyone else's is "not found" (ADM-1).
    pub(in crate::mail) async fn own_item(
        state: &AppState,
        user: &SessionUser,
        item: i64,
    ) -> Result<ItemRow, AppError> {
        state
            .mailbox()
            .item(user.id, item)
            .await?
            .ok_or_else(AppError::not_found)
    }

    pub(in crate::mail) async fn own_address(
        state: &AppState,
        user: &SessionUser,
    ) -> Result<String, AppError> {
        let domain = state
            .schools()
            .school_domain(user.school()?)
            .await?
            .unwrap_or_default();
        Ok(crate::rules::login::address(&user.login, &domain))
    }

    pub(in crate::mail) async fn page_of(
        state: &AppState,
        user_id: i64,
        mailbox: MailBox,
        query: &str,
        before: i64,
    ) -> Result<MailboxPage, AppError> {
        let query: String = query.trim().chars().take(100).collect();
        let mut items = state
            .mailbox()
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
            folders: state.mailbox().mail_folders(user_id).await?,
            unread: state.mailbox().unread_counts(user_id).await?,
            items,
            query,
            next_before,
        })
    }

    pub(in crate::mail) async fn message_page(
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
            attachments: state.mailbox().attachments(item.message_id).await?,
            is_notice: item.kind == "notice",
            is_draft: item.kind == "draft",
            folders: state.mailbox().mail_folders(item.user_id).await?,
        })
    }

    /// MAIL-1: empties mail trashes past their age, and deletes what no one holds any more.
    pub async fn purge_trash(state: &AppState) -> Result<usize, String> {
        let keys = state
            .mailbox()
            .purge_mail_trash(crate::platform::now())
            .await
            .map_err(|e| e.to_string())?;
        crate::files::delete_unreferenced(state, &keys).await;
        Ok(keys.len())
    }
}
