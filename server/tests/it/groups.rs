//! Classes and teams (ACC-3) over real HTTP.

use crate::common::TestServer;
use app::{
    auth::Role,
    error::AppError,
    groups::{GroupDetail, GroupKind, GroupSummary},
    i18n::Key,
};
use reqwest::StatusCode;

const GOOD: &str = "Blaue#Kuh7";

// ACC-3: classes come from people's classes; teams are made by hand; both have members and owners.
#[tokio::test]
async fn acc_3_classes_and_teams_with_members_and_owners() {
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
    s.person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    s.person(school, Role::Teacher, "Lena", "Lehrer", Some("2b"), None)
        .await;
    let (tom, _) = s
        .person(school, Role::Pupil, "Tom", "Berg", Some("3a"), None)
        .await;
    let other = s.school("Andere Schule", "andere.example").await;
    s.person(other, Role::Pupil, "Fremd", "Kind", Some("2b"), None)
        .await;
    let b = s.browser();
    b.login(&office, GOOD).await;

    let groups: Vec<GroupSummary> = b
        .call("groups/list", &[("query", "")])
        .await
        .json()
        .await
        .unwrap();
    let two_b = groups.iter().find(|g| g.name == "2b").unwrap();
    assert_eq!(
        (two_b.kind, two_b.members, two_b.owners.clone()),
        (GroupKind::Class, 2, vec!["Lena Lehrer".to_string()])
    );
    assert_eq!(groups.len(), 2, "ACC-1: not the other school's 2b");

    let res = b.call("groups/create-team", &[("name", "Schulchor")]).await;
    let choir: i64 = res.json().await.unwrap();
    let taken = b.call("groups/create-team", &[("name", "Schulchor")]).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let classy = b.call("groups/create-team", &[("name", "4c")]).await;
    assert_eq!(
        classy
            .json::<AppError>()
            .await
            .unwrap()
            .field_message("name"),
        Some(Key::GroupsNameIsClass)
    );

    let id = choir.to_string();
    assert_eq!(
        b.call(
            "groups/add-member",
            &[
                ("group_id", &id),
                ("login", "mia.schulz"),
                ("owner", "false")
            ]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        b.call(
            "groups/add-member",
            &[
                ("group_id", &id),
                ("login", "lena.lehrer"),
                ("owner", "true")
            ]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        b.call(
            "groups/add-member",
            &[("group_id", &id), ("login", "tom.berg"), ("owner", "false")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let res = b
        .call(
            "groups/add-member",
            &[
                ("group_id", &id),
                ("login", "fremd.kind"),
                ("owner", "false"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "another school's pupil cannot join"
    );
    assert_eq!(
        b.call(
            "groups/remove-member",
            &[("group_id", &id), ("user_id", &tom.to_string())]
        )
        .await
        .status(),
        StatusCode::OK
    );

    let detail: GroupDetail = b
        .call("groups/detail", &[("group_id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let members: Vec<(&str, bool)> = detail
        .members
        .iter()
        .map(|m| (m.login.as_str(), m.owner))
        .collect();
    assert_eq!(members, vec![("lena.lehrer", true), ("mia.schulz", false)]);
    let page = b.page(&format!("/admin/groups/{id}")).await;
    assert_eq!(page.matches("data-testid=\"member-row\"").count(), 2);
    let list = b.page("/admin/groups?q=chor").await;
    assert_eq!(list.matches("data-testid=\"group-row\"").count(), 1);

    let (_, pupil) = s
        .person(school, Role::Pupil, "Ida", "Anders", Some("1a"), Some(GOOD))
        .await;
    let ida = s.browser();
    ida.login(&pupil, GOOD).await;
    assert_eq!(
        ida.call("groups/list", &[("query", "")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ida.call("groups/create-team", &[("name", "Bande")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
