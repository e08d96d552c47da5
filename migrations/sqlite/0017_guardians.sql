-- PAR-1: which guardian sees which pupil. Only the secretariat removes a link (with a reason,
-- in the audit log); a guardian gains one only by redeeming a code slip the secretariat
-- printed. A pupil or guardian deleted takes their links along.
CREATE TABLE guardian_links (
    guardian_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    pupil_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (guardian_id, pupil_id)
);
CREATE INDEX guardian_links_pupil ON guardian_links(pupil_id);

-- PAR-2: one-time registration codes. Only a SHA-256 of the code is kept (it has about 79
-- bits, so no slow hash is needed to make guessing hopeless); the code itself exists only on
-- the printed slip. A used code keeps its row, so that typing it again says "already used".
CREATE TABLE guardian_codes (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    pupil_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by BIGINT
);
CREATE INDEX guardian_codes_pupil ON guardian_codes(pupil_id);
