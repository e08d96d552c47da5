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

/// One variable an operator may set: its name is spelled only here, and `--help`, [`Config::load`]
/// and the start-up print ([`Config::describe`]) all take it from here.
#[derive(Clone, Copy, Debug)]
pub struct Var {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

pub const ADDR: Var = Var {
    name: "SCHULHOF_ADDR",
    default: "127.0.0.1:3000",
    help: "address and port to listen on",
};
pub const PUBLIC_URL: Var = Var {
    name: "SCHULHOF_PUBLIC_URL",
    default: "http://<SCHULHOF_ADDR>",
    help: "the address users type; https turns on Secure cookies",
};
pub const DATA: Var = Var {
    name: "SCHULHOF_DATA",
    default: "./data",
    help: "data folder (SQLite database, files, secret key)",
};
pub const DATABASE_URL: Var = Var {
    name: "DATABASE_URL",
    default: "sqlite://<SCHULHOF_DATA>/schulhof.db",
    help: "sqlite://… or postgres://…",
};
pub const STORE: Var = Var {
    name: "SCHULHOF_STORE",
    default: "file://<SCHULHOF_DATA>/files",
    help: "file store: file://folder or s3://bucket",
};
pub const SITE_ROOT: Var = Var {
    name: "SCHULHOF_SITE_ROOT",
    default: "target/site",
    help: "folder with the built CSS, JS and WASM",
};
pub const SESSION_IDLE_MINUTES: Var = Var {
    name: "SCHULHOF_SESSION_IDLE_MINUTES",
    default: "120",
    help: "a session ends after this long unused",
};
pub const SESSION_MAX_HOURS: Var = Var {
    name: "SCHULHOF_SESSION_MAX_HOURS",
    default: "12",
    help: "a session ends this long after login, however used",
};
pub const SECRET_KEY: Var = Var {
    name: "SCHULHOF_SECRET_KEY",
    default: "<SCHULHOF_DATA>/secret.key",
    help: "64 hex digits; all app servers need the same",
};
pub const TRUSTED_PROXIES: Var = Var {
    name: "SCHULHOF_TRUSTED_PROXIES",
    default: "(none)",
    help: "comma-separated proxy addresses whose X-Forwarded-For counts",
};
pub const START_PASSWORD_DAYS: Var = Var {
    name: "SCHULHOF_START_PASSWORD_DAYS",
    default: "14",
    help: "how long a start password stays valid",
};
pub const AUDIT_RETENTION_MIN_DAYS: Var = Var {
    name: "SCHULHOF_AUDIT_RETENTION_MIN_DAYS",
    default: "183",
    help: "shortest audit log retention a school may set (days)",
};
pub const CONFIG_FILE: Var = Var {
    name: "SCHULHOF_CONFIG",
    default: "(none)",
    help: "a file of KEY=value lines read before the environment",
};

/// The variables an operator may set, in the order `--help` lists them.
pub const VARIABLES: &[Var] = &[
    ADDR,
    PUBLIC_URL,
    DATA,
    DATABASE_URL,
    STORE,
    SITE_ROOT,
    SESSION_IDLE_MINUTES,
    SESSION_MAX_HOURS,
    SECRET_KEY,
    TRUSTED_PROXIES,
    START_PASSWORD_DAYS,
    AUDIT_RETENTION_MIN_DAYS,
    CONFIG_FILE,
];

impl Config {
    /// Reads the configuration. `lookup` is the environment in production and a map in tests.
    pub fn load(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let file = match lookup(CONFIG_FILE.name) {
            Some(path) => std::fs::read_to_string(&path)
                .map_err(|e| format!("{}={path}: {e}", CONFIG_FILE.name))?,
            None => String::new(),
        };
        let from_file = |name: &str| {
            file.lines()
                .filter_map(|l| l.trim().split_once('='))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
        };
        let get = |var: &Var| {
            lookup(var.name)
                .or_else(|| from_file(var.name))
                .filter(|v| !v.is_empty())
        };
        // A number, or the variable's default.
        let number = |var: &Var| -> Result<u64, String> {
            let v = get(var).unwrap_or_else(|| var.default.to_string());
            v.parse()
                .map_err(|_| format!("{}={v} is not a number", var.name))
        };
        let in_range = |var: &Var, range: std::ops::RangeInclusive<u64>| -> Result<i64, String> {
            let value = number(var)?;
            if !range.contains(&value) {
                return Err(format!(
                    "{} must be between {} and {}",
                    var.name,
                    range.start(),
                    range.end()
                ));
            }
            Ok(value as i64)
        };

        let addr_text = get(&ADDR).unwrap_or_else(|| ADDR.default.into());
        let addr: SocketAddr = addr_text
            .parse()
            .map_err(|_| format!("{}={addr_text} is not host:port", ADDR.name))?;
        let public_url = get(&PUBLIC_URL)
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "{}={public_url} must start with http:// or https://",
                PUBLIC_URL.name
            ));
        }
        let data_dir = PathBuf::from(get(&DATA).unwrap_or_else(|| DATA.default.into()));
        let database_url = get(&DATABASE_URL)
            .unwrap_or_else(|| format!("sqlite://{}/schulhof.db", data_dir.display()));
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(format!(
                "{} must start with sqlite:// or postgres://",
                DATABASE_URL.name
            ));
        }
        let store_url =
            get(&STORE).unwrap_or_else(|| format!("file://{}/files", data_dir.display()));
        if !(store_url.starts_with("file://") || store_url.starts_with("s3://")) {
            return Err(format!("{} must start with file:// or s3://", STORE.name));
        }
        let session_idle = Duration::from_secs(60 * number(&SESSION_IDLE_MINUTES)?);
        let session_max = Duration::from_secs(3600 * number(&SESSION_MAX_HOURS)?);
        let secret_key = match get(&SECRET_KEY) {
            Some(key) if key.len() >= 32 => Secret::new(key),
            Some(_) => {
                return Err(format!(
                    "{} must have at least 32 characters",
                    SECRET_KEY.name
                ));
            }
            None => load_or_create_key(&data_dir)?,
        };
        let trusted_proxies = get(&TRUSTED_PROXIES)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("{}: {s} is not an IP address", TRUSTED_PROXIES.name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let start_password_days = in_range(&START_PASSWORD_DAYS, 1..=365)?;
        let audit_retention_min_days = in_range(&AUDIT_RETENTION_MIN_DAYS, 1..=730)?;
        Ok(Config {
            audit_retention_min_days,
            trusted_proxies,
            start_password_days,
            addr,
            public_url,
            data_dir,
            database_url,
            store_url,
            site_root: get(&SITE_ROOT).unwrap_or_else(|| SITE_ROOT.default.into()),
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
            (ADDR.name, self.addr.to_string()),
            (PUBLIC_URL.name, self.public_url.clone()),
            (DATA.name, self.data_dir.display().to_string()),
            (DATABASE_URL.name, mask_url_password(&self.database_url)),
            (STORE.name, mask_url_password(&self.store_url)),
            (SITE_ROOT.name, self.site_root.clone()),
            (
                SESSION_IDLE_MINUTES.name,
                (self.session_idle.as_secs() / 60).to_string(),
            ),
            (
                SESSION_MAX_HOURS.name,
                (self.session_max.as_secs() / 3600).to_string(),
            ),
            (SECRET_KEY.name, "***".into()),
            (
                TRUSTED_PROXIES.name,
                self.trusted_proxies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                START_PASSWORD_DAYS.name,
                self.start_password_days.to_string(),
            ),
            (
                AUDIT_RETENTION_MIN_DAYS.name,
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

    // Issue 17: the start-up print names every variable `--help` lists (but the file that
    // presets them), from the one list.
    #[test]
    fn the_banner_names_every_variable() {
        let c = load(&[]).unwrap();
        let shown: Vec<&str> = c.describe().into_iter().map(|(name, _)| name).collect();
        let listed: Vec<&str> = VARIABLES
            .iter()
            .map(|v| v.name)
            .filter(|n| *n != CONFIG_FILE.name)
            .collect();
        assert_eq!(shown, listed);
        assert!(
            load(&[(START_PASSWORD_DAYS.name, "0")])
                .unwrap_err()
                .contains("SCHULHOF_START_PASSWORD_DAYS must be between 1 and 365")
        );
        std::fs::remove_dir_all(&c.data_dir).unwrap();
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
