//! Scale-out (issue 8): two `schulhof` processes on different ports share one database and one
//! S3-compatible store, behind no sticky routing. Requests alternate between them; each
//! server has a data folder of its own, so nothing can pass through local state. On PostgreSQL
//! this is the deployment of `docs/deployment.md`; on SQLite the two share one file.

use app::auth::Role;
use reqwest::{StatusCode, header};

use crate::common::{Browser, SIGNED_IN_PASSWORD, TestServer, spawn_binary, wait_until_up};

/// The address people use: the load balancer's, the same for both servers.
const PUBLIC: &str = "http://schule.example";

/// Two clients of one browser profile (one cookie jar), one per server: every call goes to
/// whichever the round-robin says.
struct RoundRobin {
    servers: [Browser; 2],
    next: std::cell::Cell<usize>,
}

impl RoundRobin {
    fn new(bases: &[String; 2]) -> RoundRobin {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let browser = |base: &String| Browser {
            client: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(header::HeaderMap::from_iter([(
                    header::ORIGIN,
                    PUBLIC.parse().unwrap(),
                )]))
                .build()
                .unwrap(),
            base: base.clone(),
        };
        RoundRobin {
            servers: [browser(&bases[0]), browser(&bases[1])],
            next: std::cell::Cell::new(0),
        }
    }

    /// The server the next request goes to, and the turn passes on.
    fn pick(&self) -> &Browser {
        let i = self.next.get();
        self.next.set(1 - i);
        &self.servers[i]
    }
}

fn server_log(s: &TestServer) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(&s.data_dir.0).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("server-") && name.ends_with(".log") {
            all += &std::fs::read_to_string(entry.path()).unwrap_or_default();
        }
    }
    all
}

// Issue 8: sessions, mail, files, throttling and the scheduled jobs work across two servers.
#[tokio::test]
async fn two_app_servers_behind_round_robin() {
    let s3 = crate::s3::start_s3().await;
    let store = format!(
        "s3://schulhof:geheimgeheim@schulhof?endpoint=http://127.0.0.1:{}&region=us-east-1&allow_http=true",
        s3.port
    );
    let s = TestServer::start_with(&[("SCHULHOF_STORE", &store)]).await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, teacher_login) = s
        .person(
            school,
            Role::Teacher,
            "Thea",
            "Tanne",
            None,
            Some(SIGNED_IN_PASSWORD),
        )
        .await;
    let (_, pupil_login) = s
        .person(
            school,
            Role::Pupil,
            "Lena",
            "Muster",
            Some("2b"),
            Some(SIGNED_IN_PASSWORD),
        )
        .await;
    let (leaver, _) = s
        .person(school, Role::Pupil, "Ole", "Weg", Some("2b"), None)
        .await;
    // The scheduled jobs have a deletion due; whoever takes the lease does it, exactly once.
    s.sql(&format!(
        "UPDATE users SET status = 'withdrawn', deletion_due_at = 1 WHERE id = {leaver}"
    ))
    .await;
    s.sql("UPDATE job_leases SET until = 0").await;

    let own_data: Vec<_> = (0..2)
        .map(|_| crate::common::tempdir::TempDir::new())
        .collect();
    let mut children = Vec::new();
    let mut bases = Vec::new();
    for data in &own_data {
        let (child, base) = spawn_binary(
            &s,
            &[
                ("SCHULHOF_DATA", &data.0.display().to_string()),
                ("SCHULHOF_STORE", &store),
                ("SCHULHOF_PUBLIC_URL", PUBLIC),
                ("SCHULHOF_LOG", "info"),
            ],
        );
        children.push(child);
        bases.push(base);
    }
    let bases: [String; 2] = bases.try_into().unwrap();
    for base in &bases {
        wait_until_up(base).await;
    }

    // A session made on one server works on the other, and ends on both.
    let lena = RoundRobin::new(&bases);
    assert_eq!(
        lena.pick()
            .login(&pupil_login, SIGNED_IN_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        lena.pick().call("mail/unread", &[]).await.status(),
        StatusCode::OK
    );

    // A file uploaded through one is downloaded whole through the other.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let res = lena.pick().upload("me", 0, "Bild.bin", bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id = s
        .scalar("SELECT id FROM file_nodes WHERE name = 'Bild.bin'")
        .await;
    let res = lena.pick().get(&format!("/files/download/{id}")).await;
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    // A message sent through one arrives through the other.
    let thea = RoundRobin::new(&bases);
    assert_eq!(
        thea.pick()
            .login(&teacher_login, SIGNED_IN_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let sent = thea
        .pick()
        .call(
            "mail/send",
            &[
                ("draft", "0"),
                ("forward", "0"),
                ("to", &format!("{pupil_login}@paulusschule.example")),
                ("subject", "Über zwei Server"),
                ("body", "Hallo Lena"),
                ("format", "typed"),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    for _ in 0..2 {
        let unread: i64 = lena
            .pick()
            .call("mail/unread", &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(unread, 1);
    }
    let inbox = lena
        .pick()
        .call(
            "mail/box",
            &[("box_code", "inbox"), ("query", ""), ("before", "0")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(inbox.contains("Über zwei Server"), "{inbox}");

    // Logging out on one ends the session on both.
    assert_eq!(
        lena.pick().call("auth/logout", &[]).await.status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(
            lena.pick().call("mail/unread", &[]).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }

    // Brute force counts across both: five free failures in all, not five per server.
    let guesser = RoundRobin::new(&bases);
    for _ in 0..6 {
        assert_eq!(
            guesser
                .pick()
                .login(&pupil_login, "Falsch#123")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    for _ in 0..2 {
        let res = guesser.pick().login(&pupil_login, SIGNED_IN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key(header::RETRY_AFTER));
    }

    // The scheduled jobs ran once between the two of them.
    for _ in 0..200 {
        if s.count(&format!("users WHERE id = {leaver}")).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(s.count(&format!("users WHERE id = {leaver}")).await, 0);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let log = server_log(&s);
    assert_eq!(
        log.matches("scheduled jobs ran").count(),
        1,
        "one server ran the jobs: {log}"
    );
    assert_eq!(
        s.count("audit_events WHERE action = 'user.deleted'").await,
        1
    );
    let holder = s.text("SELECT holder FROM job_leases").await;
    assert!(!holder.is_empty());

    for mut child in children {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
