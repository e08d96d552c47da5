//! Parents and other guardians (PAR-1, PAR-2, PAR-3): their own accounts, linked by the
//! secretariat to their children through code slips, and their home page. The policy's older
//! model, parents co-using the child's account, keeps working beside it.
//!
//! Who may do what: the secretariat prints codes and removes links (`GuardiansManage`, and the
//! rights table's `LinkGuardian` on the pupil); a guardian follows exactly their linked
//! children (`ChildrenFollow`). The links are read on every request, never cached, so a link
//! removed is gone at the guardian's next click.
pub mod views;

#[cfg(feature = "ssr")]
pub mod codes;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
use ssr::*;
#[cfg(feature = "ssr")]
pub use ssr::{code_hash, own_child};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A child a guardian is linked to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub pupil_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub class: Option<String>,
    pub class_id: Option<i64>,
}

/// A pupil's guardian, as the secretariat sees them on the pupil's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub locked: bool,
    pub linked_at: i64,
    /// PAR-3: the parent representative of the pupil's class.
    pub representative: bool,
}

/// A code redeemed into a new account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redeemed {
    pub guardian_id: i64,
    pub login: String,
}

/// One child on the guardian's home page, with what is coming up for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildHome {
    pub child: Child,
    /// The next events of the child's class calendar and the school calendar.
    pub upcoming: Vec<crate::calendar::Occurrence>,
    /// VIOL-1: whether the parents' consent to the current policy is there.
    pub consent: crate::policy::ConsentState,
    /// LIFE-1: when the open request to end the child's use was made, if there is one.
    pub end_requested: Option<i64>,
    /// ABS-1: the family's absence reports from a week back on.
    pub absences: Vec<crate::absences::FamilyReport>,
}

/// SEC-3: how many children one guardian's home shows (a family, not a class).
pub const MAX_CHILDREN_SHOWN: usize = 12;

/// PAR-3: the guardian's home: each linked child with the next events of their class and of
/// the school. Empty for anyone without links.
#[server(prefix = "/api", endpoint = "guardians/home")]
pub async fn home() -> Result<Vec<ChildHome>, AppError> {
    let user = authenticate()?;
    let school = require_in_school(&user, Capability::ChildrenFollow)?;
    let state = app_state();
    let mut out = Vec::new();
    for child in state
        .guardians()
        .children(user.id)
        .await?
        .into_iter()
        .take(MAX_CHILDREN_SHOWN)
    {
        let upcoming = crate::calendar::upcoming_for_class(&state, &user, child.class_id).await?;
        let consent = state.policy().consent_of(school, child.pupil_id).await?;
        let end_requested = state.lifecycle().open_end_request(child.pupil_id).await?;
        let absences = crate::absences::reports_of_child(&state, school, child.pupil_id).await?;
        out.push(ChildHome {
            child,
            upcoming,
            consent,
            end_requested,
            absences,
        });
    }
    Ok(out)
}

/// PAR-1: a pupil's guardians, on the pupil's page, for the secretariat.
#[server(prefix = "/api", endpoint = "guardians/of-pupil")]
pub async fn guardians_of(pupil_id: i64) -> Result<Vec<Guardian>, AppError> {
    let (user, school) = school_staff(Capability::GuardiansManage)?;
    crate::users::target_of(&user, school, Act::LinkGuardian, pupil_id).await?;
    Ok(app_state()
        .guardians()
        .guardians_of(school, pupil_id)
        .await?)
}

/// PAR-1: removes a guardian's link to a pupil, with a reason (custody changes, a court
/// order), at once. A guardian left with no child is locked.
#[server(prefix = "/api", endpoint = "guardians/unlink")]
pub async fn unlink(pupil_id: i64, guardian_id: i64, reason: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::GuardiansManage)?;
    let pupil = crate::users::target_of(&user, school, Act::LinkGuardian, pupil_id).await?;
    let reason = crate::users::reason(&reason)?;
    let state = app_state();
    let audit = AuditEvent::new("guardian.unlinked", &request_info())
        .actor(user.id, Some(school))
        .subject(guardian_id)
        .details(format!("{}: {reason}", pupil.name));
    state
        .guardians()
        .unlink(school, guardian_id, pupil_id, &audit)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(())
}

/// PAR-3: marks a guardian of the pupil as parent representative of the pupil's class, or
/// ends the mark (`representative` is "yes" or "no"). The representative may write to the
/// class's parents' address as its staff do.
#[server(prefix = "/api", endpoint = "guardians/representative")]
pub async fn set_representative(
    pupil_id: i64,
    guardian_id: i64,
    representative: String,
) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::GuardiansManage)?;
    let pupil = crate::users::target_of(&user, school, Act::LinkGuardian, pupil_id).await?;
    AppError::one_of("representative", &representative, &["yes", "no"])?;
    let on = representative == "yes";
    let audit = AuditEvent::new(
        if on {
            "guardian.representative"
        } else {
            "guardian.representative_ended"
        },
        &request_info(),
    )
    .actor(user.id, Some(school))
    .subject(guardian_id)
    .details(pupil.name.clone());
    if !app_state()
        .guardians()
        .set_representative(school, pupil_id, guardian_id, on, &audit)
        .await?
    {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// VIOL-1, PAR-4: a guardian gives the policy consent for their child on the phone: the exact
/// version they were shown, their name typed as the signature, audited. The paper form stays
/// possible; given once (by either household, either way) is given.
#[server(prefix = "/api", endpoint = "guardians/consent")]
pub async fn give_consent(
    pupil_id: i64,
    version_id: i64,
    signed_name: String,
    #[server(default)] agree: Option<String>,
) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = require_in_school(&user, Capability::ChildrenFollow)?;
    let state = app_state();
    own_child(&state, &user, pupil_id).await?;
    if agree.as_deref() != Some("on") {
        return Err(AppError::field("agree", Key::GuardiansConsentAgree));
    }
    let signed = signature(&user, &signed_name)?;
    let audit = AuditEvent::new("policy.parent_consent_online", &request_info())
        .actor(user.id, Some(school))
        .subject(pupil_id)
        .details(format!("version id {version_id}, signed \"{signed}\""));
    if !state
        .policy()
        .record_online_consent(school, pupil_id, version_id, &signed, &audit)
        .await?
    {
        // A new version came out while the page was open: it has to be read first.
        return Err(AppError::new(
            crate::error::ErrorKind::Conflict,
            Key::GuardiansConsentOutdated,
        ));
    }
    leptos_axum::redirect(&format!("/#child-{pupil_id}"));
    Ok(())
}

/// LIFE-1, PAR-4: "nach entsprechender Mitteilung der Eltern": a guardian asks for their
/// child's account to end. Management confirms it, which starts the withdrawal; a request
/// already open is left as it is.
#[server(prefix = "/api", endpoint = "guardians/end-request")]
pub async fn request_end(pupil_id: i64, note: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = require_in_school(&user, Capability::ChildrenFollow)?;
    let state = app_state();
    own_child(&state, &user, pupil_id).await?;
    let note = note.trim();
    if !rules::guardian::valid_note(note) {
        return Err(AppError::field("note", Key::ErrorBadInput));
    }
    let audit = AuditEvent::new("lifecycle.end_requested", &request_info())
        .actor(user.id, Some(school))
        .subject(pupil_id);
    state
        .lifecycle()
        .request_end(
            school,
            pupil_id,
            user.id,
            note,
            crate::platform::now(),
            &audit,
        )
        .await?;
    leptos_axum::redirect(&format!("/#child-{pupil_id}"));
    Ok(())
}

/// PAR-2: a parent registers with the code from the slip: their name and a password of their
/// own, and is signed in with the link in place. The policy comes next, as for everyone
/// (VIOL-1). No e-mail address is asked for: a forgotten password is reset in person.
#[server(prefix = "/api", endpoint = "guardians/register")]
pub async fn register(
    code: String,
    first_name: String,
    last_name: String,
    password: String,
    repeat: String,
) -> Result<(), AppError> {
    let result = register_guardian(&code, &first_name, &last_name, password, &repeat).await;
    if result.is_err() {
        keep_registration(&code, &first_name, &last_name);
    }
    result
}

/// PAR-2 "Kind hinzufügen": a signed-in guardian adds another child with the next code.
#[server(prefix = "/api", endpoint = "guardians/add-child")]
pub async fn add_child(code: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = require_in_school(&user, Capability::ChildrenFollow)?;
    let state = app_state();
    let request = request_info();
    let valid = redeem(&state, &request, &code).await?;
    if valid.school_id != school {
        // A code of another school is no code here, and says nothing about that school.
        return Err(AppError::field("code", Key::GuardiansCodeWrong));
    }
    let audit = AuditEvent::new("guardian.linked", &request)
        .actor(user.id, Some(school))
        .subject(valid.pupil_id);
    match state
        .guardians()
        .link_by_code(
            valid.id,
            user.id,
            valid.pupil_id,
            crate::platform::now(),
            &audit,
        )
        .await?
    {
        None => return Err(AppError::field("code", Key::GuardiansCodeUsed)),
        Some(false) => return Err(AppError::field("code", Key::GuardiansAlreadyLinked)),
        Some(true) => {}
    }
    leptos_axum::redirect("/");
    Ok(())
}
