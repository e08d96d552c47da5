-- SEC-1, PW-2: who issued the start password, so its owner is told at the next sign-in who
-- reset it and when. No foreign key: the issuer's account may be deleted before the slip is
-- used, and the notice then says "the school".
ALTER TABLE users ADD COLUMN start_password_issued_by BIGINT;

-- LIFE-1, VIOL-2: the status an account had before it was withdrawn or left, so calling the
-- deletion off restores a lock that was in place instead of lifting it without a reason.
ALTER TABLE users ADD COLUMN status_before_deactivation TEXT;
