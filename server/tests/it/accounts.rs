//! Accounts (issue 3) over real HTTP, on the backend named by `SCHULHOF_TEST_BACKEND`.

use crate::common::TestServer;
use app::auth::Role;
use reqwest::{StatusCode, header};

const GOOD: &str = "Blaue#Kuh7";

// PW-3: repeated failures from one place slow that place down with 429 and Retry-After,
// checking no password meanwhile; the delay ends by itself.
#[tokio::test]
async fn pw_3_brute_force_is_throttled_but_never_locks_for_good() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let attacker = s.browser();
    for _ in 0..6 {
        assert_eq!(
            attacker.login("mia.schulz", "Falsch#123").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = attacker.login("mia.schulz", GOOD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let wait: u64 = res
        .headers()
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 100)).await;
    assert_eq!(
        attacker.login("mia.schulz", GOOD).await.status(),
        StatusCode::OK,
        "the delay ends"
    );
    // SEC-2: refusals are counted in memory and written once a minute; the timer's flush:
    app::auth::throttle::flush_refusals(&s.state).await.unwrap();
    let actions: Vec<String> = s
        .store()
        .recent_actions(20)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert!(
        actions.contains(&"auth.throttled".to_string()),
        "LOG-1: throttling is recorded"
    );
}

// PW-3: a whole class behind one NAT address logs in at the same moment.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pw_3_thirty_tablets_behind_one_address_log_in_at_once() {
    let s = TestServer::start().await;
    let mut logins = Vec::new();
    for i in 0..30 {
        let login = format!("kind{i}.klasse");
        s.user_with_password(&login, "Kind", "Klasse", Role::Pupil, GOOD)
            .await;
        logins.push(login);
    }
    let tasks: Vec<_> = logins
        .into_iter()
        .map(|login| {
            let tablet = s.browser();
            tokio::spawn(async move { tablet.login(&login, GOOD).await.status() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
}

async fn activity(b: &crate::common::Browser) -> app::account::AccountOverview {
    let res = b.call("account/activity", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

// PW-4: a parent on the phone sees where the account is signed in and ends the tablet's session.
#[tokio::test]
async fn pw_4_a_user_sees_and_ends_their_own_sessions() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let (tablet, phone) = (s.browser(), s.browser());
    phone.login("mia.schulz", "Falsch#123").await;
    tablet.login("mia.schulz", GOOD).await;
    phone.login("mia.schulz", GOOD).await;

    let seen = activity(&phone).await;
    assert_eq!(seen.sessions.len(), 2);
    assert_eq!(seen.sessions.iter().filter(|s| s.current).count(), 1);
    let outcomes: Vec<bool> = seen.logins.iter().map(|l| l.succeeded).collect();
    assert_eq!(
        outcomes,
        vec![true, true, false],
        "newest first, failures included"
    );
    let page = phone.page("/account").await;
    assert_eq!(page.matches("data-testid=\"session\"").count(), 2);
    assert!(page.contains("Dieses Gerät"));

    let tablet_id = seen
        .sessions
        .iter()
        .find(|s| !s.current)
        .unwrap()
        .id
        .clone();
    let res = phone
        .submit("account/end-session", "/account", &[("id", &tablet_id)])
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        crate::common::location(&tablet.get("/").await),
        "/login",
        "the tablet is signed out"
    );
    assert_eq!(
        phone.get("/").await.status(),
        StatusCode::OK,
        "the phone is not"
    );
    assert_eq!(activity(&phone).await.sessions.len(), 1);
}

// PW-4: nobody can end another user's session by guessing or knowing its id.
#[tokio::test]
async fn pw_4_another_users_session_cannot_be_ended() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    s.user_with_password("tom.berg", "Tom", "Berg", Role::Pupil, GOOD)
        .await;
    let (mia, tom) = (s.browser(), s.browser());
    mia.login("mia.schulz", GOOD).await;
    tom.login("tom.berg", GOOD).await;
    let mias = activity(&mia).await.sessions[0].id.clone();
    let res = tom.call("account/end-session", &[("id", &mias)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(mia.get("/").await.status(), StatusCode::OK);
    assert_eq!(
        tom.call("account/end-session", &[("id", "")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.browser().call("account/activity", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

// PW-4: "sign out all other devices" keeps only the current one.
#[tokio::test]
async fn pw_4_end_all_other_sessions() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let devices: Vec<_> = (0..3).map(|_| s.browser()).collect();
    for d in &devices {
        d.login("mia.schulz", GOOD).await;
    }
    assert_eq!(
        devices[0]
            .call("account/end-other-sessions", &[])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(devices[0].get("/").await.status(), StatusCode::OK);
    for d in &devices[1..] {
        assert_eq!(crate::common::location(&d.get("/").await), "/login");
    }
}

// PW-4, PW-3: behind a trusted reverse proxy, sessions and throttles see the real address.
#[tokio::test]
async fn pw_4_addresses_behind_a_trusted_proxy() {
    let s = TestServer::start_with(&[("SCHULHOF_TRUSTED_PROXIES", "127.0.0.1")]).await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let b = s.browser();
    let res = b
        .client
        .post(s.url("/api/auth/login"))
        .header("x-forwarded-for", "203.0.113.7")
        .header(header::ACCEPT, "application/json")
        .form(&[("login", "mia.schulz"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(activity(&b).await.sessions[0].ip, "203.0.113.7");

    let direct = TestServer::start().await;
    direct
        .user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let b = direct.browser();
    b.client
        .post(direct.url("/api/auth/login"))
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[("login", "mia.schulz"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        activity(&b).await.sessions[0].ip,
        "127.0.0.1",
        "an untrusted peer cannot pick its address"
    );
}

// PW-3, ACC-2: the personal address signs in like the login; another school's domain does not.
#[tokio::test]
async fn pw_3_sign_in_with_the_personal_address() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    s.school("Andere Schule", "andere.example").await;
    let (_, login) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), Some(GOOD))
        .await;
    let address = app::rules::login::address(&login, "paulusschule.example");
    assert_eq!(
        s.browser()
            .login(&address.to_uppercase(), GOOD)
            .await
            .status(),
        StatusCode::OK
    );
    let wrong = s.browser().login("mia.schulz@andere.example", GOOD).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}

// SEC-2: 40 parallel guesses after 5 failures: the attempt is counted before the password is
// checked, so at most one more guess reaches the check (counted by `auth.login_failed`), the
// rest are refused with 429, and the refusals write nothing until the minute's flush writes
// one `auth.throttled` event with their count, in the account's school.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_2_parallel_guesses_get_no_extra_tries() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, login) = s
        .person(school, Role::Pupil, "Nele", "Parallel", None, Some(GOOD))
        .await;
    let attacker = std::sync::Arc::new(s.browser());
    for _ in 0..5 {
        assert_eq!(
            attacker.login(&login, "Falsch#123").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let failed = "audit_events WHERE action = 'auth.login_failed'";
    assert_eq!(s.count(failed).await, 5);
    let events_before = s.count("audit_events").await;
    let mut guesses = Vec::new();
    for i in 0..40 {
        let attacker = attacker.clone();
        let login = login.clone();
        guesses.push(tokio::spawn(async move {
            attacker
                .login(&login, &format!("Falsch#{i}"))
                .await
                .status()
        }));
    }
    let mut refused = 0;
    for guess in guesses {
        let status = guess.await.unwrap();
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&status),
            "{status}"
        );
        refused += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    let checked = s.count(failed).await - 5;
    assert!(
        checked <= 1,
        "{checked} more guesses reached the password check"
    );
    assert_eq!(refused + checked as usize, 40);
    assert_eq!(
        s.count("audit_events").await,
        events_before + checked,
        "a refusal writes nothing"
    );
    assert_eq!(
        app::auth::throttle::flush_refusals(&s.state).await.unwrap(),
        1
    );
    let details = s
        .text("SELECT details FROM audit_events WHERE action = 'auth.throttled'")
        .await;
    assert_eq!(details, format!("{login}: {refused}"));
    assert_eq!(
        s.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.throttled' AND school_id IS NOT NULL")
            .await,
        1,
        "LOG-2: the school's readers see it"
    );
}

// SEC-2: checking the current password on the password page is throttled and audited like a
// sign-in, keyed by the account.
#[tokio::test]
async fn sec_2_current_password_guesses_are_throttled() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, pupil) = s.ready_person(school, Role::Pupil, "Mia", None).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let answer = pupil
            .call(
                "auth/password",
                &[
                    ("current", &format!("Falsch#{i}")),
                    ("new", "Wolken&Schaf51"),
                    ("repeat", "Wolken&Schaf51"),
                ],
            )
            .await;
        statuses.push(answer.status());
    }
    assert_eq!(&statuses[..6], &[StatusCode::BAD_REQUEST; 6]);
    assert_eq!(statuses[6], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    assert_eq!(
        s.count("audit_events WHERE action = 'auth.password_check_failed'")
            .await,
        6
    );
}
