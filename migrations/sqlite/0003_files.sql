-- FILE-1: personal folders (owner_user_id) and group folders (group_id). Exactly one is set.
-- The content lives in the blob store under blob_key, a name the server made up: what a
-- user calls a file never becomes a path.
CREATE TABLE file_nodes (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    owner_user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups(id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES file_nodes(id) ON DELETE CASCADE,
    is_folder BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    blob_key TEXT,
    size BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    -- No foreign key: group content outlives its author (LIFE-3, "ehemaliger Nutzer").
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    trashed_at BIGINT,
    trashed_by BIGINT
);
-- Siblings never share a name, compared case-insensitively; items in the trash do not count.
CREATE UNIQUE INDEX file_nodes_sibling_name ON file_nodes(
    COALESCE(owner_user_id, 0), COALESCE(group_id, 0), COALESCE(parent_id, 0), name_key
) WHERE trashed_at IS NULL;
CREATE INDEX file_nodes_parent ON file_nodes(parent_id);
CREATE INDEX file_nodes_owner ON file_nodes(owner_user_id);
CREATE INDEX file_nodes_group ON file_nodes(group_id);
CREATE INDEX file_nodes_created_by ON file_nodes(created_by);
CREATE INDEX file_nodes_blob ON file_nodes(blob_key);
CREATE INDEX file_nodes_trashed ON file_nodes(trashed_at);

-- FILE-2: an administrator's exception to the transfer limit, for one person until a date.
CREATE TABLE transfer_exceptions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    limit_bytes BIGINT NOT NULL,
    reason TEXT NOT NULL,
    ends_at BIGINT NOT NULL,
    granted_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX transfer_exceptions_user ON transfer_exceptions(user_id, ends_at);

-- FILE-4: a person's own quota; NULL means the role's default.
ALTER TABLE users ADD COLUMN quota_bytes BIGINT;

-- FILE-2, FLT-3, FILE-1: the school's transfer limit, its list of blocked file types
-- (NULL: the default list), and how long the trash keeps items.
ALTER TABLE schools ADD COLUMN transfer_limit_bytes BIGINT NOT NULL DEFAULT 20971520;
ALTER TABLE schools ADD COLUMN blocked_types TEXT;
ALTER TABLE schools ADD COLUMN trash_days BIGINT NOT NULL DEFAULT 30;

-- FILE-1: whether members of a class or team may write its folder (owners always may).
ALTER TABLE groups ADD COLUMN members_write BOOLEAN NOT NULL DEFAULT TRUE;
