//! Accounts, roles, sign-in and sessions (PW-1..4, ACC-3).
pub mod rights;
pub mod views;

#[cfg(feature = "ssr")]
pub mod current;
#[cfg(feature = "ssr")]
pub mod guessable;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub use ssr::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;

/// ACC-3: the roles a person can have. The operator runs the deployment and belongs to no school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Operator,
    Admin,
    Management,
    Secretariat,
    Teacher,
    Staff,
    Pupil,
    /// PAR-1: a parent or other guardian, linked by the secretariat to their children. Never
    /// staff: holds no capability, and reaches a child only through a link.
    Guardian,
}

/// ACC-3: rights are named capabilities granted to roles. Code asks for a capability with
/// [`require`], never for a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Capability {
    SchoolsManage,
    UsersManage,
    PasswordsIssue,
    AccountsLock,
    LogsReadGrant,
    PolicyPublish,
    /// Changing a person's role is changing their rights.
    RolesManage,
    /// FILE-2, FILE-4, FLT-3: transfer exceptions, quotas and the list of blocked types.
    FilesManage,
    /// FLT-1: the school's additions to the link blocklist.
    FilterManage,
    /// MAIL-3: the school's mass-mail limits and how long the mail trash keeps.
    MailManage,
    /// MAIL-4, MAIL-5: abuse reports, and inspection cases with their notice to the owner.
    MailCases,
    /// CAL-1: writing the school-wide calendar (holidays, parents' evenings).
    CalendarSchool,
    /// CAL-1: whether group members, not only owners, write their groups' calendars.
    CalendarManage,
    /// MAIL-3: writing to every class and team of the school, not only one's own.
    MailAnyGroup,
    /// MAIL-3: the staff row of the mass-mail limits rather than the children's.
    MailStaffLimits,
    /// FILE-4: the staff storage quota rather than the children's.
    FilesStaffQuota,
    /// PAR-1, PAR-2: the guardians' code slips and the links between guardians and pupils.
    /// The secretariat's alone: an administrator who could link an account of their own to a
    /// child would reach that child's absences (ADM-1).
    GuardiansManage,
    /// PAR-1, PAR-3: follows the children one is linked to (the guardian's home, adding a
    /// child with a code). It reaches exactly the linked children ([`Capability::through_links`]).
    ChildrenFollow,
    /// MAIL-3, PAR-3: writing to guardians and reading their messages: staff only. A guardian
    /// writes only to someone who holds it, and only someone who holds it writes to a guardian.
    MailFamilies,
    /// MAIL-3, PAR-3: writing to pupils: their school's staff and pupils, never a guardian
    /// (a family writes to the school, not to other people's children).
    MailPupils,
    /// PAR-3: every family of the school may write to them (the office and the head); other
    /// staff are written to only by the families of their own classes.
    ReachedByFamilies,
    /// LIFE-1, PAR-4: confirming a family's request to end their child's use, which withdraws
    /// the child's account. Management's alone; it grants no other withdrawal.
    EndRequestsConfirm,
    /// ABS-2, ABS-3: the morning list and the term's counts of a class, for the classes one
    /// owns (the class teachers). Administrators hold it only because they create teachers
    /// (SEC-1) and are never group owners, so it reaches no class of theirs (ADM-1).
    ClassAbsences,
    /// ABS-2, ABS-3: every class's lists and counts, the children missing without a report
    /// with their guardians' numbers, the tick when a family was reached, the office's CSV:
    /// the secretariat and management.
    AbsencesSchool,
}

impl Capability {
    /// SEC-1, PAR-1: a capability that reaches nothing but the children a guardian link opens.
    /// Links are made only with codes the secretariat prints, so whoever may link (and issue a
    /// guardian's credentials) reaches through it only children it links itself: holding the
    /// guardian's capability would give it nothing more.
    pub fn through_links(self) -> bool {
        matches!(self, Capability::ChildrenFollow)
    }
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Operator,
        Role::Admin,
        Role::Management,
        Role::Secretariat,
        Role::Teacher,
        Role::Staff,
        Role::Pupil,
        Role::Guardian,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Management => "management",
            Role::Secretariat => "secretariat",
            Role::Teacher => "teacher",
            Role::Staff => "staff",
            Role::Pupil => "pupil",
            Role::Guardian => "guardian",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> Key {
        match self {
            Role::Operator => Key::RoleOperator,
            Role::Admin => Key::RoleAdmin,
            Role::Management => Key::RoleManagement,
            Role::Secretariat => Key::RoleSecretariat,
            Role::Teacher => Key::RoleTeacher,
            Role::Staff => Key::RoleStaff,
            Role::Pupil => Key::RolePupil,
            Role::Guardian => Key::RoleGuardian,
        }
    }

    /// Issue 18: how a person is told apart in lists: a pupil by the class ("2b"), everyone
    /// else by the role, and the class too where they have one ("Lehrkraft · 2b").
    pub fn describe(self, lang: crate::i18n::Lang, class: Option<&str>) -> String {
        match (self, class) {
            (Role::Pupil, Some(class)) => class.to_string(),
            (_, Some(class)) => format!("{} · {class}", lang.t(self.label())),
            (_, None) => lang.t(self.label()).to_string(),
        }
    }

    /// Issue 19: whether the person is a child, for the words and the start page a child gets.
    /// Never a right: rights are capabilities.
    pub fn is_child(self) -> bool {
        self == Role::Pupil
    }

    /// Issue 19: who appears in the school's address book and recipient suggestions: its staff
    /// and its pupils, never the operator, and never guardians (PAR-3: they are shown only to
    /// the staff of their children's classes, by the address book itself).
    pub fn in_directory(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::Management
                | Role::Secretariat
                | Role::Teacher
                | Role::Staff
                | Role::Pupil
        )
    }

    /// MAIL-3, PAR-3: what a sender must hold to write to a person of this role: pupils and
    /// guardians are written to only by those the school trusts with them; staff by anyone
    /// of the school.
    pub fn mail_needs(self) -> Option<Capability> {
        match self {
            Role::Pupil => Some(Capability::MailPupils),
            Role::Guardian => Some(Capability::MailFamilies),
            _ => None,
        }
    }

    /// The SQL list of [`Role::in_directory`] codes that `viewer` is shown, for `u.role IN (…)`:
    /// only people the viewer may write to (PAR-3: a guardian sees the staff, not the pupils).
    pub fn directory_sql(viewer: Role) -> String {
        Role::ALL
            .into_iter()
            .filter(|r| r.in_directory())
            .filter(|r| {
                r.mail_needs()
                    .is_none_or(|needed| viewer.capabilities().contains(&needed))
            })
            .map(|r| format!("'{}'", r.code()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Role::Operator => &[SchoolsManage, UsersManage, PasswordsIssue],
            // Issue 19: what staff do that children do not is a capability each, held by the
            // staff roles below, so that a role added later (parents) falls into no staff
            // branch unless it is given one here.
            Role::Admin => &[
                MailAnyGroup,
                MailFamilies,
                MailPupils,
                MailStaffLimits,
                FilesStaffQuota,
                UsersManage,
                PasswordsIssue,
                AccountsLock,
                RolesManage,
                FilesManage,
                FilterManage,
                MailManage,
                CalendarManage,
                // SEC-1: administrators set up the secretariat, so they must hold every right
                // the secretariat holds, or issuing its credentials would be a promotion.
                CalendarSchool,
                // SEC-1 again, for the teachers they create; owning no group, an
                // administrator reaches no class's absences with it (ADM-1).
                ClassAbsences,
            ],
            Role::Management => &[
                MailAnyGroup,
                MailFamilies,
                MailPupils,
                MailStaffLimits,
                FilesStaffQuota,
                AccountsLock,
                LogsReadGrant,
                PolicyPublish,
                MailCases,
                CalendarSchool,
                ReachedByFamilies,
                EndRequestsConfirm,
                ClassAbsences,
                AbsencesSchool,
            ],
            Role::Secretariat => &[
                MailAnyGroup,
                MailFamilies,
                MailPupils,
                MailStaffLimits,
                FilesStaffQuota,
                UsersManage,
                PasswordsIssue,
                AccountsLock,
                CalendarSchool,
                GuardiansManage,
                ReachedByFamilies,
                ClassAbsences,
                AbsencesSchool,
            ],
            Role::Teacher | Role::Staff => &[
                MailAnyGroup,
                MailFamilies,
                MailPupils,
                MailStaffLimits,
                FilesStaffQuota,
                ClassAbsences,
            ],
            Role::Pupil => &[MailPupils],
            // PAR-1: what a guardian sees comes from their links alone.
            Role::Guardian => &[ChildrenFollow],
        }
    }
}

/// The signed-in person as every request sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub must_change_password: bool,
    /// VIOL-1: the school's current policy still waits for this user's acceptance.
    pub policy_pending: bool,
}

impl SessionUser {
    /// Where a newly signed-in user must go before anything else: first the policy, then
    /// their own password. `None` once both are done.
    pub fn next_step(&self) -> Option<&'static str> {
        if self.policy_pending {
            Some("/policy")
        } else if self.must_change_password {
            Some("/password")
        } else {
            None
        }
    }

    /// The school the person belongs to; the operator has none and is refused.
    pub fn school(&self) -> Result<i64, AppError> {
        self.school_id
            .ok_or_else(|| AppError::kind(ErrorKind::Forbidden))
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.role.capabilities().contains(&capability)
    }
}

/// Step 2 for school work: the caller holds `capability` and belongs to a school, whose id
/// every store call that follows is scoped to (ACC-1).
pub fn require_in_school(user: &SessionUser, capability: Capability) -> Result<i64, AppError> {
    require(user, capability)?;
    user.school()
}

/// Step 2 of every server function: the one authorisation check.
pub fn require(user: &SessionUser, capability: Capability) -> Result<(), AppError> {
    if user.can(capability) {
        Ok(())
    } else {
        Err(AppError::kind(ErrorKind::Forbidden))
    }
}

/// SEC-1: step 2 for an act on another person's account, once the target's role is known:
/// the one question to the rights table, answered 403 with the table's verdict.
/// The refusal names the person (`name`), so a request about a whole class says whom.
pub fn require_over(user: &SessionUser, act: rights::Act, target: &Target) -> Result<(), AppError> {
    if target.id == user.id {
        return Err(AppError::new(ErrorKind::Conflict, Key::UsersNotYourself));
    }
    if rights::may(user.role, act, target.role) {
        Ok(())
    } else {
        Err(AppError::new(ErrorKind::Forbidden, Key::RightsNotForRole)
            .with_detail(target.name.clone()))
    }
}

/// The person an act is aimed at, as the rights check needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub role: Role,
    /// First and last name, for the refusal.
    pub name: String,
}

/// PW-3: signs in with a login name and password. Unknown names and wrong passwords get the
/// same answer after the same amount of work.
#[server(prefix = "/api", endpoint = "auth/login")]
pub async fn login(login: String, password: String) -> Result<(), AppError> {
    let result = match (required("login", &login), required("password", &password)) {
        (Err(e), _) | (_, Err(e)) => Err(e),
        _ => session::sign_in(&app_state(), &request_info(), &login, Secret::new(password)).await,
    };
    if result.is_err() {
        keep_login(&login);
    }
    result
}

/// Ends the current session only.
#[server(prefix = "/api", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let user = authenticate_during_setup()?;
    session::sign_out(&app_state(), &request_info(), &user).await
}

/// PW-1, PW-2: every user chooses their own password; nobody can set another's.
/// In a session opened with a start password, `current` may be empty: the child typed the
/// slip's password a moment ago, and asking again only loses children on the way.
#[server(prefix = "/api", endpoint = "auth/password")]
pub async fn change_password(current: String, new: String, repeat: String) -> Result<(), AppError> {
    let user = authenticate_during_setup()?;
    if user.policy_pending {
        return Err(AppError::new(ErrorKind::Forbidden, Key::ErrorSetupFirst));
    }
    let ask_current = !user.must_change_password || !current.is_empty();
    if ask_current {
        required("current", &current)?;
    }
    rules::password::check(&new).map_err(|message| AppError::field("new", message))?;
    if new != repeat {
        return Err(AppError::field("repeat", Key::PasswordMismatch));
    }
    guessable::check(&new, &user).map_err(|message| AppError::field("new", message))?;
    if new == current {
        return Err(AppError::field("new", Key::PasswordSame));
    }
    let state = app_state();
    let request = request_info();
    if ask_current {
        // SEC-2: checking the current password is a guess like a sign-in: throttled and
        // audited, keyed by the account.
        let keys = throttle::keys(&user.login, &request.ip);
        session::throttle_gate(&state, &keys, &user.login).await?;
        let stored = state.accounts().password_hash(user.id).await?;
        if !passwords::verify(Secret::new(current), stored).await? {
            let event = AuditEvent::new("auth.password_check_failed", &request)
                .actor(user.id, user.school_id)
                .subject(user.id);
            state.audit().record(&event).await?;
            return Err(AppError::field("current", Key::PasswordCurrentWrong));
        }
        state.throttle().refund(&keys).await?;
    }
    let hash = passwords::hash(Secret::new(new)).await?;
    let keep = request
        .session_token
        .as_deref()
        .map(crate::platform::secret::sha256_hex);
    let audit = AuditEvent::new("auth.password_changed", &request)
        .actor(user.id, user.school_id)
        .subject(user.id);
    state
        .accounts()
        .set_password(user.id, &hash, keep.as_deref(), &audit)
        .await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// PW-1, issue 18: the checklist's line "not easy to guess", asked while the person types
/// (debounced), so that the lists behind it stay on the server and the checklist is all green
/// exactly when the server would take the password.
#[server(prefix = "/api", endpoint = "auth/password-check")]
pub async fn password_check(new: String) -> Result<bool, AppError> {
    let user = authenticate_during_setup()?;
    // SEC-3: nothing longer than the rule allows is looked at.
    Ok(rules::password::check(&new).is_ok() && guessable::check(&new, &user).is_ok())
}

/// PW-2, SEC-1: when and by whom a start password was issued: its owner sees it on the
/// password page, so a reset nobody asked for does not go unnoticed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetOrigin {
    pub issued_at: i64,
    /// `None` when the issuer's account is gone (or it came from the command line).
    pub by: Option<String>,
}

/// The origin of the caller's start password, while they still have one.
#[server(prefix = "/api", endpoint = "auth/start-password-origin")]
pub async fn start_password_origin() -> Result<Option<ResetOrigin>, AppError> {
    let user = authenticate_during_setup()?;
    if !user.must_change_password {
        return Ok(None);
    }
    Ok(app_state()
        .accounts()
        .start_password_origin(user.id)
        .await?)
}

/// Remembers the visitor's language in a cookie and returns to the page they were on.
#[server(prefix = "/api", endpoint = "ui/language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    let lang = crate::i18n::Lang::from_code(&lang);
    let secure = app_state().config.secure_cookies();
    session::set_cookie(&format!(
        "{}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
        crate::i18n::LANG_COOKIE,
        lang.code(),
        if secure { "; Secure" } else { "" }
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // ACC-3: capabilities, not role names, decide; pupils get none of the admin rights.
    #[test]
    fn acc_3_rights_come_from_capabilities() {
        let user = |role| SessionUser {
            id: 1,
            login: "x".into(),
            first_name: "X".into(),
            last_name: "Y".into(),
            role,
            school_id: Some(1),
            school_name: None,
            must_change_password: false,
            policy_pending: false,
        };
        assert!(require(&user(Role::Secretariat), Capability::PasswordsIssue).is_ok());
        assert_eq!(
            require(&user(Role::Pupil), Capability::PasswordsIssue)
                .unwrap_err()
                .kind,
            ErrorKind::Forbidden
        );
        assert!(
            require(&user(Role::Admin), Capability::LogsReadGrant).is_err(),
            "LOG-2"
        );
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
    }

    // Issue 19: "not a pupil" is never "staff": each staff branch is a capability, held by the
    // staff roles and by nobody else, so a new role (guardians) falls into none of them.
    #[test]
    fn staff_branches_are_capabilities_of_staff_only() {
        let staff = [
            Role::Admin,
            Role::Management,
            Role::Secretariat,
            Role::Teacher,
            Role::Staff,
        ];
        for cap in [
            Capability::MailAnyGroup,
            Capability::MailStaffLimits,
            Capability::FilesStaffQuota,
            Capability::MailFamilies,
        ] {
            let holders: Vec<Role> = Role::ALL
                .into_iter()
                .filter(|r| r.capabilities().contains(&cap))
                .collect();
            assert_eq!(holders, staff, "{cap:?}");
        }
        assert!(Role::Pupil.is_child() && !Role::Teacher.is_child());
        assert!(!Role::Operator.in_directory());
        // PAR-1, PAR-3: a guardian is no child, no staff, follows only their own children and
        // is in no one's directory.
        assert!(!Role::Guardian.is_child() && !Role::Guardian.in_directory());
        assert_eq!(Role::Guardian.capabilities(), &[Capability::ChildrenFollow]);
        for viewer in [Role::Teacher, Role::Pupil] {
            assert_eq!(
                Role::directory_sql(viewer),
                "'admin', 'management', 'secretariat', 'teacher', 'staff', 'pupil'"
            );
        }
        assert_eq!(
            Role::directory_sql(Role::Guardian),
            "'admin', 'management', 'secretariat', 'teacher', 'staff'",
            "PAR-3"
        );
    }

    // Issue 18: people in lists are told apart by class (pupils) or role and class (staff).
    #[test]
    fn ux_3_people_are_described_by_role_and_class() {
        use crate::i18n::Lang;
        assert_eq!(Role::Pupil.describe(Lang::De, Some("2b")), "2b");
        assert_eq!(
            Role::Teacher.describe(Lang::De, Some("2b")),
            "Lehrkraft · 2b"
        );
        assert_eq!(Role::Secretariat.describe(Lang::En, None), "School office");
    }
}
