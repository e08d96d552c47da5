//! The operator's schools (ACC-1) over real HTTP.

use crate::common::{TestServer, location};
use app::{auth::Role, error::AppError, i18n::Key, schools::SchoolSummary};
use reqwest::StatusCode;

const GOOD: &str = "Blaue#Kuh7";

// ACC-1: the operator creates schools and hands each its first administrator with a slip.
#[tokio::test]
async fn acc_1_the_operator_creates_schools_and_their_administrators() {
    let s = TestServer::start().await;
    s.user_with_password("betrieb", "Betrieb", "Admin", Role::Operator, GOOD)
        .await;
    let operator = s.browser();
    operator.login("betrieb", GOOD).await;

    let res = operator
        .call(
            "schools/create",
            &[
                ("name", "Paulusschule"),
                ("mail_domain", "Paulusschule.Example"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let school: i64 = res.json().await.unwrap();
    let res = operator
        .call(
            "schools/create",
            &[("name", "Kopie"), ("mail_domain", "paulusschule.example")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        res.json::<AppError>()
            .await
            .unwrap()
            .field_message("mail_domain"),
        Some(Key::SchoolsDomainTaken)
    );
    let res = operator
        .call(
            "schools/create",
            &[("name", "X"), ("mail_domain", "kein domain")],
        )
        .await;
    assert_eq!(
        res.json::<AppError>()
            .await
            .unwrap()
            .field_message("mail_domain"),
        Some(Key::SchoolsDomainInvalid)
    );

    let res = operator
        .client
        .post(s.url("/admin/schools/admin"))
        .form(&[
            ("school_id", school.to_string()),
            ("first_name", "Anton".into()),
            ("last_name", "Admin".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let start = crate::common::start_password(&page, 0);
    assert!(page.contains("anton.admin") && page.contains("Paulusschule"));

    let schools: Vec<SchoolSummary> = operator
        .call("schools/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            schools.len(),
            schools[0].people,
            schools[0].mail_domain.as_str()
        ),
        (1, 1, "paulusschule.example")
    );
    assert!(
        operator
            .page("/admin/schools")
            .await
            .contains("data-testid=\"school-row\"")
    );
    // Issue 18 §6: the table names who runs each school, and a second click makes nobody twice.
    assert_eq!(schools[0].leaders.len(), 1);
    assert_eq!(
        (
            schools[0].leaders[0].login.as_str(),
            schools[0].leaders[0].role
        ),
        ("anton.admin", Role::Admin)
    );
    let page = operator.page("/admin/schools").await;
    assert!(page.contains("<code>anton.admin</code>"), "{page}");
    let again = operator
        .client
        .post(s.url("/admin/schools/admin"))
        .form(&[
            ("school_id", school.to_string()),
            ("first_name", "Anton".into()),
            ("last_name", "admin".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let page = again.text().await.unwrap();
    assert!(
        page.contains("Diese Person gibt es hier schon: Anton Admin (anton.admin)"),
        "{page}"
    );
    assert_eq!(s.count("users").await, 2, "the operator and Anton, once");

    let admin = s.browser();
    assert_eq!(
        location(&admin.login("anton.admin", &start).await),
        "/policy"
    );
    let policy: app::policy::PolicyText = admin
        .call("policy/current", &[])
        .await
        .json()
        .await
        .unwrap();
    admin
        .call("policy/accept", &[("version_id", &policy.id.to_string())])
        .await;
    admin
        .call(
            "auth/password",
            &[("current", &start), ("new", GOOD), ("repeat", GOOD)],
        )
        .await;
    let res = admin
        .call(
            "users/list",
            &[("query", ""), ("sort", "name"), ("page", "1")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the new administrator manages their school"
    );
    assert_eq!(
        admin.call("schools/list", &[]).await.status(),
        StatusCode::FORBIDDEN,
        "but not the deployment"
    );
    let res = admin
        .client
        .post(s.url("/admin/schools/admin"))
        .form(&[
            ("school_id", school.to_string()),
            ("first_name", "Noch".into()),
            ("last_name", "Einer".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count("users").await, 2);
}
