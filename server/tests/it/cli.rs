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
async fn pw_2_console_start_password_works_once_for_login() {
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
