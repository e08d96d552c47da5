-- Issue 18 §1: a form the server refused, kept for a few minutes so that its page comes back
-- filled in (app/src/web/kept.rs). Bound to the session by a keyed hash of its token; read
-- once; expired rows are removed whenever another form is kept.
CREATE TABLE kept_forms (
    key TEXT PRIMARY KEY,
    session_mac TEXT NOT NULL,
    form TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX kept_forms_expires ON kept_forms(expires_at);
