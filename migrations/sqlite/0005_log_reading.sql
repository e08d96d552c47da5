-- LOG-2: "Protokolle auswerten", granted by school management to a named person.
CREATE TABLE log_readers (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    granted_by BIGINT NOT NULL,
    granted_at BIGINT NOT NULL
);

-- LOG-2: every look into the log starts with a stated reason and reference.
CREATE TABLE log_sessions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    school_id BIGINT,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- LOG-3: retention deletes the oldest events; the chain goes on from the last deleted hash.
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    last_event_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    deleted BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

ALTER TABLE schools ADD COLUMN audit_retention_days BIGINT NOT NULL DEFAULT 183;
CREATE INDEX audit_events_action ON audit_events(action);
