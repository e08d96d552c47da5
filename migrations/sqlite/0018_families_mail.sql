-- MAIL-3, PAR-3: the guardians' row of the mass-mail guard (a family writes to a few people of
-- the school, not to lists).
ALTER TABLE schools ADD COLUMN mail_guardian_recipients BIGINT NOT NULL DEFAULT 5;
ALTER TABLE schools ADD COLUMN mail_guardian_per_hour BIGINT NOT NULL DEFAULT 20;

-- PAR-3: a class's parent representatives, marked by the secretariat: they may write to the
-- class's parents' address (`eltern-2b@`) as the staff do. A mark counts only while the
-- guardian is still linked to a pupil of that class (checked when a message is sent).
CREATE TABLE class_representatives (
    group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    guardian_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, guardian_id)
);
CREATE INDEX class_representatives_guardian ON class_representatives(guardian_id);
