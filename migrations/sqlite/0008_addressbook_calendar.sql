-- AB-2: the further fields of a person's address book entry. Each is shown only with its switch
-- on; the directory fields (name, role, class) stay in users and groups.
CREATE TABLE address_fields (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    phone TEXT NOT NULL DEFAULT '',
    postal TEXT NOT NULL DEFAULT '',
    birthday TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    show_phone BOOLEAN NOT NULL DEFAULT FALSE,
    show_postal BOOLEAN NOT NULL DEFAULT FALSE,
    show_birthday BOOLEAN NOT NULL DEFAULT FALSE,
    show_note BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);

-- CAL-1: a school may let group members write their group's calendar.
ALTER TABLE schools ADD COLUMN calendar_members_write BOOLEAN NOT NULL DEFAULT FALSE;

-- CAL-1: one table for personal (owner_user_id), group (group_id) and school-wide events.
-- Times are German wall-clock time, so recurrences keep their hour across summer time.
CREATE TABLE calendar_events (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    owner_user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    description TEXT NOT NULL,
    event_date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    repeat TEXT NOT NULL,
    until TEXT NOT NULL,
    exceptions TEXT NOT NULL,
    reminder_minutes BIGINT NOT NULL,
    -- CAL-2: a save names the version it started from; a stale one is refused.
    version BIGINT NOT NULL,
    -- CAL-2: deleting is soft, so the history keeps its subject.
    deleted_at BIGINT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calendar_events_owner ON calendar_events(owner_user_id, event_date);
CREATE INDEX calendar_events_group ON calendar_events(group_id, event_date);
CREATE INDEX calendar_events_school ON calendar_events(school_id, event_date);

-- CAL-2: every change to a group or school event, before and after, as JSON. No endpoint
-- changes or deletes these rows; they go with the calendar, and the lifecycle pseudonymises them.
CREATE TABLE calendar_history (
    id INTEGER PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES calendar_events(id) ON DELETE CASCADE,
    changed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    changed_by_name TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL
);
CREATE INDEX calendar_history_event ON calendar_history(event_id, id);

-- CAL-3: private feed addresses. Only a hash of the token is kept; the token itself is kept
-- until the page has shown it once.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    token_once TEXT,
    calendar TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id);
