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
pub async fn open(url: &str, audit_key: Secret) -> anyhow::Result<Opened> {
    use anyhow::Context;
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)
            .context("DATABASE_URL is not a SQLite address")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        if let Some(dir) = options.get_filename().parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .context("cannot open the SQLite database")?;
        sqlx::migrate!("../migrations/sqlite")
            .run(&pool)
            .await
            .context("SQLite migration failed")?;
        Ok(Opened::Sqlite(SqliteStore { pool, audit_key }))
    } else {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .with_context(|| {
                format!(
                    "cannot reach PostgreSQL at {}",
                    super::config::mask_url_password(url)
                )
            })?;
        postgres_migrator()
            .run(&pool)
            .await
            .context("PostgreSQL migration failed")?;
        Ok(Opened::Postgres(PgStore { pool, audit_key }))
    }
}

/// How PostgreSQL spells SQLite's `id INTEGER PRIMARY KEY` (the rowid alias). Migration 0010
/// came with `BIGSERIAL`; it keeps it, because deployed databases hold each migration's checksum.
fn postgres_id(version: i64) -> &'static str {
    if version == 10 {
        "id BIGSERIAL PRIMARY KEY"
    } else {
        "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    }
}

/// Issue 17: PostgreSQL runs the SQLite migrations with the id column spelled its way, so a
/// schema is written once. The text must stay byte-for-byte what earlier releases shipped as
/// `migrations/postgres/` (sqlx refuses a database whose applied migrations changed), which the
/// checksum test below holds.
pub fn postgres_migrator() -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    let sqlite = sqlx::migrate!("../migrations/sqlite");
    sqlx::migrate::Migrator::with_migrations(
        sqlite
            .iter()
            .map(|m| {
                let sql = m.sql.as_str().replace(
                    "    id INTEGER PRIMARY KEY,",
                    &format!("    {},", postgres_id(m.version)),
                );
                sqlx::migrate::Migration::new(
                    m.version,
                    m.description.clone(),
                    m.migration_type,
                    sqlx::AssertSqlSafe(sql).into_sql_str(),
                    m.no_tx,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    /// The SHA-384 of each PostgreSQL migration as released (from the former
    /// `migrations/postgres/` files). Deployed databases compare against these at every start.
    const RELEASED: &[(i64, &str)] = &[
        (
            1,
            "00739fa6cc98d0060f2d344da6df070939817e8b52054100593bc114f2fcf4721e0d00e5e6f727b6a67a87e154818ce5",
        ),
        (
            2,
            "d24fbe096aaa7887ef90f6ad6aa3c94d9bfa9660ff3af9ca3c30b1ca68825503141a6efab644da9cbf3c2fd941ca6a70",
        ),
        (
            3,
            "7663a480b8891fcad5b717896e89e78cd078f88e2608f638e77b31e469482d6493b42b1ecfbe072c28808f6fbde7251a",
        ),
        (
            4,
            "62cbcb0fc1d37968e4be7a8c37e289f82028bd85157e11384d22f679f00f32f98f4eb7466f1bef8ce1b74c92d2577fcd",
        ),
        (
            5,
            "0c52b0662cd9f64d0542f9120935621030bfcdc46711aa6f440d2246ee7149d7679124ac9a6edc66fa95945551b1b421",
        ),
        (
            6,
            "b657c5e8038b267b7cef1f3bdba725aadc5f141ca55715f1cbf63d38b64dfb50f20955c3cace19b86b6cd13f20bfbedf",
        ),
        (
            7,
            "24445d37db97acde8dcab663abd94622218db18725891c367c39e31328c27924d3e616dacce102276173de2d9a433710",
        ),
        (
            8,
            "5cb096aa83aad73131e9da7b7903b3f97413f46a7a9fb0c373102577d5ec1f386f078e6dab2abebf1ef42c0b10107695",
        ),
        (
            9,
            "6dc7b438cf0b9cdc583954f69d0511f975c45c1ee31d727bcaba0057b1305a4cf78c800200f06e25b7e5946ed1c6082f",
        ),
        (
            10,
            "4b1b4d69f2d2cab66a5cde561e60449203856f1cdb1313470026e87c594feebc41d55b6974d1c6074d7dfd269a342de4",
        ),
    ];

    #[test]
    fn postgres_migrations_are_the_released_ones() {
        let migrator = super::postgres_migrator();
        let ours: Vec<(i64, String)> = migrator
            .iter()
            .map(|m| (m.version, hex::encode(&m.checksum)))
            .collect();
        for (version, released) in RELEASED {
            let found = ours.iter().find(|(v, _)| v == version);
            assert_eq!(
                found.map(|(_, sum)| sum.as_str()),
                Some(*released),
                "migration {version} changed for PostgreSQL; deployed databases would refuse to start"
            );
        }
        assert!(ours.len() >= RELEASED.len());
    }
}
