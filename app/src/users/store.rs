//! The people of a school in the database: `UserAdminStore`, and `PersonRef` lookups for other
//! features.
//!
//! Over 600 lines, kept whole on purpose: it is one trait over one table (`users`), the one
//! place that writes a person, and its queries share the row types at its top.
use super::{SortBy, UserSummary};
use crate::audit::AuditEvent;
use crate::auth::{Role, Target};
use crate::platform::db::{Tx, impl_both, inherent_both};
use crate::rules;

/// A person as other features name them: by id, school, role and "First Last".
pub struct PersonRef {
    pub id: i64,
    pub school_id: Option<i64>,
    pub role: Option<Role>,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    school_id: Option<i64>,
    role: String,
    name: String,
}

impl From<PersonRow> for PersonRef {
    fn from(row: PersonRow) -> Self {
        PersonRef {
            id: row.id,
            school_id: row.school_id,
            role: Role::from_code(&row.role),
            name: row.name,
        }
    }
}

pub struct NewPerson<'a> {
    pub school_id: i64,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
    /// The class name and grade, as `rules::class::parse` gives them.
    pub class: Option<(String, i64)>,
    /// LIFE-2: `YYYY-MM-DD`.
    pub leaving_date: Option<&'a str>,
}

/// What a start-password slip needs to know about a person.
#[derive(sqlx::FromRow)]
pub struct SlipPerson {
    pub id: i64,
    /// SEC-1: whether the caller may issue this person's credentials.
    pub role: String,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub school: String,
    pub class: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: i64,
    role: String,
    first_name: String,
    last_name: String,
}

impl TargetRow {
    fn into_target(self) -> Option<Target> {
        Some(Target {
            id: self.id,
            role: Role::from_code(&self.role)?,
            name: format!("{} {}", self.first_name, self.last_name),
        })
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    login: String,
    first_name: String,
    last_name: String,
    role: String,
    status: String,
    must_change_password: bool,
    class: Option<String>,
    leaving_date: Option<String>,
    start_password_issued_at: Option<i64>,
    parent_consent: bool,
    parent_consent_online: bool,
    deletion_due_at: Option<i64>,
    has_password: bool,
    status_reason: String,
}

/// The columns of the people table, from `users u`.
fn summary_select() -> String {
    format!(
        "SELECT u.id, u.login, u.first_name, u.last_name, u.role, u.status, u.must_change_password,
            {CLASS_OF_USER} AS class, u.leaving_date, u.start_password_issued_at,
            EXISTS (SELECT 1 FROM parent_consents pc WHERE pc.user_id = u.id AND pc.policy_version_id =
                (SELECT MAX(pv.id) FROM policy_versions pv WHERE pv.school_id = u.school_id)) AS parent_consent,
            EXISTS (SELECT 1 FROM parent_consents pc WHERE pc.user_id = u.id AND pc.signed_name IS NOT NULL
                AND pc.policy_version_id = (SELECT MAX(pv.id) FROM policy_versions pv WHERE pv.school_id = u.school_id))
                AS parent_consent_online,
            u.deletion_due_at, (u.password_hash IS NOT NULL) AS has_password, u.status_reason
         FROM users u"
    )
}

impl SummaryRow {
    fn into_summary(self) -> Option<UserSummary> {
        Some(UserSummary {
            role: Role::from_code(&self.role)?,
            id: self.id,
            login: self.login,
            first_name: self.first_name,
            last_name: self.last_name,
            class: self.class,
            locked: self.status == "locked",
            must_change_password: self.must_change_password,
            leaving_date: self.leaving_date,
            start_password_issued_at: self.start_password_issued_at,
            parent_consent: self.parent_consent,
            parent_consent_online: self.parent_consent_online,
            status: self.status,
            deletion_due_at: self.deletion_due_at,
            has_password: self.has_password,
            status_reason: self.status_reason,
        })
    }
}

const CLASS_OF_USER: &str =
    "(SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
     WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1)";

/// `%` and `_` typed into the search box are searched for, not used as wildcards.
fn like_pattern(query: &str) -> String {
    let escaped = query
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn order_by(sort: SortBy) -> &'static str {
    match sort {
        // Issue 18: German order through the ASCII key (`rules::search::sort_key`).
        SortBy::Name => "u.sort_key, u.id",
        SortBy::Login => "u.login",
        SortBy::Class => "class, u.sort_key, u.id",
        SortBy::Role => "u.role, u.sort_key, u.id",
    }
}

inherent_both! {
    /// Creates the person with the first free login for their name, and their class membership.
    pub(crate) async fn insert_person(&self, tx: &mut Tx<Self>, person: &NewPerson<'_>) -> Result<(i64, String), sqlx::Error> {
        let base = rules::login::base_login(person.first_name, person.last_name).unwrap_or_else(|| "nutzer".into());
        let mut number = 1;
        // The unique index decides: a login taken a moment ago by another server just moves us on.
        let (id, login) = loop {
            let candidate = rules::login::numbered(&base, number);
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (school_id, login, first_name, last_name, role, status, leaving_date, created_at, search_key, sort_key)
                 VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9)
                 ON CONFLICT (login) DO NOTHING RETURNING id",
            )
            .bind(person.school_id)
            .bind(&candidate)
            .bind(person.first_name)
            .bind(person.last_name)
            .bind(person.role.code())
            .bind(person.leaving_date)
            .bind(crate::platform::now())
            .bind(rules::search::search_key(person.first_name, person.last_name))
            .bind(rules::search::sort_key(person.first_name, person.last_name))
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(id) = id {
                break (id, candidate);
            }
            number += 1;
        };
        if let Some((class, grade)) = &person.class {
            self.put_in_class(tx, person.school_id, id, class, *grade, person.role == Role::Teacher).await?;
        }
        Ok((id, login))
    }

    /// Issue 18 §6: keeps the pupil ID and birth date a class list gives, and only those: an ID
    /// once set stays (re-imports match by it); a birth date follows the latest list.
    async fn remember_identity(&self, tx: &mut Tx<Self>, school_id: i64, user_id: i64, row: &super::ImportRow)
        -> Result<(), sqlx::Error> {
        if row.import_id.is_none() && row.birth_date.is_none() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE users SET import_id = COALESCE(import_id, $1), birth_date = COALESCE($2, birth_date)
             WHERE id = $3 AND school_id = $4",
        )
        .bind(&row.import_id)
        .bind(&row.birth_date)
        .bind(user_id)
        .bind(school_id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Makes `class` the user's one class, creating the class if the school has none by that name.
    pub(crate) async fn put_in_class(&self, tx: &mut Tx<Self>, school_id: i64, user_id: i64, class: &str, grade: i64, owner: bool)
        -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO groups (school_id, kind, name, grade) VALUES ($1, 'class', $2, $3)
             ON CONFLICT (school_id, name) DO NOTHING",
        )
        .bind(school_id)
        .bind(class)
        .bind(grade)
        .execute(&mut **tx)
        .await?;
        let group: i64 = sqlx::query_scalar("SELECT id FROM groups WHERE school_id = $1 AND name = $2")
            .bind(school_id)
            .bind(class)
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query(
            "DELETE FROM group_members WHERE user_id = $1
             AND group_id IN (SELECT id FROM groups WHERE kind = 'class' AND id <> $2)",
        )
        .bind(user_id)
        .bind(group)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id, is_owner) VALUES ($1, $2, $3)
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(group)
        .bind(user_id)
        .bind(owner)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

inherent_both! {
    /// Sets one directory column of a user of this school, with its audit event; with
    /// `only_if`, only while the user still has that role (SEC-1).
    /// `column` is always a literal from this file, never input.
    async fn update_user(&self, school_id: i64, user_id: i64, column: &'static str, value: Option<&str>, only_if: Option<Role>, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET {column} = $1 WHERE id = $2 AND school_id = $3 AND ($4 = '' OR role = $4)"
        )))
        .bind(value)
        .bind(user_id)
        .bind(school_id)
        .bind(only_if.map_or("", Role::code))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// A pupil as an import compares them.
#[derive(sqlx::FromRow)]
pub struct ExistingPupil {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub class: Option<String>,
    pub leaving_date: Option<String>,
    pub import_id: Option<String>,
    pub birth_date: Option<String>,
}

#[derive(sqlx::FromRow)]
pub struct StoredImport {
    pub file_name: String,
    pub content: String,
    pub applied_at: Option<i64>,
    /// JSON of [`super::ImportOutcome`], once applied.
    pub outcome: Option<String>,
}

#[async_trait::async_trait]
pub trait UserAdminStore: Send + Sync {
    /// Issue 18: writes the search and sort keys of everyone who has none yet (people from
    /// before migration 0011); returns how many. Run once at every start; cheap when done.
    async fn fill_name_keys(&self) -> Result<u64, sqlx::Error>;
    /// MAIL-1: the school member with this login, unless their account is being deleted.
    async fn person_by_login(&self, login: &str) -> Result<Option<PersonRef>, sqlx::Error>;
    /// Anyone by id, as long as the account exists.
    async fn person(&self, user_id: i64) -> Result<Option<PersonRef>, sqlx::Error>;
    async fn save_import(
        &self,
        school_id: i64,
        user_id: i64,
        file_name: &str,
        content: &str,
    ) -> Result<i64, sqlx::Error>;
    async fn load_import(
        &self,
        school_id: i64,
        id: i64,
    ) -> Result<Option<StoredImport>, sqlx::Error>;
    async fn school_pupils(&self, school_id: i64) -> Result<Vec<ExistingPupil>, sqlx::Error>;
    /// Issue 18 §6: every login in the deployment that starts with one of `bases`, so that the
    /// import preview can say which login each new person gets.
    async fn logins_starting(
        &self,
        bases: &[String],
    ) -> Result<std::collections::HashSet<String>, sqlx::Error>;
    async fn year_end_plan(&self, school_id: i64) -> Result<Vec<super::ClassMove>, sqlx::Error>;
    /// Moves every class up a grade and gives the final grade its leaving date, at once.
    /// False when the run for that leaving year has been done already.
    async fn year_end(
        &self,
        school_id: i64,
        leaving_date: &str,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// Applies every entry in one transaction; false if this import was applied before.
    async fn apply_import(
        &self,
        school_id: i64,
        id: i64,
        entries: &[super::ImportEntry],
        outcome: &super::ImportOutcome,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// ACC-2: creates the person with the first free login for their name.
    async fn create_person(
        &self,
        person: &NewPerson<'_>,
        audit: &AuditEvent,
    ) -> Result<(i64, String), sqlx::Error>;
    /// The people of the school of the `visible` roles (SEC-1: those the caller may view).
    async fn list_users(
        &self,
        school_id: i64,
        visible: &[Role],
        query: &str,
        sort: SortBy,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UserSummary>, i64), sqlx::Error>;
    /// False when the user is not in this school.
    async fn set_locked(
        &self,
        school_id: i64,
        user_id: i64,
        locked: bool,
        reason: &str,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    async fn user_summary(
        &self,
        school_id: i64,
        user_id: i64,
    ) -> Result<Option<UserSummary>, sqlx::Error>;
    /// ACC-3: a rights change from `from` to `to`. False when the user is not in this school
    /// or no longer has the role `from`.
    async fn set_role(
        &self,
        school_id: i64,
        user_id: i64,
        from: Role,
        to: Role,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// LIFE-2: `None` clears the date. False when the user is not in this school.
    async fn set_leaving_date(
        &self,
        school_id: i64,
        user_id: i64,
        date: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// The ids of a class's members, for issuing start passwords to the whole class.
    async fn class_member_ids(&self, school_id: i64, class: &str) -> Result<Vec<i64>, sqlx::Error>;
    /// SEC-1: the person an act is aimed at, with their role, if they are in this school.
    async fn target(&self, school_id: i64, user_id: i64) -> Result<Option<Target>, sqlx::Error>;
    async fn target_by_login(
        &self,
        school_id: i64,
        login: &str,
    ) -> Result<Option<Target>, sqlx::Error>;
    /// The given users of this school; others are silently left out.
    async fn people_for_slips(
        &self,
        school_id: i64,
        user_ids: &[i64],
    ) -> Result<Vec<SlipPerson>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the people administration, as the composition root registered it.
    pub fn user_admin(&self) -> &dyn UserAdminStore {
        self.stores.get::<dyn UserAdminStore>()
    }
}

#[derive(sqlx::FromRow)]
struct ClassCount {
    id: i64,
    name: String,
    members: i64,
}

const CLASSES: &str = "SELECT g.id, g.name, COUNT(gm.user_id) AS members FROM groups g
     LEFT JOIN group_members gm ON gm.group_id = g.id
     WHERE g.school_id = $1 AND g.kind = 'class' GROUP BY g.id, g.name ORDER BY g.name DESC";

impl_both!(UserAdminStore {
    async fn fill_name_keys(&self) -> Result<u64, sqlx::Error> {
        let mut filled = 0;
        // Looked for without the write lock first: a start with nothing to fill (every start
        // after the first) must not wait for, or hold up, a running server's writers.
        let missing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE sort_key = '' LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        if missing.is_none() {
            return Ok(0);
        }
        loop {
            // In batches, so that a large school's first start holds no long write lock.
            let mut tx = self.begin_write().await?;
            let people: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, first_name, last_name FROM users WHERE sort_key = '' ORDER BY id LIMIT 500",
            )
            .fetch_all(&mut *tx)
            .await?;
            if people.is_empty() {
                return Ok(filled);
            }
            for (id, first, last) in &people {
                sqlx::query("UPDATE users SET search_key = $1, sort_key = $2 WHERE id = $3")
                    .bind(rules::search::search_key(first, last))
                    .bind(rules::search::sort_key(first, last))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            filled += people.len() as u64;
        }
    }

    async fn person_by_login(&self, login: &str) -> Result<Option<PersonRef>, sqlx::Error> {
        let row: Option<PersonRow> = sqlx::query_as(
            "SELECT id, school_id, role, first_name || ' ' || last_name AS name FROM users
             WHERE login = $1 AND school_id IS NOT NULL AND deletion_due_at IS NULL",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(PersonRef::from))
    }

    async fn person(&self, user_id: i64) -> Result<Option<PersonRef>, sqlx::Error> {
        let row: Option<PersonRow> = sqlx::query_as(
            "SELECT id, school_id, role, first_name || ' ' || last_name AS name FROM users WHERE id = $1",
        )
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(PersonRef::from))
    }

    async fn year_end_plan(&self, school_id: i64) -> Result<Vec<super::ClassMove>, sqlx::Error> {
        let classes: Vec<ClassCount> = sqlx::query_as(CLASSES).bind(school_id).fetch_all(&self.pool).await?;
        Ok(classes
            .into_iter()
            .map(|c| super::ClassMove { to: rules::class::next_year(&c.name), from: c.name, members: c.members })
            .collect())
    }

    async fn year_end(&self, school_id: i64, leaving_date: &str, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let year = &leaving_date[..4];
        // Twice in one year would move every class up two grades: a double click must not.
        let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups WHERE school_id = $1 AND kind = 'leavers' AND name LIKE $2")
            .bind(school_id)
            .bind(format!("abgang-{year}-%"))
            .fetch_one(&mut *tx)
            .await?;
        if done > 0 {
            return Ok(false);
        }
        // Highest grade first, so that "3a" can become "4a" once the old "4a" has left.
        let classes: Vec<ClassCount> = sqlx::query_as(CLASSES).bind(school_id).fetch_all(&mut *tx).await?;
        for class in classes {
            match rules::class::next_year(&class.name) {
                Some(next) => {
                    let grade = rules::class::parse(&next).map_or(0, |(_, g)| g);
                    sqlx::query("UPDATE groups SET name = $1, grade = $2 WHERE id = $3")
                        .bind(&next)
                        .bind(grade)
                        .bind(class.id)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query(
                        "UPDATE users SET leaving_date = $1 WHERE school_id = $2 AND role = 'pupil' AND leaving_date IS NULL
                         AND id IN (SELECT user_id FROM group_members WHERE group_id = $3)",
                    )
                    .bind(leaving_date)
                    .bind(school_id)
                    .bind(class.id)
                    .execute(&mut *tx)
                    .await?;
                    // The class stays together as a group of leavers until their accounts go.
                    sqlx::query("UPDATE groups SET kind = 'leavers', name = $1 WHERE id = $2")
                        .bind(format!("abgang-{year}-{}", class.name))
                        .bind(class.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn save_import(&self, school_id: i64, user_id: i64, file_name: &str, content: &str) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO imports (school_id, created_by, file_name, content, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(school_id)
        .bind(user_id)
        .bind(file_name)
        .bind(content)
        .bind(crate::platform::now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn load_import(&self, school_id: i64, id: i64) -> Result<Option<StoredImport>, sqlx::Error> {
        sqlx::query_as("SELECT file_name, content, applied_at, outcome FROM imports WHERE id = $1 AND school_id = $2")
            .bind(id)
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn school_pupils(&self, school_id: i64) -> Result<Vec<ExistingPupil>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.id, u.first_name, u.last_name, {CLASS_OF_USER} AS class, u.leaving_date,
                    u.import_id, u.birth_date
             FROM users u WHERE u.school_id = $1 AND u.role = 'pupil'"
        )))
        .bind(school_id)
        .fetch_all(&self.pool)
        .await
    }

    async fn logins_starting(&self, bases: &[String]) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let mut taken = std::collections::HashSet::new();
        // A hundred patterns a statement: a 10,000-line list costs a hundred short queries.
        for chunk in bases.chunks(100) {
            let conditions: Vec<String> = (1..=chunk.len())
                .map(|n| format!("login LIKE ${n} ESCAPE '\\'"))
                .collect();
            let sql = format!("SELECT login FROM users WHERE {}", conditions.join(" OR "));
            let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for base in chunk {
                let escaped = base.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                query = query.bind(format!("{escaped}%"));
            }
            taken.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(taken)
    }

    async fn apply_import(&self, school_id: i64, id: i64, entries: &[super::ImportEntry], outcome: &super::ImportOutcome,
        audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        use super::Change;
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE imports SET applied_at = $1, outcome = $4 WHERE id = $2 AND school_id = $3 AND applied_at IS NULL",
        )
            .bind(crate::platform::now())
            .bind(id)
            .bind(school_id)
            .bind(serde_json::to_string(outcome).unwrap_or_default())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        for entry in entries {
            let row = &entry.row;
            let class = rules::class::parse(&row.class);
            match (entry.change, entry.user_id) {
                (Change::New, _) => {
                    let person = NewPerson {
                        school_id,
                        first_name: &row.first_name,
                        last_name: &row.last_name,
                        role: Role::Pupil,
                        class,
                        leaving_date: row.leaving_date.as_deref(),
                    };
                    let (user_id, _) = self.insert_person(&mut tx, &person).await?;
                    self.remember_identity(&mut tx, school_id, user_id, row).await?;
                }
                (Change::Unchanged, Some(user_id)) => {
                    self.remember_identity(&mut tx, school_id, user_id, row).await?;
                }
                (Change::Changed, Some(user_id)) => {
                    self.remember_identity(&mut tx, school_id, user_id, row).await?;
                    // Matched by ID, a corrected name is taken over; the login stays.
                    sqlx::query(
                        "UPDATE users SET first_name = $1, last_name = $2, search_key = $3, sort_key = $4
                         WHERE id = $5 AND school_id = $6 AND (first_name <> $1 OR last_name <> $2)",
                    )
                    .bind(&row.first_name)
                    .bind(&row.last_name)
                    .bind(rules::search::search_key(&row.first_name, &row.last_name))
                    .bind(rules::search::sort_key(&row.first_name, &row.last_name))
                    .bind(user_id)
                    .bind(school_id)
                    .execute(&mut *tx)
                    .await?;
                    if let Some((name, grade)) = class {
                        self.put_in_class(&mut tx, school_id, user_id, &name, grade, false).await?;
                    }
                    if let Some(date) = &row.leaving_date {
                        sqlx::query("UPDATE users SET leaving_date = $1 WHERE id = $2 AND school_id = $3")
                            .bind(date)
                            .bind(user_id)
                            .bind(school_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                _ => {}
            }
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_person(&self, person: &NewPerson<'_>, audit: &AuditEvent) -> Result<(i64, String), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let (id, login) = self.insert_person(&mut tx, person).await?;
        self.write_audit(&mut tx, &audit.clone().subject(id).details(login.clone())).await?;
        tx.commit().await?;
        Ok((id, login))
    }

    async fn list_users(&self, school_id: i64, visible: &[Role], query: &str, sort: SortBy, offset: i64, limit: i64)
        -> Result<(Vec<UserSummary>, i64), sqlx::Error> {
        // SEC-1: only rows of the roles the caller may see (codes from `Role`, never input).
        let roles: Vec<String> = visible.iter().map(|r| format!("'{}'", r.code())).collect();
        let roles = if roles.is_empty() { "''".to_string() } else { roles.join(", ") };
        let filter = format!(
            "u.school_id = $1 AND u.role IN ({roles}) AND ($2 = '' OR u.search_key LIKE $4
             OR u.login LIKE $3 ESCAPE '\\' OR {CLASS_OF_USER} LIKE $3 ESCAPE '\\')"
        );
        // Issue 18: names are matched on the folded key; no name matches a query with no
        // name in it ("Herr"), hence the pattern that never matches a key.
        let names = rules::search::name_pattern(query).unwrap_or_else(|| "\u{1}".into());
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM users u WHERE {filter}"
        )))
            .bind(school_id)
            .bind(query)
            .bind(like_pattern(query))
            .bind(&names)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{} WHERE {filter} ORDER BY {} LIMIT $5 OFFSET $6",
            summary_select(),
            order_by(sort)
        )))
        .bind(school_id)
        .bind(query)
        .bind(like_pattern(query))
        .bind(&names)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let rows = rows.into_iter().filter_map(SummaryRow::into_summary).collect();
        Ok((rows, total))
    }

    async fn set_locked(&self, school_id: i64, user_id: i64, locked: bool, reason: &str, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE users SET status = $1, status_reason = $2 WHERE id = $3 AND school_id = $4")
            .bind(if locked { "locked" } else { "active" })
            .bind(reason)
            .bind(user_id)
            .bind(school_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        if locked {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user_summary(&self, school_id: i64, user_id: i64) -> Result<Option<UserSummary>, sqlx::Error> {
        let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{} WHERE u.school_id = $1 AND u.id = $2", summary_select())))
            .bind(school_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(SummaryRow::into_summary))
    }

    async fn target(&self, school_id: i64, user_id: i64) -> Result<Option<Target>, sqlx::Error> {
        let row: Option<TargetRow> = sqlx::query_as("SELECT id, role, first_name, last_name FROM users WHERE school_id = $1 AND id = $2")
            .bind(school_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(TargetRow::into_target))
    }

    async fn target_by_login(&self, school_id: i64, login: &str) -> Result<Option<Target>, sqlx::Error> {
        let row: Option<TargetRow> = sqlx::query_as("SELECT id, role, first_name, last_name FROM users WHERE school_id = $1 AND login = $2")
            .bind(school_id)
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(TargetRow::into_target))
    }

    async fn set_role(&self, school_id: i64, user_id: i64, from: Role, to: Role, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        // SEC-1: only while the role is still the one the rights check saw.
        self.update_user(school_id, user_id, "role", Some(to.code()), Some(from), audit).await
    }

    async fn set_leaving_date(&self, school_id: i64, user_id: i64, date: Option<&str>, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        self.update_user(school_id, user_id, "leaving_date", date, None, audit).await
    }

    async fn class_member_ids(&self, school_id: i64, class: &str) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN group_members gm ON gm.user_id = u.id JOIN groups g ON g.id = gm.group_id
             WHERE g.school_id = $1 AND g.kind = 'class' AND g.name = $2 AND u.role = 'pupil'
             ORDER BY u.sort_key, u.id",
        )
        .bind(school_id)
        .bind(class)
        .fetch_all(&self.pool)
        .await
    }

    async fn people_for_slips(&self, school_id: i64, user_ids: &[i64]) -> Result<Vec<SlipPerson>, sqlx::Error> {
        let mut people = Vec::new();
        for id in user_ids {
            let person: Option<SlipPerson> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT u.id, u.role, u.login, u.first_name, u.last_name, s.name AS school, {CLASS_OF_USER} AS class
                 FROM users u JOIN schools s ON s.id = u.school_id
                 WHERE u.school_id = $1 AND u.id = $2"
            )))
            .bind(school_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            people.extend(person);
        }
        Ok(people)
    }
});
