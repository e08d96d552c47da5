-- MAIL-1..5: internal mail. A message is stored once; every mailbox that holds it (the
-- sender's "sent", each recipient's inbox) has its own item with its own folder and read state.

-- MAIL-3: the mass-mail guard, per school and role; MAIL-1: how long the mail trash keeps.
ALTER TABLE schools ADD COLUMN mail_pupil_recipients BIGINT NOT NULL DEFAULT 5;
ALTER TABLE schools ADD COLUMN mail_pupil_per_hour BIGINT NOT NULL DEFAULT 30;
ALTER TABLE schools ADD COLUMN mail_staff_recipients BIGINT NOT NULL DEFAULT 50;
ALTER TABLE schools ADD COLUMN mail_staff_per_hour BIGINT NOT NULL DEFAULT 200;
ALTER TABLE schools ADD COLUMN mail_pupils_to_class BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE schools ADD COLUMN mail_trash_days BIGINT NOT NULL DEFAULT 30;

-- Settings of the whole deployment, the operator's (MAIL-2: mail between schools).
CREATE TABLE deployment_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE mail_messages (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    sender_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- As it read when sent: "Name <address>"; the lifecycle pseudonymises it.
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- Sanitised HTML, and the same as plain text for search and export.
    body_html TEXT NOT NULL,
    body_text TEXT NOT NULL,
    -- 'mail', 'draft', or 'notice' (a system message that cannot be suppressed, MAIL-4).
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mail_messages_sender ON mail_messages(sender_id, kind, created_at);

-- One row per attachment of a message, however many mailboxes hold it. The blob is shared
-- with file_nodes rows that point to the same key; it goes when no row points to it.
CREATE TABLE mail_attachments (
    id INTEGER PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES mail_messages(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL
);
CREATE INDEX mail_attachments_message ON mail_attachments(message_id);
CREATE INDEX mail_attachments_blob ON mail_attachments(blob_key);

CREATE TABLE mail_folders (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE mail_items (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES mail_messages(id) ON DELETE CASCADE,
    -- 'inbox', 'sent', 'drafts', 'trash', or the id of one of the user's folders.
    box TEXT NOT NULL,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    trashed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX mail_items_box ON mail_items(user_id, box, id);
CREATE INDEX mail_items_unread ON mail_items(user_id, is_read, box);
CREATE INDEX mail_items_message ON mail_items(message_id);

-- MAIL-5: a message a recipient handed to school management.
CREATE TABLE mail_reports (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES mail_messages(id) ON DELETE CASCADE,
    reporter_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    comment TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX mail_reports_school ON mail_reports(school_id, created_at);

-- MAIL-4: inspection on concrete suspicion, only through a recorded case the owner is told of.
CREATE TABLE mail_cases (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    mailbox_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reference TEXT NOT NULL,
    reason TEXT NOT NULL,
    opened_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    opened_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by BIGINT
);
CREATE INDEX mail_cases_school ON mail_cases(school_id, opened_at);

CREATE TABLE mail_case_readers (
    case_id BIGINT NOT NULL REFERENCES mail_cases(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, user_id)
);

CREATE TABLE mail_case_reads (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES mail_cases(id) ON DELETE CASCADE,
    reader_id BIGINT,
    message_id BIGINT NOT NULL,
    read_at BIGINT NOT NULL
);
