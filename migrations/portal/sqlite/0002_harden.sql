-- Registration's idempotency key, kept with the account it made.
ALTER TABLE accounts ADD COLUMN create_key TEXT;

-- Failed logins per key ("account:<login>" or "client:<address>"): the wait a key earned.
-- Replaces the per-account lockout (failed_logins, locked_until, no longer used).
CREATE TABLE login_failures (
    throttle_key   TEXT   PRIMARY KEY,
    failures       BIGINT NOT NULL,
    last_failure   BIGINT NOT NULL,
    blocked_until  BIGINT NOT NULL
);
