-- SEC-5, LOG-1, LOG-3: the audit chain is anchored at both ends and its exceptions are recorded.
--
-- Retention per school: a school's expired rows keep only what links the chain (id, time,
-- school, hashes) and are marked pruned; a MACed 'prune' checkpoint says up to which row a
-- school's content is gone. Once the oldest rows of every school are pruned they are deleted
-- behind a MACed 'start' checkpoint, as before.
ALTER TABLE audit_events ADD COLUMN pruned_at BIGINT;
CREATE INDEX audit_events_school_id ON audit_events(school_id, id);
ALTER TABLE audit_checkpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'start';
ALTER TABLE audit_checkpoints ADD COLUMN school_id BIGINT;
ALTER TABLE audit_checkpoints ADD COLUMN mac TEXT NOT NULL DEFAULT '';

-- The head: how many rows there are and the newest one, MACed, so that deleting the newest
-- rows is detected. The verified mark is where the log page's incremental check stopped.
-- The first start with the key (anchored_at still NULL) MACs what is there as of the upgrade.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    event_count BIGINT NOT NULL,
    last_event_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    mac TEXT NOT NULL,
    anchored_at BIGINT,
    verified_event_id BIGINT NOT NULL DEFAULT 0,
    verified_hash TEXT NOT NULL DEFAULT '',
    verified_mac TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_head (id, event_count, last_event_id, last_hash, mac)
SELECT 1,
       (SELECT COUNT(*) FROM audit_events),
       COALESCE((SELECT MAX(id) FROM audit_events),
                (SELECT last_event_id FROM audit_checkpoints ORDER BY id DESC LIMIT 1), 0),
       COALESCE((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1),
                (SELECT last_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1), ''),
       '';

-- LIFE-3: each pseudonymisation of a row, with a MAC of the text it left, so that a row whose
-- text no longer matches its digest is accepted only when Schulhof itself changed it.
CREATE TABLE audit_pseudonyms (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    pseudonym TEXT NOT NULL,
    text_mac TEXT NOT NULL
);
CREATE INDEX audit_pseudonyms_event ON audit_pseudonyms(event_id, id);
