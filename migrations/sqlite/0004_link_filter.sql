-- FLT-1: blocked domains and URL prefixes. school_id 0 is the whole deployment's list; a
-- school's own additions carry its id. Hosts are stored canonical (rules::links).
CREATE TABLE link_blocklist (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL DEFAULT 0,
    domain TEXT NOT NULL,
    path_prefix TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (school_id, domain, path_prefix)
);
CREATE INDEX link_blocklist_domain ON link_blocklist(domain);
