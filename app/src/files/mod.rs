//! FILE-1..4, FLT-3: personal and group folders, the 20 MB rule with its exceptions, quotas,
//! the trash, blocked programs, and "download all my data".
//!
//! Uploads and downloads stream through plain HTTP routes (`http.rs`); everything else is a
//! server function here. Each one finds the caller's access to a space or a node with
//! [`space_access`] or [`node_access`], the one place that decides who may see what (ADM-1:
//! administrators have no way into anyone's folder).
pub mod views;

#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod thumbnail;
#[cfg(feature = "ssr")]
pub mod transfer;
#[cfg(feature = "ssr")]
pub mod upload;
#[cfg(feature = "ssr")]
pub mod zip_stream;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::rules::files::{MemberRights, Standing};

/// Where files live: the caller's own folder, or a class's or team's folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Space {
    Personal,
    Group(i64),
}

impl Space {
    /// The form in URLs: `me` or `g12`.
    pub fn code(self) -> String {
        match self {
            Space::Personal => "me".into(),
            Space::Group(id) => format!("g{id}"),
        }
    }

    pub fn parse(code: &str) -> Option<Space> {
        match code {
            "" | "me" => Some(Space::Personal),
            _ => code.strip_prefix('g')?.parse().ok().map(Space::Group),
        }
    }
}

/// A space as the database keys it: the owning user or the group, the other one 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpaceRef {
    pub owner: i64,
    pub group: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub id: i64,
    pub is_folder: bool,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub updated_at: i64,
    pub trashed_at: Option<i64>,
    /// Who put it there; `None` for a person who has left the school.
    pub author: Option<String>,
    pub author_id: Option<i64>,
    /// Who put it in the trash, for an item in the trash (FILE-1: owners see who deleted what).
    pub deleted_by: Option<String>,
    /// FILE-1: whether the caller may rename, move, delete or restore it.
    pub can_change: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferException {
    pub limit_bytes: i64,
    pub reason: String,
    pub ends_at: i64,
}

/// FILE-2, FILE-4: what the person may move and store, as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    pub used: i64,
    pub quota: i64,
    /// The limit in force: the school's, or the exception's while it lasts.
    pub transfer_limit: i64,
    pub exception: Option<TransferException>,
    /// FLT-3: the blocked extensions, so the upload form can refuse before it sends.
    pub blocked: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderView {
    pub space: Space,
    pub space_name: Option<String>,
    pub folder: Option<i64>,
    /// From the top of the space down to this folder, as (id, name).
    pub path: Vec<(i64, String)>,
    pub entries: Vec<FileEntry>,
    pub total: i64,
    pub page: i64,
    /// FILE-1: where the caller stands in this space.
    pub standing: Standing,
    /// FILE-1: in a group's folder, what its members may do.
    pub members: Option<MemberRights>,
    /// The caller's own folder and their groups' folders, as (space, name).
    pub spaces: Vec<(Space, String)>,
    /// Where "move to" can go: every folder of the space, as (id, path).
    pub folders: Vec<(i64, String)>,
    pub allowance: Allowance,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrashView {
    pub space: Space,
    /// FILE-1: owners of a group folder, and everyone in their own, delete for good.
    pub may_purge: bool,
    pub entries: Vec<FileEntry>,
    pub keep_days: i64,
}

/// A folder holds at most this many entries per page; 10,000 stay fast.
pub const PAGE_SIZE: i64 = 100;

/// Full paths of the folders in `rows` (id, parent, name), sorted by path.
pub fn paths(rows: &[(i64, Option<i64>, String)]) -> Vec<(i64, String)> {
    let by_id: std::collections::HashMap<i64, (Option<i64>, &str)> = rows
        .iter()
        .map(|(id, p, n)| (*id, (*p, n.as_str())))
        .collect();
    let mut out: Vec<(i64, String)> = rows
        .iter()
        .filter_map(|(id, _, _)| {
            let mut parts = Vec::new();
            let mut at = Some(*id);
            while let Some(current) = at {
                // A parent outside the list (in the trash) hides its children.
                let (parent, name) = by_id.get(&current)?;
                parts.push(*name);
                at = *parent;
                if parts.len() > 256 {
                    return None;
                }
            }
            parts.reverse();
            Some((*id, parts.join("/")))
        })
        .collect();
    out.sort_by_key(|a| a.1.to_lowercase());
    out
}

/// The school's list as stored ("exe, msi …"), or the default list.
pub fn blocked_list(stored: Option<String>) -> Vec<String> {
    match stored {
        Some(list) => list
            .split([',', ' ', '\n', ';'])
            .map(|e| e.trim().trim_start_matches('.').to_lowercase())
            .filter(|e| !e.is_empty())
            .collect(),
        None => crate::rules::files::DEFAULT_BLOCKED
            .iter()
            .map(|e| e.to_string())
            .collect(),
    }
}

/// FILE-1: one page of a folder, with everything the page around it needs.
#[server(prefix = "/api", endpoint = "files/list")]
pub async fn list_folder(space: String, folder: i64, page: i64) -> Result<FolderView, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let space = space_param(&space)?;
    let access = space_access(&state, &user, space).await?;
    let space_ref = access.space;
    let folder = folder_param(folder);
    let mut path = Vec::new();
    if let Some(id) = folder {
        let (node, _) = node_access(&state, &user, id, false).await?;
        if node.space() != space_ref || !node.is_folder {
            return Err(AppError::kind(ErrorKind::NotFound));
        }
        path = state
            .files()
            .ancestors(id)
            .await?
            .into_iter()
            .map(|(id, name, _)| (id, name))
            .collect();
    }
    let page = page.clamp(0, 100_000);
    let (mut entries, total) = state
        .files()
        .list_folder(space_ref, folder, page * PAGE_SIZE, PAGE_SIZE)
        .await?;
    mark_changeable(&mut entries, &user, access.standing);
    let groups = state.groups().my_groups(user.id).await?;
    let space_name = match space {
        Space::Personal => None,
        Space::Group(g) => groups
            .iter()
            .find(|group| group.id == g)
            .map(|group| group.name.clone()),
    };
    let mut spaces = vec![(Space::Personal, String::new())];
    spaces.extend(
        groups
            .into_iter()
            .map(|group| (Space::Group(group.id), group.name)),
    );
    Ok(FolderView {
        space,
        space_name,
        folder,
        path,
        entries,
        total,
        page,
        standing: access.standing,
        members: access.members,
        spaces,
        folders: state.files().folders(space_ref).await?,
        allowance: allowance(&state, &user).await?,
    })
}

#[server(prefix = "/api", endpoint = "files/create-folder")]
pub async fn create_folder(space: String, folder: i64, name: String) -> Result<i64, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let access = space_access(&state, &user, space_param(&space)?).await?;
    addable(access.standing)?;
    let name = name_field(&name)?;
    crate::filter::check(&state, &user, &request_info(), "name", &[&name]).await?;
    let outcome = state
        .files()
        .create_node(&store::NewNode {
            school_id: user.school_id.unwrap_or_default(),
            space: access.space,
            parent_id: folder_param(folder),
            name: &name,
            blob_key: None,
            size: 0,
            content_type: "",
            created_by: user.id,
            quota: 0,
        })
        .await?;
    saved(outcome)
}

#[server(prefix = "/api", endpoint = "files/rename")]
pub async fn rename_entry(id: i64, name: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (node, standing) = node_access(&state, &user, id, false).await?;
    changeable(&state, &user, &node, standing).await?;
    let name = name_field(&name)?;
    crate::filter::check(&state, &user, &request_info(), "name", &[&name]).await?;
    // SEC-6, FLT-3: `run.txt` does not become `run.bat` by a rename.
    if !node.is_folder {
        let blocked = blocked_list(state.files().blocked_types(node.school_id).await?);
        if let Some(ext) = rule::blocked_by_name(&name, &blocked) {
            let info = request_info();
            return Err(transfer::refuse_blocked(&state, &user, &info, &name, &ext).await);
        }
    }
    let outcome = state
        .files()
        .rename_node(node.id, &name, &rule::name_key(&name))
        .await?;
    saved(outcome).map(|_| ())
}

/// Moves within the same space; `target` 0 is its top level.
#[server(prefix = "/api", endpoint = "files/move")]
pub async fn move_entry(id: i64, target: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (node, standing) = node_access(&state, &user, id, false).await?;
    changeable(&state, &user, &node, standing).await?;
    let outcome = state.files().move_node(&node, folder_param(target)).await?;
    saved(outcome).map(|_| ())
}

/// Copies into a folder of the same space; a copy beside its original gets " (Kopie)".
#[server(prefix = "/api", endpoint = "files/copy")]
pub async fn copy_entry(id: i64, target: i64) -> Result<i64, AppError> {
    let user = authenticate()?;
    let state = app_state();
    // A copy belongs to whoever makes it: reading the original and adding are enough.
    let (node, standing) = node_access(&state, &user, id, false).await?;
    addable(standing)?;
    let target = folder_param(target);
    let name = if target == node.parent_id {
        copy_name(&node.name, request_lang().t(Key::FilesCopySuffix))
    } else {
        node.name.clone()
    };
    let quota = allowance(&state, &user).await?.quota;
    let outcome = state
        .files()
        .copy_node(&node, target, &name, user.id, quota)
        .await?;
    saved(outcome)
}

/// "Brief.pdf" → "Brief (Kopie).pdf".
pub fn copy_name(name: &str, suffix: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({suffix}).{ext}"),
        _ => format!("{name} ({suffix})"),
    }
}

/// FILE-1: into the trash, from where it can be restored.
#[server(prefix = "/api", endpoint = "files/delete")]
pub async fn delete_entry(id: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (node, standing) = node_access(&state, &user, id, false).await?;
    changeable(&state, &user, &node, standing).await?;
    state
        .files()
        .trash_node(node.id, user.id, crate::platform::now())
        .await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "files/trash")]
pub async fn list_trash(space: String) -> Result<TrashView, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let space = space_param(&space)?;
    let access = space_access(&state, &user, space).await?;
    let keep_days = match user.school_id {
        Some(school) => state
            .school_settings()
            .settings(school)
            .await?
            .map_or(30, |s| s.trash_days),
        None => 30,
    };
    let mut entries = state.files().list_trash(access.space).await?;
    mark_changeable(&mut entries, &user, access.standing);
    Ok(TrashView {
        space,
        may_purge: access.standing.may_purge(),
        entries,
        keep_days,
    })
}

#[server(prefix = "/api", endpoint = "files/restore")]
pub async fn restore_entry(id: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let (node, standing) = node_access(&state, &user, id, true).await?;
    changeable(&state, &user, &node, standing).await?;
    saved(app_state().files().restore_node(&node).await?).map(|_| ())
}

/// Deletes one item of the trash (`id`), or all of it (`id` 0), for good.
#[server(prefix = "/api", endpoint = "files/empty-trash")]
pub async fn empty_trash(space: String, id: i64) -> Result<(), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let access = space_access(&state, &user, space_param(&space)?).await?;
    if !access.standing.may_purge() {
        return Err(AppError::new(ErrorKind::Forbidden, Key::FilesPurgeOwners));
    }
    let space_ref = access.space;
    let only = folder_param(id);
    if let Some(id) = only {
        node_access(&state, &user, id, true).await?;
    }
    let audit = AuditEvent::new("file.trash_emptied", &request_info())
        .actor(user.id, user.school_id)
        .details(format!("{} {}", space_param_code(space_ref), id));
    let keys = state.files().purge(space_ref, only, &audit).await?;
    delete_unreferenced(&state, &keys).await;
    Ok(())
}

/// FILE-2: an exception for one person: a higher limit, why, and until when (YYYY-MM-DD).
#[server(prefix = "/api", endpoint = "files/grant-exception")]
pub async fn grant_exception(
    user_id: i64,
    limit_mb: i64,
    reason: String,
    until: String,
) -> Result<(), AppError> {
    let (admin, school) = school_staff(Capability::FilesManage)?;
    let state = app_state();
    if !(1..=10_240).contains(&limit_mb) {
        return Err(AppError::field("limit_mb", Key::FilesLimitRange));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::field("reason", Key::ErrorRequired));
    }
    let ends_at = crate::rules::date::parse(&until)
        .and_then(|day| crate::rules::date::end_of_day_berlin(&day))
        .filter(|end| *end > crate::platform::now())
        .ok_or_else(|| AppError::field("until", Key::FilesUntilFuture))?;
    let exception = TransferException {
        limit_bytes: limit_mb * rule::MB,
        reason: reason.to_string(),
        ends_at,
    };
    let audit = AuditEvent::new("file.exception_granted", &request_info())
        .actor(admin.id, Some(school))
        .subject(user_id)
        .details(format!("{limit_mb} MB until {until}: {reason}"));
    if !state
        .files()
        .grant_exception(school, user_id, &exception, admin.id, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

/// FILE-4: a person's own quota in MB; empty for the role's default.
#[server(prefix = "/api", endpoint = "files/set-quota")]
pub async fn set_quota(user_id: i64, quota_mb: String) -> Result<(), AppError> {
    let (admin, school) = school_staff(Capability::FilesManage)?;
    let state = app_state();
    let quota = match quota_mb.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .ok()
                .filter(|mb| (0..=1_048_576).contains(mb))
                .ok_or_else(|| AppError::field("quota_mb", Key::FilesQuotaRange))?
                * rule::MB,
        ),
    };
    let audit = AuditEvent::new("file.quota_set", &request_info())
        .actor(admin.id, Some(school))
        .subject(user_id)
        .details(quota.map_or("default".into(), |q| format!("{} MB", q / rule::MB)));
    if !state
        .files()
        .set_quota(school, user_id, quota, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

/// FLT-3: the school's list of blocked file types, as one line.
#[server(prefix = "/api", endpoint = "files/blocked-types")]
pub async fn blocked_types() -> Result<String, AppError> {
    let (_, school) = school_staff(Capability::FilesManage)?;
    Ok(blocked_list(app_state().files().blocked_types(school).await?).join(", "))
}

/// FLT-3, SEC-3: file endings on one school's list.
pub const MAX_BLOCKED_TYPES: usize = 500;

#[server(prefix = "/api", endpoint = "files/set-blocked-types")]
pub async fn set_blocked_types(list: String) -> Result<(), AppError> {
    let (admin, school) = school_staff(Capability::FilesManage)?;
    let state = app_state();
    // SEC-3: the size of the list before it is split (500 endings of up to 20 characters and
    // a separator each).
    if list.len() > MAX_BLOCKED_TYPES * 22 {
        return Err(AppError::field("list", Key::FilesBlockedTooMany));
    }
    let entries = blocked_list(Some(list));
    if entries.len() > MAX_BLOCKED_TYPES {
        return Err(AppError::field("list", Key::FilesBlockedTooMany));
    }
    if entries
        .iter()
        .any(|e| e.len() > 20 || !e.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(AppError::field("list", Key::FilesBlockedInvalid));
    }
    let list = entries.join(", ");
    let audit = AuditEvent::new("file.blocklist_changed", &request_info())
        .actor(admin.id, Some(school))
        .details(list.clone());
    state
        .files()
        .set_blocked_types(school, &list, &audit)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_round_trip_through_urls() {
        assert_eq!(Space::parse("me"), Some(Space::Personal));
        assert_eq!(
            Space::parse(&Space::Group(12).code()),
            Some(Space::Group(12))
        );
        assert_eq!(Space::parse("g"), None);
        assert_eq!(Space::parse("x1"), None);
    }

    #[test]
    fn folder_paths_skip_what_hangs_below_a_trashed_folder() {
        let rows = vec![
            (1, None, "Mathe".to_string()),
            (2, Some(1), "Brüche".to_string()),
            (3, Some(9), "verwaist".to_string()),
        ];
        assert_eq!(
            paths(&rows),
            vec![(1, "Mathe".to_string()), (2, "Mathe/Brüche".to_string())]
        );
        assert_eq!(copy_name("Brief.pdf", "Kopie"), "Brief (Kopie).pdf");
        assert_eq!(copy_name("Ordner", "Kopie"), "Ordner (Kopie)");
    }
}
