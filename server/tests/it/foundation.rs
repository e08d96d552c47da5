//! The foundation over real HTTP, on the backend named by `SCHULHOF_TEST_BACKEND`.

use crate::common::{TestServer, location};
use app::{auth::Role, error::AppError, i18n::Key};
use reqwest::{StatusCode, header};

const GOOD: &str = "Blaue#Kuh7";

async fn error_of(res: reqwest::Response) -> (StatusCode, AppError) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an AppError ({e}): {text}")),
    )
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let s = TestServer::start().await;
    let res = s.browser().get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        s.store().backend_name(),
        if crate::common::backend() == "postgres" {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
}

// Issue 17: every feature's accessor finds its store, and all of them are the one store the
// composition root opened (a forgotten registration would panic on first use).
#[tokio::test]
async fn every_accessor_finds_its_store() {
    let s = TestServer::start().await;
    let st = &s.state;
    fn at<T: ?Sized>(store: &T) -> *const () {
        std::ptr::from_ref(store).cast()
    }
    let whole = at(&*s.store());
    let each = [
        at(st.database()),
        at(st.accounts()),
        at(st.throttle()),
        at(st.audit()),
        at(st.schools()),
        at(st.school_summary()),
        at(st.school_settings()),
        at(st.session_list()),
        at(st.user_admin()),
        at(st.rights_report()),
        at(st.policy()),
        at(st.groups()),
        at(st.files()),
        at(st.link_filter()),
        at(st.logs()),
        at(st.lifecycle()),
        at(st.mailbox()),
        at(st.mail_compose()),
        at(st.mail_cases()),
        at(st.mail_settings()),
        at(st.addressbook()),
        at(st.calendar()),
    ];
    assert!(each.iter().all(|p| *p == whole), "{each:?} vs {whole:?}");
    st.database().ping().await.unwrap();
}

// Issue 17: a server function that takes no arguments and changes nothing answers a bare POST
// (no body, no Content-Type), as `curl -X POST` sends it; those that change state refuse it
// with 400 and change nothing. Every argument-less server function is in one list or the other.
#[tokio::test]
async fn empty_posts_are_answered_only_where_nothing_changes() {
    const CHANGES_WITHOUT_ARGUMENTS: &[&str] = &[
        "auth/logout",
        "mail/empty-trash",
        "account/end-other-sessions",
    ];
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Ada", None).await;
    let mut without: Vec<String> = crate::malformed::server_functions()
        .into_iter()
        .filter(|e| e.fields.is_empty())
        .map(|e| e.path.trim_start_matches("/api/").to_string())
        .collect();
    without.sort();
    let mut listed: Vec<String> = server::http::READS_WITHOUT_ARGUMENTS
        .iter()
        .chain(CHANGES_WITHOUT_ARGUMENTS)
        .map(ToString::to_string)
        .collect();
    listed.sort();
    assert_eq!(
        without, listed,
        "each argument-less server function in one list"
    );
    let bare = |name: &str| {
        admin
            .client
            .post(format!("{}/api/{name}", s.base))
            .header(header::ORIGIN, s.base.as_str())
            .send()
    };
    for name in server::http::READS_WITHOUT_ARGUMENTS {
        let res = bare(name).await.unwrap();
        assert_ne!(res.status(), StatusCode::BAD_REQUEST, "{name}");
        assert!(!res.status().is_server_error(), "{name}");
    }
    let res = bare("policy/current").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let before = s.dump().await;
    for name in CHANGES_WITHOUT_ARGUMENTS {
        let res = bare(name).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name}");
    }
    assert_eq!(s.dump().await, before, "nothing changed");
    assert!(
        admin.get("/").await.status().is_success(),
        "still signed in"
    );
}

// UX-4: German by default, English once chosen, and the choice is remembered.
#[tokio::test]
async fn ux_4_german_by_default_and_english_remembered() {
    let s = TestServer::start().await;
    let b = s.browser();
    let page = b.page("/login").await;
    assert!(page.contains(r#"<html lang="de""#) && page.contains("Anmelden"));
    let res = b.submit("ui/language", "/login", &[("lang", "en")]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let page = b.page("/login").await;
    assert!(
        page.contains(r#"<html lang="en""#)
            && page.contains("Log in")
            && !page.contains("Anmelden")
    );
}

// PW-2, PW-1: the printed start password forces a new password first, and stops working then.
#[tokio::test]
async fn pw_2_start_password_forces_a_new_password_before_anything_else() {
    let s = TestServer::start().await;
    let start = s.operator_start_password().await;
    let b = s.browser();
    assert_eq!(
        location(&b.get("/").await),
        "/login",
        "anonymous visitors go to the login page"
    );

    let res = b.login("admin", &start).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().contains_key("serverfnredirect"),
        "the hydrated form follows this"
    );
    assert_eq!(location(&res), "/password");
    assert_eq!(
        location(&b.get("/").await),
        "/password",
        "nothing else until the password is changed"
    );

    // PW-1: the shared rule and the server's guessability check both speak.
    let (status, err) = error_of(
        b.call(
            "auth/password",
            &[("current", &start), ("new", "kurz"), ("repeat", "kurz")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, err.field_message("new")),
        (StatusCode::BAD_REQUEST, Some(Key::PasswordWeak))
    );
    let (_, err) = error_of(
        b.call(
            "auth/password",
            &[
                ("current", &start),
                ("new", "Passwort1!"),
                ("repeat", "Passwort1!"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(err.field_message("new"), Some(Key::PasswordGuessable));
    let (_, err) = error_of(
        b.call(
            "auth/password",
            &[("current", &start), ("new", GOOD), ("repeat", "Blaue#Kuh8")],
        )
        .await,
    )
    .await;
    assert_eq!(err.field_message("repeat"), Some(Key::PasswordMismatch));
    let (_, err) = error_of(
        b.call(
            "auth/password",
            &[("current", "Falsch#123"), ("new", GOOD), ("repeat", GOOD)],
        )
        .await,
    )
    .await;
    assert_eq!(
        err.field_message("current"),
        Some(Key::PasswordCurrentWrong)
    );

    let res = b
        .call(
            "auth/password",
            &[("current", &start), ("new", GOOD), ("repeat", GOOD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let home = b.get("/").await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("data-testid=\"dashboard\"")
    );

    let other = s.browser();
    assert_eq!(
        other.login("admin", &start).await.status(),
        StatusCode::UNAUTHORIZED,
        "the start password stopped working when the password was chosen"
    );
    assert_eq!(other.login("admin", GOOD).await.status(), StatusCode::OK);
}

// PW-2: without JavaScript the form posts, and errors come back on the page itself.
#[tokio::test]
async fn pw_2_forms_work_without_javascript() {
    let s = TestServer::start().await;
    let b = s.browser();
    let res = b
        .submit(
            "auth/login",
            "/login",
            &[("login", "admin"), ("password", "Falsch#123")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(
        back.contains("/login?") && back.contains("__err="),
        "{back}"
    );
    let page = b
        .client
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Benutzername oder Passwort stimmt nicht"),
        "the error is shown on the page"
    );
}

// PW-3: the same answer for an unknown user and a wrong password; never the password in a reply.
#[tokio::test]
async fn pw_3_failed_logins_look_the_same() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let b = s.browser();
    let unknown = b.login("nobody.here", "Falsch#123").await;
    let (s1, h1) = (
        unknown.status(),
        unknown.headers().get(header::CONTENT_TYPE).cloned(),
    );
    let unknown = unknown.text().await.unwrap();
    let wrong = b.login("mia.schulz", "Falsch#123").await;
    let (s2, h2) = (
        wrong.status(),
        wrong.headers().get(header::CONTENT_TYPE).cloned(),
    );
    let wrong = wrong.text().await.unwrap();
    assert_eq!((s1, h1, &unknown), (s2, h2, &wrong));
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert!(!wrong.contains("Falsch#123"));
    let actions = s.store().recent_actions(5).await.unwrap();
    assert_eq!(
        actions[0].0, "auth.login_failed",
        "LOG-1: failed logins are recorded"
    );
}

// UX-1, issue 18: a sign-in refused on the plain form comes back with the user name filled in,
// once; the name never travels in the redirect's URL (a shared tablet's history keeps URLs).
#[tokio::test]
async fn ux_1_a_refused_sign_in_keeps_the_user_name() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let b = s.browser();
    let refused = b
        .submit(
            "auth/login",
            "/login",
            &[("login", "mia.schulz"), ("password", "Falsch#123")],
        )
        .await;
    let back = crate::common::location(&refused);
    assert!(!back.contains("mia.schulz"), "{back}");
    let back = back.strip_prefix(&b.base).unwrap_or(&back).to_string();
    let page = b.page(&back).await;
    assert!(page.contains(r#"value="mia.schulz""#), "{page}");
    assert!(page.contains("Benutzername oder Passwort stimmt nicht"));
    let again = b.page("/login").await;
    assert!(!again.contains("mia.schulz"), "the name is shown once");
}

// PW-4: a fresh session token at each login, HttpOnly and SameSite; logout ends it.
#[tokio::test]
async fn pw_4_sessions_are_server_side_and_end_on_logout() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let b = s.browser();
    let first = b.login("mia.schulz", GOOD).await;
    let cookie = first
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with("schulhof_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_string();
    assert!(token.len() >= 32, "at least 128 bits");
    let second = b.login("mia.schulz", GOOD).await;
    let cookie2 = second
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(!cookie2.contains(&token), "every login issues a new token");
    assert_eq!(b.get("/").await.status(), StatusCode::OK);

    assert_eq!(b.call("auth/logout", &[]).await.status(), StatusCode::OK);
    assert_eq!(location(&b.get("/").await), "/login");
    assert_eq!(
        s.count("sessions").await,
        1,
        "only the other login's session is left"
    );
}

// PW-4: changing the password ends every other session.
#[tokio::test]
async fn pw_4_password_change_ends_other_sessions() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let (tablet, phone) = (s.browser(), s.browser());
    tablet.login("mia.schulz", GOOD).await;
    phone.login("mia.schulz", GOOD).await;
    let res = tablet
        .call(
            "auth/password",
            &[
                ("current", GOOD),
                ("new", "Tiger&Baum42"),
                ("repeat", "Tiger&Baum42"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        tablet.get("/").await.status(),
        StatusCode::OK,
        "the session that changed it stays"
    );
    assert_eq!(
        location(&phone.get("/").await),
        "/login",
        "the other device is signed out"
    );
}

// Security baseline: a cross-origin write is refused with 403 and changes nothing.
#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let before = s.count("sessions").await;
    let res = reqwest::Client::new()
        .post(s.url("/api/auth/login"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("login", "mia.schulz"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = reqwest::Client::new()
        .post(s.url("/api/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("login", "mia.schulz"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count("sessions").await, before);
}

// Bad input: a clear 4xx, never a 500, and huge passwords are refused without slow hashing.
#[tokio::test]
async fn bad_input_is_answered_with_4xx() {
    let s = TestServer::start().await;
    let b = s.browser();
    let res = b
        .client
        .post(s.url("/api/auth/login"))
        .header(header::ACCEPT, "application/json")
        .body("%%%")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (status, err) = error_of(
        b.call("auth/login", &[("login", ""), ("password", "")])
            .await,
    )
    .await;
    assert_eq!(
        (status, err.field_message("login")),
        (StatusCode::BAD_REQUEST, Some(Key::ErrorRequired))
    );
    let (status, _) = error_of(
        b.call(
            "auth/password",
            &[("current", "a"), ("new", "b"), ("repeat", "b")],
        )
        .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "anonymous callers are refused before validation"
    );
    let huge = "Aa1#".repeat(250);
    let started = std::time::Instant::now();
    for _ in 0..5 {
        assert_eq!(
            b.login("admin", &huge).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(started.elapsed().as_secs() < 5);
    let res = b.get("/does-not-exist").await;
    assert_eq!(location(&res), "/login");
    let emoji = b.login("😀\u{0301}", "x").await;
    assert_eq!(emoji.status(), StatusCode::UNAUTHORIZED);
}

// Security headers on pages: a CSP whose script nonce matches the page's scripts.
#[tokio::test]
async fn pages_carry_security_headers_and_are_compressed() {
    let s = TestServer::start().await;
    let res = s
        .browser()
        .client
        .get(s.url("/login"))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    let headers = res.headers().clone();
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert_eq!(
        headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    assert!(headers.get(header::REFERRER_POLICY).is_some());
    assert_eq!(headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    assert!(headers.get("x-request-id").is_some());
    let plain = s.browser().get("/login").await;
    let csp2 = plain
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let body = plain.text().await.unwrap();
    let nonce2 = csp2
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert_ne!(nonce, nonce2, "a fresh nonce per response");
    assert!(
        body.contains(&format!(r#"<script nonce="{nonce2}">"#)),
        "inline scripts carry the nonce"
    );
}

// Secure deployments: https turns on Secure and the __Host- prefix.
#[tokio::test]
async fn https_deployments_get_host_prefixed_secure_cookies() {
    let s = TestServer::start_with(&[("SCHULHOF_PUBLIC_URL", "https://schule.example")]).await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let res = s.browser().login("mia.schulz", GOOD).await;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        cookie.starts_with("__Host-schulhof_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
}

// The 404 page is a real, translated page with status 404.
#[tokio::test]
async fn unknown_pages_answer_404() {
    let s = TestServer::start().await;
    s.user_with_password("mia.schulz", "Mia", "Schulz", Role::Pupil, GOOD)
        .await;
    let b = s.browser();
    b.login("mia.schulz", GOOD).await;
    let res = b.get("/gibt-es-nicht").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Diese Seite gibt es nicht")
    );
}

// UX-2: a page without islands ships no WASM; the password page, with its live checklist, does.
#[tokio::test]
async fn ux_2_only_pages_with_islands_load_wasm() {
    let s = TestServer::start().await;
    let start = s.operator_start_password().await;
    let b = s.browser();
    let login = b.page("/login").await;
    assert!(!login.contains("modulepreload") && !login.contains(".wasm"));
    b.login("admin", &start).await;
    let password = b.page("/password").await;
    assert!(password.contains("modulepreload") && password.contains("<leptos-island"));
}
