//! The server-only half of groups: the notice to a group's owners.
use super::*;

pub(super) use crate::auth::{authenticate, school_staff};

pub(super) use crate::{
    audit::AuditEvent,
    auth::{Capability, require_over, rights::Act},
    error::ErrorKind,
    i18n::Key,
    platform::{app_state, request_info},
    rules::{self, files::MemberRights},
};

/// SEC-1: "Ada Admin hat Lea Lehrerin zur 2b hinzugefügt", to every owner but the one who did it.
pub(super) async fn tell_owners(
    user: &crate::auth::SessionUser,
    school: i64,
    mut owners: Vec<i64>,
    group: &str,
    person: &str,
    text: Key,
) -> Result<(), AppError> {
    owners.retain(|id| *id != user.id);
    owners.dedup();
    let by = format!("{} {}", user.first_name, user.last_name);
    crate::mail::tell(
        &app_state(),
        school,
        &owners,
        Key::GroupsNoticeSubject,
        text,
        &[("by", &by), ("person", person), ("group", group)],
    )
    .await
}
