//! People management (ACC-2, ADM-2, VIOL-2, PW-2) over real HTTP.

use crate::common::{TestServer, location};
use app::{
    auth::Role,
    users::{Slip, UserList},
};
use reqwest::{StatusCode, header};

const GOOD: &str = "Blaue#Kuh7";

// ACC-2: logins come from names, transliterated, with clashes numbered.
#[tokio::test]
async fn acc_2_created_people_get_logins_from_their_names() {
    let s = TestServer::start().await;
    let (_, office) = s.school_with(Role::Secretariat).await;
    let create = |first: &'static str, last: &'static str, class: &'static str| {
        let office = &office;
        async move {
            office
                .call(
                    "users/create",
                    &[
                        ("first_name", first),
                        ("last_name", last),
                        ("role", "pupil"),
                        ("class", class),
                    ],
                )
                .await
        }
    };
    let res = create("Max", "Müller", "2B").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<String>().await.unwrap(), "max.mueller");
    assert_eq!(
        create("Max", "Müller", "")
            .await
            .json::<String>()
            .await
            .unwrap(),
        "max.mueller2"
    );
    assert_eq!(
        create("Zoë", "Groß", "")
            .await
            .json::<String>()
            .await
            .unwrap(),
        "zoe.gross"
    );

    let res = create("Mia", "Schulz", "5x").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: app::error::AppError = res.json().await.unwrap();
    assert_eq!(
        err.field_message("class"),
        Some(app::i18n::Key::UsersClassInvalid)
    );
    assert_eq!(
        create("😀", "🎉", "").await.status(),
        StatusCode::BAD_REQUEST,
        "no login can be made"
    );
    assert_eq!(
        create("", "Schulz", "").await.status(),
        StatusCode::BAD_REQUEST
    );

    let list: UserList = office
        .call(
            "users/list",
            &[("query", "mueller"), ("sort", "login"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    let logins: Vec<&str> = list.rows.iter().map(|r| r.login.as_str()).collect();
    assert_eq!(logins, ["max.mueller", "max.mueller2"]);
    assert_eq!(list.rows[0].class.as_deref(), Some("2b"));
}

// ADM-2, UX-3: search, sort and paging; pupils and other schools see nothing.
#[tokio::test]
async fn adm_2_the_people_table_pages_and_searches() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    for i in 0..60 {
        s.person(
            school,
            Role::Pupil,
            &format!("Kind{i:02}"),
            "Klasse",
            Some("3a"),
            None,
        )
        .await;
    }
    let other = s.school("Andere Schule", "andere.example").await;
    s.person(other, Role::Pupil, "Fremd", "Kind", None, None)
        .await;

    let page1: UserList = office
        .call(
            "users/list",
            &[("query", ""), ("sort", "name"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (page1.total, page1.rows.len()),
        (61, 50),
        "60 pupils and the office, not the other school"
    );
    let page2: UserList = office
        .call(
            "users/list",
            &[("query", ""), ("sort", "name"), ("page", "2")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page2.rows.len(), 11);
    let found: UserList = office
        .call(
            "users/list",
            &[("query", "kind0"), ("sort", "name"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.total, 10);
    let none: UserList = office
        .call(
            "users/list",
            &[("query", "fremd"), ("sort", "name"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none.total, 0, "ACC-1: another school's people never show");
    let wild: UserList = office
        .call(
            "users/list",
            &[("query", "%"), ("sort", "name"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wild.total, 0, "a typed % is searched for, not a wildcard");

    let page = office
        .get("/admin/users?q=kind0&sort=name&page=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-testid=\"user-row\"").count(), 10);
    assert!(page.contains("10 Personen"));
    assert!(
        page.contains("modulepreload"),
        "the live selection count is an island: this page loads the WASM"
    );
}

// VIOL-2: a lock with a reason signs the user out everywhere and keeps them out; unlocking needs a reason too.
#[tokio::test]
async fn viol_2_locked_accounts_are_signed_out_and_cannot_log_in() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    let (pupil_id, pupil_login) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), Some(GOOD))
        .await;
    let pupil = s.browser();
    pupil.login(&pupil_login, GOOD).await;
    assert_eq!(pupil.get("/").await.status(), StatusCode::OK);

    let id = pupil_id.to_string();
    assert_eq!(
        office
            .call("users/lock", &[("user_id", &id), ("reason", "  ")])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        office
            .call(
                "users/lock",
                &[("user_id", &id), ("reason", "Beleidigungen im Chat")]
            )
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        location(&pupil.get("/").await),
        "/login",
        "signed out at once"
    );
    let res = s.browser().login(&pupil_login, GOOD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let err: app::error::AppError = res.json().await.unwrap();
    assert_eq!(err.message, app::i18n::Key::ErrorLocked);

    assert_eq!(
        office
            .call("users/unlock", &[("user_id", &id), ("reason", "")])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        office
            .call(
                "users/unlock",
                &[("user_id", &id), ("reason", "Gespräch mit den Eltern")]
            )
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.browser().login(&pupil_login, GOOD).await.status(),
        StatusCode::OK
    );
    let actions: Vec<String> = s
        .store()
        .recent_actions(10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert!(
        actions.contains(&"user.locked".into()) && actions.contains(&"user.unlocked".into()),
        "LOG-1"
    );
}

// PW-2: start passwords are printed once on slips; the slip works once and forces a new password.
#[tokio::test]
async fn pw_2_slips_show_the_start_password_once() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    let (a, _) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), Some(GOOD))
        .await;
    let (b, b_login) = s
        .person(school, Role::Pupil, "Tom", "Berg", Some("2b"), None)
        .await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (foreign, _) = s
        .person(other, Role::Pupil, "Fremd", "Kind", None, None)
        .await;

    let res = office
        .client
        .post(s.url("/admin/slips"))
        .form(&[
            ("user_id", a.to_string()),
            ("user_id", b.to_string()),
            ("user_id", foreign.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let page = res.text().await.unwrap();
    assert_eq!(
        page.matches("class=\"slip\"").count(),
        2,
        "the other school's pupil is left out"
    );
    assert!(
        page.contains("tom.berg") && page.contains("/login") && page.contains("<svg"),
        "login, address and QR code"
    );
    // The slips come in the order asked for: Tom's is the second.
    let start = crate::common::start_password(&page, 1);

    let tom = s.browser();
    let res = tom.login(&b_login, &start).await;
    assert_eq!(location(&res), "/policy", "VIOL-1: the policy comes first");
    let policy: app::policy::PolicyText =
        tom.call("policy/current", &[]).await.json().await.unwrap();
    let res = tom
        .call("policy/accept", &[("version_id", &policy.id.to_string())])
        .await;
    assert_eq!(
        location(&res),
        "/password",
        "then the first login forces a new password"
    );
    let res = tom
        .call(
            "auth/password",
            &[("current", &start), ("new", GOOD), ("repeat", GOOD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        s.browser().login(&b_login, &start).await.status(),
        StatusCode::UNAUTHORIZED,
        "used up"
    );

    let slips: Vec<Slip> = office
        .call("users/start-passwords", &[("user_ids[0]", &a.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(slips.len(), 1);
    assert_eq!(
        s.browser().login("mia.schulz", GOOD).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
}

// PW-2: a whole class at once, with the count in the confirmation; afterwards only the date shows.
#[tokio::test]
async fn pw_2_start_passwords_for_a_whole_class() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    s.person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    s.person(school, Role::Pupil, "Tom", "Berg", Some("2b"), None)
        .await;
    s.person(school, Role::Teacher, "Lena", "Lehrer", Some("2b"), None)
        .await;
    s.person(school, Role::Pupil, "Ida", "Anders", Some("3a"), None)
        .await;

    let page = office.get("/admin/users?q=2b").await.text().await.unwrap();
    assert!(
        page.contains("Für alle 2 Kinder der Klasse 2b"),
        "the confirmation names the count"
    );
    let res = office
        .client
        .post(s.url("/admin/slips"))
        .form(&[("class", "2b")])
        .send()
        .await
        .unwrap();
    let slips = res.text().await.unwrap();
    assert_eq!(
        slips.matches("class=\"slip\"").count(),
        2,
        "pupils of 2b only: {slips}"
    );
    assert!(
        slips.contains("mia.schulz")
            && slips.contains("tom.berg")
            && !slips.contains("lena.lehrer")
    );

    let page = office.get("/admin/users?q=2b").await.text().await.unwrap();
    assert_eq!(page.matches("Startpasswort ausgegeben am").count(), 2);
    let start = crate::common::start_password(&slips, 0);
    assert!(
        !page.contains(&start),
        "the password itself is never shown again"
    );
}

// ACC-3, LIFE-2: the detail page; administrators change roles (a rights change), the
// secretariat sets leaving dates; both are recorded.
#[tokio::test]
async fn acc_3_roles_and_leaving_dates_are_changed_by_the_right_people() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    let (_, admin_login) = s
        .person(school, Role::Admin, "Anton", "Admin", None, Some(GOOD))
        .await;
    let (mia, _) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    let id = mia.to_string();

    let res = office
        .call(
            "users/set-leaving-date",
            &[("user_id", &id), ("leaving_date", "31.07.2027")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bad = office
        .call(
            "users/set-leaving-date",
            &[("user_id", &id), ("leaving_date", "32.07.2027")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        office
            .call("users/set-role", &[("user_id", &id), ("role", "teacher")])
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "the office grants no rights"
    );

    let admin = s.browser();
    admin.login(&admin_login, GOOD).await;
    assert_eq!(
        admin
            .call("users/set-role", &[("user_id", &id), ("role", "teacher")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        admin
            .call("users/set-role", &[("user_id", &id), ("role", "operator")])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    let page = admin
        .get(&format!("/admin/users/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("2027-07-31") && page.contains("Lehrkraft"));
    let detail: app::users::UserSummary = admin
        .call("users/detail", &[("user_id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (detail.role, detail.leaving_date.as_deref()),
        (Role::Teacher, Some("2027-07-31"))
    );
    // SEC-1: now a teacher, the person is beyond the secretariat's reach; the admin clears it.
    let refused = office
        .call(
            "users/set-leaving-date",
            &[("user_id", &id), ("leaving_date", "")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let cleared = admin
        .call(
            "users/set-leaving-date",
            &[("user_id", &id), ("leaving_date", "")],
        )
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    let actions: Vec<String> = s
        .store()
        .recent_actions(5)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert!(
        actions.contains(&"user.role_changed".into())
            && actions.contains(&"user.leaving_date_set".into()),
        "LOG-1"
    );
}

// PW-2: a start password works once; the session it opened still leads to the password change.
#[tokio::test]
async fn pw_2_a_start_password_works_only_once() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    let (mia, login) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    let slips = office
        .client
        .post(s.url("/admin/slips"))
        .form(&[("user_id", mia.to_string())])
        .send()
        .await
        .unwrap();
    let start = crate::common::start_password(&slips.text().await.unwrap(), 0);
    let tablet = s.browser();
    assert_eq!(location(&tablet.login(&login, &start).await), "/policy");
    let someone_else = s.browser();
    assert_eq!(
        someone_else.login(&login, &start).await.status(),
        StatusCode::UNAUTHORIZED,
        "a slip left on a desk is used up"
    );
    let policy: app::policy::PolicyText = tablet
        .call("policy/current", &[])
        .await
        .json()
        .await
        .unwrap();
    tablet
        .call("policy/accept", &[("version_id", &policy.id.to_string())])
        .await;
    let res = tablet
        .call(
            "auth/password",
            &[("current", &start), ("new", GOOD), ("repeat", GOOD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        s.browser().login(&login, GOOD).await.status(),
        StatusCode::OK
    );
}
