use super::{ConsentState, PolicyText};
use crate::audit::AuditEvent;
use crate::platform::db::{Tx, impl_both, inherent_both};

#[async_trait::async_trait]
pub trait PolicyStore: Send + Sync {
    async fn current_policy(&self, school_id: i64) -> Result<Option<PolicyText>, sqlx::Error>;
    /// False when `version_id` is not the school's current version.
    async fn accept_policy(
        &self,
        school_id: i64,
        user_id: i64,
        version_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// Returns the new version number.
    async fn publish_policy(
        &self,
        school_id: i64,
        body: &str,
        effective_date: &str,
        audit: &AuditEvent,
    ) -> Result<i64, sqlx::Error>;
    /// False when the pupil is not in this school or the school has no policy.
    async fn record_parent_consent(
        &self,
        school_id: i64,
        user_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// VIOL-1: whether the parents' consent to the current version is there for a pupil.
    async fn consent_of(&self, school_id: i64, pupil_id: i64) -> Result<ConsentState, sqlx::Error>;
    /// VIOL-1: a guardian's consent given online, with the name they typed. False, with
    /// nothing written, when `version_id` is not the school's current version.
    async fn record_online_consent(
        &self,
        school_id: i64,
        pupil_id: i64,
        version_id: i64,
        signed_name: &str,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// Issue 18 §7: the school's own short version, if it wrote one.
    async fn summary(&self, school_id: i64) -> Result<Option<String>, sqlx::Error>;
    /// Replaces the short version (`None`: back to the shipped one). No version, no acceptance.
    async fn set_summary(
        &self,
        school_id: i64,
        summary: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the user policy, as the composition root registered it.
    pub fn policy(&self) -> &dyn PolicyStore {
        self.stores.get::<dyn PolicyStore>()
    }
}

inherent_both! {
    /// Adds the next version inside the caller's transaction.
    pub(crate) async fn insert_policy_version(&self, tx: &mut Tx<Self>, school_id: i64, body: &str, effective_date: &str)
        -> Result<i64, sqlx::Error> {
        let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM policy_versions WHERE school_id = $1")
            .bind(school_id)
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO policy_versions (school_id, version, effective_date, body, published_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(school_id)
        .bind(version)
        .bind(effective_date)
        .bind(body)
        .bind(crate::platform::now())
        .execute(&mut **tx)
        .await?;
        Ok(version)
    }
}

const CURRENT: &str = "SELECT id, version, effective_date, body FROM policy_versions
     WHERE school_id = $1 ORDER BY version DESC LIMIT 1";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    version: i64,
    effective_date: String,
    body: String,
}

impl_both!(PolicyStore {
    async fn current_policy(&self, school_id: i64) -> Result<Option<PolicyText>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(CURRENT).bind(school_id).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| PolicyText { id: r.id, version: r.version, effective_date: r.effective_date, body: r.body, summary: String::new() }))
    }

    async fn accept_policy(&self, school_id: i64, user_id: i64, version_id: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let current: Option<Row> = sqlx::query_as(CURRENT).bind(school_id).fetch_optional(&mut *tx).await?;
        if current.map(|c| c.id) != Some(version_id) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO policy_acceptances (user_id, policy_version_id, accepted_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, policy_version_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(version_id)
        .bind(crate::platform::now())
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, &audit.clone().details(format!("version id {version_id}"))).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn publish_policy(&self, school_id: i64, body: &str, effective_date: &str, audit: &AuditEvent) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let version = self.insert_policy_version(&mut tx, school_id, body, effective_date).await?;
        self.write_audit(&mut tx, &audit.clone().details(format!("version {version}, effective {effective_date}"))).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn consent_of(&self, school_id: i64, pupil_id: i64) -> Result<ConsentState, sqlx::Error> {
        let current: Option<Row> = sqlx::query_as(CURRENT).bind(school_id).fetch_optional(&self.pool).await?;
        let Some(current) = current else { return Ok(ConsentState::default()) };
        let given: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT recorded_at, signed_name FROM parent_consents WHERE user_id = $1 AND policy_version_id = $2",
        )
        .bind(pupil_id)
        .bind(current.id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(ConsentState {
            version_id: Some(current.id),
            version: current.version,
            given_at: given.as_ref().map(|g| g.0),
            online: given.is_some_and(|g| g.1.is_some()),
        })
    }

    async fn record_online_consent(&self, school_id: i64, pupil_id: i64, version_id: i64, signed_name: &str, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let current: Option<Row> = sqlx::query_as(CURRENT).bind(school_id).fetch_optional(&mut *tx).await?;
        if current.map(|c| c.id) != Some(version_id) {
            return Ok(false);
        }
        let recorded = sqlx::query(
            "INSERT INTO parent_consents (user_id, policy_version_id, recorded_by, recorded_at, signed_name)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, policy_version_id) DO NOTHING",
        )
        .bind(pupil_id)
        .bind(version_id)
        .bind(audit.actor_id)
        .bind(crate::platform::now())
        .bind(signed_name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Given once (on paper or by the other household) is given: nothing to audit twice.
        if recorded > 0 {
            self.write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn summary(&self, school_id: i64) -> Result<Option<String>, sqlx::Error> {
        Ok(sqlx::query_scalar::<_, Option<String>>("SELECT policy_summary FROM schools WHERE id = $1")
            .bind(school_id)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }

    async fn set_summary(&self, school_id: i64, summary: Option<&str>, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE schools SET policy_summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(school_id)
            .execute(&mut *tx)
            .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_parent_consent(&self, school_id: i64, user_id: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let current: Option<Row> = sqlx::query_as(CURRENT).bind(school_id).fetch_optional(&mut *tx).await?;
        let Some(current) = current else { return Ok(false) };
        let recorded = sqlx::query(
            "INSERT INTO parent_consents (user_id, policy_version_id, recorded_by, recorded_at)
             SELECT id, $1, $2, $3 FROM users WHERE id = $4 AND school_id = $5
             ON CONFLICT (user_id, policy_version_id) DO NOTHING",
        )
        .bind(current.id)
        .bind(audit.actor_id)
        .bind(crate::platform::now())
        .bind(user_id)
        .bind(school_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let in_school: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND school_id = $2")
            .bind(user_id)
            .bind(school_id)
            .fetch_optional(&mut *tx)
            .await?;
        if in_school.is_none() {
            return Ok(false);
        }
        if recorded > 0 {
            self.write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
});
