//! The `schulhof` binary as an operator uses it.

use std::process::Command;

fn schulhof(server: &crate::common::TestServer, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_schulhof"))
        .args(args)
        .env("SCHULHOF_DATA", &server.data_dir.0)
        .env("DATABASE_URL", &server.database_url)
        .env(
            "SCHULHOF_SECRET_KEY",
            server.state.config.secret_key.expose(),
        )
        .output()
        .unwrap()
}

#[tokio::test]
async fn help_lists_the_subcommands_and_variables() {
    let s = crate::common::TestServer::start().await;
    let out = schulhof(&s, &["--help"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "serve",
        "migrate",
        "admin start-password",
        "admin create-school",
        "DATABASE_URL",
        "SCHULHOF_STORE",
    ] {
        assert!(text.contains(word), "--help mentions {word}");
    }
}

// PW-2: the console issues a start password and prints only that, on one line.
#[tokio::test]
async fn pw_2_console_start_password_signs_in() {
    let s = crate::common::TestServer::start().await;
    s.operator_start_password().await;
    let out = schulhof(&s, &["admin", "start-password", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let password = stdout.trim();
    assert_eq!(password.len(), 14);
    let res = s.browser().login("admin", password).await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);

    let out = schulhof(&s, &["admin", "start-password", "nobody"]);
    assert!(!out.status.success());

    let out = schulhof(
        &s,
        &[
            "admin",
            "create-school",
            "Paulusschule",
            "Paulusschule.Example",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = schulhof(
        &s,
        &["admin", "create-school", "Paulusschule", "kein domain"],
    );
    assert!(!out.status.success());
    let out = schulhof(&s, &["audit", "verify"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains("intact"));
}

/// P7: argon2's 19 MiB buffers go back to the system after each sign-in. The server restarts
/// itself once, as the same process, with fixed glibc malloc thresholds; an operator's own
/// `GLIBC_TUNABLES` is kept as given.
#[tokio::test]
async fn the_server_runs_with_fixed_malloc_thresholds() {
    let s = crate::common::TestServer::start().await;
    for (given, expected) in [
        (None, "glibc.malloc.mmap_threshold=4194304"),
        (Some("glibc.malloc.arena_max=2"), "glibc.malloc.arena_max=2"),
    ] {
        let extra: Vec<(&str, &str)> = given.iter().map(|v| ("GLIBC_TUNABLES", *v)).collect();
        let (mut child, base) = crate::common::spawn_binary(&s, &extra);
        crate::common::wait_until_up(&base).await;
        let environ = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let tunables: Vec<String> = environ
            .split(|b| *b == 0)
            .filter(|v| v.starts_with(b"GLIBC_TUNABLES="))
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        assert_eq!(tunables.len(), 1, "{tunables:?}");
        assert!(tunables[0].contains(expected), "{tunables:?}");
    }
}

// SEC-1: `schulhof audit rights` lists what the old rules let into existence and the rights
// table would refuse: an administrator made by the secretariat, a self-added group owner, an
// administrator inside a group; what the table allows is not listed.
#[tokio::test]
async fn sec_1_audit_rights_lists_what_the_table_would_refuse() {
    use app::{audit::AuditEvent, auth::Role, platform::RequestInfo};
    let s = crate::common::TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let clean = schulhof(&s, &["audit", "rights"]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains("no accounts"));
    let (office, _) = s
        .person(school, Role::Secretariat, "Sabine", "Sekretär", None, None)
        .await;
    let (admin, _) = s
        .person(school, Role::Admin, "Ada", "Admin", None, None)
        .await;
    let (teacher, _) = s
        .person(school, Role::Teacher, "Lea", "Lehrerin", None, None)
        .await;
    let (pupil, _) = s
        .person(school, Role::Pupil, "Emma", "Kind", None, None)
        .await;
    let info = RequestInfo::default();
    let store = s.store();
    // As the old rules allowed: the secretariat made an administrator; a teacher made
    // themself owner of a team; and (allowed, not listed) the secretariat made a pupil.
    for (action, actor, subject, details) in [
        ("user.created", office, admin, "ada.admin".to_string()),
        (
            "group.member_added",
            teacher,
            teacher,
            "group 1: lea.lehrerin (owner)".to_string(),
        ),
        ("user.created", office, pupil, "emma.kind".to_string()),
    ] {
        let event = AuditEvent::new(action, &info)
            .actor(actor, Some(school))
            .subject(subject)
            .details(details);
        store.record(&event).await.unwrap();
    }
    let audit = AuditEvent::new("test.team", &info);
    let team = store
        .create_team(school, "Kollegium", &audit)
        .await
        .unwrap()
        .unwrap();
    store
        .add_member(school, team, admin, false, &audit)
        .await
        .unwrap();
    let out = schulhof(&s, &["audit", "rights"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("3 accounts or memberships"), "{text}");
    assert!(
        text.contains("sabine.sekretaer (secretariat) -> ada.admin (admin)"),
        "{text}"
    );
    assert!(
        text.contains("lea.lehrerin (teacher) -> lea.lehrerin (teacher)"),
        "{text}"
    );
    assert!(
        text.contains("administrator ada.admin is a member of Kollegium"),
        "{text}"
    );
    assert!(!text.contains("emma.kind (pupil)"), "{text}");
}
