//! The storage layer on the backend named by `SCHULHOF_TEST_BACKEND`.

use crate::common::TestServer;
use app::{
    audit::{AuditEvent, ChainStatus},
    platform::RequestInfo,
};

// SQLite writes never fail with "database is locked": 50 writers at once all commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_writers_all_commit() {
    let s = TestServer::start().await;
    let store = s.store();
    let writers: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let audit = AuditEvent::new("school.created", &RequestInfo::default());
                store
                    .create_school(
                        &format!("Schule {i}"),
                        &format!("schule{i}.example"),
                        &audit,
                    )
                    .await
            })
        })
        .collect();
    for writer in writers {
        assert!(writer.await.unwrap().unwrap().is_some());
    }
    assert_eq!(store.schools().await.unwrap().len(), 50);
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::Intact(50),
        "LOG-3: the chain stays in order"
    );
}

// ACC-1: a mail domain belongs to one school only.
#[tokio::test]
async fn acc_1_school_domains_are_unique() {
    let s = TestServer::start().await;
    let audit = AuditEvent::new("school.created", &RequestInfo::default());
    assert!(
        s.store()
            .create_school("Paulusschule", "paulusschule.example", &audit)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.store()
            .create_school("Andere", "paulusschule.example", &audit)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(s.count("schools").await, 1);
    assert_eq!(
        s.count("audit_events").await,
        1,
        "only what happened is recorded"
    );
}

// LOG-3: editing or deleting an audit row breaks the chain at that row.
#[tokio::test]
async fn log_3_tampering_with_the_audit_log_is_detected() {
    let s = TestServer::start().await;
    let audit = AuditEvent::new("school.created", &RequestInfo::default());
    for i in 0..4 {
        s.store()
            .create_school(&format!("S{i}"), &format!("s{i}.example"), &audit)
            .await
            .unwrap();
    }
    assert_eq!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::Intact(4)
    );
    s.sql("UPDATE audit_events SET details = 'nothing happened' WHERE id = 2")
        .await;
    assert_eq!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(2)
    );
    s.sql("UPDATE audit_events SET details = '' WHERE id = 2")
        .await;
    assert_eq!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::Intact(4)
    );
    s.sql("DELETE FROM audit_events WHERE id = 3").await;
    assert_eq!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(4)
    );
}

// The operator exists from the first start, exactly once, even with several servers starting.
#[tokio::test]
async fn the_operator_is_created_once() {
    let s = TestServer::start().await;
    let first = app::auth::session::ensure_operator(&s.state).await.unwrap();
    let second = app::auth::session::ensure_operator(&s.state).await.unwrap();
    assert!(first.is_some() && second.is_none());
    assert_eq!(s.count("users").await, 1);
}
