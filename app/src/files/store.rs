//! The file tree in the database: one row per file or folder, in a personal or a group space.
//!
//! Over 600 lines, kept whole on purpose: it is one trait (`FileStore`) over one tree, and the
//! quota lock, the name check and the node writes must sit side by side in each transaction.
use super::{FileEntry, SpaceRef, TransferException};
use crate::audit::AuditEvent;
use crate::platform::db::{impl_both, inherent_both};

/// One file or folder as stored.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Node {
    pub id: i64,
    pub school_id: i64,
    pub owner_user_id: Option<i64>,
    pub group_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub is_folder: bool,
    pub name: String,
    pub blob_key: Option<String>,
    pub size: i64,
    pub content_type: String,
    pub created_by: Option<i64>,
    pub trashed_at: Option<i64>,
}

impl Node {
    pub fn space(&self) -> SpaceRef {
        SpaceRef {
            owner: self.owner_user_id.unwrap_or(0),
            group: self.group_id.unwrap_or(0),
        }
    }
}

/// A file or folder about to be created. `blob_key` is set for files, whose blob is complete.
pub struct NewNode<'a> {
    pub school_id: i64,
    pub space: SpaceRef,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub blob_key: Option<&'a str>,
    pub size: i64,
    pub content_type: &'a str,
    pub created_by: i64,
    /// FILE-4: the creator's quota, checked in the same transaction as the insert.
    pub quota: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Done(i64),
    NameTaken,
    QuotaFull,
    /// The folder it should go into is gone, in the trash, or in another space.
    NoFolder,
}

/// (id, parent, name, is folder, blob key, size) of every live node of a space.
pub type ArchiveRow = (i64, Option<i64>, String, bool, Option<String>, i64);

/// A file inside an archive: its path there, its blob and its size.
pub struct ArchiveItem {
    pub path: String,
    pub blob_key: String,
    pub size: i64,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    is_folder: bool,
    name: String,
    size: i64,
    content_type: String,
    updated_at: i64,
    trashed_at: Option<i64>,
    created_by: Option<i64>,
    author_first: Option<String>,
    author_last: Option<String>,
    deleter_first: Option<String>,
    deleter_last: Option<String>,
}

fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    Some(format!("{} {}", first?, last?))
}

fn entry(r: EntryRow) -> FileEntry {
    FileEntry {
        id: r.id,
        is_folder: r.is_folder,
        name: r.name,
        size: r.size,
        content_type: r.content_type,
        updated_at: r.updated_at,
        trashed_at: r.trashed_at,
        author: full_name(r.author_first, r.author_last),
        author_id: r.created_by,
        deleted_by: full_name(r.deleter_first, r.deleter_last),
        can_change: false,
    }
}

const NODE: &str =
    "SELECT id, school_id, owner_user_id, group_id, parent_id, is_folder, name, blob_key,
     size, content_type, created_by, trashed_at FROM file_nodes";

const ENTRY: &str =
    "SELECT n.id, n.is_folder, n.name, n.size, n.content_type, n.updated_at, n.trashed_at,
     n.created_by, u.first_name AS author_first, u.last_name AS author_last,
     d.first_name AS deleter_first, d.last_name AS deleter_last
     FROM file_nodes n LEFT JOIN users u ON u.id = n.created_by
     LEFT JOIN users d ON d.id = n.trashed_by";

const IN_SPACE: &str = "COALESCE(n.owner_user_id, 0) = $1 AND COALESCE(n.group_id, 0) = $2";

/// From the node up to the root, as (id, name, trashed) with the root first.
const ANCESTORS: &str = "WITH RECURSIVE up(id, parent_id, name, trashed, depth) AS (
       SELECT id, parent_id, name, trashed_at IS NOT NULL, 0 FROM file_nodes WHERE id = $1
       UNION ALL
       SELECT f.id, f.parent_id, f.name, f.trashed_at IS NOT NULL, up.depth + 1
       FROM file_nodes f JOIN up ON f.id = up.parent_id)
     SELECT id, name, trashed FROM up ORDER BY depth DESC";

/// The node and everything below it that is not itself in the trash.
const SUBTREE: &str = "WITH RECURSIVE down(id) AS (
       SELECT id FROM file_nodes WHERE id = $1
       UNION ALL
       SELECT f.id FROM file_nodes f JOIN down ON f.parent_id = down.id WHERE f.trashed_at IS NULL)
     SELECT id FROM down";

fn name_taken<T>(result: Result<T, sqlx::Error>) -> Result<Option<T>, sqlx::Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[async_trait::async_trait]
pub trait FileStore: Send + Sync {
    async fn node(&self, school_id: i64, id: i64) -> Result<Option<Node>, sqlx::Error>;
    /// Root first, the node itself last.
    async fn ancestors(&self, id: i64) -> Result<Vec<(i64, String, bool)>, sqlx::Error>;
    /// One page of a folder (`None`: the space's top level), folders first, and the total.
    async fn list_folder(
        &self,
        space: SpaceRef,
        parent: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<FileEntry>, i64), sqlx::Error>;
    /// Every folder of a space that is not in the trash, as (id, path), for "move to".
    async fn folders(&self, space: SpaceRef) -> Result<Vec<(i64, String)>, sqlx::Error>;
    async fn list_trash(&self, space: SpaceRef) -> Result<Vec<FileEntry>, sqlx::Error>;
    async fn create_node(&self, node: &NewNode<'_>) -> Result<Saved, sqlx::Error>;
    async fn rename_node(&self, id: i64, name: &str, key: &str) -> Result<Saved, sqlx::Error>;
    /// Moves into another folder of the same space; never into the node itself or below it.
    async fn move_node(&self, node: &Node, parent: Option<i64>) -> Result<Saved, sqlx::Error>;
    /// Copies a file or a whole folder; the copies share the blobs.
    async fn copy_node(
        &self,
        node: &Node,
        parent: Option<i64>,
        name: &str,
        by: i64,
        quota: i64,
    ) -> Result<Saved, sqlx::Error>;
    async fn trash_node(&self, id: i64, by: i64, now: i64) -> Result<(), sqlx::Error>;
    /// FILE-1: whether anything below a folder, in the trash or not, was added by someone other
    /// than `user` (or by a person who has left).
    async fn others_below(&self, id: i64, user: i64) -> Result<bool, sqlx::Error>;
    async fn restore_node(&self, node: &Node) -> Result<Saved, sqlx::Error>;
    /// Deletes trashed items (one, or all of a space) for good; returns their blob keys.
    async fn purge(
        &self,
        space: SpaceRef,
        only: Option<i64>,
        audit: &AuditEvent,
    ) -> Result<Vec<String>, sqlx::Error>;
    /// Deletes items that have been in the trash longer than their school keeps them.
    async fn purge_expired_trash(&self, now: i64) -> Result<Vec<String>, sqlx::Error>;
    async fn is_blob_referenced(&self, key: &str) -> Result<bool, sqlx::Error>;
    async fn referenced_blobs(&self) -> Result<std::collections::HashSet<String>, sqlx::Error>;
    /// FILE-4: bytes stored by the person, trash included, and their own quota if set.
    async fn usage(&self, user_id: i64) -> Result<(i64, Option<i64>), sqlx::Error>;
    /// FILE-2: the school's limit and the person's exception that is in force, if any.
    async fn transfer_limit(
        &self,
        user_id: i64,
        school_id: i64,
        now: i64,
    ) -> Result<(i64, Option<TransferException>), sqlx::Error>;
    /// FLT-3: the school's list of blocked types, `None` for the default list.
    async fn blocked_types(&self, school_id: i64) -> Result<Option<String>, sqlx::Error>;
    async fn set_blocked_types(
        &self,
        school_id: i64,
        list: &str,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    async fn grant_exception(
        &self,
        school_id: i64,
        user_id: i64,
        exception: &TransferException,
        by: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    async fn set_quota(
        &self,
        school_id: i64,
        user_id: i64,
        quota: Option<i64>,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// The files below a folder (or a whole space), with their paths relative to it.
    async fn archive_items(
        &self,
        space: SpaceRef,
        folder: Option<i64>,
    ) -> Result<Vec<ArchiveItem>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of files, as the composition root registered it.
    pub fn files(&self) -> &dyn FileStore {
        self.stores.get::<dyn FileStore>()
    }
}

inherent_both! {
    /// Deletes the nodes and everything below them; returns the blob keys they pointed to.
    async fn delete_subtrees(&self, tx: &mut crate::platform::db::Tx<Self>, ids: &[i64]) -> Result<Vec<String>, sqlx::Error> {
        let mut keys = Vec::new();
        for id in ids {
            let below: Vec<Option<String>> = sqlx::query_scalar(
                "WITH RECURSIVE down(id) AS (SELECT id FROM file_nodes WHERE id = $1
                   UNION ALL SELECT f.id FROM file_nodes f JOIN down ON f.parent_id = down.id)
                 SELECT n.blob_key FROM file_nodes n JOIN down ON down.id = n.id",
            )
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
            keys.extend(below.into_iter().flatten());
            // Children go with their folder (ON DELETE CASCADE).
            sqlx::query("DELETE FROM file_nodes WHERE id = $1").bind(id).execute(&mut **tx).await?;
        }
        Ok(keys)
    }

    /// FILE-4, SEC-4: what `user_id` holds, with their quota locked until the transaction
    /// ends, so that the check and the write that follows are one step on both backends.
    async fn quota_used_in(&self, tx: &mut crate::platform::db::Tx<Self>, user_id: i64) -> Result<i64, sqlx::Error> {
        self.lock_key(tx, crate::platform::db::LockSpace::Quota, user_id).await?;
        let used: Option<i64> = sqlx::query_scalar(USED).bind(user_id).fetch_one(&mut **tx).await?;
        Ok(used.unwrap_or(0))
    }

    /// The folder a node goes into must be a live folder of the same space.
    async fn folder_ok(&self, tx: &mut crate::platform::db::Tx<Self>, space: SpaceRef, parent: Option<i64>) -> Result<bool, sqlx::Error> {
        let Some(parent) = parent else { return Ok(true) };
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT n.id FROM file_nodes n WHERE n.id = $3 AND n.is_folder AND n.trashed_at IS NULL
             AND COALESCE(n.owner_user_id, 0) = $1 AND COALESCE(n.group_id, 0) = $2",
        )
        .bind(space.owner)
        .bind(space.group)
        .bind(parent)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(found.is_some())
    }
}

/// FILE-4, SEC-4: the bytes a person holds. Their files count node by node, trash
/// included, as they always did. A mail attachment's blob counts once per holder (a draft, a
/// sent copy, a received copy, in any box, trash included) unless one of their files holds
/// the same blob. A received attachment counts only once its sender holds no reference any
/// more: while the sender pays, a class of 25 is not charged for one letter; after, someone
/// must. Mailing oneself and deleting the sent copy therefore frees nothing.
const USED: &str = "SELECT CAST(
     COALESCE((SELECT SUM(size) FROM file_nodes WHERE created_by = $1), 0)
   + COALESCE((SELECT SUM(size) FROM (
         SELECT a.blob_key, MAX(a.size) AS size
         FROM mail_items i
         JOIN mail_messages m ON m.id = i.message_id
         JOIN mail_attachments a ON a.message_id = i.message_id
         WHERE i.user_id = $1
           AND NOT EXISTS (SELECT 1 FROM file_nodes f WHERE f.created_by = $1 AND f.blob_key = a.blob_key)
           AND (m.sender_id = $1 OR m.sender_id IS NULL OR (
                 NOT EXISTS (SELECT 1 FROM mail_items si JOIN mail_attachments sa ON sa.message_id = si.message_id
                             WHERE si.user_id = m.sender_id AND sa.blob_key = a.blob_key)
                 AND NOT EXISTS (SELECT 1 FROM file_nodes sf WHERE sf.created_by = m.sender_id AND sf.blob_key = a.blob_key)))
         GROUP BY a.blob_key) held), 0) AS BIGINT)";

impl_both!(FileStore {
    async fn node(&self, school_id: i64, id: i64) -> Result<Option<Node>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{NODE} WHERE id = $1 AND school_id = $2")))
            .bind(id)
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn ancestors(&self, id: i64) -> Result<Vec<(i64, String, bool)>, sqlx::Error> {
        sqlx::query_as(ANCESTORS).bind(id).fetch_all(&self.pool).await
    }

    async fn list_folder(&self, space: SpaceRef, parent: Option<i64>, offset: i64, limit: i64) -> Result<(Vec<FileEntry>, i64), sqlx::Error> {
        let filter = format!("{IN_SPACE} AND COALESCE(n.parent_id, 0) = $3 AND n.trashed_at IS NULL");
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ENTRY} WHERE {filter} ORDER BY n.is_folder DESC, n.name_key, n.id LIMIT $4 OFFSET $5"
        )))
        .bind(space.owner)
        .bind(space.group)
        .bind(parent.unwrap_or(0))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM file_nodes n WHERE {filter}")))
            .bind(space.owner)
            .bind(space.group)
            .bind(parent.unwrap_or(0))
            .fetch_one(&self.pool)
            .await?;
        Ok((rows.into_iter().map(entry).collect(), total))
    }

    async fn folders(&self, space: SpaceRef) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT n.id, n.parent_id, n.name FROM file_nodes n WHERE {IN_SPACE} AND n.is_folder AND n.trashed_at IS NULL"
        )))
        .bind(space.owner)
        .bind(space.group)
        .fetch_all(&self.pool)
        .await?;
        Ok(super::paths(&rows))
    }

    async fn list_trash(&self, space: SpaceRef) -> Result<Vec<FileEntry>, sqlx::Error> {
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ENTRY} WHERE {IN_SPACE} AND n.trashed_at IS NOT NULL ORDER BY n.trashed_at DESC, n.id LIMIT 1000"
        )))
        .bind(space.owner)
        .bind(space.group)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    async fn create_node(&self, node: &NewNode<'_>) -> Result<Saved, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if !self.folder_ok(&mut tx, node.space, node.parent_id).await? {
            return Ok(Saved::NoFolder);
        }
        if node.size > 0 && self.quota_used_in(&mut tx, node.created_by).await? + node.size > node.quota {
            return Ok(Saved::QuotaFull);
        }
        let now = crate::platform::now();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO file_nodes (school_id, owner_user_id, group_id, parent_id, is_folder, name, name_key,
                 blob_key, size, content_type, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(node.school_id)
        .bind((node.space.owner != 0).then_some(node.space.owner))
        .bind((node.space.group != 0).then_some(node.space.group))
        .bind(node.parent_id)
        .bind(node.blob_key.is_none())
        .bind(node.name)
        .bind(crate::rules::files::name_key(node.name))
        .bind(node.blob_key)
        .bind(node.size)
        .bind(node.content_type)
        .bind(node.created_by)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Ok(Saved::NameTaken) };
        tx.commit().await?;
        Ok(Saved::Done(id))
    }

    async fn rename_node(&self, id: i64, name: &str, key: &str) -> Result<Saved, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let updated = name_taken(
            sqlx::query("UPDATE file_nodes SET name = $2, name_key = $3, updated_at = $4 WHERE id = $1")
                .bind(id)
                .bind(name)
                .bind(key)
                .bind(crate::platform::now())
                .execute(&mut *tx)
                .await,
        )?;
        if updated.is_none() {
            return Ok(Saved::NameTaken);
        }
        tx.commit().await?;
        Ok(Saved::Done(id))
    }

    async fn move_node(&self, node: &Node, parent: Option<i64>) -> Result<Saved, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if !self.folder_ok(&mut tx, node.space(), parent).await? {
            return Ok(Saved::NoFolder);
        }
        if let Some(parent) = parent {
            let above: Vec<(i64, String, bool)> = sqlx::query_as(ANCESTORS).bind(parent).fetch_all(&mut *tx).await?;
            if above.iter().any(|(id, _, _)| *id == node.id) {
                return Ok(Saved::NoFolder);
            }
        }
        let updated = name_taken(
            sqlx::query("UPDATE file_nodes SET parent_id = $2, updated_at = $3 WHERE id = $1")
                .bind(node.id)
                .bind(parent)
                .bind(crate::platform::now())
                .execute(&mut *tx)
                .await,
        )?;
        if updated.is_none() {
            return Ok(Saved::NameTaken);
        }
        tx.commit().await?;
        Ok(Saved::Done(node.id))
    }

    async fn copy_node(&self, node: &Node, parent: Option<i64>, name: &str, by: i64, quota: i64) -> Result<Saved, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if !self.folder_ok(&mut tx, node.space(), parent).await? {
            return Ok(Saved::NoFolder);
        }
        let ids: Vec<i64> = sqlx::query_scalar(SUBTREE).bind(node.id).fetch_all(&mut *tx).await?;
        if let Some(parent) = parent
            && ids.contains(&parent)
        {
            return Ok(Saved::NoFolder);
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(ids.len());
        for id in &ids {
            let found: Node = sqlx::query_as(sqlx::AssertSqlSafe(format!("{NODE} WHERE id = $1"))).bind(id).fetch_one(&mut *tx).await?;
            nodes.push(found);
        }
        let bytes: i64 = nodes.iter().map(|n| n.size).sum();
        if bytes > 0 && self.quota_used_in(&mut tx, by).await? + bytes > quota {
            return Ok(Saved::QuotaFull);
        }
        let now = crate::platform::now();
        // Parents come before their children in `ids`, so each copy's parent is known.
        let mut copied: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        for n in &nodes {
            let (new_parent, new_name) = if n.id == node.id {
                (parent, name.to_string())
            } else {
                (n.parent_id.and_then(|p| copied.get(&p).copied()), n.name.clone())
            };
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO file_nodes (school_id, owner_user_id, group_id, parent_id, is_folder, name, name_key,
                     blob_key, size, content_type, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(n.school_id)
            .bind(n.owner_user_id)
            .bind(n.group_id)
            .bind(new_parent)
            .bind(n.is_folder)
            .bind(&new_name)
            .bind(crate::rules::files::name_key(&new_name))
            .bind(&n.blob_key)
            .bind(n.size)
            .bind(&n.content_type)
            .bind(by)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else { return Ok(Saved::NameTaken) };
            copied.insert(n.id, id);
        }
        tx.commit().await?;
        Ok(Saved::Done(copied[&node.id]))
    }

    async fn others_below(&self, id: i64, user: i64) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar(
            "WITH RECURSIVE down(id) AS (
               SELECT id FROM file_nodes WHERE parent_id = $1
               UNION ALL
               SELECT f.id FROM file_nodes f JOIN down ON f.parent_id = down.id)
             SELECT EXISTS (SELECT 1 FROM file_nodes n JOIN down ON n.id = down.id
                            WHERE n.created_by IS NULL OR n.created_by <> $2)",
        )
        .bind(id)
        .bind(user)
        .fetch_one(&self.pool)
        .await
    }

    async fn trash_node(&self, id: i64, by: i64, now: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE file_nodes SET trashed_at = $2, trashed_by = $3 WHERE id = $1 AND trashed_at IS NULL")
            .bind(id)
            .bind(now)
            .bind(by)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn restore_node(&self, node: &Node) -> Result<Saved, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        // An item whose folder is gone or in the trash comes back at the top level.
        let parent = if self.folder_ok(&mut tx, node.space(), node.parent_id).await? { node.parent_id } else { None };
        let updated = name_taken(
            sqlx::query("UPDATE file_nodes SET trashed_at = NULL, trashed_by = NULL, parent_id = $2 WHERE id = $1")
                .bind(node.id)
                .bind(parent)
                .execute(&mut *tx)
                .await,
        )?;
        if updated.is_none() {
            return Ok(Saved::NameTaken);
        }
        tx.commit().await?;
        Ok(Saved::Done(node.id))
    }

    async fn purge(&self, space: SpaceRef, only: Option<i64>, audit: &AuditEvent) -> Result<Vec<String>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let filter = format!("{IN_SPACE} AND n.trashed_at IS NOT NULL AND ($3 = 0 OR n.id = $3)");
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT n.id FROM file_nodes n WHERE {filter}")))
            .bind(space.owner)
            .bind(space.group)
            .bind(only.unwrap_or(0))
            .fetch_all(&mut *tx)
            .await?;
        let keys = self.delete_subtrees(&mut tx, &ids).await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn purge_expired_trash(&self, now: i64) -> Result<Vec<String>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT n.id FROM file_nodes n JOIN schools s ON s.id = n.school_id
             WHERE n.trashed_at IS NOT NULL AND n.trashed_at < $1 - s.trash_days * 86400",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let keys = self.delete_subtrees(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn is_blob_referenced(&self, key: &str) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM file_nodes WHERE blob_key = $1
             UNION ALL SELECT id FROM mail_attachments WHERE blob_key = $1
             UNION ALL SELECT id FROM absences WHERE doctors_note_key = $1 LIMIT 1",
        )
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    async fn referenced_blobs(&self) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        // MAIL-1: an attachment shares its blob with the file it came from, or becomes one.
        // ABS-1: a doctor's note lives in the blob store too, until the retention job or the
        // pupil's deletion drops its row.
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT blob_key FROM file_nodes WHERE blob_key IS NOT NULL UNION SELECT blob_key FROM mail_attachments
             UNION SELECT doctors_note_key FROM absences WHERE doctors_note_key IS NOT NULL",
        )
            .fetch_all(&self.pool)
            .await?;
        Ok(keys.into_iter().collect())
    }

    async fn usage(&self, user_id: i64) -> Result<(i64, Option<i64>), sqlx::Error> {
        let used: Option<i64> = sqlx::query_scalar(USED).bind(user_id).fetch_one(&self.pool).await?;
        let quota: Option<i64> = sqlx::query_scalar("SELECT quota_bytes FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .flatten();
        Ok((used.unwrap_or(0), quota))
    }

    async fn transfer_limit(&self, user_id: i64, school_id: i64, now: i64) -> Result<(i64, Option<TransferException>), sqlx::Error> {
        let limit: Option<i64> = sqlx::query_scalar("SELECT transfer_limit_bytes FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await?;
        let exception: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT limit_bytes, reason, ends_at FROM transfer_exceptions
             WHERE user_id = $1 AND ends_at > $2 ORDER BY limit_bytes DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok((
            limit.unwrap_or(crate::rules::files::DEFAULT_TRANSFER_LIMIT),
            exception.map(|(limit_bytes, reason, ends_at)| TransferException { limit_bytes, reason, ends_at }),
        ))
    }

    async fn blocked_types(&self, school_id: i64) -> Result<Option<String>, sqlx::Error> {
        let list: Option<Option<String>> = sqlx::query_scalar("SELECT blocked_types FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(list.flatten())
    }

    async fn set_blocked_types(&self, school_id: i64, list: &str, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE schools SET blocked_types = $2 WHERE id = $1")
            .bind(school_id)
            .bind(list)
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn grant_exception(&self, school_id: i64, user_id: i64, exception: &TransferException, by: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO transfer_exceptions (user_id, limit_bytes, reason, ends_at, granted_by, created_at)
             SELECT id, $3, $4, $5, $6, $7 FROM users WHERE id = $1 AND school_id = $2",
        )
        .bind(user_id)
        .bind(school_id)
        .bind(exception.limit_bytes)
        .bind(&exception.reason)
        .bind(exception.ends_at)
        .bind(by)
        .bind(crate::platform::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_quota(&self, school_id: i64, user_id: i64, quota: Option<i64>, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE users SET quota_bytes = $3 WHERE id = $1 AND school_id = $2")
            .bind(user_id)
            .bind(school_id)
            .bind(quota)
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

    async fn archive_items(&self, space: SpaceRef, folder: Option<i64>) -> Result<Vec<ArchiveItem>, sqlx::Error> {
        let rows: Vec<ArchiveRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT n.id, n.parent_id, n.name, n.is_folder, n.blob_key, n.size FROM file_nodes n
             WHERE {IN_SPACE} AND n.trashed_at IS NULL"
        )))
        .bind(space.owner)
        .bind(space.group)
        .fetch_all(&self.pool)
        .await?;
        Ok(super::archive_paths(&rows, folder))
    }
});
