//! SEC-5 (LOG-1, LOG-3, LIFE-3): the audit chain is anchored at both ends, accepts only the
//! changes Schulhof itself records, pseudonymises exactly one person, and keeps each school's
//! retention period, on the backend under test.
use app::audit::{AuditEvent, ChainStatus};
use app::auth::Role;
use app::platform::RequestInfo;
use reqwest::StatusCode;

use crate::common::TestServer;

/// Writes one event of `school` with `details`, as a feature would.
async fn note(s: &TestServer, school: Option<i64>, details: &str) -> i64 {
    let event = AuditEvent::new("test.note", &RequestInfo::default())
        .school(school)
        .details(details);
    s.store().record(&event).await.unwrap();
    s.scalar("SELECT MAX(id) FROM audit_events").await
}

// SEC-5: deleting the newest rows leaves a chain that still links; the MACed head finds it.
// The log page's incremental check starts from the last good mark and still sees new damage.
#[tokio::test]
async fn sec_5_deleting_the_newest_rows_is_detected() {
    let s = TestServer::start().await;
    for i in 0..5 {
        note(&s, None, &format!("Ereignis {i}")).await;
    }
    let store = s.store();
    assert_eq!(store.verify_recent().await.unwrap(), ChainStatus::Intact(5));
    let last = s.scalar("SELECT MAX(id) FROM audit_events").await;
    s.sql(&format!("DELETE FROM audit_events WHERE id = {last}"))
        .await;
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(last)
    );
    assert_eq!(
        store.verify_recent().await.unwrap(),
        ChainStatus::BrokenAt(last)
    );
    // Moving the head along with the deletion needs the key: its MAC no longer fits.
    s.sql(&format!(
        "UPDATE audit_head SET event_count = event_count - 1, last_event_id = {prev},
           last_hash = (SELECT hash FROM audit_events WHERE id = {prev})",
        prev = last - 1
    ))
    .await;
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(last - 1)
    );
}

// SEC-5: a checkpoint without the key's MAC is refused, and so is a row placed before the
// start of the chain.
#[tokio::test]
async fn sec_5_checkpoints_carry_a_mac() {
    let s = TestServer::start().await;
    for i in 0..4 {
        note(&s, None, &format!("Ereignis {i}")).await;
    }
    let store = s.store();
    s.sql("UPDATE audit_events SET at = at - 400 * 86400 WHERE id <= 2")
        .await;
    let audit = AuditEvent::new("audit.retention", &RequestInfo::default());
    assert_eq!(
        store
            .apply_retention(app::platform::now(), 183, &audit)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.verify_chain().await.unwrap(), ChainStatus::Intact(3));
    // Someone with the database deletes row 3 and moves the start checkpoint over it.
    s.sql("DELETE FROM audit_events WHERE id = 3").await;
    s.sql(
        "UPDATE audit_checkpoints SET last_event_id = 3,
           last_hash = (SELECT prev_hash FROM audit_events WHERE id = 4) WHERE kind = 'start'",
    )
    .await;
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(3)
    );
}

// SEC-5, LIFE-3: a row whose text no longer matches its digest passes only with a recorded,
// MACed pseudonymisation; the old marker alone no longer excuses an edit.
#[tokio::test]
async fn sec_5_only_recorded_pseudonymisations_pass() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let victim = note(&s, Some(school), "lea.lehrerin hat 2b geöffnet").await;
    note(&s, Some(school), "danach").await;
    s.sql(&format!(
        "UPDATE audit_events SET details = '[pseudonymisiert] nichts passiert' WHERE id = {victim}"
    ))
    .await;
    assert_eq!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(victim)
    );
}

// SEC-5, LIFE-3: deleting tom.li of one school pseudonymises whole tokens in that school
// only: tom.lindner keeps his name, and "Tom Li" of another school keeps hers; the other
// school's line that names the deleted person's address loses the address. The chain holds.
#[tokio::test]
async fn sec_5_pseudonymisation_matches_whole_tokens_in_its_school() {
    let s = TestServer::start().await;
    let a = s.school("Paulusschule", "a.example").await;
    let b = s.school("Ludgerischule", "b.example").await;
    let (tom, tom_login) = s
        .person(a, Role::Pupil, "Tom", "Li", Some("2b"), None)
        .await;
    let (_, lindner) = s
        .person(a, Role::Pupil, "Tom", "Lindner", Some("2b"), None)
        .await;
    let (_, other_tom) = s
        .person(b, Role::Pupil, "Tom", "Li", Some("3a"), None)
        .await;
    assert!(lindner.starts_with(&tom_login) && other_tom != tom_login);
    let own = note(
        &s,
        Some(a),
        &format!("{tom_login} und {lindner}; Tom Li, Tom Lindner"),
    )
    .await;
    let elsewhere = note(
        &s,
        Some(b),
        &format!("Tom Li ({other_tom}) schrieb an {tom_login}@a.example und {lindner}@a.example"),
    )
    .await;
    s.sql(&format!(
        "UPDATE users SET deletion_due_at = 1 WHERE id = {tom}"
    ))
    .await;
    assert_eq!(s.run_jobs().await.deleted, 1);

    let pseudonym = s.text("SELECT pseudonym FROM deletion_reports").await;
    assert_eq!(
        s.text(&format!(
            "SELECT details FROM audit_events WHERE id = {own}"
        ))
        .await,
        format!("[pseudonymisiert] {pseudonym} und {lindner}; {pseudonym}, Tom Lindner")
    );
    assert_eq!(
        s.text(&format!(
            "SELECT details FROM audit_events WHERE id = {elsewhere}"
        ))
        .await,
        format!(
            "[pseudonymisiert] Tom Li ({other_tom}) schrieb an {pseudonym} und {lindner}@a.example"
        )
    );
    assert!(matches!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::Intact(_)
    ));
}

// SEC-5, LOG-3: each school keeps its own period; one school's expired rows are emptied in
// the middle of the chain and the chain still verifies; the operator's minimum holds.
#[tokio::test]
async fn sec_5_retention_works_per_school() {
    let s = TestServer::start().await;
    let short = s.school("Paulusschule", "a.example").await;
    let long = s.school("Ludgerischule", "b.example").await;
    s.sql(&format!(
        "UPDATE schools SET audit_retention_days = 400 WHERE id = {long}"
    ))
    .await;
    for i in 0..3 {
        note(&s, Some(short), &format!("kurz {i}")).await;
        note(&s, Some(long), &format!("lang {i}")).await;
    }
    note(&s, Some(short), "heute").await;
    // Retention runs 200 days from now (ageing rows by hand would break their hashes).
    let audit = AuditEvent::new("audit.retention", &RequestInfo::default());
    let store = s.store();
    let emptied = store
        .apply_retention(app::platform::now() + 200 * 86_400, 183, &audit)
        .await
        .unwrap();
    // The short school's creation and its three notes; the long school keeps its four.
    assert_eq!(emptied, 4);
    assert_eq!(s.count("audit_events WHERE details LIKE 'kurz%'").await, 0);
    assert_eq!(s.count("audit_events WHERE details LIKE 'lang%'").await, 3);
    assert!(matches!(
        store.verify_chain().await.unwrap(),
        ChainStatus::Intact(_)
    ));
    // An emptied row that no checkpoint excuses breaks the chain.
    let lang = s
        .scalar("SELECT MIN(id) FROM audit_events WHERE details LIKE 'lang%'")
        .await;
    s.sql(&format!(
        "UPDATE audit_events SET pruned_at = 1, details = '', details_digest = NULL WHERE id = {lang}"
    ))
    .await;
    assert_eq!(
        store.verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(lang)
    );

    // An administrator cannot go below the operator's minimum.
    let (_, admin) = s.ready_person(short, Role::Admin, "Ada", None).await;
    let res = admin
        .call(
            "schools/set-settings",
            &[
                ("transfer_limit_mb", "50"),
                ("trash_days", "30"),
                ("deletion_grace_days", "7"),
                ("audit_retention_days", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        s.scalar(&format!(
            "SELECT audit_retention_days FROM schools WHERE id = {short}"
        ))
        .await,
        183
    );
}

// SEC-5: a log written before the anchoring (no MACs on checkpoints or head, rows
// pseudonymised the old way) verifies after the first start, which says so in the log.
#[tokio::test]
async fn sec_5_an_upgraded_log_is_anchored_as_it_was() {
    let s = TestServer::start().await;
    for i in 0..4 {
        note(&s, None, &format!("Ereignis {i}")).await;
    }
    s.sql("UPDATE audit_events SET at = at - 400 * 86400 WHERE id = 1")
        .await;
    let audit = AuditEvent::new("audit.retention", &RequestInfo::default());
    s.store()
        .apply_retention(app::platform::now(), 183, &audit)
        .await
        .unwrap();
    // What the migration leaves on an older deployment.
    s.sql("UPDATE audit_events SET details = '[pseudonymisiert] ehemaliger Nutzer 1' WHERE id = 2")
        .await;
    s.sql("UPDATE audit_checkpoints SET mac = ''").await;
    s.sql("UPDATE audit_head SET mac = '', anchored_at = NULL")
        .await;
    assert!(matches!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::BrokenAt(_)
    ));
    let line = s.store().anchor_audit().await.unwrap().unwrap();
    assert!(line.contains("1 pseudonymised"), "{line}");
    assert_eq!(
        s.count("audit_events WHERE action = 'audit.anchored'")
            .await,
        1
    );
    assert!(matches!(
        s.store().verify_chain().await.unwrap(),
        ChainStatus::Intact(_)
    ));
    assert_eq!(s.store().anchor_audit().await.unwrap(), None, "once only");
}
