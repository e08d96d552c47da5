//! The server-only half of files: who may reach a space or a node, quotas, and the clean-up
//! job. The server functions in `mod.rs` call these; so do the upload and download routes.
use super::*;

pub(super) use crate::auth::{authenticate, school_staff};

pub(super) use crate::{
    audit::AuditEvent,
    auth::{Capability, SessionUser},
    error::ErrorKind,
    i18n::Key,
    platform::{AppState, app_state, request_info},
    rules::files::{self as rule, MemberRights, Standing},
};

pub(super) use super::store::{Node, Saved};

/// The files below `folder` (or the whole space) with their paths relative to it.
pub fn archive_paths(rows: &[store::ArchiveRow], folder: Option<i64>) -> Vec<store::ArchiveItem> {
    let by_id: std::collections::HashMap<i64, (Option<i64>, &str)> =
        rows.iter().map(|r| (r.0, (r.1, r.2.as_str()))).collect();
    let mut out = Vec::new();
    for (id, _, _, is_folder, key, size) in rows {
        let (Some(key), false) = (key, is_folder) else {
            continue;
        };
        let mut parts = Vec::new();
        let mut at = Some(*id);
        let mut inside = folder.is_none();
        while let Some(current) = at {
            if Some(current) == folder {
                inside = true;
                break;
            }
            let Some((parent, name)) = by_id.get(&current) else {
                inside = false;
                break;
            };
            parts.push(*name);
            at = *parent;
        }
        if inside && at.is_none() == folder.is_none() {
            parts.reverse();
            out.push(store::ArchiveItem {
                path: parts.join("/"),
                blob_key: key.clone(),
                size: *size,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// FILE-1: a caller's way into a space: which space, where they stand in it, and, in a group's
/// folder, what its members may do (shown to its owners, who may change it).
#[derive(Clone, Copy, Debug)]
pub struct Access {
    pub space: SpaceRef,
    pub standing: Standing,
    pub members: Option<MemberRights>,
}

/// Who may do what in a space: the owner in their own folder; in a group folder its owners, and
/// its members as far as the group's [`MemberRights`] go. Everybody else does not see it exists.
pub async fn space_access(
    state: &AppState,
    user: &SessionUser,
    space: Space,
) -> Result<Access, AppError> {
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
    match space {
        Space::Personal => Ok(Access {
            space: SpaceRef {
                owner: user.id,
                group: 0,
            },
            standing: Standing::OwnFolder,
            members: None,
        }),
        Space::Group(group) => {
            let place = state
                .groups()
                .membership(user.id, group, school)
                .await?
                .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
            Ok(Access {
                space: SpaceRef { owner: 0, group },
                standing: place.standing(),
                members: Some(place.member_rights()),
            })
        }
    }
}

/// The node with the caller's standing in its space. Items in the trash, or in a folder in the
/// trash, are found only when `trashed` asks for them.
pub async fn node_access(
    state: &AppState,
    user: &SessionUser,
    id: i64,
    trashed: bool,
) -> Result<(Node, Standing), AppError> {
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
    let node = state
        .files()
        .node(school, id)
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let space = match node.group_id {
        Some(group) => Space::Group(group),
        None if node.owner_user_id == Some(user.id) => Space::Personal,
        None => return Err(AppError::kind(ErrorKind::NotFound)),
    };
    let access = space_access(state, user, space).await?;
    let in_trash = state.files().ancestors(id).await?.iter().any(|a| a.2);
    if in_trash != trashed || (trashed && node.trashed_at.is_none()) {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok((node, access.standing))
}

/// FILE-1: adding files and folders (uploads, new folders, copies).
pub(super) fn addable(standing: Standing) -> Result<(), AppError> {
    if standing.may_add() {
        Ok(())
    } else {
        Err(AppError::new(ErrorKind::Forbidden, Key::FilesReadOnly))
    }
}

/// FILE-1: renaming, moving, deleting or restoring `node`. A member whose group lets them change
/// only their own items changes what they added, and a folder only when everything ever put in
/// it (the trash included) is theirs too.
pub(super) async fn changeable(
    state: &AppState,
    user: &SessionUser,
    node: &Node,
    standing: Standing,
) -> Result<(), AppError> {
    if !standing.may_change(true) {
        return Err(AppError::new(ErrorKind::Forbidden, Key::FilesReadOnly));
    }
    if standing.may_change(false) {
        return Ok(());
    }
    if node.created_by != Some(user.id) {
        return Err(AppError::new(ErrorKind::Forbidden, Key::FilesNotYours));
    }
    if node.is_folder && state.files().others_below(node.id, user.id).await? {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            Key::FilesFolderNotAllYours,
        ));
    }
    Ok(())
}

/// FILE-1: what the list shows each entry's row: its actions only where they would succeed
/// (for a member's own folder the server still looks inside when it is changed).
pub(super) fn mark_changeable(entries: &mut [FileEntry], user: &SessionUser, standing: Standing) {
    for entry in entries {
        entry.can_change = standing.may_change(entry.author_id == Some(user.id));
    }
}

pub(super) fn saved(outcome: Saved) -> Result<i64, AppError> {
    match outcome {
        Saved::Done(id) => Ok(id),
        Saved::NameTaken => Err(AppError::new(ErrorKind::Conflict, Key::FilesNameTaken)
            .with_field("name", Key::FilesNameTaken)),
        Saved::QuotaFull => Err(AppError::new(ErrorKind::TooLarge, Key::FilesQuotaFull)),
        Saved::NoFolder => Err(AppError::new(ErrorKind::BadInput, Key::FilesNoFolder)),
    }
}

pub(super) fn name_field(name: &str) -> Result<String, AppError> {
    rule::normalize_name(name).map_err(|message| AppError::field("name", message))
}

pub(super) fn space_param(space: &str) -> Result<Space, AppError> {
    Space::parse(space).ok_or_else(|| AppError::kind(ErrorKind::NotFound))
}

/// `0` is the top level of a space.
pub(super) fn folder_param(folder: i64) -> Option<i64> {
    (folder > 0).then_some(folder)
}

/// FILE-2, FILE-4, FLT-3: the caller's quota, limit and blocked types.
/// FILE-4, PAR-1: which default quota a person gets, from their capabilities.
fn quota_class(user: &SessionUser) -> rule::QuotaClass {
    if user.can(Capability::FilesStaffQuota) {
        rule::QuotaClass::Staff
    } else if user.can(Capability::ChildrenFollow) {
        rule::QuotaClass::Guardian
    } else {
        rule::QuotaClass::Pupil
    }
}

pub async fn allowance(state: &AppState, user: &SessionUser) -> Result<Allowance, AppError> {
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
    let (used, own_quota) = state.files().usage(user.id).await?;
    let (limit, exception) = state
        .files()
        .transfer_limit(user.id, school, crate::platform::now())
        .await?;
    Ok(Allowance {
        used,
        quota: own_quota.unwrap_or_else(|| rule::default_quota(quota_class(user))),
        transfer_limit: exception
            .as_ref()
            .map_or(limit, |e| e.limit_bytes.max(limit)),
        exception,
        blocked: blocked_list(state.files().blocked_types(school).await?),
    })
}

pub(super) fn request_lang() -> crate::i18n::Lang {
    use_context::<crate::i18n::Lang>().unwrap_or_default()
}

pub(super) fn space_param_code(space: SpaceRef) -> String {
    if space.group != 0 {
        format!("g{}", space.group)
    } else {
        "me".into()
    }
}

/// Deletes the blobs no row points to any more, with their thumbnails. What fails here the
/// collector finds later.
pub async fn delete_unreferenced(state: &AppState, keys: &[String]) {
    for key in keys {
        if let Ok(false) = state.files().is_blob_referenced(key).await {
            for blob in [super::thumbnail::key_of(key), key.clone()] {
                if let Err(e) = state.blobs.delete(&blob).await {
                    tracing::warn!(error = %e, "blob left for the collector");
                }
            }
        }
    }
}

/// Collects what no row references any more (FILE-1 trash purge and interrupted uploads).
pub async fn collect(state: &AppState) -> Result<(usize, usize), String> {
    let now = crate::platform::now();
    let purged = state
        .files()
        .purge_expired_trash(now)
        .await
        .map_err(|e| e.to_string())?;
    let referenced = state
        .files()
        .referenced_blobs()
        .await
        .map_err(|e| e.to_string())?;
    let deleted = state
        .blobs
        // A thumbnail lives as long as its file's blob.
        .collect_garbage(now, |key| {
            referenced.contains(key.strip_suffix(super::thumbnail::SUFFIX).unwrap_or(key))
        })
        .await?;
    Ok((purged.len(), deleted))
}
