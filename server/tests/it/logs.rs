//! LOG-2, LOG-3: reading the audit log, over real HTTP on the backend under test.
use app::auth::Role;
use reqwest::StatusCode;

use crate::common::{Browser, TestServer};

async fn open(b: &Browser, reason: &str, reference: &str) -> reqwest::Response {
    b.call("logs/open", &[("reason", reason), ("reference", reference)])
        .await
}

async fn events(b: &Browser, session: i64, kind: &str) -> reqwest::Response {
    let session = session.to_string();
    b.call(
        "logs/events",
        &[
            ("session", session.as_str()),
            ("from", ""),
            ("until", ""),
            ("user", ""),
            ("action", ""),
            ("kind", kind),
            ("page", "0"),
        ],
    )
    .await
}

// LOG-2: only management grants the right, never to themselves; a reader states a reason
// before seeing anything; sessions, queries and exports are logged; withdrawal ends it all.
#[tokio::test]
async fn log_2_reading_needs_a_named_person_and_a_reason() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, management) = s
        .ready_person(school, Role::Management, "Maria", None)
        .await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let (teacher_id, teacher) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (_, elsewhere) = s.ready_person(other, Role::Management, "Otto", None).await;
    let login = |id: i64| format!("SELECT login FROM users WHERE id = {id}");
    let teacher_login: String = s.text(&login(teacher_id)).await;
    let admin_login: String = s.text("SELECT login FROM users WHERE role = 'admin'").await;
    let management_login: String = s
        .text("SELECT login FROM users WHERE first_name = 'Maria'")
        .await;

    // Administrators have no right by default and cannot give it to themselves.
    assert_eq!(
        open(&admin, "Verdacht auf Passwortweitergabe", "A-1")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let res = admin.call("logs/grant", &[("login", &admin_login)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = management
        .call("logs/grant", &[("login", &management_login)])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "not even management grants itself"
    );
    let res = elsewhere
        .call("logs/grant", &[("login", &teacher_login)])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "not a person of the other school"
    );
    let res = management
        .call("logs/grant", &[("login", &teacher_login)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        s.count("audit_events WHERE action = 'log.right_granted'")
            .await,
        1
    );

    // Without a reason there is nothing to see.
    assert_eq!(
        events(&teacher, 1, "").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = open(&teacher, "kurz", "").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = open(
        &teacher,
        "Verdacht auf Weitergabe des Passworts",
        "Vorgang 2026/17",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let session: i64 = res.json().await.unwrap();
    assert_eq!(
        events(&management, session, "").await.status(),
        StatusCode::FORBIDDEN,
        "sessions are personal"
    );

    let page: serde_json::Value = events(&teacher, session, "log").await.json().await.unwrap();
    let actions: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"log.right_granted") && actions.contains(&"log.reading_opened"),
        "{actions:?}"
    );
    assert!(
        actions.iter().all(|a| a.starts_with("log.")),
        "the type filter works: {actions:?}"
    );
    assert!(page["chain"]["Intact"]["up_to"].as_i64().unwrap() > 0);
    assert_eq!(
        s.count("audit_events WHERE action = 'log.queried'").await,
        1
    );
    // Only this school's events: the other school's management is not in them.
    let all: serde_json::Value = events(&teacher, session, "").await.json().await.unwrap();
    assert!(!all.to_string().contains("andere.example") && !all.to_string().contains("Otto"));

    let csv = teacher
        .page(&format!("/logs/export.csv?session={session}&kind=log"))
        .await;
    assert!(csv.contains("log.reading_opened"));
    assert_eq!(
        s.count("audit_events WHERE action = 'log.exported'").await,
        1
    );
    let page = teacher.page(&format!("/logs?session={session}")).await;
    assert!(page.contains("Prüfkette intakt") && page.contains("Vorgang 2026/17"));

    let res = management
        .call("logs/withdraw", &[("user_id", &teacher_id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        events(&teacher, session, "").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.count("audit_events WHERE action = 'log.right_withdrawn'")
            .await,
        1
    );
}

// LOG-2: the operator reads only operator-level events.
#[tokio::test]
async fn log_2_the_operator_sees_only_operator_events() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    s.ready_person(school, Role::Management, "Maria", None)
        .await;
    let operator = s.signed_in_operator().await;
    let res = open(&operator, "Prüfung nach Störung am Morgen", "Ticket 42").await;
    let session: i64 = res.json().await.unwrap();
    let page: serde_json::Value = events(&operator, session, "").await.json().await.unwrap();
    let count = page["total"].as_i64().unwrap();
    let school_events = s
        .count(&format!("audit_events WHERE school_id = {school}"))
        .await;
    let operator_events = s.count("audit_events WHERE school_id IS NULL").await;
    assert!(school_events > 0);
    assert_eq!(
        count, operator_events,
        "all operator events, the query included, none of a school"
    );
}

// LOG-3: retention deletes what is past the school's period and the chain still verifies from
// the checkpoint; a later edit is still detected.
#[tokio::test]
async fn log_3_retention_keeps_the_chain_verifiable() {
    use app::audit::{AuditEvent, ChainStatus};
    use app::platform::RequestInfo;
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    for first in ["A", "B", "C"] {
        s.ready_person(school, Role::Teacher, first, None).await;
    }
    let total = s.count("audit_events").await;
    let cutoff = s.scalar("SELECT MIN(id) + 4 FROM audit_events").await;
    // The oldest events become older than the 183 days the school keeps them.
    s.sql(&format!(
        "UPDATE audit_events SET at = at - 200 * 86400 WHERE id <= {cutoff}"
    ))
    .await;
    let store = s.store();
    let audit = AuditEvent::new("audit.retention", &RequestInfo::default());
    let deleted = store
        .apply_retention(app::platform::now(), 183, &audit)
        .await
        .unwrap();
    assert_eq!(deleted, 5);
    // The five were the oldest of every school, so they are gone behind one start checkpoint.
    assert_eq!(s.count("audit_events").await, total - 5 + 1);
    assert_eq!(s.count("audit_checkpoints WHERE kind = 'start'").await, 1);
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::Intact(total - 5 + 1)
    );
    assert_eq!(
        store
            .apply_retention(app::platform::now(), 183, &audit)
            .await
            .unwrap(),
        0,
        "nothing more is due"
    );
    // The chain goes on, and an edit after the checkpoint is still found.
    s.ready_person(school, Role::Teacher, "D", None).await;
    assert!(matches!(
        store.verify_chain().await.unwrap(),
        ChainStatus::Intact(_)
    ));
    let victim = s.scalar("SELECT MAX(id) - 1 FROM audit_events").await;
    s.sql(&format!(
        "UPDATE audit_events SET details = 'harmlos' WHERE id = {victim}"
    ))
    .await;
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(victim)
    );
}
