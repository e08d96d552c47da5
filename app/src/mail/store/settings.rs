//! A school's mail settings and the operator's switch for mail between schools.
use super::*;

#[async_trait::async_trait]
pub trait MailSettingsStore: Send + Sync {
    async fn settings(&self, school_id: i64) -> Result<MailSettings, sqlx::Error>;
    async fn set_settings(
        &self,
        school_id: i64,
        settings: &MailSettings,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
    async fn between_schools(&self) -> Result<bool, sqlx::Error>;
    async fn set_between_schools(
        &self,
        allowed: bool,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error>;
}

impl crate::platform::AppState {
    /// A school's mail settings and the operator's switch for mail between schools, as the composition root registered it.
    pub fn mail_settings(&self) -> &dyn MailSettingsStore {
        self.stores.get::<dyn MailSettingsStore>()
    }
}

impl_both!(MailSettingsStore {
    async fn settings(&self, school_id: i64) -> Result<MailSettings, sqlx::Error> {
        let row: Option<(i64, i64, i64, i64, bool, i64, i64, i64)> = sqlx::query_as(
            "SELECT mail_pupil_recipients, mail_pupil_per_hour, mail_staff_recipients, mail_staff_per_hour,
                    mail_pupils_to_class, mail_trash_days, mail_guardian_recipients, mail_guardian_per_hour
             FROM schools WHERE id = $1",
        )
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        let between_schools = self.between_schools().await?;
        Ok(match row {
            Some((pr, ph, sr, sh, to_class, trash, gr, gh)) => MailSettings {
                pupil_recipients: pr,
                pupil_per_hour: ph,
                staff_recipients: sr,
                staff_per_hour: sh,
                guardian_recipients: gr,
                guardian_per_hour: gh,
                pupils_to_class: to_class,
                trash_days: trash,
                between_schools,
            },
            None => MailSettings::default(),
        })
    }

    async fn set_settings(&self, school_id: i64, s: &MailSettings, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE schools SET mail_pupil_recipients = $2, mail_pupil_per_hour = $3, mail_staff_recipients = $4,
                 mail_staff_per_hour = $5, mail_pupils_to_class = $6, mail_trash_days = $7,
                 mail_guardian_recipients = $8, mail_guardian_per_hour = $9 WHERE id = $1",
        )
        .bind(school_id)
        .bind(s.pupil_recipients)
        .bind(s.pupil_per_hour)
        .bind(s.staff_recipients)
        .bind(s.staff_per_hour)
        .bind(s.pupils_to_class)
        .bind(s.trash_days)
        .bind(s.guardian_recipients)
        .bind(s.guardian_per_hour)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn between_schools(&self) -> Result<bool, sqlx::Error> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM deployment_settings WHERE name = 'mail_between_schools'")
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.as_deref() == Some("true"))
    }

    async fn set_between_schools(&self, allowed: bool, audit: &AuditEvent) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO deployment_settings (name, value) VALUES ('mail_between_schools', $1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(if allowed { "true" } else { "false" })
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await
    }
});
