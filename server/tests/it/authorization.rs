//! The authorisation matrix: every server function, called anonymously, as the operator and as
//! each of the seven school roles, on its own school's objects and on another school's. Only the
//! allowed combinations succeed; every other call is answered 401/403/404 and changes nothing.
//! Later issues add their endpoints to `cases()`.
//!
//! No row depends on another: what rows aim at (the target's inbox item, a closed and an open
//! inspection case, the operator's reading session, a school event, the target's class) is
//! made before the first row as a `Fixture`, a new policy version is accepted again by every
//! caller right after the call that published it, and the rows run in an order shuffled by a
//! seed that changes every day (`SCHULHOF_MATRIX_SEED` repeats one).
//!
//! Long on purpose: the matrix is one table of every endpoint with its fixtures.

use crate::common::{Browser, TestServer};
use app::auth::{
    Capability, Role,
    rights::{self, Act},
};
use reqwest::StatusCode;

const GOOD: &str = "Blaue#Kuh7";
/// Every role of a school: `Role::ALL` but the operator, who is a caller of their own.
fn school_roles() -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(|r| *r != Role::Operator)
}

/// Who may call an endpoint successfully, on objects of their own school.
enum Allowed {
    /// Any signed-in person, about themselves.
    SignedIn,
    /// Any signed-in member of a school (not the operator).
    SchoolMember,
    /// School members with one of these roles (the capability an endpoint asks for).
    Roles(&'static [Role]),
    /// School members whose role holds this capability, as `Role::capabilities` says.
    Can(Capability),
    /// SEC-1: what the rights table says of the act on the target, a pupil of the school.
    /// `sec_1_role_by_target_role_matrix` (rights.rs) tries every other target role.
    Over(Act),
    /// Only the signed-out (registration): every signed-in caller is refused.
    Anonymous,
    /// No one: the object belongs to somebody else, or does not exist for the caller.
    Nobody,
}

fn roles(roles: &'static [Role]) -> Allowed {
    Allowed::Roles(roles)
}

/// What the rows aim at, made before the first row runs.
#[derive(Clone, Copy)]
struct Fixture {
    /// The pupil the call names (of the caller's school, or of the other school).
    target: i64,
    /// The target's inbox copy of a message: nobody else reads, changes or forwards it.
    item: i64,
    /// The target's class.
    class: i64,
    /// An inspection case on the target's mailbox, still open, for `mail/close-case`.
    open_case: i64,
    /// A closed case: not even its designated reader (the teacher caller) gets in.
    closed_case: i64,
    /// The operator's reading session of the log.
    session: i64,
    /// An event of the school's calendar: everyone reads it.
    event: i64,
    /// The target's mail folder and calendar feed: nobody else deletes or revokes them.
    folder: i64,
    feed: i64,
    /// PAR-1: a guardian linked to the target, whose link only the secretariat removes.
    guardian: i64,
    /// PAR-3: a second guardian of the target, for the parent representative row (the
    /// unlink row may have run before it).
    second_guardian: i64,
    /// VIOL-1, LIFE-1: the guardian caller's own child (linked when the fixture is made).
    own_child: i64,
    /// The school's current policy version, as it is when the row runs.
    policy: i64,
    /// LIFE-1: a family's open request to end a pupil's use (not the target's).
    end_request: i64,
    /// ABS-2: today's "missing without a report" mark on the target, for the office's tick.
    missing_mark: i64,
}

/// PAR-2: the registration code the fixture prints for the target; the guardian caller
/// redeems it (every other caller is refused before the code is looked at).
const FIXTURE_CODE: &str = "HK7M-QP3R-XT9W-4NCD";
/// PAR-2: a second code, for the anonymous caller's registration.
const REGISTER_CODE: &str = "MW4T-7KXC-R9PH-3QDN";

/// One row: an endpoint, who may call it, and the form it is called with.
struct Case {
    endpoint: &'static str,
    allowed: Allowed,
    /// Whether the call names a user; then it is tried on another school's user too.
    targets_user: bool,
    args: fn(&Fixture) -> Vec<(String, String)>,
}

fn case(endpoint: &'static str, allowed: Allowed) -> Case {
    Case {
        endpoint,
        allowed,
        targets_user: false,
        args: |_| Vec::new(),
    }
}

impl Case {
    /// The call names the target user; it is tried on another school's user too.
    fn on_user(mut self) -> Self {
        self.targets_user = true;
        self
    }

    fn form(mut self, args: fn(&Fixture) -> Vec<(String, String)>) -> Self {
        self.args = args;
        self
    }

    /// Whether `role` (`None`: anonymous) may make this call on its own school (`own`).
    fn allows(&self, role: Option<Role>, own: bool) -> bool {
        let Some(role) = role else {
            return matches!(self.allowed, Allowed::Anonymous);
        };
        match &self.allowed {
            Allowed::SignedIn => true,
            Allowed::SchoolMember => role != Role::Operator,
            Allowed::Roles(roles) => roles.contains(&role) && own,
            Allowed::Can(capability) => own && role.capabilities().contains(capability),
            Allowed::Over(Act::ChangeRole) => {
                own && rights::may_change_role(role, Role::Pupil, Role::Pupil)
            }
            Allowed::Over(act) => own && rights::may(role, *act, Role::Pupil),
            Allowed::Anonymous | Allowed::Nobody => false,
        }
    }
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn cases() -> Vec<Case> {
    vec![
        case("users/list", roles(&[Role::Admin, Role::Secretariat])).form(|_| {
            pairs(&[
                ("query", String::new()),
                ("sort", "name".into()),
                ("page", "1".into()),
            ])
        }),
        case("users/create", roles(&[Role::Admin, Role::Secretariat])).form(|_| {
            pairs(&[
                ("first_name", "Neu".into()),
                ("last_name", "Kind".into()),
                ("role", "pupil".into()),
                ("class", "1a".into()),
            ])
        }),
        case("users/lock", Allowed::Over(Act::Lock))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("user_id", f.target.to_string()),
                    ("reason", "Prüfung".into()),
                ])
            }),
        case("users/unlock", Allowed::Over(Act::Lock))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("user_id", f.target.to_string()),
                    ("reason", "Prüfung".into()),
                ])
            }),
        case(
            "users/start-passwords",
            Allowed::Over(Act::IssueCredentials),
        )
        .on_user()
        .form(|f| pairs(&[("user_ids[0]", f.target.to_string())])),
        case("schools/list", roles(&[Role::Operator])),
        case("schools/create", roles(&[Role::Operator])).form(|_| {
            pairs(&[
                ("name", "Neue Schule".into()),
                (
                    "mail_domain",
                    format!("neu{}.example", app::platform::secret::random_hex(3)),
                ),
            ])
        }),
        case("groups/list", roles(&[Role::Admin, Role::Secretariat]))
            .form(|_| pairs(&[("query", String::new())])),
        case(
            "groups/create-team",
            roles(&[Role::Admin, Role::Secretariat]),
        )
        .form(|_| {
            pairs(&[(
                "name",
                format!("Team {}", app::platform::secret::random_hex(3)),
            )])
        }),
        case("users/detail", Allowed::Over(Act::View))
            .on_user()
            .form(|f| pairs(&[("user_id", f.target.to_string())])),
        case("users/set-leaving-date", Allowed::Over(Act::EndAccount))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("user_id", f.target.to_string()),
                    ("leaving_date", "31.07.2030".into()),
                ])
            }),
        case("users/set-role", Allowed::Over(Act::ChangeRole))
            .on_user()
            .form(|f| pairs(&[("user_id", f.target.to_string()), ("role", "pupil".into())])),
        case("policy/current", Allowed::SchoolMember),
        case("policy/parent-consent", Allowed::Over(Act::ParentConsent))
            .on_user()
            .form(|f| pairs(&[("user_id", f.target.to_string())])),
        case("account/activity", Allowed::SignedIn),
        // PW-2, SEC-1: one's own start password's origin; it names nobody else.
        case("auth/start-password-origin", Allowed::SignedIn),
        // PW-1: the checklist's verdict on a password of one's own.
        case("auth/password-check", Allowed::SignedIn)
            .form(|_| pairs(&[("new", "Blaue#Kuh7".into())])),
        case("account/end-other-sessions", Allowed::SignedIn),
        // FILE-1: the secretariat and administrators set any group folder's member rights; a
        // teacher only for a group they own (the callers own none; files.rs tries owners).
        case(
            "groups/member-files",
            roles(&[Role::Admin, Role::Secretariat]),
        )
        .form(|f| pairs(&[("group_id", f.class.to_string()), ("rights", "read".into())])),
        // FILE-1: everybody in a school has their own folder; the operator has none.
        case("files/list", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("space", "me".into()),
                ("folder", "0".into()),
                ("page", "0".into()),
            ])
        }),
        case("files/create-folder", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("space", "me".into()),
                ("folder", "0".into()),
                ("name", "Hausaufgaben".into()),
            ])
        }),
        case("files/trash", Allowed::SchoolMember).form(|_| pairs(&[("space", "me".into())])),
        case("files/empty-trash", Allowed::SchoolMember)
            .form(|_| pairs(&[("space", "me".into()), ("id", "0".into())])),
        // FILE-2, FILE-4, FLT-3: only administrators set limits, quotas and blocked types.
        case("files/grant-exception", roles(&[Role::Admin]))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("user_id", f.target.to_string()),
                    ("limit_mb", "200".into()),
                    ("reason", "Film-AG".into()),
                    ("until", "2099-06-30".into()),
                ])
            }),
        case("files/set-quota", roles(&[Role::Admin]))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("user_id", f.target.to_string()),
                    ("quota_mb", "800".into()),
                ])
            }),
        case("files/blocked-types", roles(&[Role::Admin])),
        case("files/set-blocked-types", roles(&[Role::Admin]))
            .form(|_| pairs(&[("list", "exe, msi, bat".into())])),
        // FLT-1: a school's additions to the link blocklist are its administrators'.
        case("filter/list", roles(&[Role::Admin]))
            .form(|_| pairs(&[("scope", "school".into()), ("query", String::new())])),
        case("filter/add", roles(&[Role::Admin])).form(|_| {
            pairs(&[
                ("scope", "school".into()),
                ("entry", "spiele.example".into()),
            ])
        }),
        // LOG-2: nobody reads the log by default (not administrators); without a reading session
        // (a stated reason) there are no events. The operator reads operator-level events.
        case("logs/overview", Allowed::SignedIn),
        case("logs/open", roles(&[Role::Operator])).form(|_| {
            pairs(&[
                ("reason", "Prüfung eines Vorfalls".into()),
                ("reference", "V-1".into()),
            ])
        }),
        case("logs/events", roles(&[Role::Operator])).form(|f| {
            pairs(&[
                ("session", f.session.to_string()),
                ("from", String::new()),
                ("until", String::new()),
                ("user", String::new()),
                ("action", String::new()),
                ("kind", String::new()),
                ("page", "0".into()),
            ])
        }),
        case("logs/withdraw", Allowed::Nobody)
            .on_user()
            .form(|f| pairs(&[("user_id", f.target.to_string())])),
        // LIFE-3: the deletion report is the secretariat's and the administrators'.
        case(
            "lifecycle/reports",
            roles(&[Role::Admin, Role::Secretariat]),
        ),
        case("schools/settings", roles(&[Role::Admin])),
        // MAIL-1..3: every member of a school has a mailbox; the operator has none.
        case("mail/box", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("box_code", "inbox".into()),
                ("query", String::new()),
                ("before", "0".into()),
            ])
        }),
        case("mail/unread", Allowed::SchoolMember),
        case("mail/notices", Allowed::SchoolMember),
        case("mail/compose", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("draft", "0".into()),
                ("reply", "0".into()),
                ("all", "false".into()),
                ("forward", "0".into()),
                ("to", String::new()),
            ])
        }),
        case("mail/suggest", Allowed::SchoolMember).form(|_| pairs(&[("query", "ziel".into())])),
        // PAR-3: a pupil is written to by staff and pupils, never by a guardian.
        case("mail/send", Allowed::Can(Capability::MailPupils)).form(|_| mail_to("ziel.kind", "0")),
        // ADM-1: the target's inbox copy of a message; nobody else reads, changes, reports,
        // saves from or forwards it.
        case("mail/message", Allowed::Nobody).form(|f| pairs(&[("item", f.item.to_string())])),
        case("mail/mark-unread", Allowed::Nobody).form(|f| pairs(&[("item", f.item.to_string())])),
        case("mail/move", Allowed::Nobody)
            .form(|f| pairs(&[("item", f.item.to_string()), ("target", "trash".into())])),
        case("mail/delete", Allowed::Nobody).form(|f| pairs(&[("item", f.item.to_string())])),
        case("mail/save-attachment", Allowed::Nobody)
            .form(|f| pairs(&[("item", f.item.to_string()), ("attachment", "1".into())])),
        case("mail/report", Allowed::Nobody)
            .form(|f| pairs(&[("item", f.item.to_string()), ("comment", String::new())])),
        case("mail/send", Allowed::Nobody).form(|f| mail_to("ziel.kind", &f.item.to_string())),
        case("mail/attach", Allowed::Nobody).form(|_| {
            pairs(&[
                ("draft", "0".into()),
                ("to", String::new()),
                ("subject", String::new()),
                ("body", String::new()),
                ("file", "1".into()),
            ])
        }),
        case("mail/detach", Allowed::Nobody).form(|f| {
            pairs(&[
                ("draft", f.item.to_string()),
                ("to", String::new()),
                ("subject", String::new()),
                ("body", String::new()),
                ("attachment", "1".into()),
            ])
        }),
        case("mail/delete-folder", Allowed::Nobody)
            .form(|f| pairs(&[("id", f.folder.to_string())])),
        case("mail/create-folder", Allowed::SchoolMember)
            .form(|_| pairs(&[("name", "Ordner".into())])),
        case("mail/autosave", Allowed::SchoolMember).form(|_| new_draft()),
        case("mail/save-draft", Allowed::SchoolMember).form(|_| new_draft()),
        case("mail/empty-trash", Allowed::SchoolMember),
        // MAIL-5, MAIL-4: reports and cases are school management's alone.
        case("mail/reports", roles(&[Role::Management])),
        case("mail/close-report", Allowed::Nobody).form(|_| pairs(&[("id", "1".into())])),
        case("mail/open-case", roles(&[Role::Management])).form(|_| open_case_form()),
        case("mail/cases", roles(&[Role::Management])),
        case("mail/close-case", roles(&[Role::Management]))
            .form(|f| pairs(&[("id", f.open_case.to_string())])),
        // MAIL-4: after the case closed, not even its designated reader gets in.
        case("mail/case-box", Allowed::Nobody).form(|f| {
            pairs(&[
                ("case", f.closed_case.to_string()),
                ("box_code", "inbox".into()),
                ("before", "0".into()),
            ])
        }),
        case("mail/case-message", Allowed::Nobody).form(|f| {
            pairs(&[
                ("case", f.closed_case.to_string()),
                ("item", f.item.to_string()),
            ])
        }),
        case("mail/settings", roles(&[Role::Admin])),
        case("mail/set-settings", roles(&[Role::Admin])).form(|_| {
            pairs(&[
                ("pupil_recipients", "5".into()),
                ("pupil_per_hour", "30".into()),
                ("staff_recipients", "50".into()),
                ("staff_per_hour", "200".into()),
                ("pupils_to_class", "no".into()),
                ("trash_days", "30".into()),
            ])
        }),
        case("mail/set-between-schools", roles(&[Role::Operator]))
            .form(|_| pairs(&[("allowed", "no".into())])),
        // AB-1, AB-2: every member of a school reads its address book and writes only their own
        // fields; the operator belongs to no school.
        case("addressbook/search", Allowed::SchoolMember)
            .form(|_| pairs(&[("query", "kind".into())])),
        case("addressbook/save", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("phone", "0151 1".into()),
                ("postal", String::new()),
                ("birthday", String::new()),
                ("note", String::new()),
            ])
        }),
        // CAL-1: the personal calendar is everyone's own; the school's is written by management
        // and the secretariat; a class calendar by its owners only (the callers own none).
        case("calendar/view", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("calendar", "all".into()),
                ("view", "week".into()),
                ("date", "2026-11-16".into()),
            ])
        }),
        case("calendar/upcoming", Allowed::SchoolMember),
        case(
            "calendar/create",
            roles(&[Role::Admin, Role::Management, Role::Secretariat]),
        )
        .form(|_| event_in("school")),
        // The target pupil's class: reading another class's calendar, or writing it as a pupil.
        case("calendar/view", Allowed::Nobody).form(|f| {
            pairs(&[
                ("calendar", format!("g{}", f.class)),
                ("view", "week".into()),
                ("date", "2026-11-16".into()),
            ])
        }),
        case("calendar/create", Allowed::Nobody).form(|f| event_in(&format!("g{}", f.class))),
        // An event of the school's calendar: everyone reads it. (Changing it, and that a stale
        // version is refused, is in calendar.rs; history has no endpoint that writes it at all.)
        case("calendar/event", Allowed::SchoolMember)
            .form(|f| pairs(&[("id", f.event.to_string())])),
        case("calendar/update", Allowed::Nobody).form(|_| {
            let mut form = event_in("school");
            form.extend(pairs(&[("id", "999".into()), ("version", "1".into())]));
            form
        }),
        case("calendar/delete", Allowed::Nobody)
            .form(|_| pairs(&[("id", "999".into()), ("version", "1".into())])),
        case("calendar/settings", roles(&[Role::Admin])),
        case("calendar/set-members-write", roles(&[Role::Admin]))
            .form(|_| pairs(&[("allowed", "no".into())])),
        case("calendar/feeds", Allowed::SchoolMember),
        // The target's feed: nobody else revokes it.
        case("calendar/revoke-feed", Allowed::Nobody)
            .form(|f| pairs(&[("id", f.feed.to_string())])),
        case("calendar/create-feed", Allowed::SchoolMember)
            .form(|_| pairs(&[("calendar", "me".into())])),
        // PAR-1..3: a guardian's home shows their own links; the secretariat keeps the links.
        case("guardians/home", Allowed::Can(Capability::ChildrenFollow)),
        case("guardians/of-pupil", Allowed::Over(Act::LinkGuardian))
            .on_user()
            .form(|f| pairs(&[("pupil_id", f.target.to_string())])),
        case("guardians/unlink", Allowed::Over(Act::LinkGuardian))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("pupil_id", f.target.to_string()),
                    ("guardian_id", f.guardian.to_string()),
                    ("reason", "Sorgerecht geändert".into()),
                ])
            }),
        case("guardians/representative", Allowed::Over(Act::LinkGuardian))
            .on_user()
            .form(|f| {
                pairs(&[
                    ("pupil_id", f.target.to_string()),
                    ("guardian_id", f.second_guardian.to_string()),
                    ("representative", "yes".into()),
                ])
            }),
        case(
            "guardians/consent",
            Allowed::Can(Capability::ChildrenFollow),
        )
        .form(|f| {
            pairs(&[
                ("pupil_id", f.own_child.to_string()),
                ("version_id", f.policy.to_string()),
                ("signed_name", "guardian Rufer".into()),
                ("agree", "on".into()),
            ])
        }),
        case(
            "guardians/end-request",
            Allowed::Can(Capability::ChildrenFollow),
        )
        .form(|f| {
            pairs(&[
                ("pupil_id", f.own_child.to_string()),
                ("note", "Umzug".into()),
            ])
        }),
        // LIFE-1: management answers the families' requests, and nobody else.
        case(
            "lifecycle/end-requests",
            Allowed::Can(Capability::EndRequestsConfirm),
        ),
        case(
            "lifecycle/confirm-end",
            Allowed::Can(Capability::EndRequestsConfirm),
        )
        .form(|f| pairs(&[("request_id", f.end_request.to_string())])),
        case(
            "guardians/add-child",
            Allowed::Can(Capability::ChildrenFollow),
        )
        .form(|_| pairs(&[("code", FIXTURE_CODE.into())])),
        // PAR-2: registering is for the signed-out only (the caller is a fresh device, so the
        // matrix's anonymous browser stays signed out).
        case("guardians/register", Allowed::Anonymous).form(|_| {
            pairs(&[
                ("code", REGISTER_CODE.into()),
                ("first_name", "Nina".into()),
                ("last_name", "Neumeier".into()),
                ("password", "Grüne#Eule42".into()),
                ("repeat", "Grüne#Eule42".into()),
            ])
        }),
        // ABS-1: a family reports its own child absent, and no other child (ABS-3: never
        // another family's).
        case("absences/report", Allowed::Can(Capability::ChildrenFollow))
            .form(|f| absence_report(f.own_child)),
        case("absences/report", Allowed::Nobody).form(|f| absence_report(f.target)),
        // ABS-2, ADM-1: the class teachers keep their classes' lists (the callers own none, and
        // administrators none ever: absences.rs tries an owner), the office and management
        // every class's.
        case("absences/classes", Allowed::Can(Capability::ClassAbsences)),
        case(
            "absences/class-day",
            Allowed::Can(Capability::AbsencesSchool),
        )
        .form(|f| pairs(&[("group_id", f.class.to_string())])),
        case("absences/mark", Allowed::Can(Capability::AbsencesSchool)).form(|f| {
            pairs(&[
                ("group_id", f.class.to_string()),
                ("pupil_id", f.target.to_string()),
                ("missing", "yes".into()),
            ])
        }),
        case("absences/term", Allowed::Can(Capability::AbsencesSchool))
            .form(|f| pairs(&[("group_id", f.class.to_string())])),
        case("absences/missing", Allowed::Can(Capability::AbsencesSchool)),
        case(
            "absences/settings",
            Allowed::Can(Capability::AbsencesSchool),
        ),
        case(
            "absences/set-settings",
            Allowed::Can(Capability::AbsencesSchool),
        )
        .form(|_| {
            pairs(&[
                ("late_after", "8:00".into()),
                ("note_from_day", "3".into()),
                ("keep_days", "0".into()),
            ])
        }),
        case("absences/reached", Allowed::Can(Capability::AbsencesSchool))
            .form(|f| pairs(&[("absence_id", f.missing_mark.to_string())])),
        // Issue 18 §7: the short version is management's, and asks nobody to accept again.
        case("policy/summary", roles(&[Role::Management]))
            .form(|_| pairs(&[("summary", "passwort: Geheim bleibt geheim.".into())])),
        // A new policy version sends every caller back to accept it: the runner accepts it again.
        case("policy/publish", roles(&[Role::Management])).form(|_| {
            pairs(&[
                ("body", "Neue Regeln.".into()),
                ("effective_date", "2027-08-01".into()),
            ])
        }),
    ]
}

/// ABS-1: a report of today, the form's defaults.
fn absence_report(pupil: i64) -> Vec<(String, String)> {
    pairs(&[
        ("pupil_id", pupil.to_string()),
        ("from", String::new()),
        ("to", String::new()),
        ("part", "whole".into()),
        ("reason", "sick".into()),
        ("note", String::new()),
    ])
}

/// A new, empty draft: what the compose page saves (by itself or on the button).
fn new_draft() -> Vec<(String, String)> {
    pairs(&[
        ("draft", "0".into()),
        ("to", String::new()),
        ("subject", "Entwurf".into()),
        ("body", String::new()),
    ])
}

fn open_case_form() -> Vec<(String, String)> {
    let (y, m, d, _, _) = app::rules::date::berlin_time(app::platform::now() + 30 * 86400);
    pairs(&[
        ("login", "ziel.kind".into()),
        ("reason", "Konkreter Verdacht laut Anzeige".into()),
        ("reference", "AZ 1".into()),
        ("readers", "teacher.rufer".into()),
        ("until", format!("{y:04}-{m:02}-{d:02}")),
    ])
}

fn event_in(calendar: &str) -> Vec<(String, String)> {
    pairs(&[
        ("calendar", calendar.into()),
        ("title", "Sportfest".into()),
        ("place", String::new()),
        ("description", String::new()),
        ("date", "2026-11-18".into()),
        ("start", "09:00".into()),
        ("end", "12:00".into()),
        ("repeat", String::new()),
        ("until", String::new()),
        ("exceptions", String::new()),
        ("reminder", String::new()),
    ])
}

fn mail_to(to: &str, forward: &str) -> Vec<(String, String)> {
    pairs(&[
        ("draft", "0".into()),
        ("forward", forward.into()),
        ("to", to.into()),
        ("subject", "Hallo".into()),
        ("body", "Hallo".into()),
        ("format", "typed".into()),
    ])
}

/// Fisher–Yates with a small linear congruential generator: the same seed, the same order.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        items.swap(i, ((state >> 33) % (i as u64 + 1)) as usize);
    }
}

async fn current_policy(s: &TestServer, school: i64) -> i64 {
    s.scalar(&format!(
        "SELECT MAX(id) FROM policy_versions WHERE school_id = {school}"
    ))
    .await
}

/// Every school caller accepts policy `version`, as each would on their next page.
async fn accept_all(
    s: &TestServer,
    school: i64,
    version: i64,
    callers: &[(String, Option<Role>, Browser)],
) {
    use app::{audit::AuditEvent, platform::RequestInfo};
    let audit = AuditEvent::new("test.policy_accepted", &RequestInfo::default());
    for (name, role, _) in callers {
        if role.is_some_and(|r| r != Role::Operator) {
            let id = s
                .scalar(&format!(
                    "SELECT id FROM users WHERE login = '{name}.rufer'"
                ))
                .await;
            s.state
                .policy()
                .accept_policy(school, id, version, &audit)
                .await
                .unwrap();
        }
    }
}

/// What the rows aim at, made through the same endpoints a person would use.
async fn fixture(
    s: &TestServer,
    target: i64,
    callers: &[(String, Option<Role>, Browser)],
) -> Fixture {
    let school_of_target = s
        .scalar(&format!("SELECT school_id FROM users WHERE id = {target}"))
        .await;
    let caller = |code: &str| &callers.iter().find(|(n, _, _)| n == code).unwrap().2;
    let ok = |status: StatusCode, what: &str| assert_eq!(status, StatusCode::OK, "fixture: {what}");
    ok(
        call(caller("teacher"), "mail/send", &mail_to("ziel.kind", "0")).await,
        "a message to the target",
    );
    let item = s
        .scalar(&format!(
            "SELECT id FROM mail_items WHERE user_id = {target} AND box = 'inbox'"
        ))
        .await;
    let management = caller("management");
    for _ in 0..2 {
        ok(
            call(management, "mail/open-case", &open_case_form()).await,
            "a case",
        );
    }
    let closed_case = s.scalar("SELECT MIN(id) FROM mail_cases").await;
    let open_case = s.scalar("SELECT MAX(id) FROM mail_cases").await;
    ok(
        call(
            management,
            "mail/close-case",
            &pairs(&[("id", closed_case.to_string())]),
        )
        .await,
        "closing a case",
    );
    let operator = caller("operator");
    let res = operator
        .call(
            "logs/open",
            &[("reason", "Prüfung eines Vorfalls"), ("reference", "V-0")],
        )
        .await;
    let session: i64 = res.json().await.unwrap();
    ok(
        call(caller("admin"), "calendar/create", &event_in("school")).await,
        "a school event",
    );
    let event = s.scalar("SELECT MAX(id) FROM calendar_events").await;
    let class = s
        .scalar(&format!(
            "SELECT g.id FROM groups g JOIN group_members m ON m.group_id = g.id
             WHERE m.user_id = {target} AND g.kind = 'class'"
        ))
        .await;
    s.sql(&format!(
        "INSERT INTO mail_folders (user_id, name) VALUES ({target}, 'Schatzkiste')"
    ))
    .await;
    let folder = s
        .scalar(&format!(
            "SELECT id FROM mail_folders WHERE user_id = {target}"
        ))
        .await;
    s.sql(&format!(
        "INSERT INTO calendar_feeds (user_id, token_hash, calendar, created_at) VALUES ({target}, 'fixture', 'me', 0)"
    ))
    .await;
    let feed = s
        .scalar(&format!(
            "SELECT id FROM calendar_feeds WHERE user_id = {target}"
        ))
        .await;
    // PAR-1: a guardian of the target (not a caller), and a code for the guardian caller.
    let mut guardians = Vec::new();
    for (first, last) in [("Gerda", "Garten"), ("Rita", "Rat")] {
        let (guardian, _) = s
            .person(school_of_target, Role::Guardian, first, last, None, None)
            .await;
        s.sql(&format!(
            "INSERT INTO guardian_links (guardian_id, pupil_id, school_id, created_at)
             VALUES ({guardian}, {target}, {school_of_target}, 0)"
        ))
        .await;
        guardians.push(guardian);
    }
    let (guardian, second_guardian) = (guardians[0], guardians[1]);
    // VIOL-1, LIFE-1: the guardian caller's own child, and another family's request to end
    // a child's use, for management to confirm.
    let guardian_caller = s
        .scalar("SELECT id FROM users WHERE login = 'guardian.rufer'")
        .await;
    let (own_child, _) = s
        .person(
            school_of_target,
            Role::Pupil,
            "Eigen",
            "Kind",
            Some("2b"),
            None,
        )
        .await;
    let (leaving, _) = s
        .person(
            school_of_target,
            Role::Pupil,
            "Weg",
            "Kind",
            Some("3a"),
            None,
        )
        .await;
    s.sql(&format!(
        "INSERT INTO guardian_links (guardian_id, pupil_id, school_id, created_at)
         VALUES ({guardian_caller}, {own_child}, {school_of_target}, 0)"
    ))
    .await;
    s.sql(&format!(
        "INSERT INTO end_requests (school_id, pupil_id, guardian_id, note, created_at)
         VALUES ({school_of_target}, {leaving}, {guardian}, 'Umzug', 0)"
    ))
    .await;
    let end_request = s
        .scalar(&format!(
            "SELECT id FROM end_requests WHERE pupil_id = {leaving}"
        ))
        .await;
    // ABS-2: the target is marked missing today (by nobody in particular).
    s.sql(&format!(
        "INSERT INTO absences (school_id, pupil_id, from_day, to_day, source, reported_at)
         VALUES ({school_of_target}, {target}, '{today}', '{today}', 'teacher', 0)",
        today = today()
    ))
    .await;
    let missing_mark = s
        .scalar(&format!(
            "SELECT MAX(id) FROM absences WHERE pupil_id = {target}"
        ))
        .await;
    let policy = current_policy(s, school_of_target).await;
    for code in [FIXTURE_CODE, REGISTER_CODE] {
        let symbols = app::rules::guardian::normalise(code).unwrap();
        s.sql(&format!(
            "INSERT INTO guardian_codes (school_id, pupil_id, code_hash, created_at, expires_at)
             VALUES ({school_of_target}, {target}, '{}', 0, {})",
            app::guardians::code_hash(&symbols),
            app::platform::now() + 86_400
        ))
        .await;
    }
    Fixture {
        guardian,
        second_guardian,
        own_child,
        policy,
        end_request,
        missing_mark,
        target,
        item,
        class,
        open_case,
        closed_case,
        session,
        event,
        folder,
        feed,
    }
}

/// Today in German school time, as the database keeps days.
fn today() -> String {
    let (y, m, d, _, _) = app::rules::date::berlin_time(app::platform::now());
    format!("{y:04}-{m:02}-{d:02}")
}

async fn call(b: &Browser, endpoint: &str, args: &[(String, String)]) -> StatusCode {
    let borrowed: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.call(endpoint, &borrowed).await.status()
}

// ACC-1, ACC-3, ADM-1: only capabilities on one's own school open an endpoint.
#[tokio::test]
async fn acc_3_authorisation_matrix() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (own_target, _) = s
        .person(school, Role::Pupil, "Ziel", "Kind", Some("2b"), None)
        .await;
    let (other_target, _) = s
        .person(other, Role::Pupil, "Fremd", "Kind", Some("2b"), None)
        .await;

    let mut callers: Vec<(String, Option<Role>, Browser)> =
        vec![("anonymous".into(), None, s.browser())];
    let operator = s.browser();
    s.user_with_password("betrieb", "Betrieb", "Admin", Role::Operator, GOOD)
        .await;
    assert_eq!(
        operator.login("betrieb", GOOD).await.status(),
        StatusCode::OK
    );
    callers.push(("operator".into(), Some(Role::Operator), operator));
    for role in school_roles() {
        let (_, login) = s
            .person(school, role, role.code(), "Rufer", None, Some(GOOD))
            .await;
        let b = s.browser();
        assert_eq!(b.login(&login, GOOD).await.status(), StatusCode::OK);
        callers.push((role.code().into(), Some(role), b));
    }

    let fixture = fixture(&s, own_target, &callers).await;
    let seed: u64 = std::env::var("SCHULHOF_MATRIX_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| (app::platform::now() / 86_400) as u64);
    let mut cases = cases();
    shuffle(&mut cases, seed);
    let mut checked = 0;
    let mut policy = current_policy(&s, school).await;
    for case in &cases {
        for (name, role, browser) in &callers {
            let targets: &[(i64, bool)] = if case.targets_user {
                &[(own_target, true), (other_target, false)]
            } else {
                &[(own_target, true)]
            };
            for &(target, own_school) in targets {
                let allowed = case.allows(*role, own_school);
                let before = s.fingerprint().await;
                let form = (case.args)(&Fixture {
                    target,
                    policy,
                    ..fixture
                });
                // A registration signs its new account in: it runs on a device of its own.
                let fresh;
                let browser = if matches!(case.allowed, Allowed::Anonymous) && role.is_none() {
                    fresh = s.browser();
                    &fresh
                } else {
                    browser
                };
                let status = call(browser, case.endpoint, &form).await;
                let what = format!(
                    "{} as {name} on {} school (SCHULHOF_MATRIX_SEED={seed})",
                    case.endpoint,
                    if own_school { "its own" } else { "another" }
                );
                if allowed {
                    assert_eq!(status, StatusCode::OK, "{what} should succeed");
                } else {
                    assert!(
                        [
                            StatusCode::UNAUTHORIZED,
                            StatusCode::FORBIDDEN,
                            StatusCode::NOT_FOUND
                        ]
                        .contains(&status),
                        "{what} should be refused, got {status}"
                    );
                    assert_eq!(s.fingerprint().await, before, "{what} changed something");
                }
                checked += 1;
                // A published policy sends everyone back to accept it: they do, at once.
                let now = current_policy(&s, school).await;
                if now != policy {
                    accept_all(&s, school, now, &callers).await;
                    policy = now;
                }
            }
        }
    }
    assert_eq!(
        checked,
        cases
            .iter()
            .map(|c| callers.len() * if c.targets_user { 2 } else { 1 })
            .sum::<usize>()
    );
}
