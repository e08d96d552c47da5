-- FILE-1, issue 18: three states for what the members of a class or team may do in its folder
-- (`read`, `own`: add and change their own items, `all`). Groups that let members write get the
-- new default `own`, so that a child can no longer delete a classmate's or the teacher's files;
-- groups that were read-only stay so. Owners (teachers) always do everything.
ALTER TABLE groups ADD COLUMN member_files TEXT NOT NULL DEFAULT 'own';
UPDATE groups SET member_files = 'read' WHERE NOT members_write;
ALTER TABLE groups DROP COLUMN members_write;
