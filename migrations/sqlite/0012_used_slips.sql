-- PW-2, issue 18: a start password works until its owner has chosen a password (or it
-- expires). A slip typed again after that is recognised by a keyed HMAC of its password,
-- written when it was issued, so that its owner is told kindly that it was used (or that it
-- expired) at no extra argon2 work. The HMAC key is the deployment's secret, not in the
-- database.
ALTER TABLE users ADD COLUMN slip_mac TEXT;
