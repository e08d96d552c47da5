use crate::audit::AuditEvent;
use crate::platform::db::impl_both;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct School {
    pub id: i64,
    pub name: String,
    pub mail_domain: String,
}

#[async_trait::async_trait]
pub trait SchoolStore: Send + Sync {
    /// `None` when the mail domain already belongs to another school.
    async fn create_school(
        &self,
        name: &str,
        mail_domain: &str,
        audit: &AuditEvent,
    ) -> Result<Option<i64>, sqlx::Error>;
    async fn schools(&self) -> Result<Vec<School>, sqlx::Error>;
    async fn school_by_domain(&self, mail_domain: &str) -> Result<Option<School>, sqlx::Error>;
    /// MAIL-1: the school's mail domain, the part after `@` of every address in it.
    async fn school_domain(&self, school_id: i64) -> Result<Option<String>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of schools, as the composition root registered it.
    pub fn schools(&self) -> &dyn SchoolStore {
        self.stores.get::<dyn SchoolStore>()
    }
}

impl_both!(SchoolStore {
    async fn school_domain(&self, school_id: i64) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT mail_domain FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn school_by_domain(&self, mail_domain: &str) -> Result<Option<School>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, mail_domain FROM schools WHERE mail_domain = $1")
            .bind(mail_domain)
            .fetch_optional(&self.pool)
            .await
    }

    async fn create_school(&self, name: &str, mail_domain: &str, audit: &AuditEvent) -> Result<Option<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO schools (name, mail_domain, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (mail_domain) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(mail_domain)
        .bind(crate::platform::now())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            // LIFE-4: every school starts with the town's policy, effective 01.08.2020.
            self.insert_policy_version(&mut tx, id, crate::policy::DEFAULT_TEXT, crate::policy::DEFAULT_EFFECTIVE).await?;
            self.write_audit(&mut tx, &AuditEvent { school_id: Some(id), ..audit.clone() }).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn schools(&self) -> Result<Vec<School>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, mail_domain FROM schools ORDER BY name").fetch_all(&self.pool).await
    }
});

#[async_trait::async_trait]
pub trait SchoolSummaryStore: Send + Sync {
    async fn school_summaries(&self) -> Result<Vec<super::SchoolSummary>, sqlx::Error>;
    /// One school's administrators and management, for the guard against creating one twice.
    async fn school_leaders(&self, school_id: i64)
    -> Result<Vec<super::SchoolLeader>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the operator's school overview, as the composition root registered it.
    pub fn school_summary(&self) -> &dyn SchoolSummaryStore {
        self.stores.get::<dyn SchoolSummaryStore>()
    }
}

#[derive(sqlx::FromRow)]
struct LeaderRow {
    school_id: i64,
    first_name: String,
    last_name: String,
    login: String,
    role: String,
}

impl LeaderRow {
    fn leader(&self) -> Option<super::SchoolLeader> {
        Some(super::SchoolLeader {
            name: format!("{} {}", self.first_name, self.last_name),
            login: self.login.clone(),
            role: crate::auth::Role::from_code(&self.role)?,
        })
    }
}

/// The people the operator sets up in each school (the rights table's `Create` grants of the
/// operator: administrators, management, the secretariat), for the schools table.
fn leaders() -> String {
    use crate::auth::{
        Role,
        rights::{Act, targets},
    };
    let roles: Vec<String> = targets(Role::Operator, Act::Create)
        .into_iter()
        .map(|r| format!("'{}'", r.code()))
        .collect();
    format!(
        "SELECT school_id, first_name, last_name, login, role FROM users
         WHERE role IN ({}) AND school_id IS NOT NULL",
        roles.join(", ")
    )
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    mail_domain: String,
    people: i64,
}

impl_both!(SchoolSummaryStore {
    async fn school_summaries(&self) -> Result<Vec<super::SchoolSummary>, sqlx::Error> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT s.id, s.name, s.mail_domain, COUNT(u.id) AS people FROM schools s
             LEFT JOIN users u ON u.school_id = s.id GROUP BY s.id, s.name, s.mail_domain ORDER BY s.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let leaders: Vec<LeaderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{} ORDER BY sort_key, login", leaders())))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| super::SchoolSummary {
                id: r.id,
                name: r.name,
                mail_domain: r.mail_domain,
                people: r.people,
                leaders: leaders
                    .iter()
                    .filter(|l| l.school_id == r.id)
                    .filter_map(LeaderRow::leader)
                    .collect(),
            })
            .collect())
    }

    async fn school_leaders(&self, school_id: i64) -> Result<Vec<super::SchoolLeader>, sqlx::Error> {
        let rows: Vec<LeaderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{} AND school_id = $1 ORDER BY sort_key, login", leaders())))
            .bind(school_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().filter_map(LeaderRow::leader).collect())
    }
});

/// The school's periods and limits, as whole numbers of days and megabytes.
#[async_trait::async_trait]
pub trait SchoolSettingsStore: Send + Sync {
    async fn settings(&self, school_id: i64) -> Result<Option<super::SchoolLimits>, sqlx::Error>;
    async fn set_settings(
        &self,
        school_id: i64,
        settings: &super::SchoolLimits,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of a school's settings, as the composition root registered it.
    pub fn school_settings(&self) -> &dyn SchoolSettingsStore {
        self.stores.get::<dyn SchoolSettingsStore>()
    }
}

impl_both!(SchoolSettingsStore {
    async fn settings(&self, school_id: i64) -> Result<Option<super::SchoolLimits>, sqlx::Error> {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT transfer_limit_bytes, trash_days, deletion_grace_days, audit_retention_days FROM schools WHERE id = $1",
        )
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(limit, trash, grace, retention)| super::SchoolLimits {
            transfer_limit_mb: limit / crate::rules::files::MB,
            trash_days: trash,
            deletion_grace_days: grace,
            audit_retention_days: retention,
        }))
    }

    async fn set_settings(&self, school_id: i64, s: &super::SchoolLimits, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE schools SET transfer_limit_bytes = $2, trash_days = $3, deletion_grace_days = $4, audit_retention_days = $5 WHERE id = $1",
        )
        .bind(school_id)
        .bind(s.transfer_limit_mb * crate::rules::files::MB)
        .bind(s.trash_days)
        .bind(s.deletion_grace_days)
        .bind(s.audit_retention_days)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }
});
