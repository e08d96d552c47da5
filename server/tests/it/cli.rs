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
