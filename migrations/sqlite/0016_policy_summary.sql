-- Issue 18 §7: the school's short version of its policy for children and parents, one rule a
-- line with its pictogram (app/src/rules/policy.rs). NULL: the shipped default. Editing it is
-- not a new policy version, so it lives beside the versions, not in them.
ALTER TABLE schools ADD COLUMN policy_summary TEXT;
