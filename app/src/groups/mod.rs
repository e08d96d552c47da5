//! ACC-3: groups are classes (1a … 4d, with a grade) and teams. Both have members and owners
//! (teachers). The secretariat and administrators manage them.
pub mod views;

#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupKind {
    Class,
    Team,
}

impl GroupKind {
    pub fn code(self) -> &'static str {
        match self {
            GroupKind::Class => "class",
            GroupKind::Team => "team",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: i64,
    pub kind: GroupKind,
    pub name: String,
    pub members: i64,
    pub owners: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub owner: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: GroupSummary,
    pub members: Vec<Member>,
    /// FILE-1: what members may do in the group's folder; owners always do everything.
    pub member_files: crate::rules::files::MemberRights,
}

pub const MAX_TEAM_NAME_CHARS: usize = 60;

/// ADM-2: the school's classes and teams with their sizes and owners, filtered by name.
#[server(prefix = "/api", endpoint = "groups/list")]
pub async fn list_groups(query: String) -> Result<Vec<GroupSummary>, AppError> {
    let (_, school) = school_staff(Capability::UsersManage)?;
    let query: String = query.trim().to_lowercase().chars().take(60).collect();
    Ok(app_state().groups().groups(school, &query).await?)
}

#[server(prefix = "/api", endpoint = "groups/detail")]
pub async fn group_members(group_id: i64) -> Result<GroupDetail, AppError> {
    let (_, school) = school_staff(Capability::UsersManage)?;
    app_state()
        .groups()
        .group_detail(school, group_id)
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))
}

/// ACC-3: a team, such as "Schulchor" or "Förderverein".
#[server(prefix = "/api", endpoint = "groups/create-team")]
pub async fn create_team(name: String) -> Result<i64, AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_TEAM_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::field("name", Key::ErrorRequired));
    }
    if rules::class::parse(name).is_some() {
        return Err(AppError::field("name", Key::GroupsNameIsClass));
    }
    let audit = AuditEvent::new("group.created", &request_info())
        .actor(user.id, Some(school))
        .details(name.to_string());
    app_state()
        .groups()
        .create_team(school, name, &audit)
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorKind::Conflict, Key::GroupsNameTaken)
                .with_field("name", Key::GroupsNameTaken)
        })
}

/// Adds a person of the school by login, as member or owner; changing the role of a member
/// who is already in is the same call. SEC-1: nobody adds themself, and who may be added
/// comes from the rights table. The group's owners, and a new owner, are told who did it.
#[server(prefix = "/api", endpoint = "groups/add-member")]
pub async fn add_member(group_id: i64, login: String, owner: bool) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let login: String = login.trim().to_lowercase().chars().take(200).collect();
    let state = app_state();
    let target = state
        .user_admin()
        .target_by_login(school, &login)
        .await?
        .ok_or_else(|| AppError::field("login", Key::ErrorNotFound))?;
    let act = if owner {
        Act::MakeOwner
    } else {
        Act::AddMember
    };
    require_over(&user, act, &target).map_err(|e| {
        let message = e.message;
        e.with_field("login", message)
    })?;
    let audit = AuditEvent::new("group.member_added", &request_info())
        .actor(user.id, Some(school))
        .details(format!(
            "group {group_id}: {login}{}",
            if owner { " (owner)" } else { "" }
        ));
    let owners = state
        .groups()
        .add_member(school, group_id, target.id, owner, &audit)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut told = owners.ids;
    if owner {
        told.push(target.id);
    }
    let text = if owner {
        Key::GroupsNoticeOwner
    } else {
        Key::GroupsNoticeAdded
    };
    tell_owners(&user, school, told, &owners.group_name, &target.name, text).await
}

/// FILE-1, issue 18: what the members of a class or team may do in its folder (`read`, `own`,
/// `all`). The secretariat and administrators set it for any group; a teacher for a group they
/// own, from its folder, so that a class can work on one poster together.
#[server(prefix = "/api", endpoint = "groups/member-files")]
pub async fn set_member_files(group_id: i64, rights: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))?;
    let state = app_state();
    if !user.can(Capability::UsersManage) {
        let owner = state
            .groups()
            .membership(user.id, group_id, school)
            .await?
            .is_some_and(|place| place.standing().may_set_member_rights());
        if !owner {
            return Err(AppError::kind(ErrorKind::NotFound));
        }
    }
    let rights = MemberRights::parse(&rights)
        .ok_or_else(|| AppError::field("rights", Key::ErrorBadInput))?;
    let audit = AuditEvent::new("group.member_files", &request_info())
        .actor(user.id, Some(school))
        .details(format!("group {group_id}: {}", rights.code()));
    if !state
        .groups()
        .set_member_files(school, group_id, rights, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

#[server(prefix = "/api", endpoint = "groups/remove-member")]
pub async fn remove_member(group_id: i64, user_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    // SEC-1: whoever may add a person may take them out again.
    let target = crate::users::target_of(&user, school, Act::AddMember, user_id).await?;
    let state = app_state();
    let owners = state
        .groups()
        .owners(school, group_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let audit = AuditEvent::new("group.member_removed", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id)
        .details(format!("group {group_id}"));
    if !state
        .groups()
        .remove_member(school, group_id, user_id, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    tell_owners(
        &user,
        school,
        owners.ids,
        &owners.group_name,
        &target.name,
        Key::GroupsNoticeRemoved,
    )
    .await
}
