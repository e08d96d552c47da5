-- VIOL-1: a consent a guardian gives online names who signed it (typed); a paper form the
-- secretariat records leaves it empty, so the people table can say which way it came.
ALTER TABLE parent_consents ADD COLUMN signed_name TEXT;

-- LIFE-1: "nach entsprechender Mitteilung der Eltern": a guardian's request to end their
-- child's use. Management confirms it, which starts the withdrawal; until then it is only a
-- request. The guardian is remembered while their account exists.
CREATE TABLE end_requests (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    pupil_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    guardian_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    confirmed_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX end_requests_school ON end_requests(school_id, confirmed_at);
CREATE INDEX end_requests_pupil ON end_requests(pupil_id);
