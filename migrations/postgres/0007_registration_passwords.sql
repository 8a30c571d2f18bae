-- The password typed during registration, sealed with the bot's key (DVC_SECRET_KEY), until the
-- summary is confirmed: any replica may handle the confirmation. Deleted on confirm, on
-- /cancel and /deleteme; a row past expires_at is never read and is swept by the next write.
CREATE TABLE IF NOT EXISTS registration_passwords (
    user_id    BIGINT PRIMARY KEY,
    sealed     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS registration_passwords_expiry ON registration_passwords (expires_at);
