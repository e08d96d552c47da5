use super::{GroupDetail, GroupKind, GroupSummary, Member};
use crate::audit::AuditEvent;
use crate::platform::db::impl_both;
use crate::rules::files::MemberRights;

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    kind: String,
    name: String,
    members: i64,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: i64,
    login: String,
    first_name: String,
    last_name: String,
    owner: bool,
}

const GROUPS: &str = "SELECT g.id, g.kind, g.name, COUNT(gm.user_id) AS members FROM groups g
     LEFT JOIN group_members gm ON gm.group_id = g.id
     WHERE g.school_id = $1 AND g.kind IN ('class', 'team') AND ($2 = '' OR lower(g.name) LIKE $3)
     GROUP BY g.id, g.kind, g.name ORDER BY g.kind, g.name";

const MEMBERS: &str =
    "SELECT u.id AS user_id, u.login, u.first_name, u.last_name, gm.is_owner AS owner
     FROM group_members gm JOIN users u ON u.id = gm.user_id
     WHERE gm.group_id = $1 ORDER BY gm.is_owner DESC, u.sort_key, u.id";

fn summary(row: GroupRow, members: &[Member]) -> GroupSummary {
    GroupSummary {
        id: row.id,
        kind: if row.kind == "team" {
            GroupKind::Team
        } else {
            GroupKind::Class
        },
        name: row.name,
        members: row.members,
        owners: members
            .iter()
            .filter(|m| m.owner)
            .map(|m| format!("{} {}", m.first_name, m.last_name))
            .collect(),
    }
}

fn member(r: MemberRow) -> Member {
    Member {
        user_id: r.user_id,
        login: r.login,
        first_name: r.first_name,
        last_name: r.last_name,
        owner: r.owner,
    }
}

/// A class or team of a school, as mail addresses and menus name it.
#[derive(sqlx::FromRow)]
pub struct GroupRef {
    pub id: i64,
    /// `class` or `team`.
    pub kind: String,
    pub name: String,
}

/// One person's place in a group of their school.
#[derive(sqlx::FromRow, Clone)]
pub struct Membership {
    pub is_owner: bool,
    /// FILE-1: what the group's members may do in its folder (`read`, `own`, `all`).
    pub member_files: String,
}

impl Membership {
    /// FILE-1: where this place puts its holder in the group's folder.
    pub fn standing(&self) -> crate::rules::files::Standing {
        use crate::rules::files::Standing;
        if self.is_owner {
            Standing::GroupOwner
        } else {
            Standing::Member(self.member_rights())
        }
    }

    /// An unknown state (written by a later release) reads as the safest one.
    pub fn member_rights(&self) -> MemberRights {
        MemberRights::parse(&self.member_files).unwrap_or(MemberRights::Read)
    }
}

/// ACC-3, SEC-1: who is told about a membership change, and the group's name for the notice.
pub struct Owners {
    pub group_name: String,
    pub ids: Vec<i64>,
}

#[async_trait::async_trait]
pub trait GroupStore: Send + Sync {
    async fn groups(&self, school_id: i64, query: &str) -> Result<Vec<GroupSummary>, sqlx::Error>;
    async fn group_detail(
        &self,
        school_id: i64,
        group_id: i64,
    ) -> Result<Option<GroupDetail>, sqlx::Error>;
    /// `None` when the school has a group of that name already.
    async fn create_team(
        &self,
        school_id: i64,
        name: &str,
        audit: &AuditEvent,
    ) -> Result<Option<i64>, sqlx::Error>;
    /// False when the group is not a class or team of this school. Returns the owners to tell
    /// (everyone who owned the group before the change) with the group's name.
    async fn add_member(
        &self,
        school_id: i64,
        group_id: i64,
        user_id: i64,
        owner: bool,
        audit: &AuditEvent,
    ) -> Result<Option<Owners>, sqlx::Error>;
    /// Every class and team of the school, classes first, by name.
    async fn school_groups(&self, school_id: i64) -> Result<Vec<GroupRef>, sqlx::Error>;
    /// The members of a group whose accounts are not being deleted, by id.
    async fn member_ids(&self, group_id: i64) -> Result<Vec<i64>, sqlx::Error>;
    /// The person's place in a group of the school; `None` when they are not a member.
    async fn membership(
        &self,
        user_id: i64,
        group_id: i64,
        school_id: i64,
    ) -> Result<Option<Membership>, sqlx::Error>;
    /// The classes and teams the person belongs to, classes first.
    async fn my_groups(&self, user_id: i64) -> Result<Vec<GroupRef>, sqlx::Error>;
    /// The group's owners and name, for telling them about a change.
    async fn owners(&self, school_id: i64, group_id: i64) -> Result<Option<Owners>, sqlx::Error>;
    async fn remove_member(
        &self,
        school_id: i64,
        group_id: i64,
        user_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// False when the group is not a class or team of this school.
    async fn set_member_files(
        &self,
        school_id: i64,
        group_id: i64,
        rights: MemberRights,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of groups, as the composition root registered it.
    pub fn groups(&self) -> &dyn GroupStore {
        self.stores.get::<dyn GroupStore>()
    }
}

impl_both!(GroupStore {
    async fn school_groups(&self, school_id: i64) -> Result<Vec<GroupRef>, sqlx::Error> {
        sqlx::query_as("SELECT id, kind, name FROM groups WHERE school_id = $1 AND kind IN ('class', 'team') ORDER BY kind, name")
            .bind(school_id)
            .fetch_all(&self.pool)
            .await
    }

    async fn member_ids(&self, group_id: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT gm.user_id FROM group_members gm JOIN users u ON u.id = gm.user_id
             WHERE gm.group_id = $1 AND u.deletion_due_at IS NULL ORDER BY gm.user_id",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn membership(&self, user_id: i64, group_id: i64, school_id: i64) -> Result<Option<Membership>, sqlx::Error> {
        sqlx::query_as(
            "SELECT gm.is_owner, g.member_files FROM group_members gm JOIN groups g ON g.id = gm.group_id
             WHERE gm.user_id = $1 AND gm.group_id = $2 AND g.school_id = $3",
        )
        .bind(user_id)
        .bind(group_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await
    }

    async fn my_groups(&self, user_id: i64) -> Result<Vec<GroupRef>, sqlx::Error> {
        sqlx::query_as(
            "SELECT g.id, g.kind, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
             WHERE gm.user_id = $1 AND g.kind IN ('class', 'team') ORDER BY g.kind, g.name",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn groups(&self, school_id: i64, query: &str) -> Result<Vec<GroupSummary>, sqlx::Error> {
        let rows: Vec<GroupRow> = sqlx::query_as(GROUPS)
            .bind(school_id)
            .bind(query)
            .bind(format!("%{}%", query.replace(['%', '_'], "")))
            .fetch_all(&self.pool)
            .await?;
        // All owners of the school in one query, not one per group.
        let owners: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT gm.group_id, u.first_name, u.last_name FROM group_members gm
             JOIN users u ON u.id = gm.user_id JOIN groups g ON g.id = gm.group_id
             WHERE g.school_id = $1 AND gm.is_owner ORDER BY u.sort_key",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut group = summary(row, &[]);
                group.owners = owners.iter().filter(|o| o.0 == group.id).map(|o| format!("{} {}", o.1, o.2)).collect();
                group
            })
            .collect())
    }

    async fn group_detail(&self, school_id: i64, group_id: i64) -> Result<Option<GroupDetail>, sqlx::Error> {
        let row: Option<GroupRow> = sqlx::query_as(
            "SELECT g.id, g.kind, g.name, (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) AS members
             FROM groups g WHERE g.id = $1 AND g.school_id = $2 AND g.kind IN ('class', 'team')",
        )
        .bind(group_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let members: Vec<Member> = sqlx::query_as(MEMBERS).bind(group_id).fetch_all(&self.pool).await?.into_iter().map(member).collect();
        let member_files: String = sqlx::query_scalar("SELECT member_files FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_one(&self.pool)
            .await?;
        let member_files = MemberRights::parse(&member_files).unwrap_or(MemberRights::Read);
        Ok(Some(GroupDetail { group: summary(row, &members), members, member_files }))
    }

    async fn create_team(&self, school_id: i64, name: &str, audit: &AuditEvent) -> Result<Option<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO groups (school_id, kind, name) VALUES ($1, 'team', $2) ON CONFLICT (school_id, name) DO NOTHING RETURNING id",
        )
        .bind(school_id)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        if id.is_some() {
            self.write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn owners(&self, school_id: i64, group_id: i64) -> Result<Option<Owners>, sqlx::Error> {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM groups WHERE id = $1 AND school_id = $2 AND kind IN ('class', 'team')")
            .bind(group_id)
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(group_name) = name else { return Ok(None) };
        let ids = sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1 AND is_owner ORDER BY user_id")
            .bind(group_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(Some(Owners { group_name, ids }))
    }

    async fn add_member(&self, school_id: i64, group_id: i64, user: i64, owner: bool, audit: &AuditEvent) -> Result<Option<Owners>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let group: Option<(i64, String)> = sqlx::query_as("SELECT id, name FROM groups WHERE id = $1 AND school_id = $2 AND kind IN ('class', 'team')")
            .bind(group_id)
            .bind(school_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((group, group_name)) = group else { return Ok(None) };
        let ids = sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1 AND is_owner ORDER BY user_id")
            .bind(group)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id, is_owner) VALUES ($1, $2, $3)
             ON CONFLICT (group_id, user_id) DO UPDATE SET is_owner = $3",
        )
        .bind(group)
        .bind(user)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, &audit.clone().subject(user)).await?;
        tx.commit().await?;
        Ok(Some(Owners { group_name, ids }))
    }

    async fn set_member_files(&self, school_id: i64, group_id: i64, rights: MemberRights, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE groups SET member_files = $3 WHERE id = $1 AND school_id = $2 AND kind IN ('class', 'team')")
            .bind(group_id)
            .bind(school_id)
            .bind(rights.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn remove_member(&self, school_id: i64, group_id: i64, user_id: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query(
            "DELETE FROM group_members WHERE user_id = $1
             AND group_id = (SELECT id FROM groups WHERE id = $2 AND school_id = $3)",
        )
        .bind(user_id)
        .bind(group_id)
        .bind(school_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
});
