//! The school's people, as the secretariat and administrators manage them (ACC-2, VIOL-2,
//! PW-2). Nothing here shows any user's content (ADM-1): only directory fields and status.
pub mod views;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod rights_report;
#[cfg(feature = "ssr")]
pub mod slips;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::AppError;

/// One row of the users table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub class: Option<String>,
    pub locked: bool,
    pub must_change_password: bool,
    pub leaving_date: Option<String>,
    /// PW-2: when the last start password was issued; the password itself is never shown again.
    pub start_password_issued_at: Option<i64>,
    /// VIOL-1: the parents' signed form for the current policy has come back.
    pub parent_consent: bool,
    /// VIOL-1, PAR-4: that consent was given online by a guardian, not on paper.
    pub parent_consent_online: bool,
    /// `active`, `locked`, `withdrawn` (LIFE-1) or `left` (LIFE-2).
    pub status: String,
    /// LIFE-3: when the account will be deleted for good, if it is scheduled.
    pub deletion_due_at: Option<i64>,
    /// Issue 18: whether the person can sign in at all (a start password or their own); a
    /// person imported but never given a slip is "noch nicht angemeldet", not "aktiv".
    pub has_password: bool,
    /// VIOL-2: why the account was locked (or withdrawn), shown on the person's page.
    pub status_reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub rows: Vec<UserSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Columns the table can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortBy {
    #[default]
    Name,
    Login,
    Class,
    Role,
}

impl SortBy {
    pub fn from_code(code: &str) -> SortBy {
        match code {
            "login" => SortBy::Login,
            "class" => SortBy::Class,
            "role" => SortBy::Role,
            _ => SortBy::Name,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Login => "login",
            SortBy::Class => "class",
            SortBy::Role => "role",
        }
    }
}

pub const PER_PAGE: i64 = 50;
/// The longest reason a lock or unlock may carry.
pub const MAX_REASON_CHARS: usize = 500;

/// ADM-2: the school's users, searchable, sortable and paged; fast at 5,000 users.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users(query: String, sort: String, page: i64) -> Result<UserList, AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let page = page.max(1);
    let query: String = query.trim().chars().take(100).collect();
    // SEC-1, PAR-1: the rows the rights table lets the caller view (guardians: the secretariat).
    let visible = rights::targets(user.role, Act::View);
    let (rows, total) = app_state()
        .user_admin()
        .list_users(
            school,
            &visible,
            &query,
            SortBy::from_code(&sort),
            (page - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?;
    Ok(UserList {
        rows,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// ACC-2: a new person; the login comes from the name. Returns the login.
#[server(prefix = "/api", endpoint = "users/create")]
pub async fn create_user(
    first_name: String,
    last_name: String,
    role: String,
    class: String,
) -> Result<String, AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let mut error = AppError::kind(ErrorKind::BadInput);
    if !rules::login::valid_name(&first_name) {
        error = error.with_field("first_name", Key::ErrorRequired);
    }
    if !rules::login::valid_name(&last_name) {
        error = error.with_field("last_name", Key::ErrorRequired);
    }
    let role = Role::from_code(&role).filter(|r| *r != Role::Operator);
    match role {
        None => error = error.with_field("role", Key::ErrorBadInput),
        // SEC-1: an account above the caller's sphere is refused as a whole, not as a field.
        Some(role) if !rights::may(user.role, Act::Create, role) => {
            return Err(AppError::new(ErrorKind::Forbidden, Key::RightsRoleNotYours)
                .with_field("role", Key::RightsRoleNotYours));
        }
        Some(_) => {}
    }
    let class = match class.trim() {
        "" => None,
        name => rules::class::parse(name).or_else(|| {
            error = error.clone().with_field("class", Key::UsersClassInvalid);
            None
        }),
    };
    if rules::login::base_login(&first_name, &last_name).is_none() && error.fields.is_empty() {
        error = error.with_field("first_name", Key::UsersNameUnwritable);
    }
    if !error.fields.is_empty() {
        return Err(error);
    }
    let audit = AuditEvent::new("user.created", &request_info()).actor(user.id, Some(school));
    let new = store::NewPerson {
        school_id: school,
        first_name: first_name.trim(),
        last_name: last_name.trim(),
        role: role.unwrap_or(Role::Pupil),
        class,
        leaving_date: None,
    };
    let (_, login) = app_state().user_admin().create_person(&new, &audit).await?;
    Ok(login)
}

/// VIOL-2: locks an account with a reason. The user is signed out everywhere at once.
#[server(prefix = "/api", endpoint = "users/lock")]
pub async fn lock_user(user_id: i64, reason: String) -> Result<(), AppError> {
    set_locked(user_id, reason, true).await
}

/// VIOL-2: unlocking needs a reason too.
#[server(prefix = "/api", endpoint = "users/unlock")]
pub async fn unlock_user(user_id: i64, reason: String) -> Result<(), AppError> {
    set_locked(user_id, reason, false).await
}

/// One valid line of a class list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub first_name: String,
    pub last_name: String,
    pub class: String,
    pub leaving_date: Option<String>,
    /// Issue 18 §6: the school office's pupil ID, when the file has such a column. Re-imports
    /// match people by it, so two children with one name stay two people.
    pub import_id: Option<String>,
    /// Issue 18 §6: a birth date, when the file has one; it tells namesakes apart.
    pub birth_date: Option<String>,
}

/// A line that cannot be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLineError {
    pub line: u64,
    pub message: crate::i18n::Key,
    pub text: String,
    /// For a line that repeats another: the line it repeats, so the secretary finds both.
    pub earlier: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    New,
    Changed,
    Unchanged,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportEntry {
    pub row: ImportRow,
    pub change: Change,
    /// The existing pupil this line updates.
    pub user_id: Option<i64>,
    /// For a new person: the login they will get, unless somebody takes it before the apply.
    pub login: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub file_name: String,
    pub entries: Vec<ImportEntry>,
    pub errors: Vec<ImportLineError>,
    pub applied: bool,
    /// Once applied: what the apply did, as it was then (a preview afterwards finds every
    /// line unchanged).
    pub outcome: Option<ImportOutcome>,
}

/// Issue 18 §6: what an applied import did, and where the secretariat goes next.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// The classes that gained children, who need start-password slips.
    pub classes_with_new: Vec<String>,
}

impl ImportReport {
    pub fn count(&self, change: Change) -> usize {
        self.entries.iter().filter(|e| e.change == change).count()
    }
}

/// ACC-4: stores an uploaded class list for preview. Returns its id.
#[server(prefix = "/api", endpoint = "users/import-upload")]
pub async fn import_upload(file_name: String, content: String) -> Result<i64, AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    import::store_upload(
        &app_state(),
        user.id,
        school,
        &file_name,
        content.as_bytes(),
    )
    .await
}

/// ACC-4: what applying the import would do: new, changed, unchanged, and errors per line.
#[server(prefix = "/api", endpoint = "users/import-preview")]
pub async fn import_preview(id: i64) -> Result<ImportReport, AppError> {
    let (_, school) = school_staff(Capability::UsersManage)?;
    import::preview(&app_state(), school, id).await
}

/// ACC-4: applies the whole import in one transaction, or nothing if any line has an error.
#[server(prefix = "/api", endpoint = "users/import-apply")]
pub async fn import_apply(id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let preview = import::preview(&app_state(), school, id).await?;
    if !preview.errors.is_empty() {
        return Err(AppError::new(ErrorKind::BadInput, Key::ImportHasErrors));
    }
    let mut classes_with_new: Vec<String> = preview
        .entries
        .iter()
        .filter(|e| e.change == Change::New)
        .map(|e| e.row.class.clone())
        .collect();
    classes_with_new.sort();
    classes_with_new.dedup();
    let outcome = ImportOutcome {
        new: preview.count(Change::New),
        changed: preview.count(Change::Changed),
        unchanged: preview.count(Change::Unchanged),
        classes_with_new,
    };
    let details = format!(
        "{}: {} new, {} changed, {} unchanged",
        preview.file_name, outcome.new, outcome.changed, outcome.unchanged
    );
    let audit = AuditEvent::new("users.imported", &request_info())
        .actor(user.id, Some(school))
        .details(details);
    if !app_state()
        .user_admin()
        .apply_import(school, id, &preview.entries, &outcome, &audit)
        .await?
    {
        return Err(AppError::new(
            ErrorKind::Conflict,
            Key::ImportAlreadyApplied,
        ));
    }
    // The same page now says what happened and what comes next.
    leptos_axum::redirect(&format!("/admin/import/{id}"));
    Ok(())
}

/// One class in the end-of-year run: where it goes, and how many pupils go with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMove {
    pub from: String,
    /// `None`: the final grade, which leaves the school.
    pub to: Option<String>,
    pub members: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearEndPlan {
    pub moves: Vec<ClassMove>,
    /// The suggested leaving date: the end of this school year, 31 July.
    pub leaving_date: String,
}

/// ACC-4, LIFE-2: what the end-of-year run would do.
#[server(prefix = "/api", endpoint = "users/year-end-preview")]
pub async fn year_end_preview() -> Result<YearEndPlan, AppError> {
    let (_, school) = school_staff(Capability::UsersManage)?;
    let year = crate::rules::date::berlin_time(crate::platform::now()).0;
    Ok(YearEndPlan {
        moves: app_state().user_admin().year_end_plan(school).await?,
        leaving_date: format!("{year}-07-31"),
    })
}

/// ACC-4, LIFE-2: every class moves up one grade; the final grade gets `leaving_date`
/// (`YYYY-MM-DD` or `TT.MM.JJJJ`). The deletion that follows is the leaver lifecycle's job.
#[server(prefix = "/api", endpoint = "users/year-end-apply")]
pub async fn year_end_apply(leaving_date: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let date = rules::date::parse(&leaving_date)
        .ok_or_else(|| AppError::field("leaving_date", Key::ImportDateInvalid))?;
    let audit = AuditEvent::new("users.year_end", &request_info())
        .actor(user.id, Some(school))
        .details(format!("leaving {date}"));
    if !app_state()
        .user_admin()
        .year_end(school, &date, &audit)
        .await?
    {
        return Err(AppError::new(ErrorKind::Conflict, Key::YearEndDone));
    }
    leptos_axum::redirect("/admin/users");
    Ok(())
}

/// One person of the caller's school, for the detail page.
#[server(prefix = "/api", endpoint = "users/detail")]
pub async fn user_detail(user_id: i64) -> Result<UserSummary, AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    let target = target_in_school(school, user_id).await?;
    if !rights::may(user.role, Act::View, target.role) {
        return Err(AppError::kind(ErrorKind::Forbidden));
    }
    app_state()
        .user_admin()
        .user_summary(school, user_id)
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))
}

/// ACC-3: a rights change, for administrators only, never for oneself and never to operator.
#[server(prefix = "/api", endpoint = "users/set-role")]
pub async fn set_role(user_id: i64, role: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::RolesManage)?;
    let role = Role::from_code(&role)
        .filter(|r| *r != Role::Operator)
        .ok_or_else(|| AppError::field("role", Key::ErrorBadInput))?;
    let target = target_of(&user, school, Act::ChangeRole, user_id).await?;
    if !rights::may_change_role(user.role, target.role, role) {
        return Err(
            AppError::new(ErrorKind::Forbidden, Key::RightsNotForRole).with_detail(target.name)
        );
    }
    let audit = AuditEvent::new("user.role_changed", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id)
        .details(role.code());
    if !app_state()
        .user_admin()
        .set_role(school, user_id, target.role, role, &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

/// LIFE-2: the secretariat sets or clears a leaving date (`TT.MM.JJJJ` or `JJJJ-MM-TT`).
#[server(prefix = "/api", endpoint = "users/set-leaving-date")]
pub async fn set_leaving_date(user_id: i64, leaving_date: String) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::UsersManage)?;
    target_of(&user, school, Act::EndAccount, user_id).await?;
    let date = match leaving_date.trim() {
        "" => None,
        text => Some(
            rules::date::parse(text)
                .ok_or_else(|| AppError::field("leaving_date", Key::ImportDateInvalid))?,
        ),
    };
    let audit = AuditEvent::new("user.leaving_date_set", &request_info())
        .actor(user.id, Some(school))
        .subject(user_id)
        .details(date.clone().unwrap_or_default());
    if !app_state()
        .user_admin()
        .set_leaving_date(school, user_id, date.as_deref(), &audit)
        .await?
    {
        return Err(AppError::kind(ErrorKind::NotFound));
    }
    Ok(())
}

/// One printed slip: everything a child needs for the first login (PW-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slip {
    pub school: String,
    pub first_name: String,
    pub last_name: String,
    pub class: Option<String>,
    pub login: String,
    pub start_password: String,
    pub expires_at: i64,
    pub login_url: String,
}

/// PW-2: issues start passwords for users of the caller's school, returned once, for printing.
#[server(prefix = "/api", endpoint = "users/start-passwords")]
pub async fn issue_start_passwords(user_ids: Vec<i64>) -> Result<Vec<Slip>, AppError> {
    let (user, school) = school_staff(Capability::PasswordsIssue)?;
    slips::issue(&app_state(), &request_info(), &user, school, &user_ids).await
}
