//! The database behind traits, with one SQLite and one PostgreSQL implementation.
//!
//! Both backends accept `$1` placeholders and `RETURNING`, so each feature writes its SQL
//! once and [`impl_both!`] stamps the implementation out for both store types. What truly
//! differs between them (how a write transaction starts, how the audit chain is locked)
//! lives in the inherent methods below.
use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::secret::Secret;
use crate::{
    account::store::SessionListStore,
    addressbook::store::AddressBookStore,
    audit::AuditStore,
    auth::{store::AccountStore, throttle::ThrottleStore},
    calendar::store::CalendarStore,
    files::store::FileStore,
    filter::store::LinkFilterStore,
    groups::store::GroupStore,
    lifecycle::store::LifecycleStore,
    logs::store::LogStore,
    mail::store::MailStore,
    policy::store::PolicyStore,
    schools::store::{SchoolSettingsStore, SchoolStore, SchoolSummaryStore},
    users::{rights_report::RightsReportStore, store::UserAdminStore},
};

/// Every store trait of every feature, as one object the request handlers share.
#[async_trait::async_trait]
pub trait Store:
    AccountStore
    + SchoolStore
    + AuditStore
    + ThrottleStore
    + SessionListStore
    + UserAdminStore
    + RightsReportStore
    + PolicyStore
    + SchoolSummaryStore
    + GroupStore
    + FileStore
    + LinkFilterStore
    + LogStore
    + LifecycleStore
    + SchoolSettingsStore
    + MailStore
    + AddressBookStore
    + CalendarStore
    + Send
    + Sync
    + 'static
{
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

impl_both!(Store {
    fn backend_name(&self) -> &'static str {
        <<Self as Backend>::Db as sqlx::Database>::NAME
    }

    async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
});

/// Opens the database named by `url`, creating and migrating it as needed.
pub async fn connect(url: &str, audit_key: Secret) -> Result<Arc<dyn Store>, String> {
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
        anchored(Arc::new(SqliteStore { pool, audit_key })).await
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
        anchored(Arc::new(PgStore { pool, audit_key })).await
    }
}

/// SEC-5: the first start after an upgrade anchors the audit log that is already there.
async fn anchored(store: Arc<dyn Store>) -> Result<Arc<dyn Store>, String> {
    match store.anchor_audit().await {
        Ok(Some(line)) => tracing::info!("{line}"),
        Ok(None) => {}
        Err(e) => return Err(format!("cannot anchor the audit log: {e}")),
    }
    Ok(store)
}
