//! Configuration from environment variables, optionally preset by a `KEY=value` file.
use std::{net::SocketAddr, path::PathBuf, time::Duration};

use super::secret::Secret;

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub store_url: String,
    pub site_root: String,
    pub session_idle: Duration,
    pub session_max: Duration,
    /// Keys the audit chain's HMAC. Shared by every app server of one deployment.
    pub secret_key: Secret,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Nobody else's is.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// PW-2: how long a start password stays valid.
    pub start_password_days: i64,
    /// LOG-3, SEC-5: the shortest audit retention a school may choose, and the operator's
    /// own events' period. Below 183 days only with a written reason (docs/security.md).
    pub audit_retention_min_days: i64,
}

/// The variables an operator may set, with their defaults, for `--help` and the docs.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "SCHULHOF_ADDR",
        "127.0.0.1:3000",
        "address and port to listen on",
    ),
    (
        "SCHULHOF_PUBLIC_URL",
        "http://<SCHULHOF_ADDR>",
        "the address users type; https turns on Secure cookies",
    ),
    (
        "SCHULHOF_DATA",
        "./data",
        "data folder (SQLite database, files, secret key)",
    ),
    (
        "DATABASE_URL",
        "sqlite://<SCHULHOF_DATA>/schulhof.db",
        "sqlite://… or postgres://…",
    ),
    (
        "SCHULHOF_STORE",
        "file://<SCHULHOF_DATA>/files",
        "file store: file://folder or s3://bucket",
    ),
    (
        "SCHULHOF_SITE_ROOT",
        "target/site",
        "folder with the built CSS, JS and WASM",
    ),
    (
        "SCHULHOF_SESSION_IDLE_MINUTES",
        "120",
        "a session ends after this long unused",
    ),
    (
        "SCHULHOF_SESSION_MAX_HOURS",
        "12",
        "a session ends this long after login, however used",
    ),
    (
        "SCHULHOF_SECRET_KEY",
        "<SCHULHOF_DATA>/secret.key",
        "64 hex digits; all app servers need the same",
    ),
    (
        "SCHULHOF_TRUSTED_PROXIES",
        "(none)",
        "comma-separated proxy addresses whose X-Forwarded-For counts",
    ),
    (
        "SCHULHOF_START_PASSWORD_DAYS",
        "14",
        "how long a start password stays valid",
    ),
    (
        "SCHULHOF_AUDIT_RETENTION_MIN_DAYS",
        "183",
        "shortest audit log retention a school may set (days)",
    ),
    (
        "SCHULHOF_CONFIG",
        "(none)",
        "a file of KEY=value lines read before the environment",
    ),
];

impl Config {
    /// Reads the configuration. `lookup` is the environment in production and a map in tests.
    pub fn load(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let file = match lookup("SCHULHOF_CONFIG") {
            Some(path) => std::fs::read_to_string(&path)
                .map_err(|e| format!("SCHULHOF_CONFIG={path}: {e}"))?,
            None => String::new(),
        };
        let from_file = |name: &str| {
            file.lines()
                .filter_map(|l| l.trim().split_once('='))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
        };
        let get = |name: &str| {
            lookup(name)
                .or_else(|| from_file(name))
                .filter(|v| !v.is_empty())
        };

        let addr_text = get("SCHULHOF_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr_text
            .parse()
            .map_err(|_| format!("SCHULHOF_ADDR={addr_text} is not host:port"))?;
        let public_url = get("SCHULHOF_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "SCHULHOF_PUBLIC_URL={public_url} must start with http:// or https://"
            ));
        }
        let data_dir = PathBuf::from(get("SCHULHOF_DATA").unwrap_or_else(|| "./data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/schulhof.db", data_dir.display()));
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err("DATABASE_URL must start with sqlite:// or postgres://".into());
        }
        let store_url =
            get("SCHULHOF_STORE").unwrap_or_else(|| format!("file://{}/files", data_dir.display()));
        if !(store_url.starts_with("file://") || store_url.starts_with("s3://")) {
            return Err("SCHULHOF_STORE must start with file:// or s3://".into());
        }
        let minutes = |name: &str, default: u64| -> Result<u64, String> {
            get(name).map_or(Ok(default), |v| {
                v.parse().map_err(|_| format!("{name}={v} is not a number"))
            })
        };
        let session_idle = Duration::from_secs(60 * minutes("SCHULHOF_SESSION_IDLE_MINUTES", 120)?);
        let session_max = Duration::from_secs(3600 * minutes("SCHULHOF_SESSION_MAX_HOURS", 12)?);
        let secret_key = match get("SCHULHOF_SECRET_KEY") {
            Some(key) if key.len() >= 32 => Secret::new(key),
            Some(_) => return Err("SCHULHOF_SECRET_KEY must have at least 32 characters".into()),
            None => load_or_create_key(&data_dir)?,
        };
        let trusted_proxies = get("SCHULHOF_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("SCHULHOF_TRUSTED_PROXIES: {s} is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let start_password_days = minutes("SCHULHOF_START_PASSWORD_DAYS", 14)? as i64;
        if !(1..=365).contains(&start_password_days) {
            return Err("SCHULHOF_START_PASSWORD_DAYS must be between 1 and 365".into());
        }
        let audit_retention_min_days = minutes("SCHULHOF_AUDIT_RETENTION_MIN_DAYS", 183)? as i64;
        if !(1..=730).contains(&audit_retention_min_days) {
            return Err("SCHULHOF_AUDIT_RETENTION_MIN_DAYS must be between 1 and 730".into());
        }
        Ok(Config {
            audit_retention_min_days,
            trusted_proxies,
            start_password_days,
            addr,
            public_url,
            data_dir,
            database_url,
            store_url,
            site_root: get("SCHULHOF_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            session_idle,
            session_max,
            secret_key,
        })
    }

    pub fn from_env() -> Result<Config, String> {
        Config::load(|name| std::env::var(name).ok())
    }

    /// Cookies get `Secure` and the `__Host-` prefix only where the browser reaches us by https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The effective configuration for the start-up banner, with secrets masked.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SCHULHOF_ADDR", self.addr.to_string()),
            ("SCHULHOF_PUBLIC_URL", self.public_url.clone()),
            ("SCHULHOF_DATA", self.data_dir.display().to_string()),
            ("DATABASE_URL", mask_url_password(&self.database_url)),
            ("SCHULHOF_STORE", mask_url_password(&self.store_url)),
            ("SCHULHOF_SITE_ROOT", self.site_root.clone()),
            (
                "SCHULHOF_SESSION_IDLE_MINUTES",
                (self.session_idle.as_secs() / 60).to_string(),
            ),
            (
                "SCHULHOF_SESSION_MAX_HOURS",
                (self.session_max.as_secs() / 3600).to_string(),
            ),
            ("SCHULHOF_SECRET_KEY", "***".into()),
            (
                "SCHULHOF_TRUSTED_PROXIES",
                self.trusted_proxies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "SCHULHOF_START_PASSWORD_DAYS",
                self.start_password_days.to_string(),
            ),
            (
                "SCHULHOF_AUDIT_RETENTION_MIN_DAYS",
                self.audit_retention_min_days.to_string(),
            ),
        ]
    }
}

fn load_or_create_key(data_dir: &std::path::Path) -> Result<Secret, String> {
    let path = data_dir.join("secret.key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        return Ok(Secret::new(key.trim()));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let key = super::secret::random_hex(32);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options
        .open(&path)
        .and_then(|mut f| f.write_all(key.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Secret::new(key))
}

/// A URL with credentials, as both the store and the start-up print read it: one parser, so
/// what is masked is exactly what is used (a secret with an `@` in it is masked whole).
pub struct UrlParts<'a> {
    pub scheme: &'a str,
    /// `user` and `password` before the last `@` of the part before `?`.
    pub credentials: Option<(&'a str, &'a str)>,
    /// Host and path (or the bucket), after the credentials.
    pub location: &'a str,
    pub query: &'a str,
}

pub fn url_parts(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (credentials, location) = match before_query.rsplit_once('@') {
        Some((userinfo, location)) => (
            Some(userinfo.split_once(':').unwrap_or((userinfo, ""))),
            location,
        ),
        None => (None, before_query),
    };
    Some(UrlParts {
        scheme,
        credentials,
        location,
        query,
    })
}

/// `postgres://user:pw@host/db` → `postgres://user:***@host/db`.
pub fn mask_url_password(url: &str) -> String {
    match url_parts(url) {
        Some(UrlParts {
            scheme,
            credentials: Some((user, _)),
            location,
            query,
        }) => {
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            format!("{scheme}://{user}:***@{location}{query}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SEC-1 (secrets): the secret is masked exactly where the store reads it, `@` and all.
    #[test]
    fn s3_secret_with_an_at_is_masked_whole() {
        let url = "s3://KEY:se@cr@et@bucket?endpoint=http://127.0.0.1:9000";
        let parts = url_parts(url).unwrap();
        assert_eq!(parts.credentials, Some(("KEY", "se@cr@et")));
        assert_eq!(parts.location, "bucket");
        let masked = mask_url_password(url);
        assert_eq!(masked, "s3://KEY:***@bucket?endpoint=http://127.0.0.1:9000");
        assert!(!masked.contains("cr@et"));
        assert_eq!(
            mask_url_password("postgres://u:p@host/db"),
            "postgres://u:***@host/db"
        );
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let dir = std::env::temp_dir().join(format!(
            "schulhof-config-{}",
            super::super::secret::random_hex(4)
        ));
        let data = dir.display().to_string();
        let mut map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.entry("SCHULHOF_DATA".into()).or_insert(data);
        Config::load(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_local_sqlite_and_a_generated_key() {
        let c = load(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(!c.secure_cookies());
        let again = load(&[("SCHULHOF_DATA", &c.data_dir.display().to_string())]).unwrap();
        assert_eq!(
            c.secret_key.expose(),
            again.secret_key.expose(),
            "the key is kept"
        );
        std::fs::remove_dir_all(&c.data_dir).unwrap();
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        assert!(
            load(&[("SCHULHOF_ADDR", "nope")])
                .unwrap_err()
                .contains("SCHULHOF_ADDR")
        );
        assert!(
            load(&[("DATABASE_URL", "mysql://x")])
                .unwrap_err()
                .contains("DATABASE_URL")
        );
        assert!(
            load(&[("SCHULHOF_SESSION_MAX_HOURS", "x")])
                .unwrap_err()
                .contains("MAX_HOURS")
        );
    }

    #[test]
    fn secrets_are_masked_in_the_banner() {
        let c = load(&[
            ("DATABASE_URL", "postgres://u:geheim@h/db"),
            ("SCHULHOF_PUBLIC_URL", "https://s.example/"),
        ])
        .unwrap();
        let text = format!("{:?}", c.describe());
        assert!(!text.contains("geheim") && !text.contains(c.secret_key.expose()));
        assert!(c.secure_cookies());
        assert_eq!(c.public_url, "https://s.example");
        std::fs::remove_dir_all(&c.data_dir).unwrap();
    }
}
