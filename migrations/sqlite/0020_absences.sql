-- ABS-1..3: absence reports ("Krankmeldung") and the morning lists.
-- ABS-2: reports arriving after this minute of the first day (German time) are marked late.
ALTER TABLE schools ADD COLUMN absence_late_after_minutes BIGINT NOT NULL DEFAULT 480;
-- ABS-1: from which school day of an absence a doctor's note may be asked for (0: never).
ALTER TABLE schools ADD COLUMN absence_note_from_day BIGINT NOT NULL DEFAULT 3;
-- ABS-3: days after the school year's end that reasons and notes are kept (counts stay).
ALTER TABLE schools ADD COLUMN absence_keep_days BIGINT NOT NULL DEFAULT 0;

-- One absence of one pupil over a span of days: reported by a guardian ('guardian'), or
-- marked by the class teacher as missing without a report ('teacher'). Days are ISO dates.
-- A pupil's absences go with the pupil (the counts stay until the pupil leaves); who
-- reported or reached is forgotten with their account.
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    pupil_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    part TEXT NOT NULL DEFAULT 'whole',
    source TEXT NOT NULL,
    -- ABS-3: reason and note are the details the retention job blanks ('' once gone).
    reason TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    reported_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reported_at BIGINT NOT NULL,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    excused BOOLEAN NOT NULL DEFAULT FALSE,
    -- ABS-2: the secretariat reached the family about a child missing without a report.
    reached_at BIGINT,
    reached_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    details_purged BOOLEAN NOT NULL DEFAULT FALSE,
    -- ABS-1: the doctor's note a family attached (a photo or a PDF in the blob store), also
    -- a detail the retention job removes.
    doctors_note_key TEXT,
    doctors_note_name TEXT NOT NULL DEFAULT '',
    doctors_note_size BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX absences_pupil ON absences(pupil_id, from_day);
CREATE INDEX absences_school_day ON absences(school_id, to_day, from_day);
CREATE INDEX absences_note ON absences(doctors_note_key);
