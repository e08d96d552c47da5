//! Accounts (issue 3) over real HTTP, on the backend named by `SCHULHOF_TEST_BACKEND`.
mod common;

use app::auth::Role;
use common::TestServer;
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
