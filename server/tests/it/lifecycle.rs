//! LIFE-1..3: withdrawal, leaving and irrevocable deletion, over real HTTP on the backend
//! under test, ending with a scan of every table and the blob store for what is left.
use app::auth::Role;
use reqwest::StatusCode;

use crate::common::{SIGNED_IN_PASSWORD, TestServer};

// LIFE-1: the secretariat records a withdrawal; the account is locked at once, everywhere,
// and the secretariat can call the deletion off during the grace period.
#[tokio::test]
async fn life_1_withdrawal_locks_at_once_and_can_be_cancelled() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (_, teacher) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (_, elsewhere) = s.ready_person(other, Role::Secretariat, "Otto", None).await;
    let (pupil_id, pupil) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    let login = s
        .text(&format!("SELECT login FROM users WHERE id = {pupil_id}"))
        .await;
    let id = pupil_id.to_string();

    for stranger in [&teacher, &elsewhere] {
        let res = stranger
            .call("lifecycle/withdraw", &[("user_id", &id)])
            .await;
        assert!([StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&res.status()));
    }
    let res = office.call("lifecycle/withdraw", &[("user_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = pupil
        .call(
            "files/list",
            &[("space", "me"), ("folder", "0"), ("page", "0")],
        )
        .await;
    assert_eq!(
        list.status(),
        StatusCode::UNAUTHORIZED,
        "the open session ended"
    );
    let again = s.browser();
    assert_eq!(
        again.login(&login, SIGNED_IN_PASSWORD).await.status(),
        StatusCode::FORBIDDEN
    );
    let due = s
        .scalar(&format!(
            "SELECT deletion_due_at - deactivated_at FROM users WHERE id = {pupil_id}"
        ))
        .await;
    assert_eq!(due, 7 * 86_400, "the default grace period is seven days");
    let page = office.page(&format!("/admin/users/{pupil_id}")).await;
    assert!(page.contains("endgültig gelöscht"));

    assert_eq!(
        s.run_jobs().await.deleted,
        0,
        "not before the grace period ends"
    );
    let res = office.call("lifecycle/cancel", &[("user_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        again.login(&login, SIGNED_IN_PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        s.count("audit_events WHERE action IN ('user.withdrawn', 'user.deletion_cancelled')")
            .await,
        2
    );
}

// LIFE-2: accounts past their leaving date are deactivated by the scheduled job.
#[tokio::test]
async fn life_2_leavers_are_deactivated_by_the_job() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (pupil_id, _) = s
        .ready_person(school, Role::Pupil, "Lena", Some("4a"))
        .await;
    let (stays, _) = s.ready_person(school, Role::Pupil, "Tom", Some("4a")).await;
    s.sql(&format!(
        "UPDATE users SET leaving_date = '2020-07-31' WHERE id = {pupil_id}"
    ))
    .await;
    s.sql(&format!(
        "UPDATE users SET leaving_date = '2099-07-31' WHERE id = {stays}"
    ))
    .await;
    let report = s.run_jobs().await;
    assert_eq!(report.deactivated, 1);
    assert_eq!(
        s.text(&format!("SELECT status FROM users WHERE id = {pupil_id}"))
            .await,
        "left"
    );
    assert_eq!(
        s.text(&format!("SELECT status FROM users WHERE id = {stays}"))
            .await,
        "active"
    );
    assert_eq!(s.run_jobs().await.deactivated, 0, "once only");
}

/// Every text and every user-referencing column of every table that still holds `needle`.
pub(crate) async fn residue(s: &TestServer, needles: &[String], id: i64) -> Vec<String> {
    let postgres = s.database_url.starts_with("postgres");
    let columns_sql = if postgres {
        "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'"
    } else {
        "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND m.name NOT LIKE 'sqlite%'"
    };
    let columns = s.texts(columns_sql).await;
    let mut found = Vec::new();
    for column in columns {
        let (table, name) = column.split_once('.').unwrap();
        if table == "audit_events" && matches!(name, "actor_id" | "subject_id") {
            // The pseudonymised rows keep a number that no longer leads to anyone.
            continue;
        }
        for needle in needles {
            let hits = s
                .scalar(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE lower(CAST({name} AS TEXT)) LIKE '%{}%'",
                    needle.to_lowercase()
                ))
                .await;
            if hits > 0 {
                found.push(format!("{column} holds {needle}"));
            }
        }
        let refers_to_users = name == "user_id"
            || name.ends_with("_by")
            || matches!(name, "owner_user_id" | "guardian_id" | "pupil_id");
        if refers_to_users {
            let hits = s
                .scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {name} = {id}"))
                .await;
            if hits > 0 {
                found.push(format!("{column} holds the id"));
            }
        }
    }
    found
}

// LIFE-3: after the grace period the job deletes the account and everything only theirs; what
// they gave a group stays without their name; the audit log keeps only a pseudonym. A scan of
// every table and of the blob store finds nothing else.
#[tokio::test]
async fn life_3_deletion_leaves_no_residue() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let (pupil_id, _) = s
        .person(
            school,
            Role::Pupil,
            "Zoraida",
            "Quastenflosser",
            Some("2b"),
            Some(SIGNED_IN_PASSWORD),
        )
        .await;
    let login = s
        .text(&format!("SELECT login FROM users WHERE id = {pupil_id}"))
        .await;
    let pupil = s.browser();
    assert_eq!(
        pupil.login(&login, SIGNED_IN_PASSWORD).await.status(),
        StatusCode::OK
    );
    let class = s.scalar("SELECT id FROM groups WHERE name = '2b'").await;
    let id = pupil_id.to_string();

    // Data in every module that exists: files of their own and in the class folder, a
    // consent record, an exception, a quota, a failed login, audit events naming them.
    let own = pupil
        .upload(
            "me",
            0,
            "Tagebuch von Zoraida.txt",
            b"Zoraida Quastenflosser schreibt".to_vec(),
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let shared = pupil
        .upload(
            &format!("g{class}"),
            0,
            "Bild fuer die Klasse.png",
            b"\x89PNG".to_vec(),
        )
        .await;
    assert_eq!(shared.status(), StatusCode::OK);
    let res = office
        .call("policy/parent-consent", &[("user_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = admin
        .call(
            "files/grant-exception",
            &[
                ("user_id", &id),
                ("limit_mb", "50"),
                ("reason", "Video für Zoraida Quastenflosser"),
                ("until", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        admin
            .call("files/set-quota", &[("user_id", &id), ("quota_mb", "900")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.browser().login(&login, "falsch").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.count(&format!("file_nodes WHERE created_by = {pupil_id}"))
            .await,
        2
    );
    // Mail both ways: what they sent stays with the recipient under the pseudonym, and the
    // copy of what they were sent goes with their mailbox.
    let mail = |to: String| {
        vec![
            ("draft", "0".to_string()),
            ("forward", "0".to_string()),
            ("to", to),
            ("subject", "Hallo".to_string()),
            ("body", "Bis morgen".to_string()),
            ("format", "typed".to_string()),
        ]
    };
    for (from, to) in [
        (&pupil, "sabine.muster@paulusschule.example".to_string()),
        (&office, format!("{login}@paulusschule.example")),
    ] {
        let owned = mail(to);
        let form: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(from.call("mail/send", &form).await.status(), StatusCode::OK);
    }
    let res = pupil
        .call("mail/create-folder", &[("name", "Zoraidas Ordner")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // AB-2, CAL-1..3: address book fields, a personal event, a change to the class calendar
    // (the school lets members write), and a feed.
    let res = pupil
        .call(
            "addressbook/save",
            &[
                ("phone", "0151 99"),
                ("postal", "Zoraidas Weg 1"),
                ("birthday", "2018-04-01"),
                ("note", "Zoraida mag Pferde"),
                ("show_note", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    s.sql("UPDATE schools SET calendar_members_write = TRUE")
        .await;
    for calendar in ["me".to_string(), format!("g{class}")] {
        let form = [
            ("calendar", calendar.as_str()),
            ("title", "Termin"),
            ("place", ""),
            ("description", ""),
            ("date", "2026-12-01"),
            ("start", ""),
            ("end", ""),
            ("repeat", ""),
            ("until", ""),
            ("exceptions", ""),
            ("reminder", ""),
        ];
        assert_eq!(
            pupil.call("calendar/create", &form).await.status(),
            StatusCode::OK
        );
    }
    let res = pupil
        .call("calendar/create-feed", &[("calendar", "all")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let blobs_before = s.count("file_nodes WHERE blob_key IS NOT NULL").await;
    assert_eq!(blobs_before, 2);

    let needles = vec![
        login.clone(),
        "zoraida".to_string(),
        "quastenflosser".to_string(),
        format!("{login}@paulusschule.example"),
    ];
    let before = residue(&s, &needles, pupil_id).await;
    assert!(
        before.len() >= 8,
        "the scan sees the person everywhere first: {before:?}"
    );
    let res = office.call("lifecycle/withdraw", &[("user_id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    s.sql(&format!(
        "UPDATE users SET deletion_due_at = deletion_due_at - 8 * 86400 WHERE id = {pupil_id}"
    ))
    .await;
    let report = s.run_jobs().await;
    assert_eq!(report.deleted, 1);

    let left = residue(&s, &needles, pupil_id).await;
    assert!(left.is_empty(), "residue: {left:?}");
    // CAL-2: the class keeps its event and its history, under the pseudonym.
    assert_eq!(s.count("calendar_events").await, 1);
    assert_eq!(
        s.count("calendar_history WHERE changed_by_name LIKE 'ehemaliger Nutzer%'")
            .await,
        1
    );
    // MAIL-1: the office still has both messages, without the person's name or address.
    assert_eq!(s.count("mail_messages").await, 2);
    assert_eq!(
        s.count("mail_messages WHERE sender LIKE 'ehemaliger Nutzer%'")
            .await,
        1
    );
    assert_eq!(
        s.count("mail_messages WHERE recipients LIKE 'ehemaliger Nutzer%'")
            .await,
        1
    );
    // The class keeps the picture, by a former user; the diary's bytes are gone from disk.
    assert_eq!(s.count("file_nodes WHERE blob_key IS NOT NULL").await, 1);
    let mut disk = 0;
    for dir in std::fs::read_dir(s.data_dir.0.join("files/b"))
        .unwrap()
        .flatten()
    {
        disk += std::fs::read_dir(dir.path()).unwrap().count();
    }
    assert_eq!(disk, 1, "only the class's picture is stored");
    let (_, teacher) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let teacher_id = s
        .scalar("SELECT id FROM users WHERE first_name = 'Tina'")
        .await;
    s.sql(&format!("INSERT INTO group_members (group_id, user_id, is_owner) VALUES ({class}, {teacher_id}, TRUE)")).await;
    let page = teacher
        .page(&format!("/files?space=g{class}&folder=0"))
        .await;
    assert!(page.contains("Bild fuer die Klasse.png") && page.contains("ehemaliger Nutzer"));

    // The school's record, the pseudonymised log, and a chain that still verifies.
    let reports: serde_json::Value = office
        .call("lifecycle/reports", &[])
        .await
        .json()
        .await
        .unwrap();
    let row = &reports["reports"][0];
    assert!(
        row["pseudonym"]
            .as_str()
            .unwrap()
            .starts_with("ehemaliger Nutzer ")
    );
    assert_eq!(
        (row["class"].as_str(), row["reason"].as_str()),
        (Some("2b"), Some("withdrawn"))
    );
    // Issue 18: the report and the last run are told in the reader's language.
    let page = office.page("/admin/deletions").await;
    assert!(
        page.contains("Dateien: 1; Dateien in Gruppenordnern ohne Namen behalten: 1"),
        "{page}"
    );
    assert!(page.contains("Konten deaktiviert") && !page.contains("orphaned"));
    office
        .submit("ui/language", "/admin/deletions", &[("lang", "en")])
        .await;
    let page = office.page("/admin/deletions").await;
    assert!(page.contains("Files: 1; files in group folders kept without the name: 1"));
    assert!(page.contains("accounts deactivated"));
    assert!(
        s.count("audit_events WHERE details LIKE '[pseudonymisiert]%'")
            .await
            > 0
    );
    assert!(matches!(
        s.store().verify_chain().await.unwrap(),
        app::audit::ChainStatus::Intact(_)
    ));
    // 404, or 403 where SQLite has given the freed id to a newer account out of reach.
    let cancel = office
        .call("lifecycle/cancel", &[("user_id", &id)])
        .await
        .status();
    assert!(
        [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&cancel),
        "nothing can be restored: {cancel}"
    );
}

// LIFE-1, VIOL-2, SEC-1: withdrawing a locked pupil and calling it off restores the lock; it
// does not lift it without a reason.
#[tokio::test]
async fn life_1_cancel_restores_a_lock_from_before() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (pupil, _) = s
        .person(school, Role::Pupil, "Lena", "Kind", Some("2b"), None)
        .await;
    let id = pupil.to_string();
    for (endpoint, form) in [
        (
            "users/lock",
            vec![("user_id", id.as_str()), ("reason", "VIOL-2 Beleidigung")],
        ),
        ("lifecycle/withdraw", vec![("user_id", id.as_str())]),
        ("lifecycle/cancel", vec![("user_id", id.as_str())]),
    ] {
        assert_eq!(
            office.call(endpoint, &form).await.status(),
            StatusCode::OK,
            "{endpoint}"
        );
    }
    assert_eq!(
        s.text(&format!("SELECT status FROM users WHERE id = {pupil}"))
            .await,
        "locked"
    );
}
