//! `schulhof`: the server binary and the operator's command-line tasks.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use anyhow::Context;

use app::{
    audit::{AuditEvent, ChainStatus},
    auth::session,
    platform::{AppState, RequestInfo, config::Config},
};

const HELP: &str = "\
Schulhof, the school server.

Usage: schulhof [COMMAND]

Commands:
  serve                               Start the web server (the default)
  migrate                             Create or update the database, then exit
  admin create-school <name> <domain> Create a school with its mail domain
  admin create-user <domain> <role> <first name> <last name>
                                      Add a person to a school (role: admin, management,
                                      secretariat, teacher, staff, pupil); prints the login
                                      and a start password
  admin start-password <login>        Issue a one-time start password; prints only the password
  admin run-jobs                      Run the scheduled jobs now: leaving dates, deletions,
                                      audit retention, trash and blob clean-up
  audit verify                        Check the audit log's hash chain
  audit rights                        List accounts and memberships the rights table would refuse (after an upgrade)
  help                                Show this help

Configuration comes from environment variables (see README.md):";

fn main() -> ExitCode {
    restart_with_malloc_tunables();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("schulhof: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc's malloc raises its mmap threshold the first time a large block is freed. From then
/// on every argon2 buffer (19 MiB per sign-in) comes from the heap of whichever thread hashed,
/// and stays resident after it is freed: 380 MB after 200 sign-ins, measured. With a fixed
/// threshold the buffers are mapped and given back on each free (about 40 MB after the same
/// 200). glibc reads its tunables only when a process starts, so the server starts itself
/// once more with them set. An operator's own `GLIBC_TUNABLES` is left alone. Only `serve`
/// restarts: the console commands hash at most one password. Schulhof starts no child
/// processes, so the setting goes no further than the server.
const MALLOC_TUNABLES: &str =
    "glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=33554432";

fn restart_with_malloc_tunables() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("GLIBC_TUNABLES").is_none()
        && matches!(std::env::args().nth(1).as_deref(), None | Some("serve"))
        && let Ok(exe) = std::env::current_exe()
    {
        use std::os::unix::process::CommandExt;
        let error = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GLIBC_TUNABLES", MALLOC_TUNABLES)
            .exec();
        // Only reached if the restart failed; the server still works, with more memory.
        eprintln!("schulhof: could not restart with malloc tunables: {error}");
    }
}

async fn run() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if matches!(args.first(), Some(&("help" | "--help" | "-h"))) {
        println!("{HELP}");
        for var in app::platform::config::VARIABLES {
            println!("  {:<32} {} (default: {})", var.name, var.help, var.default);
        }
        return ExitCode::SUCCESS;
    }
    init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    let result = match args.as_slice() {
        [] | ["serve"] => serve(config).await,
        ["migrate"] => server::build_state(config)
            .await
            .map(|_| println!("database is up to date")),
        ["admin", "create-school", name, domain] => create_school(config, name, domain).await,
        ["admin", "start-password", login] => start_password(config, login).await,
        ["admin", "create-user", domain, role, first, last] => {
            create_user(config, domain, role, first, last).await
        }
        ["audit", "verify"] => verify(config).await,
        ["audit", "rights"] => rights_report(config).await,
        ["admin", "run-jobs"] => run_jobs(config).await,
        _ => Err(anyhow::anyhow!(
            "unknown command: {}\n\n{HELP}",
            args.join(" ")
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `{:#}` prints the cause chain: "cannot reach PostgreSQL at …: connection refused".
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("schulhof: {message}");
    ExitCode::FAILURE
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("SCHULHOF_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("SCHULHOF_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    eprintln!("Schulhof starting with this configuration:");
    for (name, value) in config.describe() {
        eprintln!("  {name:<32} {value}");
    }
    if std::env::var("GLIBC_TUNABLES").is_ok_and(|v| v == MALLOC_TUNABLES) {
        tracing::info!(
            "restarted with GLIBC_TUNABLES={MALLOC_TUNABLES}, so that password hashing gives its memory back (docs/deployment.md)"
        );
    }
    let state = server::build_state(config).await?;
    let public_url = state.config.public_url.clone();
    if let Some(password) = session::ensure_operator(&state).await? {
        println!();
        println!("==================================================================");
        println!(" First start: the operator administrator has been created.");
        println!("   Log in at:        {public_url}/login");
        println!("   User name:        admin");
        println!("   Start password:   {}", password.expose());
        println!(" This password is shown only now and must be changed at first login.");
        println!(" A new one: schulhof admin start-password admin");
        println!("==================================================================");
        println!();
    }
    let listener = tokio::net::TcpListener::bind(state.config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.addr))?;
    println!("Schulhof is ready at {public_url}");
    server::serve(listener, state)
        .await
        .context("the server stopped")
}

fn operator_event(action: &'static str) -> AuditEvent {
    AuditEvent::new(
        action,
        &RequestInfo {
            ip: "console".into(),
            ..Default::default()
        },
    )
}

async fn state(config: Config) -> anyhow::Result<AppState> {
    server::build_state(config).await
}

async fn create_school(config: Config, name: &str, domain: &str) -> anyhow::Result<()> {
    let domain = app::rules::domain::normalise(domain)
        .ok_or_else(|| anyhow::anyhow!("not a valid mail domain: {domain}"))?;
    let name = name.trim();
    if name.is_empty() {
        anyhow::bail!("the school needs a name");
    }
    let state = state(config).await?;
    let audit = operator_event("school.created").details(format!("{name} ({domain})"));
    match state.schools().create_school(name, &domain, &audit).await? {
        Some(id) => {
            println!("created school {id}: {name} ({domain})");
            Ok(())
        }
        None => Err(anyhow::anyhow!(
            "a school with the domain {domain} exists already"
        )),
    }
}

async fn create_user(
    config: Config,
    domain: &str,
    role: &str,
    first: &str,
    last: &str,
) -> anyhow::Result<()> {
    use app::{auth::Role, users::store::NewPerson};
    let role = Role::from_code(role)
        .filter(|r| *r != Role::Operator)
        .ok_or_else(|| anyhow::anyhow!("unknown role: {role}"))?;
    if !app::rules::login::valid_name(first) || !app::rules::login::valid_name(last) {
        anyhow::bail!("first and last name are needed");
    }
    let state = state(config).await?;
    let school = state
        .schools()
        .school_by_domain(&domain.trim().to_lowercase())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no school has the domain {domain}"))?;
    let person = NewPerson {
        school_id: school.id,
        first_name: first.trim(),
        last_name: last.trim(),
        role,
        class: None,
        leaving_date: None,
    };
    let audit = operator_event("user.created").details("console");
    let (_, login) = state.user_admin().create_person(&person, &audit).await?;
    let audit = operator_event("auth.start_password_issued").details("console");
    let password =
        session::issue_start_password(&state, &login, state.config.start_password_days, audit)
            .await?;
    println!("login: {login}");
    println!("start password: {}", password.expose());
    Ok(())
}

async fn start_password(config: Config, login: &str) -> anyhow::Result<()> {
    let state = state(config).await?;
    let audit = operator_event("auth.start_password_issued").details("console");
    let password =
        session::issue_start_password(&state, login, state.config.start_password_days, audit)
            .await
            .with_context(|| format!("no start password issued for {login}"))?;
    println!("{}", password.expose());
    Ok(())
}

async fn verify(config: Config) -> anyhow::Result<()> {
    let state = state(config).await?;
    match state.audit().verify_chain().await? {
        ChainStatus::Intact(n) => {
            println!("audit chain intact: {n} events");
            Ok(())
        }
        ChainStatus::BrokenAt(id) => Err(anyhow::anyhow!("audit chain broken at event {id}")),
    }
}

async fn run_jobs(config: Config) -> anyhow::Result<()> {
    let state = server::build_state(config).await?;
    match app::lifecycle::run_jobs(&state, "console", true)
        .await
        .map_err(anyhow::Error::msg)?
    {
        Some(report) => println!("{report:?}"),
        None => println!("nothing run"),
    }
    Ok(())
}

/// SEC-1: accounts and memberships the old rules allowed and the rights table would refuse.
async fn rights_report(config: Config) -> anyhow::Result<()> {
    let state = server::build_state(config).await?;
    let findings = state.rights_report().rights_findings().await?;
    if findings.is_empty() {
        println!("no accounts or memberships that the rights table would refuse");
        return Ok(());
    }
    println!(
        "{} accounts or memberships that the rights table would refuse today:",
        findings.len()
    );
    for finding in findings {
        let school = finding
            .school_id
            .map_or_else(|| "-".to_string(), |s| s.to_string());
        let when = finding
            .at
            .map_or_else(|| "now".to_string(), |at| app::i18n::Lang::En.timestamp(at));
        println!("  school {school}  {when}  {}", finding.what);
    }
    Ok(())
}
