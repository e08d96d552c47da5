-- Issue 18 §6: two children with the same name are told apart by what the class list gives:
-- the school office's pupil ID (re-imports match by it) or a birth date. Kept only when the
-- file has one; nobody else's account carries either.
ALTER TABLE users ADD COLUMN import_id TEXT;
ALTER TABLE users ADD COLUMN birth_date TEXT;
CREATE UNIQUE INDEX users_import_id ON users(school_id, import_id) WHERE import_id IS NOT NULL;
-- What an applied import did, as JSON counts, so that its page can say so and name the next
-- step (the classes whose new children need start passwords).
ALTER TABLE imports ADD COLUMN outcome TEXT;
