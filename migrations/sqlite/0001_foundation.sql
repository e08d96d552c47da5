-- Times are Unix seconds (BIGINT) on both backends.
CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    mail_domain TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    school_id BIGINT REFERENCES schools(id),
    login TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    password_expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_school ON users(school_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- No foreign keys: audit rows outlive the users they name (as pseudonyms, LIFE-3).
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    school_id BIGINT,
    actor_id BIGINT,
    subject_id BIGINT,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_school_at ON audit_events(school_id, at);
