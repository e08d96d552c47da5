//! SEC-1: the role × target-role matrix and the story tests of chains that must fail at their
//! first step. Every expected outcome comes from `app::auth::rights`, the one table: nothing
//! here says again which role may act on which.
//!
//! Long on purpose: the matrix and the chains it must stop belong together.

use crate::common::{Browser, SIGNED_IN_PASSWORD, TestServer, start_password};
use app::audit::AuditEvent;
use app::auth::{
    Role,
    rights::{self, Act},
};
use app::platform::RequestInfo;
use reqwest::StatusCode;

/// The roles of a school, in the order of `Role::ALL`.
fn school_roles() -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Operator)
        .collect()
}

/// What one call gets to work with.
struct Target {
    id: i64,
    login: String,
    role: Role,
    team: i64,
}

/// An endpoint that names a person, the expected verdict for an actor and a target role, and
/// what to prepare so that an allowed call can succeed (the target withdrawn, or in the team).
struct OverCase {
    endpoint: &'static str,
    expected: fn(actor: Role, target: Role) -> bool,
    form: fn(&Target) -> Vec<(String, String)>,
    prepare: Prepare,
    /// Whether the call names a person, who may then be of another school.
    names_person: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Prepare {
    Nothing,
    Withdrawn,
    InTeam,
}

fn over(endpoint: &'static str, act: Act) -> OverCase {
    // A plain table lookup; the closures below cannot capture `act`, so each act is named.
    let expected: fn(Role, Role) -> bool = match act {
        Act::Lock => |a, t| rights::may(a, Act::Lock, t),
        Act::IssueCredentials => |a, t| rights::may(a, Act::IssueCredentials, t),
        Act::View => |a, t| rights::may(a, Act::View, t),
        Act::EndAccount => |a, t| rights::may(a, Act::EndAccount, t),
        Act::ParentConsent => |a, t| rights::may(a, Act::ParentConsent, t),
        Act::AddMember => |a, t| rights::may(a, Act::AddMember, t),
        Act::MakeOwner => |a, t| rights::may(a, Act::MakeOwner, t),
        Act::LinkGuardian => |a, t| rights::may(a, Act::LinkGuardian, t),
        Act::Create => |a, t| rights::may(a, Act::Create, t),
        Act::ChangeRole => |a, t| rights::may_change_role(a, t, Role::Teacher),
    };
    OverCase {
        endpoint,
        expected,
        form: |t| vec![("user_id".into(), t.id.to_string())],
        prepare: Prepare::Nothing,
        names_person: true,
    }
}

impl OverCase {
    fn form(mut self, form: fn(&Target) -> Vec<(String, String)>) -> Self {
        self.form = form;
        self
    }

    fn prepare(mut self, prepare: Prepare) -> Self {
        self.prepare = prepare;
        self
    }

    /// The "target" is only a role (of a new account), in the caller's own school.
    fn names_no_person(mut self) -> Self {
        self.names_person = false;
        self
    }
}

fn with_user(t: &Target, more: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = vec![("user_id".to_string(), t.id.to_string())];
    form.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form
}

fn cases() -> Vec<OverCase> {
    vec![
        over("users/lock", Act::Lock).form(|t| with_user(t, &[("reason", "Prüfung")])),
        over("users/unlock", Act::Lock).form(|t| with_user(t, &[("reason", "Prüfung")])),
        over("users/start-passwords", Act::IssueCredentials)
            .form(|t| vec![("user_ids[0]".into(), t.id.to_string())]),
        over("users/detail", Act::View),
        // PAR-1: a pupil's guardians are the secretariat's to see (other targets: refused).
        over("guardians/of-pupil", Act::LinkGuardian)
            .form(|t| vec![("pupil_id".into(), t.id.to_string())]),
        over("users/set-leaving-date", Act::EndAccount)
            .form(|t| with_user(t, &[("leaving_date", "31.07.2030")])),
        over("users/set-role", Act::ChangeRole).form(|t| with_user(t, &[("role", "teacher")])),
        over("policy/parent-consent", Act::ParentConsent),
        over("lifecycle/withdraw", Act::EndAccount),
        over("lifecycle/cancel", Act::EndAccount).prepare(Prepare::Withdrawn),
        over("groups/add-member", Act::AddMember).form(|t| {
            vec![
                ("group_id".into(), t.team.to_string()),
                ("login".into(), t.login.clone()),
                ("owner".into(), "false".into()),
            ]
        }),
        over("groups/add-member", Act::MakeOwner).form(|t| {
            vec![
                ("group_id".into(), t.team.to_string()),
                ("login".into(), t.login.clone()),
                ("owner".into(), "true".into()),
            ]
        }),
        over("groups/remove-member", Act::AddMember)
            .form(|t| with_user(t, &[("group_id", &t.team.to_string())]))
            .prepare(Prepare::InTeam),
        // Creating names no person: the "target" is the role of the new account.
        over("users/create", Act::Create)
            .form(|t| {
                vec![
                    ("first_name".into(), "Neu".into()),
                    ("last_name".into(), "Konto".into()),
                    ("role".into(), t.role.code().into()),
                    ("class".into(), String::new()),
                ]
            })
            .names_no_person(),
    ]
}

async fn team(s: &TestServer, school: i64) -> i64 {
    let audit = AuditEvent::new("test.team", &RequestInfo::default());
    s.store()
        .create_team(school, "Schulchor", &audit)
        .await
        .unwrap()
        .unwrap()
}

/// Anonymous, the operator, and one ready person of each school role.
async fn callers(s: &TestServer, school: i64) -> Vec<(Option<Role>, Browser)> {
    let mut callers = vec![
        (None, s.browser()),
        (Some(Role::Operator), s.signed_in_operator().await),
    ];
    for role in school_roles() {
        let (_, b) = s.ready_person(school, role, role.code(), None).await;
        callers.push((Some(role), b));
    }
    callers
}

// SEC-1, ADM-1, ACC-3, LOG-2, MAIL-4: every endpoint that names a person, called by every
// role on a fresh target of every role in its own school, and on one in another school. Only
// what the rights table grants succeeds; everything else is refused and changes nothing.
#[tokio::test]
async fn sec_1_role_by_target_role_matrix() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let teams = [
        (school, team(&s, school).await),
        (other, team(&s, other).await),
    ];
    let callers = callers(&s, school).await;
    let mut checked = 0;
    let mut allowed_seen = 0;
    for case in cases() {
        for (actor, browser) in &callers {
            let mut targets: Vec<(Role, i64, i64)> = school_roles()
                .into_iter()
                .map(|r| (r, school, teams[0].1))
                .collect();
            if case.names_person {
                targets.push((Role::Pupil, other, teams[1].1));
            }
            for (role, in_school, team) in targets {
                let own = in_school == school;
                let (id, login) = s
                    .person(in_school, role, "Ziel", role.code(), None, None)
                    .await;
                let target = Target {
                    id,
                    login,
                    role,
                    team,
                };
                let audit = AuditEvent::new("test.prepare", &RequestInfo::default());
                match case.prepare {
                    Prepare::Nothing => {}
                    Prepare::Withdrawn => {
                        assert!(
                            s.store()
                                .withdraw(in_school, id, app::platform::now(), &audit)
                                .await
                                .unwrap()
                        );
                    }
                    Prepare::InTeam => {
                        assert!(
                            s.store()
                                .add_member(in_school, team, id, false, &audit)
                                .await
                                .unwrap()
                                .is_some()
                        );
                    }
                }
                // The operator's grants are used on the operator's own routes (the story test
                // below); these endpoints are school work, and the operator has no school.
                let expected =
                    own && actor.is_some_and(|a| a != Role::Operator && (case.expected)(a, role));
                let form = (case.form)(&target);
                let borrowed: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let before = s.fingerprint().await;
                let status = browser.call(case.endpoint, &borrowed).await.status();
                let what = format!(
                    "{} by {} on a {} of {} school",
                    case.endpoint,
                    actor.map_or("anonymous", |a| a.code()),
                    role.code(),
                    if own { "its own" } else { "another" }
                );
                if expected {
                    assert_eq!(status, StatusCode::OK, "{what} should succeed");
                    allowed_seen += 1;
                } else {
                    assert!(
                        [
                            // A login from another school is "not found" as a form field.
                            StatusCode::BAD_REQUEST,
                            StatusCode::UNAUTHORIZED,
                            StatusCode::FORBIDDEN,
                            StatusCode::NOT_FOUND,
                            StatusCode::CONFLICT,
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
    let rows: usize = cases()
        .iter()
        .map(|c| school_roles().len() + usize::from(c.names_person))
        .sum();
    assert_eq!(checked, rows * callers.len());
    assert!(allowed_seen > 0 && allowed_seen < checked);
}

async fn ready(s: &TestServer, school: i64, role: Role, first: &str) -> (i64, String, Browser) {
    let (id, login) = s
        .person(
            school,
            role,
            first,
            "Muster",
            None,
            Some(SIGNED_IN_PASSWORD),
        )
        .await;
    let b = s.browser();
    assert_eq!(
        b.login(&login, SIGNED_IN_PASSWORD).await.status(),
        StatusCode::OK
    );
    (id, login, b)
}

// SEC-1, MAIL-4: create -> slip -> sign in -> open case -> read. An administrator who wants to
// read a pupil's mail through a management account fails at the first step, whichever way.
#[tokio::test]
async fn sec_1_story_admin_cannot_reach_management() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, _, admin) = ready(&s, school, Role::Admin, "Ada").await;
    let before = s.fingerprint().await;
    // Step 1, refused: a management account.
    let created = admin
        .call(
            "users/create",
            &[
                ("first_name", "Max"),
                ("last_name", "Macht"),
                ("role", "management"),
                ("class", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::FORBIDDEN);
    // Step 1 the other way, refused: a colleague administrator, or a promotion.
    let colleague = admin
        .call(
            "users/create",
            &[
                ("first_name", "Zweit"),
                ("last_name", "Admin"),
                ("role", "admin"),
                ("class", ""),
            ],
        )
        .await;
    assert_eq!(colleague.status(), StatusCode::FORBIDDEN);
    let (teacher, _) = s
        .person(school, Role::Teacher, "Lea", "Lehrerin", None, None)
        .await;
    let promoted = admin
        .call(
            "users/set-role",
            &[("user_id", &teacher.to_string()), ("role", "management")],
        )
        .await;
    assert_eq!(promoted.status(), StatusCode::FORBIDDEN);
    // Step 2, refused: the slip of an existing management account.
    let (head, _) = s
        .person(school, Role::Management, "Hanna", "Haupt", None, None)
        .await;
    let slip = admin
        .call(
            "users/start-passwords",
            &[("user_ids[0]", &head.to_string())],
        )
        .await;
    assert_eq!(slip.status(), StatusCode::FORBIDDEN);
    let slip_page = admin
        .client
        .post(s.url("/admin/slips"))
        .form(&[("user_id", head.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(slip_page.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.fingerprint().await.len(), before.len());
    assert_eq!(
        s.scalar("SELECT COUNT(*) FROM users WHERE role = 'management'")
            .await,
        1,
        "no management account came into existence"
    );
    assert_eq!(
        s.scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {head} AND must_change_password"
        ))
        .await,
        0
    );
}

// SEC-1: the secretariat manages pupils only: no administrator, no teacher's slip, and a
// request for several people is refused whole, naming the one it may not touch.
#[tokio::test]
async fn sec_1_story_secretariat_manages_pupils_only() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, _, office) = ready(&s, school, Role::Secretariat, "Sabine").await;
    let admin = office
        .call(
            "users/create",
            &[
                ("first_name", "Neu"),
                ("last_name", "Admin"),
                ("role", "admin"),
                ("class", ""),
            ],
        )
        .await;
    assert_eq!(admin.status(), StatusCode::FORBIDDEN);
    let (pupil, _) = s
        .person(school, Role::Pupil, "Emma", "Kind", Some("2b"), None)
        .await;
    let (teacher, _) = s
        .person(school, Role::Teacher, "Lea", "Lehrerin", None, None)
        .await;
    let before = s.fingerprint().await;
    let both = office
        .call(
            "users/start-passwords",
            &[
                ("user_ids[0]", &pupil.to_string()),
                ("user_ids[1]", &teacher.to_string()),
            ],
        )
        .await;
    assert_eq!(both.status(), StatusCode::FORBIDDEN);
    let body = both.text().await.unwrap();
    assert!(
        body.contains("Lea Lehrerin"),
        "the refusal names whom: {body}"
    );
    assert_eq!(
        s.fingerprint().await,
        before,
        "refused whole: not even the pupil's slip"
    );
    let alone = office
        .call(
            "users/start-passwords",
            &[("user_ids[0]", &pupil.to_string())],
        )
        .await;
    assert_eq!(alone.status(), StatusCode::OK);
}

// SEC-1, ACC-3: nobody adds themself to a group; the owners are told of every change, by name.
#[tokio::test]
async fn sec_1_story_no_self_added_owner_and_owners_are_told() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, office_login, office) = ready(&s, school, Role::Secretariat, "Sabine").await;
    let (owner, owner_login, owner_browser) = ready(&s, school, Role::Teacher, "Olga").await;
    let team = team(&s, school).await;
    let audit = AuditEvent::new("test.owner", &RequestInfo::default());
    s.store()
        .add_member(school, team, owner, true, &audit)
        .await
        .unwrap();
    let before = s.fingerprint().await;
    let selfish = office
        .call(
            "groups/add-member",
            &[
                ("group_id", &team.to_string()),
                ("login", &office_login),
                ("owner", "true"),
            ],
        )
        .await;
    assert_eq!(selfish.status(), StatusCode::CONFLICT);
    assert_eq!(s.fingerprint().await, before);
    let (_, lea) = s
        .person(school, Role::Teacher, "Lea", "Lehrerin", None, None)
        .await;
    let added = office
        .call(
            "groups/add-member",
            &[
                ("group_id", &team.to_string()),
                ("login", &lea),
                ("owner", "false"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    assert_eq!(
        s.scalar(&format!(
            "SELECT COUNT(*) FROM mail_items i JOIN mail_messages m ON m.id = i.message_id
             WHERE i.user_id = {owner} AND m.kind = 'notice'"
        ))
        .await,
        1,
        "the owner {owner_login} is told about the change"
    );
    let text = s
        .text("SELECT body_text FROM mail_messages WHERE kind = 'notice' ORDER BY id DESC LIMIT 1")
        .await;
    assert!(
        text.contains("Sabine Muster hat Lea Lehrerin zur Gruppe Schulchor hinzugefügt"),
        "{text}"
    );
    drop(owner_browser);
}

// SEC-1, PW-2: the remaining path, made visible. An administrator resets a teacher; the
// teacher sees at the next sign-in who did it and when, and the reset is audited.
#[tokio::test]
async fn sec_1_story_reset_is_shown_to_its_owner() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, _, admin) = ready(&s, school, Role::Admin, "Ada").await;
    let (teacher, login) = s
        .person(
            school,
            Role::Teacher,
            "Lea",
            "Lehrerin",
            None,
            Some(SIGNED_IN_PASSWORD),
        )
        .await;
    let page = admin
        .client
        .post(s.url("/admin/slips"))
        .form(&[("user_id", teacher.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let start = start_password(&page.text().await.unwrap(), 0);
    let lea = s.browser();
    assert_eq!(lea.login(&login, &start).await.status(), StatusCode::OK);
    let password_page = lea.page("/password").await;
    assert!(
        password_page.contains("data-testid=\"reset-notice\""),
        "{password_page}"
    );
    assert!(password_page.contains("Ada Muster"), "names who reset it");
    assert_eq!(
        s.scalar(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'auth.start_password_issued' AND subject_id = {teacher}"
        ))
        .await,
        1
    );
}

// SEC-1: the operator creates a school's management and resets an administrator's lost
// password; a school administrator can use neither route.
#[tokio::test]
async fn sec_1_story_operator_sets_up_and_resets() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let operator = s.signed_in_operator().await;
    let created = operator
        .client
        .post(s.url("/admin/schools/admin"))
        .form(&[
            ("school_id", school.to_string()),
            ("first_name", "Hanna".into()),
            ("last_name", "Haupt".into()),
            ("role", "management".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(
        s.scalar("SELECT COUNT(*) FROM users WHERE role = 'management'")
            .await,
        1
    );
    let (_, admin_login, admin) = ready(&s, school, Role::Admin, "Ada").await;
    let reset = operator
        .client
        .post(s.url("/admin/schools/start-password"))
        .form(&[
            ("school_id", school.to_string()),
            ("login", admin_login.clone()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    assert!(!start_password(&reset.text().await.unwrap(), 0).is_empty());
    // The operator resets no pupil: that is the school's, in person.
    let (_, pupil) = s
        .person(school, Role::Pupil, "Emma", "Kind", None, None)
        .await;
    let refused = operator
        .client
        .post(s.url("/admin/schools/start-password"))
        .form(&[("school_id", school.to_string()), ("login", pupil)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The administrator's session ended with the reset; a fresh one cannot use the routes.
    let (_, _, other_admin) = ready(&s, school, Role::Admin, "Otto").await;
    let before = s.fingerprint().await;
    for (path, form) in [
        (
            "/admin/schools/admin",
            vec![
                ("school_id", school.to_string()),
                ("first_name", "Max".into()),
                ("last_name", "Macht".into()),
                ("role", "management".into()),
            ],
        ),
        (
            "/admin/schools/start-password",
            vec![
                ("school_id", school.to_string()),
                ("login", admin_login.clone()),
            ],
        ),
    ] {
        let answer = other_admin
            .client
            .post(s.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(s.fingerprint().await, before);
    drop(admin);
}

// SEC-1: plain routes apply the setup gate like server functions: once a new policy waits for
// acceptance, the secretariat gets no slips and no people list until it has accepted.
#[tokio::test]
async fn sec_1_plain_routes_apply_the_setup_gate() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, _, office) = ready(&s, school, Role::Secretariat, "Sabine").await;
    let (pupil, _) = s
        .person(school, Role::Pupil, "Emma", "Kind", Some("2b"), None)
        .await;
    let audit = AuditEvent::new("test.policy", &RequestInfo::default());
    s.store()
        .publish_policy(school, "Neue Regeln.", "2027-08-01", &audit)
        .await
        .unwrap();
    let before = s.fingerprint().await;
    let slips = office
        .client
        .post(s.url("/admin/slips"))
        .form(&[("user_id", pupil.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(slips.status(), StatusCode::FORBIDDEN);
    let list = office.get("/admin/users.csv").await;
    assert_eq!(list.status(), StatusCode::FORBIDDEN);
    assert!(!list.text().await.unwrap().contains("emma.kind"));
    assert_eq!(s.fingerprint().await, before);
}
