//! VIOL-1, LIFE-4: the user policy as versioned text with an effective date. Everyone accepts
//! the current version before doing anything else; for pupils the secretariat also records
//! the parents' signed form.
pub mod views;

#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    audit::AuditEvent,
    auth::{Capability, authenticate_during_setup, school_staff},
    error::ErrorKind,
    i18n::Key,
    platform::{app_state, request_info},
};

/// The policy every new school starts with: the town's Benutzerordnung of 01.08.2020, its rules
/// word for word, with the product named as the school now runs it ("Schulhof" where the town's
/// text says "IServ") and the title's typo "der Schulserversystems" corrected (issue 18).
/// Schools that exist keep the text they have.
pub const DEFAULT_TEXT: &str = include_str!("../../policy/benutzerordnung-2020-08-01.txt");
pub const DEFAULT_EFFECTIVE: &str = "2020-08-01";
/// Issue 18 §7: the short version every school starts with, in `rules::policy`'s format.
pub const DEFAULT_SUMMARY: &str = include_str!("../../policy/kurzfassung.txt");
/// Long enough for any real policy; a limit keeps a mistake from filling the database.
pub const MAX_TEXT_BYTES: usize = 200_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyText {
    pub id: i64,
    pub version: i64,
    /// `YYYY-MM-DD`.
    pub effective_date: String,
    pub body: String,
    /// Issue 18 §7: the short version in children's words (`rules::policy` format): the
    /// school's own, or the shipped one.
    pub summary: String,
}

/// VIOL-1: the parents' consent for one pupil under the current version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    /// The current version's id (`None`: the school has no policy).
    pub version_id: Option<i64>,
    pub version: i64,
    /// When it was given or recorded.
    pub given_at: Option<i64>,
    /// Given online by a guardian (rather than on the paper form).
    pub online: bool,
}

/// `2020-08-01` → `01.08.2020` (German) or `01/08/2020`; `None` unless it is a real date.
pub fn display_date(iso: &str, lang: crate::i18n::Lang) -> Option<String> {
    let mut parts = iso.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let (year, month, day): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let valid = y.len() == 4
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && parts.next().is_none();
    valid.then(|| {
        lang.date_time(year, month, day, 0, 0)
            .split(',')
            .next()
            .unwrap_or_default()
            .to_string()
    })
}

/// The current policy of the caller's school.
#[server(prefix = "/api", endpoint = "policy/current")]
pub async fn current_policy() -> Result<PolicyText, AppError> {
    let user = authenticate_during_setup()?;
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let mut policy = app_state()
        .policy()
        .current_policy(school)
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    policy.summary = app_state()
        .policy()
        .summary(school)
        .await?
        .unwrap_or_else(|| DEFAULT_SUMMARY.to_string());
    Ok(policy)
}

/// Issue 18 §7: management rewrites the short version. It is a reading aid beside the legal
/// text, so nobody is asked to accept again. An empty text restores the shipped one.
#[server(prefix = "/api", endpoint = "policy/summary")]
pub async fn set_policy_summary(summary: String) -> Result<(), AppError> {
    use crate::rules::policy::{MAX_LINE_CHARS, MAX_LINES, SummaryProblem, parse};
    let (user, school) = school_staff(Capability::PolicyPublish)?;
    let summary = summary.trim();
    // Bounded before it is read: the longest text the rule allows, with room for the names.
    if summary.len() > MAX_LINES * (MAX_LINE_CHARS + 20) * 4 {
        return Err(AppError::field("summary", Key::PolicySummaryTooMany));
    }
    let line = |n: usize| n.to_string();
    match parse(summary) {
        Ok(_) => {}
        Err(SummaryProblem::TooManyLines) => {
            return Err(AppError::field("summary", Key::PolicySummaryTooMany));
        }
        Err(SummaryProblem::LineTooLong(n)) => {
            return Err(
                AppError::field("summary", Key::PolicySummaryLineTooLong).with_detail(line(n))
            );
        }
        Err(SummaryProblem::UnknownPictogram(n)) => {
            return Err(
                AppError::field("summary", Key::PolicySummaryPictogram).with_detail(line(n))
            );
        }
    }
    let audit =
        AuditEvent::new("policy.summary_changed", &request_info()).actor(user.id, Some(school));
    app_state()
        .policy()
        .set_summary(school, (!summary.is_empty()).then_some(summary), &audit)
        .await?;
    leptos_axum::redirect("/policy");
    Ok(())
}

/// Accepts the given version, which must be the school's current one.
#[server(prefix = "/api", endpoint = "policy/accept")]
pub async fn accept_policy(version_id: i64) -> Result<(), AppError> {
    let user = authenticate_during_setup()?;
    let school = user
        .school_id
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let audit = AuditEvent::new("policy.accepted", &request_info())
        .actor(user.id, Some(school))
        .subject(user.id);
    if !app_state()
        .policy()
        .accept_policy(school, user.id, version_id, &audit)
        .await?
    {
        return Err(AppError::new(ErrorKind::Conflict, Key::PolicyOutdated));
    }
    let next = if user.must_change_password {
        "/password"
    } else {
        "/"
    };
    leptos_axum::redirect(next);
    Ok(())
}

/// School management publishes a new version; everyone must accept it at their next visit.
#[server(prefix = "/api", endpoint = "policy/publish")]
pub async fn publish_policy(body: String, effective_date: String) -> Result<i64, AppError> {
    let (user, school) = school_staff(Capability::PolicyPublish)?;
    let body = body.trim();
    if body.is_empty() || body.len() > MAX_TEXT_BYTES {
        return Err(AppError::field("body", Key::ErrorRequired));
    }
    if display_date(effective_date.trim(), crate::i18n::Lang::De).is_none() {
        return Err(AppError::field("effective_date", Key::PolicyDateInvalid));
    }
    let audit = AuditEvent::new("policy.published", &request_info()).actor(user.id, Some(school));
    Ok(app_state()
        .policy()
        .publish_policy(school, body, effective_date.trim(), &audit)
        .await?)
}

/// VIOL-1: the secretariat records that a pupil's parents returned the signed form.
#[server(prefix = "/api", endpoint = "policy/parent-consent")]
pub async fn record_parent_consent(user_id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    crate::users::target_of(
        &user,
        school,
        crate::auth::rights::Act::ParentConsent,
        user_id,
    )
    .await?;
    let audit = AuditEvent::new("policy.parent_consent_recorded", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id);
    if !app_state()
        .policy()
        .record_parent_consent(school, user_id, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn life_4_the_default_policy_is_the_towns_text_of_2020() {
        assert!(DEFAULT_TEXT.starts_with("Benutzerordnung"));
        assert!(DEFAULT_TEXT.contains("tritt am 01.08.2020 in Kraft"));
        // Issue 18: no other product's name, and the title's grammar mended.
        assert!(!DEFAULT_TEXT.contains("IServ"));
        assert!(DEFAULT_TEXT.starts_with("Benutzerordnung des Schulserversystems „Schulhof“"));
        assert_eq!(
            display_date(DEFAULT_EFFECTIVE, Lang::De).as_deref(),
            Some("01.08.2020")
        );
        assert_eq!(display_date("2020-13-01", Lang::De), None);
        assert_eq!(display_date("morgen", Lang::De), None);
    }
}
