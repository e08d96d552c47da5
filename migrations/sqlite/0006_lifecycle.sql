-- LIFE-1..3: a deactivated account (withdrawn by the parents, or past its leaving date) is
-- deleted for good once deletion_due_at has passed; until then the secretariat can cancel.
ALTER TABLE users ADD COLUMN deletion_due_at BIGINT;
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
ALTER TABLE schools ADD COLUMN deletion_grace_days BIGINT NOT NULL DEFAULT 7;

-- LIFE-3: the school's record of each deletion, without any of the deleted content.
CREATE TABLE deletion_reports (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    pseudonym TEXT NOT NULL,
    role TEXT NOT NULL,
    class TEXT NOT NULL,
    reason TEXT NOT NULL,
    account_created_at BIGINT NOT NULL,
    deactivated_at BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL,
    summary TEXT NOT NULL
);

-- LOG-1 with LIFE-3: the chain covers a digest of the details, so that the details of a
-- deleted person can be pseudonymised without breaking it. NULL for rows from before.
ALTER TABLE audit_events ADD COLUMN details_digest TEXT;

-- Scheduled jobs run on one app server at a time: whoever holds the lease.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until BIGINT NOT NULL,
    last_run_at BIGINT,
    last_result TEXT NOT NULL DEFAULT ''
);
