//! The address book in the database: the directory fields come from `users` and `groups`;
//! the further fields live in `address_fields`, one row per person who filled any in.
use super::{Entry, OwnFields};
use crate::auth::Role;
use crate::platform::db::impl_both;

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    login: String,
    first_name: String,
    last_name: String,
    role: String,
    mail_domain: String,
    phone: Option<String>,
    postal: Option<String>,
    birthday: Option<String>,
    note: Option<String>,
    show_phone: Option<bool>,
    show_postal: Option<bool>,
    show_birthday: Option<bool>,
    show_note: Option<bool>,
}

/// AB-2: a further field leaves the database only with its switch on, and only when filled.
fn shown(value: Option<String>, switch: Option<bool>) -> Option<String> {
    value.filter(|v| switch == Some(true) && !v.is_empty())
}

/// PAR-3: which guardians a viewer finds in the address book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardiansShown {
    /// Pupils and guardians never see guardians.
    None,
    /// Staff: the guardians of the pupils in the classes this staff member belongs to.
    OfClassesOf(i64),
    /// The secretariat, which keeps the links: every guardian of the school.
    All,
}

const ENTRY: &str = "SELECT u.id, u.login, u.first_name, u.last_name, u.role, s.mail_domain,
        a.phone, a.postal, a.birthday, a.note, a.show_phone, a.show_postal, a.show_birthday, a.show_note
     FROM users u JOIN schools s ON s.id = u.school_id LEFT JOIN address_fields a ON a.user_id = u.id";

#[async_trait::async_trait]
pub trait AddressBookStore: Send + Sync {
    /// People of the school matching `query` in name, login, class or team, or having `role`,
    /// among those `viewer` is shown ([`Role::directory_sql`]), and the guardians `guardians`
    /// says (PAR-3).
    async fn entries(
        &self,
        school_id: i64,
        viewer: Role,
        guardians: GuardiansShown,
        query: &str,
        role: Option<Role>,
        limit: i64,
    ) -> Result<Vec<Entry>, sqlx::Error>;
    async fn entry_of(&self, school_id: i64, user_id: i64) -> Result<Option<Entry>, sqlx::Error>;
    async fn own_fields(&self, user_id: i64) -> Result<OwnFields, sqlx::Error>;
    async fn save_own_fields(&self, user_id: i64, fields: &OwnFields) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the address book, as the composition root registered it.
    pub fn addressbook(&self) -> &dyn AddressBookStore {
        self.stores.get::<dyn AddressBookStore>()
    }
}

impl_both!(AddressBookStore {
    async fn entries(&self, school_id: i64, viewer: Role, guardians: GuardiansShown, query: &str, role: Option<Role>, limit: i64)
        -> Result<Vec<Entry>, sqlx::Error> {
        let pattern = format!("%{}%", query.replace(['%', '_', '\\'], ""));
        // Issue 18: names on the folded key, in German order (`rules::search`).
        let names = crate::rules::search::name_pattern(query).unwrap_or_else(|| "\u{1}".into());
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ENTRY} WHERE u.school_id = $1 AND u.deletion_due_at IS NULL
               AND (u.role IN ({listed})
                    OR (u.role = 'guardian' AND $8 = 1)
                    OR (u.role = 'guardian' AND EXISTS (
                        SELECT 1 FROM guardian_links l
                        JOIN group_members pm ON pm.user_id = l.pupil_id
                        JOIN groups g ON g.id = pm.group_id AND g.kind = 'class'
                        JOIN group_members vm ON vm.group_id = g.id AND vm.user_id = $7
                        WHERE l.guardian_id = u.id)))
               AND ($2 = '' OR u.role = $3 OR u.search_key LIKE $6 OR LOWER(u.login) LIKE $4
                    OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
                               WHERE gm.user_id = u.id AND LOWER(g.name) LIKE $4)
                    OR EXISTS (SELECT 1 FROM guardian_links l JOIN group_members gm ON gm.user_id = l.pupil_id
                               JOIN groups g ON g.id = gm.group_id
                               WHERE l.guardian_id = u.id AND LOWER(g.name) LIKE $4))
             ORDER BY u.sort_key, u.id LIMIT $5",
            // Issue 19: the roles listed, named once (`Role::in_directory`), not "not the operator".
            listed = Role::directory_sql(viewer)
        )))
        .bind(school_id)
        .bind(query)
        .bind(role.map_or("", |r| r.code()))
        .bind(pattern)
        .bind(limit)
        .bind(names)
        .bind(match guardians {
            GuardiansShown::OfClassesOf(staff) => staff,
            _ => 0,
        })
        .bind(i64::from(matches!(guardians, GuardiansShown::All)))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.entry(row).await?);
        }
        Ok(out)
    }

    async fn entry_of(&self, school_id: i64, user_id: i64) -> Result<Option<Entry>, sqlx::Error> {
        let row: Option<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENTRY} WHERE u.school_id = $1 AND u.id = $2")))
            .bind(school_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.entry(row).await?)),
            None => Ok(None),
        }
    }

    async fn own_fields(&self, user_id: i64) -> Result<OwnFields, sqlx::Error> {
        let row: Option<(String, String, String, String, bool, bool, bool, bool)> = sqlx::query_as(
            "SELECT phone, postal, birthday, note, show_phone, show_postal, show_birthday, show_note
             FROM address_fields WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or_else(OwnFields::default, |r| OwnFields {
            phone: r.0,
            postal: r.1,
            birthday: r.2,
            note: r.3,
            show_phone: r.4,
            show_postal: r.5,
            show_birthday: r.6,
            show_note: r.7,
        }))
    }

    async fn save_own_fields(&self, user_id: i64, f: &OwnFields) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO address_fields (user_id, phone, postal, birthday, note, show_phone, show_postal, show_birthday, show_note, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, postal = excluded.postal,
                 birthday = excluded.birthday, note = excluded.note, show_phone = excluded.show_phone,
                 show_postal = excluded.show_postal, show_birthday = excluded.show_birthday,
                 show_note = excluded.show_note, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(&f.phone)
        .bind(&f.postal)
        .bind(&f.birthday)
        .bind(&f.note)
        .bind(f.show_phone)
        .bind(f.show_postal)
        .bind(f.show_birthday)
        .bind(f.show_note)
        .bind(crate::platform::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
});

crate::platform::db::inherent_both! {
    async fn entry(&self, row: EntryRow) -> Result<Entry, sqlx::Error> {
        let groups: Vec<(String, String)> = sqlx::query_as(
            "SELECT g.kind, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
             WHERE gm.user_id = $1 ORDER BY g.kind, g.name",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        // PAR-3: a guardian is described by their children, as staff look for them.
        let children: Vec<(String, String, Option<String>)> = if row.role == Role::Guardian.code() {
            sqlx::query_as(
                "SELECT u.first_name, u.last_name,
                    (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
                     WHERE gm.user_id = u.id AND g.kind = 'class' ORDER BY g.name LIMIT 1)
                 FROM guardian_links l JOIN users u ON u.id = l.pupil_id
                 WHERE l.guardian_id = $1 ORDER BY u.sort_key, u.id",
            )
            .bind(row.id)
            .fetch_all(&self.pool)
            .await?
        } else {
            Vec::new()
        };
        Ok(Entry {
            children: children
                .into_iter()
                .map(|(first, last, class)| match class {
                    Some(class) => format!("{first} {last} · {class}"),
                    None => format!("{first} {last}"),
                })
                .collect(),
            name: format!("{} {}", row.first_name, row.last_name),
            role: Role::from_code(&row.role).unwrap_or(Role::Pupil),
            class: groups.iter().find(|g| g.0 == "class").map(|g| g.1.clone()),
            teams: groups.iter().filter(|g| g.0 == "team").map(|g| g.1.clone()).collect(),
            address: crate::rules::login::address(&row.login, &row.mail_domain),
            phone: shown(row.phone, row.show_phone),
            postal: shown(row.postal, row.show_postal),
            birthday: shown(row.birthday, row.show_birthday),
            note: shown(row.note, row.show_note),
        })
    }
}
