//! SEC-1: a one-off report of accounts and memberships that the rules before the rights table
//! let into existence and the table would refuse: an administrator made by the secretariat, a
//! management account made by an administrator, a self-added group owner, an administrator in
//! a group. `schulhof audit rights` prints it, so a school can check after the upgrade.
use crate::auth::{
    Role,
    rights::{self, Act},
};
use crate::platform::db::impl_both;

/// One thing the table would refuse today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub school_id: Option<i64>,
    /// When it happened (the audit event's time), if it came from the log.
    pub at: Option<i64>,
    pub what: String,
}

#[derive(sqlx::FromRow)]
struct ActRow {
    at: i64,
    school_id: Option<i64>,
    action: String,
    details: String,
    actor_login: String,
    actor_role: String,
    subject_login: String,
    subject_role: String,
    self_act: bool,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    school_id: i64,
    login: String,
    group_name: String,
}

#[async_trait::async_trait]
pub trait RightsReportStore: Send + Sync {
    async fn rights_findings(&self) -> Result<Vec<Finding>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the rights report, as the composition root registered it.
    pub fn rights_report(&self) -> &dyn RightsReportStore {
        self.stores.get::<dyn RightsReportStore>()
    }
}

/// Whether an event, as the log records it, is one the rights table would refuse.
fn refused(row: &ActRow) -> Option<String> {
    let actor = Role::from_code(&row.actor_role)?;
    let subject = Role::from_code(&row.subject_role)?;
    let verdict = match row.action.as_str() {
        "user.created" => rights::may(actor, Act::Create, subject),
        "user.role_changed" => {
            Role::from_code(&row.details).is_none_or(|to| rights::may(actor, Act::Create, to))
        }
        "group.member_added" => {
            let act = if row.details.ends_with("(owner)") {
                Act::MakeOwner
            } else {
                Act::AddMember
            };
            !row.self_act && rights::may(actor, act, subject)
        }
        _ => true,
    };
    (!verdict).then(|| {
        format!(
            "{}: {} ({}) -> {} ({}) {}",
            row.action,
            row.actor_login,
            row.actor_role,
            row.subject_login,
            row.subject_role,
            row.details
        )
    })
}

impl_both!(RightsReportStore {
    async fn rights_findings(&self) -> Result<Vec<Finding>, sqlx::Error> {
        let rows: Vec<ActRow> = sqlx::query_as(
            "SELECT e.at, e.school_id, e.action, e.details, a.login AS actor_login, a.role AS actor_role,
                    u.login AS subject_login, u.role AS subject_role, (e.actor_id = e.subject_id) AS self_act
             FROM audit_events e JOIN users a ON a.id = e.actor_id JOIN users u ON u.id = e.subject_id
             WHERE e.action IN ('user.created', 'user.role_changed', 'group.member_added')
             ORDER BY e.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut findings: Vec<Finding> = rows
            .iter()
            .filter_map(|row| {
                refused(row).map(|what| Finding { school_id: row.school_id, at: Some(row.at), what })
            })
            .collect();
        // What stands today, whatever the log still holds: administrators inside groups.
        let members: Vec<MemberRow> = sqlx::query_as(
            "SELECT g.school_id, u.login, g.name AS group_name FROM group_members gm
             JOIN users u ON u.id = gm.user_id JOIN groups g ON g.id = gm.group_id
             WHERE u.role = 'admin' ORDER BY g.school_id, g.name, u.login",
        )
        .fetch_all(&self.pool)
        .await?;
        findings.extend(members.into_iter().map(|m| Finding {
            school_id: Some(m.school_id),
            at: None,
            what: format!("administrator {} is a member of {} (administrators see no content)", m.login, m.group_name),
        }));
        Ok(findings)
    }
});
