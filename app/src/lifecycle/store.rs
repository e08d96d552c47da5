//! Deactivation, scheduled deletion and the deletion itself, each in one transaction.
use super::{DeletionReport, EndRequest};
use crate::audit::AuditEvent;
use crate::platform::db::{Tx, impl_both, inherent_both};

/// What a deletion leaves to do after its commit: the blobs no row points to any more.
pub struct Deleted {
    pub blob_keys: Vec<String>,
    pub pseudonym: String,
}

#[derive(sqlx::FromRow)]
struct Person {
    school_id: i64,
    login: String,
    first_name: String,
    last_name: String,
    role: String,
    status: String,
    created_at: i64,
    deactivated_at: Option<i64>,
    mail_domain: String,
}

#[derive(sqlx::FromRow)]
struct EndRequestRow {
    id: i64,
    pupil_id: i64,
    first_name: String,
    last_name: String,
    class: Option<String>,
    guardian: Option<String>,
    note: String,
    created_at: i64,
}

inherent_both! {
    /// LIFE-1: deactivates a person at once, ends their sessions and schedules the deletion
    /// after the school's grace period, in the caller's transaction. False when not in this
    /// school or already scheduled.
    async fn withdraw_in(&self, tx: &mut Tx<Self>, school_id: i64, user_id: i64, now: i64) -> Result<bool, sqlx::Error> {
        let changed = sqlx::query(
            "UPDATE users SET status = 'withdrawn', status_before_deactivation = status, deactivated_at = $3,
                 deletion_due_at = $3 + 86400 * (SELECT deletion_grace_days FROM schools WHERE id = $2)
             WHERE id = $1 AND school_id = $2 AND deletion_due_at IS NULL",
        )
        .bind(user_id)
        .bind(school_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed > 0 {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
        }
        Ok(changed > 0)
    }

    /// PAR-1, LIFE-3: locks a guardian who has no linked child left, signs them out, and
    /// schedules the deletion after the school's grace period like any leaver's, in the
    /// caller's transaction. The one place for it: a link removed and a child deleted both
    /// end here.
    pub(crate) async fn lock_childless_guardian(&self, tx: &mut Tx<Self>, guardian_id: i64, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE users SET status = 'locked', status_reason = $2, status_before_deactivation = status,
                 deactivated_at = $3, deletion_due_at = $3 + 86400 * (SELECT deletion_grace_days FROM schools WHERE id = users.school_id)
             WHERE id = $1",
        )
        .bind(guardian_id)
        .bind(crate::i18n::Lang::De.t(crate::i18n::Key::GuardiansNoChildLeft))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(guardian_id).execute(&mut **tx).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
pub trait LifecycleStore: Send + Sync {
    /// LIFE-1, PAR-4: a guardian's request to end a pupil's use. A request already open for
    /// the pupil is left as it is (`false`, nothing written).
    async fn request_end(
        &self,
        school_id: i64,
        pupil_id: i64,
        guardian_id: i64,
        note: &str,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// LIFE-1: when the pupil's open request was made, if one is open.
    async fn open_end_request(&self, pupil_id: i64) -> Result<Option<i64>, sqlx::Error>;
    /// LIFE-1: the school's open requests, oldest first.
    async fn end_requests(&self, school_id: i64) -> Result<Vec<EndRequest>, sqlx::Error>;
    /// LIFE-1: confirms an open request: it is closed and the pupil withdrawn (deactivated at
    /// once, deletion scheduled) in one transaction. False when there is no such open request.
    async fn confirm_end(
        &self,
        school_id: i64,
        request_id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// LIFE-1: deactivates at once and schedules the deletion. False if not in this school
    /// or already scheduled.
    async fn withdraw(
        &self,
        school_id: i64,
        user_id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// LIFE-3: during the grace period the account comes back as it was.
    async fn cancel_deletion(
        &self,
        school_id: i64,
        user_id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error>;
    /// LIFE-2: deactivates everyone whose leaving date (`YYYY-MM-DD`) is before `today`.
    async fn deactivate_leavers(
        &self,
        today: &str,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<Vec<i64>, sqlx::Error>;
    async fn due_for_deletion(&self, now: i64) -> Result<Vec<i64>, sqlx::Error>;
    /// LIFE-3: deletes the account and everything that is only theirs, irrevocably.
    async fn delete_account(
        &self,
        user_id: i64,
        now: i64,
        audit: &AuditEvent,
    ) -> Result<Option<Deleted>, sqlx::Error>;
    async fn deletion_reports(&self, school_id: i64) -> Result<Vec<DeletionReport>, sqlx::Error>;
    /// Takes the named lease for `secs` unless another holder has it; true if taken.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        secs: i64,
    ) -> Result<bool, sqlx::Error>;
    async fn finish_lease(&self, name: &str, now: i64, result: &str) -> Result<(), sqlx::Error>;
    /// When the jobs last ran and what they did.
    async fn last_run(&self, name: &str) -> Result<Option<(i64, String)>, sqlx::Error>;
}

impl crate::platform::AppState {
    /// The storage of the account lifecycle, as the composition root registered it.
    pub fn lifecycle(&self) -> &dyn LifecycleStore {
        self.stores.get::<dyn LifecycleStore>()
    }
}

impl_both!(LifecycleStore {
    async fn request_end(&self, school_id: i64, pupil_id: i64, guardian_id: i64, note: &str, now: i64, audit: &AuditEvent)
        -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM end_requests WHERE pupil_id = $1 AND confirmed_at IS NULL",
        )
        .bind(pupil_id)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO end_requests (school_id, pupil_id, guardian_id, note, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(school_id)
        .bind(pupil_id)
        .bind(guardian_id)
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_end_request(&self, pupil_id: i64) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT MIN(created_at) FROM end_requests WHERE pupil_id = $1 AND confirmed_at IS NULL")
            .bind(pupil_id)
            .fetch_one(&self.pool)
            .await
    }

    async fn end_requests(&self, school_id: i64) -> Result<Vec<EndRequest>, sqlx::Error> {
        let rows: Vec<EndRequestRow> = sqlx::query_as(
            "SELECT r.id, r.pupil_id, p.first_name, p.last_name,
                (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
                 WHERE gm.user_id = p.id AND g.kind = 'class' ORDER BY g.name LIMIT 1) AS class,
                (SELECT u.first_name || ' ' || u.last_name FROM users u WHERE u.id = r.guardian_id) AS guardian,
                r.note, r.created_at
             FROM end_requests r JOIN users p ON p.id = r.pupil_id
             WHERE r.school_id = $1 AND r.confirmed_at IS NULL
             ORDER BY r.created_at, r.id LIMIT 200",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| EndRequest {
                id: r.id,
                pupil_id: r.pupil_id,
                pupil: format!("{} {}", r.first_name, r.last_name),
                class: r.class,
                guardian: r.guardian,
                note: r.note,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn confirm_end(&self, school_id: i64, request_id: i64, now: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let pupil: Option<i64> = sqlx::query_scalar(
            "SELECT pupil_id FROM end_requests WHERE id = $1 AND school_id = $2 AND confirmed_at IS NULL",
        )
        .bind(request_id)
        .bind(school_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(pupil) = pupil else { return Ok(false) };
        // Every open request for the pupil is answered by this one confirmation.
        sqlx::query("UPDATE end_requests SET confirmed_at = $1, confirmed_by = $2 WHERE pupil_id = $3 AND confirmed_at IS NULL")
            .bind(now)
            .bind(audit.actor_id)
            .bind(pupil)
            .execute(&mut *tx)
            .await?;
        // A pupil whose deletion is scheduled already keeps its date.
        self.withdraw_in(&mut tx, school_id, pupil, now).await?;
        self.write_audit(&mut tx, &audit.clone().subject(pupil)).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn withdraw(&self, school_id: i64, user_id: i64, now: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if !self.withdraw_in(&mut tx, school_id, user_id, now).await? {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn cancel_deletion(&self, school_id: i64, user_id: i64, now: i64, audit: &AuditEvent) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE users SET status = COALESCE(status_before_deactivation, 'active'), status_before_deactivation = NULL,
                 deactivated_at = NULL, deletion_due_at = NULL
             WHERE id = $1 AND school_id = $2 AND deletion_due_at > $3",
        )
        .bind(user_id)
        .bind(school_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        self.write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn deactivate_leavers(&self, today: &str, now: i64, audit: &AuditEvent) -> Result<Vec<i64>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, school_id FROM users WHERE leaving_date IS NOT NULL AND leaving_date < $1
             AND deletion_due_at IS NULL AND school_id IS NOT NULL",
        )
        .bind(today)
        .fetch_all(&mut *tx)
        .await?;
        for (id, school) in &ids {
            sqlx::query(
                "UPDATE users SET status = 'left', status_before_deactivation = status, deactivated_at = $2,
                     deletion_due_at = $2 + 86400 * (SELECT deletion_grace_days FROM schools WHERE id = $3)
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(school)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            let mut event = audit.clone().subject(*id);
            event.school_id = Some(*school);
            self.write_audit(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(ids.into_iter().map(|(id, _)| id).collect())
    }

    async fn due_for_deletion(&self, now: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM users WHERE deletion_due_at IS NOT NULL AND deletion_due_at <= $1 ORDER BY id")
            .bind(now)
            .fetch_all(&self.pool)
            .await
    }

    async fn delete_account(&self, user_id: i64, now: i64, audit: &AuditEvent) -> Result<Option<Deleted>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let person: Option<Person> = sqlx::query_as(
            "SELECT u.school_id, u.login, u.first_name, u.last_name, u.role, u.status, u.created_at,
                    u.deactivated_at, s.mail_domain
             FROM users u JOIN schools s ON s.id = u.school_id
             WHERE u.id = $1 AND u.deletion_due_at IS NOT NULL AND u.deletion_due_at <= $2",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(person) = person else { return Ok(None) };
        let class: String = sqlx::query_scalar::<_, String>(
            "SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = $1 AND g.kind = 'class' LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_default();
        let digest = crate::platform::secret::sha256_hex(&format!("{}:{user_id}", self.audit_key.expose()));
        let pseudonym = format!("ehemaliger Nutzer {}", &digest[..8]);

        // Their own files go; what they gave a group stays, without their name on it.
        let blob_keys: Vec<String> = sqlx::query_scalar(
            "SELECT blob_key FROM file_nodes WHERE owner_user_id = $1 AND blob_key IS NOT NULL",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        let files = blob_keys.len();
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM file_nodes WHERE created_by = $1 AND owner_user_id IS NULL")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM file_nodes WHERE owner_user_id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE file_nodes SET created_by = NULL WHERE created_by = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE file_nodes SET trashed_by = NULL WHERE trashed_by = $1").bind(user_id).execute(&mut *tx).await?;
        // What they did for others keeps its effect but not their id.
        sqlx::query("UPDATE transfer_exceptions SET granted_by = NULL WHERE granted_by = $1").bind(user_id).execute(&mut *tx).await?;
        // PAR-1, LIFE-3: a guardian whose last child this was has nothing left to see: locked,
        // signed out, and deleted after the grace period like any leaver.
        let orphans: Vec<i64> = sqlx::query_scalar(
            "SELECT l.guardian_id FROM guardian_links l JOIN users g ON g.id = l.guardian_id
             WHERE l.pupil_id = $1 AND g.deletion_due_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM guardian_links o WHERE o.guardian_id = l.guardian_id AND o.pupil_id <> $1)",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        for guardian in orphans {
            self.lock_childless_guardian(&mut tx, guardian, now).await?;
        }
        // VIOL-1: a consent a guardian gave online stays given (and online), without their name.
        sqlx::query("UPDATE parent_consents SET signed_name = '' WHERE recorded_by = $1 AND signed_name IS NOT NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE parent_consents SET recorded_by = NULL WHERE recorded_by = $1").bind(user_id).execute(&mut *tx).await?;
        // LIFE-1: a family's request (answered or not) keeps its effect, not who made or confirmed it.
        sqlx::query("UPDATE end_requests SET guardian_id = NULL WHERE guardian_id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE end_requests SET confirmed_by = NULL WHERE confirmed_by = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE log_readers SET granted_by = 0 WHERE granted_by = $1").bind(user_id).execute(&mut *tx).await?;
        // PAR-2: codes the secretariat printed, or a guardian redeemed, lose the id (the links
        // and a pupil's own codes go with the row).
        sqlx::query("UPDATE guardian_codes SET created_by = NULL WHERE created_by = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE guardian_codes SET used_by = NULL WHERE used_by = $1").bind(user_id).execute(&mut *tx).await?;
        // Class lists waiting for import may name them; previews are only ever short-lived.
        sqlx::query("DELETE FROM imports WHERE school_id = $1 AND (created_by = $2 OR applied_at IS NOT NULL OR lower(content) LIKE $3)")
            .bind(person.school_id)
            .bind(user_id)
            .bind(format!("%{}%", person.last_name.to_lowercase().replace(['%', '_'], "")))
            .execute(&mut *tx)
            .await?;
        // Their own throttle rows only: the keys that name exactly this login.
        let (account, account_from) = crate::auth::throttle::login_keys(&person.login);
        sqlx::query("DELETE FROM login_throttle WHERE key = $1 OR substr(key, 1, length($2)) = $2")
            .bind(account)
            .bind(account_from)
            .execute(&mut *tx)
            .await?;
        let address = format!("{}@{}", person.login, person.mail_domain);
        let names = vec![
            person.login.clone(),
            format!("{} {}", person.first_name, person.last_name),
            format!("{}, {}", person.last_name, person.first_name),
            format!("{};{}", person.first_name, person.last_name),
        ];
        let pseudonymised = self.pseudonymise_audit(&mut tx, user_id, person.school_id, &address, &names, &pseudonym).await?;
        // MAIL-1: their mailbox goes; what they sent others keeps, under the pseudonym.
        let messages: Vec<i64> = sqlx::query_scalar("DELETE FROM mail_items WHERE user_id = $1 RETURNING message_id")
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        let mails = messages.len();
        sqlx::query("UPDATE mail_messages SET sender = $2, sender_id = NULL WHERE sender_id = $1")
            .bind(user_id)
            .bind(&pseudonym)
            .execute(&mut *tx)
            .await?;
        // Recipient lines name them by address, in any school that mail reached: whole tokens
        // only, so that `tom.li@…` never touches `atom.li@…`.
        let lines: Vec<(i64, String)> = sqlx::query_as("SELECT id, recipients FROM mail_messages WHERE lower(recipients) LIKE $1")
            .bind(format!("%{}%", address.to_lowercase().replace(['%', '_'], "")))
            .fetch_all(&mut *tx)
            .await?;
        for (id, recipients) in lines {
            let replaced = crate::audit::replace_whole_tokens(&recipients, &address, &pseudonym);
            if replaced != recipients {
                sqlx::query("UPDATE mail_messages SET recipients = $1 WHERE id = $2").bind(&replaced).bind(id).execute(&mut *tx).await?;
            }
        }
        sqlx::query("UPDATE mail_case_reads SET reader_id = NULL WHERE reader_id = $1").bind(user_id).execute(&mut *tx).await?;
        // CAL-2: the history of shared events keeps what changed, under the pseudonym.
        sqlx::query("UPDATE calendar_history SET changed_by = NULL, changed_by_name = $2 WHERE changed_by = $1")
            .bind(user_id)
            .bind(&pseudonym)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE mail_cases SET closed_by = NULL WHERE closed_by = $1").bind(user_id).execute(&mut *tx).await?;
        let mut blob_keys = blob_keys;
        blob_keys.extend(self.drop_orphan_messages(&mut tx, &messages).await?);
        // Sessions, memberships, acceptances, consents, exceptions and log rights go with the
        // row (ON DELETE CASCADE).
        sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        // Kept as JSON: the report page tells it in the reader's language.
        let summary = serde_json::to_string(&super::DeletionCounts {
            files: files as i64,
            kept,
            messages: mails as i64,
            pseudonymised: pseudonymised as i64,
        })
        .unwrap_or_default();
        sqlx::query(
            "INSERT INTO deletion_reports (school_id, pseudonym, role, class, reason, account_created_at, deactivated_at, deleted_at, summary)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(person.school_id)
        .bind(&pseudonym)
        .bind(&person.role)
        .bind(&class)
        .bind(&person.status)
        .bind(person.created_at)
        .bind(person.deactivated_at.unwrap_or(now))
        .bind(now)
        .bind(&summary)
        .execute(&mut *tx)
        .await?;
        let mut event = audit.clone().details(format!("{pseudonym}: {summary}"));
        event.school_id = Some(person.school_id);
        self.write_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(Deleted { blob_keys, pseudonym }))
    }

    async fn deletion_reports(&self, school_id: i64) -> Result<Vec<DeletionReport>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT pseudonym, role, class, reason, account_created_at, deactivated_at, deleted_at, summary
             FROM deletion_reports WHERE school_id = $1 ORDER BY deleted_at DESC, id DESC LIMIT 1000",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(pseudonym, role, class, reason, created_at, deactivated_at, deleted_at, summary)| DeletionReport {
                pseudonym,
                role,
                class,
                reason,
                created_at,
                deactivated_at,
                deleted_at,
                summary,
            })
            .collect())
    }

    async fn take_lease(&self, name: &str, holder: &str, now: i64, secs: i64) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO job_leases (name, holder, until) VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        // Only one server's UPDATE finds the lease free: the row is locked until commit.
        let taken = sqlx::query("UPDATE job_leases SET holder = $2, until = $3 WHERE name = $1 AND until < $4")
            .bind(name)
            .bind(holder)
            .bind(now + secs)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(taken == 1)
    }

    async fn finish_lease(&self, name: &str, now: i64, result: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE job_leases SET last_run_at = $2, last_result = $3 WHERE name = $1")
            .bind(name)
            .bind(now)
            .bind(result)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    async fn last_run(&self, name: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
        let row: Option<(Option<i64>, String)> = sqlx::query_as("SELECT last_run_at, last_result FROM job_leases WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|(at, result)| at.map(|at| (at, result))))
    }
});
