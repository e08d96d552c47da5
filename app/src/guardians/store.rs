//! PAR-1, PAR-2: the links between guardians and pupils, and the registration codes.
use super::{Child, Guardian, Redeemed};
use crate::audit::AuditEvent;
use crate::auth::Role;
use crate::platform::db::{Tx, impl_both, inherent_both};
use crate::users::store::NewPerson;

/// A code to be stored: only its hash (the code itself is printed once and forgotten).
pub struct NewCode {
    pub pupil_id: i64,
    pub code_hash: String,
}

/// What a typed code turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeState {
    /// Unused and still valid: the school and the pupil it opens.
    Valid {
        id: i64,
        school_id: i64,
        pupil_id: i64,
    },
    Used,
    Expired,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: i64,
    school_id: i64,
    pupil_id: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ChildRow {
    pupil_id: i64,
    first_name: String,
    last_name: String,
    class: Option<String>,
    class_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct GuardianRow {
    id: i64,
    login: String,
    first_name: String,
    last_name: String,
    status: String,
    linked_at: i64,
    representative: bool,
}

/// A guardian's new account: the person, their password hash and the code that links them.
pub struct Registration<'a> {
    pub person: NewPerson<'a>,
    pub password_hash: &'a str,
    pub code_id: i64,
    pub pupil_id: i64,
}

#[async_trait::async_trait]
pub trait GuardianStore: Send + Sync {
    /// Stores the codes of one print run, each pupil's with its audit event, in one
    /// transaction: a print run that fails leaves no code behind.
    async fn issue_codes(
        &self,
        school_id: i64,
        codes: &[NewCode],
        expires_at: i64,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    /// Looks a code up by its hash; `None` when no such code was ever printed.
    async fn code(&self, code_hash: &str, now: i64) -> Result<Option<CodeState>, sqlx::Error>;
    /// PAR-2: creates the guardian, with their password and the link, and uses the code up,
    /// all or nothing. `None` when the code was used a moment ago by someone else.
    async fn register(
        &self,
        registration: &Registration<'_>,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<Option<Redeemed>, sqlx::Error>;
    /// PAR-2 "Kind hinzufügen": links a signed-in guardian to the code's pupil and uses the
    /// code up. `None` when the code was used a moment ago; `Some(false)`, with nothing
    /// written, when the link exists already or the account is no guardian's.
    async fn link_by_code(
        &self,
        code_id: i64,
        guardian_id: i64,
        pupil_id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<Option<bool>, sqlx::Error>;
    /// PAR-3: the guardian's children, as the links say now (never cached).
    async fn children(&self, guardian_id: i64) -> Result<Vec<Child>, sqlx::Error>;
    /// PAR-1: a pupil's guardians, for the secretariat.
    async fn guardians_of(
        &self,
        school_id: i64,
        pupil_id: i64,
    ) -> Result<Vec<Guardian>, sqlx::Error>;
    /// PAR-1: removes one link at once. A guardian left with no child is locked, signed out
    /// everywhere and scheduled for deletion after the school's grace period (LIFE-3). `None`
    /// when there was no such link; otherwise whether they were locked.
    async fn unlink(
        &self,
        school_id: i64,
        guardian_id: i64,
        pupil_id: i64,
        audit: &AuditEvent,
    ) -> Result<Option<bool>, sqlx::Error>;
    /// PAR-3: the guardians of a class's pupils, who the class's parents' address reaches.
    async fn class_guardians(&self, group_id: i64) -> Result<Vec<i64>, sqlx::Error>;
    /// PAR-3: whether the guardian is marked as a parent representative of the class and is
    /// still linked to one of its pupils (a mark outlives no link).
    async fn represents(&self, group_id: i64, guardian_id: i64) -> Result<bool, sqlx::Error>;
    /// PAR-3: marks or unmarks a guardian of the pupil as parent representative of the
    /// pupil's class. `false`, with nothing written, when the pupil is in no class or the
    /// guardian is not theirs.
    async fn set_representative(
        &self,
        school_id: i64,
        pupil_id: i64,
        guardian_id: i64,
        on: bool,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of guardians and their links, as the composition root registered it.
    pub fn guardians(&self) -> &dyn GuardianStore {
        self.stores.get::<dyn GuardianStore>()
    }
}

const CHILDREN: &str = "SELECT u.id AS pupil_id, u.first_name, u.last_name,
        (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1) AS class,
        (SELECT g.id FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1) AS class_id
     FROM guardian_links l JOIN users u ON u.id = l.pupil_id
     WHERE l.guardian_id = $1 AND u.role = 'pupil' AND u.school_id = l.school_id
     ORDER BY u.sort_key, u.id";

inherent_both! {
    /// Uses a code up, only if it is still unused and valid at `now`.
    async fn use_code(&self, tx: &mut Tx<Self>, code_id: i64, by: i64, now: i64) -> Result<bool, sqlx::Error> {
        let used = sqlx::query(
            "UPDATE guardian_codes SET used_at = $1, used_by = $2
             WHERE id = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(by)
        .bind(code_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(used == 1)
    }

    /// Links a guardian to a pupil of the same school; false when nothing was linked (the
    /// link exists, or either account is not what a link joins).
    async fn insert_link(&self, tx: &mut Tx<Self>, guardian_id: i64, pupil_id: i64, now: i64) -> Result<bool, sqlx::Error> {
        let linked = sqlx::query(
            "INSERT INTO guardian_links (guardian_id, pupil_id, school_id, created_at)
             SELECT g.id, u.id, u.school_id, $3 FROM users u JOIN users g ON g.school_id = u.school_id
             WHERE g.id = $1 AND g.role = 'guardian' AND u.id = $2 AND u.role = 'pupil'
             ON CONFLICT (guardian_id, pupil_id) DO NOTHING",
        )
        .bind(guardian_id)
        .bind(pupil_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(linked == 1)
    }
}

impl_both!(GuardianStore {
    async fn issue_codes(&self, school_id: i64, codes: &[NewCode], expires_at: i64, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let now = crate::platform::now();
        for code in codes {
            sqlx::query(
                "INSERT INTO guardian_codes (school_id, pupil_id, code_hash, created_by, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(school_id)
            .bind(code.pupil_id)
            .bind(&code.code_hash)
            .bind(audit.actor_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            self.write_audit(&mut tx, &audit.clone().subject(code.pupil_id)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn code(&self, code_hash: &str, now: i64) -> Result<Option<CodeState>, sqlx::Error> {
        let row: Option<CodeRow> = sqlx::query_as(
            "SELECT id, school_id, pupil_id, expires_at, used_at FROM guardian_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| {
            if row.used_at.is_some() {
                CodeState::Used
            } else if row.expires_at <= now {
                CodeState::Expired
            } else {
                CodeState::Valid { id: row.id, school_id: row.school_id, pupil_id: row.pupil_id }
            }
        }))
    }

    async fn register(&self, registration: &Registration<'_>, now: i64, audit: &AuditEvent) -> Result<Option<Redeemed>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let (id, login) = self.insert_person(&mut tx, &registration.person).await?;
        if !self.use_code(&mut tx, registration.code_id, id, now).await? {
            // Dropping the transaction takes the new account back with it.
            return Ok(None);
        }
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = FALSE WHERE id = $2")
            .bind(registration.password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !self.insert_link(&mut tx, id, registration.pupil_id, now).await? {
            // The pupil left the school a moment ago: nothing to register for.
            return Ok(None);
        }
        let event = AuditEvent { actor_id: Some(id), ..audit.clone() }
            .subject(registration.pupil_id)
            .details(login.clone());
        self.write_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(Redeemed { guardian_id: id, login }))
    }

    async fn link_by_code(&self, code_id: i64, guardian_id: i64, pupil_id: i64, now: i64, audit: &AuditEvent) -> Result<Option<bool>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if !self.use_code(&mut tx, code_id, guardian_id, now).await? {
            return Ok(None);
        }
        if !self.insert_link(&mut tx, guardian_id, pupil_id, now).await? {
            // Rolled back: the code stays usable for the other household.
            return Ok(Some(false));
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(true))
    }

    async fn children(&self, guardian_id: i64) -> Result<Vec<Child>, sqlx::Error> {
        let rows: Vec<ChildRow> = sqlx::query_as(CHILDREN).bind(guardian_id).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| Child {
                pupil_id: r.pupil_id,
                first_name: r.first_name,
                last_name: r.last_name,
                class: r.class,
                class_id: r.class_id,
            })
            .collect())
    }

    async fn guardians_of(&self, school_id: i64, pupil_id: i64) -> Result<Vec<Guardian>, sqlx::Error> {
        let rows: Vec<GuardianRow> = sqlx::query_as(
            "SELECT u.id, u.login, u.first_name, u.last_name, u.status, l.created_at AS linked_at,
                EXISTS (SELECT 1 FROM class_representatives r
                        WHERE r.guardian_id = u.id AND r.group_id =
                            (SELECT g.id FROM group_members gm JOIN groups g ON g.id = gm.group_id
                             WHERE gm.user_id = $1 AND g.kind = 'class' ORDER BY g.name LIMIT 1)) AS representative
             FROM guardian_links l JOIN users u ON u.id = l.guardian_id
             WHERE l.pupil_id = $1 AND l.school_id = $2 AND u.role = $3
             ORDER BY u.sort_key, u.id",
        )
        .bind(pupil_id)
        .bind(school_id)
        .bind(Role::Guardian.code())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Guardian {
                id: r.id,
                login: r.login,
                name: format!("{} {}", r.first_name, r.last_name),
                locked: r.status == "locked",
                linked_at: r.linked_at,
                representative: r.representative,
            })
            .collect())
    }

    async fn unlink(&self, school_id: i64, guardian_id: i64, pupil_id: i64, audit: &AuditEvent)
        -> Result<Option<bool>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM guardian_links WHERE guardian_id = $1 AND pupil_id = $2 AND school_id = $3")
            .bind(guardian_id)
            .bind(pupil_id)
            .bind(school_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Ok(None);
        }
        self.write_audit(&mut tx, audit).await?;
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guardian_links WHERE guardian_id = $1")
            .bind(guardian_id)
            .fetch_one(&mut *tx)
            .await?;
        let locked = left == 0;
        if locked {
            // PAR-1, LIFE-3: with no child left there is nothing to see.
            self.lock_childless_guardian(&mut tx, guardian_id, crate::platform::now()).await?;
            let event = AuditEvent { action: "user.locked", ..audit.clone() }.subject(guardian_id);
            self.write_audit(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(Some(locked))
    }

    async fn class_guardians(&self, group_id: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT DISTINCT l.guardian_id FROM guardian_links l
             JOIN group_members gm ON gm.user_id = l.pupil_id
             WHERE gm.group_id = $1 ORDER BY l.guardian_id",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn represents(&self, group_id: i64, guardian_id: i64) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT r.guardian_id FROM class_representatives r
             JOIN guardian_links l ON l.guardian_id = r.guardian_id
             JOIN group_members gm ON gm.user_id = l.pupil_id AND gm.group_id = r.group_id
             WHERE r.group_id = $1 AND r.guardian_id = $2 LIMIT 1",
        )
        .bind(group_id)
        .bind(guardian_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    async fn set_representative(&self, school_id: i64, pupil_id: i64, guardian_id: i64, on: bool, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let class: Option<i64> = sqlx::query_scalar(
            "SELECT g.id FROM group_members gm JOIN groups g ON g.id = gm.group_id
             JOIN guardian_links l ON l.pupil_id = gm.user_id AND l.guardian_id = $2 AND l.school_id = $3
             WHERE gm.user_id = $1 AND g.kind = 'class' AND g.school_id = $3 ORDER BY g.name LIMIT 1",
        )
        .bind(pupil_id)
        .bind(guardian_id)
        .bind(school_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(class) = class else { return Ok(false) };
        sqlx::query("DELETE FROM class_representatives WHERE group_id = $1 AND guardian_id = $2")
            .bind(class)
            .bind(guardian_id)
            .execute(&mut *tx)
            .await?;
        if on {
            sqlx::query(
                "INSERT INTO class_representatives (group_id, guardian_id, school_id, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(class)
            .bind(guardian_id)
            .bind(school_id)
            .bind(crate::platform::now())
            .execute(&mut *tx)
            .await?;
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
});
