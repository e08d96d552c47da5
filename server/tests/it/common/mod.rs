//! Starts the real server on a free port, on SQLite or PostgreSQL as `SCHULHOF_TEST_BACKEND`
//! says, and talks to it over HTTP like a browser would.
//!
//! Long on purpose: it is the one test harness (server, browser, typed client, fixtures).
#![allow(dead_code)]

use std::{collections::HashMap, sync::Arc};

use app::platform::{AppState, config::Config};
use reqwest::{Client, Response, header};

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn backend() -> String {
    std::env::var("SCHULHOF_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub data_dir: tempdir::TempDir,
    pub database_url: String,
    pg_database: Option<String>,
}

pub mod tempdir {
    /// A folder removed when dropped.
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!(
                "schulhof-test-{}",
                app::platform::secret::random_hex(8)
            ));
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

async fn create_pg_database() -> (String, String) {
    use sqlx::Connection;
    let admin = std::env::var("SCHULHOF_TEST_PG_URL").unwrap_or_else(|_| PG_ADMIN_URL.into());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL tests need a server at {admin}, and it cannot be reached: {e}")
        });
    let name = format!("schulhof_t_{}", app::platform::secret::random_hex(6));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    (name.clone(), format!("{base}/{name}"))
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    pub async fn start_with(extra: &[(&str, &str)]) -> TestServer {
        let data_dir = tempdir::TempDir::new();
        let (pg_database, database_url) = match backend().as_str() {
            "postgres" => {
                let (name, url) = create_pg_database().await;
                (Some(name), url)
            }
            "sqlite" => (
                None,
                format!("sqlite://{}/schulhof.db", data_dir.0.display()),
            ),
            other => panic!("unknown SCHULHOF_TEST_BACKEND={other}"),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut vars: HashMap<String, String> = HashMap::from([
            ("SCHULHOF_ADDR".into(), addr.to_string()),
            ("SCHULHOF_DATA".into(), data_dir.0.display().to_string()),
            ("DATABASE_URL".into(), database_url.clone()),
        ]);
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        let config = Config::load(|k| vars.get(k).cloned()).unwrap();
        let state = server::build_state(config).await.unwrap();
        // Tests run the scheduled jobs themselves (`run_jobs`) and count what they did. The
        // server's own run at start would race with them on a loaded machine (a deletion set
        // up by the test done by the server's run instead), so the test holds the lease.
        state
            .lifecycle()
            .take_lease(
                app::lifecycle::JOBS,
                "test",
                app::platform::now(),
                app::lifecycle::JOB_INTERVAL_SECS - 60,
            )
            .await
            .unwrap();
        tokio::spawn(server::serve(listener, state.clone()));
        TestServer {
            base: format!("http://{addr}"),
            state,
            data_dir,
            database_url,
            pg_database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, sends our Origin, does not follow redirects.
    pub fn browser(&self) -> Browser {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::ORIGIN, self.base.parse().unwrap());
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Browser {
            client,
            base: self.base.clone(),
        }
    }

    /// Creates a user directly through the store and gives them a known password.
    pub async fn user_with_password(
        &self,
        login: &str,
        first: &str,
        last: &str,
        role: app::auth::Role,
        password: &str,
    ) -> i64 {
        use app::{audit::AuditEvent, auth::store::NewUser, platform::RequestInfo};
        let audit = AuditEvent::new("test.user_created", &RequestInfo::default());
        let new = NewUser {
            school_id: None,
            login,
            first_name: first,
            last_name: last,
            role,
        };
        let id = self
            .state
            .accounts()
            .create_user(&new, &audit)
            .await
            .unwrap()
            .unwrap();
        let hash = app::platform::passwords::hash(app::platform::secret::Secret::new(password))
            .await
            .unwrap();
        self.state
            .accounts()
            .set_password(id, &hash, None, &audit)
            .await
            .unwrap();
        id
    }

    /// The operator's one-time start password, as the first start printed it.
    pub async fn operator_start_password(&self) -> String {
        let password = app::auth::session::ensure_operator(&self.state)
            .await
            .unwrap()
            .expect("operator is new");
        password.expose().to_string()
    }

    /// Runs raw SQL against the test database: for checks and for tampering, never instead of the app.
    pub async fn sql(&self, statement: &str) {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
                .execute(&mut c)
                .await
                .unwrap();
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.scalar(&format!("SELECT COUNT(*) FROM {table}")).await
    }

    /// Every value of the first column a query returns, on whichever backend is under test.
    pub async fn column<T>(&self, q: &str) -> Vec<T>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>
            + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + Send
            + Unpin,
    {
        use sqlx::Connection;
        let q = sqlx::AssertSqlSafe(q.to_string());
        if self.database_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query_scalar(q).fetch_all(&mut c).await.unwrap()
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query_scalar(q).fetch_all(&mut c).await.unwrap()
        }
    }

    /// The one text a query returns.
    pub async fn text(&self, q: &str) -> String {
        self.column(q).await.remove(0)
    }

    /// Every text a query returns.
    pub async fn texts(&self, q: &str) -> Vec<String> {
        self.column(q).await
    }

    /// The one integer a query returns.
    pub async fn scalar(&self, q: &str) -> i64 {
        self.column(q).await.remove(0)
    }

    pub fn store(&self) -> Arc<dyn app::state::Store> {
        app::state::store(&self.state)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let Some(name) = self.pg_database.take() else {
            return;
        };
        // Drop runs outside any runtime we may block, so a small thread does the clean-up.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                let admin =
                    std::env::var("SCHULHOF_TEST_PG_URL").unwrap_or_else(|_| PG_ADMIN_URL.into());
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut c)
                    .await;
                }
            })
        })
        .join();
    }
}

/// The `{name}` placeholders the translation files use.
fn placeholder_names() -> &'static Vec<String> {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/locales");
        let mut names = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split('{').skip(1) {
                if let Some((name, _)) = part.split_once('}')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    names.insert(format!("{{{name}}}"));
                }
            }
        }
        names.into_iter().collect()
    })
}

/// Fails when the visible page (scripts left out) shows a translation's placeholder unfilled.
pub fn assert_placeholders_filled(path: &str, html: &str) {
    let mut visible = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        visible.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</script>")
            .map_or("", |end| &rest[start + end..]);
    }
    visible.push_str(rest);
    for name in placeholder_names() {
        assert!(
            !visible.contains(name.as_str()),
            "{path} shows the placeholder {name} unfilled"
        );
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl Browser {
    /// Fetches a page. Every HTML page is checked on the way for a text shown with an unfilled
    /// `{placeholder}` (UX-4, issue 18): a message that names a value must show the value.
    pub async fn get(&self, path: &str) -> Response {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let is_html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            return response;
        }
        let (status, headers, url) = (
            response.status(),
            response.headers().clone(),
            response.url().clone(),
        );
        let body = response.bytes().await.unwrap();
        assert_placeholders_filled(path, &String::from_utf8_lossy(&body));
        use reqwest::ResponseBuilderExt;
        let mut rebuilt = axum::http::Response::builder().status(status).url(url);
        if let Some(h) = rebuilt.headers_mut() {
            *h = headers;
        }
        Response::from(rebuilt.body(body).unwrap())
    }

    /// The text of the page at `path`, as [`Browser::get`] fetched and checked it.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Calls a server function the way the hydrated page does (JSON answer).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Calls the server function whose own argument struct `args` is, encoded exactly as the
    /// hydrated page encodes it, with a JSON answer: `b.send(LockUser { user_id, reason })`.
    /// The compiler checks the field names and types that a form would spell as strings.
    /// Await it for the answer, or say what is expected in one step:
    /// `b.send(args).expect(StatusCode::OK).await`, `.ok::<T>()`, `.refused(status)`.
    pub fn send<T>(&self, args: T) -> Call
    where
        T: leptos::server_fn::ServerFn + serde::Serialize,
    {
        Call(
            self.client
                .post(format!("{}{}", self.base, T::PATH))
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(serde_qs::to_string(&args).expect("server function arguments encode")),
        )
    }

    /// Submits a form the way a browser without JavaScript does.
    pub async fn submit(&self, endpoint: &str, from_page: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, format!("{}{from_page}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Uploads one file the way the upload box does (multipart, JSON answer).
    pub async fn upload(&self, space: &str, folder: i64, name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        self.client
            .post(format!(
                "{}/files/upload?space={space}&folder={folder}",
                self.base
            ))
            .header(header::ACCEPT, "application/json")
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.call("auth/login", &[("login", login), ("password", password)])
            .await
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

impl TestServer {
    /// Runs the scheduled jobs once, now, and returns their report.
    pub async fn run_jobs(&self) -> app::lifecycle::JobReport {
        app::lifecycle::run_jobs(&self.state, "test", true)
            .await
            .unwrap()
            .unwrap()
    }

    /// A school with the given mail domain.
    pub async fn school(&self, name: &str, domain: &str) -> i64 {
        use app::{audit::AuditEvent, platform::RequestInfo};
        let audit = AuditEvent::new("test.school_created", &RequestInfo::default());
        self.state
            .schools()
            .create_school(name, domain, &audit)
            .await
            .unwrap()
            .unwrap()
    }

    /// A person in `school` with a generated login; with `password`, ready to sign in.
    pub async fn person(
        &self,
        school: i64,
        role: app::auth::Role,
        first: &str,
        last: &str,
        class: Option<&str>,
        password: Option<&str>,
    ) -> (i64, String) {
        use app::{audit::AuditEvent, platform::RequestInfo, users::store::NewPerson};
        let audit = AuditEvent::new("test.user_created", &RequestInfo::default());
        let person = NewPerson {
            school_id: school,
            first_name: first,
            last_name: last,
            role,
            class: class.and_then(app::rules::class::parse),
            leaving_date: None,
        };
        let (id, login) = self
            .state
            .user_admin()
            .create_person(&person, &audit)
            .await
            .unwrap();
        if let Some(password) = password {
            let hash = app::platform::passwords::hash(app::platform::secret::Secret::new(password))
                .await
                .unwrap();
            self.state
                .accounts()
                .set_password(id, &hash, None, &audit)
                .await
                .unwrap();
            // A person with a password of their own has also accepted the policy: ready to work.
            let policy = self
                .state
                .policy()
                .current_policy(school)
                .await
                .unwrap()
                .unwrap();
            assert!(
                self.state
                    .policy()
                    .accept_policy(school, id, policy.id, &audit)
                    .await
                    .unwrap()
            );
        }
        (id, login)
    }

    /// A person of `role` in `school`, ready to work and signed in in a browser of their own.
    pub async fn ready_person(
        &self,
        school: i64,
        role: app::auth::Role,
        first: &str,
        class: Option<&str>,
    ) -> (i64, Browser) {
        let (id, login) = self
            .person(
                school,
                role,
                first,
                "Muster",
                class,
                Some(SIGNED_IN_PASSWORD),
            )
            .await;
        let browser = self.browser();
        assert_eq!(
            browser.login(&login, SIGNED_IN_PASSWORD).await.status(),
            reqwest::StatusCode::OK
        );
        (id, browser)
    }

    /// The deployment's operator, ready to work and signed in in a browser of their own.
    pub async fn signed_in_operator(&self) -> Browser {
        self.user_with_password(
            "betrieb",
            "Betrieb",
            "Admin",
            app::auth::Role::Operator,
            SIGNED_IN_PASSWORD,
        )
        .await;
        let browser = self.browser();
        assert_eq!(
            browser.login("betrieb", SIGNED_IN_PASSWORD).await.status(),
            reqwest::StatusCode::OK
        );
        browser
    }

    /// Everything a refused call must leave untouched.
    pub async fn fingerprint(&self) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in [
            "users",
            "sessions",
            "audit_events",
            "groups",
            "group_members",
            "policy_versions",
            "parent_consents",
            "users WHERE status = 'locked' OR must_change_password",
            "users WHERE role = 'pupil'",
            // SEC-1: role changes, slips and withdrawals of any role.
            "users WHERE role IN ('admin', 'management')",
            "users WHERE role = 'teacher'",
            "users WHERE start_password_issued_at IS NOT NULL",
            "users WHERE status <> 'active'",
            "users WHERE leaving_date IS NOT NULL",
            "file_nodes",
            "file_nodes WHERE trashed_at IS NOT NULL",
            "transfer_exceptions",
            "users WHERE quota_bytes IS NOT NULL",
            "schools WHERE blocked_types IS NOT NULL",
            "link_blocklist",
            "users WHERE deletion_due_at IS NOT NULL",
            "log_readers",
            "mail_messages",
            "mail_items",
            "mail_items WHERE is_read",
            "mail_items WHERE box = 'trash'",
            "mail_attachments",
            "mail_folders",
            "mail_reports",
            "mail_cases",
            "mail_cases WHERE closed_at IS NOT NULL",
            "mail_case_reads",
            "deployment_settings",
            "schools WHERE mail_pupils_to_class OR mail_pupil_per_hour <> 30",
            "address_fields",
            "calendar_events",
            "calendar_events WHERE deleted_at IS NOT NULL",
            "calendar_history",
            "calendar_feeds",
            "calendar_feeds WHERE revoked_at IS NOT NULL",
            "schools WHERE calendar_members_write",
            // ABS-1..3: reports, marks and ticks.
            "absences",
            "absences WHERE reached_at IS NOT NULL",
        ] {
            counts.push(self.count(table).await);
        }
        counts
    }
}

impl TestServer {
    /// The Paulusschule with a ready person of `role` there, signed in in a browser.
    pub async fn school_with(&self, role: app::auth::Role) -> (i64, Browser) {
        let school = self.school("Paulusschule", "paulusschule.example").await;
        let (_, login) = self
            .person(
                school,
                role,
                "Sabine",
                "Sekretär",
                None,
                Some(SIGNED_IN_PASSWORD),
            )
            .await;
        let browser = self.browser();
        assert_eq!(
            browser.login(&login, SIGNED_IN_PASSWORD).await.status(),
            reqwest::StatusCode::OK
        );
        (school, browser)
    }
}

/// The password of people made ready by the helpers.
pub const SIGNED_IN_PASSWORD: &str = "Blaue#Kuh7";

/// The start password on the `nth` slip (from 0) of a printed slips page.
pub fn start_password(slips_page: &str, nth: usize) -> String {
    let after = slips_page
        .split("data-testid=\"start-password\"")
        .nth(nth + 1)
        .expect("so many slips");
    after[after.find('>').unwrap() + 1..]
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

/// Columns that change on reads by design: a session's sliding expiry, and a new calendar
/// feed's address, which the feeds page shows once and then forgets (CAL-3).
const VOLATILE_COLUMNS: &[&str] = &["last_seen_at", "expires_at", "token_once"];
/// Tables that record refusals by design (the audit log, its checkpoints and its head, the
/// login throttle) or the scheduled jobs' lease: a refused request may write there and nowhere
/// else.
const RECORDS_OF_REFUSALS: &[&str] = &[
    "audit_events",
    "audit_checkpoints",
    "audit_head",
    "login_throttle",
    "job_leases",
    "_sqlx_migrations",
];

impl TestServer {
    /// The content of every table as text, one entry per table, rows sorted: two dumps are
    /// equal exactly when no row was added, removed or changed.
    pub async fn dump(&self) -> Vec<(String, String)> {
        use sqlx::Connection;
        let postgres = self.database_url.starts_with("postgres");
        // One connection for the whole dump: it runs around every batch of the fuzz tests.
        let mut pg = None;
        let mut lite = None;
        if postgres {
            pg = Some(
                sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .unwrap(),
            );
        } else {
            lite = Some(
                sqlx::SqliteConnection::connect(&self.database_url)
                    .await
                    .unwrap(),
            );
        }
        macro_rules! texts {
            ($q:expr) => {{
                let q = sqlx::AssertSqlSafe($q.to_string());
                match (&mut pg, &mut lite) {
                    (Some(c), _) => sqlx::query_scalar::<_, String>(q)
                        .fetch_all(c)
                        .await
                        .unwrap(),
                    (_, Some(c)) => sqlx::query_scalar::<_, String>(q)
                        .fetch_all(c)
                        .await
                        .unwrap(),
                    _ => unreachable!(),
                }
            }};
        }
        let tables: Vec<String> = if postgres {
            texts!(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            )
        } else {
            texts!(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
            )
        };
        let mut dump = Vec::new();
        for table in tables {
            if RECORDS_OF_REFUSALS.contains(&table.as_str()) {
                continue;
            }
            let columns: Vec<String> = if postgres {
                texts!(format!(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
                ))
            } else {
                texts!(format!(
                    "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                ))
            };
            let columns: Vec<String> = columns
                .into_iter()
                .filter(|c| !VOLATILE_COLUMNS.contains(&c.as_str()))
                .collect();
            let query = if postgres {
                let row = columns
                    .iter()
                    .map(|c| format!("coalesce({c}::text, '∅')"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "SELECT coalesce(string_agg(r, E'\\n' ORDER BY r), '') FROM (SELECT concat_ws('|', {row}) AS r FROM {table}) x"
                )
            } else {
                let row = columns
                    .iter()
                    .map(|c| format!("quote({c})"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                format!(
                    "SELECT coalesce(group_concat(r, char(10)), '') FROM (SELECT {row} AS r FROM {table} ORDER BY r)"
                )
            };
            let rows = texts!(query).remove(0);
            dump.push((table, rows));
        }
        dump
    }
}

/// The `schulhof` binary serving the test server's database on a port of its own, so that it
/// can be killed like a crashed process or run beside others. `extra` adds or overrides
/// settings; its log goes to `<data>/server-<port>.log`.
pub fn spawn_binary(s: &TestServer, extra: &[(&str, &str)]) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(s.data_dir.0.join(format!("server-{port}.log"))).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_schulhof"));
    command
        .arg("serve")
        .env("SCHULHOF_DATA", &s.data_dir.0)
        .env("DATABASE_URL", &s.database_url)
        .env("SCHULHOF_SECRET_KEY", s.state.config.secret_key.expose())
        .env("SCHULHOF_ADDR", format!("127.0.0.1:{port}"))
        .env("SCHULHOF_LOG", "warn");
    for (k, v) in extra {
        command.env(k, v);
    }
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

/// A browser at `base` whose pages come from `origin` (the public address: the same as `base`
/// unless a load balancer stands in front), once the server there answers, signed in as `login`.
pub async fn signed_in_at(base: &str, origin: &str, login: &str) -> Browser {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(header::HeaderMap::from_iter([(
            header::ORIGIN,
            origin.parse().unwrap(),
        )]))
        .build()
        .unwrap();
    let b = Browser {
        client,
        base: base.to_string(),
    };
    wait_until_up(base).await;
    let res = b.login(login, SIGNED_IN_PASSWORD).await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    b
}

pub async fn wait_until_up(base: &str) {
    for _ in 0..400 {
        if let Ok(res) = Client::new().get(format!("{base}/healthz")).send().await
            && res.status() == reqwest::StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the server at {base} did not come up");
}

/// What a test expects of an answer, with the body in the message when it is not that.
#[allow(async_fn_in_trait)]
pub trait Expect: Sized {
    /// The answer, once its status is `status`.
    async fn expect(self, status: reqwest::StatusCode) -> Response;
    /// A 200 answer's JSON, as `T`.
    async fn ok<T: serde::de::DeserializeOwned>(self) -> T;
    /// A refusal with `status`, as the [`app::error::AppError`] it carries.
    async fn refused(self, status: reqwest::StatusCode) -> app::error::AppError;
}

impl Expect for Response {
    async fn expect(self, status: reqwest::StatusCode) -> Response {
        if self.status() == status {
            return self;
        }
        let got = self.status();
        let url = self.url().path().to_string();
        panic!(
            "{url}: {got} instead of {status}: {}",
            self.text().await.unwrap_or_default()
        );
    }

    async fn ok<T: serde::de::DeserializeOwned>(self) -> T {
        let text = self
            .expect(reqwest::StatusCode::OK)
            .await
            .text()
            .await
            .unwrap();
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("not the expected answer ({e}): {text}"))
    }

    async fn refused(self, status: reqwest::StatusCode) -> app::error::AppError {
        let text = self.expect(status).await.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an AppError ({e}): {text}"))
    }
}

/// A server function call that has not been sent yet ([`Browser::send`]).
pub struct Call(reqwest::RequestBuilder);

impl std::future::IntoFuture for Call {
    type Output = Response;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.0.send().await.unwrap() })
    }
}

impl Call {
    /// The answer, once its status is `status`.
    pub async fn expect(self, status: reqwest::StatusCode) -> Response {
        Expect::expect(self.await, status).await
    }

    /// A 200 answer's JSON, as `T`.
    pub async fn ok<T: serde::de::DeserializeOwned>(self) -> T {
        Expect::ok(self.await).await
    }

    /// A refusal with `status`, as the [`app::error::AppError`] it carries.
    pub async fn refused(self, status: reqwest::StatusCode) -> app::error::AppError {
        Expect::refused(self.await, status).await
    }
}
