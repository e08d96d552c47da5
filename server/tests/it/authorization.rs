//! The authorisation matrix: every server function, called anonymously, as the operator and as
//! each of the six school roles, on its own school's objects and on another school's. Only the
//! allowed combinations succeed; every other call is answered 401/403/404 and changes nothing.
//! Later issues add their endpoints to `cases()`.
//!
//! The rows run in the order written, and a few read what an earlier row made: `mail/send`
//! (anyone) makes the target's inbox item 1 that the `Nobody` mail rows aim at; `mail/open-case`
//! makes case 1 that `mail/close-case` closes and the case rows after it find closed;
//! `policy/publish` comes last, since a new version sends every caller back to accept it.

use crate::common::{Browser, TestServer};
use app::auth::{
    Role,
    rights::{self, Act},
};
use reqwest::StatusCode;

const GOOD: &str = "Blaue#Kuh7";
const STAFF_ROLES: [Role; 6] = [
    Role::Admin,
    Role::Management,
    Role::Secretariat,
    Role::Teacher,
    Role::Staff,
    Role::Pupil,
];

/// Who may call an endpoint successfully, on objects of their own school.
enum Allowed {
    /// Any signed-in person, about themselves.
    SignedIn,
    /// Any signed-in member of a school (not the operator).
    SchoolMember,
    /// School members with one of these roles (the capability an endpoint asks for).
    Roles(&'static [Role]),
    /// SEC-1: what the rights table says of the act on the target, a pupil of the school.
    /// `sec_1_role_by_target_role_matrix` (rights.rs) tries every other target role.
    Over(Act),
    /// No one: the object belongs to somebody else, or does not exist for the caller.
    Nobody,
}

fn roles(roles: &'static [Role]) -> Allowed {
    Allowed::Roles(roles)
}

/// One row: an endpoint, who may call it, and the form it is called with.
struct Case {
    endpoint: &'static str,
    allowed: Allowed,
    /// Whether the call names a user; then it is tried on another school's user too.
    targets_user: bool,
    args: fn(target: i64) -> Vec<(String, String)>,
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

    fn form(mut self, args: fn(target: i64) -> Vec<(String, String)>) -> Self {
        self.args = args;
        self
    }

    /// Whether `role` (`None`: anonymous) may make this call on its own school (`own`).
    fn allows(&self, role: Option<Role>, own: bool) -> bool {
        let Some(role) = role else { return false };
        match &self.allowed {
            Allowed::SignedIn => true,
            Allowed::SchoolMember => role != Role::Operator,
            Allowed::Roles(roles) => roles.contains(&role) && own,
            Allowed::Over(Act::ChangeRole) => {
                own && rights::may_change_role(role, Role::Pupil, Role::Pupil)
            }
            Allowed::Over(act) => own && rights::may(role, *act, Role::Pupil),
            Allowed::Nobody => false,
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
            .form(|target| {
                pairs(&[
                    ("user_id", target.to_string()),
                    ("reason", "Prüfung".into()),
                ])
            }),
        case("users/unlock", Allowed::Over(Act::Lock))
            .on_user()
            .form(|target| {
                pairs(&[
                    ("user_id", target.to_string()),
                    ("reason", "Prüfung".into()),
                ])
            }),
        case(
            "users/start-passwords",
            Allowed::Over(Act::IssueCredentials),
        )
        .on_user()
        .form(|target| pairs(&[("user_ids[0]", target.to_string())])),
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
            .form(|target| pairs(&[("user_id", target.to_string())])),
        case("users/set-leaving-date", Allowed::Over(Act::EndAccount))
            .on_user()
            .form(|target| {
                pairs(&[
                    ("user_id", target.to_string()),
                    ("leaving_date", "31.07.2030".into()),
                ])
            }),
        case("users/set-role", Allowed::Over(Act::ChangeRole))
            .on_user()
            .form(|target| pairs(&[("user_id", target.to_string()), ("role", "pupil".into())])),
        case("policy/current", Allowed::SchoolMember),
        case("policy/parent-consent", Allowed::Over(Act::ParentConsent))
            .on_user()
            .form(|target| pairs(&[("user_id", target.to_string())])),
        case("account/activity", Allowed::SignedIn),
        // PW-2, SEC-1: one's own start password's origin; it names nobody else.
        case("auth/start-password-origin", Allowed::SignedIn),
        case("account/end-other-sessions", Allowed::SignedIn),
        case(
            "groups/members-write",
            roles(&[Role::Admin, Role::Secretariat]),
        )
        .form(|_| pairs(&[("group_id", "1".into()), ("allowed", "false".into())])),
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
            .form(|target| {
                pairs(&[
                    ("user_id", target.to_string()),
                    ("limit_mb", "200".into()),
                    ("reason", "Film-AG".into()),
                    ("until", "2099-06-30".into()),
                ])
            }),
        case("files/set-quota", roles(&[Role::Admin]))
            .on_user()
            .form(|target| pairs(&[("user_id", target.to_string()), ("quota_mb", "800".into())])),
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
        case("logs/events", roles(&[Role::Operator])).form(|_| {
            pairs(&[
                ("session", "1".into()),
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
            .form(|target| pairs(&[("user_id", target.to_string())])),
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
        case("mail/send", Allowed::SchoolMember).form(|_| mail_to("ziel.kind", "0")),
        // ADM-1: item 1 is the target's inbox copy of the first message; nobody else reads,
        // changes, reports, saves from or forwards it.
        case("mail/message", Allowed::Nobody).form(|_| pairs(&[("item", "1".into())])),
        case("mail/mark-unread", Allowed::Nobody).form(|_| pairs(&[("item", "1".into())])),
        case("mail/move", Allowed::Nobody)
            .form(|_| pairs(&[("item", "1".into()), ("target", "trash".into())])),
        case("mail/delete", Allowed::Nobody).form(|_| pairs(&[("item", "1".into())])),
        case("mail/save-attachment", Allowed::Nobody)
            .form(|_| pairs(&[("item", "1".into()), ("attachment", "1".into())])),
        case("mail/report", Allowed::Nobody)
            .form(|_| pairs(&[("item", "1".into()), ("comment", String::new())])),
        case("mail/send", Allowed::Nobody).form(|_| mail_to("ziel.kind", "1")),
        case("mail/attach", Allowed::Nobody).form(|_| {
            pairs(&[
                ("draft", "0".into()),
                ("to", String::new()),
                ("subject", String::new()),
                ("body", String::new()),
                ("file", "1".into()),
            ])
        }),
        case("mail/detach", Allowed::Nobody).form(|_| {
            pairs(&[
                ("draft", "1".into()),
                ("to", String::new()),
                ("subject", String::new()),
                ("body", String::new()),
                ("attachment", "1".into()),
            ])
        }),
        case("mail/delete-folder", Allowed::Nobody).form(|_| pairs(&[("id", "1".into())])),
        case("mail/create-folder", Allowed::SchoolMember)
            .form(|_| pairs(&[("name", "Ordner".into())])),
        case("mail/autosave", Allowed::SchoolMember).form(|_| {
            pairs(&[
                ("draft", "0".into()),
                ("to", String::new()),
                ("subject", "Entwurf".into()),
                ("body", String::new()),
            ])
        }),
        case("mail/empty-trash", Allowed::SchoolMember),
        // MAIL-5, MAIL-4: reports and cases are school management's alone.
        case("mail/reports", roles(&[Role::Management])),
        case("mail/close-report", Allowed::Nobody).form(|_| pairs(&[("id", "1".into())])),
        case("mail/open-case", roles(&[Role::Management])).form(|_| {
            let (y, m, d, _, _) = app::i18n::berlin_time(app::platform::now() + 30 * 86400);
            pairs(&[
                ("login", "ziel.kind".into()),
                ("reason", "Konkreter Verdacht laut Anzeige".into()),
                ("reference", "AZ 1".into()),
                ("readers", "teacher.rufer".into()),
                ("until", format!("{y:04}-{m:02}-{d:02}")),
            ])
        }),
        case("mail/cases", roles(&[Role::Management])),
        case("mail/close-case", roles(&[Role::Management])).form(|_| pairs(&[("id", "1".into())])),
        // MAIL-4: after the case closed, not even its designated reader gets in.
        case("mail/case-box", Allowed::Nobody).form(|_| {
            pairs(&[
                ("case", "1".into()),
                ("box_code", "inbox".into()),
                ("before", "0".into()),
            ])
        }),
        case("mail/case-message", Allowed::Nobody)
            .form(|_| pairs(&[("case", "1".into()), ("item", "1".into())])),
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
        case("calendar/view", Allowed::Nobody).form(|_| {
            pairs(&[
                ("calendar", "g1".into()),
                ("view", "week".into()),
                ("date", "2026-11-16".into()),
            ])
        }),
        case("calendar/create", Allowed::Nobody).form(|_| event_in("g1")),
        // Event 1 is the school's: everyone reads it. (Changing it, and that a stale version is
        // refused, is in calendar.rs; history has no endpoint that writes it at all.)
        case("calendar/event", Allowed::SchoolMember).form(|_| pairs(&[("id", "1".into())])),
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
        // No feed exists yet: revoking one by number finds nothing, whoever asks.
        case("calendar/revoke-feed", Allowed::Nobody).form(|_| pairs(&[("id", "1".into())])),
        case("calendar/create-feed", Allowed::SchoolMember)
            .form(|_| pairs(&[("calendar", "me".into())])),
        // Last: a new policy version sends every caller back to accept it first.
        case("policy/publish", roles(&[Role::Management])).form(|_| {
            pairs(&[
                ("body", "Neue Regeln.".into()),
                ("effective_date", "2027-08-01".into()),
            ])
        }),
    ]
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
    for role in STAFF_ROLES {
        let (_, login) = s
            .person(school, role, role.code(), "Rufer", None, Some(GOOD))
            .await;
        let b = s.browser();
        assert_eq!(b.login(&login, GOOD).await.status(), StatusCode::OK);
        callers.push((role.code().into(), Some(role), b));
    }

    let mut checked = 0;
    let cases = cases();
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
                let status = call(browser, case.endpoint, &(case.args)(target)).await;
                let what = format!(
                    "{} as {name} on {} school",
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
            }
        }
    }
    assert_eq!(
        checked,
        cases
            .iter()
            .map(|c| if c.targets_user { 16 } else { 8 })
            .sum::<usize>()
    );
}
