//! The authorisation matrix: every server function, called anonymously, as the operator and as
//! each of the six school roles, on its own school's objects and on another school's. Only the
//! allowed combinations succeed; every other call is answered 401/403/404 and changes nothing.
//! Later issues add their endpoints to `CASES`.

use crate::common::{Browser, TestServer};
use app::auth::Role;
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
    /// School members with one of these roles.
    Roles(&'static [Role]),
}

struct Case {
    endpoint: &'static str,
    allowed: Allowed,
    /// Whether the call names a user; then it is tried on another school's user too.
    targets_user: bool,
    args: fn(target: i64) -> Vec<(String, String)>,
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

const CASES: &[Case] = &[
    Case {
        endpoint: "users/list",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("query", String::new()),
                ("sort", "name".into()),
                ("page", "1".into()),
            ])
        },
    },
    Case {
        endpoint: "users/create",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("first_name", "Neu".into()),
                ("last_name", "Kind".into()),
                ("role", "pupil".into()),
                ("class", "1a".into()),
            ])
        },
    },
    Case {
        endpoint: "users/lock",
        allowed: Allowed::Roles(&[Role::Admin, Role::Management, Role::Secretariat]),
        targets_user: true,
        args: |target| {
            pairs(&[
                ("user_id", target.to_string()),
                ("reason", "Prüfung".into()),
            ])
        },
    },
    Case {
        endpoint: "users/unlock",
        allowed: Allowed::Roles(&[Role::Admin, Role::Management, Role::Secretariat]),
        targets_user: true,
        args: |target| {
            pairs(&[
                ("user_id", target.to_string()),
                ("reason", "Prüfung".into()),
            ])
        },
    },
    Case {
        endpoint: "users/start-passwords",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: true,
        args: |target| pairs(&[("user_ids[0]", target.to_string())]),
    },
    Case {
        endpoint: "schools/list",
        allowed: Allowed::Roles(&[Role::Operator]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "schools/create",
        allowed: Allowed::Roles(&[Role::Operator]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("name", "Neue Schule".into()),
                (
                    "mail_domain",
                    format!("neu{}.example", app::platform::secret::random_hex(3)),
                ),
            ])
        },
    },
    Case {
        endpoint: "groups/list",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: false,
        args: |_| pairs(&[("query", String::new())]),
    },
    Case {
        endpoint: "groups/create-team",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: false,
        args: |_| {
            pairs(&[(
                "name",
                format!("Team {}", app::platform::secret::random_hex(3)),
            )])
        },
    },
    Case {
        endpoint: "users/detail",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: true,
        args: |target| pairs(&[("user_id", target.to_string())]),
    },
    Case {
        endpoint: "users/set-leaving-date",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: true,
        args: |target| {
            pairs(&[
                ("user_id", target.to_string()),
                ("leaving_date", "31.07.2030".into()),
            ])
        },
    },
    Case {
        endpoint: "users/set-role",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: true,
        args: |target| pairs(&[("user_id", target.to_string()), ("role", "pupil".into())]),
    },
    Case {
        endpoint: "policy/current",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "policy/parent-consent",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: true,
        args: |target| pairs(&[("user_id", target.to_string())]),
    },
    Case {
        endpoint: "account/activity",
        allowed: Allowed::SignedIn,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "account/end-other-sessions",
        allowed: Allowed::SignedIn,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "groups/members-write",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: false,
        args: |_| pairs(&[("group_id", "1".into()), ("allowed", "false".into())]),
    },
    // FILE-1: everybody in a school has their own folder; the operator has none.
    Case {
        endpoint: "files/list",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("space", "me".into()),
                ("folder", "0".into()),
                ("page", "0".into()),
            ])
        },
    },
    Case {
        endpoint: "files/create-folder",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("space", "me".into()),
                ("folder", "0".into()),
                ("name", "Hausaufgaben".into()),
            ])
        },
    },
    Case {
        endpoint: "files/trash",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("space", "me".into())]),
    },
    Case {
        endpoint: "files/empty-trash",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("space", "me".into()), ("id", "0".into())]),
    },
    // FILE-2, FILE-4, FLT-3: only administrators set limits, quotas and blocked types.
    Case {
        endpoint: "files/grant-exception",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: true,
        args: |target| {
            pairs(&[
                ("user_id", target.to_string()),
                ("limit_mb", "200".into()),
                ("reason", "Film-AG".into()),
                ("until", "2099-06-30".into()),
            ])
        },
    },
    Case {
        endpoint: "files/set-quota",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: true,
        args: |target| pairs(&[("user_id", target.to_string()), ("quota_mb", "800".into())]),
    },
    Case {
        endpoint: "files/blocked-types",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "files/set-blocked-types",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| pairs(&[("list", "exe, msi, bat".into())]),
    },
    // FLT-1: a school's additions to the link blocklist are its administrators'.
    Case {
        endpoint: "filter/list",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| pairs(&[("scope", "school".into()), ("query", String::new())]),
    },
    Case {
        endpoint: "filter/add",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("scope", "school".into()),
                ("entry", "spiele.example".into()),
            ])
        },
    },
    // LOG-2: nobody reads the log by default (not administrators); without a reading session
    // (a stated reason) there are no events. The operator reads operator-level events.
    Case {
        endpoint: "logs/overview",
        allowed: Allowed::SignedIn,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "logs/open",
        allowed: Allowed::Roles(&[Role::Operator]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("reason", "Prüfung eines Vorfalls".into()),
                ("reference", "V-1".into()),
            ])
        },
    },
    Case {
        endpoint: "logs/events",
        allowed: Allowed::Roles(&[Role::Operator]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("session", "1".into()),
                ("from", String::new()),
                ("until", String::new()),
                ("user", String::new()),
                ("action", String::new()),
                ("kind", String::new()),
                ("page", "0".into()),
            ])
        },
    },
    Case {
        endpoint: "logs/withdraw",
        allowed: Allowed::Roles(&[]),
        targets_user: true,
        args: |target| pairs(&[("user_id", target.to_string())]),
    },
    // LIFE-3: the deletion report is the secretariat's and the administrators'.
    Case {
        endpoint: "lifecycle/reports",
        allowed: Allowed::Roles(&[Role::Admin, Role::Secretariat]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "schools/settings",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    // MAIL-1..3: every member of a school has a mailbox; the operator has none.
    Case {
        endpoint: "mail/box",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("box_code", "inbox".into()),
                ("query", String::new()),
                ("before", "0".into()),
            ])
        },
    },
    Case {
        endpoint: "mail/unread",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "mail/notices",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "mail/compose",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("draft", "0".into()),
                ("reply", "0".into()),
                ("all", "false".into()),
                ("forward", "0".into()),
                ("to", String::new()),
            ])
        },
    },
    Case {
        endpoint: "mail/suggest",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("query", "ziel".into())]),
    },
    Case {
        endpoint: "mail/send",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| mail_to("ziel.kind", "0"),
    },
    // ADM-1: item 1 is the target's inbox copy of the first message; nobody else reads,
    // changes, reports, saves from or forwards it.
    Case {
        endpoint: "mail/message",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("item", "1".into())]),
    },
    Case {
        endpoint: "mail/mark-unread",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("item", "1".into())]),
    },
    Case {
        endpoint: "mail/move",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("item", "1".into()), ("target", "trash".into())]),
    },
    Case {
        endpoint: "mail/delete",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("item", "1".into())]),
    },
    Case {
        endpoint: "mail/save-attachment",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("item", "1".into()), ("attachment", "1".into())]),
    },
    Case {
        endpoint: "mail/report",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("item", "1".into()), ("comment", String::new())]),
    },
    Case {
        endpoint: "mail/send",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| mail_to("ziel.kind", "1"),
    },
    Case {
        endpoint: "mail/attach",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("draft", "0".into()),
                ("to", String::new()),
                ("subject", String::new()),
                ("body", String::new()),
                ("file", "1".into()),
            ])
        },
    },
    Case {
        endpoint: "mail/detach",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("draft", "1".into()),
                ("to", String::new()),
                ("subject", String::new()),
                ("body", String::new()),
                ("attachment", "1".into()),
            ])
        },
    },
    Case {
        endpoint: "mail/delete-folder",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("id", "1".into())]),
    },
    Case {
        endpoint: "mail/create-folder",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("name", "Ordner".into())]),
    },
    Case {
        endpoint: "mail/autosave",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("draft", "0".into()),
                ("to", String::new()),
                ("subject", "Entwurf".into()),
                ("body", String::new()),
            ])
        },
    },
    Case {
        endpoint: "mail/empty-trash",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| Vec::new(),
    },
    // MAIL-5, MAIL-4: reports and cases are school management's alone.
    Case {
        endpoint: "mail/reports",
        allowed: Allowed::Roles(&[Role::Management]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "mail/close-report",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("id", "1".into())]),
    },
    Case {
        endpoint: "mail/open-case",
        allowed: Allowed::Roles(&[Role::Management]),
        targets_user: false,
        args: |_| {
            let (y, m, d, _, _) = app::i18n::berlin_time(app::platform::now() + 30 * 86400);
            pairs(&[
                ("login", "ziel.kind".into()),
                ("reason", "Konkreter Verdacht laut Anzeige".into()),
                ("reference", "AZ 1".into()),
                ("readers", "teacher.rufer".into()),
                ("until", format!("{y:04}-{m:02}-{d:02}")),
            ])
        },
    },
    Case {
        endpoint: "mail/cases",
        allowed: Allowed::Roles(&[Role::Management]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "mail/close-case",
        allowed: Allowed::Roles(&[Role::Management]),
        targets_user: false,
        args: |_| pairs(&[("id", "1".into())]),
    },
    // MAIL-4: after the case closed, not even its designated reader gets in.
    Case {
        endpoint: "mail/case-box",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("case", "1".into()),
                ("box_code", "inbox".into()),
                ("before", "0".into()),
            ])
        },
    },
    Case {
        endpoint: "mail/case-message",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("case", "1".into()), ("item", "1".into())]),
    },
    Case {
        endpoint: "mail/settings",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "mail/set-settings",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("pupil_recipients", "5".into()),
                ("pupil_per_hour", "30".into()),
                ("staff_recipients", "50".into()),
                ("staff_per_hour", "200".into()),
                ("pupils_to_class", "no".into()),
                ("trash_days", "30".into()),
            ])
        },
    },
    Case {
        endpoint: "mail/set-between-schools",
        allowed: Allowed::Roles(&[Role::Operator]),
        targets_user: false,
        args: |_| pairs(&[("allowed", "no".into())]),
    },
    // AB-1, AB-2: every member of a school reads its address book and writes only their own
    // fields; the operator belongs to no school.
    Case {
        endpoint: "addressbook/search",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("query", "kind".into())]),
    },
    Case {
        endpoint: "addressbook/save",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("phone", "0151 1".into()),
                ("postal", String::new()),
                ("birthday", String::new()),
                ("note", String::new()),
            ])
        },
    },
    // CAL-1: the personal calendar is everyone's own; the school's is written by management
    // and the secretariat; a class calendar by its owners only (the callers own none).
    Case {
        endpoint: "calendar/view",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| {
            pairs(&[
                ("calendar", "all".into()),
                ("view", "week".into()),
                ("date", "2026-11-16".into()),
            ])
        },
    },
    Case {
        endpoint: "calendar/upcoming",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "calendar/create",
        allowed: Allowed::Roles(&[Role::Management, Role::Secretariat]),
        targets_user: false,
        args: |_| event_in("school"),
    },
    // The target pupil's class: reading another class's calendar, or writing it as a pupil.
    Case {
        endpoint: "calendar/view",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("calendar", "g1".into()),
                ("view", "week".into()),
                ("date", "2026-11-16".into()),
            ])
        },
    },
    Case {
        endpoint: "calendar/create",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| event_in("g1"),
    },
    // Event 1 is the school's: everyone reads it. (Changing it, and that a stale version is
    // refused, is in calendar.rs; history has no endpoint that writes it at all.)
    Case {
        endpoint: "calendar/event",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("id", "1".into())]),
    },
    Case {
        endpoint: "calendar/update",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| {
            let mut form = event_in("school");
            form.extend(pairs(&[("id", "999".into()), ("version", "1".into())]));
            form
        },
    },
    Case {
        endpoint: "calendar/delete",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("id", "999".into()), ("version", "1".into())]),
    },
    Case {
        endpoint: "calendar/settings",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| Vec::new(),
    },
    Case {
        endpoint: "calendar/set-members-write",
        allowed: Allowed::Roles(&[Role::Admin]),
        targets_user: false,
        args: |_| pairs(&[("allowed", "no".into())]),
    },
    Case {
        endpoint: "calendar/feeds",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| Vec::new(),
    },
    // No feed exists yet: revoking one by number finds nothing, whoever asks.
    Case {
        endpoint: "calendar/revoke-feed",
        allowed: Allowed::Roles(&[]),
        targets_user: false,
        args: |_| pairs(&[("id", "1".into())]),
    },
    Case {
        endpoint: "calendar/create-feed",
        allowed: Allowed::SchoolMember,
        targets_user: false,
        args: |_| pairs(&[("calendar", "me".into())]),
    },
    // Last: a new policy version sends every caller back to accept it first.
    Case {
        endpoint: "policy/publish",
        allowed: Allowed::Roles(&[Role::Management]),
        targets_user: false,
        args: |_| {
            pairs(&[
                ("body", "Neue Regeln.".into()),
                ("effective_date", "2027-08-01".into()),
            ])
        },
    },
];

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
    for case in CASES {
        for (name, role, browser) in &callers {
            let targets: &[(i64, bool)] = if case.targets_user {
                &[(own_target, true), (other_target, false)]
            } else {
                &[(own_target, true)]
            };
            for &(target, own_school) in targets {
                let allowed = match (&case.allowed, role) {
                    (_, None) => false,
                    (Allowed::SignedIn, Some(_)) => true,
                    (Allowed::SchoolMember, Some(role)) => *role != Role::Operator,
                    (Allowed::Roles(roles), Some(role)) => roles.contains(role) && own_school,
                };
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
        CASES
            .iter()
            .map(|c| if c.targets_user { 16 } else { 8 })
            .sum::<usize>()
    );
}
