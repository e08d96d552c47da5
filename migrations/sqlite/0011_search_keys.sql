-- Issue 18: people are found by their real names (Özdemir by "oez" and "oz") and listed in
-- German order on both backends. The keys are plain ASCII, written by `rules::search` when a
-- person is created; the server fills them for everyone else when it starts after this
-- migration (SQL cannot transliterate), and never leaves a row empty afterwards.
ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
CREATE INDEX users_school_sort ON users (school_id, sort_key);
