//! The user policy (VIOL-1, LIFE-4) over real HTTP.

use crate::common::{TestServer, location};
use app::{auth::Role, error::AppError, i18n::Key, policy::PolicyText};
use reqwest::StatusCode;

const GOOD: &str = "Blaue#Kuh7";

// LIFE-4: a new school starts with the town's policy, effective 01.08.2020.
#[tokio::test]
async fn life_4_new_schools_carry_the_default_policy() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let policy = s.store().current_policy(school).await.unwrap().unwrap();
    assert_eq!(
        (policy.version, policy.effective_date.as_str()),
        (1, "2020-08-01")
    );
    assert!(policy.body.contains("Benutzerordnung") && policy.body.contains("01.08.2020"));
}

// VIOL-1: nothing works before the policy is accepted; then the password; then everything.
#[tokio::test]
async fn viol_1_the_policy_is_accepted_before_anything_else() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, login) = s
        .person(school, Role::Pupil, "Tom", "Berg", Some("2b"), None)
        .await;
    let start = app::auth::session::issue_start_password(
        &s.state,
        &login,
        14,
        app::audit::AuditEvent::new("test", &Default::default()),
    )
    .await
    .unwrap();
    let tom = s.browser();
    assert_eq!(
        location(&tom.login(&login, start.expose()).await),
        "/policy"
    );
    assert_eq!(location(&tom.get("/").await), "/policy");
    assert_eq!(location(&tom.get("/password").await), "/policy");
    let res = tom.call("account/activity", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.json::<AppError>().await.unwrap().message,
        Key::ErrorSetupFirst
    );
    let res = tom
        .call(
            "auth/password",
            &[("current", start.expose()), ("new", GOOD), ("repeat", GOOD)],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "not even the password before the policy"
    );

    let page = tom.page("/policy").await;
    assert!(page.contains("Benutzerordnung") && page.contains("Fassung 1, gültig ab 01.08.2020"));
    let policy: PolicyText = tom.call("policy/current", &[]).await.json().await.unwrap();
    let res = tom
        .call(
            "policy/accept",
            &[("version_id", &(policy.id + 100).to_string())],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "only the current version can be accepted"
    );
    let res = tom
        .submit(
            "policy/accept",
            "/policy",
            &[("version_id", &policy.id.to_string())],
        )
        .await;
    assert_eq!(location(&res), "/password");
    let res = tom
        .call(
            "auth/password",
            &[("current", start.expose()), ("new", GOOD), ("repeat", GOOD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(tom.get("/").await.status(), StatusCode::OK);
    let actions: Vec<String> = s
        .store()
        .recent_actions(5)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert!(
        actions.contains(&"policy.accepted".into()),
        "LOG-1: acceptance is recorded"
    );
}

// VIOL-1: a new version published by school management must be accepted again.
#[tokio::test]
async fn viol_1_a_new_version_is_accepted_again() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, head) = s
        .person(
            school,
            Role::Management,
            "Hanna",
            "Leitung",
            None,
            Some(GOOD),
        )
        .await;
    let (_, office) = s
        .person(
            school,
            Role::Secretariat,
            "Sabine",
            "Sekretär",
            None,
            Some(GOOD),
        )
        .await;
    let (_, pupil) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), Some(GOOD))
        .await;
    let (management, secretariat, mia) = (s.browser(), s.browser(), s.browser());
    management.login(&head, GOOD).await;
    secretariat.login(&office, GOOD).await;
    mia.login(&pupil, GOOD).await;
    assert_eq!(mia.get("/").await.status(), StatusCode::OK);

    let args = [
        ("body", "Neue Regeln für alle."),
        ("effective_date", "2027-08-01"),
    ];
    assert_eq!(
        secretariat.call("policy/publish", &args).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = management
        .call(
            "policy/publish",
            &[("body", "x"), ("effective_date", "1.8.2027")],
        )
        .await;
    assert_eq!(
        res.json::<AppError>()
            .await
            .unwrap()
            .field_message("effective_date"),
        Some(Key::PolicyDateInvalid)
    );
    assert_eq!(
        management
            .call(
                "policy/publish",
                &[("body", " "), ("effective_date", "2027-08-01")]
            )
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let res = management.call("policy/publish", &args).await;
    assert_eq!(res.json::<i64>().await.unwrap(), 2);

    assert_eq!(
        location(&mia.get("/").await),
        "/policy",
        "Mia must read version 2"
    );
    let policy: PolicyText = mia.call("policy/current", &[]).await.json().await.unwrap();
    assert_eq!(
        (policy.version, policy.body.as_str()),
        (2, "Neue Regeln für alle.")
    );
    mia.call("policy/accept", &[("version_id", &policy.id.to_string())])
        .await;
    assert_eq!(mia.get("/").await.status(), StatusCode::OK);
}

// Issue 18 §7, VIOL-1: the policy page leads with the rules in a child's words and pictures;
// management rewrites them, which publishes no version and asks nobody to accept again.
#[tokio::test]
async fn ux_7_the_policy_has_a_childs_summary_that_management_edits() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, head) = s
        .person(
            school,
            Role::Management,
            "Hanna",
            "Leitung",
            None,
            Some(GOOD),
        )
        .await;
    let (_, pupil) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), Some(GOOD))
        .await;
    let (management, mia) = (s.browser(), s.browser());
    management.login(&head, GOOD).await;
    mia.login(&pupil, GOOD).await;

    let page = mia.page("/policy").await;
    let summary = page
        .find("data-testid=\"policy-summary\"")
        .expect("a summary");
    let legal = page.find("Verhaltensregeln").expect("the legal text");
    assert!(summary < legal, "the summary comes first");
    assert!(page.contains("Mein Passwort gehört nur mir.") && page.contains("rule-passwort"));
    assert!(!page.contains("save-summary"), "a pupil edits nothing");
    assert_eq!(
        mia.call("policy/summary", &[("summary", "post: Hallo")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let res = management
        .submit(
            "policy/summary",
            "/policy",
            &[("summary", "passwort: Geheim.\nbild: Falsch.")],
        )
        .await;
    assert!(res.status().is_redirection(), "back to the form");
    let back = location(&res);
    let page = management
        .page(&back[back.find("/policy").unwrap()..])
        .await;
    assert!(
        page.contains("Zeile 2 beginnt nicht mit einem Bild-Namen"),
        "{page}"
    );
    assert!(page.contains("bild: Falsch."), "the text typed is kept");
    assert!(
        mia.page("/policy")
            .await
            .contains("Mein Passwort gehört nur mir."),
        "nothing changed"
    );

    let res = management
        .submit(
            "policy/summary",
            "/policy",
            &[(
                "summary",
                "passwort: Das Passwort bleibt geheim.\nhilfe: Frag deine Lehrerin.",
            )],
        )
        .await;
    assert_eq!(location(&res), "/policy");
    assert_eq!(
        mia.get("/").await.status(),
        StatusCode::OK,
        "nobody accepts again"
    );
    let policy: PolicyText = mia.call("policy/current", &[]).await.json().await.unwrap();
    assert_eq!(policy.version, 1, "no new version");
    let page = mia.page("/policy").await;
    assert!(page.contains("Das Passwort bleibt geheim.") && page.contains("rule-hilfe"));
    assert!(!page.contains("Mein Passwort gehört nur mir."));

    management.call("policy/summary", &[("summary", " ")]).await;
    assert!(
        mia.page("/policy")
            .await
            .contains("Mein Passwort gehört nur mir."),
        "empty restores"
    );
}

// VIOL-1: the secretariat records the parents' signed form, for its own pupils only.
#[tokio::test]
async fn viol_1_parents_signed_forms_are_recorded() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, office) = s
        .person(
            school,
            Role::Secretariat,
            "Sabine",
            "Sekretär",
            None,
            Some(GOOD),
        )
        .await;
    let (mia, _) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    let (foreign, _) = s
        .person(other, Role::Pupil, "Fremd", "Kind", None, None)
        .await;
    let b = s.browser();
    b.login(&office, GOOD).await;
    assert_eq!(
        b.call("policy/parent-consent", &[("user_id", &mia.to_string())])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(s.count("parent_consents").await, 1);
    assert_eq!(
        b.call(
            "policy/parent-consent",
            &[("user_id", &foreign.to_string())]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.count("parent_consents").await, 1);
}

// VIOL-1: printable consent forms per pupil and per class, and the recorded form in the table.
#[tokio::test]
async fn viol_1_consent_forms_print_and_show_as_recorded() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, office) = s
        .person(
            school,
            Role::Secretariat,
            "Sabine",
            "Sekretär",
            None,
            Some(GOOD),
        )
        .await;
    let (mia, _) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    s.person(school, Role::Pupil, "Tom", "Berg", Some("2b"), None)
        .await;
    let b = s.browser();
    b.login(&office, GOOD).await;

    let class = b.page("/admin/consent-forms?class=2b").await;
    assert_eq!(class.matches("data-testid=\"consent-form\"").count(), 2);
    assert!(
        class.contains("Unterschrift der Erziehungsberechtigten")
            && class.contains("tritt am 01.08.2020 in Kraft")
    );
    let one = b.page(&format!("/admin/consent-forms?user_id={mia}")).await;
    assert_eq!(one.matches("data-testid=\"consent-form\"").count(), 1);
    assert!(one.contains("Mia Schulz · 2b"));

    b.submit(
        "policy/parent-consent",
        "/admin/users",
        &[("user_id", &mia.to_string())],
    )
    .await;
    let table = b.page("/admin/users?q=2b").await;
    assert_eq!(table.matches("data-testid=\"consent-given\"").count(), 1);
    let pupil = s.browser();
    assert_eq!(
        location(&pupil.get("/admin/consent-forms?class=2b").await),
        "/login"
    );
}
