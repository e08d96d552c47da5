//! MAIL-3: the school's mail settings (the mass-mail limits, mail between schools).
// A server function takes its form's fields one by one, so the settings form posts to it.
#![allow(clippy::too_many_arguments)]

use super::*;

#[server(prefix = "/api", endpoint = "mail/settings")]
pub async fn mail_rules() -> Result<MailSettings, AppError> {
    let (_, school) = school_staff(Capability::MailManage)?;
    Ok(app_state().mail_settings().settings(school).await?)
}

/// MAIL-3: the school's limits. `pupils_to_class` is "yes" or "no". The guardians' row came
/// later (PAR-3): a call without it keeps the school's current values, so scripts written
/// before it keep working.
#[server(prefix = "/api", endpoint = "mail/set-settings")]
pub async fn set_mail_settings(
    pupil_recipients: i64,
    pupil_per_hour: i64,
    staff_recipients: i64,
    staff_per_hour: i64,
    pupils_to_class: String,
    trash_days: i64,
    #[server(default)] guardian_recipients: Option<i64>,
    #[server(default)] guardian_per_hour: Option<i64>,
) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::MailManage)?;
    let state = app_state();
    let current = state.mail_settings().settings(school).await?;
    let guardian_recipients = guardian_recipients.unwrap_or(current.guardian_recipients);
    let guardian_per_hour = guardian_per_hour.unwrap_or(current.guardian_per_hour);
    for (field, value) in [
        ("pupil_recipients", pupil_recipients),
        ("pupil_per_hour", pupil_per_hour),
        ("staff_recipients", staff_recipients),
        ("staff_per_hour", staff_per_hour),
        ("guardian_recipients", guardian_recipients),
        ("guardian_per_hour", guardian_per_hour),
    ] {
        if !(1..=10_000).contains(&value) {
            return Err(AppError::field(field, Key::MailLimitRange));
        }
    }
    if !(1..=3650).contains(&trash_days) {
        return Err(AppError::field("trash_days", Key::MailLimitRange));
    }
    // The form offers "yes" and "no"; anything else is not a choice it made.
    if !matches!(pupils_to_class.as_str(), "yes" | "no") {
        return Err(AppError::field("pupils_to_class", Key::ErrorBadInput));
    }
    let settings = MailSettings {
        pupil_recipients,
        pupil_per_hour,
        staff_recipients,
        staff_per_hour,
        guardian_recipients,
        guardian_per_hour,
        pupils_to_class: pupils_to_class == "yes",
        trash_days,
        between_schools: false,
    };
    let audit = AuditEvent::new("mail.settings_changed", &request_info())
        .actor(user.id, Some(school))
        .details(format!(
            "pupils {pupil_recipients}/{pupil_per_hour}, staff {staff_recipients}/{staff_per_hour}, guardians {guardian_recipients}/{guardian_per_hour}, class {}, trash {trash_days} days",
            settings.pupils_to_class
        ));
    state
        .mail_settings()
        .set_settings(school, &settings, &audit)
        .await?;
    Ok(())
}

/// MAIL-2: the operator decides whether mail may go between the deployment's schools.
#[server(prefix = "/api", endpoint = "mail/set-between-schools")]
pub async fn set_between_schools(allowed: String) -> Result<(), AppError> {
    let user = authenticate()?;
    crate::auth::require(&user, Capability::SchoolsManage)?;
    let allowed = allowed == "yes";
    let audit = AuditEvent::new("mail.between_schools", &request_info())
        .actor(user.id, None)
        .details(allowed.to_string());
    app_state()
        .mail_settings()
        .set_between_schools(allowed, &audit)
        .await?;
    Ok(())
}
