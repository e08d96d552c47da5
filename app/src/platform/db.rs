//! The database behind traits, with one SQLite and one PostgreSQL implementation.
//!
//! Both backends accept `$1` placeholders and `RETURNING`, so each feature writes its SQL
//! once and [`impl_both!`] stamps the implementation out for both store types. What truly
//! differs between them (how a write transaction starts, how the audit chain is locked)
//! lives in the inherent methods below.
use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::secret::Secret;

/// What the health check asks of the database, whichever backend it is.
#[async_trait::async_trait]
pub trait Health: Send + Sync {
    fn backend_name(&self) -> &'static str;
    async fn ping(&self) -> Result<(), sqlx::Error>;
}

/// Names the sqlx database type of a store, so shared bodies can spell their transaction type.
pub trait Backend {
    type Db: sqlx::Database;
}

pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    pub(crate) audit_key: Secret,
}

pub struct PgStore {
    pub(crate) pool: PgPool,
    pub(crate) audit_key: Secret,
}

impl Backend for SqliteStore {
    type Db = Sqlite;
}

impl Backend for PgStore {
    type Db = Postgres;
}

pub type Tx<S> = Transaction<'static, <S as Backend>::Db>;

/// Implements a store trait for both backends from one body.
macro_rules! impl_both {
    ($trait:path { $($body:tt)* }) => {
        #[async_trait::async_trait]
        impl $trait for $crate::platform::db::SqliteStore { $($body)* }
        #[async_trait::async_trait]
        impl $trait for $crate::platform::db::PgStore { $($body)* }
    };
}
pub(crate) use impl_both;

/// Adds the same inherent helper methods to both store types.
macro_rules! inherent_both {
    ($($body:tt)*) => {
        impl $crate::platform::db::SqliteStore { $($body)* }
        impl $crate::platform::db::PgStore { $($body)* }
    };
}
pub(crate) use inherent_both;

/// What a transaction-long lock on one id protects (PostgreSQL's advisory locks take a class
/// and an id; SQLite's write lock already orders every writer).
#[derive(Clone, Copy)]
pub enum LockSpace {
    /// FILE-4, SEC-4: a person's quota, between the check and the write.
    Quota = 7244,
}

impl SqliteStore {
    /// `BEGIN IMMEDIATE` takes the write lock up front, so two writers queue on the busy
    /// timeout instead of failing later with "database is locked".
    pub(crate) async fn begin_write(&self) -> Result<Tx<Self>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// A read transaction: in WAL mode its first read fixes the snapshot it sees.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx<Self>, sqlx::Error> {
        self.pool.begin().await
    }

    /// The write lock taken by `begin_write` already orders all writers.
    pub(crate) async fn lock_key(
        &self,
        _tx: &mut Tx<Self>,
        _space: LockSpace,
        _id: i64,
    ) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// The write lock taken by `begin_write` already orders all audit writers.
    pub(crate) async fn lock_audit_chain(&self, _tx: &mut Tx<Self>) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

impl PgStore {
    pub(crate) async fn begin_write(&self) -> Result<Tx<Self>, sqlx::Error> {
        self.pool.begin().await
    }

    /// A read transaction that sees one snapshot for all its statements.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx<Self>, sqlx::Error> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
    }

    /// Orders the writers of one id in `space` across all app servers until the transaction
    /// ends. Ids beyond 32 bits share a lock with another id: slower, never wrong.
    pub(crate) async fn lock_key(
        &self,
        tx: &mut Tx<Self>,
        space: LockSpace,
        id: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(space as i32)
            .bind(id as i32)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Orders audit writers across all app servers until the transaction ends.
    pub(crate) async fn lock_audit_chain(&self, tx: &mut Tx<Self>) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock(7243001)")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

impl_both!(Health {
    fn backend_name(&self) -> &'static str {
        <<Self as Backend>::Db as sqlx::Database>::NAME
    }

    async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
});

/// An opened, migrated database of either backend. The composition root (`crate::state`)
/// turns it into the features' stores.
pub enum Opened {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Opens the database named by `url`, creating and migrating it as needed.
pub async fn open(url: &str, audit_key: Secret) -> Result<Opened, String> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("DATABASE_URL: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        if let Some(dir) = options.get_filename().parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot open the SQLite database: {e}"))?;
        sqlx::migrate!("../migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| format!("SQLite migration failed: {e}"))?;
        Ok(Opened::Sqlite(SqliteStore { pool, audit_key }))
    } else {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| {
                format!(
                    "cannot reach PostgreSQL at {}: {e}",
                    super::config::mask_url_password(url)
                )
            })?;
        sqlx::migrate!("../migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| format!("PostgreSQL migration failed: {e}"))?;
        Ok(Opened::Postgres(PgStore { pool, audit_key }))
    }
}

#[cfg(test)]
mod tests {
    /// How a PostgreSQL migration spells SQLite's `id INTEGER PRIMARY KEY` (the rowid alias).
    /// 0010 came with `BIGSERIAL`; it stays, because sqlx checksums applied migrations.
    const PG_IDS: &[&str] = &[
        "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "id BIGSERIAL PRIMARY KEY",
    ];

    // Issue 17: each PostgreSQL migration is its SQLite twin, line by line, but for the id
    // column; a change made to one backend only fails here.
    #[test]
    fn postgres_migrations_equal_their_sqlite_twins() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let names = |backend: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir.join(backend))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let sqlite = names("sqlite");
        assert_eq!(sqlite, names("postgres"), "the same migrations on both");
        assert!(sqlite.len() >= 10);
        for name in &sqlite {
            let read =
                |backend: &str| std::fs::read_to_string(dir.join(backend).join(name)).unwrap();
            let (lite, pg) = (read("sqlite"), read("postgres"));
            assert_eq!(
                lite.lines().count(),
                pg.lines().count(),
                "{name}: line count"
            );
            for (number, (l, p)) in lite.lines().zip(pg.lines()).enumerate() {
                let same = l == p
                    || PG_IDS
                        .iter()
                        .any(|id| l.replace("id INTEGER PRIMARY KEY", id) == p);
                assert!(same, "{name}:{}: {l:?} vs {p:?}", number + 1);
            }
        }
    }
}
