-- Accounts (issue 3): throttling, locks, leaving dates, groups, policy versions, session ids.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);

ALTER TABLE users ADD COLUMN leaving_date TEXT;
ALTER TABLE users ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';

-- A public handle for a session, so a user can end one without ever seeing its token.
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_public_id ON sessions(public_id);

CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    effective_date TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    UNIQUE (school_id, version)
);

CREATE TABLE policy_acceptances (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy_version_id BIGINT NOT NULL REFERENCES policy_versions(id) ON DELETE CASCADE,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, policy_version_id)
);

-- ACC-3: classes (1a … 4d, with a grade) and teams, with members and owners.
CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    grade BIGINT,
    UNIQUE (school_id, name)
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    is_owner BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);
CREATE INDEX users_school_name ON users(school_id, last_name, first_name);

-- VIOL-1: for pupils, the secretariat records that the parents' signed form came back.
CREATE TABLE parent_consents (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy_version_id BIGINT NOT NULL REFERENCES policy_versions(id) ON DELETE CASCADE,
    recorded_by BIGINT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, policy_version_id)
);

-- PW-2: after the slip is printed only "issued on …" remains.
ALTER TABLE users ADD COLUMN start_password_issued_at BIGINT;

-- ACC-4: an uploaded class list waits here between preview and apply, so any app server can
-- apply what another one previewed.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    created_by BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    applied_at BIGINT
);
